#!/usr/bin/env bash
# End-to-end: run (extract + train with patient-grouped CV, event-level CV scores), predict on
# EDF recordings of new patients (tse_bi/csv_bi/predictions.h5/score.json), `score` on the
# written annotations, then tools/report; checks the JSON keys, that `score` reproduces
# predict's numbers from the files alone, and that the HTML is self-contained with valid PNGs.
# Usage: e2e_report.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
src=${ECGFOREST_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1

"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 8 --seed 3 --seizure-rate 8 --quiet
"$synth" --out "$tmp/new" --patients 2 --recordings 2 --minutes 8 --seed 11 --seizure-rate 8 --quiet

echo "== run (2 ranks)"
# --alarm-within 3600: every CV detection in these 8-min recordings is alarmed within the hour, so
# the ranking is the default's (checked below against a plain train) and alarmed_within == hits.
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/cohort" --output "$tmp/run" --trees 20 --cv-folds 2 --alarm-within 3600 > "$tmp/run.log"
"${mpi[@]}" -np 2 "$ecg" train --features "$tmp/run/features.h5" --model "$tmp/plain/model.h5" --trees 20 --cv-folds 2 > "$tmp/plain.log"
echo "== predict --input (2 ranks)"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" --output "$tmp/run/predictions" \
  --smoothing median --smoothing-windows 3 --min-duration-s 3 --merge-gap-s 5 | tee "$tmp/predict.log"
grep -q "predict: scored 4 recordings" "$tmp/predict.log"
echo "== score"
"$ecg" score --ref "$tmp/new" --hyp "$tmp/run/predictions" --json "$tmp/score_cli.json" | tee "$tmp/score.log"
echo "== report"
"$py" "$src/tools/report" "$tmp/run" --recordings 2 | tee "$tmp/report.log"

"$py" - "$tmp" <<'PY'
import base64, glob, json, math, os, re, sys
import h5py, numpy as np
tmp = sys.argv[1]
keys = ["ovlp_sensitivity", "ovlp_fa_per_24h", "taes_sensitivity", "taes_fa_per_24h", "epoch_sensitivity",
        "epoch_specificity", "n_ref_events", "n_hyp_events", "total_hours", "latency_median_s"]
m = json.load(open(f"{tmp}/run/metrics.json"))
cv = m["cv_events"]
op, plain = m["operating_point"], json.load(open(f"{tmp}/plain/model.metrics.json"))["operating_point"]
assert op["alarm_within_s"] == 3600 and plain.get("alarm_within_s", 0) == 0, (op["alarm_within_s"], plain["alarm_within_s"])
assert op["chosen"] == plain["chosen"], (op["chosen"], plain["chosen"])
assert op["cv"]["hits"] > 0 and all(q["alarmed_within"] == q["hits"] for q in [op["cv"]] + op["curve"]), op
assert "alarmed_within" not in plain["cv"], plain["cv"]
assert isinstance(cv, dict), f"cv_events: {cv}"
p = json.load(open(f"{tmp}/run/predictions/score.json"))
c = json.load(open(f"{tmp}/score_cli.json"))
for d in (cv, p, c):
    missing = [k for k in keys if k not in d]
    assert not missing, missing
# 8 recordings of 8 min in the CV; 4 new recordings of 8 min.
assert cv["n_recordings"] == 8 and abs(cv["total_hours"] - 8 * 8 / 60) < 0.01, cv
assert p["n_recordings"] == 4 and abs(p["total_hours"] - 4 * 8 / 60) < 0.01, p
assert len(cv["sweep"]) == 19 and "best_operating_point" in cv
# The reference seizures of the new cohort, counted from its .tse_bi files independently.
n_ref = 0
for root, _, files in os.walk(f"{tmp}/new"):
    for fn in files:
        if fn.endswith(".tse_bi"):
            for line in open(os.path.join(root, fn)):
                t = line.split()
                if len(t) == 4 and t[2] == "seiz":
                    n_ref += 1
assert p["n_ref_events"] == n_ref and c["n_ref_events"] == n_ref, (n_ref, p["n_ref_events"], c["n_ref_events"])
# `score --scorer all` (the default) adds the SzCORE blocks with the reference's names.
for k in ("tp", "fp", "refTrue", "sensitivity", "precision", "f1", "fpRate"):
    assert k in c["szcore"]["event"] and k in c["szcore"]["sample"], k
assert "f1_std" in c["szcore_dataset"]["per_subject_mean"]["event"] and c["szcore_dataset"]["n_subjects"] >= 1
# `score` on the written files reproduces predict's numbers (the files carry the events).
for k in keys:
    a, b = p[k], c[k]
    assert (a is None and b is None) or abs(a - b) < 1e-3, (k, a, b)
# predictions.h5: one probability per window, events equal to the .tse_bi files.
with h5py.File(f"{tmp}/run/predictions/predictions.h5", "r") as f:
    assert f.attrs["format"] in ("ecgforest-predictions/1", b"ecgforest-predictions/1")
    prob = f["windows/probability"][()]
    assert prob.dtype == np.float32 and len(prob) == f["windows/time_s"].shape[0] == f["windows/label"].shape[0]
    assert np.all((prob >= 0) & (prob <= 1))
    assert int(f["records/n_windows"][()].sum()) == len(prob)
    paths = [x.decode() if isinstance(x, bytes) else x for x in f["records/path"][()]]
    n_events = len(f["events/record"][()])
seiz_rows = 0
for pth in paths:
    stem = os.path.splitext(os.path.basename(pth))[0]
    lines = open(f"{tmp}/run/predictions/{stem}.tse_bi").read().splitlines()
    assert lines[0] == "version = tse_v1.0.0" and lines[1] == "", lines[:2]
    seiz_rows += sum(1 for l in lines[2:] if l.split()[2] == "seiz")
    csv = open(f"{tmp}/run/predictions/{stem}.csv_bi").read()
    assert csv.startswith("# version = csv_v1.0.0\n") and "channel,start_time,stop_time,label,confidence\n" in csv
    tsv = open(f"{tmp}/run/predictions/{stem}_events.tsv").read().splitlines()  # SzCORE hypotheses
    assert tsv[0].split("\t") == ["onset", "duration", "eventType", "confidence", "channels", "dateTime", "recordingDuration"]
    # dateTime: the recording's start from its EDF header (dd.mm.yy, hh.mm.ss), not a placeholder.
    edf = glob.glob(f"{tmp}/new/**/{stem}.edf", recursive=True)
    assert len(edf) == 1, (stem, edf)
    head = open(edf[0], "rb").read(184).decode("ascii")
    d, mo, y = head[168:176].split("."); h, mi, se = head[176:184].split(".")
    want_dt = f"{1900 + int(y) if int(y) >= 85 else 2000 + int(y):04d}-{mo}-{d} {h}:{mi}:{se}"
    assert want_dt != "1985-01-01 00:00:00" and all(l.split("\t")[5] == want_dt for l in tsv[1:]), (stem, want_dt, tsv[1:])
    sz = sum(1 for l in tsv[1:] if l.split("\t")[2] == "sz")
    assert sz == sum(1 for l in lines[2:] if l.split()[2] == "seiz") and (sz or tsv[1].split("\t")[2] == "bckg"), tsv
assert seiz_rows == n_events == p["n_hyp_events"], (seiz_rows, n_events, p["n_hyp_events"])
# The report: one self-contained HTML with embedded PNGs, same images on disk.
html = open(f"{tmp}/run/report/report.html", encoding="utf-8").read()
assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
assert "src=\"http" not in html and "<script" not in html
imgs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
assert len(imgs) >= 5, len(imgs)  # roc_pr, sensitivity_fa, importances, 2 recordings
for b in imgs:
    raw = base64.b64decode(b)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > 2000
    w, h = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    assert 200 < w < 3000 and 100 < h < 3000, (w, h)
for name in ("roc_pr.png", "sensitivity_fa.png", "importances.png"):
    assert os.path.getsize(f"{tmp}/run/report/{name}") > 2000, name
assert f"alarmed within 3600 s of onset: {op['cv']['hits']}/{op['cv']['n_ref']}" in html, "report lacks the in-time count"
assert "<th>alarmed within 3600 s</th>" in html and html.count("<th>alarmed within") == 1, "report lacks the curve column"
for word in ("OVLP", "TAES", "held-out", "Feature importances", "ROC"):
    assert word in html, word
print(f"report check: {len(imgs)} images, CV OVLP sens {cv['ovlp_sensitivity']} FA/24h {cv['ovlp_fa_per_24h']}")
PY
echo "== report on train's model folder (model.h5 and model.metrics.json, no metrics.json)"
"$ecg" train --features "$tmp/run/features.h5" --model "$tmp/trained/model.h5" --trees 10 > "$tmp/train_only.log"
"$py" "$src/tools/report" "$tmp/trained" > "$tmp/report_train.log"
"$py" - "$tmp/trained" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(f"{d}/model.metrics.json"))
page = open(f"{d}/report/report.html", encoding="utf-8").read()
assert "cross-validation, held-out patients" in page, "the report of a train folder lacks the CV's event scores"
c = m["operating_point"]["cv"]
assert f"({c['hits']}/{c['n_ref']}) at" in page, "the report lacks train's operating point"
print("report of a train folder: CV event scores and operating point shown")
PY
cp "$tmp/trained/model.metrics.json" "$tmp/trained/other.metrics.json"
set +e
"$py" "$src/tools/report" "$tmp/trained" > "$tmp/report_two.log" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "holds 2 models' metrics" "$tmp/report_two.log" || { cat "$tmp/report_two.log"; echo "two metrics files: want exit 2"; exit 1; }

echo "== predict --input with 3 threads per rank (recordings in parallel): the same files"
OMP_NUM_THREADS=3 "${mpi[@]}" -x OMP_NUM_THREADS -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/new" \
  --output "$tmp/pred_t3" --smoothing median --smoothing-windows 3 --min-duration-s 3 --merge-gap-s 5 > "$tmp/pred_t3.log"
for f in "$tmp"/run/predictions/*.tse_bi "$tmp"/run/predictions/*.csv_bi; do
  cmp "$f" "$tmp/pred_t3/$(basename "$f")"
done
"$py" - "$tmp/run/predictions/predictions.h5" "$tmp/pred_t3/predictions.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
assert names and "windows/probability" in names, names
for n in names:
    x, y = a[n][()], b[n][()]
    same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
    assert same, f"{n} differs between 1 and 3 threads"
print(f"predictions.h5: {len(names)} datasets identical for 1 and 3 threads per rank")
PY

echo "== predict --input: two inputs with one file name stop the run before any work"
mkdir -p "$tmp/dup/a" "$tmp/dup/b"
one=$(find "$tmp/new" -name '*.edf' | sort | head -1)
cp "$one" "$tmp/dup/a/" && cp "$one" "$tmp/dup/b/"
set +e
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/dup" --output "$tmp/dup_out" > "$tmp/dup.log" 2>&1
rc=$?
set -e
# A bad command line: exit 2 (configuration), and no output folder left behind.
[ "$rc" = 2 ] || { cat "$tmp/dup.log"; echo "expected exit 2 for duplicate file names, got $rc"; exit 1; }
grep -q "Two inputs share the file name" "$tmp/dup.log"
test ! -e "$tmp/dup_out"
echo "e2e_report: 1 passed, 0 failed"
