#!/usr/bin/env python3
"""Hand rules on the heart rate against the forest (issue 13): how far does heart rate alone go?

    /usr/bin/python3 benchmarks/clinical/rules.py WORK/run/features.h5

Reads a features file of the default profile (e.g. the training cohort of
benchmarks/clinical/run.sh) and scores, against its reference seizures (NEDC OVLP: an event that
overlaps a seizure detects it, any other event is a false alarm), the rule family

    alarm while hr_minus_baseline >= L bpm for the last 30 windows (30 s at 1-s steps), and the
    current rise reached L within S s of starting (hr_minus_baseline crossing 5 bpm)

for L in 12, 15, 20, 25, 30 bpm and S in 15, 30, 60 s or any. Everything is causal (past windows
only), so these are detectors the program could run; they use no training at all, so their figures
on a cohort are what the heart-rate level and rise speed separate by themselves. Needs numpy, h5py.
"""
import sys

import h5py
import numpy as np


def load(path):
    with h5py.File(path, "r") as f:
        cols = [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]
        hmb = f["windows/features"][:, cols.index("hr_minus_baseline")].astype(np.float64)
        rec = f["windows/record"][()]
        t = f["windows/time_s"][()]
        hours = float(f["records"]["duration_s"].sum()) / 3600.0
        refs = list(zip(f["reference/record"][()].tolist(), f["reference/start_s"][()], f["reference/stop_s"][()]))
    return hmb, rec, t, hours, refs


def rule_windows(hmb, rec, t, level, max_rise_s, hold=30):
    """1 where the rule fires at a window end, else 0 (per recording, past windows only)."""
    fire = np.zeros(len(hmb), dtype=bool)
    start = reach = None
    run = 0
    for i in range(len(hmb)):
        if i == 0 or rec[i] != rec[i - 1]:
            start = reach = None
            run = 0
        v = hmb[i]
        if not np.isfinite(v) or v <= 5.0:
            start = reach = None
            run = 0
            continue
        if start is None:
            start = t[i]
        if reach is None and v >= level:
            reach = t[i]
        run = run + 1 if v >= level else 0
        fire[i] = run >= hold and reach is not None and reach - start <= max_rise_s
    return fire


def events(fire, rec, t, window_s=10.0, gap_s=60.0):
    out = []
    for i in np.flatnonzero(fire):
        a, b = t[i] - window_s, t[i]
        if out and out[-1][0] == rec[i] and a <= out[-1][2] + gap_s:
            out[-1][2] = b
        else:
            out.append([rec[i], a, b])
    return out


def score(ev, refs, hours):
    hit, fa = set(), 0
    for r, a, b in ev:
        ov = [k for k, (rr, x, y) in enumerate(refs) if rr == r and a < y and b > x]
        hit.update(ov)
        fa += 0 if ov else 1
    return len(hit), fa / hours * 24.0


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    hmb, rec, t, hours, refs = load(sys.argv[1])
    print(f"rules: {len(refs)} reference seizures, {hours:.1f} h")
    print("| L (bpm) | rise within S | detected | FA/24h |\n|---|---|---|---|")
    for level in (12, 15, 20, 25, 30):
        for s in (15, 30, 60, float("inf")):
            det, fa = score(events(rule_windows(hmb, rec, t, level, s), rec, t), refs, hours)
            print(f"| {level} | {'any' if s == float('inf') else f'{s:g} s'} | {det}/{len(refs)} | {fa:.1f} |")


if __name__ == "__main__":
    main()
