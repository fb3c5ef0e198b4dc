#!/usr/bin/env bash
# Resume: an extract killed part-way and rerun with the same output continues from the recordings
# it had staged (OUTPUT.stage/<index>.bin), processes fewer recordings, and writes a features file
# identical to an uninterrupted run. Staged files that are truncated or stale (EDF changed since)
# are not trusted. The kill is the test hook ECGFOREST_TEST_EXIT_AFTER=K (the process _Exits, like
# kill -9, after staging K recordings on a rank).
# Usage: e2e_resume.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
"$synth" --out "$tmp/cohort" --patients 3 --recordings 2 --minutes 5 --seed 21 --seizure-rate 8 --quiet
n_total=$(find "$tmp/cohort" -name '*.edf' | wc -l)
[ "$n_total" -eq 6 ] || { echo "expected 6 recordings, got $n_total"; exit 1; }
export OMP_NUM_THREADS=1

echo "== uninterrupted reference"
"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/ref.h5" >/dev/null
[ ! -e "$tmp/ref.h5.stage" ] || { echo "stage directory left after a successful run"; exit 1; }

echo "== 1 rank killed after 3 recordings"
set +e
ECGFOREST_TEST_EXIT_AFTER=3 "$ecg" extract --input "$tmp/cohort" --output "$tmp/a.h5" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 86 ] || { echo "killed run exited with $rc, expected the test hook's 86"; exit 1; }
[ ! -e "$tmp/a.h5" ] && [ ! -e "$tmp/a.h5.partial" ] || { echo "a killed run left a features file"; exit 1; }
staged=($(ls "$tmp/a.h5.stage"/*.bin))
[ ${#staged[@]} -eq 3 ] || { echo "expected 3 staged recordings, got ${#staged[@]}"; exit 1; }
if ls "$tmp/a.h5.stage" | grep -q partial; then echo "partial stage file left"; exit 1; fi
# Damage two of them: one truncated (as if half-written), one stale (its EDF was modified since).
head -c 200 "${staged[0]}" >"$tmp/trunc" && mv "$tmp/trunc" "${staged[0]}"
stale_edf=$("$py" - "${staged[1]}" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
# the key holds "edf=<path>|size|mtime"; print <path>
i = b.index(b"\nedf=") + 5
print(b[i:b.index(b"|", i)].decode())
PY
)
touch -d '2001-01-01' "$stale_edf"

echo "== rerun on 2 ranks: resumes the 1 intact staged recording"
"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/a.h5" | tee "$tmp/a.log"
grep -q "extract: resumed 1 of 6 recordings from $tmp/a.h5.stage (processed 5)" "$tmp/a.log" ||
  { echo "expected 'resumed 1 of 6 ... (processed 5)' in the log"; exit 1; }
"$py" "$here/check_outputs.py" same "$tmp/ref.h5" "$tmp/a.h5"
[ ! -e "$tmp/a.h5.stage" ] || { echo "stage directory not removed after the final write"; exit 1; }

echo "== 2 ranks killed after 1 recording each, rerun"
set +e
ECGFOREST_TEST_EXIT_AFTER=1 "${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/b.h5" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "the killed 2-rank run exited 0"; exit 1; }
[ ! -e "$tmp/b.h5" ] || { echo "a killed run left a features file"; exit 1; }
n_staged=$(ls "$tmp/b.h5.stage"/*.bin | wc -l)
[ "$n_staged" -ge 1 ] && [ "$n_staged" -le 2 ] || { echo "expected 1-2 staged recordings, got $n_staged"; exit 1; }
"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/b.h5" | tee "$tmp/b.log"
grep -q "extract: resumed $n_staged of 6 recordings" "$tmp/b.log" || { echo "expected $n_staged resumed"; exit 1; }
"$py" "$here/check_outputs.py" same "$tmp/ref.h5" "$tmp/b.h5"

echo "== different settings do not reuse staged results"
set +e
ECGFOREST_TEST_EXIT_AFTER=2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/c.h5" >/dev/null 2>&1
set -e
"$ecg" extract --input "$tmp/cohort" --output "$tmp/c.h5" --window-s 20 | tee "$tmp/c.log"
if grep -q "resumed" "$tmp/c.log"; then echo "results staged with window_s=10 were reused for window_s=20"; exit 1; fi
echo "e2e_resume: 1 passed, 0 failed"
