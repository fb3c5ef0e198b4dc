#!/usr/bin/env bash
# The program's two learners side by side on the clinical benchmark: for each training seed,
# benchmarks/clinical/run.sh with default settings (the random forest) and with
# --learner boosted (gradient-boosted trees), one after the other in one run, and one Markdown
# row per seed and learner: the CV's choice, held-out synthetic responders (patient-independent,
# all hours) with FA/24h and median latency, and FA/24h on the real Holter recordings of
# ../shared/data/rr_daily (patient-independent and tailored on the first 12 h).
#
#   bash benchmarks/clinical/learners.sh [--seeds "101 201 301"] [--work DIR] [RUN.SH OPTIONS...]
#
# About 2.5 min per seed and learner on 2 cores. Nothing is tuned on the held-out data or rr_daily.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seeds="101 201 301"
work=/tmp/ecgforest_learners
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2;;
    --work) work=$2; shift 2;;
    *) extra+=("$1"); shift;;
  esac
done
row() {  # row SEED LEARNER LOG: one Markdown row from run.sh's output
  /usr/bin/python3 - "$@" <<'PY'
import re, sys
seed, learner, log = sys.argv[1:4]
text = open(log).read()
def cells(label):
    line = next((l for l in text.splitlines() if l.startswith("| " + label)), None)
    if line is None:
        sys.exit(f"learners.sh: run.sh printed no row '{label}' (see {log})")
    return [c.strip() for c in line.strip("|").split("|")]
choice = re.search(r"operating point chosen in training: (.*?) \(fits budget", text)
chosen = re.sub(r"\d+\.\d{10,}", lambda m: f"{float(m.group()):g}", choice.group(1)) if choice else "n/a"
auc = re.search(r"pooled CV ROC AUC ([0-9.]+)", text)
held = cells("held-out synthetic, patient-independent (all hours)")
rr = cells("rr_daily (real Holter, no seizures), patient-independent (all hours)")
rr_t = cells("rr_daily, tailored on first 12 h")
print(f"| {seed} | {learner} | {chosen} | {auc.group(1) if auc else 'n/a'} | "
      f"{held[4]} ({held[5]}) | {held[7]} | {held[8]} | {rr[7]} | {rr_t[7]} |", flush=True)
PY
}
echo "| seed | learner | CV chose | CV window AUC | held-out responders | FA/24h | latency s | rr_daily FA/24h | rr_daily tailored |"
echo "|---|---|---|---|---|---|---|---|---|"
for seed in $seeds; do
  for learner in forest boosted; do
    args=()
    [ "$learner" = boosted ] && args=(--run-args "--learner boosted")
    mkdir -p "$work"
    bash "$root/benchmarks/clinical/run.sh" --work "$work/$learner$seed" --seed "$seed" "${args[@]}" "${extra[@]}" \
      > "$work/$learner$seed.log" 2>&1 || { echo "learners.sh: run.sh failed, see $work/$learner$seed.log"; exit 1; }
    row "$seed" "$learner" "$work/$learner$seed.log"
  done
done
