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

# same_windows A.h5 B.h5 NAME: NAME's feature and label rows are byte-identical in A and B.
same_windows() {
  "$py" - "$1" "$2" "$3" <<'PY'
import sys, h5py, os
a, b, name = h5py.File(sys.argv[1]), h5py.File(sys.argv[2]), sys.argv[3]
def rows(f):
    for r in f["records"][...]:
        if os.path.basename(r["path"].decode()) == name:
            s, n = int(r["first_window"]), int(r["n_windows"])
            return f["windows/features"][s:s + n].tobytes(), f["windows/label"][s:s + n].tobytes()
    raise SystemExit(f"{name} missing from {f.filename}")
ra, rb = rows(a), rows(b)
assert len(ra[0]) > 0, f"{name} has no windows"
assert ra == rb, f"{name} windows changed"
print(f"{name} windows identical")
PY
}

echo "== the good recording's windows are unchanged by the bad neighbours"
mkdir -p "$tmp/alone" && cp "$tmp/bad/good_a.edf" "$tmp/bad/good_a.tse_bi" "$tmp/alone/"
"$ecg" extract --input "$tmp/alone" --output "$tmp/alone.h5" > /dev/null
same_windows "$tmp/bad.h5" "$tmp/alone.h5" good_a.edf

echo "== a recording without read permission: 'Permission denied' in /records, the others unchanged"
# Root reads any file, so as root the run drops to user nobody (setpriv). Everything lives under
# a fresh directory in /tmp (the binary is copied there) so that nobody can reach it wherever
# the build tree is.
perm=$(mktemp -d /tmp/ecgforest_perm.XXXXXX)
trap 'rm -rf "$perm"' EXIT
mkdir -p "$perm/in" "$perm/out"
cp "$ecg" "$perm/ecgforest"
cp "$tmp/bad/good_a.edf" "$tmp/bad/good_a.tse_bi" "$perm/in/"
cp "$tmp/bad/good_unlabelled.edf" "$perm/in/locked.edf"
chmod 000 "$perm/in/locked.edf"
chmod 755 "$perm" "$perm/in" "$perm/ecgforest"
chmod 644 "$perm/in/good_a.edf" "$perm/in/good_a.tse_bi"
chmod 777 "$perm/out"
run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
(cd "$perm/out" && HOME="$perm/out" TMPDIR="$perm/out" OMP_NUM_THREADS=1 "${run_as[@]}" "$perm/ecgforest" extract \
  --input "$perm/in" --output "$perm/out/perm.h5" > "$perm/out/perm.log" 2>&1) || { cat "$perm/out/perm.log"; exit 1; }
cat "$perm/out/perm.log"
"$py" - "$perm/out/perm.h5" <<'PY'
import sys, h5py, os
recs = {os.path.basename(r["path"].decode()): r for r in h5py.File(sys.argv[1])["records"][...]}
locked = recs["locked.edf"]
assert locked["status"].decode() == "unreadable", locked
msg = locked["message"].decode()
assert "Permission denied" in msg and "locked.edf" in msg, msg
assert recs["good_a.edf"]["status"].decode() == "ok"
print("locked.edf:", msg)
PY
same_windows "$perm/out/perm.h5" "$tmp/alone.h5" good_a.edf

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
