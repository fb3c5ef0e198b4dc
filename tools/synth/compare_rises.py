#!/usr/bin/python3
"""Beat-to-beat variability during heart-rate rises: synthetic against real daily life.

    /usr/bin/python3 tools/synth/compare_rises.py SYNTH_FEATURES.h5 REAL_FEATURES.h5 [--label 0|1]

Both files are `ecgforest extract` outputs, e.g. of a seizure-free synthetic cohort
(`ecgforest-synth ... --format beats --seizure-rate 0`) and of ../shared/data/rr_daily/beats.
For the windows 10-20, 20-30 and 30-45 bpm above the recording's own baseline
(`hr_minus_baseline`) prints the median of each cardiac feature in both files, side by side.
--label 0 keeps the synthetic windows labelled 0 (not a seizure), --label 1 those labelled 1 (in a
seizure), for a cohort with seizures (e.g. benchmarks/clinical/run.sh's WORK/run/features.h5).
"""
import sys

import h5py
import numpy as np

FEATURES = ["hr_rise_time_s", "hr_rise_30s", "hr_slope_100f", "rmssd", "sd1", "sd2", "vlf", "lf", "hf",
            "csi100", "modcsi100f", "sampen"]
BINS = [(10, 20), (20, 30), (30, 45)]


def load(path, label):
    with h5py.File(path, "r") as f:
        cols = [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]
        x = f["windows/features"][...]
        keep = np.ones(len(x), bool)
        if label is not None:
            if "label" not in f["windows"]:
                sys.exit(f"compare_rises: {path} has no window labels; --label needs a labelled features file")
            keep = (f["windows/label"][...] >= 0.5) == (label == 1)
    return x[keep], cols


def main():
    args, label = sys.argv[1:], None
    if "--label" in args:
        i = args.index("--label")
        if i + 1 >= len(args) or args[i + 1] not in ("0", "1"):
            sys.exit("compare_rises: --label takes 0 or 1")
        label = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    a, ca = load(args[0], label)
    b, cb = load(args[1], None)
    rise_a, rise_b = a[:, ca.index("hr_minus_baseline")], b[:, cb.index("hr_minus_baseline")]
    print(f"| feature (median) | " + " | ".join(f"{lo}-{hi} bpm: synthetic | real" for lo, hi in BINS) + " |")
    print("|---|" + "---:|---:|" * len(BINS))
    counts = []
    for lo, hi in BINS:
        ma, mb = (rise_a > lo) & (rise_a <= hi), (rise_b > lo) & (rise_b <= hi)
        counts += [str(int(ma.sum())), str(int(mb.sum()))]
    print("| windows | " + " | ".join(counts) + " |")
    for n in FEATURES:
        cells = []
        for lo, hi in BINS:
            ma, mb = (rise_a > lo) & (rise_a <= hi), (rise_b > lo) & (rise_b <= hi)
            cells += [f"{np.nanmedian(a[ma, ca.index(n)]):.1f}", f"{np.nanmedian(b[mb, cb.index(n)]):.1f}"]
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
