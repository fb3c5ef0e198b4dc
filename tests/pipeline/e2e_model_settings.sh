#!/usr/bin/env bash
# End-to-end: predict computes the features the model was trained on, and says so when it cannot
# (found by a new-user walkthrough on 7 December 2026; before, predict --input took only the
# window, hop and detector from the model and silently computed default HRV windows and profile,
# and predict --features scored features of any extraction settings):
#  - a model trained with non-default HRV windows (--hrv-nonlinear-window-s 30
#    --hrv-frequency-window-s 60): features.h5 and model.h5 store both windows (h5py); predict
#    --input gives exactly the window probabilities predict --features gives on a features file
#    extracted with those windows, and differs from a default-window extraction (so the test can
#    fail);
#  - predict --features on a features file extracted with default windows, or with another window
#    length, or lacking the model's columns: exit 2 naming the settings, nothing written;
#  - files written before the two attributes read them from their stored configuration: an old
#    pair with matching windows is scored (the same probabilities), one with other windows refused;
#  - --tailor-hours: a recording wholly within its patient's baseline gets no annotation files
#    (also none left from an earlier run into the same folder)
#    (and under --tailor-retrain no training-overlap warning); the others do; when every recording
#    is baseline, predict says nothing was left to detect; without annotations the tailored
#    thresholds are printed (no score.json); a patient with a baseline and nothing to detect is
#    named in a note.
# Usage: e2e_model_settings.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/train" --format beats --patients 4 --recordings 2 --minutes 20 --seed 11 --seizure-rate 6 --quiet
"$synth" --out "$tmp/new" --format beats --patients 2 --first-id 5 --recordings 3 --minutes 20 --seed 13 \
  --seizure-rate 3 --quiet
win=(--hrv-nonlinear-window-s 30 --hrv-frequency-window-s 60)
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/train" --output "$tmp/run" --trees 10 --cv-folds 2 "${win[@]}" \
  > "$tmp/run.log" 2>&1 || { cat "$tmp/run.log"; exit 1; }

echo "== predict --input uses the model's HRV windows"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" --output "$tmp/p_input" \
  > "$tmp/p_input.log" 2>&1 || { cat "$tmp/p_input.log"; exit 1; }
"$ecg" extract --input "$tmp/new" --output "$tmp/new_win.h5" "${win[@]}" > /dev/null 2>&1
"$ecg" extract --input "$tmp/new" --output "$tmp/new_default.h5" > /dev/null 2>&1
"$ecg" predict --model "$tmp/run/model.h5" --features "$tmp/new_win.h5" --output "$tmp/p_features.h5" > /dev/null 2>&1
"$py" - "$tmp" <<'PY'
import sys
import h5py
import numpy as np
tmp = sys.argv[1]
for f in ("run/features.h5", "run/model.h5", "new_win.h5"):
    with h5py.File(f"{tmp}/{f}", "r") as h:
        got = (float(h.attrs["hrv_nonlinear_window_s"]), float(h.attrs["hrv_frequency_window_s"]))
        assert got == (30.0, 60.0), f"{f} stores HRV windows {got}, want (30, 60)"
with h5py.File(f"{tmp}/new_default.h5", "r") as h:
    got = (float(h.attrs["hrv_nonlinear_window_s"]), float(h.attrs["hrv_frequency_window_s"]))
    assert got == (60.0, 150.0), f"a default extraction stores {got}, want (60, 150)"
with h5py.File(f"{tmp}/p_input/predictions.h5", "r") as a, h5py.File(f"{tmp}/p_features.h5", "r") as b:
    pa, pb = a["windows/probability"][:], b["windows/probability"][:]
assert len(pa) == len(pb) > 1000, (len(pa), len(pb))
assert np.array_equal(pa, pb), f"predict --input and --features differ in {int((pa != pb).sum())} of {len(pa)} windows"
with h5py.File(f"{tmp}/new_win.h5", "r") as w, h5py.File(f"{tmp}/new_default.h5", "r") as d:
    cols = [c.decode() if isinstance(c, bytes) else str(c) for c in w["windows/features"].attrs["columns"]]
    sampen = cols.index("sampen")
    xw, xd = w["windows/features"][:, sampen], d["windows/features"][:, sampen]
changed = int((~np.isclose(xw, xd, equal_nan=True)).sum())
assert changed > 100, f"the HRV windows changed sampen in {changed} windows only: this test could not fail"
print(f"predict --input = predict --features on {len(pa)} windows; HRV windows stored")
PY

echo "== predict --features refuses features of other settings (exit 2, nothing written)"
refuse() {  # ERE FEATURES
  set +e
  "$ecg" predict --model "$tmp/run/model.h5" --features "$2" --output "$tmp/refused.h5" > "$tmp/refuse.log" 2>&1
  local rc=$?
  set -e
  [ "$rc" = 2 ] || { cat "$tmp/refuse.log"; echo "FAIL: $2: exit $rc, want 2"; exit 1; }
  grep -Eq -- "$1" "$tmp/refuse.log" || { cat "$tmp/refuse.log"; echo "FAIL: $2: message does not match /$1/"; exit 1; }
  [ ! -e "$tmp/refused.h5" ] || { echo "FAIL: $2: an output was written"; exit 1; }
}
refuse "new_default.h5 \(--features\) was extracted with other settings .*HRV windows 60 and 150 s against 30 and 60 s" \
  "$tmp/new_default.h5"
"$ecg" extract --input "$tmp/new" --output "$tmp/new_w20.h5" "${win[@]}" --window-s 20 > /dev/null 2>&1
refuse "window 20 s against 10 s" "$tmp/new_w20.h5"
"$ecg" extract --input "$tmp/new" --output "$tmp/new_few.h5" "${win[@]}" --hrv-features mean_hr,rmssd,sqi > /dev/null 2>&1
refuse "new_few.h5 \(--features\) lacks the model's feature columns .*sdnn" "$tmp/new_few.h5"

echo "== files written before the HRV-window attributes read them from their stored configuration"
cp "$tmp/run/model.h5" "$tmp/old_model.h5"
cp "$tmp/new_win.h5" "$tmp/old_win.h5"
cp "$tmp/new_default.h5" "$tmp/old_default.h5"
"$py" - "$tmp" <<'PY'
import sys
import h5py
for f in ("old_model.h5", "old_win.h5", "old_default.h5"):
    with h5py.File(f"{sys.argv[1]}/{f}", "r+") as h:
        for a in ("hrv_nonlinear_window_s", "hrv_frequency_window_s"):
            del h.attrs[a]
PY
"$ecg" predict --model "$tmp/old_model.h5" --features "$tmp/old_win.h5" --output "$tmp/p_old.h5" > "$tmp/p_old.log" 2>&1 \
  || { cat "$tmp/p_old.log"; echo "FAIL: matching files without the attributes were refused"; exit 1; }
"$py" -c 'import sys, h5py, numpy as np
a, b = (h5py.File(f, "r")["windows/probability"][:] for f in sys.argv[1:3])
assert np.array_equal(a, b), "an old model scores differently"' "$tmp/p_old.h5" "$tmp/p_features.h5"
set +e
"$ecg" predict --model "$tmp/old_model.h5" --features "$tmp/old_default.h5" --output "$tmp/p_old2.h5" > "$tmp/p_old2.log" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "HRV windows 60 and 150 s against 30 and 60 s" "$tmp/p_old2.log" \
  || { cat "$tmp/p_old2.log"; echo "FAIL: old files of other HRV windows not told apart (exit $rc)"; exit 1; }

echo "== --tailor-hours: recordings wholly within the baseline get no files"
# Each new patient has 3 recordings of 20 min; the first 0.4 h take t000 whole and 4 min of t001.
# A run without tailoring into the same folder first: its t000 files must not stay behind.
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" --output "$tmp/p_tail" > /dev/null 2>&1
[ -e "$tmp/p_tail/00000005_s001_t000.tse_bi" ] || { echo "FAIL: the untailored run wrote no t000 file"; exit 1; }
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" --output "$tmp/p_tail" --tailor-hours 0.4 \
  > "$tmp/p_tail.log" 2>&1 || { cat "$tmp/p_tail.log"; exit 1; }
for p in 00000005 00000006; do
  for ext in tse_bi csv_bi; do
    [ ! -e "$tmp/p_tail/${p}_s001_t000.$ext" ] || { echo "FAIL: baseline-only ${p}_s001_t000.$ext written or left"; exit 1; }
    for t in t001 t002; do
      [ -e "$tmp/p_tail/${p}_s001_$t.$ext" ] || { echo "FAIL: ${p}_s001_$t.$ext missing"; exit 1; }
    done
  done
done
"$py" -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["n_recordings"] == 4, s["n_recordings"]' "$tmp/p_tail/score.json"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" --output "$tmp/p_all" --tailor-hours 2 \
  > "$tmp/p_all.log" 2>&1 || { cat "$tmp/p_all.log"; exit 1; }
grep -q "predict: warning: every recording lies within its patient's first 2 h (--tailor-hours)" "$tmp/p_all.log" \
  || { cat "$tmp/p_all.log"; echo "FAIL: no warning that nothing was left to detect"; exit 1; }
[ -z "$(find "$tmp/p_all" -name '*.tse_bi')" ] || { echo "FAIL: annotation files written for baseline hours"; exit 1; }
# Without annotations: the tailored thresholds are printed (there is no score.json to hold them).
mkdir -p "$tmp/bare"
cp "$tmp"/new/*/*_beats.csv "$tmp/bare/"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/bare" --output "$tmp/p_bare" --tailor-hours 0.4 \
  > "$tmp/p_bare.log" 2>&1 || { cat "$tmp/p_bare.log"; exit 1; }
grep -Eq "none has reference annotations, so nothing is scored" "$tmp/p_bare.log" \
  && grep -Eq "^predict: tailored thresholds: 00000005 [0-9.]+, 00000006 [0-9.]+" "$tmp/p_bare.log" \
  || { cat "$tmp/p_bare.log"; echo "FAIL: thresholds of an unannotated tailoring not printed"; exit 1; }
[ ! -e "$tmp/p_bare/score.json" ] || { echo "FAIL: score.json without annotations"; exit 1; }

# Tailoring keys that do nothing here get a note each (they are not errors).
"$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new/00000005" --output "$tmp/p_keys" --tailor-copies 3 \
  --tailor-margin 1.1 > "$tmp/p_keys.log" 2>&1 || { cat "$tmp/p_keys.log"; exit 1; }
[ "$(grep -c "^ecgforest: note: postprocess.tailor_\(copies\|margin\) .*has no effect without" "$tmp/p_keys.log")" = 2 ] \
  || { cat "$tmp/p_keys.log"; echo "FAIL: no notes for tailoring keys without tailoring"; exit 1; }
"$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new/00000005" --output "$tmp/p_keys2" --tailor-hours 0.4 \
  --tailor-margin 1.1 > "$tmp/p_keys2.log" 2>&1 || { cat "$tmp/p_keys2.log"; exit 1; }
! grep -q "has no effect" "$tmp/p_keys2.log" || { cat "$tmp/p_keys2.log"; echo "FAIL: a note for a key in use"; exit 1; }
# A patient with a baseline and nothing to detect is named in a note.
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new/00000005" --tailor-baseline "$tmp/new/00000006" \
  --output "$tmp/p_idle" > "$tmp/p_idle.log" 2>&1 || { cat "$tmp/p_idle.log"; exit 1; }
grep -q "^predict: note: baseline but nothing to detect for patient(s) 00000006 (" "$tmp/p_idle.log" \
  || { cat "$tmp/p_idle.log"; echo "FAIL: no note for a patient with a baseline and nothing to detect"; exit 1; }

echo "== --tailor-retrain --tailor-hours: a baseline-only training recording is not 'scored training data'"
# The training cohort's own first recordings are wholly baseline with --tailor-hours 0.34 (20 min +):
# before, predict warned that they were among the model's training data though none was scored.
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/train/00000001" --output "$tmp/p_rt" \
  --tailor-retrain "$tmp/run/features.h5" --tailor-hours 0.34 > "$tmp/p_rt.log" 2>&1 || { cat "$tmp/p_rt.log"; exit 1; }
"$py" -c 'import json, sys; o = json.load(open(sys.argv[1]))["training_overlap"]
assert o["recordings"] == ["00000001_s001_t001"], o' "$tmp/p_rt/score.json"
echo "== tools/report: folders that are not a run's are exit 2, nothing written"
mkdir -p "$tmp/empty_run"
for args in "$tmp/no_such_run" "$tmp/empty_run" "$tmp/run --predictions $tmp/no_such_predictions"; do
  set +e
  # shellcheck disable=SC2086  # two words for the last case
  "$py" "${ECGFOREST_SOURCE_DIR:-$(dirname "$0")/../..}/tools/report" $args > "$tmp/report.log" 2>&1
  rc=$?
  set -e
  [ "$rc" = 2 ] || { cat "$tmp/report.log"; echo "FAIL: tools/report $args: exit $rc, want 2"; exit 1; }
done
[ ! -e "$tmp/no_such_run" ] && [ ! -e "$tmp/empty_run/report" ] && [ ! -e "$tmp/run/report" ] \
  || { echo "FAIL: tools/report wrote a folder for a bad path"; exit 1; }
echo "e2e_model_settings: passed"
