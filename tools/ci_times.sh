#!/usr/bin/env bash
# Where the time of `bash tools/quickstart.sh test` (.ci/run) went, from its logs in build/ci-logs:
# the wall time of every stage (stages.txt: the compile lane overlaps the test lane, so the stage
# times add up to more than the run) and each ctest stage's slowest tests (ctest's own per-test
# wall times) with their sum, to find what to shorten.
# Usage: bash tools/ci_times.sh [LOG_DIR] [N]    (defaults: build/ci-logs, 15 slowest per stage)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/ci-logs} n=${2:-15}
[ -d "$dir" ] || { echo "ci_times: no $dir; run bash tools/quickstart.sh test first" >&2; exit 1; }
[ ! -f "$dir/stages.txt" ] || sed 's/^quickstart: //' "$dir/stages.txt"
for log in "$dir"/*_tests.log; do
  [ -f "$log" ] || continue
  echo "== $(basename "$log" .log)"
  # ctest lines: " 12/372 Test #372: e2e_run ...........   Passed   41.23 sec"
  sed -n 's/^ *[0-9]*\/[0-9]* *Test *#[0-9]*: \([^ ]*\) .*[^0-9.]\([0-9.][0-9.]*\) sec$/\2 \1/p' "$log" |
    sort -rn | awk -v n="$n" '{ s += $1; if (NR <= n) printf "  %8.1f s  %s\n", $1, $2 }
                              END { printf "  %d tests, %.0f s of test time in all (run with -j2)\n", NR, s }'
  grep -E "^Total Test time" "$log" | sed 's/^/  /' || true
done
