#!/usr/bin/env bash
# compare_digests.sh ROOT EXPECTED_FILE SECTION PATH...: digests (output_digest.py) of the files
# PATH (folders: every file in them) under ROOT, compared with the lines of EXPECTED_FILE that start
# with "SECTION ". With ECGFOREST_RECORD_DIGESTS=1 the section is rewritten instead.
set -euo pipefail
root=$1 expected=$2 section=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
files=()
for p in "$@"; do
  if [ -d "$root/$p" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$root/$p" -type f ! -name '*.partial' | LC_ALL=C sort)
  else
    files+=("$root/$p")
  fi
done
got=$(/usr/bin/python3 "$here/output_digest.py" "$root" "${files[@]}" | sed "s/^/$section /")
if [ "${ECGFOREST_RECORD_DIGESTS:-}" = 1 ]; then
  touch "$expected"
  { grep -v "^$section " "$expected" || true; echo "$got"; } | LC_ALL=C sort -k3 > "$expected.new"
  mv "$expected.new" "$expected"
  echo "compare_digests: recorded $(echo "$got" | wc -l) digests of section '$section' in $expected"
  exit 0
fi
want=$(grep "^$section " "$expected" | LC_ALL=C sort -k3 || true)
got=$(echo "$got" | LC_ALL=C sort -k3)
if [ "$want" != "$got" ]; then
  echo "compare_digests: the outputs of section '$section' differ from $expected:" >&2
  diff <(echo "$want") <(echo "$got") >&2 || true
  echo "If the change is intended, re-record with ECGFOREST_RECORD_DIGESTS=1 and say why in the commit." >&2
  exit 1
fi
echo "compare_digests: $(echo "$got" | wc -l) output files of section '$section' unchanged"
