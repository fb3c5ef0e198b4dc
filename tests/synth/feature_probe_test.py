#!/usr/bin/env python3
"""The withdrawal candidate of benchmarks/clinical/feature_probe.py on hand-made columns.

Helpers first, on 6 windows with 2-window spans: rmssd_ratio_baseline 1, NaN, 0.4, 0.3, 0.6, 0.2:
mean of the last 2 (NaN ignored) 1, 1, 0.4, 0.35, 0.45, 0.4; minimum 1, 1, 0.4, 0.3, 0.3, 0.2.
Then the probe's columns (spans 20 and 30) on 35 windows of one recording, rows given in reverse
time order (the probe sorts each recording by time): ratio 1 except 0.05 at t = 10 and, from
t = 25 on, 0.4, 0.3, NaN, 0.2, 0.45, 0.6, 0.1, 0.35, 0.5, 0.25; hr_minus_baseline 5 except -1 at
t = 33. At t = 34 by hand: mean over t = 15..34 = (10 x 1 + 3.15) / 19 (the NaN left out) =
0.692105; over t = 5..34 = (19 x 1 + 0.05 + 3.15) / 29 = 0.765517; minimum over t = 5..34 0.05
(over 20 windows it would be 0.1); withdrawn (ratio < 0.5 and rise > 0) at t = 25, 26, 28, 29,
31, 32, 34 and at t = 10 -> run lengths 1 at t = 10, 2 at t = 29 and 32, 0 at t = 33, 1 at t = 34.
Usage: feature_probe_test.py SOURCE_DIR
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], "benchmarks", "clinical"))
import feature_probe as fp  # noqa: E402


def main():
    ratio6 = np.array([1.0, np.nan, 0.4, 0.3, 0.6, 0.2])
    assert np.allclose(fp.causal_mean(ratio6, 2), [1, 1, 0.4, 0.35, 0.45, 0.4])
    assert np.allclose(-fp.causal_max(-ratio6, 2), [1, 1, 0.4, 0.3, 0.3, 0.2])

    ratio = np.ones(35)
    ratio[10] = 0.05
    ratio[25:] = [0.4, 0.3, np.nan, 0.2, 0.45, 0.6, 0.1, 0.35, 0.5, 0.25]
    rise = np.full(35, 5.0)
    rise[33] = -1.0
    x = np.column_stack([ratio, rise])[::-1]  # rows in reverse time order
    order = [np.arange(35)[::-1]]             # the probe's per-recording time order
    cols = fp.withdrawal_columns(x, ["rmssd_ratio_baseline", "hr_minus_baseline"], order)[::-1]
    assert np.allclose(cols[34, :3], [13.15 / 19, 22.2 / 29, 0.05]), cols[34]
    assert [cols[t, 3] for t in (10, 11, 29, 30, 32, 33, 34)] == [1, 0, 2, 0, 2, 0, 1], cols[:, 3]
    print("feature_probe_test: the withdrawal columns as computed by hand")


if __name__ == "__main__":
    main()
