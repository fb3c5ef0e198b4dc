#!/usr/bin/env bash
# End-to-end: `ecgforest score --scorer szcore` on every golden case of ../shared/data/szcore
# (computed by the SzCORE reference implementation, not by this program), once from the
# events.tsv files and once from the TUH .tse_bi files, must give each case's event and sample
# counts (tp, fp, refTrue, numSamples). The unit test szcore_golden_test checks the scoring
# functions with its own file loading; this one goes through `score`'s loading, where a .tse_bi
# pair that disagrees on the recording's length was scored on the longer one (found by a new-user
# walkthrough on 7 December 2026: hyp_duration_mismatch gave tp 1 where SzCORE gives 0), and
# checks that `score` says so when SzCORE drops a hypothesis for its duration.
set -euo pipefail
ecg=$1 tmp=$3
cases="${ECGFOREST_SOURCE_DIR:?}/../shared/data/szcore/cases"
[ -d "$cases" ] || { echo "e2e_score_szcore_cases: $cases is missing (the reference data)"; exit 1; }
rm -rf "$tmp" && mkdir -p "$tmp"
n=0
for dir in "$cases"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected.json" ] || continue
  for fmt in tsv tse_bi; do
    w="$tmp/$name/$fmt"
    mkdir -p "$w/ref" "$w/hyp"
    if [ "$fmt" = tsv ]; then
      cp "$dir/ref_events.tsv" "$w/ref/rec_events.tsv"; cp "$dir/hyp_events.tsv" "$w/hyp/rec_events.tsv"
    else
      cp "$dir/ref.tse_bi" "$w/ref/rec.tse_bi"; cp "$dir/hyp.tse_bi" "$w/hyp/rec.tse_bi"
    fi
    "$ecg" score --ref "$w/ref" --hyp "$w/hyp" --scorer szcore --json "$w/score.json" > "$w/score.log" 2>&1 ||
      { cat "$w/score.log"; echo "e2e_score_szcore_cases: score failed on $name ($fmt)"; exit 1; }
    n=$((n + 1))
  done
done
python3 - "$cases" "$tmp" "$n" <<'PY'
import json, os, sys
cases, tmp, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
checked = mismatch_notes = 0
for name in sorted(os.listdir(tmp)):
    want = json.load(open(f"{cases}/{name}/expected.json"))
    for fmt in ("tsv", "tse_bi"):
        got = json.load(open(f"{tmp}/{name}/{fmt}/score.json"))["szcore"]
        for level in ("event", "sample"):
            for k in ("tp", "fp", "refTrue", "numSamples"):
                g, w = got[level][k], want["szcore"][level][k]
                assert g == w, f"{name} ({fmt}) {level} {k}: score gives {g}, SzCORE {w}"
        log = open(f"{tmp}/{name}/{fmt}/score.log").read()
        note = "states another recording duration than its reference" in log
        assert note == ("hyp_recording_duration_s" in want), f"{name} ({fmt}): duration note {note}"
        mismatch_notes += note
        checked += 1
assert checked == n >= 112, (checked, n)
assert mismatch_notes == 2, mismatch_notes  # hyp_duration_mismatch, from both formats
print(f"e2e_score_szcore_cases: {checked} scorings of {checked // 2} cases equal SzCORE's counts")
PY
