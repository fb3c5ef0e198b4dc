#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded number of runs and time from its seed corpus (copied, so new inputs stay in
# the build tree). Fails on a crash, sanitizer report, leak, out-of-memory or a slow input.
# Usage: run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 secs=$4
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
export TMPDIR="$work/tmp"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
set +e
# Fixed seed and run count make the CI run repeatable (the same inputs every time); the time
# limit only caps a slow machine. FUZZ_SEED / FUZZ_RUNS explore further by hand.
"$fuzzer" "$work/corpus" -seed="${FUZZ_SEED:-1}" -runs="${FUZZ_RUNS:-100000}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/log" 2>&1
rc=$?
set -e
tail -n 25 "$work/log"
if [ "$rc" -ne 0 ] || ls "$work/artifacts" | grep -q .; then
  echo "FUZZ FAILURE ($(basename "$fuzzer"), exit $rc); reproduce with: $fuzzer $work/artifacts/<file>"
  ls -l "$work/artifacts"
  exit 1
fi
echo "$(basename "$fuzzer"): no crash in $secs s ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" | awk '{print $2}') runs)"
