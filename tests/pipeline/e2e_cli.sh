#!/usr/bin/env bash
# The README's exit-status contract for every subcommand: 0 on success; 1 when the run failed;
# 2 for a bad command line or configuration, "detected before any work starts": one sentence
# naming the setting, no progress line, no output file left behind. Covers missing required
# options, conflicting ones, bad values of every enumerated setting, out-of-range numbers, and
# files of the wrong kind (a directory, a FIFO, /dev/zero) where a file is read or written.
# Usage: e2e_cli.sh ECGFOREST SYNTH TMPDIR
set -uo pipefail
ecg=$1 synth=$2 tmp=$3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1
cd "$tmp" || exit 1

"$synth" --out coh --patients 2 --recordings 1 --minutes 10 --seed 3 --seizure-rate 20 --eeg-channels 2 --quiet >/dev/null || exit 1
"$ecg" extract --input coh --output f.h5 >/dev/null 2>&1 || { echo "setup: extract failed"; exit 1; }
"$ecg" train --features f.h5 --model m.h5 --trees 4 --cv-folds 0 >/dev/null 2>&1 || { echo "setup: train failed"; exit 1; }
edf=$(find coh -name '*.edf' | sort | head -1)
ann=${edf%.edf}.tse_bi
mkfifo fifo
printf '[extract]\nwindow_s = 10.0\n' > good.toml
printf '[extract]\nno_such_key = 1\n' > unknown_key.toml
printf '[train]\nclass_weight = "nope"\n' > bad_value.toml
printf '# detector typo\n[extract]\ndetector = "nope"\n' > bad_detector.toml
printf '[train]\ntrees = "7"\n' > bad_type.toml
# '#' inside a quoted value is not a comment, and "\\" is one backslash (TOML basic string):
# the features file must be written as the file name o#1\x.h5.
printf 'output = "o#1\\\\x.h5"  # a real comment\n[extract]\nstep_s = 5.0\n' > hash_backslash.toml
printf '%s\n' "$PWD/$edf" missing.edf > missing_entry.txt
printf 'loop.txt\n' > loop.txt
printf 'edf,annotation\n%s,%s\n' "$PWD/$edf" "$PWD/$ann" > good_map.csv
mkdir -p refs hyps
printf 'version = tse_v1.0.0\n\n0.0000 1e308 seiz 1.0000\n' > refs/huge.tse_bi
printf 'version = tse_v1.0.0\n\n0.0000 100.0000 bckg 1.0000\n100.0000 160.0000 seiz 1.0000\n160.0000 600.0000 bckg 1.0000\n' > refs/a.tse_bi
cp refs/a.tse_bi hyps/a.tse_bi
mkdir -p refs_ok && cp refs/a.tse_bi refs_ok/

n=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# expect STATUS 'ERE' OUT -- ARGS...: `ecgforest ARGS` exits with STATUS and its stderr matches
# ERE (- : not checked). For STATUS 2 also: no work started (no progress/summary line) and OUT (a path; - for none)
# does not exist afterwards.
expect() {
  local want=$1 pattern=$2 out=$3
  shift 4
  n=$((n + 1))
  [ "$out" != - ] && rm -rf "$out"
  timeout 60 "$ecg" "$@" > case.out 2> case.err
  local got=$?
  if [ "$got" != "$want" ]; then
    local keep=400
    [ "$got" -ge 128 ] && keep=6000  # a crash: keep the whole backtrace
    fail "ecgforest $* exited $got, expected $want; stderr: $(head -c $keep case.err)"
    return
  fi
  if [ "$pattern" != - ] && ! grep -Eq -- "$pattern" case.err; then
    fail "ecgforest $*: stderr does not match /$pattern/: $(head -c 400 case.err)"
    return
  fi
  if [ "$want" = 2 ]; then
    if grep -Eq "^(extract|train|run|predict): " case.out case.err; then
      fail "ecgforest $*: work started before the bad command line was reported: $(cat case.out case.err | head -c 400)"
    fi
    if [ "$out" != - ] && [ -e "$out" ]; then fail "ecgforest $*: left $out behind"; fi
    if [ "$(grep -c . case.err)" -gt 2 ]; then fail "ecgforest $*: more than one sentence: $(cat case.err)"; fi
  fi
}

echo "== no or unknown subcommand, unknown option, help"
expect 2 "subcommand is required" - -- 
expect 2 "." - -- nope
expect 2 "^ecgforest: error: unknown option or argument for ecgforest extract: --bogus\. Its options are: .*--output, " \
  x.h5 -- extract --input coh --output x.h5 --bogus
expect 2 "unknown option or argument for ecgforest score: --bogus\. Its options are: .*--hyp, " - -- score --ref refs_ok --hyp hyps --bogus
# inspect on an RR table not named NAME_rr.csv says how to name it (before: "not a valid EDF file ...
# remove it from the input list", with the MPI rank of a one-process run).
printf 'timestamp,frame,rr_interval\n' > rr_table.csv
expect 1 "^ecgforest: error: Cannot inspect rr_table.csv: .*named NAME_rr.csv or NAME_beats.csv.*rr_table_rr.csv" - -- inspect rr_table.csv
# A bad value from a configuration file names the file, line and column (before 7 December 2026
# only the key); the same value from a flag names the flag's key alone.
printf 'input = ["coh"]\noutput = "o.h5"\n[extract]\nwindow_s = -1.0\n[train]\nlabel_threshold = 1.5\n' > bad_values.toml
expect 2 "^ecgforest: error: In bad_values.toml line 4, column 1: extract.window_s \(--window-s\) must be > 0" o.h5 -- extract --config bad_values.toml
expect 2 "^ecgforest: error: extract.window_s \(--window-s\) must be > 0" o.h5 -- extract --config bad_values.toml --window-s -2
expect 2 "^ecgforest: error: In bad_values.toml line 6, column 1: train.label_threshold" o.h5 -- extract --config bad_values.toml --window-s 10
# Two unknown arguments are named in the order given (CLI11's own message reverses them).
expect 2 "unknown option or argument for ecgforest hrv: --config c\.toml\. Its options are: " - -- hrv --config c.toml --rr x.csv --output z.json
expect 0 - - -- --help
expect 0 - - -- extract --help

echo "== missing required options"
expect 2 "Missing --output" - -- extract --input coh
expect 2 "Missing --input" x.h5 -- extract --output x.h5
expect 2 "Missing --model" - -- train --features f.h5
expect 2 "Missing --features" x.h5 -- train --model x.h5
expect 2 "Missing --output" - -- run --input coh
expect 2 "Missing --input" xd -- run --output xd
expect 2 "Missing --model" x.h5 -- predict --features f.h5 --output x.h5
expect 2 "Missing --output" - -- predict --model m.h5 --features f.h5
expect 2 "Missing --output" - -- predict --model m.h5 --input coh
expect 2 "file is required" - -- inspect
expect 2 "--ref is required" - -- score --hyp hyps
expect 2 "--input is required" x.csv -- beats --output x.csv
expect 2 "--output is required" - -- beats --input "$edf"
expect 2 "--rr is required" x.csv -- hrv --output x.csv

echo "== conflicting options"
expect 2 "either --input .* or --features, not both" xd -- predict --model m.h5 --input coh --features f.h5 --output xd
expect 2 "--output must end in .csv or .json" x.txt -- hrv --rr refs/a.tse_bi --output x.txt

echo "== bad values of every enumerated setting (command line and config file)"
expect 2 "detector \\(--detector\\) must be 'default', 'elgendi'.*got 'nope'" x.h5 -- extract --input coh --output x.h5 --detector nope
expect 2 "bad_detector.toml line 3, column 1: extract.detector .*got 'nope'" x.h5 -- extract --config bad_detector.toml --input coh --output x.h5
expect 2 "detector.*'nope'" xd -- run --input coh --output xd --detector nope
expect 2 "detector.*'nope'" xd -- predict --model m.h5 --input coh --output xd --detector nope
expect 2 "detector.*'nope'" x.csv -- beats --input "$edf" --output x.csv --detector nope
expect 2 "hrv_profile.*'nope'" x.h5 -- extract --input coh --output x.h5 --hrv-profile nope
# The aura profiles compute fixed windows: other window settings were stored but not used.
expect 2 "window_s .*is 20, but extract.hrv_profile aura2021 computes AURA's fixed windows" x.h5 -- \
  extract --input coh --output x.h5 --hrv-profile aura2021 --window-s 20
expect 2 "step_s .*is 5, but extract.hrv_profile head" x.h5 -- extract --input coh --output x.h5 --hrv-profile head --step-s 5
expect 2 "HRV feature 'nope'" x.h5 -- extract --input coh --output x.h5 --hrv-features mean_hr,nope
expect 2 "HRV feature 'nope'" xd -- run --input coh --output xd --hrv-features nope
expect 2 "class_weight.*'nope'" x.h5 -- train --features f.h5 --model x.h5 --class-weight nope
expect 2 "max_alarm_latency_s.*between 0" x.h5 -- train --features f.h5 --model x.h5 --max-alarm-latency -5
expect 2 "train.min_sqi .*must be in \\[0, 1\\]" x.h5 -- train --features f.h5 --model x.h5 --min-sqi 2
# A name that is no column (a typo once trained on every column, sqi included, silently).
expect 2 "names nosuch, not a column of f.h5; its columns are: mean_nni" x.h5 -- train --features f.h5 --model x.h5 --exclude-features nosuch
expect 2 "removes every feature column" x.h5 -- train --features f.h5 --model x.h5 \
  --exclude-features "$(/usr/bin/python3 -c "import h5py; print(','.join(c.decode() if isinstance(c, bytes) else c for c in h5py.File('f.h5','r')['windows/features'].attrs['columns']))")"
expect 2 "alarm_within_s.*between 0" xd -- run --input coh --output xd --alarm-within 4000
expect 2 "alarm-within" xd -- predict --model m.h5 --input coh --output xd --alarm-within 30
expect 2 "class_weight.*'nope'" x.h5 -- train --features f.h5 --model x.h5 --config bad_value.toml
expect 2 "bootstrap.*'nope'" x.h5 -- train --features f.h5 --model x.h5 --bootstrap nope
expect 2 "smoothing.*'nope'" x.h5 -- train --features f.h5 --model x.h5 --smoothing nope
expect 2 "smoothing.*'nope'" xd -- predict --model m.h5 --input coh --output xd --smoothing nope
expect 2 "--profile .nope. is not an HRV profile; use default .*, aura2021 .* or head" x.csv -- hrv --rr refs/a.tse_bi --output x.csv --profile nope
expect 2 "strict.*true or false|--strict" x.h5 -- extract --input coh --output x.h5 --strict=maybe

echo "== numbers out of range or not numbers"
expect 2 "step_s.*at least 0.01" x.h5 -- extract --input coh --output x.h5 --step-s 1e-300
expect 2 "step_s.*> 0" x.h5 -- extract --input coh --output x.h5 --step-s 0
expect 2 "window_s.*> 0" x.h5 -- extract --input coh --output x.h5 --window-s -1
expect 2 "window_s.*at most 1e6" x.h5 -- extract --input coh --output x.h5 --window-s 1e9
expect 2 "finite number.*'nan'" x.h5 -- extract --input coh --output x.h5 --window-s nan
expect 2 "trees.*at least 1" x.h5 -- train --features f.h5 --model x.h5 --trees 0
expect 2 "trees.*at most 100000" x.h5 -- train --features f.h5 --model x.h5 --trees 1000000000
expect 2 "whole number.*'1e9'" x.h5 -- train --features f.h5 --model x.h5 --trees 1e9
expect 2 "max_bins.*2..256" x.h5 -- train --features f.h5 --model x.h5 --max-bins 1
expect 2 "forest.*boosted" x.h5 -- train --features f.h5 --model x.h5 --learner gbm
expect 2 "boost_depth.*1..16" x.h5 -- train --features f.h5 --model x.h5 --learner boosted --boost-depth 0
expect 2 "train.tune.*cannot be used with train.learner" x.h5 -- train --features f.h5 --model x.h5 --learner boosted --tune
expect 2 "cv_folds" x.h5 -- train --features f.h5 --model x.h5 --cv-folds 1
expect 2 "label_threshold" x.h5 -- train --features f.h5 --model x.h5 --label-threshold 2
expect 2 "smoothing_windows.*at least 1" x.h5 -- predict --model m.h5 --features f.h5 --output x.h5 --smoothing-windows 0
expect 2 "threshold" x.h5 -- predict --model m.h5 --features f.h5 --output x.h5 --threshold 1.5
expect 2 "min_sqi.*\\[0, 1\\]" xd -- predict --model m.h5 --input coh --output xd --min-event-sqi 1.5
expect 2 "finite number.*'x'" xd -- predict --model m.h5 --input coh --output xd --min-event-sqi x
expect 2 "min_sqi.*\\[0, 1\\]" x.h5 -- train --features f.h5 --model x.h5 --min-event-sqi -0.5
expect 2 "epoch-s must be between" x.json -- score --ref refs_ok --hyp hyps --epoch-s 1e-300 --json x.json
expect 2 "epoch-s must be > 0" x.json -- score --ref refs_ok --hyp hyps --epoch-s 0 --json x.json

echo "== configuration files"
expect 2 "nofile.toml.*does not exist" x.h5 -- extract --config nofile.toml --input coh --output x.h5
expect 2 "coh.*is a directory" x.h5 -- extract --config coh --input coh --output x.h5
expect 2 "not a regular file" x.h5 -- extract --config /dev/zero --input coh --output x.h5
expect 2 "not a regular file" x.h5 -- extract --config fifo --input coh --output x.h5
expect 2 "unknown_key.toml has an unknown key 'extract.no_such_key' \\(line 2, column 1\\).*valid keys" x.h5 -- extract --config unknown_key.toml --input coh --output x.h5
expect 2 "bad_type.toml line 2, column 1: 'train.trees' must be an integer, not a string" x.h5 -- train --config bad_type.toml --features f.h5 --model x.h5

echo "== inputs"
expect 2 "nonexistent.*does not exist" x.h5 -- extract --input nonexistent --output x.h5
expect 2 "matches no file" x.h5 -- extract --input 'nonexistent*.edf' --output x.h5
expect 2 "Line 2 of the input list .*missing_entry.txt names .*missing.edf" x.h5 -- extract --input missing_entry.txt --output x.h5
# Glob lines in a list file are expanded (relative to the list's folder), as on the command line
# (before 7 December 2026 they were taken as file names that do not exist).
mkdir -p lists && printf '../coh/*/*.edf\n' > lists/glob.lst && printf '../nothing*/*.edf\n' > lists/none.lst
expect 0 - - -- extract --input lists/glob.lst --output glob.h5
n_glob=$(/usr/bin/python3 -c "import h5py; print(len(h5py.File('glob.h5', 'r')['records'][()]))" 2>/dev/null || echo 0)
[ "$n_glob" = "$(find coh -name '*.edf' | wc -l)" ] || fail "the list file's glob line gave $n_glob recordings"
expect 2 "Line 1 of the input list lists/none.lst is the pattern .*nothing\*/\*.edf, which matches no file" x.h5 -- \
  extract --input lists/none.lst --output x.h5
expect 2 "The input list .*/loop.txt includes itself" x.h5 -- extract --input loop.txt --output x.h5
expect 2 "No EDF file" x.h5 -- extract --input refs --output x.h5
expect 2 "patient_regex '\(\[' is not a valid regular expression" x.h5 -- extract --input coh --output x.h5 --patient-regex '(['
expect 2 "annotation map nofile.csv.*does not exist" x.h5 -- extract --input coh --output x.h5 --annotation-map nofile.csv
expect 2 "annotation map coh.*is a directory" x.h5 -- extract --input coh --output x.h5 --annotation-map coh
expect 2 "annotation map fifo.*not a regular file" x.h5 -- extract --input coh --output x.h5 --annotation-map fifo
expect 2 "annotation map /dev/zero.*not a regular file" x.h5 -- extract --input coh --output x.h5 --annotation-map /dev/zero
# Rows are relative to the map's folder; a map naming no input, or an input with a missing
# annotation file, is a mistake (exit 2); a row naming another recording is a note (a site's map
# may cover more than one run reads). Before 7 December 2026 all three were silently ignored.
mkdir -p mapdir && printf 'edf,annotation\n%s,%s\n' "$(basename "$edf")" "$PWD/$ann" > mapdir/nothing.csv
printf 'edf,annotation\n%s,../nowhere.tse_bi\n' "$PWD/$edf" > mapdir/no_ann.csv
printf 'edf,annotation\n%s,%s\nother.edf,x.tse_bi\n' "$PWD/$edf" "$PWD/$ann" > mapdir/extra.csv
expect 2 "No row of the annotation map mapdir/nothing.csv names one of the inputs.*mapdir/$(basename "$edf")" x.h5 -- \
  extract --input coh --output x.h5 --annotation-map mapdir/nothing.csv
expect 2 "line 2 of the annotation map mapdir/no_ann.csv pairs .*/nowhere.tse_bi, which does not exist" x.h5 -- \
  extract --input coh --output x.h5 --annotation-map mapdir/no_ann.csv
expect 0 "line 3 of the annotation map mapdir/extra.csv names .*mapdir/other.edf, which is not among the inputs" - -- \
  extract --input coh --output extra.h5 --annotation-map mapdir/extra.csv
printf 'edf,annotation\n%s,%s\n%s,%s\n' "$PWD/$edf" "$PWD/$ann" "$PWD/$edf" "$PWD/$ann" > mapdir/twice.csv
expect 2 "Lines 2 and 3 of the annotation map mapdir/twice.csv both name .*$(basename "$edf"); keep one of them" x.h5 -- \
  extract --input coh --output x.h5 --annotation-map mapdir/twice.csv
# A map naming only predict's --tailor-baseline recording is used (it tells the baseline's seizures).
other_edf=$(find coh -name '*.edf' | sort | tail -1)
printf 'edf,annotation\n%s,%s\n' "$PWD/$edf" "$PWD/$ann" > mapdir/baseline.csv
expect 0 - - -- predict --model m.h5 --input "$other_edf" --tailor-baseline "$edf" --annotation-map mapdir/baseline.csv --output pbase
expect 2 "features file nofile.h5.*does not exist" x.h5 -- train --features nofile.h5 --model x.h5
expect 2 "features file coh.*is a directory" x.h5 -- train --features coh --model x.h5
expect 2 "model file nofile.h5.*does not exist" x.h5 -- predict --model nofile.h5 --features f.h5 --output x.h5
expect 2 "model file nofile.h5.*does not exist" xd -- predict --model nofile.h5 --input coh --output xd
expect 2 "Cannot inspect nofile.h5: it does not exist" - -- inspect nofile.h5
expect 2 "Cannot inspect coh: it is a directory" - -- inspect coh
expect 2 "--ref 'nonexistent' is not a directory" x.json -- score --ref nonexistent --hyp hyps --json x.json
# A folder access() calls writable that is not (root on /proc, a read-only file system): exit 2
# before any scoring (before 7 December 2026: every score printed, then exit 1).
expect 2 "The output /proc/x.json \(--json\) cannot be created: /proc cannot be written" - -- score --ref refs_ok --hyp hyps --json /proc/x.json

echo "== outputs that cannot be written"
expect 2 "f.h5 is a file, not a directory" - -- extract --input coh --output f.h5/x.h5
expect 2 "output coh .*is a directory" - -- extract --input coh --output coh
expect 2 "output f.h5 .*not a directory" - -- run --input coh --output f.h5
expect 2 "--rr-csv.*not a directory" x.h5 -- extract --input coh --output x.h5 --rr-csv f.h5
expect 2 "f.h5 is a file, not a directory" - -- train --features f.h5 --model f.h5/x.h5
expect 2 "f.h5 is a file, not a directory" - -- predict --model m.h5 --features f.h5 --output f.h5/x.h5
expect 2 "output f.h5 .*not a directory" - -- predict --model m.h5 --input coh --output f.h5

echo "== hostile values in annotation files: a clear error, fast"
expect 1 "huge.tse_bi.*1e7 s" x.json -- score --ref refs --hyp hyps --json x.json
# ... and the readable reference is still scored (one bad file never stops the run), then exit 1.
grep -q "^score: 1 recordings, 0.17 hours, 1 reference seizures" case.out || fail "score did not score a.tse_bi beside huge.tse_bi: $(head -c 300 case.out)"
grep -q "1 reference annotation file(s) could not be read" case.err || fail "score did not say a reference was left out: $(cat case.err)"
# A La Teppe-style file with ISO-8601 timestamps and no recording beside it: the sentence says what to do.
mkdir -p refs_iso && cp refs/a.tse_bi refs_iso/
printf 'version = tse_v1.0.0\n\n2017-01-10T14:30:00.000000 2017-01-10T14:32:00.000000 bckg 1.0000\n' > refs_iso/iso.tse_bi
expect 1 "iso.tse_bi.*keep NAME.edf \(or NAME_rr.csv\) beside the annotation file" - -- score --ref refs_iso --hyp hyps
# With the recording beside it, its EDF start converts the timestamps: a seizure 100-160 s after
# the start, found by a hypothesis in seconds.
mkdir -p refs_iso2 hyps_iso2 && cp "$edf" refs_iso2/iso.edf
/usr/bin/python3 - refs_iso2 <<'PY'
import datetime, sys
h = open(f"{sys.argv[1]}/iso.edf", "rb").read(256)
d, t = h[168:176].decode(), h[176:184].decode()
start = datetime.datetime.strptime(d + " " + t, "%d.%m.%y %H.%M.%S")
iso = lambda s: (start + datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S.000000")
open(f"{sys.argv[1]}/iso.tse_bi", "w").write(f"version = tse_v1.0.0\n\n{iso(0)} {iso(100)} bckg 1.0000\n"
                                            f"{iso(100)} {iso(160)} seiz 1.0000\n{iso(160)} {iso(600)} bckg 1.0000\n")
PY
printf 'version = tse_v1.0.0\n\n0.0000 110.0000 bckg 1.0000\n110.0000 150.0000 seiz 1.0000\n150.0000 600.0000 bckg 1.0000\n' > hyps_iso2/iso.tse_bi
expect 0 - - -- score --ref refs_iso2 --hyp hyps_iso2
grep -q "OVLP   sensitivity 1.000 (1/1 hits), false alarms 0" case.out || fail "ISO reference beside its EDF not converted: $(head -c 400 case.out)"

echo "== the run failed: 1"
mkdir -p allbad && : > allbad/empty.edf
expect 1 "No recording was usable" - -- extract --input allbad --output bad.h5
expect 1 "." - -- train --features bad.h5 --model x.h5
# Another run writing the same output (here: its lock held by flock(1)): stop before any work with
# a sentence naming the output; the other run's files are left alone.
# `run` takes DIR/features.h5.lock and holds it until its model is written.
rm -rf busy.h5 busy.h5.partial busydir
mkdir -p busydir
( exec 8>busy.h5.lock 9>busydir/features.h5.lock; flock 8; flock 9; exec sleep 30 ) &
holder=$!  # the process holding both locks (a plain `flock FILE sleep` leaves its sleep holding it)
for _ in $(seq 50); do [ -e busydir/features.h5.lock ] && break; sleep 0.1; done
sleep 0.2
expect 1 "Another ecgforest run is writing busy.h5 now .*busy.h5.lock.*another output" - -- extract --input coh --output busy.h5
n=$((n + 1))
if grep -q "^extract: " case.err || [ -e busy.h5 ] || [ -e busy.h5.partial ] || [ ! -e busy.h5.lock ]; then
  fail "extract beside a run holding busy.h5.lock started work or touched its files: $(ls busy.h5*; head -c 400 case.err)"
fi
expect 1 "Another ecgforest run is writing busydir/features.h5 now" - -- run --input coh --output busydir
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

echo "== success: 0"
expect 0 - - -- extract --config good.toml --input coh --output ok.h5 --annotation-map good_map.csv --step-s 5
expect 0 - - -- inspect m.h5
expect 0 - - -- score --ref refs_ok --hyp hyps
expect 0 - - -- predict --model m.h5 --features f.h5 --output p.h5
expect 1 "p.h5 is a window-probabilities file of 'ecgforest predict --features' \(format 'ecgforest-probabilities/1'\); inspect reads features and model files only" - -- inspect p.h5
n=$((n + 1))
rm -f 'o#1\x.h5'
if ! "$ecg" extract --config hash_backslash.toml --input coh > case.out 2> case.err || [ ! -f 'o#1\x.h5' ]; then
  fail "a config value with '#' and a backslash was not read as the file name o#1\\x.h5: $(ls; head -c 400 case.err)"
fi

echo "== 2 ranks: the same status and one sentence, printed once, no MPI_Abort"
for args in "extract --input coh --output x.h5 --detector nope" "train --features f.h5 --model x.h5 --trees 0" \
            "extract --input missing_entry.txt --output x.h5" "extract --input coh --output x.h5 --hrv-features mean_hr,nope" \
            "run --input coh --output x.h5 --config unknown_key.toml"; do
  n=$((n + 1))
  rm -f x.h5
  # shellcheck disable=SC2086
  timeout 120 "${mpi[@]}" -np 2 "$ecg" $args > case.out 2> case.err
  got=$?
  if [ "$got" != 2 ]; then fail "mpirun -np 2 ecgforest $args exited $got, expected 2: $(head -c 400 case.err)"; continue; fi
  if [ "$(grep -c 'ecgforest: error' case.err)" != 1 ]; then fail "mpirun -np 2 ecgforest $args: the error is not printed exactly once: $(cat case.err)"; fi
  if grep -q "MPI_ABORT" case.err; then fail "mpirun -np 2 ecgforest $args aborted"; fi
  if [ -e x.h5 ]; then fail "mpirun -np 2 ecgforest $args left x.h5"; fi
  case "$args" in
    *hrv-features*) grep -q "hrv_features (--hrv-features): HRV feature 'nope' is not produced" case.err ||
                      fail "mpirun -np 2 ecgforest $args: the error does not name the feature: $(cat case.err)" ;;
    *unknown_key*) grep -q "unknown key 'extract.no_such_key' (line 2, column 1)" case.err ||
                     fail "mpirun -np 2 ecgforest $args: the error does not name key and line: $(cat case.err)" ;;
  esac
done

echo "== a directory this user may not write into (as root: run as nobody)"
perm=$(mktemp -d /tmp/ecgforest_cli.XXXXXX)
trap 'rm -rf "$perm"' EXIT
mkdir -p "$perm/ro" && cp "$ecg" "$perm/ecgforest" && cp f.h5 m.h5 "$perm/"
chmod 755 "$perm" "$perm/ecgforest" && chmod 555 "$perm/ro" && chmod 644 "$perm/f.h5" "$perm/m.h5"
run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
n=$((n + 1))
(cd "$perm" && HOME="$perm" "${run_as[@]}" "$perm/ecgforest" predict --model m.h5 --features f.h5 --output ro/p.h5) > case.out 2> case.err
got=$?
if [ "$got" != 2 ] || ! grep -q "no permission to write in .*ro" case.err; then
  fail "predict into a read-only directory exited $got: $(head -c 400 case.err)"
fi

echo "== ecgforest-synth: a bad option is exit 2, one sentence naming it, nothing written"
synth_case() {  # ERE ARGS...
  local pattern=$1
  shift
  n=$((n + 1))
  rm -rf synth_bad
  "$synth" --out synth_bad --patients 1 --recordings 1 --minutes 1 --quiet "$@" > case.out 2> case.err
  local got=$?
  if [ "$got" != 2 ] || ! grep -Eq -- "$pattern" case.err || [ -e synth_bad ]; then
    fail "ecgforest-synth $* exited $got (expected 2, /$pattern/, no output): $(head -c 400 case.err)"
  fi
}
synth_case "--exertion-bursts must be between 0 and 10" --exertion-bursts 11
synth_case "--exertion-bursts adds to the daily-life heart rhythm, which --daily-life 0 turns off" --daily-life 0 --exertion-bursts 1
synth_case "--seizure-rate must be between 0 and 60" --seizure-rate 100
synth_case "--effort-irregularity must be between 0 \\(smooth rises\\) and 3" --effort-irregularity 3.5
synth_case "--effort-hrv-bpm must be between 10 and 1000" --effort-hrv-bpm 5
synth_case "--ictal-vagal-withdrawal must be between 0 \\(none\\) and 1" --ictal-vagal-withdrawal 2
synth_case "--effort-irregularity adds to the daily-life heart rhythm, which --daily-life 0 turns off" --daily-life 0 --effort-irregularity 0.5

echo "e2e_cli: $((n - failed)) of $n cases passed"
[ "$failed" = 0 ]
