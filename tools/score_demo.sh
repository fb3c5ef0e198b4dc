#!/usr/bin/env bash
# The same detections scored by both scorers (README "Score"): the demo's model (configs/demo.toml,
# trained on the 8-patient demo cohort) predicts the 4 new demo patients, then
# `ecgforest score --scorer all` scores its predictions and a table is printed (Markdown).
# usage: bash tools/score_demo.sh [BUILD_DIR] [WORK_DIR]     (as root: export OMPI_ALLOW_RUN_AS_ROOT=1
#        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1). Reuses the cohorts and the model found in WORK_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
work=${2:-$root/runs/score_demo}
mkdir -p "$work"
cd "$work"
synth="$build/tools/ecgforest-synth"
mpi=(mpirun -np 2 --bind-to none --oversubscribe)
[ -f demo_cohort/cohort.json ] || "$synth" --out demo_cohort --patients 8 --recordings 2 --minutes 30 --seed 7 --seizure-rate 6 --quiet
[ -f demo_cohort_new/cohort.json ] || "$synth" --out demo_cohort_new --patients 4 --first-id 9 --recordings 2 --minutes 30 --seed 8 --seizure-rate 6 --quiet
[ -f run/model.h5 ] || "${mpi[@]}" "$build/ecgforest" run --config "$root/configs/demo.toml" --input demo_cohort --output run >run.log
"${mpi[@]}" "$build/ecgforest" predict --config "$root/configs/demo.toml" --model run/model.h5 \
  --input demo_cohort_new --output predictions >predict.log
"$build/ecgforest" score --ref demo_cohort_new --hyp predictions --scorer all --json score.json >score.log
/usr/bin/python3 - score.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def f(v, d=3):
    return "n/a" if v is None else f"{v:.{d}f}"
c, sz, ds = s["counts"], s["szcore"], s["szcore_dataset"]
ev, sa = sz["event"], sz["sample"]
m = ds["per_subject_mean"]["event"]
print(f"{s['n_recordings']} recordings, {s['total_hours']:.2f} h, {s['n_ref_events']} reference seizures, "
      f"{s['n_hyp_events']} detections, {ds['n_subjects']} subjects\n")
print("| scorer | counted | sensitivity | precision | F1 | false alarms per 24 h |")
print("|---|---|---|---|---|---|")
print(f"| NEDC OVLP | {c['ovlp']['hits']} of {s['n_ref_events']} seizures hit, {c['ovlp']['false_alarms']} FA | "
      f"{f(s['ovlp_sensitivity'])} | | | {f(s['ovlp_fa_per_24h'], 2)} |")
print(f"| NEDC TAES | {c['taes']['hits']:.2f} hits, {c['taes']['false_alarms']:.2f} FA | "
      f"{f(s['taes_sensitivity'])} | | | {f(s['taes_fa_per_24h'], 2)} |")
print(f"| NEDC EPOCH (0.25 s), kappa {f(s['epoch_kappa'])} | {c['epoch']['tp']} tp / {c['epoch']['fp']} fp epochs | "
      f"{f(s['epoch_sensitivity'])} | | | {f(s['epoch_fa_per_24h'], 1)} s |")
print(f"| SzCORE event, pooled | {ev['tp']} of {ev['refTrue']} seizures, {ev['fp']} FP events | {f(ev['sensitivity'])} | "
      f"{f(ev['precision'])} | {f(ev['f1'])} | {f(ev['fpRate'], 2)} |")
print(f"| SzCORE event, mean over subjects | | {f(m['sensitivity'])} | {f(m['precision'])} | {f(m['f1'])} | "
      f"{f(m['fpRate'], 2)} |")
print(f"| SzCORE sample (1 s), pooled | {sa['tp']} of {sa['refTrue']} seizure s, {sa['fp']} FP s | {f(sa['sensitivity'])} | "
      f"{f(sa['precision'])} | {f(sa['f1'])} | {f(sa['fpRate'], 1)} s |")
PY
