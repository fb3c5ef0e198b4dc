#!/usr/bin/env python3
"""Jeppesen's patient-tailored rule against the program's tailored forest (issue 13).

    /usr/bin/python3 benchmarks/clinical/jeppesen_probe.py TEST.h5 RR.h5 [RR.h5 ...] [--tailor-hours H]
        [--score WORK/test_tailored/score.json] [--pad-s 120] [--merge-gap-s 180]

TEST.h5 / RR.h5: `ecgforest extract` of the held-out cohort and of rr_daily of a
benchmarks/clinical/run.sh work folder. Per recording, the first H hours (default 12) are the
baseline: the cut-off is 1.05 x the largest value of the feature there, windows within 120 s of an
annotated seizure left out (Jeppesen, Seizure 2015: "105 % of the highest value during exercise and
non-seizure periods"; the 120-s padding as in creintjes' reconstruction); on the later hours an
alarm is a run of windows above the cut-off, runs closer than 180 s merged (the 3-min lock-out of
the reconstructions). Scored NEDC OVLP on the hours after the baseline only. Each feature of the
default profile is tried alone. With --score, seizures are split by the responder flag of
score.json: of its `tailoring.tailored` block when it has one (a `predict --tailor-hours H` run of
the same cohort: responders judged on the same scored hours), else of its top level. Nothing is
trained. Needs numpy, h5py.
"""
import argparse
import json
import sys

import h5py
import numpy as np

FEATURES = ["modcsi100f_x_slope", "csi100_x_slope", "modcsi100f", "csi100", "hr_minus_baseline", "hr_ratio_baseline"]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path, columns=FEATURES, tool="jeppesen_probe"):
    """Per recording of a features file: name, patient, duration, window times, the columns (x) and
    the reference seizures; a file without one of the columns ends the run with a sentence."""
    with h5py.File(path, "r") as f:
        cols = [text(c) for c in f["windows/features"].attrs["columns"]]
        missing = [c for c in columns if c not in cols]
        if missing:
            sys.exit(f"{tool}: {path} has no column {', '.join(missing)}; extract it with the default "
                     "HRV profile (ecgforest extract --input DIR --output FILE).")
        feats = f["windows/features"][()]
        rec = f["windows/record"][()]
        t = f["windows/time_s"][()]
        recs = f["records"][()]
        refs = list(zip(f["reference/record"][()].tolist(), f["reference/start_s"][()], f["reference/stop_s"][()]))
    out = []
    for i, r in enumerate(recs):
        m = rec == i
        out.append({"name": text(r["path"]), "patient": text(r["patient"]), "duration": float(r["duration_s"]), "t": t[m],
                    "x": {c: feats[m, cols.index(c)].astype(np.float64) for c in columns},
                    "ref": [(a, b) for k, a, b in refs if k == i]})
    return out


def events(t, on, step, gap):
    """Runs of windows that are on (a window ending at t covers the step before it), merged when
    the next starts less than `gap` seconds after the last ends."""
    ev = []
    for ti, o in zip(t, on):
        if not o:
            continue
        if ev and ti - step - ev[-1][1] < gap:
            ev[-1][1] = ti
        else:
            ev.append([ti - step, ti])
    return ev


def score(r, feat, tailor_s, pad, gap):
    """Hits per scored seizure, false alarms, scored hours and latencies of one recording."""
    t, x = r["t"], r["x"][feat]
    base = t <= tailor_s
    for a, b in r["ref"]:
        base &= ~((t > a - pad) & (t < b + pad))
    vals = x[base & np.isfinite(x)]
    # No usable baseline value: no cut-off, so no alarm (the recording's seizures count as missed).
    cut = np.inf if vals.size == 0 else (1.05 * vals.max() if vals.max() > 0 else vals.max() + 1e-9)
    later = t > tailor_s
    step = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    ev = events(t[later], np.nan_to_num(x[later], nan=-np.inf) > cut, step, gap)
    refs = [(a, b) for a, b in r["ref"] if b > tailor_s]
    over = [[e for e in ev if e[0] < b and e[1] > a] for a, b in refs]  # alarms overlapping each seizure
    fa = sum(1 for e in ev if not any(e[0] < b and e[1] > a for a, b in refs))
    lat = [max(0.0, min(e[0] for e in o) - a) for (a, _), o in zip(refs, over) if o]
    return {"hits": [bool(o) for o in over], "fa": fa, "hours": (r["duration"] - tailor_s) / 3600.0, "latency": lat}


def tally(recs, feat, a, resp):
    """Seizures found (all and of responder patients), false alarms, hours and latencies over recs."""
    out = {"n": 0, "h": 0, "nr": 0, "hr": 0, "fa": 0, "hours": 0.0, "lat": []}
    for r in recs:
        s = score(r, feat, a.tailor_hours * 3600.0, a.pad_s, a.merge_gap_s)
        out["n"] += len(s["hits"])
        out["h"] += sum(s["hits"])
        if resp and resp.get(r["patient"]):
            out["nr"] += len(s["hits"])
            out["hr"] += sum(s["hits"])
        out["fa"] += s["fa"]
        out["hours"] += s["hours"]
        out["lat"] += s["latency"]
    return out


def rate(alarms, hours):
    return f"{24 * alarms / hours:.2f}" if hours > 0 else "n/a"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test")
    ap.add_argument("rr", nargs="+")
    ap.add_argument("--tailor-hours", type=float, default=12.0)
    ap.add_argument("--score")
    ap.add_argument("--pad-s", type=float, default=120.0)
    ap.add_argument("--merge-gap-s", type=float, default=180.0)
    a = ap.parse_args()
    resp = None
    if a.score:
        sc = json.load(open(a.score))
        sc = sc["tailoring"]["tailored"] if "tailoring" in sc else sc  # a tailored run: its scored hours
        resp = {p: v.get("responder", False) for p, v in sc["responders"]["per_patient"].items()}
    test, rr = load(a.test), [r for path in a.rr for r in load(path)]
    print(f"| Jeppesen's rule on | held-out seizures after {a.tailor_hours:g} h | responder patients' | "
          "FA/24h held-out | latency median s | rr_daily FA/24h (after the baseline) |")
    print("|---|---|---|---|---|---|")
    for feat in FEATURES:
        t, d = tally(test, feat, a, resp), tally(rr, feat, a, None)
        med = f"{float(np.median(t['lat'])):.1f}" if t["lat"] else "n/a"
        rs = f"{t['hr']}/{t['nr']}" if resp is not None else "n/a"
        print(f"| {feat} | {t['h']}/{t['n']} | {rs} | {rate(t['fa'], t['hours'])} | {med} | {rate(d['fa'], d['hours'])} |")


if __name__ == "__main__":
    main()
