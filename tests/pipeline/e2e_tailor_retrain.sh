#!/usr/bin/env bash
# End-to-end: `predict --tailor-baseline B --tailor-retrain FEATURES` (tailoring by retraining):
#  - each patient's baseline recordings are extracted to OUT/tailor/<patient>/baseline.h5 and a
#    model is trained for it on FEATURES + the baseline x --tailor-copies: its metrics.json counts
#    (computed here with h5py from the two files) FEATURES' labelled windows + copies x the
#    baseline's windows, FEATURES' positives only (the baseline is seizure-free: its unannotated
#    windows count as negatives), and one patient more; the merged training file is deleted;
#  - the patient's --input recordings are detected with its own model at that model's operating
#    point: their events in predictions.h5 equal those of a plain `predict --model
#    OUT/tailor/<patient>/model.h5` on them, and score.json's tailoring.per_patient gives that
#    model and operating point;
#  - tailoring.patient_independent equals the score of a plain `predict --model M` on the inputs;
#  - a patient whose baseline cannot be read keeps the given model (a note says why; the run goes
#    on, exit 0); a baseline patient with no --input recording is not trained (a note says so);
#  - with --tailor-hours H instead of baseline recordings, each patient's first H hours across its
#    two recordings (windows within 300 s of an annotated seizure left out, counted here from
#    OUT/tailor/<p>/recordings.h5) are the training windows added and the usable baseline hours
#    reported; patients with under half of H usable keep the given model (same probabilities as
#    without tailoring); the patient-independent scores are those of threshold tailoring on the
#    same hours, and the retrained patient's tailored scores those of its own model (a `predict
#    --model OUT/tailor/<p>/model.h5 --tailor-hours H`'s patient-independent ones), with the same
#    window probabilities, which differ from the given model's;
#  - two ranks give the same score.json, byte for byte;
#  - a second run into the same folder reuses each model made from the same files and settings
#    (OUT/tailor/<patient>/retrained.txt) and retrains one whose baseline file changed; a reused
#    model that cannot be read leaves its patient with the given model, and the next run retrains it;
#  - bad settings are exit 2 before any work: --tailor-retrain without a baseline, a
#    --tailor-retrain file that is not a features file or was extracted with other windows than
#    the model's, --tailor-copies 0, with --pseudonymise.
# Usage: e2e_tailor_retrain.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/train" --format beats --patients 4 --recordings 2 --minutes 60 --seed 5 --seizure-rate 8 --quiet
"$synth" --out "$tmp/test" --format beats --patients 3 --recordings 1 --minutes 60 --seed 7 --seizure-rate 8 --quiet
"$synth" --out "$tmp/base" --format beats --patients 4 --recordings 1 --minutes 90 --seed 8 --seizure-rate 0 --quiet
rm "$tmp"/base/*/*.tse_bi                      # baselines without annotation files: seizure-free by declaration
echo "not a beats file" > "$tmp/base/00000003/00000003_s001_t000_beats.csv"  # patient 3: unreadable baseline
"$ecg" run --input "$tmp/train" --output "$tmp/run" --trees 20 --cv-folds 2 > "$tmp/run.log" 2>&1

predict() {  # OUT, then predict options
  local out=$1
  shift
  "$ecg" predict --model "$tmp/run/model.h5" --output "$out" "$@" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
}
predict "$tmp/tailored" --input "$tmp/test" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/features.h5" --tailor-copies 3
predict "$tmp/independent" --input "$tmp/test"
for p in 00000001 00000002; do
  "$ecg" predict --model "$tmp/tailored/tailor/$p/model.h5" --input "$tmp/test/$p" --output "$tmp/own_$p" > "$tmp/own_$p.log" 2>&1
done
grep -q "models retrained for 2 of 4 patient(s)" "$tmp/tailored.log" || { cat "$tmp/tailored.log"; exit 1; }

"$py" - "$tmp" <<'PY'
import json, os, sys
import h5py
import numpy as np

tmp = sys.argv[1]
t = json.load(open(f"{tmp}/tailored/score.json"))["tailoring"]
assert t["method"] == "retrain" and t["copies"] == 3, t
with h5py.File(f"{tmp}/run/features.h5", "r") as f:
    lab = f["windows/label"][:]
    n_train, n_pos = int(np.isfinite(lab).sum()), int((lab >= 0.5).sum())
    n_train_patients = len(set(f["records"]["patient"]))  # compound /records in a features file

def events(pred, names):
    """(recording name, start, stop) of the events of `pred`'s recordings named in `names`."""
    with h5py.File(pred, "r") as f:
        paths = [os.path.basename(p.decode()) for p in f["records/path"][:]]
        ev = [(paths[r], round(a, 6), round(b, 6)) for r, a, b in zip(f["events/record"][:], f["events/start_s"][:], f["events/stop_s"][:])]
    return sorted(e for e in ev if e[0] in names)

for p in ("00000001", "00000002"):
    pp = t["per_patient"][p]
    d = f"{tmp}/tailored/tailor/{p}"
    assert pp["folder"] == f"tailor/{p}" and pp["model"] == f"tailor/{p}/model.h5" and os.path.exists(d + "/model.h5"), pp
    assert not os.path.exists(d + "/training.h5"), "the merged training file is deleted"
    with h5py.File(d + "/baseline.h5", "r") as f:
        n_base = len(f["windows/label"])
        assert np.isnan(f["windows/label"][:]).all(), "the baseline has no annotation file"
    m = json.load(open(d + "/metrics.json"))
    assert n_base > 3000 and m["n_windows_training"] == n_train + 3 * n_base, (m["n_windows_training"], n_train, n_base)
    assert m["n_positive"] == n_pos and m["n_patients"] == n_train_patients + 1, (m["n_positive"], n_pos, m["n_patients"])
    chosen = json.load(open(d + "/metrics.json"))["operating_point"]["chosen"]
    for k in ("threshold", "smoothing_windows", "min_duration_s", "merge_gap_s"):
        assert pp["postprocess"][k] == chosen[k], (k, pp["postprocess"], chosen)
    name = f"{p}_s001_t000_beats.csv"
    own = events(f"{tmp}/own_{p}/predictions.h5", {name})
    assert events(f"{tmp}/tailored/predictions.h5", {name}) == own, (p, own)
alone = t["per_patient"]["00000004"]  # a baseline patient with no --input recording: not trained
assert alone["model"] is None and "no --input recording" in alone["note"], alone
assert not os.path.exists(f"{tmp}/tailored/tailor/00000004/baseline.h5")
bad = t["per_patient"]["00000003"]
assert bad["model"] is None and "no usable baseline" in bad["note"], bad
assert "has no time_s column" in open(f"{tmp}/tailored/{bad['folder']}/log.txt").read()
ind = json.load(open(f"{tmp}/independent/score.json"))
for k in ("counts", "n_ref_events", "ovlp_fa_per_24h", "n_recordings"):
    assert t["patient_independent"][k] == ind[k], (k, t["patient_independent"][k], ind[k])
assert ind["counts"]["ovlp"]["hits"] > 0 and ind["n_ref_events"] > 10, ind["counts"]
# The threshold sweep is the given model's on the scored recordings (it mixed in the retrained
# patients' own models): the plain run's sweep.
assert json.load(open(f"{tmp}/tailored/score.json"))["sweep"] == ind["sweep"], "sweep of the given model"
print("e2e_tailor_retrain: per-patient models, training counts, routing and the patient-independent comparison check out")
PY

# Patient 3 (unreadable baseline) is detected with the given model: its events are the plain run's.
"$py" - "$tmp/tailored/predictions.h5" "$tmp/independent/predictions.h5" <<'PY'
import sys
import h5py
def ev(path):
    with h5py.File(path, "r") as f:
        paths = [p.decode() for p in f["records/path"][:]]
        return sorted((paths[r], a, b) for r, a, b in zip(f["events/record"][:], f["events/start_s"][:], f["events/stop_s"][:]) if "00000003" in paths[r])
a, b = ev(sys.argv[1]), ev(sys.argv[2])
assert a == b, (a, b)
PY

# Two ranks: the same per-patient models, operating points and detections (score.json identical).
"${MPIEXEC:-mpirun}" -n 2 --allow-run-as-root --oversubscribe --bind-to none "$ecg" predict --model "$tmp/run/model.h5" \
  --input "$tmp/test" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/features.h5" --tailor-copies 3 \
  --output "$tmp/tailored_np2" > "$tmp/tailored_np2.log" 2>&1 || { cat "$tmp/tailored_np2.log"; exit 1; }
cmp "$tmp/tailored/score.json" "$tmp/tailored_np2/score.json"

# Run again into the same folder: both models are reused (same files and settings), same scores;
# a baseline file touched since is retrained, the other reused.
cp "$tmp/tailored/score.json" "$tmp/score_first.json"
again() {
  predict "$tmp/tailored" --input "$tmp/test" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/features.h5" --tailor-copies 3
  grep -c "(reused: made from the same files and settings)" "$tmp/tailored.log" || true
}
[ "$(again)" = 2 ] || { cat "$tmp/tailored.log"; exit 1; }
cmp "$tmp/score_first.json" "$tmp/tailored/score.json"
touch "$tmp/base/00000002/00000002_s001_t000_beats.csv"
[ "$(again)" = 1 ] || { cat "$tmp/tailored.log"; exit 1; }
grep -q "patient 00000002: 1.50 usable baseline h of 1 baseline recording(s) x3 -> .*model.h5; elapsed" "$tmp/tailored.log" || { cat "$tmp/tailored.log"; exit 1; }
cmp "$tmp/score_first.json" "$tmp/tailored/score.json"
# A reused model that cannot be read: that patient falls back to the given model, the run goes on.
echo "not HDF5" > "$tmp/tailored/tailor/00000001/model.h5"
again > /dev/null
grep -q "patient 00000001: its model could not be read" "$tmp/tailored.log" || { cat "$tmp/tailored.log"; exit 1; }
"$py" -c "
import json
t = json.load(open('$tmp/tailored/score.json'))['tailoring']['per_patient']
assert t['00000001']['model'] is None and 'could not be read' in t['00000001']['note'], t['00000001']
assert t['00000002']['model'] == 'tailor/00000002/model.h5', t['00000002']"
[ "$(again)" = 1 ] || { cat "$tmp/tailored.log"; exit 1; }  # next run: patient 1 retrained, not reused
cmp "$tmp/score_first.json" "$tmp/tailored/score.json"

# --tailor-hours 0.75 instead of baseline recordings, on patients with two 30-min recordings: each
# patient's first 45 min (the first recording whole, the second's first 15 min; windows ending
# within 300 s of an annotated seizure left out, seizures clipped to the cut) join the training
# windows, the hours after are scored. Counted here from OUT/tailor/<p>/recordings.h5: patients 1
# and 3 keep under half of the 45 min (their seizures), so they keep the given model; patient 2
# is retrained.
"$synth" --out "$tmp/test2" --format beats --patients 3 --recordings 2 --minutes 30 --seed 9 --seizure-rate 4 --quiet
predict "$tmp/first" --input "$tmp/test2" --tailor-hours 0.75 --tailor-retrain "$tmp/run/features.h5" --tailor-copies 2
predict "$tmp/first_threshold" --input "$tmp/test2" --tailor-hours 0.75
grep -q "patient 00000002: [0-9.]* usable baseline h of its first 0.75 h x2 -> " "$tmp/first.log" || { cat "$tmp/first.log"; exit 1; }
"$ecg" predict --model "$tmp/first/tailor/00000002/model.h5" --input "$tmp/test2/00000002" --tailor-hours 0.75 \
  --output "$tmp/first_own" > "$tmp/first_own.log" 2>&1
"$py" - "$tmp" <<'PY'
import json, sys
import h5py
import numpy as np

tmp = sys.argv[1]
t = json.load(open(f"{tmp}/first/score.json"))["tailoring"]
assert t["method"] == "retrain" and t["tailor_hours"] == 0.75 and t["baseline_recordings"] == [], t
with h5py.File(f"{tmp}/run/features.h5", "r") as f:
    n_train = int(np.isfinite(f["windows/label"][:]).sum())

def baseline_windows(p):
    """Windows of the first 2700 s of patient p's recordings (in path order), none within 300 s of
    a seizure clipped to the part taken, and the recordings they come from."""
    with h5py.File(f"{tmp}/first/tailor/{p}/recordings.h5", "r") as f:
        rec, time = f["windows/record"][:], f["windows/time_s"][:]
        dur = f["records"]["duration_s"][:]
        ref = list(zip(f["reference/record"][:], f["reference/start_s"][:], f["reference/stop_s"][:]))
    left, n, used = 2700.0, 0, 0
    for r in range(len(dur)):
        take = min(left, dur[r])
        left -= take
        t = time[rec == r]
        keep = t <= take
        for rr, a, b in ref:
            if rr == r and a < take:
                keep &= ~((t > a - 300) & (t < min(b, take) + 300))
        n += int(keep.sum())
        used += int(keep.sum() > 0)
    return n, used

retrained = []
for p in ("00000001", "00000002", "00000003"):
    pp = t["per_patient"][p]
    n_base, used = baseline_windows(p)
    assert abs(pp["baseline_hours"] - n_base / 3600) < 1e-9 and pp["baseline_recordings"] == used, (p, pp, n_base, used)
    if n_base < 0.5 * 2700:
        assert pp["model"] is None and "too little seizure-free baseline" in pp["note"], (p, pp)
        assert not any(f.endswith((".h5", ".txt")) and f not in ("recordings.h5", "log.txt") for f in
                       __import__("os").listdir(f"{tmp}/first/tailor/{p}")), p
        continue
    retrained.append(p)
    m = json.load(open(f"{tmp}/first/tailor/{p}/metrics.json"))
    assert m["n_windows_training"] == n_train + 2 * n_base, (p, m["n_windows_training"], n_train, n_base)
assert retrained == ["00000002"], retrained
thr = json.load(open(f"{tmp}/first_threshold/score.json"))["tailoring"]
assert t["patient_independent"]["counts"] == thr["patient_independent"]["counts"], "the same hours after the cut"
sweep_of = lambda run: json.load(open(f"{tmp}/{run}/score.json"))["sweep"]
assert sweep_of("first") == sweep_of("first_threshold"), "the given model's sweep on the same scored hours"
for scores in (t["patient_independent"], thr["patient_independent"]):  # 3 patients x the last 15 min
    assert abs(scores["total_hours"] - 0.75) < 1e-9, scores["total_hours"]

def probabilities(run, p):
    with h5py.File(f"{tmp}/{run}/predictions.h5", "r") as f:
        paths = [x.decode() for x in f["records/path"][:]]
        rows = np.isin(f["windows/record"][:], [i for i, x in enumerate(paths) if x.split("/")[-1].startswith(p + "_")])
        return f["windows/probability"][:][rows]
own = json.load(open(f"{tmp}/first_own/score.json"))["tailoring"]["patient_independent"]["per_patient"]["00000002"]
assert t["tailored"]["per_patient"]["00000002"] == own, (t["tailored"]["per_patient"]["00000002"], own)
mine = probabilities("first", "00000002")
assert len(mine) > 3000 and np.array_equal(mine, probabilities("first_own", "00000002"))  # its own model scored it
assert not np.array_equal(mine, probabilities("first_threshold", "00000002"))  # not the given model
for p in ("00000001", "00000003"):  # kept the given model: the same probabilities as without tailoring
    assert np.array_equal(probabilities("first", p), probabilities("first_threshold", p)), p
print("e2e_tailor_retrain: --tailor-hours: the baseline windows across recordings, the fallback and each patient's model check out")
PY

# A features file extracted with other settings than the model's training windows: exit 2 before any work.
"$ecg" extract --input "$tmp/train" --output "$tmp/other.h5" --window-s 30 > "$tmp/other.log" 2>&1

bad() {  # expected words, then predict options
  local want=$1
  shift
  set +e
  "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/test" --output "$tmp/bad" "$@" > "$tmp/bad.log" 2>&1
  local rc=$?
  set -e
  [ $rc -eq 2 ] && grep -q -- "$want" "$tmp/bad.log" && [ ! -e "$tmp/bad" ] || { echo "rc=$rc, wanted '$want':"; cat "$tmp/bad.log"; exit 1; }
}
bad "give it as recordings" --tailor-retrain "$tmp/run/features.h5"
bad "not an ecgforest features file" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/model.h5"
bad "tailor_copies" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/features.h5" --tailor-copies 0
echo "0123456789abcdef0123456789abcdef" > "$tmp/key"
bad "other settings than the model's training windows (window 30 s against 10 s" --tailor-baseline "$tmp/base" \
  --tailor-retrain "$tmp/other.h5"
bad "pseudonymis" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/features.h5" --pseudonymise "$tmp/key"
echo "e2e_tailor_retrain: ok"
