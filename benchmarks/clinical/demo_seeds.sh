#!/usr/bin/env bash
# How much the quick-start demo's model depends on its cohort: for each seed, generates the demo's
# cohorts (tools/demo_cohorts.sh --seed SEED: 8 patients x 2 EDF recordings of 30 min, 6 seizures
# per hour, and 8 more patients x 12 h of heart beats; 4 new patients), trains with
# configs/demo.toml (default settings: the CV chooses the operating point within 1 FA/24h),
# and predicts on the new patients and on the real 24-h Holter recordings of
# ../shared/data/rr_daily (every alarm false). Prints one line per seed: the CV choice, its CV
# score, the new patients' detections and the false alarms per 24 h on rr_daily.
#
#   bash benchmarks/clinical/demo_seeds.sh [--seeds "7 8 9 10"] [--edf-only] [--work DIR]
#        [--ranks N] [--rr-daily DIR]
#
# --edf-only trains on the 8 h of EDF alone (the demo before 7 December 2026, sixth session).
# The EDF cohorts have no EEG channels (the features come from the ECG channel alone; the demo's
# own cohort has them, so seed 7 here is the demo's patients and seizures, not its exact files).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
seeds="7 8 9 10"
edf_only=0
work=/tmp/ecgforest_demo_seeds
ranks=2
rr_daily="$root/../shared/data/rr_daily/beats"
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2;;
    --edf-only) edf_only=1; shift;;
    --work) work=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --rr-daily) rr_daily=$2; shift 2;;
    *) echo "demo_seeds.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
program_binaries "$root" demo_seeds.sh
require_rr_daily "$rr_daily" demo_seeds.sh
mpi_launcher "$ranks"
rm -rf "$work"
rr_daily_inputs "$rr_daily" "$work/rr_daily"
for seed in $seeds; do
  d="$work/seed$seed"
  mkdir -p "$d"
  # shellcheck disable=SC2086  # --synth-args is a list of options
  bash "$root/tools/demo_cohorts.sh" "$synth" "$d" --seed "$seed" --eeg-channels 0 --quiet
  inputs=(demo_cohort demo_cohort_daily)
  [ "$edf_only" = 0 ] || inputs=(demo_cohort)
  (cd "$d" && "${mpi[@]}" "$bin" run --config "$root/configs/demo.toml" --input "${inputs[@]}" > run.log 2>&1) ||
    { cat "$d/run.log"; exit 1; }
  "${mpi[@]}" "$bin" predict --model "$d/runs/demo/model.h5" --input "$d/demo_cohort_new" --output "$d/new" \
    > "$d/predict_new.log" 2>&1 || { cat "$d/predict_new.log"; exit 1; }
  "${mpi[@]}" "$bin" predict --model "$d/runs/demo/model.h5" --input "$work/rr_daily" --output "$d/rr_daily" \
    > "$d/predict.log" 2>&1 || { cat "$d/predict.log"; exit 1; }
  /usr/bin/python3 - "$d" "$seed" <<'PY'
import json, sys
d, seed = sys.argv[1], sys.argv[2]
m = json.load(open(f"{d}/runs/demo/metrics.json"))
op = m["operating_point"]
c, cv = op["chosen"], op["cv"]
n = json.load(open(f"{d}/new/score.json"))
s = json.load(open(f"{d}/rr_daily/score.json"))
print(f"demo_seeds: seed {seed}: CV chose {c['smoothing']} x{c['smoothing_windows']}, threshold {c['threshold']:.2f}, "
      f"min {c['min_duration_s']:g} s, gap {c['merge_gap_s']:g} s (CV {cv['hits']}/{cv['n_ref']} seizures, "
      f"{cv['false_alarms']} alarms in {op['hours']:.0f} h; window AUC {m['cv']['pooled']['roc_auc']:.3f}); "
      f"new patients {n['counts']['ovlp']['hits']}/{n['n_ref_events']} at {n['ovlp_fa_per_24h']:.2f} FA/24h; "
      f"rr_daily {s['ovlp_fa_per_24h']:.2f} FA/24h")
PY
done
