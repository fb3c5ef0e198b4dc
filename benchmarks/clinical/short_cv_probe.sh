#!/usr/bin/env bash
# Short cross-validations and the false-alarm budget (issue 13): trains cohorts of the quick-start
# demo's EDF shape (8 patients x 2 recordings of 30 min, 8 h, without the demo's 96 h of heart
# beats; configs/demo.toml with --input, default settings) with
# several seeds, predicts with each model on a long synthetic held-out cohort (8 other patients x
# 24 h of beats, seed 500, numbered from 100) and on the real Holter recordings of rr_daily, and
# runs short_cv_probe.py: the program's CV choice beside the choice of a tail fit of the CV's alarm
# counts (measured on 7 December 2026 and not adopted; README, "Operating point chosen in training").
#
#   bash benchmarks/clinical/short_cv_probe.sh [--seeds "7 8 ... 14"] [--work DIR] [--ranks N]
#        [--rr-daily DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
seeds="7 8 9 10 11 12 13 14"
work=/tmp/ecgforest_short_cv_probe
ranks=2
rr_daily="$root/../shared/data/rr_daily/beats"
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2;;
    --work) work=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --rr-daily) rr_daily=$2; shift 2;;
    *) echo "short_cv_probe.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
program_binaries "$root" short_cv_probe.sh
require_rr_daily "$rr_daily" short_cv_probe.sh
mpi_launcher "$ranks"
rm -rf "$work"
rr_daily_inputs "$rr_daily" "$work/rr_daily"
"$synth" --out "$work/val" --patients 8 --first-id 100 --recordings 1 --minutes 1440 --seed 500 --seizure-rate 0.25 \
  --format beats --quiet
dirs=()
for seed in $seeds; do
  d="$work/seed$seed"
  mkdir -p "$d"
  "$synth" --out "$d/demo_cohort" --patients 8 --recordings 2 --minutes 30 --seed "$seed" --seizure-rate 6 \
    --eeg-channels 0 --quiet > /dev/null
  (cd "$d" && "${mpi[@]}" "$bin" run --config "$root/configs/demo.toml" --input demo_cohort --cv-predictions "$d/runs/demo/cv.h5" \
    > run.log 2>&1) || { cat "$d/run.log"; exit 1; }
  for set in val rr_daily; do
    "${mpi[@]}" "$bin" predict --model "$d/runs/demo/model.h5" --input "$work/$set" --output "$d/$set" \
      > "$d/$set.log" 2>&1 || { cat "$d/$set.log"; exit 1; }
  done
  echo "short_cv_probe: seed $seed trained and predicted" >&2
  dirs+=("$d")
done
/usr/bin/python3 "$root/benchmarks/clinical/short_cv_probe.py" "${dirs[@]}"
