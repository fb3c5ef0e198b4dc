#!/usr/bin/env bash
# The signal-quality gate end to end (issue 15): recordings with electrode-motion artefact
# episodes (ecgforest-synth --artefacts-per-h, no seizures in them) through `predict --input`.
# Threshold 0 makes every usable window a seizure window, so without the gate each recording is
# one event end to end, and with it the events are exactly the stretches of good quality:
#   - /windows/low_quality is all 0 with --min-event-sqi 0 (one event per recording) and marks
#     >= 80 % of the windows inside artefact episodes with the default gate, < 5 % of the windows
#     far from them;
#   - with the gate no event contains a low-quality window, and events cover <= 20 % of the
#     windows inside artefact episodes (100 % without the gate);
#   - the alarm times (/events/alarm_s, two ranks: records cross ranks): with no minimum duration
#     the event's first window end; with --min-duration-s 30 the first window end at least 30 s
#     after the event's start, re-derived here from the windows of each gated event.
# Usage: e2e_sqi_gate.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1
"$synth" --out "$tmp/train" --patients 3 --recordings 1 --minutes 10 --seed 31 --seizure-rate 6 --eeg-channels 0 --quiet
"$synth" --out "$tmp/test" --patients 2 --recordings 1 --minutes 12 --seed 32 --seizure-rate 0 --artefacts-per-h 15 \
  --eeg-channels 0 --quiet
"${mpi[@]}" -np 1 "$ecg" run --input "$tmp/train" --output "$tmp/run" --trees 5 --cv-folds 0 > "$tmp/run.log" 2>&1 ||
  { cat "$tmp/run.log"; exit 1; }
every=(--postprocess-select fixed --smoothing none --threshold 0 --min-duration-s 0 --merge-gap-s 0)
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/test" --output "$tmp/off" "${every[@]}" \
  --min-event-sqi 0 > "$tmp/off.log" 2>&1 || { cat "$tmp/off.log"; exit 1; }
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/test" --output "$tmp/on" "${every[@]}" \
  > "$tmp/on.log" 2>&1 || { cat "$tmp/on.log"; exit 1; }
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/test" --output "$tmp/late" --postprocess-select fixed \
  --smoothing none --threshold 0 --merge-gap-s 0 --min-duration-s 30 > "$tmp/late.log" 2>&1 || { cat "$tmp/late.log"; exit 1; }
grep -q "quality gate: [0-9]* of [0-9]* windows gated (sqi below postprocess.min_sqi 0.85" "$tmp/on.log" ||
  { echo "e2e_sqi_gate: predict did not report the gate:"; cat "$tmp/on.log"; exit 1; }
/usr/bin/python3 - "$tmp" <<'PY'
import json, os, sys
import h5py, numpy as np
tmp = sys.argv[1]
cohort = json.load(open(f"{tmp}/test/cohort.json"))
art = {os.path.basename(r["path"]): r.get("artefacts", []) for r in cohort["recordings"]}
assert sum(len(a) for a in art.values()) >= 2, f"the test cohort has too few artefact episodes: {art}"
def load(d):
    with h5py.File(f"{tmp}/{d}/predictions.h5", "r") as f:
        g = {k: f[k][()] for k in ("windows/time_s", "windows/record", "windows/low_quality", "events/record",
                                    "events/start_s", "events/stop_s", "events/alarm_s", "records/duration_s")}
        g["path"] = [os.path.basename(p.decode() if isinstance(p, bytes) else p) for p in f["records/path"][()]]
        g["step"] = float(f.attrs["step_s"])
    return g
off, on, late = load("off"), load("on"), load("late")
assert not off["windows/low_quality"].any(), "gate off (--min-event-sqi 0) but windows are marked low quality"
for r, dur in enumerate(off["records/duration_s"]):
    ev = off["events/record"] == r
    assert ev.sum() == 1, f"gate off, threshold 0: expected one event in record {r}, got {ev.sum()}"
    t = off["windows/time_s"][off["windows/record"] == r]
    assert off["events/start_s"][ev][0] == t[0] - off["step"] and off["events/stop_s"][ev][0] == t[-1]
    assert off["events/alarm_s"][ev][0] == t[0], (r, off["events/alarm_s"][ev], t[0])
n_alarms = 0
for r in range(len(late["records/duration_s"])):
    w = late["windows/record"] == r
    t, low = late["windows/time_s"][w], late["windows/low_quality"][w].astype(bool)
    ev = late["events/record"] == r
    for s, e, a in zip(late["events/start_s"][ev], late["events/stop_s"][ev], late["events/alarm_s"][ev]):
        assert e - s >= 30, (r, s, e)
        first = t[(~low) & (t > s) & (t <= e) & (t - s >= 30)][0]
        assert a == first and a - s < 30 + late["step"], (r, s, e, a, first)
        n_alarms += 1
assert n_alarms >= 2, f"--min-duration-s 30 left {n_alarms} events to check alarm times on"
covered, far, in_event = [], [], []
for r, name in enumerate(on["path"]):
    w = on["windows/record"] == r
    t, low = on["windows/time_s"][w], on["windows/low_quality"][w].astype(bool)
    ep = art[name]
    inside = np.zeros(len(t), bool)
    near = np.zeros(len(t), bool)
    for a in ep:
        inside |= (t - 10 >= a["start_s"]) & (t <= a["stop_s"])  # the whole 10-s window inside
        near |= (t > a["start_s"] - 15) & (t - 10 < a["stop_s"] + 15)  # a 10-s window touching it
    covered += list(low[inside])
    far += list(low[~near])
    ev = on["events/record"] == r
    hit = np.zeros(len(t), bool)
    for s, e in zip(on["events/start_s"][ev], on["events/stop_s"][ev]):
        bad = low & (t > s) & (t - on["step"] < e)
        assert not bad.any(), f"{name}: event ({s}, {e}) contains low-quality windows ending at {t[bad][:5]}"
        hit |= (t > s) & (t - on["step"] < e)
    in_event += list(hit[inside])
cov, fp, ev_share = np.mean(covered), np.mean(far), np.mean(in_event)
assert cov >= 0.8, f"only {cov:.2f} of the artefact windows are marked low quality"
assert fp < 0.05, f"{fp:.3f} of the windows far from any artefact are marked low quality"
assert ev_share <= 0.2, f"gated events still cover {ev_share:.2f} of the windows inside artefact episodes"
print(f"e2e_sqi_gate: {cov:.3f} of artefact windows and {fp:.4f} of clean windows below the gate; "
      f"{len(on['events/start_s'])} gated events cover {ev_share:.3f} of the artefact windows; "
      f"{n_alarms} alarm times as re-derived")
PY
