#!/usr/bin/env python3
"""benchmarks/clinical/jeppesen_probe.py on hand-made features files.

Held-out file: one recording of 300 s, windows ending at 1..300 s; baseline 100 s
(--tailor-hours 100/3600), padding 30 s, merge gap 10 s. Seizure A [40, 60] lies in the baseline
(not scored; windows 10 < t < 90 left out of the baseline), seizure B [200, 230].
modcsi100f_x_slope: 2.0 everywhere, 3.0 at t = 5 (the baseline maximum: cut-off 3.15), 9.0 at
t = 50 (inside A's padding: ignored); after the baseline 3.2 at t = 120..122 (alarm [119, 122],
false), 3.1 at t = 130 (below the cut-off), 4.0 at t = 205..210 and 215 (one alarm [204, 215]:
the 4-s gap is under 10 s; it overlaps B, latency 4 s), 5.0 at t = 280 (alarm [279, 280], false).
So: B detected (1/1), 2 false alarms in 200 s = 864.00 per 24 h, latency 4.0 s.
csi100 is NaN everywhere: no cut-off, no alarm, B missed (0/1), 0.00 per 24 h.
rr file: one recording of 200 s without seizures, modcsi100f_x_slope 1.0, 2.0 at t = 150: one
false alarm in the 100 s after the baseline = 864.00 per 24 h.
score.json marks the held-out patient a responder: responder column 1/1.
Usage: jeppesen_probe_test.py SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_files import write_features  # noqa: E402

SCRIPT = os.path.join(sys.argv[1], "benchmarks", "clinical", "jeppesen_probe.py")
COLUMNS = ["modcsi100f_x_slope", "csi100_x_slope", "modcsi100f", "csi100", "hr_minus_baseline", "hr_ratio_baseline"]


def write(path, duration, values, refs):
    x = np.full((int(duration), len(COLUMNS)), 0.5)
    x[:, COLUMNS.index("csi100")] = np.nan
    x[:, 0] = values
    write_features(path, COLUMNS, x, duration, refs)


def rows(*args):
    out = subprocess.run(["/usr/bin/python3", SCRIPT, *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in out.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| Jeppesen")}


with tempfile.TemporaryDirectory() as d:
    held = np.full(300, 2.0)
    held[5 - 1], held[50 - 1] = 3.0, 9.0
    held[120 - 1:122] = 3.2
    held[130 - 1] = 3.1
    held[205 - 1:210] = 4.0
    held[215 - 1] = 4.0
    held[280 - 1] = 5.0
    write(f"{d}/test.h5", 300.0, held, [(40.0, 60.0), (200.0, 230.0)])
    rr = np.full(200, 1.0)
    rr[150 - 1] = 2.0
    write(f"{d}/rr.h5", 200.0, rr, [])
    with open(f"{d}/score.json", "w") as f:
        json.dump({"responders": {"per_patient": {"p1": {"responder": True}}}}, f)
    common = [f"{d}/test.h5", f"{d}/rr.h5", "--tailor-hours", str(100 / 3600), "--pad-s", "30", "--merge-gap-s", "10"]
    r = rows(*common, "--score", f"{d}/score.json")
    assert r["modcsi100f_x_slope"] == ["1/1", "1/1", "864.00", "4.0", "864.00"], r["modcsi100f_x_slope"]
    assert r["csi100"] == ["0/1", "0/1", "0.00", "n/a", "0.00"], r["csi100"]
    r = rows(*common)
    assert r["modcsi100f_x_slope"][1] == "n/a", r
    # A tailored run's score.json: the responder flag of its tailoring.tailored block counts.
    with open(f"{d}/tailored.json", "w") as f:
        json.dump({"responders": {"per_patient": {"p1": {"responder": True}}},
                   "tailoring": {"tailored": {"responders": {"per_patient": {"p1": {"responder": False}}}}}}, f)
    r = rows(*common, "--score", f"{d}/tailored.json")
    assert r["modcsi100f_x_slope"][1] == "0/0", r
    # A gap of 100 s merges everything after the baseline into one alarm over B: no false alarm.
    r = rows(*common[:-1], "100")
    assert r["modcsi100f_x_slope"] == ["1/1", "n/a", "0.00", "0.0", "864.00"], r["modcsi100f_x_slope"]
    with h5py.File(f"{d}/bad.h5", "w") as f:
        f.create_dataset("windows/features", data=np.zeros((1, 1))).attrs["columns"] = np.array([b"rmssd"])
    bad = subprocess.run(["/usr/bin/python3", SCRIPT, f"{d}/bad.h5", f"{d}/rr.h5"], capture_output=True, text=True)
    assert bad.returncode != 0 and "has no column modcsi100f_x_slope" in bad.stderr, bad.stderr
print("jeppesen_probe_test: cut-offs, alarms, latency and rates as computed by hand")
