#!/usr/bin/env bash
# Signal-quality gate benchmark (issue 15): false alarms caused by ECG artefacts, with and without
# the gate (postprocess.min_sqi), and sensitivity on the same recordings without artefacts.
#
#   bash benchmarks/sqi_gate/run.sh [--work DIR] [--ranks N] [--seed S] [--gates "0.7 0.8 0.85 0.9"]
#        [--mitdb DIR] [--quick]
#
# 1. a synthetic EDF training cohort (no artefacts) and a held-out one (other patients and seed);
# 2. `ecgforest run` trains with default settings except the post-processing, which is the fixed
#    default (mean over 5 windows, threshold 0.5, 5 s minimum, 10 s merge gap): on this small
#    cohort, where every recording has seizures, the CV search would pick threshold 0.05, i.e.
#    one event per recording end to end, which no gate can split without "creating" alarms;
# 3. the held-out cohort is generated twice with the same seed: clean, and with electrode-motion
#    artefact episodes (ecgforest-synth --artefacts-per-h; 20-120 s each, >= 180 s from every
#    seizure, so the recordings are identical outside the episodes);
#    A third copy has movement artefact inside every seizure instead (ecgforest-synth
#    --ictal-artefacts 1: from a point in the seizure's first half to up to 30 s after it, as in
#    motor seizures): does the gate cost seizures whose ECG is artefacted?
# 4. `ecgforest predict` on all three, with the gate off (--min-event-sqi 0) and at each gate value;
# 5. prints one Markdown table: OVLP sensitivity, FA/24h, and the false alarms that overlap an
#    artefact episode (+-30 s) per 24 h; the ratio gated / ungated of the artefact alarms;
# 6. real ECG: the share of windows each gate keeps out of events on the MIT-BIH records of
#    ../shared/data/mitdb (clean 100, noisy 105/108, ectopy-rich 106/119/200), from predict.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=/tmp/ecgforest_sqi_gate
ranks=2
seed=301
gates="0.7 0.8 0.85 0.9"
mitdb="$root/../shared/data/mitdb"
train_patients=8
train_minutes=120
test_patients=6
test_minutes=240
artefacts_per_h=4
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2;;
    --ranks) ranks=$2; shift 2;;
    --seed) seed=$2; shift 2;;
    --gates) gates=$2; shift 2;;
    --mitdb) mitdb=$2; shift 2;;
    --quick) train_patients=4; train_minutes=60; test_patients=3; test_minutes=120; shift;;
    *) echo "run.sh: unknown option $1 (see the header of this script)" >&2; exit 2;;
  esac
done
bin="$root/build/release/ecgforest"
synth="$root/build/release/tools/ecgforest-synth"
for b in "$bin" "$synth"; do
  [ -x "$b" ] || { echo "run.sh: $b is missing; build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mpi=(mpirun -np "$ranks" --oversubscribe --bind-to none)
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
# --exertion-bursts 0: the cohorts of the README's figures (the generator before exertion bursts;
# this benchmark measures what the gate removes, not daily-life false alarms)
common=(--recordings 1 --eeg-channels 0 --quiet --exertion-bursts 0)
echo "sqi_gate: training cohort $train_patients x $train_minutes min (EDF, seed $seed); held-out $test_patients x $test_minutes min (seed $((seed + 1))), clean and with $artefacts_per_h artefact episodes/h"
"$synth" --out "$work/train" --patients "$train_patients" --minutes "$train_minutes" --seed "$seed" --seizure-rate 2 "${common[@]}"
"$synth" --out "$work/clean" --patients "$test_patients" --first-id $((train_patients + 1)) --minutes "$test_minutes" --seed $((seed + 1)) --seizure-rate 1 "${common[@]}"
"$synth" --out "$work/artefacts" --patients "$test_patients" --first-id $((train_patients + 1)) --minutes "$test_minutes" --seed $((seed + 1)) --seizure-rate 1 \
  --artefacts-per-h "$artefacts_per_h" "${common[@]}"
"$synth" --out "$work/ictal" --patients "$test_patients" --first-id $((train_patients + 1)) --minutes "$test_minutes" --seed $((seed + 1)) --seizure-rate 1 \
  --ictal-artefacts 1 "${common[@]}"
"${mpi[@]}" "$bin" run --input "$work/train" --output "$work/run" --postprocess-select fixed > "$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
grep -E "operating point" "$work/run.log" || true
for cohort in clean artefacts ictal; do
  for g in 0 $gates; do
    "${mpi[@]}" "$bin" predict --model "$work/run/model.h5" --input "$work/$cohort" --output "$work/p_${cohort}_$g" \
      --postprocess-select fixed --min-event-sqi "$g" > "$work/p_${cohort}_$g.log" 2>&1 || { cat "$work/p_${cohort}_$g.log"; exit 1; }
  done
done
if [ -d "$mitdb" ]; then
  mkdir -p "$work/mitdb"
  for f in "$mitdb"/*.edf; do ln -sf "$f" "$work/mitdb/"; done
  for g in $gates; do
    "${mpi[@]}" "$bin" predict --model "$work/run/model.h5" --input "$work/mitdb" --output "$work/m_$g" --min-event-sqi "$g" \
      > "$work/m_$g.log" 2>&1 || { cat "$work/m_$g.log"; exit 1; }
  done
fi
/usr/bin/python3 - "$work" "$(( $(date +%s) - t0 ))" 0 $gates <<'PY'
import glob, json, os, sys
import h5py, numpy as np
work, secs, gates = sys.argv[1], sys.argv[2], sys.argv[3:]
def episodes(cohort):
    return {os.path.basename(r["path"]): r.get("artefacts", [])
            for r in json.load(open(f"{work}/{cohort}/cohort.json"))["recordings"]}
art = episodes("artefacts")
n_art = sum(len(a) for a in art.values())
art_s = sum(a["stop_s"] - a["start_s"] for v in art.values() for a in v)
def artefact_alarms(d, art):
    """False alarms (no overlap with a reference seizure) overlapping an artefact episode +-30 s."""
    with h5py.File(f"{d}/predictions.h5", "r") as f:
        path = [os.path.basename(p.decode() if isinstance(p, bytes) else p) for p in f["records/path"][()]]
        er, es, ee = f["events/record"][()], f["events/start_s"][()], f["events/stop_s"][()]
        rr, rs, re_ = f["reference/record"][()], f["reference/start_s"][()], f["reference/stop_s"][()]
        low = f["windows/low_quality"][()]
    n = 0
    for r, s, e in zip(er, es, ee):
        if any(rr[k] == r and s < re_[k] and e > rs[k] for k in range(len(rr))):
            continue
        n += any(s < a["stop_s"] + 30 and e > a["start_s"] - 30 for a in art.get(path[r], []))
    return n, float(low.mean()) if len(low) else 0.0
rows = {}
print(f"\n| cohort | min_sqi | hours | detected | OVLP sens | FA/24h | artefact FA | artefact FA/24h | low-quality windows |")
print("|---|---|---|---|---|---|---|---|---|")
for cohort in ("clean", "artefacts", "ictal"):
    for g in gates:
        d = f"{work}/p_{cohort}_{g}"
        s = json.load(open(f"{d}/score.json"))
        na, low = artefact_alarms(d, episodes(cohort))
        h = s["total_hours"]
        rows[(cohort, g)] = (s, na, h)
        sens = s.get("ovlp_sensitivity")
        print(f"| {cohort} | {g}{' (off)' if float(g) == 0 else ''} | {h:.1f} | {s['counts']['ovlp']['hits']}/{s['n_ref_events']} | "
              f"{'n/a' if sens is None else f'{sens:.3f}'} | {s['ovlp_fa_per_24h']:.2f} | {na} | {na / h * 24:.2f} | {100 * low:.2f} % |")
off = rows[("artefacts", gates[0])][1]
print(f"\nsqi_gate: {n_art} artefact episodes ({art_s / 60:.0f} min) in the artefact cohort")
for g in gates[1:]:
    on = rows[("artefacts", g)][1]
    same = all(rows[(c, g)][0]["counts"]["ovlp"]["hits"] == rows[(c, gates[0])][0]["counts"]["ovlp"]["hits"]
               for c in ("clean", "artefacts"))
    ratio = "n/a (no artefact alarm without the gate)" if off == 0 else f"{on / off:.2f}"
    print(f"sqi_gate: min_sqi {g}: artefact false alarms {on} vs {off} without the gate (ratio {ratio}); "
          f"detected seizures {'unchanged' if same else 'CHANGED'} on both cohorts")
ictal = episodes("ictal")
print(f"sqi_gate: ictal cohort: {sum(len(a) for a in ictal.values())} seizures with movement artefact "
      f"({sum(a['stop_s'] - a['start_s'] for v in ictal.values() for a in v) / 60:.0f} min); detected "
      + ", ".join(f"{rows[('ictal', g)][0]['counts']['ovlp']['hits']} at min_sqi {g}" for g in gates)
      + f" (clean cohort: {rows[('clean', gates[0])][0]['counts']['ovlp']['hits']})")
def detected(d):
    """{(recording, seizure start): detected} from predictions.h5 (OVLP: any event overlap)."""
    with h5py.File(f"{d}/predictions.h5", "r") as f:
        path = [os.path.basename(p.decode() if isinstance(p, bytes) else p) for p in f["records/path"][()]]
        er, es, ee = f["events/record"][()], f["events/start_s"][()], f["events/stop_s"][()]
        rr, rs, re_ = f["reference/record"][()], f["reference/start_s"][()], f["reference/stop_s"][()]
    return {(path[r], round(float(s), 1)): bool(((er == r) & (es < e) & (ee > s)).any()) for r, s, e in zip(rr, rs, re_)}
if "0.85" in gates:
    clean, off, on = (detected(f"{work}/p_{c}_{g}") for c, g in (("clean", "0"), ("ictal", "0"), ("ictal", "0.85")))
    lead = {}
    for (name, start) in clean:
        after = [a["start_s"] - start for a in ictal.get(name, []) if a["start_s"] >= start - 0.1]
        lead[(name, start)] = min(after) if after else float("nan")
    def starts(cond):
        return ", ".join(f"{lead[k]:.1f}" for k in sorted(lead, key=lambda k: lead[k]) if cond(k)) or "none"
    print(f"sqi_gate: ictal cohort at min_sqi 0.85, artefact start after onset (s) of the seizures the clean ECG finds: "
          f"found {starts(lambda k: clean[k] and on[k])}; lost {starts(lambda k: clean[k] and not on[k])}")
if os.path.isdir(f"{work}/m_{gates[1]}"):
    print("\n| MIT-BIH record | " + " | ".join(f"min_sqi {g}" for g in gates[1:]) + " |")
    print("|---|" + "---|" * (len(gates) - 1))
    table = {}
    for g in gates[1:]:
        with h5py.File(f"{work}/m_{g}/predictions.h5", "r") as f:
            path = [os.path.basename(p.decode() if isinstance(p, bytes) else p) for p in f["records/path"][()]]
            low, rec = f["windows/low_quality"][()], f["windows/record"][()]
        for r, name in enumerate(path):
            table.setdefault(name, []).append(100 * float(low[rec == r].mean()))
        table.setdefault("all", []).append(100 * float(low.mean()))
    for name in sorted(table, key=lambda n: (n == "all", n)):
        print(f"| {name.replace('.edf', '')} | " + " | ".join(f"{v:.1f} %" for v in table[name]) + " |")
print(f"sqi_gate: done in {secs} s; outputs in {work}")
PY
