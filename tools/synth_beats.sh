#!/usr/bin/env bash
# R-peak accuracy on synthetic EEG-system recordings with known beats: generates an
# `ecgforest-synth` cohort (EDF with an ECG channel among EEG channels, mixed 250/256 Hz, inverted
# leads, ectopy, daily-life heart rhythm, seizures with ictal tachycardia and 3x muscle noise) and
# scores `ecgforest beats` against the generator's true R-peaks with tools/eval_beats.sh (EC57
# matching, 150 ms, one-to-one; per-recording and gross Se, PPV, F1).
#
# Usage: tools/synth_beats.sh [SEED [PATIENTS [MINUTES [NOISE]]]] [-- extra ecgforest beats options]
#   defaults: seed 31, 8 patients x 2 recordings x 30 min, noise scale 1 (the generator's default)
#   ECGFOREST / SYNTH: binaries (default build/release/ecgforest and build/release/tools/ecgforest-synth)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
args=()
while [[ $# -gt 0 && "$1" != "--" ]]; do args+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
seed="${args[0]:-31}" patients="${args[1]:-8}" minutes="${args[2]:-30}" noise="${args[3]:-1}"
synth="${SYNTH:-$here/build/release/tools/ecgforest-synth}"
[[ -x "$synth" ]] || { echo "synth_beats: no ecgforest-synth at $synth; build first or set SYNTH=PATH" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$synth" --out "$tmp/cohort" --patients "$patients" --recordings 2 --minutes "$minutes" --seed "$seed" \
  --noise "$noise" --eeg-channels 4 --quiet --exertion-bursts 0  # the cohort of the README's R-peak figures
mkdir -p "$tmp/flat"
n=0
while IFS= read -r edf; do
  rec="$(basename "$edf" .edf)"
  ln -s "$edf" "$tmp/flat/$rec.edf"
  ln -s "${edf%.edf}.rpeaks.csv" "$tmp/flat/${rec}_beats.csv"
  n=$((n + 1))
done < <(find "$tmp/cohort" -name '*.edf' | sort)
echo "synth_beats: seed $seed, $n recordings of $minutes min ($patients patients), noise scale $noise"
bash "$here/tools/eval_beats.sh" "$tmp/flat" -- "$@"
