#!/usr/bin/env python3
"""Probe for issue 13 (not in the program): does leaving the post-ictal windows out of training
help? After a seizure the synthetic (and real) heart rate stays up for 30-120 s while the windows
are labelled negative, which might teach the forest that a held tachycardia is not a seizure.

On a features file of `ecgforest extract` (e.g. the clinical benchmark's
/tmp/ecgforest_clinical/run/features.h5), xgboost's random forest (100 trees, depth 8) in a 3-fold
recording-grouped cross-validation (training on every second window, sqi left out as train does)
is trained without the negative windows ending within G s after a seizure's end, for G = 0, 60,
120, 300, and every window is scored. Printed per G: pooled window ROC AUC over all windows and
over all but the 300 s after seizures, and how many seizures reach a peak probability above
99.9 % / 99.99 % of the negative windows farther than 300 s from a seizure's end.

Usage: /usr/bin/python3 benchmarks/clinical/postictal_probe.py FEATURES.h5 [FOLD_SEED]
"""
import sys

import h5py
import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score


def seconds_since_seizure_end(rec, t, ref_rec, ref_start, ref_stop):
    since = np.full(len(t), np.inf)
    for r, stop in zip(ref_rec, ref_stop):
        m = (rec == r) & (t > stop)
        since[m] = np.minimum(since[m], t[m] - stop)
    return since


def main(path, fold_seed=0):
    with h5py.File(path, "r") as f:
        x = f["windows/features"][...].astype(np.float32)
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]
        y = (f["windows/label"][...] >= 0.5).astype(int)
        rec, t = f["windows/record"][...], f["windows/time_s"][...]
        ref = [f["reference/" + k][...] for k in ("record", "start_s", "stop_s")]
    since = seconds_since_seizure_end(rec, t, *ref)
    x = np.delete(x, names.index("sqi"), 1)
    recs = np.unique(rec)
    np.random.default_rng(fold_seed).shuffle(recs)
    fold = dict((r, i % 3) for i, r in enumerate(recs))
    fw = np.array([fold[r] for r in rec])
    half = np.arange(len(y)) % 2 == 0
    far_negative = (y == 0) & (since > 300)
    for guard in (0, 60, 120, 300):
        excluded = (y == 0) & (since <= guard)
        p = np.zeros(len(y))
        for k in range(3):
            tr, te = half & (fw != k) & ~excluded, fw == k
            clf = xgb.XGBRFClassifier(n_estimators=100, max_depth=8, subsample=0.632, colsample_bynode=0.2, n_jobs=2,
                                      tree_method="hist", random_state=0)
            clf.fit(x[tr], y[tr])
            p[te] = clf.predict_proba(x[te])[:, 1]
        clean = ~((y == 0) & (since <= 300))
        negatives = np.sort(p[far_negative])
        peaks = np.array([p[(rec == r) & (t > s + 10) & (t <= e)].max() for r, s, e in zip(*ref)
                          if ((rec == r) & (t > s + 10) & (t <= e)).any()])
        above = 1 - np.searchsorted(negatives, peaks, side="left") / len(negatives)
        print(f"postictal_probe: guard {guard:3d} s ({excluded.sum()} windows left out of training): "
              f"ROC AUC all {roc_auc_score(y, p):.4f}, without the 300 s after seizures "
              f"{roc_auc_score(y[clean], p[clean]):.4f}; seizures peaking above 99.9 % / 99.99 % of far "
              f"negatives {(above < 1e-3).sum()}/{len(peaks)} / {(above < 1e-4).sum()}/{len(peaks)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
