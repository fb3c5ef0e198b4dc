#!/usr/bin/env python3
"""tools/synth/compare_rises.py on hand-made features files.

Synthetic file: 8 windows, hr_minus_baseline 15, 15, 25, 25, 25, 35, 35, 0 (the last one in no
bin); rmssd 10, 20, 5, 7, 30, 1, 3, 99; labels 0, 0, 0, 1, 1, 0, 1, 0.
Real file: 3 windows, hr_minus_baseline 12, 22, 50 (the last in no bin), rmssd 40, 8, 99; no labels.
Expected medians (by hand): all synthetic windows: 10-20 bpm 15.0, 20-30 bpm 7.0, 30-45 bpm 2.0;
--label 0: 15.0, 5.0, 1.0; --label 1: n/a (no window), 18.5, 3.0; real: 40.0, 8.0, n/a.
Usage: compare_rises_test.py SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SCRIPT = os.path.join(sys.argv[1], "tools", "synth", "compare_rises.py")
COLUMNS = ["hr_minus_baseline", "hr_rise_time_s", "hr_rise_30s", "hr_slope_100f", "rmssd", "sd1", "sd2", "vlf",
           "lf", "hf", "csi100", "modcsi100f", "sampen"]


def write(path, rise, rmssd, label=None):
    x = np.full((len(rise), len(COLUMNS)), 1.0)
    x[:, 0], x[:, COLUMNS.index("rmssd")] = rise, rmssd
    with h5py.File(path, "w") as f:
        d = f.create_dataset("windows/features", data=x)
        d.attrs["columns"] = np.array([c.encode() for c in COLUMNS])
        if label is not None:
            f.create_dataset("windows/label", data=np.array(label, dtype=np.float32))


def rmssd_row(*args):
    out = subprocess.run(["/usr/bin/python3", SCRIPT, *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in out.stdout.splitlines()
            if line.startswith("| ")}
    return rows["windows"], rows["rmssd"]


with tempfile.TemporaryDirectory() as d:
    syn, real, unlabelled = f"{d}/syn.h5", f"{d}/real.h5", f"{d}/unlabelled.h5"
    write(syn, [15, 15, 25, 25, 25, 35, 35, 0], [10, 20, 5, 7, 30, 1, 3, 99], [0, 0, 0, 1, 1, 0, 1, 0])
    write(real, [12, 22, 50], [40, 8, 99])
    n, r = rmssd_row(syn, real)
    assert n == ["2", "1", "3", "1", "2", "0"], n
    assert r == ["15.0", "40.0", "7.0", "8.0", "2.0", "nan"], r
    n, r = rmssd_row(syn, real, "--label", "0")
    assert n == ["2", "1", "1", "1", "1", "0"], n
    assert r == ["15.0", "40.0", "5.0", "8.0", "1.0", "nan"], r
    n, r = rmssd_row(syn, real, "--label", "1")
    assert r[0] == "nan" and r[2:5:2] == ["18.5", "3.0"], r
    bad = subprocess.run(["/usr/bin/python3", SCRIPT, real, real, "--label", "1"], capture_output=True, text=True)
    assert bad.returncode != 0 and "has no window labels" in bad.stderr, bad.stderr
    bad = subprocess.run(["/usr/bin/python3", SCRIPT, syn, real, "--label", "2"], capture_output=True, text=True)
    assert bad.returncode != 0 and "--label takes 0 or 1" in bad.stderr, bad.stderr
print("compare_rises_test: medians per rise bin and label as computed by hand")
