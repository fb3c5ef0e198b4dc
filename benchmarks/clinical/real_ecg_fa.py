#!/usr/bin/python3
"""Table of benchmarks/clinical/real_ecg_fa.sh: false alarms per record and condition.

Usage: real_ecg_fa.py MODEL WORK CONDITION...  (reads WORK/CONDITION/predictions/{score.json,predictions.h5})

Each cell is the record's false-alarm count and, in brackets, the highest smoothed probability of a
window the signal-quality gate lets through: how close the record came to an alarm.
"""
import json
import os
import sys

import h5py


def peaks(pred_dir):
    """Per recording name: the highest smoothed probability of an ungated window."""
    with h5py.File(os.path.join(pred_dir, "predictions.h5"), "r") as f:
        names = [p.decode() if isinstance(p, bytes) else p for p in f["records/patient"][:]]
        rec, sm, low = f["windows/record"][:], f["windows/smoothed"][:], f["windows/low_quality"][:]
    return {n: float(sm[(rec == i) & (low == 0)].max(initial=0.0)) for i, n in enumerate(names)}


def main():
    model, work, conds = sys.argv[1], sys.argv[2], sys.argv[3:]
    pred = {c: os.path.join(work, c, "predictions") for c in conds}
    scores = {c: json.load(open(os.path.join(pred[c], "score.json"))) for c in conds}
    pk = {c: peaks(pred[c]) for c in conds}
    recs = sorted(scores[conds[0]]["per_patient"])

    def cell(c, r):
        p = scores[c]["per_patient"].get(r)
        return "-" if p is None else f"{p['ovlp_false_alarms']} ({pk[c].get(r, 0.0):.2f})"

    pp = scores[conds[0]]["postprocess"]
    print(f"real_ecg_fa: false alarms of {model} on {len(recs)} MIT-BIH records (no seizures); in brackets the "
          f"highest smoothed probability of an ungated window (threshold {pp['threshold']:g}, "
          f"{pp['smoothing']} x{pp['smoothing_windows']}, min {pp['min_duration_s']:g} s, gap {pp['merge_gap_s']:g} s)")
    print("record  " + "".join(f"{c:>12}" for c in conds))
    for r in recs:
        print(f"{r:<8}" + "".join(f"{cell(c, r):>12}" for c in conds))
    print("hours   " + "".join(f"{scores[c]['total_hours']:>12.2f}" for c in conds))
    total = {c: sum(p["ovlp_false_alarms"] for p in scores[c]["per_patient"].values()) for c in conds}
    print("alarms  " + "".join(f"{total[c]:>12d}" for c in conds))
    print("FA/24h  " + "".join(f"{scores[c]['ovlp_fa_per_24h']:>12.1f}" for c in conds))


if __name__ == "__main__":
    main()
