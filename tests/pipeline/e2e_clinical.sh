#!/usr/bin/env bash
# End-to-end: the operating point train chooses by CV is stored in model.h5 and used by predict
# unless a key is set; --postprocess-select fixed ignores it; --tailor-hours tailors per patient
# on the first hours and scores only the rest (hours and seizures counted here from the files);
# responders agree with the generator's ictal heart-rate truth (cohort.json).
# Usage: e2e_clinical.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 10 --seed 3 --seizure-rate 8 --quiet
# Patients the model never saw, numbered after the training ones (ecgforest-synth --first-id).
"$synth" --out "$tmp/new" --patients 2 --first-id 5 --recordings 2 --minutes 10 --seed 11 --seizure-rate 8 --quiet

echo "== run (2 ranks): CV chooses the post-processing"
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/cohort" --output "$tmp/run" --trees 20 --cv-folds 2 > "$tmp/run.log"
grep -q "train: operating point chosen by patient-grouped CV" "$tmp/run.log"
pred() {  # output dir, extra args
  local out=$1
  shift
  "${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" --output "$tmp/$out" "$@" > "$tmp/$out.log"
}
pred p_model
# Held-out patients: no training-overlap warning, and score.json says so.
if grep -q "among the model's training data\|ids of patients the model was trained on" "$tmp/p_model.log"; then
  echo "e2e_clinical: predict took the held-out patients for training data:"; cat "$tmp/p_model.log"; exit 1
fi
"$py" -c 'import json, sys; o = json.load(open(sys.argv[1]))["training_overlap"]
assert (o["checked"], o["recordings"], o["patients"]) == (True, [], []), o' "$tmp/p_model/score.json"
pred p_override --threshold 0.9 --merge-gap-s 7
pred p_fixed --postprocess-select fixed
pred p_tailor --tailor-hours 0.05
grep -q "predict: tailored thresholds for 2 patient(s)" "$tmp/p_tailor.log"
# Baselines given as separate recordings (--tailor-baseline): the t000 recordings tailor, only t001
# is scored. The same thresholds as --tailor-hours over [t000, t001] with 605 s (t000's 600 s and no
# whole 10-s window of t001).
t000=("$tmp"/new/*/*_t000.edf) t001=("$tmp"/new/*/*_t001.edf)
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "${t001[@]}" --tailor-baseline "${t000[@]}" \
  --output "$tmp/p_base" > "$tmp/p_base.log"
grep -q "predict: tailored thresholds for 2 patient(s) on 2 baseline recording(s)" "$tmp/p_base.log"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "${t000[@]}" "${t001[@]}" \
  --tailor-hours "$("$py" -c 'print(605 / 3600)')" --output "$tmp/p_hours" > "$tmp/p_hours.log"
# A file in both lists, or a baseline without recordings to detect in: exit 2 before any work.
set +e
"$ecg" predict --model "$tmp/run/model.h5" --input "${t001[@]}" --tailor-baseline "${t001[0]}" --output "$tmp/p_bad" 2> "$tmp/p_bad.err"
rc_both=$?
"$ecg" predict --model "$tmp/run/model.h5" --features "$tmp/run/features.h5" --tailor-baseline "${t000[0]}" --output "$tmp/p_bad.h5" 2> "$tmp/p_bad2.err"
rc_features=$?
set -e
[ "$rc_both" = 2 ] && grep -q "is both a --tailor-baseline recording and an --input one" "$tmp/p_bad.err"
[ "$rc_features" = 2 ] && grep -q "work with predict --input" "$tmp/p_bad2.err"
[ ! -e "$tmp/p_bad" ] || [ -z "$(ls -A "$tmp/p_bad")" ]

"$py" - "$tmp" <<'PY'
import json, os, sys
import h5py
tmp = sys.argv[1]
m = json.load(open(f"{tmp}/run/metrics.json"))
op = m["operating_point"]
chosen = op["chosen"]
keys = ["smoothing", "smoothing_windows", "threshold", "min_duration_s", "merge_gap_s"]
assert op["n_candidates"] == 4 * 19 * 4 * 3, op["n_candidates"]
# The chosen setting is the best of its own curve under the budget: no point of the curve has a
# higher sensitivity within the budget.
allowed = max(1.0, op["fa_budget_per_24h"] * op["hours"] / 24.0)
fits = [p for p in op["curve"] if p["false_alarms"] <= allowed]
if op["fits_budget"]:
    best = max((p["ovlp_sensitivity"] or 0) for p in fits)
    assert abs((op["cv"]["ovlp_sensitivity"] or 0) - best) < 1e-12, (op["cv"], best)
# The CV event scores are those of the chosen setting.
assert m["cv_events"]["postprocess"] == chosen, (m["cv_events"]["postprocess"], chosen)
assert m["cv_events"]["counts"]["ovlp"]["hits"] == op["cv"]["hits"]
# Stored in the model as typed attributes postprocess_<key>.
with h5py.File(f"{tmp}/run/model.h5", "r") as f:
    stored = {k: f.attrs["postprocess_" + k] for k in keys}
    assert "postprocess" not in f.attrs, "the old TOML table is not written any more"
stored = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in stored.items()}
for k in keys:
    if k == "smoothing":
        assert stored[k] == chosen[k], (k, stored, chosen)
    else:
        assert abs(float(stored[k]) - float(chosen[k])) < 1e-9, (k, stored, chosen)

def pp(out):
    return json.load(open(f"{tmp}/{out}/score.json"))["postprocess"]
assert pp("p_model") == chosen, (pp("p_model"), chosen)
o = pp("p_override")
assert o["threshold"] == 0.9 and o["merge_gap_s"] == 7, o
for k in ("smoothing", "smoothing_windows", "min_duration_s"):
    assert o[k] == chosen[k], (k, o, chosen)
assert pp("p_fixed") == {"smoothing": "mean", "smoothing_windows": 5, "threshold": 0.5, "min_duration_s": 5,
                         "merge_gap_s": 10}, pp("p_fixed")

# Tailoring: each patient's first 0.05 h (180 s) of its first recording (path order) is baseline.
cohort = json.load(open(f"{tmp}/new/cohort.json"))
recs = sorted(cohort["recordings"], key=lambda r: r["path"])
first = {}
scored_h, n_ref = 0.0, 0
for r in recs:
    cut = 180.0 if r["patient"] not in first else 0.0
    first.setdefault(r["patient"], r["path"])
    scored_h += (r["duration_s"] - cut) / 3600
    n_ref += sum(1 for s in r["seizures"] if s["stop_s"] > cut)
s = json.load(open(f"{tmp}/p_tailor/score.json"))
t = s["tailoring"]
assert abs(t["baseline_hours"] - 2 * 0.05) < 1e-9, t["baseline_hours"]
for v in ("patient_independent", "tailored"):
    assert abs(t[v]["total_hours"] - scored_h) < 1e-6, (v, t[v]["total_hours"], scored_h)
    assert t[v]["n_ref_events"] == n_ref, (v, t[v]["n_ref_events"], n_ref)
assert s["n_ref_events"] == n_ref and abs(s["total_hours"] - scored_h) < 1e-6
# The threshold sweep beside them counts the same scored hours (it once counted the baselines too):
# at the patient-independent threshold it is the patient-independent score.
at = [p for p in s["sweep"] if abs(p["threshold"] - t["patient_independent_threshold"]) < 1e-9]
assert len(at) == 1, ([p["threshold"] for p in s["sweep"]], t["patient_independent_threshold"])
for k in ("ovlp_sensitivity", "ovlp_fa_per_24h", "taes_sensitivity", "taes_fa_per_24h"):
    assert abs(at[0][k] - t["patient_independent"][k]) < 1e-9, (k, at[0][k], t["patient_independent"][k])
assert at[0]["n_hyp_events"] == t["patient_independent"]["n_hyp_events"], (at[0], t["patient_independent"])
assert sorted(t["per_patient"]) == sorted({r["patient"] for r in recs})
assert abs(t["lowering_evidence_hours"] - 72.0 / t["fa_budget_per_24h"]) < 1e-9, t["lowering_evidence_hours"]
for pid, v in t["per_patient"].items():
    assert 0.05 <= v["threshold"] <= 0.99 or v["fallback"], v
    # 0.05 h of baseline cannot show that a lower threshold keeps the budget: raise only.
    assert v["may_lower"] is False and v["threshold"] >= t["patient_independent_threshold"] - 1e-12, (pid, v)
# No detection inside a baseline: predictions.h5 /events start after 180 s in each first recording.
with h5py.File(f"{tmp}/p_tailor/predictions.h5", "r") as f:
    paths = [x.decode() if isinstance(x, bytes) else str(x) for x in f["records/path"][()]]
    for rec, start, stop, alarm in zip(f["events/record"][()], f["events/start_s"][()], f["events/stop_s"][()],
                                       f["events/alarm_s"][()]):
        rel = os.path.relpath(os.path.join(f"{tmp}/new", paths[rec]), f"{tmp}/new")  # stored relative to the input root
        if rel in first.values():
            assert start >= 180.0 - 1e-9, (rel, start)
        # Alarm times in recording time too (tailored events are found after the baseline cut and
        # shifted back): inside the event, at least one hop after its start.
        assert start < alarm <= stop, (rel, start, stop, alarm)
    assert len(f["events/alarm_s"]) > 0, "no tailored events to check alarm times on"

# --tailor-baseline: thresholds as with the first 605 s; baseline recordings neither scored nor
# written (no annotation files, not in predictions.h5).
b = json.load(open(f"{tmp}/p_base/score.json"))["tailoring"]
h = json.load(open(f"{tmp}/p_hours/score.json"))["tailoring"]
assert sorted(b["baseline_recordings"]) == ["00000005_s001_t000", "00000006_s001_t000"], b["baseline_recordings"]
assert h["baseline_recordings"] == []
assert sorted(b["per_patient"]) == sorted(h["per_patient"]) == ["00000005", "00000006"]
for pid in b["per_patient"]:
    x, y = b["per_patient"][pid], h["per_patient"][pid]
    for k in ("threshold", "lowest_quiet", "baseline_alarms", "may_lower"):
        assert x[k] == y[k], (pid, k, x, y)
    assert abs(x["baseline_hours"] - y["baseline_hours"]) <= 5 / 3600 + 1e-9, (pid, x, y)
assert abs(b["patient_independent"]["total_hours"] - 2 * 600 / 3600) < 1e-9, b["patient_independent"]["total_hours"]
assert not any(f.endswith(("_t000.tse_bi", "_t000.csv_bi")) for f in os.listdir(f"{tmp}/p_base")), os.listdir(f"{tmp}/p_base")
assert os.path.exists(f"{tmp}/p_base/00000005_s001_t001.tse_bi")
with h5py.File(f"{tmp}/p_base/predictions.h5", "r") as f:
    stored = [x.decode() if isinstance(x, bytes) else str(x) for x in f["records/path"][()]]
    assert len(stored) == 2 and all("_t001" in x for x in stored), stored

# Responders: seizures the generator gave a rise of >= 20 bpm respond, seizures with a rise below
# 5 bpm (or none) do not (>= 80 % agreement: the heart rate also wanders).
truth = {}
for r in recs:
    for z in r["seizures"]:
        truth[(os.path.splitext(os.path.basename(r["path"]))[0], round(z["start_s"]))] = z
agree = total = 0
for z in json.load(open(f"{tmp}/p_model/score.json"))["responders"]["seizures"]:
    g = truth.get((z["record"], round(z["start_s"])))
    assert g is not None, z
    assert z["marked"] == (z["rise_bpm"] is not None and z["rise_bpm"] > 50.0), z  # Jeppesen's > 50 bpm
    rise = g["hr_rise_bpm"] if g["hr_change"] else 0.0
    if z["rise_bpm"] is None or 5.0 <= rise < 20.0:
        continue
    total += 1
    agree += int(z["responds"] == (rise >= 20.0))
assert total >= 4 and agree >= 0.8 * total, (agree, total)
print(f"e2e_clinical: chosen {chosen}; tailored scored {scored_h:.3f} h, {n_ref} seizures; responders {agree}/{total}")
PY
echo "e2e_clinical: OK"
