#!/usr/bin/env bash
# The quick-start demo's three synthetic cohorts, generated in one place (tools/quickstart.sh demo,
# the README check tests/pipeline/e2e_readme_demo.sh, tools/score_demo.sh and
# benchmarks/clinical/demo_seeds.sh all call this script):
#   demo_cohort/        8 training patients (ids 1-8): 2 EDF recordings of 30 min each (ECG and,
#                       by default, 24 EEG channels), 6 seizures per hour;
#   demo_cohort_daily/  8 more training patients (ids 13-20): one 12-h heart-beat recording each
#                       (NAME_beats.csv: beat times, no ECG rendered), 0.5 seizures per hour. These
#                       96 h of daily life let the cross-validation show the false-alarm budget of
#                       1 per 24 h (72 h are needed; the EDF cohort alone has 8 h);
#   demo_cohort_new/    4 new patients (ids 9-12) the model never sees: 2 EDF recordings of 30 min,
#                       6 seizures per hour.
# Seeds: SEED for demo_cohort, SEED+1 for demo_cohort_new, SEED+100 for demo_cohort_daily. A cohort
# whose cohort.json exists is kept (delete the folder to regenerate it).
#
#   bash tools/demo_cohorts.sh SYNTH DIR [--seed SEED (7)] [--eeg-channels N (24)] [--quiet]
#
# SYNTH is the ecgforest-synth binary; the cohorts are written into DIR.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "demo_cohorts.sh: usage: bash tools/demo_cohorts.sh SYNTH DIR [--seed SEED] [--eeg-channels N] [--quiet]" >&2
  exit 2
fi
synth=$1 dir=$2
shift 2
seed=7 eeg=24 quiet=0  # --quiet: print nothing; otherwise the generator's summary line per cohort
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2;;
    --eeg-channels) eeg=$2; shift 2;;
    --quiet) quiet=1; shift;;
    *) echo "demo_cohorts.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
[ -x "$synth" ] || { echo "demo_cohorts.sh: $synth is not an executable ecgforest-synth; build it first (cmake --build --preset release)" >&2; exit 2; }
mkdir -p "$dir"

# cohort NAME ECGFOREST-SYNTH-OPTIONS...: generates DIR/NAME unless it is there.
cohort() {
  local name=$1
  shift
  [ -f "$dir/$name/cohort.json" ] && return 0
  if [ "$quiet" = 1 ]; then
    "$synth" --out "$dir/$name" "$@" --quiet > /dev/null
  else
    "$synth" --out "$dir/$name" "$@" --quiet
  fi
}
cohort demo_cohort --patients 8 --recordings 2 --minutes 30 --seed "$seed" --seizure-rate 6 --eeg-channels "$eeg"
cohort demo_cohort_daily --format beats --patients 8 --first-id 13 --recordings 1 --minutes 720 \
  --seed $((seed + 100)) --seizure-rate 0.5
cohort demo_cohort_new --patients 4 --first-id 9 --recordings 2 --minutes 30 --seed $((seed + 1)) --seizure-rate 6 \
  --eeg-channels "$eeg"
