#!/usr/bin/env bash
# R-peak accuracy on an annotated folder (mitdb layout: REC.edf + REC_beats.csv with a `sample`
# column of reference beats at the EDF channel's rate). Runs `ecgforest beats` on every record,
# scores with score_beats.py (EC57 matching, 150 ms, one-to-one) and prints per-record and gross
# Se, PPV, F1 and |detected - reference| position error (median, 95th percentile, ms).
#
# Usage: tools/eval_beats.sh [DIR] [-- extra ecgforest beats options, e.g. --detector elgendi]
#   DIR         default ../shared/data/mitdb next to the repository
#   ECGFOREST   path of the ecgforest binary (default: build/release/ecgforest, else the newest
#               build/*/ecgforest)
#   SCORER      path of score_beats.py (default ../shared/tools/score_beats.py)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$here/../shared/data/mitdb}"
shift || true
[[ "${1:-}" == "--" ]] && shift
scorer="${SCORER:-$here/../shared/tools/score_beats.py}"
bin="${ECGFOREST:-}"
if [[ -z "$bin" ]]; then
  if [[ -x "$here/build/release/ecgforest" ]]; then bin="$here/build/release/ecgforest"
  else bin="$(ls -t "$here"/build/*/ecgforest 2>/dev/null | head -1 || true)"; fi
fi
[[ -x "$bin" ]] || { echo "eval_beats: no ecgforest binary; build first or set ECGFOREST=PATH" >&2; exit 2; }
[[ -f "$scorer" ]] || { echo "eval_beats: scorer $scorer not found; set SCORER=PATH" >&2; exit 2; }
[[ -d "$dir" ]] || { echo "eval_beats: $dir is not a directory" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pairs=()
for edf in "$dir"/*.edf; do
  rec="$(basename "$edf" .edf)"
  ref="$dir/${rec}_beats.csv"
  [[ -f "$ref" ]] || { echo "eval_beats: skipping $rec (no ${rec}_beats.csv)" >&2; continue; }
  "$bin" beats --input "$edf" --output "$tmp/$rec.csv" "$@" >/dev/null
  pairs+=("$rec" "$ref" "$tmp/$rec.csv" "$edf")
done
[[ ${#pairs[@]} -gt 0 ]] || { echo "eval_beats: no REC.edf + REC_beats.csv pairs in $dir" >&2; exit 2; }
/usr/bin/python3 - "$scorer" "${pairs[@]}" <<'PY'
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("score_beats", sys.argv[1])
sb = importlib.util.module_from_spec(spec); spec.loader.exec_module(sb)
args = sys.argv[2:]
def edf_fs(path):
    # Rate of signal 0 from the EDF header (samples per record / record duration).
    with open(path, "rb") as f:
        h = f.read(256); ns = int(h[252:256]); rest = f.read(ns * 256)
    dur = float(h[244:252])
    spr = int(rest[ns * 216: ns * 216 + 8])
    return spr / dur
print(f"{'record':>8} {'n_ref':>6} {'TP':>6} {'FP':>4} {'FN':>4} {'Se %':>7} {'PPV %':>7} {'F1':>7} {'med ms':>7} {'p95 ms':>7}")
T = dict(TP=0, FP=0, FN=0, n=0); errs = []
for i in range(0, len(args), 4):
    rec, ref, det, edf = args[i:i + 4]
    fs = edf_fs(edf)
    r = sb.load_samples(ref); d = np.unique(sb.load_samples(det))
    tol = int(np.floor(150.0 * fs / 1000.0 + 1e-9))
    pairs, ur, ud = sb.match(r, d, tol)
    tp = len(pairs); fp = int((~ud).sum()); fn = int((~ur).sum())
    e = np.array([abs(int(d[j]) - int(r[k])) for k, j in pairs], float) * 1000.0 / fs
    errs.append(e)
    se = tp / (tp + fn); ppv = tp / (tp + fp) if tp + fp else float("nan"); f1 = 2 * tp / (2 * tp + fp + fn)
    print(f"{rec:>8} {len(r):>6} {tp:>6} {fp:>4} {fn:>4} {100*se:7.2f} {100*ppv:7.2f} {f1:7.4f} "
          f"{np.median(e):7.1f} {np.percentile(e, 95):7.1f}")
    T["TP"] += tp; T["FP"] += fp; T["FN"] += fn; T["n"] += len(r)
tp, fp, fn = T["TP"], T["FP"], T["FN"]; e = np.concatenate(errs)
print(f"{'gross':>8} {T['n']:>6} {tp:>6} {fp:>4} {fn:>4} {100*tp/(tp+fn):7.2f} {100*tp/(tp+fp):7.2f} "
      f"{2*tp/(2*tp+fp+fn):7.4f} {np.median(e):7.1f} {np.percentile(e, 95):7.1f}")
PY
