#!/usr/bin/env bash
# Patient-tailored by retraining, beside the threshold tailoring of `predict --tailor-hours`
# (issue 13, item 4; tailor_retrain.py says how):
#
#   bash benchmarks/clinical/tailor_retrain.sh --work WORK [--cohort test|rr_daily] [--copies N]
#        [--tailor-hours H] [--ranks N] [--program]
#
# WORK is a benchmarks/clinical/run.sh --work folder (its training cohort, model and scores).
# For every recording of the held-out cohort (--cohort test, default) or of rr_daily (--cohort
# rr_daily: 27 trainings, about 12 min on 2 cores), the first H hours (default 12, run.sh's
# --tailor-hours) without their seizures join the training cohort N times (default 4), `ecgforest
# run` trains with default settings, and `predict` detects on the hours after the baseline; the
# run.sh model detects on the same hours for comparison. Prints one Markdown table; run.sh's
# threshold-tailored rows ("tailored on first 12 h") are over the same hours.
# --program: the program retrains instead of this recipe, on the whole recordings: one `ecgforest
# predict --input WORK/COHORT --tailor-hours H --tailor-retrain WORK/run/features.h5 --tailor-copies
# N` (a model per patient, in WORK/tailor_retrain_COHORT_Hh_xN_program/program), and
# `tailor_retrain.py program-table` prints the same table from its score.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
work=""
cohort=test
copies=4
hours=12
ranks=2
program=0
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2;;
    --cohort) cohort=$2; shift 2;;
    --copies) copies=$2; shift 2;;
    --tailor-hours) hours=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --program) program=1; shift;;
    *) echo "tailor_retrain.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
case "$cohort" in
  test) tailored="$work/test_tailored/score.json";;
  rr_daily) tailored="$work/daily_tailored/score.json";;
  *) echo "tailor_retrain.sh: --cohort is test or rr_daily, not $cohort" >&2; exit 2;;
esac
[ -n "$work" ] && [ -f "$work/run/model.h5" ] && [ -d "$work/$cohort" ] && [ -f "$tailored" ] || {
  echo "tailor_retrain.sh: --work must be a benchmarks/clinical/run.sh work folder with run/model.h5, $cohort/ and $tailored;" \
       "run bash benchmarks/clinical/run.sh --work DIR first" >&2; exit 2; }
program_binaries "$root" tailor_retrain.sh
mpi_launcher "$ranks"
out="$work/tailor_retrain_${cohort}_${hours}h_x$copies"
t0=$(date +%s)
if [ $program = 1 ]; then
  out+="_program"
  rm -rf "$out" && mkdir -p "$out"
  "${mpi[@]}" "$bin" predict --model "$work/run/model.h5" --input "$work/$cohort" --tailor-hours "$hours" \
    --tailor-retrain "$work/run/features.h5" --tailor-copies "$copies" --output "$out/program" > "$out/program.log" 2>&1 ||
    { cat "$out/program.log"; exit 1; }
  grep "tailor-retrain\|retrained for" "$out/program.log"
  echo
  /usr/bin/python3 "$root/benchmarks/clinical/tailor_retrain.py" program-table "$out/program/score.json" "$tailored"
  echo "tailor_retrain: done in $(( $(date +%s) - t0 )) s; outputs in $out"
  exit 0
fi
rm -rf "$out"
/usr/bin/python3 "$root/benchmarks/clinical/tailor_retrain.py" split "$work/$cohort" "$out" "$hours" "$copies"
step() {  # log, command...
  local log=$1
  shift
  "${mpi[@]}" "$bin" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
}
step "$out/control.log" predict --model "$work/run/model.h5" --input "$out/rest" --output "$out/control"
n=$(wc -l < "$out/units.tsv")
i=0
while IFS=$'\t' read -r -u 3 uid rel; do  # fd 3: mpirun reads stdin
  i=$((i + 1))
  step "$out/run_$uid.log" run --input "$work/train" "$out/base/$uid" --output "$out/run_$uid"
  step "$out/pred_$uid.log" predict --model "$out/run_$uid/model.h5" --input "$out/rest/$rel" --output "$out/pred_$uid"
  echo "tailor_retrain: $i/$n $rel: $(grep -o 'OVLP sensitivity [^;]*' "$out/pred_$uid.log" | head -1)"
done 3< "$out/units.tsv"
echo
/usr/bin/python3 "$root/benchmarks/clinical/tailor_retrain.py" table "$out" "$tailored"
echo "tailor_retrain: done in $(( $(date +%s) - t0 )) s; outputs in $out"
