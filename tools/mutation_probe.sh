#!/usr/bin/env bash
# Can the tests fail? A mutation probe: each line of tools/mutations.tsv changes one thing in the
# numeric code (a boundary, a constant, a divisor) the way a plausible bug would. For each, this
# script applies the change to a scratch copy of the committed tree (git archive HEAD), rebuilds,
# and runs the unit tests (ctest -L unit) and the output-digest test (e2e_outputs_unchanged). A
# mutant is "caught" when a test fails, "survived" when all pass; it prints one line per mutant
# and a Markdown table. Survivors name code whose behaviour no test pins down.
#
#   bash tools/mutation_probe.sh [--work DIR] [--list FILE] [--only N[,N...]] [--jobs J]
#
# --work: scratch folder (default /tmp/ecgforest_mutation_probe; the copy is DIR/ecgforest, with
# DIR/shared linked to the ../shared next to this repository, which the tests read); --list:
# mutation list (default tools/mutations.tsv: file, text, replacement, what it breaks; tab
# separated; the text must occur exactly once in the file); --only: the mutants to run, numbered
# from 1. The copy is of the commit checked out when it was made (named on the first line;
# uncommitted changes are not in it): delete DIR to probe a newer one. About 1-2 min per mutant on
# 2 cores, after a first build of about 5 min.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=/tmp/ecgforest_mutation_probe
list="$root/tools/mutations.tsv"
only=""
jobs=2
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2;;
    --list) list=$2; shift 2;;
    --only) only=$2; shift 2;;
    --jobs) jobs=$2; shift 2;;
    *) echo "mutation_probe.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
[ -f "$list" ] || { echo "mutation_probe.sh: no mutation list $list" >&2; exit 2; }
src="$work/ecgforest"
if [ ! -d "$src/build/release" ]; then
  rm -rf "$src" && mkdir -p "$src"
  git -C "$root" archive HEAD | tar -x -C "$src"
  git -C "$root" rev-parse --short HEAD > "$work/commit"
  [ -d "$root/../shared" ] && ln -sfn "$(cd "$root/../shared" && pwd)" "$work/shared"
  echo "mutation_probe: first build of $(cat "$work/commit") in $src" >&2
fi
echo "mutation_probe: probing commit $(cat "$work/commit" 2>/dev/null || echo unknown) in $src" >&2
build() { (cd "$src" && cmake --preset release > /dev/null && \
  cmake --build --preset release -j"$jobs" --target ecgforest ecgforest-synth ecgforest_unit_tests > "$work/build.log" 2>&1); }
run_tests() { (cd "$src/build/release" && ctest -j"$jobs" -L unit -R . > "$work/unit.log" 2>&1 && \
  ctest -R '^e2e_outputs_unchanged$' > "$work/digests.log" 2>&1); }
build || { tail -20 "$work/build.log"; echo "mutation_probe: the unmutated tree does not build" >&2; exit 1; }
run_tests || { echo "mutation_probe: the unmutated tree fails its tests ($work/unit.log, $work/digests.log)" >&2; exit 1; }

# mutate FILE FROM TO: replaces the one occurrence of FROM (exit 3 when it is not exactly one).
mutate() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(3)
open(path, "w").write(text.replace(old, new))
PY
}

rows=()
n=0 caught=0 survived=0
# The list is read on descriptor 3: the builds and tests read standard input (mpirun does).
while IFS=$'\t' read -r file from to what <&3; do
  case "$file" in ''|'#'*) continue;; esac
  n=$((n + 1))
  if [ -n "$only" ] && [[ ",$only," != *",$n,"* ]]; then continue; fi
  cp "$src/$file" "$work/original"
  if ! mutate "$src/$file" "$from" "$to"; then
    echo "mutation_probe: mutant $n: '$from' does not occur exactly once in $file; fix $list" >&2
    exit 2
  fi
  if ! build; then
    result="does not build"
  elif run_tests; then
    result="SURVIVED"; survived=$((survived + 1))
  else
    failing=$(grep -hE "^[[:space:]]*[0-9]+ - .* \((Failed|Timeout|SEGFAULT|Subprocess aborted)\)" "$work/unit.log" \
      "$work/digests.log" 2>/dev/null | sed -E 's/^[[:space:]]*[0-9]+ - //; s/ \(.*\)$//' | head -3 | paste -sd' ' -)
    result="caught (${failing:-a test failed})"; caught=$((caught + 1))
  fi
  cp "$work/original" "$src/$file"
  echo "mutation_probe: $n $file: $what: $result" >&2
  rows+=("| $n | \`$file\` | $what | $result |")
done 3< "$list"
build > /dev/null || true  # leave the copy built unmutated
echo "| # | file | mutation | result |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "mutation_probe: $caught caught, $survived survived of $((caught + survived)) run"
