#!/usr/bin/env python3
"""Probes of candidate features for issue 13 (not in the program), on a features file of
`ecgforest extract` (default profile; e.g. the clinical benchmark's
/tmp/ecgforest_clinical/run/features.h5). Each candidate is computed per window from existing
columns, causally within each recording, and scored by xgboost's random forest (100 trees, depth
8): pooled window-level ROC AUC of a 3-fold recording-grouped cross-validation (training on every
second window), without and with the candidate's columns (sqi left out, as train does).

Candidates:
  retention  standing up raises the heart rate for 10-20 s and it then settles to 30-60 % of that
             peak (tools/synth/life.cpp, and physiology), an ictal tachycardia holds: drop = (max
             of hr_minus_baseline over the last 60 windows) - hr_minus_baseline, retained =
             hr_minus_baseline / that max (when the max is >= 5 bpm).
  sleep      posture changes and walks happen awake, seizures also in sleep: hr_baseline minus its
             running minimum over the recording so far (NaN for the first 30 min).
  withdrawal the ictal vagal withdrawal held over time (the signal of withdrawal_probe.py's rule,
             handed to the forest with a fixed ratio, not the rule's chosen setting):
             rmssd_ratio_baseline's causal mean over the last 20 and 30 windows and its causal
             minimum over 30, and how many windows in a row (up to this one) have
             rmssd_ratio_baseline < 0.5 with hr_minus_baseline > 0.

Usage: /usr/bin/python3 benchmarks/clinical/feature_probe.py FEATURES.h5 [FOLD_SEED]  (default 0: which
recordings share a fold)
"""
import sys

import h5py
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def causal_max(v, n):
    pad = np.concatenate([np.full(n - 1, -np.inf), np.where(np.isnan(v), -np.inf, v)])
    m = sliding_window_view(pad, n).max(axis=1)
    return np.where(np.isinf(m), np.nan, m)


def causal_mean(v, n):
    """Mean of the last n values (NaN ignored; NaN when all are)."""
    ok = ~np.isnan(v)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, v, 0.0))])
    k = np.concatenate([[0], np.cumsum(ok)])
    i = np.arange(1, v.size + 1)
    lo = np.maximum(i - n, 0)
    cnt = k[i] - k[lo]
    return np.where(cnt > 0, (c[i] - c[lo]) / np.maximum(cnt, 1), np.nan)


def run_length(cond):
    """Windows in a row up to and including each one where cond holds (0 where it does not)."""
    out = np.zeros(cond.size)
    n = 0
    for j, c in enumerate(cond):
        n = n + 1 if c else 0
        out[j] = n
    return out


def withdrawal_columns(x, names, order):
    ratio = x[:, names.index("rmssd_ratio_baseline")]
    rise = x[:, names.index("hr_minus_baseline")]
    cols = np.full((len(ratio), 4), np.nan)
    for idx in order:
        r = ratio[idx]
        cols[idx, 0], cols[idx, 1] = causal_mean(r, 20), causal_mean(r, 30)
        cols[idx, 2] = -causal_max(-r, 30)
        cols[idx, 3] = run_length((r < 0.5) & (rise[idx] > 0))
    return cols


def main(path, fold_seed=0):
    import xgboost as xgb  # here, not at the top: the test of the candidates' columns needs neither
    from sklearn.metrics import roc_auc_score
    with h5py.File(path, "r") as f:
        x = f["windows/features"][...].astype(np.float64)
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]
        y = (f["windows/label"][...] > 0.5).astype(int)
        rec = f["windows/record"][...]
        t = f["windows/time_s"][...]
    order = [np.where(rec == r)[0] for r in np.unique(rec)]
    order = [idx[np.argsort(t[idx], kind="stable")] for idx in order]
    d = x[:, names.index("hr_minus_baseline")]
    peak = np.full_like(d, np.nan)
    for idx in order:
        peak[idx] = causal_max(d[idx], 60)
    drop = peak - d
    retained = np.where(peak >= 5, d / np.where(peak >= 5, peak, 1.0), np.nan)
    hrb = x[:, names.index("hr_baseline")]
    above_min = np.full_like(hrb, np.nan)
    for idx in order:
        v = hrb[idx]
        run_min = np.minimum.accumulate(np.where(np.isnan(v), np.inf, v))
        out = np.where(np.isinf(run_min), np.nan, v - run_min)
        out[:1800] = np.nan
        above_min[idx] = out
    recs = np.unique(rec)
    np.random.default_rng(fold_seed).shuffle(recs)
    fold = dict((r, i % 3) for i, r in enumerate(recs))
    fw = np.array([fold[r] for r in rec])
    train_rows = np.arange(len(y)) % 2 == 0
    base = np.delete(x, names.index("sqi"), 1)
    variants = [("without", base), ("retention (drop, retained)", np.column_stack([base, drop, retained])),
                ("sleep (baseline above its running minimum)", np.column_stack([base, above_min])),
                ("withdrawal (RMSSD ratio mean 20/30, min 30, withdrawn run length)",
                 np.column_stack([base, withdrawal_columns(x, names, order)]))]
    for label, m in variants:
        p = np.zeros(len(y))
        for k in range(3):
            tr, te = train_rows & (fw != k), fw == k
            clf = xgb.XGBRFClassifier(n_estimators=100, max_depth=8, subsample=0.632, colsample_bynode=0.2, n_jobs=2,
                                      tree_method="hist", random_state=0)
            clf.fit(m[tr].astype(np.float32), y[tr])
            p[te] = clf.predict_proba(m[te].astype(np.float32))[:, 1]
        print("feature_probe: %s: pooled CV ROC AUC %.4f" % (label, roc_auc_score(y, p)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
