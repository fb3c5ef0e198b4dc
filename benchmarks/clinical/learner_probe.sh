#!/usr/bin/env bash
# Learner probe (issue 13): the program's forest against gradient-boosted trees (xgboost), and
# xgboost's random forest without and with "shape of the rise" columns, on a dev cohort of
# patients none of them trained on; see benchmarks/clinical/learner_probe.py. About 4 min.
#
#   bash benchmarks/clinical/learner_probe.sh [--work DIR] [--train-patients N] [--dev-patients N]
#        [--hours H] [--seed S] [--synth-args "ARGS"]
#
# Seeds 201 (training) and 202 (dev) by default: other patients than benchmarks/clinical/run.sh
# (101/102), so nothing here looks at that benchmark's held-out cohort; seeds that would reuse
# 101 or 102 are refused. Prints the seizures found within 0.5/1/2/5 FA/24h per learner.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
work=/tmp/ecgforest_learner_probe
train_patients=32
dev_patients=16
hours=12
seed=201
synth_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=${2:?learner_probe.sh: --work needs a value}; shift 2;;
    --train-patients) train_patients=${2:?learner_probe.sh: --train-patients needs a value}; shift 2;;
    --dev-patients) dev_patients=${2:?learner_probe.sh: --dev-patients needs a value}; shift 2;;
    --hours) hours=${2:?learner_probe.sh: --hours needs a value}; shift 2;;
    --seed) seed=${2:?learner_probe.sh: --seed needs a value}; shift 2;;
    --synth-args) synth_args=${2?learner_probe.sh: --synth-args needs a value}; shift 2;;
    *) echo "learner_probe.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
for v in "$train_patients" "$dev_patients" "$hours" "$seed"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "learner_probe.sh: patients, hours and seed are whole numbers (got '$v')" >&2; exit 2; }
done
[ "$train_patients" -ge 2 ] && [ "$dev_patients" -ge 1 ] && [ "$hours" -ge 1 ] ||
  { echo "learner_probe.sh: needs at least 2 training patients, 1 dev patient and 1 hour" >&2; exit 2; }
case "$seed" in
  100|101|102) echo "learner_probe.sh: --seed $seed would use seed 101 or 102 of benchmarks/clinical/run.sh (its training or held-out cohort); pick another" >&2; exit 2;;
esac
program_binaries "$root" learner_probe.sh
/usr/bin/python3 -c "import h5py, numpy, xgboost" 2>/dev/null ||
  { echo "learner_probe.sh: needs python3-h5py, python3-numpy and python3-xgboost (apt-get install ...)" >&2; exit 2; }
mpi_launcher 2
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
echo "learner_probe: training cohort seed $seed ($train_patients patients), dev cohort seed $((seed + 1)) ($dev_patients patients), $hours h each"
# shellcheck disable=SC2086  # --synth-args is a list of options
"$synth" --out "$work/train" --format beats --patients "$train_patients" --recordings 1 \
  --minutes $((hours * 60)) --seed "$seed" --seizure-rate 0.5 --quiet $synth_args
# shellcheck disable=SC2086
"$synth" --out "$work/dev" --format beats --patients "$dev_patients" --recordings 1 \
  --minutes $((hours * 60)) --seed $((seed + 1)) --seizure-rate 0.5 --quiet $synth_args
"${mpi[@]}" "$bin" run --input "$work/train" --output "$work/run" > "$work/run.log" 2>&1 < /dev/null || { cat "$work/run.log"; exit 1; }
grep -E "operating point" "$work/run.log" || true
"${mpi[@]}" "$bin" predict --model "$work/run/model.h5" --input "$work/dev" --output "$work/pred" \
  > "$work/pred.log" 2>&1 < /dev/null || { cat "$work/pred.log"; exit 1; }
"${mpi[@]}" "$bin" extract --input "$work/dev" --output "$work/dev_features.h5" \
  > "$work/extract.log" 2>&1 < /dev/null || { cat "$work/extract.log"; exit 1; }
/usr/bin/python3 "$root/benchmarks/clinical/learner_probe.py" "$work/run/features.h5" "$work/dev_features.h5" \
  "$work/pred/predictions.h5" "$work/dev/cohort.json" $((train_patients / 2))
echo "learner_probe: done in $(( $(date +%s) - t0 )) s; outputs in $work"
