#!/usr/bin/env bash
# Second-stage event classifier probe (measured on 7 December 2026; see event_stage_probe.py):
# for each seed S, the folder WORK_PREFIX S made by `bash benchmarks/clinical/run.sh --seed S
# --work WORK_PREFIX S` (e.g. /tmp/c101) is trained again with run.sh's default settings to get
# the CV's out-of-fold predictions (into OUT/S; the run's own folder is only read), then
# event_stage_probe.py chooses stage 1's threshold and stage 2's classifier on them and applies the
# choice to the held-out cohort and rr_daily. About 1 min per seed on 2 cores.
#
#   bash benchmarks/clinical/event_stage_probe.sh [--seeds "101 201 301"] [--work-prefix /tmp/c]
#        [--out DIR] [--ranks N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
seeds="101 201 301"
prefix=/tmp/c
out=/tmp/ecgforest_event_stage_probe
ranks=2
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=${2:?event_stage_probe.sh: --seeds needs a value}; shift 2;;
    --work-prefix) prefix=${2:?event_stage_probe.sh: --work-prefix needs a value}; shift 2;;
    --out) out=${2:?event_stage_probe.sh: --out needs a value}; shift 2;;
    --ranks) ranks=${2:?event_stage_probe.sh: --ranks needs a value}; shift 2;;
    *) echo "event_stage_probe.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
[[ "$ranks" =~ ^[1-9][0-9]*$ ]] || { echo "event_stage_probe.sh: --ranks is a positive whole number" >&2; exit 2; }
model_program "$root" event_stage_probe.sh "${prefix}${seeds%% *}/run/model.h5"
/usr/bin/python3 -c "import h5py, numpy" 2>/dev/null ||
  { echo "event_stage_probe.sh: needs python3-h5py and python3-numpy (apt-get install ...)" >&2; exit 2; }
mpi_launcher "$ranks"
for s in $seeds; do
  work="${prefix}${s}"
  [ -f "$work/run/features.h5" ] ||
    { echo "event_stage_probe.sh: no $work/run/features.h5; run bash benchmarks/clinical/run.sh --seed $s --work $work first" >&2; exit 2; }
  mkdir -p "$out/$s"
  "${mpi[@]}" "$bin" train --features "$work/run/features.h5" --model "$out/$s/model.h5" \
    --cv-predictions "$out/$s/cv.h5" > "$out/$s/train.log" 2>&1 ||
    { echo "event_stage_probe.sh: training on $work/run/features.h5 failed; see $out/$s/train.log" >&2; exit 1; }
  /usr/bin/python3 "$root/benchmarks/clinical/event_stage_probe.py" "$work" "$out/$s/cv.h5" \
    "$out/$s/model.metrics.json" --json "$out/$s/probe.json"
  echo
done
