#!/usr/bin/env bash
# Outputs unchanged: the features, model, metrics and predictions of two small cohorts (EDF and
# heart-beat files) must have the content digests recorded in outputs_unchanged.sha256, which were
# produced by the commit before the architecture redesign (issue 16). output_digest.py (h5py/json
# only) ignores what differs between identical runs: timestamps, the version, timings, the run
# folder. A change that alters outputs on purpose re-records them with
#   ECGFOREST_RECORD_DIGESTS=1 ctest -R e2e_outputs_unchanged
# and says why in its commit message. e2e_readme_demo checks the demo cohort's outputs the same way.
# Usage: e2e_outputs_unchanged.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

# EDF cohort (the e2e_run cohort): run, predict on EDF, predict on the features file.
"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 8 --seed 3 --seizure-rate 8 --quiet
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/cohort" --output "$tmp/run" --trees 30 --cv-folds 2 > "$tmp/run.log"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/cohort" --output "$tmp/detections" > /dev/null
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --features "$tmp/run/features.h5" --output "$tmp/p.h5" > /dev/null
# Heart-beat cohort: the same through beat files.
"$synth" --out "$tmp/beats" --patients 4 --recordings 1 --minutes 20 --seed 5 --seizure-rate 6 --format beats --quiet
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/beats" --output "$tmp/brun" --trees 20 --cv-folds 2 > "$tmp/brun.log"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/brun/model.h5" --input "$tmp/beats" --output "$tmp/bdet" > /dev/null

bash "$here/compare_digests.sh" "$tmp" "$here/outputs_unchanged.sha256" e2e \
  run/features.h5 run/model.h5 run/metrics.json p.h5 detections brun/features.h5 brun/model.h5 brun/metrics.json bdet
echo "e2e_outputs_unchanged: 1 passed, 0 failed"
