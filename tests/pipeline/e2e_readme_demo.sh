#!/usr/bin/env bash
# The README's quick-start figures cannot go stale: this runs the demo's own commands (same
# cohorts, seeds and config as tools/quickstart.sh demo) in a scratch folder and compares every
# figure the README quotes with what the run writes (metrics.json, score.json).
# Usage: e2e_readme_demo.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
src=${ECGFOREST_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1
# The cohorts of tools/quickstart.sh demo.
bash "$src/tools/demo_cohorts.sh" "$synth" "$tmp" --quiet
"${mpi[@]}" -np 2 "$ecg" run --config "$src/configs/demo.toml" --input "$tmp/demo_cohort" "$tmp/demo_cohort_daily" \
  --output "$tmp/run" > "$tmp/run.log"
"${mpi[@]}" -np 2 "$ecg" predict --config "$src/configs/demo.toml" --model "$tmp/run/model.h5" \
  --input "$tmp/demo_cohort_new" --output "$tmp/run/predictions" > "$tmp/predict.log"
/usr/bin/python3 - "$src/README.md" "$tmp/run" <<'PY'
import json, re, sys
readme, run = sys.argv[1], sys.argv[2]
text = " ".join(open(readme).read().split())
m = json.load(open(f"{run}/metrics.json"))
s = json.load(open(f"{run}/predictions/score.json"))
def find(pattern):
    g = re.search(pattern, text)
    assert g, f"README quick start no longer has the sentence matching {pattern!r}"
    return g.groups()
auc, sens, spec = find(r"pooled window-level ROC AUC of ([0-9.]+) \(sensitivity ([0-9.]+), specificity ([0-9.]+) at 0\.5\)")
p = m["cv"]["pooled"]
got = [f"{p['roc_auc']:.3f}", f"{p['sensitivity']:.3f}", f"{p['specificity']:.3f}"]
assert [auc, sens, spec] == got, f"README says AUC/sens/spec {auc}/{sens}/{spec}, the demo gives {got}"
h1, n1, fa1, h2, n2, fa2 = find(r"finds (\d+)/(\d+) held-out seizures at ([0-9.]+) false alarms per 24 h, and "
                                r"(\d+)/(\d+) seizures of the 4 new patients at ([0-9.]+) FA/24h")
cv = m["cv_events"]
got = [str(cv["counts"]["ovlp"]["hits"]), str(cv["n_ref_events"]), f"{cv['ovlp_fa_per_24h']:.2f}",
       str(s["counts"]["ovlp"]["hits"]), str(s["n_ref_events"]), f"{s['ovlp_fa_per_24h']:.2f}"]
assert [h1, n1, fa1, h2, n2, fa2] == got, f"README says {[h1, n1, fa1, h2, n2, fa2]}, the demo gives {got}"
c = m["operating_point"]["chosen"]
k, th, dur, gap = find(r"the operating point CV chose \(mean over (\d+) windows, threshold ([0-9.]+), minimum (\d+) s, merge gap (\d+) s\)")
got = [str(c["smoothing_windows"]), f"{c['threshold']:g}", f"{c['min_duration_s']:g}", f"{c['merge_gap_s']:g}"]
assert [k, th, dur, gap] == got, f"README says operating point {[k, th, dur, gap]}, the demo chose {got}"
op = m["operating_point"]
hours = find(r"the cross-validation covers (\d+) h \(8 h of EDF and 96 h of heart beats\)")[0]
assert (f"{op['hours']:g}", op["budget_evidence_hours"], op["cv_shows_budget"]) == (hours, 72.0, True), \
    f"the demo's {hours}-h CV shows 1 FA/24h (72 h needed), metrics.json says {op['hours']}, {op['budget_evidence_hours']}, {op['cv_shows_budget']}"
log = open(f"{run}/../run.log").read()
assert "train: warning: the cross-validation covers" not in log, \
    "run.log warns that the demo's CV is too short to show its false-alarm budget"
print("e2e_readme_demo: README quick-start figures match the demo run")
PY
# The demo's outputs are those of the commit before the architecture redesign (issue 16).
bash "$here/compare_digests.sh" "$tmp" "$here/outputs_unchanged.sha256" demo \
  run/features.h5 run/model.h5 run/metrics.json run/predictions
