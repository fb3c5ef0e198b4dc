#!/usr/bin/env bash
# `ecgforest hrv --profile default` against values computed here, independently, with numpy:
# the whole series is one window holding every RR interval (a half-open window once dropped the
# last one: 3 RR 800, 900, 1000 gave mean_nni 850), and the windowed table's windows
# [end - 10 s, end) hold the RR intervals whose ending beat lies in them.
# Usage: e2e_hrv_command.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 tmp=$3
rm -rf "$tmp" && mkdir -p "$tmp"
cd "$tmp"
printf 'rr_interval\n800\n900\n1000\n' > three.csv
/usr/bin/python3 -c "
import numpy as np
rng = np.random.default_rng(5)
rr = np.round(850 + 60 * np.sin(np.arange(400) / 7) + rng.normal(0, 25, 400), 3)
open('long.csv', 'w').write('rr_interval\n' + '\n'.join(f'{v:.3f}' for v in rr) + '\n')
"
"$ecg" hrv --rr three.csv --profile default --output three.json > /dev/null
"$ecg" hrv --rr long.csv --profile default --output long.json > /dev/null
"$ecg" hrv --rr long.csv --profile default --windowed --output long_windows.json > /dev/null
/usr/bin/python3 - <<'PY'
import json
import numpy as np

def expected(rr):
    rr = np.asarray(rr, float)
    d = np.diff(rr)
    return {"mean_nni": rr.mean(), "sdnn": rr.std(ddof=1), "rmssd": np.sqrt(np.mean(d * d)),
            "median_nni": np.median(rr), "range_nni": rr.max() - rr.min(),
            "pnni_50": 100.0 * np.mean(np.abs(d) > 50), "nni_50": float(np.sum(np.abs(d) > 50)),
            "mean_hr": np.mean(60000.0 / rr), "max_hr": np.max(60000.0 / rr)}

def check(got, want, where):
    for k, v in want.items():
        assert abs(got[k] - v) <= 1e-4 * max(1.0, abs(v)), f"{where}: {k} is {got[k]}, numpy gives {v}"

check(json.load(open("three.json")), expected([800, 900, 1000]), "three RR, whole series")
rr = [float(x) for x in open("long.csv").read().split()[1:]]
check(json.load(open("long.json")), expected(rr), "400 RR, whole series")
# Windowed: beat times are the cumulative RR (first beat at 0 s); window [end - 10, end) holds the
# RR intervals whose ending beat is in it.
beats = np.concatenate([[0.0], np.cumsum(rr) / 1000.0])
rows = json.load(open("long_windows.json"))
checked = 0
for row in rows:
    end = row["window_end_s"]
    inside = [rr[i - 1] for i in range(1, len(beats)) if end - 10.0 <= beats[i] < end]
    if len(inside) < 3:
        continue
    check(row, {k: v for k, v in expected(inside).items() if k in ("mean_nni", "sdnn", "rmssd", "mean_hr")},
          f"window ending at {end} s")
    checked += 1
assert checked >= 300, f"only {checked} windows checked"
print(f"e2e_hrv_command: whole series (3 and 400 RR) and {checked} windows equal numpy")
PY
