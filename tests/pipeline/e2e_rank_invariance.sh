#!/usr/bin/env bash
# The features file and the model are identical whatever the rank and thread count
# (1, 2, 3 ranks; 1 and 2 OpenMP threads), and with more ranks than cores (4 and 8 ranks,
# oversubscribed, correctness only): 8 ranks for 7 recordings, and 8 ranks for 5 trees.
# Usage: e2e_rank_invariance.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
# 7 recordings: more than the ranks, not a multiple of them.
"$synth" --out "$tmp/cohort" --patients 7 --recordings 1 --minutes 6 --seed 11 --seizure-rate 10 --quiet

for cfg in "1 1" "2 2" "3 1" "3 2" "4 1" "8 1"; do
  set -- $cfg
  OMP_NUM_THREADS=$2 "${mpi[@]}" -np "$1" "$ecg" extract --input "$tmp/cohort" --output "$tmp/f_np$1_t$2.h5" >/dev/null
done
for f in f_np2_t2 f_np3_t1 f_np3_t2 f_np4_t1 f_np8_t1; do
  "$py" "$here/check_outputs.py" same "$tmp/f_np1_t1.h5" "$tmp/$f.h5"
done

for cfg in "1 1" "2 1" "3 2"; do
  set -- $cfg
  OMP_NUM_THREADS=$2 "${mpi[@]}" -np "$1" "$ecg" train --features "$tmp/f_np1_t1.h5" --model "$tmp/m_np$1_t$2.h5" \
    --trees 10 --cv-folds 3 >/dev/null
done
"$py" "$here/check_outputs.py" same-model "$tmp/m_np1_t1.h5" "$tmp/m_np2_t1.h5"
"$py" "$here/check_outputs.py" same-model "$tmp/m_np1_t1.h5" "$tmp/m_np3_t2.h5"
# More ranks than trees (8 ranks, 5 trees: three ranks grow none), and 4 ranks, without CV.
for np in 1 4 8; do
  OMP_NUM_THREADS=1 "${mpi[@]}" -np "$np" "$ecg" train --features "$tmp/f_np1_t1.h5" --model "$tmp/m5_np$np.h5" \
    --trees 5 --cv-folds 0 >/dev/null
done
"$py" "$here/check_outputs.py" same-model "$tmp/m5_np1.h5" "$tmp/m5_np4.h5"
"$py" "$here/check_outputs.py" same-model "$tmp/m5_np1.h5" "$tmp/m5_np8.h5"
# Gradient-boosted trees: folds and final model as jobs over the ranks (4 jobs: 1, 2 and 3
# ranks give each rank a different share), identical models and CV.
for cfg in "1 1" "2 1" "3 2"; do
  set -- $cfg
  OMP_NUM_THREADS=$2 "${mpi[@]}" -np "$1" "$ecg" train --features "$tmp/f_np1_t1.h5" --model "$tmp/b_np$1_t$2.h5" \
    --learner boosted --boost-rounds 25 --cv-folds 3 >/dev/null
done
"$py" "$here/check_outputs.py" same-model "$tmp/b_np1_t1.h5" "$tmp/b_np2_t1.h5"
"$py" "$here/check_outputs.py" same-model "$tmp/b_np1_t1.h5" "$tmp/b_np3_t2.h5"
"$py" - "$tmp" <<'PY'
import json, sys, h5py
t = sys.argv[1]
a = json.load(open(f"{t}/b_np1_t1.metrics.json"))["cv"]["pooled"]
b = json.load(open(f"{t}/b_np3_t2.metrics.json"))["cv"]["pooled"]
assert a == b, (a, b)
m = [h5py.File(f"{t}/b_np{n}.h5").attrs["boost_base_margin"] for n in ("1_t1", "3_t2")]
assert m[0] == m[1], m
print("boosted: identical pooled CV metrics:", a["roc_auc"])
PY
# Cross-validation metrics are the same too.
"$py" - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
a = json.load(open(f"{t}/m_np1_t1.metrics.json"))["cv"]["pooled"]
b = json.load(open(f"{t}/m_np3_t2.metrics.json"))["cv"]["pooled"]
assert a == b, (a, b)
print("identical pooled CV metrics:", a["roc_auc"])
PY
echo "e2e_rank_invariance: 1 passed, 0 failed"
