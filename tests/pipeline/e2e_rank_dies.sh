#!/usr/bin/env bash
# A rank that dies mid-run: the job fails loudly (non-zero exit, a message naming the dead rank)
# within a timeout instead of hanging, leaves no features file, and rerunning the same command
# resumes from the recordings staged before the death (pipeline/stage.hpp) and gives the same
# file as an uninterrupted run.
#   A. rank 1 exits after its first recording (test hook ECGFOREST_TEST_EXIT_AFTER=1 given to
#      rank 1 only, through mpirun's MPMD syntax): no MPI_Finalize, like a crash.
#   B. rank 1 is killed with SIGKILL from outside as soon as the first recording is staged (best
#      effort: reported as skipped if the whole run finished before the kill landed).
# Usage: e2e_rank_dies.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"
"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 6 --seed 31 --seizure-rate 8 --quiet
export OMP_NUM_THREADS=1
limit=120  # seconds; a hang fails the test instead of blocking ctest

"${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$tmp/ref.h5" >/dev/null

check_failed_run() {  # $1 = exit code, $2 = log, $3 = output
  if [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; then echo "the job hung (killed by timeout after $limit s)"; cat "$2"; exit 1; fi
  [ "$1" -ne 0 ] || { echo "a job whose rank died exited 0"; cat "$2"; exit 1; }
  [ ! -e "$3" ] || { echo "a job whose rank died left $3"; exit 1; }
  # Loud: mpirun (or ecgforest) names the failure on stderr.
  grep -Eiq "exited|abort|killed|signal|error" "$2" || { echo "no failure message in the log"; cat "$2"; exit 1; }
}

resume_and_compare() {  # $1 = output
  local n_staged
  n_staged=$(ls "$1.stage"/*.bin 2>/dev/null | wc -l)
  [ "$n_staged" -ge 1 ] || { echo "nothing was staged before the rank died"; exit 1; }
  timeout "$limit" "${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/cohort" --output "$1" >"$1.rerun.log" 2>&1
  grep -q "extract: resumed $n_staged of 8 recordings" "$1.rerun.log" ||
    { echo "expected 'resumed $n_staged of 8' in the rerun log"; cat "$1.rerun.log"; exit 1; }
  "$py" "$here/check_outputs.py" same "$tmp/ref.h5" "$1"
  echo "rerun resumed $n_staged of 8 recordings; output identical to the uninterrupted run"
}

echo "== A. rank 1 exits after its first recording"
set +e
t0=$SECONDS
timeout -s KILL "$limit" "${mpi[@]}" -np 1 "$ecg" extract --input "$tmp/cohort" --output "$tmp/a.h5" \
  : -np 1 env ECGFOREST_TEST_EXIT_AFTER=1 "$ecg" extract --input "$tmp/cohort" --output "$tmp/a.h5" \
  >"$tmp/a.log" 2>&1
rc=$?
set -e
echo "exit $rc after $((SECONDS - t0)) s"
check_failed_run "$rc" "$tmp/a.log" "$tmp/a.h5"
grep -m3 -Ei "exited|abort|error" "$tmp/a.log" | sed 's/^/  log: /'
resume_and_compare "$tmp/a.h5"

if [ "${ECGFOREST_TEST_SIGKILL:-0}" != 1 ]; then
  # Case B races a SIGKILL against a sub-second run; on a loaded CI machine it can land after the
  # work is done, so it is opt-in (ECGFOREST_TEST_SIGKILL=1). Case A covers a dying rank always.
  echo "B skipped (set ECGFOREST_TEST_SIGKILL=1 to run the SIGKILL race)"
  echo "e2e_rank_dies: 1 passed, 0 failed"
  exit 0
fi
echo "== B. rank 1 killed (SIGKILL) mid-run, once rank 0 has staged a recording"
"${mpi[@]}" -np 2 -x ECGFOREST_RANKDIES_TAG=rank_dies_b "$ecg" extract --input "$tmp/cohort" --output "$tmp/b.h5" \
  >"$tmp/b.log" 2>&1 &
job=$!
( sleep "$limit"; touch "$tmp/b.timeout"; kill -KILL "$job" 2>/dev/null ) & watchdog=$!
t0=$SECONDS
rank1=""
for _ in $(seq 1 3000); do  # the ranks are mpirun's children; rank 1 is named in its environment
  if [ -n "$(ls "$tmp/b.h5.stage" 2>/dev/null)" ]; then
    for c in $(pgrep -P "$job"); do
      if tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then rank1=$c; fi
    done
    [ -n "$rank1" ] && { kill -KILL "$rank1"; break; }
  fi
  kill -0 "$job" 2>/dev/null || break
  sleep 0.01
done
set +e
wait "$job"
rc=$?
set -e
pkill -P "$watchdog" sleep 2>/dev/null || true; { kill "$watchdog"; wait "$watchdog"; } 2>/dev/null || true
if [ -z "$rank1" ] || { [ "$rc" -eq 0 ] && [ -e "$tmp/b.h5" ]; }; then
  # 0.5 s of work on a heavily loaded machine can finish before the poll sees the stage file.
  echo "B skipped: the run finished before rank 1 could be killed (rc $rc)"
else
  echo "killed rank 1 (pid $rank1); job exit $rc after $((SECONDS - t0)) s"
  [ ! -e "$tmp/b.timeout" ] || { echo "the job hung (killed by the watchdog after $limit s)"; cat "$tmp/b.log"; exit 1; }
  [ "$rc" -ne 137 ] || rc=1  # mpirun reports the rank's SIGKILL as its own status 137
  check_failed_run "$rc" "$tmp/b.log" "$tmp/b.h5"
  grep -m3 -Ei "exited|abort|killed|signal" "$tmp/b.log" | sed 's/^/  log: /'
  resume_and_compare "$tmp/b.h5"
fi
echo "e2e_rank_dies: 1 passed, 0 failed"
