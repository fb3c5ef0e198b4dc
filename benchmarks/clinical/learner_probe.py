#!/usr/bin/env python3
"""Learner probe for issue 13 (what would move the clinical targets; nothing here is in the
program). Compares, on patients none of them trained on, the program's random forest with
gradient-boosted trees (xgboost) trained on the same feature windows, by event-level
sensitivity within false-alarm budgets (0.5/1/2/5 per 24 h): the trade-off curve (an FROC) of one
post-processing (causal mean over 10 windows, merge gap 30 s, minimum duration 10 s; the threshold
swept) on the dev cohort. Every learner gets the same sweep, so the comparison does not depend on
an operating point; the program's own CV choice is not used here. Events here run from the first
to the last window end at or above the threshold (the program starts them one step earlier, so
the minimum duration and merge gap here are about one window stricter), overlaps count their end
points, and the signal-quality gate (postprocess.min_sqi) is not applied: the same for every
learner, not the program's exact scoring.

Run by benchmarks/clinical/learner_probe.sh, which generates the cohorts (a training cohort and
a dev cohort of other patients), trains the forest
with `ecgforest run` (default settings) and predicts the dev cohort with it. With its default
seed the cohorts are other patients than those of benchmarks/clinical/run.sh.

Besides all seizures it counts those of responder patients, those whose generated ictal rise is
10-20 bpm and those whose rise is >= 20 bpm (the dev cohort's cohort.json: the generator's truth,
not a measured rise).

Last, the shape of the rise: standing up overshoots and settles within a minute, an ictal
tachycardia holds. xgboost's random forest (100 trees, depth 10, min child weight 20) without and
with three causal columns from hr_minus_baseline: its minimum over the last 30 windows (the rise
has held), its maximum over the last 90 windows minus the current value (settled from a peak),
and the current value over that maximum (when the maximum is >= 5 bpm).

Usage: learner_probe.py TRAIN_FEATURES.h5 DEV_FEATURES.h5 DEV_PREDICTIONS.h5 DEV_COHORT.json [N_TRAIN_PATIENTS...]
  N_TRAIN_PATIENTS: also train the boosted learner on only the first N training recordings
  (one patient each), for its learning curve.
"""
import json
import sys

import h5py
import numpy as np
import xgboost as xgb
from numpy.lib.stride_tricks import sliding_window_view

SMOOTH, GAP_S, MIN_DUR_S = 10, 30.0, 10.0
BUDGETS = (0.5, 1.0, 2.0, 5.0)


def read_features(path):
    with h5py.File(path, "r") as f:
        x = f["windows/features"][...].astype(np.float32)
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in f["windows/features"].attrs["columns"]]
        out = {"x": np.delete(x, names.index("sqi"), 1), "names": [n for n in names if n != "sqi"], "y": (f["windows/label"][...] > 0.5).astype(int),
               "rec": f["windows/record"][...], "t": f["windows/time_s"][...],
               "paths": [p.decode() if isinstance(p, bytes) else str(p) for p in f["records"]["path"]],
               "ref": [(int(r), a, b) for r, a, b in zip(f["reference/record"][...], f["reference/start_s"][...],
                                                        f["reference/stop_s"][...])],
               "hours": float(f["records"]["duration_s"].sum()) / 3600.0}
    return out


def forest_probabilities(pred_path, dev):
    """The program's window probabilities, aligned to the dev features' rows by (path, time)."""
    with h5py.File(pred_path, "r") as f:
        p = f["windows/probability"][...]
        rec = f["windows/record"][...]
        t = f["windows/time_s"][...]
        paths = [s.decode() if isinstance(s, bytes) else str(s) for s in f["records/path"][...]]
    key = {(paths[r], round(float(tt), 3)): i for i, (r, tt) in enumerate(zip(rec, t))}
    idx = np.array([key[(dev["paths"][r], round(float(tt), 3))] for r, tt in zip(dev["rec"], dev["t"])])
    return p[idx].astype(np.float64)


def recordings(d):
    """(record, its window rows in time order) for every recording of d."""
    for r in np.unique(d["rec"]):
        idx = np.where(d["rec"] == r)[0]
        yield r, idx[np.argsort(d["t"][idx], kind="stable")]


def smoothed(p, dev):
    """Per recording (time order): its window times and the causal mean over SMOOTH windows."""
    out = []
    for r, idx in recordings(dev):
        v = np.nan_to_num(p[idx], nan=0.0)
        c = np.concatenate([[0.0], np.cumsum(v)])
        k = np.arange(1, len(v) + 1)
        lo = np.maximum(0, k - SMOOTH)
        out.append((r, dev["t"][idx], (c[k] - c[lo]) / (k - lo)))
    return out


def events(curves, thr):
    """Runs of the smoothed probability >= thr, merged across gaps < GAP_S, kept when at least
    MIN_DUR_S long: [(rec, start, stop)]."""
    out = []
    for r, tt, s in curves:
        on = np.concatenate([[False], s >= thr, [False]])
        starts = np.where(~on[:-1] & on[1:])[0]
        ends = np.where(on[:-1] & ~on[1:])[0] - 1
        runs = []
        for i, j in zip(starts, ends):
            if runs and tt[i] - runs[-1][1] < GAP_S:
                runs[-1][1] = tt[j]
            else:
                runs.append([tt[i], tt[j]])
        out += [(r, a, b) for a, b in runs if b - a >= MIN_DUR_S]
    return out


def seizure_groups(dev, cohort_path):
    """Per reference seizure of dev: (responder patient, generated rise 10-20 bpm, rise >= 20 bpm),
    from cohort.json."""
    cohort = json.load(open(cohort_path))
    truth = {}
    for rec in cohort["recordings"]:
        for sz in rec["seizures"]:
            rise = sz["hr_rise_bpm"] if sz["hr_change"] else 0.0
            truth[(rec["path"], round(sz["start_s"], 2))] = (rec["responder_patient"], 10 <= rise < 20, rise >= 20)
    groups = []
    for r, a, _ in dev["ref"]:
        key = [k for k in truth if dev["paths"][r].endswith(k[0]) and abs(k[1] - a) < 0.01]
        if len(key) != 1:
            sys.exit(f"learner_probe: seizure at {a} s of {dev['paths'][r]} is not in {cohort_path}")
        groups.append(truth[key[0]])
    return np.array(groups, dtype=bool)


def froc(p, dev, groups):
    """Over a sweep of thresholds, the most seizures overlapped within each FA/24h budget: (all,
    then per column of groups, FA/24h) at the threshold with most of all."""
    curves = smoothed(p, dev)
    best = {b: (0,) * (1 + groups.shape[1]) + (None,) for b in BUDGETS}
    all_s = np.concatenate([s for _, _, s in curves])
    for thr in np.unique(np.quantile(all_s, np.linspace(0.98, 0.99999, 300))):
        ev = events(curves, thr)
        fa = sum(1 for r, a, b in ev if not any(r == rr and a <= b1 and b >= a1 for rr, a1, b1 in dev["ref"]))
        hit = np.array([any(r == rr and a <= b1 and b >= a1 for r, a, b in ev) for rr, a1, b1 in dev["ref"]])
        rate = 24.0 * fa / dev["hours"]
        for b in BUDGETS:
            if rate <= b and hit.sum() > best[b][0]:
                best[b] = (int(hit.sum()),) + tuple(int((hit & g).sum()) for g in groups.T) + (rate,)
    return best


def boosted(train, rows):
    clf = xgb.XGBClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, subsample=0.8, colsample_bytree=0.8,
                            n_jobs=2, tree_method="hist", random_state=0)
    clf.fit(train["x"][rows], train["y"][rows])
    return clf


def report(label, best, groups):
    n = [len(groups)] + [int(g.sum()) for g in groups.T]
    cells = "; ".join(f"<= {b:g}/24h: {v[0]}/{n[0]}, responders {v[1]}/{n[1]}, rise 10-20 {v[2]}/{n[2]}, "
                      f">= 20 {v[3]}/{n[3]}" + (f" (at {v[4]:.2f})" if v[4] is not None else "")
                      for b, v in best.items())
    print(f"learner_probe: {label}: {cells}", flush=True)


def causal(v, n, reduce, fill):
    pad = np.concatenate([np.full(n - 1, fill), np.where(np.isnan(v), fill, v)])
    out = reduce(sliding_window_view(pad, n), axis=1)
    return np.where(np.isinf(out), np.nan, out)


def shape_columns(d):
    """hold (min over 30 windows), settled (max over 90 windows - now), retained (now / that max)."""
    h = d["x"][:, d["names"].index("hr_minus_baseline")]
    out = np.full((len(h), 3), np.nan)
    for _, idx in recordings(d):
        v = h[idx]
        peak = causal(v, 90, np.max, -np.inf)
        out[idx, 0] = causal(v, 30, np.min, np.inf)
        out[idx, 1] = peak - v
        out[idx, 2] = np.where(peak >= 5, v / np.where(peak >= 5, peak, 1.0), np.nan)
    return out


def main(train_path, dev_path, pred_path, cohort_path, sizes):
    train, dev = read_features(train_path), read_features(dev_path)
    groups = seizure_groups(dev, cohort_path)
    n_ref = len(dev["ref"])
    print(f"learner_probe: dev cohort {len(dev['paths'])} recordings, {dev['hours']:.1f} h, {n_ref} seizures; "
          f"post-processing mean x{SMOOTH}, gap {GAP_S:g} s, min {MIN_DUR_S:g} s; sensitivity at FA/24h <= budget "
          f"(achieved rate)", flush=True)
    report(f"program forest (default settings, {len(train['paths'])} training patients)",
           froc(forest_probabilities(pred_path, dev), dev, groups), groups)
    every_row = np.ones(len(train["y"]), dtype=bool)
    for n in sorted(set(k for k in sizes if 0 < k < len(train["paths"]))) + [None]:
        rows = every_row if n is None else train["rec"] < n
        clf = boosted(train, rows)
        p = clf.predict_proba(dev["x"])[:, 1].astype(np.float64)
        report(f"gradient-boosted trees (xgboost, 300 x depth 4, {n or len(train['paths'])} training patients)",
               froc(p, dev, groups), groups)
    for label, extra in (("without", False), ("with the shape columns", True)):
        xt = np.column_stack([train["x"], shape_columns(train)]) if extra else train["x"]
        xd = np.column_stack([dev["x"], shape_columns(dev)]) if extra else dev["x"]
        clf = xgb.XGBRFClassifier(n_estimators=100, max_depth=10, min_child_weight=20, subsample=0.632,
                                  colsample_bynode=0.2, n_jobs=2, tree_method="hist", random_state=0)
        clf.fit(xt, train["y"])
        report(f"xgboost random forest, {label}", froc(clf.predict_proba(xd)[:, 1].astype(np.float64), dev, groups),
               groups)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], [int(s) for s in sys.argv[5:]])
