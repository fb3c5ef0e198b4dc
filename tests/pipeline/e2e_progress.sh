#!/usr/bin/env bash
# Progress lines in a batch log (stderr not a terminal): extract, train (each tuning candidate,
# each cross-validation fold, the final forest, out-of-bag votes and permutation importance) and
# both predict forms print their phase lines once (rank 0 only), in the plain style (no "\r"),
# ending with done = total.
# Usage: e2e_progress.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
"$synth" --out "$tmp/cohort" --patients 3 --recordings 1 --minutes 5 --seed 5 --seizure-rate 8 --quiet
export OMP_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }
# expect LOG REGEX COUNT: the log has exactly COUNT lines matching the extended regex.
expect() {
  local n
  n=$(grep -Ec -- "$2" "$1" || true)
  [ "$n" -eq "$3" ] || fail "$1: expected $3 line(s) matching '$2', found $n"
}
eta='elapsed [0-9]+ s, ETA [0-9]+ s$'

"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/f.h5" >"$tmp/extract.log" 2>&1
expect "$tmp/extract.log" "^extract: 3/3 recordings, [0-9.]+ ECG h, [0-9.]+ ECG h/s, $eta" 1

echo "== train --tune with 2 folds on 2 ranks"
"${mpi[@]}" -np 2 "$ecg" train --features "$tmp/f.h5" --model "$tmp/m.h5" --trees 6 --cv-folds 2 --tune \
  >"$tmp/train.log" 2>&1
n_cand=$(grep -Ec '^  [ *] max_depth=' "$tmp/train.log")
[ "$n_cand" -ge 2 ] || fail "expected the tuning table in the train log"
# Each candidate is scored by 3-fold patient-grouped CV (one patient per fold) with ceil(6/6) = 1 tree per fold;
# the leaf_prior candidate grows none (the configured trees with re-derived leaf values).
n_derived=$(grep -Ec '^  [ *] max_depth=.*leaf values re-derived' "$tmp/train.log")
[ "$n_derived" -eq 1 ] || fail "expected exactly one candidate scored with re-derived leaf values, got $n_derived"
for c in $(seq 1 "$n_cand"); do
  line=$(grep -E '^  [ *] max_depth=' "$tmp/train.log" | sed -n "${c}p")
  want=1
  case "$line" in *"re-derived"*) want=0 ;; esac
  for f in 1 2 3; do expect "$tmp/train.log" "^train: tune $c/$n_cand fold $f/3: 1/1 trees, $eta" "$want"; done
done
expect "$tmp/train.log" "^train: tune chosen \(final forest\): 6/6 trees, $eta" 1
expect "$tmp/train.log" "^train: fold 1/2: 6/6 trees, $eta" 1
expect "$tmp/train.log" "^train: fold 2/2: 6/6 trees, $eta" 1
expect "$tmp/train.log" "^train: out-of-bag votes: 6/6 trees, $eta" 1
expect "$tmp/train.log" "^train: permutation importance: 6/6 trees, $eta" 1
if grep -q $'\r' "$tmp/train.log"; then fail "carriage returns in a batch log"; fi

echo "== train without tuning"
"${mpi[@]}" -np 3 "$ecg" train --features "$tmp/f.h5" --model "$tmp/m2.h5" --trees 5 --cv-folds 0 >"$tmp/train2.log" 2>&1
expect "$tmp/train2.log" "^train: final forest: 5/5 trees, $eta" 1
expect "$tmp/train2.log" "^train: (fold|tune)" 0

echo "== predict"
n_win=$(/usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r')['/windows/record'].shape[0])" "$tmp/f.h5")
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/m2.h5" --features "$tmp/f.h5" --output "$tmp/p.h5" >"$tmp/predict.log" 2>&1
expect "$tmp/predict.log" "^predict: $n_win/$n_win windows, $eta" 1
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/m2.h5" --input "$tmp/cohort" --output "$tmp/det" >"$tmp/predict_edf.log" 2>&1
expect "$tmp/predict_edf.log" "^predict: 3/3 recordings, $n_win windows scored, $eta" 1
echo "e2e_progress: 1 passed, 0 failed"
