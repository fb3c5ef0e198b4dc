#!/usr/bin/env python3
"""The withdrawal candidate of benchmarks/clinical/feature_probe.py on hand-made columns.

One recording, windows in time order, given in reverse row order (the probe sorts each recording
by time): rmssd_ratio_baseline 1, NaN, 0.4, 0.3, 0.6, 0.2 and hr_minus_baseline 0, 5, 5, 5, 5, -1.
By hand, per window in time order: mean of the last 2 ratios (NaN ignored) 1, 1, 0.4, 0.35, 0.45,
0.4; minimum of the last 2 ratios 1, 1, 0.4, 0.3, 0.3, 0.2; withdrawn (ratio < 0.5 and rise > 0)
no, no, yes, yes, no, no (the last: no rise) -> run lengths 0, 0, 1, 2, 0, 0.
The probe's columns use 20 and 30 windows, so over these 6 they are running means and minima:
at the 4th window mean (1 + 0.4 + 0.3) / 3, at the 5th (1 + 0.4 + 0.3 + 0.6) / 4, minimum 0.2 at
the 6th. The helpers themselves are also called with 2 windows.
Usage: feature_probe_test.py SOURCE_DIR
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], "benchmarks", "clinical"))
import feature_probe as fp  # noqa: E402


def main():
    ratio = np.array([1.0, np.nan, 0.4, 0.3, 0.6, 0.2])
    rise = np.array([0.0, 5, 5, 5, 5, -1])
    assert np.allclose(fp.causal_mean(ratio, 2), [1, 1, 0.4, 0.35, 0.45, 0.4])
    assert np.allclose(-fp.causal_max(-ratio, 2), [1, 1, 0.4, 0.3, 0.3, 0.2])
    x = np.column_stack([ratio, rise])[::-1]  # rows in reverse time order
    order = [np.arange(6)[::-1]]              # the probe's per-recording time order
    cols = fp.withdrawal_columns(x, ["rmssd_ratio_baseline", "hr_minus_baseline"], order)[::-1]
    assert np.array_equal(cols[:, 3], [0, 0, 1, 2, 0, 0]), cols[:, 3]
    assert np.isclose(cols[3, 0], np.mean([1.0, 0.4, 0.3])) and np.isclose(cols[5, 2], 0.2), cols
    assert np.isclose(cols[0, 1], 1.0) and np.isclose(cols[4, 1], np.mean([1.0, 0.4, 0.3, 0.6])), cols
    print("feature_probe_test: the withdrawal columns as computed by hand")


if __name__ == "__main__":
    main()
