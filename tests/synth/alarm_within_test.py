#!/usr/bin/env python3
"""benchmarks/clinical/alarm_within.py on a hand-made predictions.h5 and score.json.

Records: 0 of patient p1 (a responder), 1 of p2 (not). Reference seizures of record 0:
A 100-160 s, B 1000-1060 s, C 2000-2100 s, E 5000-5050 s; of record 1: D 500-560 s.
Events (record, start, stop, alarm): (0, 90, 200, 105) overlaps A: delay 5 s;
(0, 1010, 1100, 1040) and (0, 1030, 1070, 1035) overlap B: the earlier alarm, delay 35 s;
(1, 2000, 2100, 2005) is on record 1, so C is missed; (0, 5050, 5100, 5060) only touches E's end:
missed; (1, 500, 560, 505) detects D, which is not counted (p2 is no responder).
By hand, limits 15 / 30 / 60 s: 1/4, 1/4, 2/4 (detected 2/4); with --after-s 1000 (B, C, E):
0/3, 0/3, 1/3 (detected 1/3); with --after-s 1000 and a limit of 35 s (inclusive): 1/3.
Usage: alarm_within_test.py SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SCRIPT = os.path.join(sys.argv[1], "benchmarks", "clinical", "alarm_within.py")


def write_predictions(d):
    with h5py.File(os.path.join(d, "predictions.h5"), "w") as f:
        f["records/patient"] = np.array([b"p1", b"p2"])
        f["reference/record"] = np.array([0, 0, 0, 1, 0], dtype=np.uint32)
        f["reference/start_s"] = np.array([100.0, 1000.0, 2000.0, 500.0, 5000.0])
        f["reference/stop_s"] = np.array([160.0, 1060.0, 2100.0, 560.0, 5050.0])
        ev = [(0, 90, 200, 105), (0, 1010, 1100, 1040), (0, 1030, 1070, 1035), (1, 2000, 2100, 2005),
              (0, 5050, 5100, 5060), (1, 500, 560, 505)]
        f["events/record"] = np.array([e[0] for e in ev], dtype=np.uint32)
        for i, name in ((1, "start_s"), (2, "stop_s"), (3, "alarm_s")):
            f["events/" + name] = np.array([float(e[i]) for e in ev])
    with open(os.path.join(d, "score.json"), "w") as fh:
        json.dump({"responders": {"per_patient": {"p1": {"responder": True}, "p2": {"responder": False}}}}, fh)


def line(d, *args):
    out = subprocess.run([sys.executable, SCRIPT, d, *args], capture_output=True, text=True, check=True).stdout
    return out.strip().split(": ", 1)[1]


failures = []
with tempfile.TemporaryDirectory() as d:
    write_predictions(d)
    for args, want in (((), "responder patients' seizures alarmed within 15 / 30 / 60 s of onset: "
                            "1/4, 1/4, 2/4 (detected 2/4)"),
                       (("--after-s", "1000"), "responder patients' seizures alarmed within 15 / 30 / 60 s "
                                               "of onset: 0/3, 0/3, 1/3 (detected 1/3)"),
                       (("--after-s", "1000", "35"), "responder patients' seizures alarmed within 35 s of "
                                                     "onset: 1/3 (detected 1/3)")):
        got = line(d, *args)
        if got != want:
            failures.append(f"args {args}: got '{got}', want '{want}'")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
