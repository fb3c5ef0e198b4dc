#!/usr/bin/env bash
# Runs one libFuzzer target in two phases from its seed corpus (copied, so new inputs stay in the
# build tree), and fails on a crash, sanitizer report, leak, out-of-memory or a slow input:
#   1. fixed replay: every checked-in corpus file, then seed 1 for FUZZ_RUNS runs (default 20000):
#      the same inputs on every run, so a regression shows at once;
#   2. fresh exploration: a new random seed (printed; FUZZ_SEED=N repeats it) for the rest of the
#      time budget SECONDS, so successive CI runs explore different inputs.
# Inputs of phase 2 that add coverage stay in WORK_DIR/corpus; tests/fuzz/keep_corpus.sh merges
# them, minimised, into tests/fuzz/corpus/ (commit the result).
# Usage: run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 secs=$4
name=$(basename "$fuzzer")
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
export TMPDIR="$work/tmp"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
common=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/artifacts/" -print_final_stats=1)
start=$SECONDS

# check LOG RC PHASE REPRO: fail with the reproduction command when the phase crashed.
check() {
  local log=$1 rc=$2 phase=$3 repro=$4
  if [ "$rc" -ne 0 ] || ls "$work/artifacts" | grep -q .; then
    tail -n 40 "$log"
    echo "FUZZ FAILURE ($name, $phase, exit $rc); reproduce the crash with: $fuzzer $work/artifacts/<file>"
    echo "  or rerun the phase with: $repro"
    ls -l "$work/artifacts"
    exit 1
  fi
}
runs_of() { grep -o 'stat::number_of_executed_units: [0-9]*' "$1" | awk '{s += $2} END {print s + 0}'; }

# Phase 1: fixed replay (half the budget at most).
fixed_runs=${FUZZ_RUNS:-20000}
set +e
"$fuzzer" "$work/corpus" -seed=1 -runs="$fixed_runs" -max_total_time=$(((secs + 1) / 2)) "${common[@]}" >"$work/fixed.log" 2>&1
rc=$?
set -e
check "$work/fixed.log" "$rc" "fixed replay, seed 1" "FUZZ_RUNS=$fixed_runs $0 $*"

# Phase 2: a fresh seed for the rest of the budget (at least 1 s).
seed=${FUZZ_SEED:-$(( $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % 2147483646 + 1 ))}
left=$((secs - (SECONDS - start)))
[ "$left" -ge 1 ] || left=1
echo "$name: fresh exploration with seed $seed for $left s"
set +e
"$fuzzer" "$work/corpus" -seed="$seed" -max_total_time="$left" "${common[@]}" >"$work/fresh.log" 2>&1
rc=$?
set -e
check "$work/fresh.log" "$rc" "fresh exploration, seed $seed" "FUZZ_SEED=$seed $0 $*"

tail -n 12 "$work/fresh.log"
new=$(comm -13 <(ls "$seeds" | sort) <(ls "$work/corpus" | sort) | wc -l)
echo "$name: no crash in $((SECONDS - start)) s ($(runs_of "$work/fixed.log") fixed runs, $(runs_of "$work/fresh.log")" \
     "runs with seed $seed; $new corpus inputs beyond the seeds, keep the ones with new coverage with tests/fuzz/keep_corpus.sh)"
