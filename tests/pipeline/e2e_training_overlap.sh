#!/usr/bin/env bash
# End-to-end: predict says when a recording it scores was among the model's training data
# (pipeline/training_overlap.hpp), so that scores on training recordings are not taken for
# held-out figures.
#  - `run` on patients 1-3 of a cohort lists their 6 recordings in model.h5 (/training/recordings,
#    6 entries; `inspect` says 6);
#  - `predict --input` on the whole cohort (5 patients, from another directory: the check follows
#    the recording, not its path) names exactly those 6 in score.json's training_overlap, and their
#    3 patients (the truth is the list of files copied for training, not anything the program
#    wrote), and warns in its log;
#  - another cohort whose files have the same names but other beats: no recording is flagged (the
#    fingerprint is more than the name); its patients 1-2 are, since patient ids are compared;
#  - a model whose /training group was deleted (as in models written before it existed) gives
#    checked = false and a line saying the overlap was not checked; its scores are unchanged;
#  - `predict --features` on the training features warns about all 6 recordings;
#  - a model trained under --pseudonymise KEY: predict with the same key names the training
#    recordings and patients by their pseudonyms; without it, nothing is recognised;
#  - tools/report repeats the warning with the names (nothing for unseen recordings);
#  - with --tailor-retrain FEATURES (--tailor-hours), the recordings of FEATURES the model itself
#    did not see are named too.
# Usage: e2e_training_overlap.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/cohort" --format beats --patients 5 --recordings 2 --minutes 45 --seed 21 --seizure-rate 6 --quiet
"$synth" --out "$tmp/other" --format beats --patients 2 --recordings 2 --minutes 45 --seed 22 --seizure-rate 6 --quiet
mkdir -p "$tmp/train" "$tmp/train2"
for p in 00000001 00000002 00000003; do cp -r "$tmp/cohort/$p" "$tmp/train/"; done
for p in 00000001 00000002; do cp -r "$tmp/cohort/$p" "$tmp/train2/"; done
"$ecg" run --input "$tmp/train" --output "$tmp/run" --trees 20 --cv-folds 2 > "$tmp/run.log" 2>&1 || { cat "$tmp/run.log"; exit 1; }

fail() { echo "FAIL: $*"; exit 1; }
predict() {  # OUT, then predict options
  local out=$1
  shift
  "$ecg" predict --output "$out" "$@" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
}
predict "$tmp/all" --model "$tmp/run/model.h5" --input "$tmp/cohort"
predict "$tmp/unseen" --model "$tmp/run/model.h5" --input "$tmp/other"
cp "$tmp/run/model.h5" "$tmp/old_model.h5"
"$py" -c "import h5py, sys; f = h5py.File(sys.argv[1], 'r+'); del f['training']" "$tmp/old_model.h5"
predict "$tmp/old" --model "$tmp/old_model.h5" --input "$tmp/cohort"
"$ecg" predict --model "$tmp/run/model.h5" --features "$tmp/run/features.h5" --output "$tmp/features_probs.h5" \
  > "$tmp/features.log" 2>&1 || { cat "$tmp/features.log"; exit 1; }
"$ecg" inspect "$tmp/run/model.h5" > "$tmp/inspect.log"
"$ecg" inspect "$tmp/old_model.h5" > "$tmp/inspect_old.log"

grep -q "training recordings listed: 6 recordings of 3 patients" "$tmp/inspect.log" || { cat "$tmp/inspect.log"; fail "inspect does not count 6 training recordings"; }
grep -q "training recordings listed: none" "$tmp/inspect_old.log" || { cat "$tmp/inspect_old.log"; fail "inspect of an old model"; }
grep -q "warning: 6 of the 10 recordings predicted were among the model's training data" "$tmp/all.log" ||
  { cat "$tmp/all.log"; fail "no warning for the 6 training recordings"; }
grep -q "score.json lists them under training_overlap" "$tmp/all.log" || fail "the warning does not point at score.json"
grep -q "warning: 3 of the 5 patients predicted have the ids of patients the model was trained on (00000001, 00000002, 00000003)" \
  "$tmp/all.log" || { cat "$tmp/all.log"; fail "no warning for the 3 training patients"; }
grep -q "training data" "$tmp/unseen.log" && { cat "$tmp/unseen.log"; fail "a warning on unseen recordings"; }
grep -q "whether any recording predicted here trained it was not checked" "$tmp/old.log" ||
  { cat "$tmp/old.log"; fail "no 'not checked' line for a model without its list"; }
grep -q "warning: 6 of the 6 recordings predicted were among the model's training data" "$tmp/features.log" ||
  { cat "$tmp/features.log"; fail "predict --features does not warn"; }
grep -q "score.json" "$tmp/features.log" && fail "predict --features writes no score.json but the warning names one"

"$py" - "$tmp" <<'PY'
import glob, json, os, sys
import h5py

tmp = sys.argv[1]
def names(d):
    return sorted(os.path.basename(p)[: -len("_beats.csv")] for p in glob.glob(f"{d}/*/*_beats.csv"))

trained = names(f"{tmp}/train")
assert len(trained) == 6, trained
with h5py.File(f"{tmp}/run/model.h5", "r") as f:
    fp = f["training/recordings"][:]
    assert len(fp) == 6 and list(fp) == sorted(fp), fp
    assert "hashes" in f["training"].attrs["about"], dict(f["training"].attrs)

def overlap(run):
    return json.load(open(f"{tmp}/{run}/score.json"))["training_overlap"]

o = overlap("all")
assert o["checked"] is True and sorted(o["recordings"]) == trained, (o, trained)
assert o["patients"] == sorted({n[:8] for n in trained}), o
assert len(names(f"{tmp}/cohort")) == 10
u = overlap("unseen")
assert names(f"{tmp}/other") == names(f"{tmp}/train2"), "the other cohort reuses the training file names"
assert u == {"checked": True, "recordings": [], "patients": ["00000001", "00000002"]}, u
old = overlap("old")
assert old == {"checked": False, "recordings": [], "patients": []}, old
a, b = json.load(open(f"{tmp}/all/score.json")), json.load(open(f"{tmp}/old/score.json"))
for k in ("ovlp_sensitivity", "ovlp_fa_per_24h", "taes_sensitivity", "counts", "per_patient"):
    assert a[k] == b[k], (k, a[k], b[k])  # the list changes what predict says, not what it detects
print("training overlap: 6 of 10 named; other cohort with the same names: none; old model: not checked")
PY

# tools/report names them in a warning; says nothing for unseen recordings; says "not checked" for the old model.
for d in all unseen old; do
  "$py" "${ECGFOREST_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tools/report" "$tmp/run" --predictions "$tmp/$d" \
    --out "$tmp/report_$d" --recordings 0 > /dev/null || fail "tools/report on $d"
done
grep -q "Warning: 6 of the recordings scored by predict were among the model's training data" "$tmp/report_all/report.html" ||
  fail "the report does not warn about the 6 training recordings"
for n in 00000001_s001_t000 00000003_s001_t001; do grep -q "$n" "$tmp/report_all/report.html" || fail "the report does not name $n"; done
grep -q "training data" "$tmp/report_unseen/report.html" && fail "the report warns on unseen recordings"
grep -q "Warning: 2 of the patients scored by predict have the ids of patients the model was trained on" "$tmp/report_unseen/report.html" ||
  fail "the report does not name the training patients' ids"
grep -q "was not checked" "$tmp/report_old/report.html" || fail "the report of the old model does not say the overlap was not checked"

# --pseudonymise with one key for training and predict: the pseudonyms are recognised (the truth:
# the names and patient ids extract wrote in the pseudonymised features file).
head -c 48 /dev/urandom | base64 > "$tmp/key"
"$ecg" run --input "$tmp/train" --output "$tmp/prun" --trees 20 --cv-folds 2 --pseudonymise "$tmp/key" > "$tmp/prun.log" 2>&1 ||
  { cat "$tmp/prun.log"; exit 1; }
predict "$tmp/pall" --model "$tmp/prun/model.h5" --input "$tmp/cohort" --pseudonymise "$tmp/key"
predict "$tmp/preal" --model "$tmp/prun/model.h5" --input "$tmp/cohort"
"$py" - "$tmp" <<'PY'
import json, os, re, sys
import h5py
tmp = sys.argv[1]
with h5py.File(f"{tmp}/prun/features.h5", "r") as f:
    rec = f["records"][:]
    names = sorted(re.match(r"R[0-9a-f]{16}", os.path.basename(p.decode())).group(0) for p in rec["path"])
    patients = sorted({p.decode() for p in rec["patient"]})
assert len(names) == 6 and all(n.startswith("R") for n in names) and len(patients) == 3, (names, patients)
o = json.load(open(f"{tmp}/pall/score.json"))["training_overlap"]
assert sorted(o["recordings"]) == names and sorted(o["patients"]) == patients, (o, names, patients)
r = json.load(open(f"{tmp}/preal/score.json"))["training_overlap"]
assert r == {"checked": True, "recordings": [], "patients": []}, r  # real names against pseudonyms: not recognised
print("--pseudonymise: 6 pseudonymised training recordings and 3 patients recognised with the same key")
PY

# --tailor-retrain: the model saw patients 1-2; FEATURES (patients 1-3) also holds patient 3.
# With seizure-free baseline recordings both patients 3 and 4 get their own model, trained on
# FEATURES: patient 3's recordings are named. With --tailor-hours 1 (their seizures leave too
# little of it seizure-free) neither does, the given model detects them, and it never saw
# patient 3: nothing is named.
"$ecg" run --input "$tmp/train2" --output "$tmp/run2" --trees 20 --cv-folds 2 > "$tmp/run2.log" 2>&1 || { cat "$tmp/run2.log"; exit 1; }
mkdir -p "$tmp/p2" && cp -r "$tmp/cohort/00000003" "$tmp/cohort/00000004" "$tmp/p2/"
"$synth" --out "$tmp/base" --format beats --patients 2 --first-id 3 --recordings 1 --minutes 60 --seed 23 --seizure-rate 0 --quiet
rm "$tmp"/base/*/*.tse_bi  # seizure-free by declaration
predict "$tmp/retrain" --model "$tmp/run2/model.h5" --input "$tmp/p2" --tailor-baseline "$tmp/base" --tailor-retrain "$tmp/run/features.h5"
predict "$tmp/fallback" --model "$tmp/run2/model.h5" --input "$tmp/p2" --tailor-hours 1 --tailor-retrain "$tmp/run/features.h5"
predict "$tmp/plain2" --model "$tmp/run2/model.h5" --input "$tmp/p2"
grep -q "models retrained for 2 of 2 patient(s)" "$tmp/retrain.log" || { cat "$tmp/retrain.log"; fail "patients 3 and 4 were not both retrained"; }
grep -q "models retrained for 0 of 2 patient(s)" "$tmp/fallback.log" || { cat "$tmp/fallback.log"; fail "a patient was retrained on too little baseline"; }
"$py" - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
o = json.load(open(f"{tmp}/retrain/score.json"))["training_overlap"]
want = ["00000003_s001_t000", "00000003_s001_t001"]
assert o["checked"] is True and sorted(o["recordings"]) == want and o["patients"] == ["00000003"], o
for run in ("fallback", "plain2"):
    p = json.load(open(f"{tmp}/{run}/score.json"))["training_overlap"]
    assert p == {"checked": True, "recordings": [], "patients": []}, (run, p)
print("--tailor-retrain: FEATURES' recordings are named for the patients their own models detect:", want)
PY
grep -q "warning: 2 of the 4 recordings predicted" "$tmp/retrain.log" || { cat "$tmp/retrain.log"; fail "--tailor-retrain warning"; }

# Two ranks: the same overlap as one.
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/cohort" --output "$tmp/all_np2" > "$tmp/all_np2.log" 2>&1 ||
  { cat "$tmp/all_np2.log"; exit 1; }
"$py" -c "
import json, sys
a, b = (json.load(open(f'{sys.argv[1]}/{d}/score.json'))['training_overlap'] for d in ('all', 'all_np2'))
assert a == b and len(a['recordings']) == 6, (a, b)" "$tmp"
echo "e2e_training_overlap: ok"
