#!/usr/bin/env bash
# Resumable training: a train killed part-way (in a cross-validation fold, or in the final forest)
# and rerun with the same model path at another rank count takes the finished trees from
# MODEL.checkpoint/ and writes the same model as an uninterrupted run (every dataset, the stored
# configuration, post-processing and metrics; only the creation time, the run time and the rank
# count differ). Checkpoints of other settings are ignored and said so; the directory is removed
# once the model is written. The kill is the test hook ECGFOREST_TEST_EXIT_AFTER_TREES=K (every
# tree is checkpointed at once, and the process _Exits like kill -9 after growing K trees).
# Usage: e2e_train_resume.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
"$synth" --out "$tmp/cohort" --patients 3 --recordings 1 --minutes 5 --seed 9 --seizure-rate 8 --quiet
export OMP_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }
"$ecg" extract --input "$tmp/cohort" --output "$tmp/f.h5" >/dev/null 2>&1
train=(train --features "$tmp/f.h5" --trees 8 --cv-folds 2)

# same_model REF MODEL: every dataset and attribute equal, except the creation time, the run time,
# the rank count (metrics n_ranks/train_seconds, "on N rank(s)" in the summary) and the model
# path in the stored configuration.
same_model() {
  "$py" - "$1" "$2" <<'PY'
import json, re, sys
import h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
def datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[...].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out
da, db = datasets(a), datasets(b)
assert da.keys() == db.keys(), (sorted(da), sorted(db))
for k in da:
    assert da[k] == db[k], "dataset " + k + " differs"
assert set(a.attrs) == set(b.attrs)
def norm(name, v):
    v = v.decode() if isinstance(v, bytes) else v
    if name == "metrics":
        m = json.loads(v); m.pop("train_seconds"); m.pop("n_ranks")
        for c in m.get("tune", {}).get("candidates", []):  # how a candidate's trees came about (see the tune case)
            c.pop("trees")
        return m
    if name == "config":  # the model path is part of the stored configuration
        return re.sub(r'(?m)^model = .*$', '', v)
    if name == "summary":
        return re.sub(r"on \d+ rank\(s\)|  \(configured trees, leaf values re-derived\)", "", v)
    return v.tolist() if isinstance(v, np.ndarray) else v
for k in a.attrs:
    if k != "created":
        assert norm(k, a.attrs[k]) == norm(k, b.attrs[k]), "attribute " + k + " differs"
print("same model:", len(da), "datasets,", len(a.attrs), "attributes")
PY
}

echo "== uninterrupted reference (1 rank)"
"$ecg" "${train[@]}" --model "$tmp/ref.h5" >"$tmp/ref.log" 2>&1
[ ! -e "$tmp/ref.h5.checkpoint" ] || fail "checkpoint directory left after a successful train"

echo "== 1 rank killed after 11 trees (3 trees into fold 2/2), resumed on 2 ranks"
set +e
ECGFOREST_TEST_EXIT_AFTER_TREES=11 "$ecg" "${train[@]}" --model "$tmp/a.h5" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 86 ] || fail "killed run exited with $rc, expected the test hook's 86"
[ ! -e "$tmp/a.h5" ] || fail "a killed run left a model file"
ls "$tmp/a.h5.checkpoint"/*.trees >/dev/null || fail "no checkpoint files"
"${mpi[@]}" -np 2 "$ecg" "${train[@]}" --model "$tmp/a.h5" >"$tmp/a.log" 2>&1
grep -q "^train: fold 1/2: 8 of 8 trees restored from $tmp/a.h5.checkpoint" "$tmp/a.log" || fail "fold 1 not restored"
grep -q "^train: fold 2/2: 3 of 8 trees restored" "$tmp/a.log" || fail "fold 2 not partly restored"
if grep -q "final forest: .* restored" "$tmp/a.log"; then fail "final-forest trees restored that were never grown"; fi
same_model "$tmp/ref.h5" "$tmp/a.h5"
[ ! -e "$tmp/a.h5.checkpoint" ] || fail "checkpoint directory not removed after the model was written"

echo "== 2 ranks killed in the final forest (after 10 trees each), resumed on 3 ranks"
set +e
ECGFOREST_TEST_EXIT_AFTER_TREES=10 "${mpi[@]}" -np 2 "$ecg" "${train[@]}" --model "$tmp/b.h5" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "the killed 2-rank run exited 0"
[ ! -e "$tmp/b.h5" ] || fail "a killed run left a model file"
"${mpi[@]}" -np 3 "$ecg" "${train[@]}" --model "$tmp/b.h5" >"$tmp/b.log" 2>&1
grep -q "^train: fold 2/2: 8 of 8 trees restored" "$tmp/b.log" || fail "fold 2 not restored"
# Each rank stores a tree before it may exit; mpirun may stop the slower rank a little earlier.
grep -Eq "^train: final forest: [2-4] of 8 trees restored" "$tmp/b.log" || fail "expected 2-4 final-forest trees restored"
same_model "$tmp/ref.h5" "$tmp/b.h5"

echo "== checkpoints of other settings are ignored and said so"
set +e
ECGFOREST_TEST_EXIT_AFTER_TREES=5 "$ecg" "${train[@]}" --model "$tmp/c.h5" --max-depth 3 >/dev/null 2>&1
set -e
n_stale=$(ls "$tmp/c.h5.checkpoint"/*.trees | wc -l)
[ "$n_stale" -ge 1 ] || fail "no checkpoint files from the killed run"
"$ecg" "${train[@]}" --model "$tmp/c.h5" >"$tmp/c.log" 2>&1
grep -q "^train: note: $n_stale checkpoint file(s) in $tmp/c.h5.checkpoint are from other training data, settings" \
  "$tmp/c.log" || fail "stale checkpoints not reported"
if grep -q "restored" "$tmp/c.log"; then fail "trees grown with max_depth 3 were reused"; fi
same_model "$tmp/ref.h5" "$tmp/c.h5"
[ ! -e "$tmp/c.h5.checkpoint" ] || fail "stale checkpoint files not removed after the model was written"
echo "== --tune killed in the configured setting's fold trees, resumed"
# Restored trees carry no node counts, so the leaf_prior candidate, which an uninterrupted run
# scores with the configured fold trees and re-derived leaf values, is grown instead: the same
# scores and the same model, only the candidate's "trees" entry says how it came about.
tune=(train --features "$tmp/f.h5" --trees 12 --cv-folds 0 --tune)
"$ecg" "${tune[@]}" --model "$tmp/tref.h5" >"$tmp/tref.log" 2>&1
set +e
ECGFOREST_TEST_EXIT_AFTER_TREES=3 "$ecg" "${tune[@]}" --model "$tmp/t.h5" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 86 ] || fail "killed --tune run exited with $rc, expected the test hook's 86"
"$ecg" "${tune[@]}" --model "$tmp/t.h5" >"$tmp/t.log" 2>&1
grep -q "^train: tune 1/[0-9]* fold 1/3: 2 of 2 trees restored" "$tmp/t.log" || fail "tune fold trees not restored"
"$py" - "$tmp/tref.h5.metrics.json" "$tmp/t.h5.metrics.json" "$tmp/tref.metrics.json" "$tmp/t.metrics.json" <<'PY'
import json, os, sys
paths = [p for p in sys.argv[1:] if os.path.exists(p)]
assert len(paths) == 2, paths
ref, res = (json.load(open(p))["tune"]["candidates"] for p in paths)
how = lambda cs: [c["trees"] for c in cs if c["leaf_prior"] != cs[0]["leaf_prior"]]
assert how(ref) == ["the configured setting's, leaf values re-derived"], how(ref)
assert how(res) == ["grown"], how(res)
assert [c["roc_auc"] for c in ref] == [c["roc_auc"] for c in res], "resumed tuning scored differently"
print("tune resume: prior candidate re-derived in the reference, grown after the resume; same scores")
PY
same_model "$tmp/tref.h5" "$tmp/t.h5"
echo "e2e_train_resume: 1 passed, 0 failed"
