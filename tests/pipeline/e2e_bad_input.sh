#!/usr/bin/env bash
# Broken and hostile inputs: each bad recording is skipped with its reason in /records, the run
# goes on, and the good recordings' windows are exactly those of a run without the bad files.
# Usage: e2e_bad_input.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
"$synth" --out "$tmp/src" --patients 1 --recordings 1 --minutes 4 --seed 5 --seizure-rate 10 --edf-plus-fraction 0 --quiet
good=$(find "$tmp/src" -name '*.edf' | head -1)
"$py" "$here/make_bad_corpus.py" "$good" "$tmp/bad"

echo "== mixed corpus on 3 ranks: exit 0, every reason recorded"
"${mpi[@]}" -np 3 "$ecg" extract --input "$tmp/bad" --output "$tmp/bad.h5" > "$tmp/bad.log"
cat "$tmp/bad.log"
"$py" "$here/check_records.py" "$tmp/bad.h5" "$tmp/bad/expected.tsv"
grep -q "skipped recordings" "$tmp/bad.log"

echo "== the good recording's windows are unchanged by the bad neighbours"
mkdir -p "$tmp/alone" && cp "$tmp/bad/good_a.edf" "$tmp/bad/good_a.tse_bi" "$tmp/alone/"
"$ecg" extract --input "$tmp/alone" --output "$tmp/alone.h5" > /dev/null
"$py" - "$tmp/bad.h5" "$tmp/alone.h5" <<'PY'
import sys, h5py, os
a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
def rows(f, name):
    for r in f["records"][...]:
        if os.path.basename(r["path"].decode()) == name:
            s, n = int(r["first_window"]), int(r["n_windows"])
            return f["windows/features"][s:s + n].tobytes(), f["windows/label"][s:s + n].tobytes()
    raise SystemExit(f"{name} missing")
assert rows(a, "good_a.edf") == rows(b, "good_a.edf"), "good_a windows changed"
print("good_a windows identical")
PY

echo "== --strict fails when any recording fails"
if "${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/bad" --output "$tmp/strict.h5" --strict > "$tmp/strict.log" 2>&1; then
  echo "expected failure with --strict"; exit 1
fi
grep -q "failed and --strict is set" "$tmp/strict.log"

echo "== nothing usable: non-zero exit with a clear sentence, no hang"
mkdir -p "$tmp/allbad" && cp "$tmp/bad/empty.edf" "$tmp/bad/no_ecg.edf" "$tmp/allbad/"
if "${mpi[@]}" -np 2 "$ecg" run --input "$tmp/allbad" --output "$tmp/allbad_run" > "$tmp/allbad.log" 2>&1; then
  echo "expected failure"; exit 1
fi
grep -q "No recording was usable" "$tmp/allbad.log"

echo "== a features file without positive windows cannot train: clear message"
if "${mpi[@]}" -np 2 "$ecg" train --features "$tmp/alone.h5" --model "$tmp/x.h5" --trees 4 > "$tmp/nopos.log" 2>&1; then
  cat "$tmp/nopos.log"; echo "expected failure (no background/seizure mix)"; exit 1
fi
grep -Eq "positive windows|labelled windows" "$tmp/nopos.log"
test ! -e "$tmp/x.h5"
echo "e2e_bad_input: 1 passed, 0 failed"
