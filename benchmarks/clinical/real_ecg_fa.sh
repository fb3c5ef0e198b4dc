#!/usr/bin/env bash
# False alarms of a trained model on real ECG, with the R-peak detector in the loop (issue 13): the
# closest check here to real epilepsy-monitoring ECG, which this project does not have. Predicts
# with MODEL (patient-independent, the model's own operating point) on the 8 MIT-BIH records of
# ../shared/data/mitdb (30 min each, 4 h in all; nobody had a seizure, so every alarm is false)
#   beats      from the expert reference beats (REC_beats.csv with their beat codes): the rhythm alone;
#   ecg        from the ECG itself (REC.edf): the rhythm plus what the R-peak detector makes of it;
#   KIND@SNR   from the ECG with calibrated synthetic noise added (tools/noise_beats.py --write,
#              seed 1; e.g. em@12 = electrode motion at 12 dB), as often as --noise is given.
# and prints alarms per record and FA/24h per condition side by side. 4 h is short: one alarm is
# 6 FA/24h, so read the counts, not the rates. MIT-BIH patients are cardiac patients (ectopy,
# paced and noisy records), harder than most epilepsy-monitoring ECG in rhythm, easier in noise.
#
#   bash benchmarks/clinical/real_ecg_fa.sh MODEL [--work DIR] [--ranks N] [--mitdb DIR] [--noise KIND@SNR]...
#
# E.g. bash tools/quickstart.sh demo && bash benchmarks/clinical/real_ecg_fa.sh runs/demo/model.h5 --noise em@12
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
usage="real_ecg_fa.sh: usage: real_ecg_fa.sh MODEL [--work DIR] [--ranks N] [--mitdb DIR] [--noise KIND@SNR]..."
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
model=$1
shift
work=/tmp/ecgforest_real_ecg_fa
ranks=2
mitdb="$root/../shared/data/mitdb"
noises=()
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --mitdb) mitdb=$2; shift 2;;
    --noise)
      [[ "$2" =~ ^(mix|bw|em|ma|burst)@-?[0-9]+$ ]] || { echo "real_ecg_fa.sh: --noise $2 is not KIND@SNR with KIND one of mix bw em ma burst and an integer SNR in dB (e.g. em@12)" >&2; exit 2; }
      noises+=("$2"); shift 2;;
    *) echo "real_ecg_fa.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
model_program "$root" real_ecg_fa.sh "$model"
mitdb=$(cd "$mitdb" 2>/dev/null && pwd) || { echo "real_ecg_fa.sh: no MIT-BIH folder $mitdb; pass --mitdb DIR" >&2; exit 2; }
recs=()
for f in "$mitdb"/*.edf; do
  [ -f "${f%.edf}_beats.csv" ] && recs+=("$(basename "${f%.edf}")")
done
[ ${#recs[@]} -gt 0 ] || { echo "real_ecg_fa.sh: no REC.edf with REC_beats.csv in $mitdb" >&2; exit 2; }
mpi_launcher "$ranks"
# The work folder is emptied first: only one this script made (it leaves .real_ecg_fa there).
if [ -d "$work" ] && [ -n "$(ls -A "$work")" ] && [ ! -f "$work/.real_ecg_fa" ]; then
  echo "real_ecg_fa.sh: --work $work is a non-empty folder this script did not make; pass an empty or new one" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work"
touch "$work/.real_ecg_fa"
start=$(date +%s)

# condition NAME: links or writes the recordings of condition NAME into $work/NAME/input, each with
# an empty annotation file (no seizures: scored, every alarm false).
condition_inputs() {
  local dir="$work/$1/input" rec
  mkdir -p "$dir"
  case "$1" in
    beats) for rec in "${recs[@]}"; do ln -s "$mitdb/${rec}_beats.csv" "$dir/"; done;;
    ecg) for rec in "${recs[@]}"; do ln -s "$mitdb/$rec.edf" "$dir/"; done;;
    *) /usr/bin/python3 "$root/tools/noise_beats.py" --dir "$mitdb" --records "${recs[@]}" \
         --types "${1%@*}" --snr "${1#*@}" --write "$dir" > /dev/null;;
  esac
  for rec in "${recs[@]}"; do printf 'version = tse_v1.0.0\n\n' > "$dir/$rec.tse_bi"; done
}

conditions=(beats ecg "${noises[@]}")
for c in "${conditions[@]}"; do
  condition_inputs "$c"
  "${mpi[@]}" "$bin" predict --model "$model" --input "$work/$c/input" \
    --output "$work/$c/predictions" > "$work/$c/predict.log" 2>&1 < /dev/null \
    || { cat "$work/$c/predict.log"; echo "real_ecg_fa.sh: predict failed on condition $c (log above)" >&2; exit 1; }
done
/usr/bin/python3 "$root/benchmarks/clinical/real_ecg_fa.py" "$model" "$work" "${conditions[@]}"
echo "real_ecg_fa: ${#conditions[@]} conditions in $(( $(date +%s) - start )) s; outputs in $work"
