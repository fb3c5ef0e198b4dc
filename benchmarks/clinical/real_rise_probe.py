#!/usr/bin/python3
"""Why a model trained on a synthetic cohort alarms on real daily life: feature medians of the
real windows it scores high, against the training cohort's windows.

    /usr/bin/python3 benchmarks/clinical/real_rise_probe.py MODEL.h5 TRAIN_FEATURES.h5 REAL_FEATURES.h5 [THRESHOLD]

MODEL.h5 and TRAIN_FEATURES.h5: a `run` output (e.g. run.sh's WORK/run/model.h5 and features.h5);
REAL_FEATURES.h5: `ecgforest extract --input ../shared/data/rr_daily/beats --output F` (no
seizures; windows unlabelled). THRESHOLD (default: the model's stored post-processing threshold)
marks the real windows the model scores high (before smoothing). Prints (1) medians of the cardiac
features over the high-scored real windows, all real windows and the training negatives and
positives, and (2) the same over windows whose heart rate is more than 20 bpm above the
recording's baseline, so that rises are compared with rises. Diagnostic only: nothing is chosen
from it.
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import ecgforest_model  # noqa: E402

FEATURES = ["hr_baseline", "hr_minus_baseline", "mean_hr", "hr_slope_20s", "hr_rise_30s", "tachy_onset",
            "vlf", "lf", "hf", "sdnn", "rmssd", "csi100", "modcsi100f"]


def columns(f):
    return [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    model = ecgforest_model.load(sys.argv[1])
    with h5py.File(sys.argv[1], "r") as m:
        thr = float(sys.argv[4]) if len(sys.argv) > 4 else float(m.attrs["postprocess_threshold"])
    with h5py.File(sys.argv[2], "r") as t, h5py.File(sys.argv[3], "r") as r:
        xt, yt, ct = t["windows/features"][...], t["windows/label"][...], columns(t)
        xr, cr = r["windows/features"][...], columns(r)
    p = model.predict_features(sys.argv[3])
    high = p >= thr
    print(f"real_rise_probe: {len(p)} real windows, {int(high.sum())} scored >= {thr:g} by {sys.argv[1]}")
    neg, pos = yt < 0.5, yt >= 0.5

    def table(title, real_mask, train_mask):
        print(title)
        print(f"  {'feature':20s} {'real high':>10s} {'real all':>10s} {'train neg':>10s} {'train pos':>10s}")
        for n in FEATURES:
            a, b = xr[:, cr.index(n)], xt[:, ct.index(n)]
            cells = [np.nanmedian(a[real_mask & high]), np.nanmedian(a[real_mask]),
                     np.nanmedian(b[train_mask & neg]), np.nanmedian(b[train_mask & pos])]
            print(f"  {n:20s} " + " ".join(f"{c:10.2f}" for c in cells))

    table("medians over all windows:", np.ones(len(p), bool), np.ones(len(yt), bool))
    table("medians over windows more than 20 bpm above the recording's baseline:",
          xr[:, cr.index("hr_minus_baseline")] > 20, xt[:, ct.index("hr_minus_baseline")] > 20)


if __name__ == "__main__":
    main()
