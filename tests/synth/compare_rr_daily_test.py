#!/usr/bin/env python3
"""Rise counting of tools/synth/compare_rr_daily.py on hand-made heart-rate courses.

A: 60 bpm for 10 min, a step to 95 bpm held 60 s, back to 60: one rise of >= 10, 20 and 30 bpm,
   and it is fast (30 s before its first bin >= 30 the excess was 0).
B: the same but a linear ramp from 60 to 95 bpm over 120 s: one rise of >= 30 bpm, not fast
   (30 s before the excess first reaches 30 it was about 30 - 35 * 30 / 120 = 21 bpm).
Usage: compare_rr_daily_test.py SOURCE_DIR
"""
import importlib.util
import sys

import numpy as np

spec = importlib.util.spec_from_file_location("crd", f"{sys.argv[1]}/tools/synth/compare_rr_daily.py")
crd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crd)


def beats(hr_of_t, t_end):
    t = [0.0]
    while t[-1] < t_end:
        t.append(t[-1] + 60.0 / hr_of_t(t[-1]))
    return np.array(t)


def rises(hr_of_t, t_end=1500.0):
    t = beats(hr_of_t, t_end)
    rr = np.diff(t)
    return crd.rises_per_hour(crd.binned_hr(t[:-1], rr, 10.0, t[-1]))


def step(t):
    return 95.0 if 600.0 <= t < 660.0 else 60.0


def ramp(t):
    if 600.0 <= t < 720.0:
        return 60.0 + 35.0 * (t - 600.0) / 120.0
    return 95.0 if 720.0 <= t < 780.0 else 60.0


failed = 0
for name, course, fast in (("step", step, 1.0), ("ramp", ramp, 0.0)):
    r = rises(course)
    # one rise of each size (the same one), the rate of one rise over the valid hours
    ok = r[10] > 0 and r[10] == r[20] == r[30] and r["fast30"] == fast * r[30] and r["fast20"] <= r[20]
    print(f"{name}: {r} -> {'ok' if ok else 'FAIL'}")
    failed += not ok
# A flat course has no rise at all.
flat = rises(lambda t: 60.0)
print(f"flat: {flat}")
failed += not all(v == 0 for v in flat.values())
sys.exit(1 if failed else 0)
