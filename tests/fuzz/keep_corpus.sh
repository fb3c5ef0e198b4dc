#!/usr/bin/env bash
# Keeps what the last fuzz run found: for every target, merges the inputs its ctest left in
# BUILD/tests/fuzz/fuzz_<target>.work/corpus into tests/fuzz/corpus/<target>/, adding only the
# inputs that bring coverage the checked-in corpus lacks (libFuzzer -merge=1, which also keeps
# them minimal). The hand-made seeds are kept as they are. Commit the files it adds.
# Usage: bash tests/fuzz/keep_corpus.sh [BUILD_DIR]   (default build/fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/fuzz}
added=0
for corpus in "$root"/tests/fuzz/corpus/*/; do
  target=$(basename "$corpus")
  fuzzer=$build/tests/fuzz/fuzz_$target
  work=$build/tests/fuzz/fuzz_$target.work/corpus
  if [ ! -x "$fuzzer" ] || [ ! -d "$work" ]; then
    echo "keep_corpus: no fuzz run of $target in $build (build ecgforest_fuzzers and run ctest -L fuzz there first)" >&2
    continue
  fi
  before=$(ls "$corpus" | wc -l)
  tmp=$(mktemp -d)
  # Merge control file and logs outside the repo; a crash while merging is reported, not kept.
  if ! TMPDIR=$tmp "$fuzzer" -merge=1 -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -merge_control_file="$tmp/control" "$corpus" "$work" >"$tmp/log" 2>&1; then
    tail -n 20 "$tmp/log"
    echo "keep_corpus: merging into $target failed (log above); nothing kept for it" >&2
    rm -rf "$tmp"
    continue
  fi
  rm -rf "$tmp"
  n=$(( $(ls "$corpus" | wc -l) - before ))
  added=$((added + n))
  echo "keep_corpus: $target: $n new inputs with new coverage (now $((before + n)))"
done
echo "keep_corpus: $added inputs added under tests/fuzz/corpus/; review and commit them"
