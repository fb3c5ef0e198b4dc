#!/usr/bin/env bash
# Clinical benchmark (issue 13): can the default pipeline raise alarms a clinician would accept?
#
#   bash benchmarks/clinical/run.sh [--work DIR] [--ranks N] [--format beats|edf]
#        [--train-patients N] [--train-hours H] [--test-patients N] [--test-hours H]
#        [--tailor-hours H] [--rr-daily DIR] [--seed S] [--quick] [--run-args "ARGS"]
#        [--real-negatives] [--synth-args "ARGS"]
#
# 1. generates a synthetic training cohort (ecgforest-synth, daily-life heart rhythm on) and a
#    held-out one with other patients (other seed);
# 2. `ecgforest run` trains with DEFAULT settings (patient-grouped CV chooses the operating point);
# 3. `ecgforest predict` on the held-out patients, patient-independent and tailored on each
#    patient's first --tailor-hours;
# 4. `ecgforest predict` on the real 24-h Holter beat recordings of people without epilepsy
#    (../shared/data/rr_daily/beats: every alarm there is false), both ways;
# 5. prints one Markdown table: OVLP/TAES sensitivity (all and responders), FA/24h and latency
#    (event start, and alarm: when the event had lasted its minimum duration, as online),
#    the held-out seizures detected by their measured ictal heart-rate rise, and the ceiling: how
#    many of the responder patients' seizures the generator gave an ictal rise (ceiling.py);
#    and how many of them were alarmed within 15 / 30 / 60 s of onset (alarm_within.py);
# 6. beside it, Jeppesen's patient-tailored rule (untrained; jeppesen_probe.py) on the same hours;
# 7. and a patient-independent vagal-withdrawal rule (RMSSD and heart rate against the recording's
#    own baseline; its three settings chosen on the training cohort; withdrawal_probe.py), alone
#    and with the forest's alarms (not with --real-negatives: its training file holds rr_daily).
# --real-negatives: real daily life as negative training data, cross-fitted by subject: the
# rr_daily recordings are split in two halves (alternately by name); model 0 trains on the
# synthetic cohort plus half 0, model 1 on the synthetic cohort plus half 1; each half's false
# alarms come from the model that did not see it, the held-out synthetic rows from model 0.
# --synth-args adds options to both cohorts' `ecgforest-synth` (e.g. --synth-args "--exertion-bursts 0").
# Nothing here is tuned on the held-out data: every setting is the program's default (--run-args
# adds options to `ecgforest run` to measure a variant, e.g. --run-args "--exclude-features sqi,mean_hr").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=benchmarks/clinical/common.sh
. "$root/benchmarks/clinical/common.sh"
work=/tmp/ecgforest_clinical
ranks=2
format=beats
train_patients=16
train_hours=12
test_patients=8
test_hours=36
tailor_hours=12
rr_daily="$root/../shared/data/rr_daily/beats"
seed=101
run_args=""
synth_args=""
real_negatives=0
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --format) format=$2; shift 2;;
    --train-patients) train_patients=$2; shift 2;;
    --train-hours) train_hours=$2; shift 2;;
    --test-patients) test_patients=$2; shift 2;;
    --test-hours) test_hours=$2; shift 2;;
    --tailor-hours) tailor_hours=$2; shift 2;;
    --rr-daily) rr_daily=$2; shift 2;;
    --seed) seed=$2; shift 2;;
    --run-args) run_args=$2; shift 2;;
    --synth-args) synth_args=$2; shift 2;;
    --real-negatives) real_negatives=1; shift;;
    --quick) train_patients=6; train_hours=4; test_patients=3; test_hours=12; tailor_hours=4; shift;;
    *) echo "run.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
program_binaries "$root" run.sh
require_rr_daily "$rr_daily" run.sh
mpi_launcher "$ranks"
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)

echo "clinical: training cohort: $train_patients patients x $train_hours h ($format), seed $seed${synth_args:+, $synth_args}"
# shellcheck disable=SC2086  # --synth-args is a list of options
"$synth" --out "$work/train" --format "$format" --patients "$train_patients" --recordings 1 \
  --minutes $((train_hours * 60)) --seed "$seed" --seizure-rate 0.5 --quiet $synth_args
echo "clinical: held-out cohort: $test_patients patients x $test_hours h ($format), seed $((seed + 1))"
# Numbered after the training patients (ids only; the data do not depend on them), so that
# predict does not take the held-out patients for training ones.
# shellcheck disable=SC2086
"$synth" --out "$work/test" --format "$format" --patients "$test_patients" --first-id $((train_patients + 1)) --recordings 1 \
  --minutes $((test_hours * 60)) --seed $((seed + 1)) --seizure-rate 0.25 --quiet $synth_args

train() {  # output dir, inputs...
  local out=$1
  shift
  echo "clinical: training on $* with default settings${run_args:+ plus $run_args}"
  # shellcheck disable=SC2086  # --run-args is a list of options
  "${mpi[@]}" "$bin" run --input "$@" --output "$out" $run_args > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
  grep -E "operating point|headline" "$out.log" || true
}
predict() {  # model, name, input, extra args...
  local model=$1 name=$2 input=$3
  shift 3
  "${mpi[@]}" "$bin" predict --model "$model" --input "$input" --output "$work/$name" "$@" \
    > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
}

# Real daily life: the beat files with an empty annotation each (no seizures), so they are scored.
rr_daily_inputs "$rr_daily" "$work/rr_daily"
if [ "$real_negatives" = 1 ]; then
  i=0
  for f in "$work"/rr_daily/*_beats.csv*; do
    name=$(basename "$f"); name=${name%%_beats.csv*}
    mkdir -p "$work/rr_half$((i % 2))"
    mv "$f" "$work/rr_half$((i % 2))/"
    # (a NAME given both as .csv and .csv.gz has one annotation file: it goes with the first)
    [ -e "$work/rr_daily/$name.tse_bi" ] && mv "$work/rr_daily/$name.tse_bi" "$work/rr_half$((i % 2))/"
    i=$((i + 1))
  done
  train "$work/run" "$work/train" "$work/rr_half0"
  train "$work/run1" "$work/train" "$work/rr_half1"
  for h in 0 1; do
    model="$work/run/model.h5"
    [ "$h" = 0 ] && model="$work/run1/model.h5"
    predict "$model" "daily_independent$h" "$work/rr_half$h"
    predict "$model" "daily_tailored$h" "$work/rr_half$h" --tailor-hours "$tailor_hours"
  done
else
  train "$work/run" "$work/train"
  predict "$work/run/model.h5" daily_independent "$work/rr_daily"
  predict "$work/run/model.h5" daily_tailored "$work/rr_daily" --tailor-hours "$tailor_hours"
fi
predict "$work/run/model.h5" test_independent "$work/test"
predict "$work/run/model.h5" test_tailored "$work/test" --tailor-hours "$tailor_hours"

/usr/bin/python3 - "$work" "$tailor_hours" "$(( $(date +%s) - t0 ))" <<'PY'
import json, os, sys
work, tailor_h, secs = sys.argv[1], sys.argv[2], sys.argv[3]
def f(v, d=2):
    return "n/a" if v is None else f"{v:.{d}f}"
def row(label, s):
    r = s.get("responders", {})
    return (f"| {label} | {f(s.get('total_hours'), 1)} | {s['counts']['ovlp']['hits']}/{s['n_ref_events']} | "
            f"{f(s.get('ovlp_sensitivity'))} | {r.get('hits_responders', 0)}/{r.get('n_ref_responders', 0)} | "
            f"{f(r.get('ovlp_sensitivity_responders'))} | {f(s.get('taes_sensitivity'))} | "
            f"{f(s.get('ovlp_fa_per_24h'))} | {f(s.get('latency_median_s'), 1)} | "
            f"{f(s.get('alarm_latency_median_s'), 1)} |")
m = json.load(open(f"{work}/run/metrics.json"))
op = m.get("operating_point", {})
c = op.get("chosen", {})
print(f"\nclinical: operating point chosen in training: smoothing {c.get('smoothing')} x{c.get('smoothing_windows')}, "
      f"threshold {c.get('threshold')}, min duration {c.get('min_duration_s')} s, merge gap {c.get('merge_gap_s')} s "
      f"(fits budget: {op.get('fits_budget')}); pooled CV ROC AUC {f(m['cv']['pooled'].get('roc_auc'), 3)}\n")
print("| scored on | hours | detected | OVLP sens | detected (responders) | OVLP sens responders | TAES sens | FA/24h | latency median s | alarm latency median s |")
print("|---|---|---|---|---|---|---|---|---|---|")
ti = json.load(open(f"{work}/test_independent/score.json"))
print(row("held-out synthetic, patient-independent (all hours)", ti))
tt = json.load(open(f"{work}/test_tailored/score.json"))["tailoring"]
print(row(f"held-out synthetic, patient-independent (after first {tailor_h} h)", tt["patient_independent"]))
print(row(f"held-out synthetic, tailored on first {tailor_h} h", tt["tailored"]))
def daily(name):
    """rr_daily scores; with --real-negatives the two cross-fitted halves summed."""
    if os.path.exists(f"{work}/{name}/score.json"):
        return json.load(open(f"{work}/{name}/score.json"))
    halves = [json.load(open(f"{work}/{name}{h}/score.json")) for h in (0, 1)]
    return halves
def merged(parts):
    hours = sum(p["total_hours"] for p in parts)
    fa = sum(p["counts"]["ovlp"]["false_alarms"] for p in parts)
    per = {}
    for p in parts:
        per.update(p.get("per_patient", {}))
    return {"total_hours": hours, "counts": {"ovlp": {"hits": 0, "false_alarms": fa}}, "n_ref_events": 0,
            "ovlp_fa_per_24h": 24.0 * fa / hours if hours else None, "per_patient": per}
di = daily("daily_independent")
di = merged(di) if isinstance(di, list) else di
print(row("rr_daily (real Holter, no seizures), patient-independent (all hours)", di))
dt = daily("daily_tailored")
if isinstance(dt, list):
    dt = {k: merged([h["tailoring"][k] for h in dt]) for k in ("patient_independent", "tailored")}
else:
    dt = dt["tailoring"]
print(row(f"rr_daily, patient-independent (after first {tailor_h} h)", dt["patient_independent"]))
print(row(f"rr_daily, tailored on first {tailor_h} h", dt["tailored"]))
def by_rise(s):
    sz = s["responders"]["seizures"]
    out = []
    for lo, hi in ((None, 10), (10, 20), (20, 30), (30, 40), (40, 50), (50, None)):
        b = [x for x in sz if x.get("rise_bpm") is not None and (lo is None or x["rise_bpm"] >= lo)
             and (hi is None or x["rise_bpm"] < hi)]
        name = f"< {hi}" if lo is None else (f">= {lo}" if hi is None else f"{lo}-{hi}")
        out.append(f"{name}: {sum(1 for x in b if x['detected'])}/{len(b)}")
    unmeasured = sum(1 for x in sz if x.get("rise_bpm") is None)
    return "; ".join(out) + (f"; not measurable: {unmeasured}" if unmeasured else "")
print(f"\nclinical: held-out seizures detected by measured ictal rise (bpm), patient-independent: {by_rise(ti)}; "
      f"marked responder patients (Jeppesen: > 50 bpm): {ti['responders'].get('n_marked_responder_patients')}")
print(f"clinical: ... tailored (after first {tailor_h} h): {by_rise(tt['tailored'])}")
def responder_split(s):
    """Seizures of responder patients with a measured rise >= 20 bpm and the rest: detected/total."""
    r = s["responders"]
    resp = {p for p, v in r["per_patient"].items() if v.get("responder")}
    sz = [x for x in r["seizures"] if x["patient"] in resp]
    hi = [x for x in sz if x.get("rise_bpm") is not None and x["rise_bpm"] >= 20]
    lo = [x for x in sz if x not in hi]
    return (f"rise >= 20 bpm {sum(x['detected'] for x in hi)}/{len(hi)}, "
            f"< 20 bpm or unmeasurable {sum(x['detected'] for x in lo)}/{len(lo)}")
print(f"clinical: responder patients' seizures, patient-independent: {responder_split(ti)}")
per = di.get("per_patient", {})
fa = sorted(v.get("ovlp_fa_per_24h") or 0 for v in per.values())
if fa:
    print(f"\nclinical: rr_daily FA/24h per recording (patient-independent): min {f(fa[0],1)}, median {f(fa[len(fa)//2],1)}, max {f(fa[-1],1)}")
print(f"clinical: forest done in {secs} s; outputs in {work}")
PY
# What any detector that needs a heart-rate change could find of those responders' seizures
# (generator truth: some have no ictal rise; ceiling.py).
for scored in test_independent test_tailored; do
  /usr/bin/python3 "$root/benchmarks/clinical/ceiling.py" "$work/$scored/score.json" "$work/test/cohort.json"
done
# How many of them raise an alarm soon enough (the latency medians count detected seizures only).
echo
echo "clinical: held-out, patient-independent (all hours): $(/usr/bin/python3 "$root/benchmarks/clinical/alarm_within.py" \
  "$work/test_independent" | sed 's/^alarm_within: //')"
echo "clinical: held-out, tailored (after first $tailor_hours h): $(/usr/bin/python3 "$root/benchmarks/clinical/alarm_within.py" \
  "$work/test_tailored" --after-s "$(awk "BEGIN { print $tailor_hours * 3600 }")" | sed 's/^alarm_within: //')"

# Peer on the same hours: Jeppesen's patient-tailored rule (no training; each recording's cut-off
# is 105 % of a feature's largest value in its first --tailor-hours), from the extracted features
# of the held-out cohort and of rr_daily (both halves with --real-negatives).
extract() {  # input dir, output file
  "${mpi[@]}" "$bin" extract --input "$1" --output "$2" > "$2.log" 2>&1 || { cat "$2.log"; exit 1; }
}
extract "$work/test" "$work/test_features.h5"
rr_features=()
for d in "$work/rr_daily" "$work/rr_half0" "$work/rr_half1"; do
  compgen -G "$d/*_beats.csv*" > /dev/null || continue
  extract "$d" "$d.features.h5"
  rr_features+=("$d.features.h5")
done
echo
echo "clinical: Jeppesen's tailored rule on the same hours as the tailored rows above (cut-off 1.05 x the largest" \
     "value in each recording's first $tailor_hours h, seizures +-120 s left out; alarms merged within 180 s):"
echo
/usr/bin/python3 "$root/benchmarks/clinical/jeppesen_probe.py" "$work/test_features.h5" "${rr_features[@]}" \
  --tailor-hours "$tailor_hours" --score "$work/test_tailored/score.json"
if [ "$real_negatives" = 0 ]; then
  echo
  echo "clinical: an untrained vagal-withdrawal rule, patient-independent, all hours (settings chosen on the" \
       "training cohort's features within 1 FA/24h), alone and with the forest's alarms:"
  echo
  /usr/bin/python3 "$root/benchmarks/clinical/withdrawal_probe.py" "$work/run/features.h5" "$work/test_features.h5" \
    "$work/rr_daily.features.h5" --forest-test "$work/test_independent/predictions.h5" \
    --forest-rr "$work/daily_independent/predictions.h5" --score "$work/test_independent/score.json" \
    --cohort "$work/test/cohort.json"
fi
echo "clinical: done in $(( $(date +%s) - t0 )) s"
