#!/usr/bin/env bash
# End-to-end: extract stores each recording's reference seizures (/reference) and the window
# settings (typed root attributes) in features.h5, and train's event-level CV scores use them:
#  - /reference equals the seizures the generator wrote into cohort.json (not read back by the
#    code under test), and /reference/annotated is 1 for every annotated recording;
#  - with the cohort folder (EDF files and annotations) moved away, train gives the same
#    cv_events as with it (nothing is reopened), with n_ref_events = the cohort's seizure count;
#  - a features file without /reference (as written before it existed) trains, and cv_events says
#    why the event-level scores were skipped.
#  - the model stores the features' window settings as typed attributes, and predict refuses a
#    model without them (written before they existed) with a sentence saying to retrain.
# Usage: e2e_train_cv_reference.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 8 --seed 5 --seizure-rate 8 --quiet
"$ecg" extract --input "$tmp/cohort" --output "$tmp/features.h5" > "$tmp/extract.log" 2>&1
"$ecg" train --features "$tmp/features.h5" --model "$tmp/a/model.h5" --trees 20 --cv-folds 2 > "$tmp/a.log" 2>&1
mv "$tmp/cohort" "$tmp/cohort_moved"
"$ecg" train --features "$tmp/features.h5" --model "$tmp/b/model.h5" --trees 20 --cv-folds 2 > "$tmp/b.log" 2>&1
cp "$tmp/features.h5" "$tmp/old.h5"
"$py" - "$tmp/old.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "a") as f:
    del f["reference"]
PY
"$ecg" train --features "$tmp/old.h5" --model "$tmp/c/model.h5" --trees 20 --cv-folds 2 > "$tmp/c.log" 2>&1
cp "$tmp/a/model.h5" "$tmp/old_model.h5"
"$py" - "$tmp/old_model.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "a") as f:
    for k in ("window_s", "step_s", "detector", "hrv_profile"):
        del f.attrs[k]
PY
"$synth" --out "$tmp/new" --patients 1 --recordings 1 --minutes 3 --seed 9 --quiet
set +e
"$ecg" predict --model "$tmp/old_model.h5" --input "$tmp/new" --output "$tmp/p_old" > "$tmp/p_old.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { echo "predict with an old model: exit $rc, expected 1"; cat "$tmp/p_old.log"; exit 1; }
grep -q "old_model.h5 was written by an older ecgforest without its typed window settings" "$tmp/p_old.log" \
  || { cat "$tmp/p_old.log"; exit 1; }
"$ecg" predict --model "$tmp/a/model.h5" --input "$tmp/new" --output "$tmp/p_new" > "$tmp/p_new.log" 2>&1

"$py" - "$tmp" <<'PY'
import json, sys
import h5py, numpy as np
tmp = sys.argv[1]
cohort = json.load(open(f"{tmp}/cohort_moved/cohort.json"))
truth = {r["path"]: sorted((s["start_s"], s["stop_s"])
                           for s in r["seizures"]) for r in cohort["recordings"]}
n_true = sum(len(v) for v in truth.values())
assert n_true >= 3, f"the cohort should hold seizures ({n_true})"
with h5py.File(f"{tmp}/features.h5", "r") as f:
    paths = [p.decode() for p in f["records"]["path"]]
    ann = f["reference/annotated"][()]
    rec, start, stop = f["reference/record"][()], f["reference/start_s"][()], f["reference/stop_s"][()]
    assert f.attrs["step_s"] == 1.0 and f.attrs["window_s"] > 0, dict(f.attrs)
    det = f.attrs["detector"]
    assert (det.decode() if isinstance(det, bytes) else det) == "default"
assert ann.tolist() == [1] * len(paths), ann
for i, p in enumerate(paths):
    got = sorted(zip(start[rec == i].tolist(), stop[rec == i].tolist()))
    want = truth[p]
    assert len(got) == len(want), (p, got, want)
    for (a, b), (c, d) in zip(got, want):
        assert abs(a - c) < 1e-3 and abs(b - d) < 1e-3, (p, got, want)
with h5py.File(f"{tmp}/a/model.h5", "r") as m, h5py.File(f"{tmp}/features.h5", "r") as f:
    for k in ("window_s", "step_s", "detector", "hrv_profile"):
        assert m.attrs[k] == f.attrs[k], (k, m.attrs[k], f.attrs[k])
    assert m.attrs["postprocess_threshold"] > 0 and m.attrs["postprocess_smoothing_windows"] >= 1
with h5py.File(f"{tmp}/p_new/predictions.h5", "r") as p:
    t = p["windows/time_s"][()]
    assert abs((t[1] - t[0]) - 1.0) < 1e-9, t[:3]
def cv(name):
    return json.load(open(f"{tmp}/{name}/model.metrics.json"))["cv_events"]
a, b, c = cv("a"), cv("b"), cv("c")
assert isinstance(a, dict) and a["n_ref_events"] == n_true, a
drop = lambda d: {k: v for k, v in d.items() if not k.endswith("seconds")}
assert drop(a) == drop(b), "cv_events changed when the recordings were moved away"
assert isinstance(c, str) and "run extract again" in c, c
print(f"e2e_train_cv_reference: {n_true} reference seizures stored and scored without the recordings")
PY
