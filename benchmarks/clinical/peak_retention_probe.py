#!/usr/bin/env python3
"""Probe of a candidate feature for issue 13 (not in the program): does the share of the recent
peak heart-rate rise that is still there separate seizures from posture changes? In the generator
(tools/synth/life.cpp) and in physiology, standing up raises the heart rate for 10-20 s and it then
settles to 30-60 % of that peak, while an ictal tachycardia holds through the seizure.

From a features file of `ecgforest extract` (default profile; e.g. the clinical benchmark's
/tmp/ecgforest_clinical/run/features.h5), per window: drop = (max of hr_minus_baseline over the
last 60 windows of the recording) - hr_minus_baseline, retained = hr_minus_baseline / that max
(when the max is >= 5 bpm). Scores xgboost's random forest (100 trees, depth 8) by pooled
window-level ROC AUC of a 3-fold recording-grouped cross-validation (training on every second
window), with and without the two columns (sqi left out, as train does).

Usage: /usr/bin/python3 benchmarks/clinical/peak_retention_probe.py FEATURES.h5
"""
import sys

import h5py
import numpy as np
import xgboost as xgb
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.metrics import roc_auc_score


def causal_max(v, n):
    pad = np.concatenate([np.full(n - 1, -np.inf), np.where(np.isnan(v), -np.inf, v)])
    m = sliding_window_view(pad, n).max(axis=1)
    return np.where(np.isinf(m), np.nan, m)


def main(path):
    with h5py.File(path, "r") as f:
        x = f["windows/features"][...].astype(np.float64)
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]
        y = (f["windows/label"][...] > 0.5).astype(int)
        rec = f["windows/record"][...]
        t = f["windows/time_s"][...]
    d = x[:, names.index("hr_minus_baseline")]
    peak = np.full_like(d, np.nan)
    for r in np.unique(rec):
        idx = np.where(rec == r)[0]
        idx = idx[np.argsort(t[idx], kind="stable")]
        peak[idx] = causal_max(d[idx], 60)
    drop = peak - d
    retained = np.where(peak >= 5, d / np.where(peak >= 5, peak, 1.0), np.nan)
    recs = np.unique(rec)
    np.random.default_rng(0).shuffle(recs)
    fold = dict((r, i % 3) for i, r in enumerate(recs))
    fw = np.array([fold[r] for r in rec])
    train_rows = np.arange(len(y)) % 2 == 0
    base = np.delete(x, names.index("sqi"), 1)
    for label, m in [("without", base), ("with drop and retained", np.column_stack([base, drop, retained]))]:
        p = np.zeros(len(y))
        for k in range(3):
            tr, te = train_rows & (fw != k), fw == k
            clf = xgb.XGBRFClassifier(n_estimators=100, max_depth=8, subsample=0.632, colsample_bynode=0.2, n_jobs=2,
                                      tree_method="hist", random_state=0)
            clf.fit(m[tr].astype(np.float32), y[tr])
            p[te] = clf.predict_proba(m[te].astype(np.float32))[:, 1]
        print("peak_retention_probe: %s: pooled CV ROC AUC %.4f" % (label, roc_auc_score(y, p)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
