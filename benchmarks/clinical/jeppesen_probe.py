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


def load(path):
    with h5py.File(path, "r") as f:
        cols = [text(c) for c in f["windows/features"].attrs["columns"]]
        missing = [c for c in FEATURES if c not in cols]
        if missing:
            sys.exit(f"jeppesen_probe: {path} has no column {', '.join(missing)}; extract it with the default "
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
                    "x": {c: feats[m, cols.index(c)].astype(np.float64) for c in FEATURES},
                    "ref": [(a, b) for k, a, b in refs if k == i]})
    return out


def events(t, on, gap):
    """Runs of windows that are on (a window ending at t covers the 1-s step before it), merged
    when the next starts less than `gap` seconds after the last ends."""
    ev = []
    for ti, o in zip(t, on):
        if not o:
            continue
        if ev and ti - 1.0 - ev[-1][1] < gap:
            ev[-1][1] = ti
        else:
            ev.append([ti - 1.0, ti])
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
    ev = events(t[later], np.nan_to_num(x[later], nan=-np.inf) > cut, gap)
    refs = [(a, b) for a, b in r["ref"] if b > tailor_s]
    hit = [any(e[0] < b and e[1] > a for e in ev) for a, b in refs]
    fa = sum(1 for e in ev if not any(e[0] < b and e[1] > a for a, b in refs))
    lat = [max(0.0, min(e[0] for e in ev if e[0] < b and e[1] > a) - a) for (a, b), h in zip(refs, hit) if h]
    return {"hits": hit, "fa": fa, "hours": (r["duration"] - tailor_s) / 3600.0, "latency": lat}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test")
    ap.add_argument("rr", nargs="+")
    ap.add_argument("--tailor-hours", type=float, default=12.0)
    ap.add_argument("--score")
    ap.add_argument("--pad-s", type=float, default=120.0)
    ap.add_argument("--merge-gap-s", type=float, default=180.0)
    a = ap.parse_args()
    tailor_s = a.tailor_hours * 3600.0
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
        n = h = nr = hr = fa = 0
        hours = 0.0
        lat = []
        for r in test:
            s = score(r, feat, tailor_s, a.pad_s, a.merge_gap_s)
            n += len(s["hits"])
            h += sum(s["hits"])
            if resp and resp.get(r["patient"]):
                nr += len(s["hits"])
                hr += sum(s["hits"])
            fa += s["fa"]
            hours += s["hours"]
            lat += s["latency"]
        rfa = rh = 0.0
        for r in rr:
            s = score(r, feat, tailor_s, a.pad_s, a.merge_gap_s)
            rfa += s["fa"]
            rh += s["hours"]
        def rate(k, hrs):
            return f"{24 * k / hrs:.2f}" if hrs > 0 else "n/a"
        med = f"{float(np.median(lat)):.1f}" if lat else "n/a"
        rs = f"{hr}/{nr}" if resp is not None else "n/a"
        print(f"| {feat} | {h}/{n} | {rs} | {rate(fa, hours)} | {med} | {rate(rfa, rh)} |")


if __name__ == "__main__":
    main()
