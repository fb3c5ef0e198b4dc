#!/usr/bin/env bash
# End-to-end: `train --cv-predictions FILE` (train.cv_predictions) writes the cross-validation's
# out-of-fold predictions in the predictions.h5 layout, and they are the ones the metrics report:
#  - one window per labelled window of features.h5 (read here with h5py, in file order), with the
#    same labels and times;
#  - the pooled out-of-fold ROC AUC computed here (Mann-Whitney with average ranks, numpy) from
#    the file's probabilities and labels equals metrics.json cv.pooled.roc_auc;
#  - the file's events against its reference seizures give the OVLP hits and false alarms and the
#    event count of metrics.json cv_events (recounted here: a seizure is hit when an event of the
#    same recording overlaps it; an event overlapping none is a false alarm);
#  - the model attribute names the model relative to the file's folder;
#  - benchmarks/clinical/postprocess_probe.py, a second (Python) implementation of the events and
#    the budget count, reproduces the CV's chosen operating point from the file (it exits 1 when
#    it does not);
#  - --cv-predictions with --cv-folds 0 is a bad setting: exit 2 naming both keys, nothing written;
#    so is a --cv-predictions path that cannot be written (checked before any work: no model);
#  - with train.min_sqi the CV still scores events, the skipped windows gated (it once skipped the
#    event scores and the operating point silently);
#  - a cohort of one patient has no cross-validation: the model is trained, no file is written,
#    and the metrics' notes say why.
# Usage: e2e_cv_predictions.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 8 --seed 5 --seizure-rate 8 --quiet
"$ecg" extract --input "$tmp/cohort" --output "$tmp/features.h5" > "$tmp/extract.log" 2>&1
"$ecg" train --features "$tmp/features.h5" --model "$tmp/m/model.h5" --trees 20 --cv-folds 2 \
  --cv-predictions "$tmp/cv.h5" > "$tmp/train.log" 2>&1
grep -q "out-of-fold predictions written to $tmp/cv.h5" "$tmp/train.log" || { cat "$tmp/train.log"; exit 1; }

"$py" - "$tmp/features.h5" "$tmp/cv.h5" "$tmp/m/model.metrics.json" <<'PY'
import json, sys
import h5py
import numpy as np

features, cv, metrics = sys.argv[1:4]
m = json.load(open(metrics))
with h5py.File(features, "r") as f:
    flabel = f["windows/label"][:]
    ftime = f["windows/time_s"][:]
keep = np.isfinite(flabel)
with h5py.File(cv, "r") as f:
    assert f.attrs["format"] == "ecgforest-predictions/1", f.attrs["format"]
    assert f.attrs["model"] == "m/model.h5", f.attrs["model"]
    p = f["windows/probability"][:]
    label = f["windows/label"][:]
    time = f["windows/time_s"][:]
    rec = f["windows/record"][:]
    ev = {k: f["events/" + k][:] for k in ("record", "start_s", "stop_s")}
    ref = {k: f["reference/" + k][:] for k in ("record", "start_s", "stop_s")}

assert len(p) == keep.sum() and len(p) > 1000, (len(p), keep.sum())
assert np.array_equal(label, flabel[keep]) and np.array_equal(time, ftime[keep])
assert np.all((p >= 0) & (p <= 1))

# Pooled ROC AUC: Mann-Whitney U with average ranks for ties.
y = label >= 0.5
_, inv, counts = np.unique(p, return_inverse=True, return_counts=True)
ends = np.cumsum(counts)
avg_rank = (ends - (counts - 1) / 2.0)[inv]
npos, nneg = y.sum(), (~y).sum()
auc = (avg_rank[y].sum() - npos * (npos + 1) / 2.0) / (npos * nneg)
want = m["cv"]["pooled"]["roc_auc"]
assert abs(auc - want) < 1e-9, (auc, want)

# OVLP hits and false alarms recounted from the file's events and references.
def overlaps(r, s, e):
    same = ev["record"] == r
    return np.any(same & (ev["start_s"] < e) & (s < ev["stop_s"]))
hits = sum(overlaps(r, s, e) for r, s, e in zip(ref["record"], ref["start_s"], ref["stop_s"]))
fas = 0
for r, s, e in zip(ev["record"], ev["start_s"], ev["stop_s"]):
    same = ref["record"] == r
    fas += not np.any(same & (ref["start_s"] < e) & (s < ref["stop_s"]))
c = m["cv_events"]
assert len(ref["record"]) == c["n_ref_events"] > 0, (len(ref["record"]), c["n_ref_events"])
assert len(ev["record"]) == c["n_hyp_events"], (len(ev["record"]), c["n_hyp_events"])
assert hits == c["counts"]["ovlp"]["hits"], (hits, c["counts"]["ovlp"])
assert fas == c["counts"]["ovlp"]["false_alarms"], (fas, c["counts"]["ovlp"])
assert set(np.unique(rec)) == set(range(int(rec.max()) + 1))
print("e2e_cv_predictions: %d windows, AUC %.6f, %d/%d seizures hit, %d false alarms: as in the metrics"
      % (len(p), auc, hits, len(ref["record"]), fas))
PY

"$py" "$ECGFOREST_SOURCE_DIR/benchmarks/clinical/postprocess_probe.py" "$tmp/cv.h5" "$tmp/m/model.metrics.json" \
  > "$tmp/probe.log" 2>&1 || { echo "FAIL: postprocess_probe.py"; cat "$tmp/probe.log"; exit 1; }
cat "$tmp/probe.log"
grep -q "program grid, 912 settings" "$tmp/probe.log" || { echo "FAIL: the probe did not score the grid"; exit 1; }

# train.min_sqi skips the labelled windows of low sqi: the CV still scores events and chooses the
# operating point, with the skipped windows gated (probability 0, /windows/low_quality 1, in no
# event). The threshold is the 10th percentile of the labelled windows' sqi.
q=$("$py" -c "
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'r') as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f['windows/features'].attrs['columns']]
    sqi = f['windows/features'][:, names.index('sqi')]
    lab = f['windows/label'][:]
print(f'{np.percentile(sqi[np.isfinite(lab)], 10):.4f}')" "$tmp/features.h5")
"$ecg" train --features "$tmp/features.h5" --model "$tmp/msqi/model.h5" --trees 20 --cv-folds 2 --min-sqi "$q" \
  --cv-predictions "$tmp/cv_sqi.h5" > "$tmp/train_sqi.log" 2>&1 || { cat "$tmp/train_sqi.log"; exit 1; }
grep -q "train: operating point chosen by patient-grouped CV" "$tmp/train_sqi.log" ||
  { echo "FAIL: with --min-sqi $q the CV chose no operating point"; cat "$tmp/train_sqi.log"; exit 1; }
"$py" - "$tmp/features.h5" "$tmp/cv_sqi.h5" "$tmp/msqi/model.metrics.json" "$q" <<'PY'
import json, sys
import h5py
import numpy as np
features, cv, metrics, q = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
m = json.load(open(metrics))
assert isinstance(m["cv_events"], dict), m["cv_events"]
with h5py.File(features, "r") as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f["windows/features"].attrs["columns"]]
    sqi = f["windows/features"][:, names.index("sqi")]
    flabel = f["windows/label"][:]
keep = np.isfinite(flabel)
skipped = ~(sqi[keep] >= q)
with h5py.File(cv, "r") as f:
    p = f["windows/probability"][:]
    low = f["windows/low_quality"][:]
    time = f["windows/time_s"][:]
    rec = f["windows/record"][:]
    ev = {k: f["events/" + k][:] for k in ("record", "start_s", "stop_s")}
assert len(p) == keep.sum() and skipped.sum() > 50, (len(p), keep.sum(), skipped.sum())
assert np.all(low[skipped] == 1) and np.all(p[skipped] == 0), "skipped windows are not gated"
assert len(ev["record"]) > 0
for r, s, e in zip(ev["record"], ev["start_s"], ev["stop_s"]):
    inside = (rec == r) & (time > s) & (time <= e)
    assert not np.any(low[inside] == 1), f"an event {s}-{e} s of record {r} holds a gated window"
print(f"e2e_cv_predictions: --min-sqi {q}: {skipped.sum()} skipped windows gated, "
      f"{len(ev['record'])} events, none holding one; operating point chosen")
PY

set +e
"$ecg" train --features "$tmp/features.h5" --model "$tmp/bad/model.h5" --cv-folds 0 --cv-predictions "$tmp/bad.h5" \
  > "$tmp/bad.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: --cv-predictions with --cv-folds 0 gave exit $rc, want 2"; cat "$tmp/bad.log"; exit 1; }
grep -q "train.cv_predictions" "$tmp/bad.log" && grep -q "train.cv_folds" "$tmp/bad.log" ||
  { echo "FAIL: the message does not name both keys"; cat "$tmp/bad.log"; exit 1; }
[ ! -e "$tmp/bad.h5" ] && [ ! -e "$tmp/bad/model.h5" ] || { echo "FAIL: files written for a bad setting"; exit 1; }
mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
set +e
if [ "$(id -u)" -eq 0 ]; then  # root writes anywhere: a path under a regular file cannot be created
  : > "$tmp/plainfile"
  target="$tmp/plainfile/cv.h5"
else
  target="$tmp/ro/cv.h5"
fi
"$ecg" train --features "$tmp/features.h5" --model "$tmp/bad2/model.h5" --cv-folds 2 --cv-predictions "$target" \
  > "$tmp/bad2.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: an unwritable --cv-predictions gave exit $rc, want 2"; cat "$tmp/bad2.log"; exit 1; }
grep -q -- "--cv-predictions" "$tmp/bad2.log" || { echo "FAIL: the message does not name --cv-predictions"; cat "$tmp/bad2.log"; exit 1; }
[ ! -e "$tmp/bad2/model.h5" ] || { echo "FAIL: a model was trained before the output was checked"; exit 1; }
"$synth" --out "$tmp/one" --patients 1 --recordings 2 --minutes 5 --seed 6 --seizure-rate 8 --quiet
"$ecg" extract --input "$tmp/one" --output "$tmp/one.h5" > "$tmp/one_extract.log" 2>&1
"$ecg" train --features "$tmp/one.h5" --model "$tmp/one/model.h5" --trees 5 --cv-folds 2 \
  --cv-predictions "$tmp/one_cv.h5" > "$tmp/one_train.log" 2>&1 || { cat "$tmp/one_train.log"; exit 1; }
[ ! -e "$tmp/one_cv.h5" ] || { echo "FAIL: out-of-fold predictions written without a cross-validation"; exit 1; }
grep -q '"train.cv_predictions: not written, there is no cross-validation' "$tmp/one/model.metrics.json" ||
  { echo "FAIL: the metrics do not say why no out-of-fold predictions were written"; exit 1; }
echo "e2e_cv_predictions: ok"
