#!/usr/bin/python3
"""Load an ecgforest model file (model.h5) and predict with numpy + h5py only.

    import ecgforest_model
    m = ecgforest_model.load("model.h5")
    p = m.predict_proba(x)            # x: float array [n, len(m.feature_names)], NaN allowed
    p = m.predict_features("features.h5")   # columns picked by name from /windows/features

Command line:
    /usr/bin/python3 tools/ecgforest_model.py MODEL.h5 FEATURES.h5 [OUT.npy]
prints a summary and the first probabilities (and saves all of them as float32 to OUT.npy).

Split rule (the same as the C++ Tree::predict): go left when x <= threshold, or when x is NaN and
nan_left; leaves have left = -1 and value = P(seizure). The forest probability is the mean of
the trees' leaf values, summed in float64 in tree order and rounded to float32 at the end.
Gradient-boosted models (attribute learner = "boosted") hold leaf margins instead: P(seizure) =
1 / (1 + exp(-(boost_base_margin + the sum of the leaf values))), in float64, rounded at the end
(equal to the C++ value within one float32 step: numpy's exp is not the C library's).
"""
import json
import sys

import h5py
import numpy as np

FORMAT = "ecgforest-model/1"


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


class Model:
    def __init__(self, path):
        with h5py.File(path, "r") as f:
            fmt = _text(f.attrs.get("format", ""))
            if fmt != FORMAT:
                raise ValueError("%s is not an ecgforest model file (format %r, expected %r)" % (path, fmt, FORMAT))
            self.feature_names = [_text(s) for s in f.attrs["feature_names"]]
            self.offsets = f["/trees/offsets"][...].astype(np.int64)
            self.feature = f["/trees/feature"][...]
            self.threshold = f["/trees/threshold"][...]
            self.nan_left = f["/trees/nan_left"][...].astype(bool)
            self.left = f["/trees/left"][...]
            self.right = f["/trees/right"][...]
            self.value = f["/trees/value"][...]
            self.metrics = json.loads(_text(f.attrs.get("metrics", "{}")) or "{}")
            self.config = _text(f.attrs.get("config", ""))
            self.version = _text(f.attrs.get("version", ""))
            self.boosted = _text(f.attrs.get("learner", "forest")) == "boosted"
            self.base_margin = float(f.attrs["boost_base_margin"]) if self.boosted else None
        self.n_trees = len(self.offsets) - 1

    def tree_predict(self, t, x):
        """Leaf values of tree t for the rows of x (float32 [n, F])."""
        b = self.offsets[t]
        e = self.offsets[t + 1]
        feat, thr, nl = self.feature[b:e], self.threshold[b:e], self.nan_left[b:e]
        left, right, val = self.left[b:e], self.right[b:e], self.value[b:e]
        node = np.zeros(x.shape[0], dtype=np.int64)
        rows = np.arange(x.shape[0])
        active = left[node] >= 0
        while active.any():
            idx = rows[active]
            n = node[idx]
            v = x[idx, feat[n]]
            go_left = np.where(np.isnan(v), nl[n], v <= thr[n])
            node[idx] = np.where(go_left, left[n], right[n])
            active[idx] = left[node[idx]] >= 0
        return val[node]

    def predict_proba(self, x):
        """P(seizure) per row of x (float32 [n, F] in the model's feature order)."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise ValueError("expected an array [n, %d], got shape %s" % (len(self.feature_names), x.shape))
        s = np.zeros(x.shape[0], dtype=np.float64)
        for t in range(self.n_trees):
            s += self.tree_predict(t, x).astype(np.float64)
        if self.boosted:
            return (1.0 / (1.0 + np.exp(-(self.base_margin + s)))).astype(np.float32)
        return (s * (1.0 / self.n_trees)).astype(np.float32)

    def predict_features(self, path):
        """P(seizure) per window of an ecgforest features file (columns matched by name)."""
        with h5py.File(path, "r") as f:
            d = f["/windows/features"]
            cols = [_text(c) for c in d.attrs["columns"]]
            missing = [c for c in self.feature_names if c not in cols]
            if missing:
                raise ValueError("%s lacks the model's columns: %s" % (path, ", ".join(missing)))
            x = d[...][:, [cols.index(c) for c in self.feature_names]]
        return self.predict_proba(x)

    def summary(self):
        nodes = len(self.feature)
        leaves = int((self.left < 0).sum())
        return "ecgforest model %s: %d %strees, %d nodes, %d leaves, %d features" % (
            self.version, self.n_trees, "boosted " if self.boosted else "", nodes, leaves, len(self.feature_names))


def load(path):
    return Model(path)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    m = load(sys.argv[1])
    p = m.predict_features(sys.argv[2])
    print(m.summary())
    print("first probabilities:", p[:5])
    if len(sys.argv) > 3:
        np.save(sys.argv[3], p)
