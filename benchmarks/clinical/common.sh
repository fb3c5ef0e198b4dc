# Shared by benchmarks/clinical/run.sh, daily_fa.sh, real_ecg_fa.sh, demo_seeds.sh, short_cv_probe.sh and learner_probe.sh (sourced, not run).
# shellcheck shell=bash

# rr_daily_inputs SRC DEST: links the real Holter beat files of SRC into DEST, each with an empty
# annotation file (no seizures), so that predict scores them and every alarm counts as false.
rr_daily_inputs() {
  local src dest=$2 f name
  src=$(cd "$1" && pwd)  # the links must not depend on where they are read from
  mkdir -p "$dest"
  for f in "$src"/*_beats.csv*; do
    name=$(basename "$f"); name=${name%%_beats.csv*}
    ln -sf "$f" "$dest/"
    printf 'version = tse_v1.0.0\n\n' > "$dest/$name.tse_bi"
  done
}

# program_binaries ROOT SCRIPT: sets bin and synth to the release build's ecgforest and
# ecgforest-synth under ROOT; exits 2 naming SCRIPT when either is missing.
program_binaries() {
  bin="$1/build/release/ecgforest"
  synth="$1/build/release/tools/ecgforest-synth"
  local b
  for b in "$bin" "$synth"; do
    [ -x "$b" ] || { echo "$2: $b is missing; build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
  done
}

# model_program ROOT SCRIPT MODEL: sets bin to the release build's ecgforest under ROOT; exits 2
# naming SCRIPT when it is missing or MODEL is not a file.
model_program() {
  bin="$1/build/release/ecgforest"
  [ -x "$bin" ] || { echo "$2: $bin is missing; build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
  [ -f "$3" ] || { echo "$2: no model file $3; train one first (e.g. bash tools/quickstart.sh demo)" >&2; exit 2; }
}

# require_rr_daily DIR SCRIPT: exits 2 naming SCRIPT when DIR (the rr_daily beat files) is missing.
require_rr_daily() {
  [ -d "$1" ] || { echo "$2: no rr_daily beat recordings at $1; pass --rr-daily DIR" >&2; exit 2; }
}

# mpi_launcher RANKS: sets mpi to the launcher of these scripts (root allowed, oversubscribed, one
# OpenMP thread per rank).
mpi_launcher() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
  # shellcheck disable=SC2034  # read by the sourcing script
  mpi=(mpirun -np "$1" --oversubscribe --bind-to none)
}
