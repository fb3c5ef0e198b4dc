#!/usr/bin/env bash
# Heart-beat recordings without ECG (NAME_rr.csv[.gz], NAME_beats.csv[.gz]) through extract, run
# and predict --input on 2 ranks; every output is checked by tests/pipeline/check_beats.py.
#   1. real 24-h recordings of ../shared/data/rr_daily (skipped when absent): three RR tables
#      given as a directory and one of them also as a beats file: durations, window counts, and
#      RR table vs beats file agreement;
#   2. the synthetic cohort's true beats as beat files (make_beat_cohort.py): run (extract +
#      train) with labels recomputed from the annotations, then predict --input;
#   3. EDF recordings and the RR tables extract --rr-csv writes from them give the same features;
#   4. malformed beat files are /records rows naming the file, and the run goes on; an EDF and a
#      beat file of one NAME in one directory stop the run before any work, naming both.
# Usage: e2e_beats.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
daily="${ECGFOREST_SOURCE_DIR:-$here/../..}/../shared/data/rr_daily"

if [ -d "$daily/rr" ]; then
  echo "== rr_daily: a directory of 3 RR tables and one beats file, extract on 2 ranks"
  mkdir -p "$tmp/daily_rr" "$tmp/daily_beats"
  for r in nsr001 nsr003 nsr047; do ln -s "$(cd "$daily/rr" && pwd)/${r}_rr.csv.gz" "$tmp/daily_rr/"; done
  ln -s "$(cd "$daily/beats" && pwd)/nsr001_beats.csv.gz" "$tmp/daily_beats/"
  OMP_NUM_THREADS=1 "${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/daily_rr" "$tmp/daily_beats" \
    --output "$tmp/daily.h5" | tee "$tmp/daily.log"
  grep -q "4 recordings: 4 ok" "$tmp/daily.log"
  "$py" "$here/check_beats.py" daily "$tmp/daily.h5" "$daily/records.csv"
  "$ecg" inspect "$tmp/daily.h5" | grep -q "ecgforest features file"
else
  echo "== rr_daily not found at $daily: real-recording part skipped"
fi

echo "== synthetic beats cohort: run on 2 ranks, then predict --input"
"$synth" --out "$tmp/synth" --patients 4 --recordings 2 --minutes 8 --seed 3 --seizure-rate 8 --quiet
"$py" "$here/make_beat_cohort.py" "$tmp/synth" "$tmp/cohort"
OMP_NUM_THREADS=2 "${mpi[@]}" -np 2 "$ecg" run --input "$tmp/cohort" --output "$tmp/run" --trees 20 --cv-folds 2 \
  | tee "$tmp/run.log"
test -s "$tmp/run/model.h5"
"$py" "$here/check_beats.py" cohort "$tmp/run/features.h5" "$tmp/cohort"
"$ecg" inspect "$tmp/run/features.h5" | grep -q "kinds: beats_csv=7 rr_csv=1"
"$ecg" inspect "$tmp/cohort"/*_rr.csv.gz | grep -q "RR table of recording 00000001_s001_t000, .* rows"
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/cohort" --output "$tmp/pred" \
  | tee "$tmp/pred.log"
"$py" "$here/check_beats.py" predict "$tmp/pred" "$tmp/cohort"

echo "== predict on the beat files without their annotations, scored later against them"
# A beat file states no length; its hypothesis files state it in whole seconds (its last beat,
# rounded up), so that SzCORE pairs them with the 480-s references. They stated the last beat's
# time, and SzCORE then took every hypothesis for "no detection" (0 of the seizures).
rm -rf "$tmp/noann" && mkdir -p "$tmp/noann/in" "$tmp/noann/ref"
cp "$tmp/cohort"/*_beats.csv* "$tmp/cohort"/*_rr.csv* "$tmp/noann/in/"
cp "$tmp/cohort"/*.tse_bi "$tmp/noann/ref/"
"$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/noann/in" --output "$tmp/noann/pred" > /dev/null
[ ! -e "$tmp/noann/pred/score.json" ] || { echo "predict scored recordings without annotations"; exit 1; }
"$ecg" score --ref "$tmp/noann/ref" --hyp "$tmp/noann/pred" --json "$tmp/noann/later.json" > /dev/null
"$ecg" score --ref "$tmp/noann/ref" --hyp "$tmp/pred" --json "$tmp/noann/with.json" > /dev/null
"$py" - "$tmp/noann" <<'PY'
import glob, json, sys
d = sys.argv[1]
stated = sorted({l.split("=")[1].strip() for f in glob.glob(f"{d}/pred/*.csv_bi") for l in open(f) if l.startswith("# duration")})
assert stated == ["480.0000 secs"], stated
later, with_ann = json.load(open(f"{d}/later.json"))["szcore"]["event"], json.load(open(f"{d}/with.json"))["szcore"]["event"]
assert later["refTrue"] == with_ann["refTrue"] > 0 and later["tp"] == with_ann["tp"] > 0, (later, with_ann)
print(f"scored later: SzCORE event tp {later['tp']} of {later['refTrue']}, as predict with the annotations")
PY
# predictions.h5 records the model's [train] table (20 trees), not predict's defaults (100).
"$py" - "$tmp/pred/predictions.h5" <<'PY'
import sys, h5py
c = h5py.File(sys.argv[1], "r").attrs["config"]
c = c.decode() if isinstance(c, bytes) else str(c)
train = c[c.index("[train]"):].split("\n[")[0]
assert "\ntrees = 20\n" in train, train
PY

echo "== EDF -> its RR table (extract --rr-csv) -> extract: the same features (sqi aside)"
# Besides the synthetic cohort, one crafted EDF whose ECG is flat for 15 s: its RR table has a hole there.
mkdir -p "$tmp/crafted"
"$py" - "$here" "$tmp/crafted" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from edf_craft import ecg_like, signal, write_edf
fs, secs = 256, 180
x = ecg_like(fs, secs, hr_bpm=72.0, seed=3)
x[fs * 60:fs * 75] = 0.0
write_edf(sys.argv[2] + "/flatgap.edf", [signal("EKG", fs, x)], secs)
open(sys.argv[2] + "/flatgap.tse_bi", "w").write("version = tse_v1.0.0\n\n0.0000 180.0000 bckg 1.0000\n")
PY
"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/synth" "$tmp/crafted" --output "$tmp/edf.h5" --rr-csv "$tmp/rrtables" > /dev/null
for f in $(find "$tmp/synth" "$tmp/crafted" -name '*.tse_bi'); do cp "$f" "$tmp/rrtables/"; done
"$ecg" inspect "$tmp/rrtables/flatgap_rr.csv" | grep -q "^  1 stretch without NN intervals"
"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/rrtables" --output "$tmp/rrtables.h5" > /dev/null
"$py" "$here/check_beats.py" roundtrip "$tmp/edf.h5" "$tmp/rrtables.h5"

echo "== malformed beat files: one /records row each, naming the file; the good one is processed"
mkdir -p "$tmp/bad"
good=$(ls "$tmp/cohort"/*_beats.csv | head -1)
cp "$good" "$tmp/bad/good_beats.csv"
: > "$tmp/bad/empty_beats.csv"
printf 'time_s,symbol\n' > "$tmp/bad/header_only_beats.csv"
printf 'sample,symbol\n1,N\n2,N\n' > "$tmp/bad/no_time_beats.csv"
printf 'time_s,symbol\n1.0,N\n2.0,N\n1.5,N\n' > "$tmp/bad/backwards_beats.csv"
printf 'timestamp,frame,rr_interval\n2000-01-01 00:00:01.0,128,800\n2000-01-01 00:00:01.0,230,800\n' > "$tmp/bad/same_time_rr.csv"
printf 'time_s\n1.0\n' > "$tmp/bad/not_gzip_beats.csv.gz"
gzip -c "$good" | head -c 300 > "$tmp/bad/truncated_beats.csv.gz"
printf 'good_beats.csv\tok\nempty_beats.csv\tbad_beats\nheader_only_beats.csv\tbad_beats\nno_time_beats.csv\tbad_beats\nbackwards_beats.csv\tbad_beats\nsame_time_rr.csv\tbad_beats\nnot_gzip_beats.csv.gz\tbad_beats\ntruncated_beats.csv.gz\tbad_beats\n' \
  > "$tmp/bad/expected.tsv"
"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/bad" --output "$tmp/bad.h5" > "$tmp/bad.log"
cat "$tmp/bad.log"
"$py" "$here/check_records.py" "$tmp/bad.h5" "$tmp/bad/expected.tsv"
"$py" - "$tmp/bad.h5" <<'PY'
import os, sys, h5py
for r in h5py.File(sys.argv[1])["records"][...]:
    path, msg = r["path"].decode(), r["message"].decode()
    if r["status"].decode() != "ok":
        assert path in msg, f"the message of {path} does not name it: {msg}"
print("every failed beat file is named in its message")
PY

echo "== an EDF and a beat file of one NAME: exit before any work, naming both"
mkdir -p "$tmp/clash"
edf=$(find "$tmp/synth" -name '*.edf' | sort | head -1)
cp "$edf" "$tmp/clash/rec.edf"
cp "$good" "$tmp/clash/rec_beats.csv"
if "$ecg" extract --input "$tmp/clash" --output "$tmp/clash.h5" > "$tmp/clash.log" 2>&1; then
  echo "expected failure"; exit 1
fi
cat "$tmp/clash.log"
grep -q "clash/rec.edf" "$tmp/clash.log"
grep -q "clash/rec_beats.csv" "$tmp/clash.log"
test ! -e "$tmp/clash.h5"
echo "e2e_beats: 1 passed, 0 failed"
