#!/usr/bin/env python3
"""benchmarks/clinical/withdrawal_probe.py on hand-made features and predictions files.

Windows end at 1, 2, ... s (one per second), one recording per file; merge gap 10 s, budget
given per case. rmssd_ratio_baseline is 1.0 and hr_minus_baseline 0 unless stated.

Training file (1 h): seizure [100, 160]; ratio 0.2 and rise 25 at t = 111..150 (a 40-s run,
[110, 150]); a false run at t = 1001..1030 with ratio 0.25, rise 3 (30 s); a false run at
t = 2001..2006 with ratio 0.42, rise 30 (6 s). Per grid setting (R, H, D), the seizure is found
when R > 0.2, H < 25, D <= 40; the first false run counts when R > 0.25, H < 3 (every D of the
grid); the second when R > 0.42, H < 30, D <= 6. Budget 0 (no false alarm): the seizure with no
false alarm, first in the grid's order (R, then H, then D): R = 0.3 (> 0.25: the first false run
counts at H = 0, so H = 5), D = 5 (the second needs R > 0.42: not at 0.3) -> (0.3, 5, 5).
Held-out file (2 h): seizure A [500, 560]: ratio 0.1, rise 10 at t = 521..540 (run [520, 540],
latency 20 s); seizure B [3000, 3100]: ratio 0.28, rise 40 at t = 3011..3014 (4 s: shorter
than D = 5, missed); false run t = 6001..6010 ratio 0.1, rise 8 (found: 1 false alarm in 2 h =
12.00 per 24 h).
rr file (1 h, no seizures): ratio 0.2, rise 6 at t = 101..105 (5 s: one false alarm, 24.00
per 24 h) and ratio 0.2, rise 4 at t = 201..230 (rise too small: none).
Forest predictions: held-out alarms [3090, 3120] (finds B, latency 90 s) and [6005, 6007]
(within the rule's false run: one alarm in the union); rr alarm [2000, 2010] (false).
So: rule 1/2 seizures, 12.00 FA/24h, latency 20.0, rr 24.00; forest 1/2, 12.00, 90.0, rr 24.00;
union 2/2, 12.00, latency 55.0 (median of 20 and 90), rr 48.00.
score.json marks the held-out patient a responder. cohort.json gives A a rise of 15 bpm and B one
of 35 (a third listed seizure at 9000 s is not in the features file and is not counted): 10-20
bpm found by the rule and by either, >= 30 by the forest and by either.
Usage: withdrawal_probe_test.py SOURCE_DIR
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

SCRIPT = os.path.join(sys.argv[1], "benchmarks", "clinical", "withdrawal_probe.py")
COLUMNS = ["hr_baseline", "rmssd_ratio_baseline", "hr_minus_baseline"]


def write(path, duration, runs, refs):
    """runs: (first t, last t, ratio, rise) set window by window."""
    x = np.zeros((int(duration), len(COLUMNS)))
    x[:, 1] = 1.0
    x[0, 1] = np.nan  # a NaN ratio is never "below"
    for a, b, ratio, rise in runs:
        x[a - 1:b, 1], x[a - 1:b, 2] = ratio, rise
    write_features(path, COLUMNS, x, duration, refs)


def predictions(path, alarms):
    with h5py.File(path, "w") as f:
        f.create_dataset("records/path", data=np.array([b"rec"]))
        f.create_dataset("events/record", data=np.zeros(len(alarms), dtype=np.uint32))
        f.create_dataset("events/start_s", data=np.array([a for a, _ in alarms], dtype=np.float64))
        f.create_dataset("events/stop_s", data=np.array([b for _, b in alarms], dtype=np.float64))


def run(*args):
    return subprocess.run(["/usr/bin/python3", SCRIPT, *args], capture_output=True, text=True)


def rows(out):
    assert out.returncode == 0, out.stderr
    return {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in out.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| detector")}


with tempfile.TemporaryDirectory() as d:
    write(f"{d}/train.h5", 3600.0, [(111, 150, 0.2, 25), (1001, 1030, 0.25, 3), (2001, 2006, 0.42, 30)],
          [(100.0, 160.0)])
    write(f"{d}/test.h5", 7200.0, [(521, 540, 0.1, 10), (3011, 3014, 0.28, 40), (6001, 6010, 0.1, 8)],
          [(500.0, 560.0), (3000.0, 3100.0)])
    write(f"{d}/rr.h5", 3600.0, [(101, 105, 0.2, 6), (201, 230, 0.2, 4)], [])
    predictions(f"{d}/forest_test.h5", [(3090.0, 3120.0), (6005.0, 6007.0)])
    predictions(f"{d}/forest_rr.h5", [(2000.0, 2010.0)])
    with open(f"{d}/score.json", "w") as f:
        json.dump({"responders": {"per_patient": {"p1": {"responder": True}}}}, f)
    with open(f"{d}/cohort.json", "w") as f:
        json.dump({"recordings": [{"path": "rec", "seizures": [{"start_s": 500.4, "hr_rise_bpm": 15.0},
                                                              {"start_s": 3000.0, "hr_rise_bpm": 35.0},
                                                              {"start_s": 9000.0, "hr_rise_bpm": 25.0}]}]}, f)
    files = [f"{d}/train.h5", f"{d}/test.h5", f"{d}/rr.h5", "--merge-gap-s", "10"]
    out = run(*files, "--budget", "0", "--forest-test", f"{d}/forest_test.h5", "--forest-rr", f"{d}/forest_rr.h5",
              "--score", f"{d}/score.json", "--cohort", f"{d}/cohort.json")
    assert ("held-out seizures by the generator's ictal rise (bpm; found by the rule, the forest, either): "
            "< 10: 0 · 0 · 0 of 0; 10-20: 1 · 0 · 1 of 1; 20-30: 0 · 0 · 0 of 0; >= 30: 0 · 1 · 1 of 1") \
        in out.stdout, out.stdout
    assert "RMSSD ratio < 0.3, heart rate > 5 bpm above baseline, for >= 5 s (training: 1/1 seizures, 0.00 FA/24h)" \
        in out.stdout, out.stdout
    r = rows(out)
    assert r["withdrawal rule"] == ["1/2", "1/2", "12.00", "20.0", "24.00"], r
    assert r["forest (its alarms recounted here)"] == ["1/2", "1/2", "12.00", "90.0", "24.00"], r
    assert r["forest or withdrawal rule"] == ["2/2", "2/2", "12.00", "55.0", "48.00"], r
    # Without score.json: no responder column. Without forest files: the rule's row only.
    r = rows(run(*files, "--budget", "0"))
    assert list(r) == ["withdrawal rule"] and r["withdrawal rule"][1] == "n/a", r
    # A budget no setting meets (-1 FA/24h is below every rate): a sentence, exit status not 0.
    out = run(*files, "--budget", "-1")
    assert out.returncode != 0 and "no setting of the grid stays within -1 FA/24h" in out.stderr, out.stderr
    # A features file without the columns: a sentence naming the file.
    with h5py.File(f"{d}/bad.h5", "w") as f:
        f.create_dataset("windows/features", data=np.zeros((1, 1))).attrs["columns"] = np.array([b"mean_hr"])
    out = run(f"{d}/bad.h5", f"{d}/test.h5", f"{d}/rr.h5")
    assert out.returncode != 0 and "bad.h5 has no column rmssd_ratio_baseline, hr_minus_baseline" in out.stderr, \
        out.stderr
print("withdrawal_probe_test: chosen setting, alarms, union with the forest, latency and rates as computed by hand")
