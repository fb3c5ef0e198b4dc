#!/usr/bin/env bash
# False alarms of a trained model on real daily-life heart rhythm (issue 13): predicts with MODEL
# (patient-independent, the model's own operating point) on the 27 real 24-h Holter beat
# recordings of people without epilepsy in ../shared/data/rr_daily/beats, where every alarm is
# false, and prints FA/24h overall and per recording.
#
#   bash benchmarks/clinical/daily_fa.sh MODEL [--work DIR] [--ranks N] [--rr-daily DIR]
#
# E.g. the quick-start demo's model: bash tools/quickstart.sh demo && bash benchmarks/clinical/daily_fa.sh runs/demo/model.h5
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
[ $# -ge 1 ] || { echo "daily_fa.sh: usage: daily_fa.sh MODEL [--work DIR] [--ranks N] [--rr-daily DIR]" >&2; exit 2; }
model=$1
shift
work=/tmp/ecgforest_daily_fa
ranks=2
rr_daily="$root/../shared/data/rr_daily/beats"
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --rr-daily) rr_daily=$2; shift 2;;
    *) echo "daily_fa.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
model_program "$root" daily_fa.sh "$model"
require_rr_daily "$rr_daily" daily_fa.sh
mpi_launcher "$ranks"
rm -rf "$work"
rr_daily_inputs "$rr_daily" "$work/rr_daily"
"${mpi[@]}" "$bin" predict --model "$model" --input "$work/rr_daily" \
  --output "$work/predictions" > "$work/predict.log" 2>&1 || { cat "$work/predict.log"; exit 1; }
/usr/bin/python3 - "$work/predictions/score.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fa = sorted(v.get("ovlp_fa_per_24h") or 0.0 for v in s["per_patient"].values())
print(f"daily_fa: {len(fa)} recordings, {s['total_hours']:.1f} h: {s['ovlp_fa_per_24h']:.2f} false alarms per 24 h "
      f"(per recording: min {fa[0]:.1f}, median {fa[len(fa) // 2]:.1f}, max {fa[-1]:.1f}); {sys.argv[1]}")
PY
