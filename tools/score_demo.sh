#!/usr/bin/env bash
# The same detections scored by both scorers (README "Score"): the demo's model (configs/demo.toml,
# trained on the demo's cohorts from tools/demo_cohorts.sh) predicts the 4 new demo patients, and
# `ecgforest score --scorer all` scores its predictions; a table is printed (Markdown).
# At the operating point its cross-validation chose (smoothing mean x20, threshold 0.85 on the
# cohorts of 7 December 2026, sixth session) the demo model detects 3 of 17 seizures without a
# false alarm, too few to show how the scorers differ. So the same model's window probabilities
# are also post-processed with fixed settings, the configuration's defaults written out
# (--postprocess-select fixed: mean over 5 windows, threshold 0.5, minimum 5 s, merge gap 10 s;
# README "Configuration"), which detect more (with many false alarms): the table is of those.
# Both are printed: one line for the chosen operating point, the table for the fixed settings.
# Nothing of the program's defaults or of the model changes.
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
bash "$root/tools/demo_cohorts.sh" "$synth" . --quiet
[ -f run/model.h5 ] || "${mpi[@]}" "$build/ecgforest" run --config "$root/configs/demo.toml" --input demo_cohort demo_cohort_daily \
  --output run >run.log
# 1. the operating point the model's cross-validation chose (what predict does by default)
"${mpi[@]}" "$build/ecgforest" predict --config "$root/configs/demo.toml" --model run/model.h5 \
  --input demo_cohort_new --output predictions >predict.log
"$build/ecgforest" score --ref demo_cohort_new --hyp predictions --scorer all --json score.json >score.log
# 2. the same model and probabilities, post-processed with the configuration's default settings
fixed=(--postprocess-select fixed --smoothing mean --smoothing-windows 5 --threshold 0.5 --min-duration-s 5 --merge-gap-s 10)
"${mpi[@]}" "$build/ecgforest" predict --config "$root/configs/demo.toml" --model run/model.h5 "${fixed[@]}" \
  --input demo_cohort_new --output predictions_fixed >predict_fixed.log
"$build/ecgforest" score --ref demo_cohort_new --hyp predictions_fixed --scorer all --json score_fixed.json >score_fixed.log
/usr/bin/python3 - run/metrics.json score.json score_fixed.json "${fixed[*]}" <<'PY'
import json, sys
op = json.load(open(sys.argv[1]))["operating_point"]["chosen"]
chosen, s, fixed = json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
def f(v, d=3):
    return "n/a" if v is None else f"{v:.{d}f}"
def summary(s):
    ev = s["szcore"]["event"]
    return (f"{s['n_recordings']} recordings, {s['total_hours']:.2f} h, {s['n_ref_events']} reference seizures, "
            f"{s['n_hyp_events']} detections, {s['szcore_dataset']['n_subjects']} subjects; NEDC OVLP "
            f"{s['counts']['ovlp']['hits']} of {s['n_ref_events']} hit, {s['counts']['ovlp']['false_alarms']} FA; "
            f"SzCORE event {ev['tp']} of {ev['refTrue']}, {ev['fp']} FP")
print(f"operating point chosen by the model's CV (smoothing {op['smoothing']} x{op['smoothing_windows']}, threshold "
      f"{op['threshold']:.2f}, minimum {op['min_duration_s']:g} s, merge gap {op['merge_gap_s']:g} s): {summary(chosen)}\n")
print(f"fixed post-processing ({fixed}): {summary(s)}\n")
c, sz, ds = s["counts"], s["szcore"], s["szcore_dataset"]
ev, sa = sz["event"], sz["sample"]
m = ds["per_subject_mean"]["event"]
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
