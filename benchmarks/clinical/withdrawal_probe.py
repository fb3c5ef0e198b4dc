#!/usr/bin/env python3
"""An untrained vagal-withdrawal rule beside the forest, patient-independent (issue 13).

    /usr/bin/python3 benchmarks/clinical/withdrawal_probe.py TRAIN.h5 TEST.h5 RR.h5 [RR.h5 ...]
        [--forest-test WORK/test_independent/predictions.h5]
        [--forest-rr WORK/daily_independent/predictions.h5 ...]
        [--score WORK/test_independent/score.json] [--cohort WORK/test/cohort.json]
        [--budget 1] [--merge-gap-s 60]

TRAIN.h5 / TEST.h5 / RR.h5: `ecgforest extract` (default profile) of the training cohort, the
held-out cohort and rr_daily of a benchmarks/clinical/run.sh work folder (TRAIN.h5 is its
run/features.h5). The rule: alarm while the RMSSD of the last 60 s is below R x the recording's
own 10-min baseline RMSSD (`rmssd_ratio_baseline` < R) and the heart rate is more than H bpm above
its baseline (`hr_minus_baseline` > H), for at least D s; alarms closer than the merge gap are
merged. R, H and D are chosen on TRAIN.h5 only, the way `train` chooses its operating point: the
setting of the grid that finds the most training seizures within --budget false alarms per 24 h
(ties: fewer false alarms, then the grid's order). Then the same rule on the held-out cohort and
on rr_daily, and the union of its alarms with the forest's (the events of `ecgforest predict`'s
predictions.h5; overlapping or within the merge gap of each other: one alarm).
Scoring as NEDC OVLP counts it: a seizure is found when an alarm overlaps it, an alarm that
overlaps no seizure is false; latency = first overlapping alarm's start - seizure onset (>= 0).
With --score, the responder column counts the seizures of score.json's responder patients. With
--cohort (the held-out cohort's cohort.json of ecgforest-synth), a line splits the held-out
seizures by the generator's ictal rise (`hr_rise_bpm`) and says which each detector found.
Needs numpy, h5py.
"""
import argparse
import itertools
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jeppesen_probe  # noqa: E402  (one loader, events, rate and text for both probes)
from ceiling import generator_seizure  # noqa: E402  (one cohort.json lookup for both scripts)
from jeppesen_probe import events, rate, text  # noqa: E402

COLUMNS = ["rmssd_ratio_baseline", "hr_minus_baseline"]
GRID = list(itertools.product([0.3, 0.35, 0.4, 0.45, 0.5, 0.55], [0, 5, 10, 15, 20], [5, 10, 20, 30]))


def load(path):
    """Per recording: name, patient, duration, window times, the two columns (x) and the seizures."""
    return jeppesen_probe.load(path, COLUMNS, "withdrawal_probe")


def forest_events(path):
    """Alarms of an `ecgforest predict` predictions.h5, by recording path."""
    with h5py.File(path, "r") as f:
        names = [text(p) for p in f["records/path"][()]]
        rec, a, b = f["events/record"][()], f["events/start_s"][()], f["events/stop_s"][()]
    out = {n: [] for n in names}
    for k, s, e in zip(rec.tolist(), a, b):
        out[names[k]].append([float(s), float(e)])
    return out


def merge(ev, gap):
    """Alarms sorted by start; one alarm where the next starts less than `gap` s after the last ends."""
    out = []
    for s, e in sorted(ev):
        if out and s - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def rule_events(r, setting, gap):
    """Runs of at least D s with ratio < R and rise > H (NaN: off), merged within `gap` s."""
    ratio_max, rise_min, min_s = setting
    t = r["t"]
    step = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    with np.errstate(invalid="ignore"):
        on = (r["x"][COLUMNS[0]] < ratio_max) & (r["x"][COLUMNS[1]] > rise_min)
    runs = events(t, on, step, 0.5 * step)  # contiguous windows only
    return merge([e for e in runs if e[1] - e[0] >= min_s], gap)


def overlaps(e, a, b):
    """Alarm e = [start, stop] overlaps the seizure [a, b] (NEDC OVLP)."""
    return e[0] < b and e[1] > a


def tally(recs, alarms_of, resp):
    """Seizures found (all, of responder patients), false alarms, hours and latencies over recs."""
    out = {"n": 0, "h": 0, "nr": 0, "hr": 0, "fa": 0, "hours": 0.0, "lat": []}
    for r in recs:
        ev = alarms_of(r)
        over = [[e for e in ev if overlaps(e, a, b)] for a, b in r["ref"]]
        hits = sum(1 for o in over if o)
        out["n"] += len(over)
        out["h"] += hits
        if resp and resp.get(r["patient"]):
            out["nr"] += len(over)
            out["hr"] += hits
        out["fa"] += sum(1 for e in ev if not any(overlaps(e, a, b) for a, b in r["ref"]))
        out["hours"] += r["duration"] / 3600.0
        out["lat"] += [max(0.0, min(e[0] for e in o) - a) for (a, _), o in zip(r["ref"], over) if o]
    return out


def choose(train, budget, gap):
    """The grid setting finding the most training seizures within the budget (ties: fewer alarms)."""
    best = None
    for setting in GRID:
        s = tally(train, lambda r: rule_events(r, setting, gap), None)
        per_24h = 24.0 * s["fa"] / s["hours"] if s["hours"] > 0 else float("inf")
        if per_24h <= budget and (best is None or (s["h"], -s["fa"]) > (best[1]["h"], -best[1]["fa"])):
            best = (setting, s)
    return best


RISE_BINS = [(0, 10, "< 10"), (10, 20, "10-20"), (20, 30, "20-30"), (30, float("inf"), ">= 30")]


def generator_rise(cohort, r, onset):
    """The generator's hr_rise_bpm of the seizure of recording r at onset (generator_seizure; None: not listed)."""
    s = generator_seizure(cohort, lambda p: r["name"].endswith(p) or p.endswith(r["name"]), onset)
    return None if s is None else s["hr_rise_bpm"]


def by_rise(recs, detectors, cohort):
    """Per rise bin: seizures and how many each detector (name, alarms of a recording) found."""
    out = {b[2]: [0] + [0] * len(detectors) for b in RISE_BINS}
    for r in recs:
        alarms = [f(r) for _, f in detectors]
        for a, b in r["ref"]:
            rise = generator_rise(cohort, r, a)
            label = next((lab for lo, hi, lab in RISE_BINS if rise is not None and lo <= rise < hi), None)
            if label is None:
                continue
            out[label][0] += 1
            for k, ev in enumerate(alarms):
                out[label][k + 1] += any(overlaps(e, a, b) for e in ev)
    names = ", ".join(n for n, _ in detectors)
    return f"held-out seizures by the generator's ictal rise (bpm; found by {names}): " + "; ".join(
        f"{lab}: " + " · ".join(str(v) for v in out[lab][1:]) + f" of {out[lab][0]}" for _, _, lab in RISE_BINS)


def row(name, t, d, resp):
    med = f"{float(np.median(t['lat'])):.1f}" if t["lat"] else "n/a"
    rs = f"{t['hr']}/{t['nr']}" if resp is not None else "n/a"
    rr = rate(d["fa"], d["hours"]) if d is not None else "n/a"
    return f"| {name} | {t['h']}/{t['n']} | {rs} | {rate(t['fa'], t['hours'])} | {med} | {rr} |"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("rr", nargs="+")
    ap.add_argument("--forest-test")
    ap.add_argument("--forest-rr", nargs="*", default=[])
    ap.add_argument("--score")
    ap.add_argument("--cohort")
    ap.add_argument("--budget", type=float, default=1.0)
    ap.add_argument("--merge-gap-s", type=float, default=60.0)
    a = ap.parse_args()
    resp = None
    if a.score:
        resp = {p: v.get("responder", False) for p, v in json.load(open(a.score))["responders"]["per_patient"].items()}
    train, test = load(a.train), load(a.test)
    rr = [r for path in a.rr for r in load(path)]
    best = choose(train, a.budget, a.merge_gap_s)
    if best is None:
        sys.exit(f"withdrawal_probe: no setting of the grid stays within {a.budget:g} FA/24h on {a.train}.")
    setting, s = best
    print(f"withdrawal rule chosen on the training cohort within {a.budget:g} FA/24h: RMSSD ratio < {setting[0]:g}, "
          f"heart rate > {setting[1]:g} bpm above baseline, for >= {setting[2]:g} s (training: {s['h']}/{s['n']} "
          f"seizures, {rate(s['fa'], s['hours'])} FA/24h)")
    print()
    print("| detector (patient-independent) | held-out seizures | responder patients' | FA/24h held-out | "
          "latency median s | rr_daily FA/24h |")
    print("|---|---|---|---|---|---|")
    rule = lambda r: rule_events(r, setting, a.merge_gap_s)  # noqa: E731
    print(row("withdrawal rule", tally(test, rule, resp), tally(rr, rule, None), resp))
    detectors = [("the rule", rule)]
    if a.forest_test:
        ft = forest_events(a.forest_test)
        fr = {}
        for p in a.forest_rr:
            fr.update(forest_events(p))
        have_rr = all(r["name"] in fr for r in rr)
        forest = lambda r, ev: merge(ev.get(r["name"], []), 0.0)  # noqa: E731
        both = lambda r, ev: merge(ev.get(r["name"], []) + rule(r), a.merge_gap_s)  # noqa: E731
        print(row("forest (its alarms recounted here)", tally(test, lambda r: forest(r, ft), resp),
                  tally(rr, lambda r: forest(r, fr), None) if have_rr else None, resp))
        print(row("forest or withdrawal rule", tally(test, lambda r: both(r, ft), resp),
                  tally(rr, lambda r: both(r, fr), None) if have_rr else None, resp))
        detectors += [("the forest", lambda r: forest(r, ft)), ("either", lambda r: both(r, ft))]
    if a.cohort:
        print()
        print(by_rise(test, detectors, json.load(open(a.cohort))))


if __name__ == "__main__":
    main()
