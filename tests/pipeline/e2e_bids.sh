#!/usr/bin/env bash
# BIDS input and SzCORE output end to end (tests/pipeline/check_bids.py checks every output
# against the dataset's own files):
#   1. ecgforest-synth --layout bids writes 4 subjects (eeg and SeizeIT2-style ecg datatypes,
#      _channels.tsv naming an ECG channel label guessing cannot find, SzCORE _events.tsv);
#   2. run on 2 ranks with a TUH cohort in the same job: patients = sub- labels, annotations and
#      window labels from events.tsv, the ECG from channels.tsv;
#   3. predict --input the dataset: hypothesis events.tsv where SzCORE's evaluator looks for them,
#      score.json with NEDC and SzCORE figures; score --scorer all on the same files agrees;
#   4. a malformed events.tsv and a malformed channels.tsv are /records rows naming the file,
#      and the other recordings are processed.
# Usage: e2e_bids.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp"

echo "== synth --layout bids, and a small TUH cohort"
common=(--recordings 2 --minutes 8 --seed 5 --seizure-rate 8 --fs 256 --eeg-channels 3 --quiet)
"$synth" --out "$tmp/ds" --patients 4 --layout bids "${common[@]}"
"$synth" --out "$tmp/tuh" --patients 2 "${common[@]}"
test -f "$tmp/ds/dataset_description.json"
test "$(cut -f1 "$tmp/ds/participants.tsv" | tr '\n' ' ')" = "participant_id sub-01 sub-02 sub-03 sub-04 "
test -f "$tmp/ds/sub-02/ses-01/ecg/sub-02_ses-01_task-szMonitoring_run-00_ecg.edf"
test -f "$tmp/ds/sub-02/ses-01/eeg/sub-02_ses-01_task-szMonitoring_run-00_events.tsv"

echo "== inspect sees a BIDS recording as extract does (ECG from _channels.tsv, the eeg/ events.tsv)"
ecg_edf="$tmp/ds/sub-02/ses-01/ecg/sub-02_ses-01_task-szMonitoring_run-00_ecg.edf"
ch_label=$(awk -F'\t' 'NR > 1 && $2 == "ECG" {print $1; exit}' "${ecg_edf%_ecg.edf}_channels.tsv")
"$ecg" inspect "$ecg_edf" > "$tmp/inspect.txt"
grep -qF "  ECG channel: $ch_label (from sub-02_ses-01_task-szMonitoring_run-00_channels.tsv)" "$tmp/inspect.txt"
grep -qF "  annotations: $tmp/ds/sub-02/ses-01/eeg/sub-02_ses-01_task-szMonitoring_run-00_events.tsv" "$tmp/inspect.txt"

echo "== run (extract + train) on BIDS and TUH inputs together, 2 ranks"
OMP_NUM_THREADS=1 "${mpi[@]}" -np 2 "$ecg" run --input "$tmp/ds" "$tmp/tuh" --output "$tmp/run" --trees 20 --cv-folds 2 \
  | tee "$tmp/run.log"
grep -q "12 recordings: 12 ok" "$tmp/run.log"
"$py" "$here/check_bids.py" features "$tmp/run/features.h5" "$tmp/ds" "$tmp/tuh"

echo "== predict --input the BIDS dataset, then score --scorer all on the written files"
OMP_NUM_THREADS=1 "${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/ds" --output "$tmp/pred" \
  | tee "$tmp/pred.log"
"$py" "$here/check_bids.py" predict "$tmp/pred" "$tmp/ds"
"$ecg" score --ref "$tmp/ds" --hyp "$tmp/pred" --scorer all --json "$tmp/score.json" | tee "$tmp/score.log"
grep -q "^NEDC" "$tmp/score.log"
grep -q "^SzCORE" "$tmp/score.log"
"$py" "$here/check_bids.py" same_szcore "$tmp/pred/score.json" "$tmp/score.json"

echo "== malformed events.tsv and channels.tsv: per-record errors, the run goes on"
cp -r "$tmp/ds" "$tmp/bad"
bad_ev="$tmp/bad/sub-01/ses-01/eeg/sub-01_ses-01_task-szMonitoring_run-00_events.tsv"
bad_ch="$tmp/bad/sub-03/ses-01/eeg/sub-03_ses-01_task-szMonitoring_run-01_channels.tsv"
printf 'onset\tduration\teventType\n12.0\tlong\tsz\n' > "$bad_ev"
printf 'name\tunits\nLead II\tuV\n' > "$bad_ch"
OMP_NUM_THREADS=1 "${mpi[@]}" -np 2 "$ecg" extract --input "$tmp/bad" --output "$tmp/bad.h5" | tee "$tmp/bad.log"
grep -q "8 recordings: 6 ok" "$tmp/bad.log"
"$py" "$here/check_bids.py" errors "$tmp/bad.h5" \
  "sub-01_ses-01_task-szMonitoring_run-00_eeg.edf=bad_annotation=$(basename "$bad_ev")" \
  "sub-03_ses-01_task-szMonitoring_run-01_eeg.edf=bad_channels=$(basename "$bad_ch")"
echo "== a reference stating another recording duration than the ECG's: predict's SzCORE agrees with score's"
# (found by a new-user walkthrough on 7 December 2026: predict wrote the ECG's duration into the
# hypothesis events.tsv and scored SzCORE on it, while SzCORE's evaluator, and score, drop a
# hypothesis whose whole-second duration differs from the reference's: 2 of 2 against 1 of 2.)
cp -r "$tmp/ds" "$tmp/dur"
dur_ev="$tmp/dur/sub-03/ses-01/eeg/sub-03_ses-01_task-szMonitoring_run-00_events.tsv"
"$py" - "$dur_ev" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().splitlines()
head = lines[0].split("\t"); k = head.index("recordingDuration")
rows = [l.split("\t") for l in lines[1:]]
for r in rows: r[k] = f"{float(r[k]) + 1.5:.2f}"
open(path, "w").write("\n".join(["\t".join(head)] + ["\t".join(r) for r in rows]) + "\n")
PY
OMP_NUM_THREADS=1 "${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/dur" --output "$tmp/dpred" > "$tmp/dpred.log"
"$py" "$here/check_bids.py" predict "$tmp/dpred" "$tmp/dur"  # the hypothesis states the reference's duration
"$ecg" score --ref "$tmp/dur" --hyp "$tmp/dpred" --scorer szcore --json "$tmp/dscore.json" > "$tmp/dscore.log"
"$py" "$here/check_bids.py" same_szcore "$tmp/dpred/score.json" "$tmp/dscore.json"
! grep -q "states another recording duration" "$tmp/dscore.log"
"$py" - "$tmp/dpred/predictions.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    msgs = {p.decode().rsplit("/", 1)[-1]: m.decode() for p, m in zip(f["records/path"][()], f["records/message"][()])}
noted = [n for n, m in msgs.items() if "The reference annotations state a recording of" in m]
assert noted == ["sub-03_ses-01_task-szMonitoring_run-00_eeg.edf"], noted
PY

echo "== a reference stating recordingDuration 0: the recording's own duration, no failed run"
# (a review on 7 December 2026: predict would have written a 0-s hypothesis and failed every recording.)
cp -r "$tmp/ds" "$tmp/zero"
zero_ev="$tmp/zero/sub-04/ses-01/eeg/sub-04_ses-01_task-szMonitoring_run-00_events.tsv"
sed -i '2,$ s/\t[0-9.]*$/\t0/' "$zero_ev"
OMP_NUM_THREADS=1 "${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/run/model.h5" --input "$tmp/zero/sub-04" --output "$tmp/zpred" > "$tmp/zpred.log"
zhyp="$tmp/zpred/sub-04/ses-01/eeg/sub-04_ses-01_task-szMonitoring_run-00_events.tsv"
[ "$(tail -n +2 "$zhyp" | cut -f7 | sort -u)" = "$(tail -n +2 "$tmp/ds/sub-04/ses-01/eeg/sub-04_ses-01_task-szMonitoring_run-00_events.tsv" | cut -f7 | sort -u)" ]

echo "== BIDS trial_type 'seizure' labels windows; labels read as no seizure are named"
# (found by a new-user walkthrough on 7 December 2026: a trial_type "seizure" events.tsv was read as
# seizure-free, silently.)
cp -r "$tmp/ds" "$tmp/tt"
tt_ev="$tmp/tt/sub-02/ses-01/eeg/sub-02_ses-01_task-szMonitoring_run-00_events.tsv"
sp_ev="$tmp/tt/sub-02/ses-01/eeg/sub-02_ses-01_task-szMonitoring_run-01_events.tsv"
printf 'onset\tduration\ttrial_type\n100.0\t60.0\tseizure\n' > "$tt_ev"
printf 'onset\tduration\ttrial_type\n100.0\t60.0\tspike\n200.0\t30.0\tArtefact\n' > "$sp_ev"
"$ecg" extract --input "$tmp/tt/sub-02" --output "$tmp/tt.h5" > "$tmp/tt.log"
"$py" - "$tmp/tt.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    rec = f["records"][()]
    names = [p.decode().rsplit("/", 1)[-1] for p in rec["path"]]
    msgs = dict(zip(names, (m.decode() for m in rec["message"])))
    first = dict(zip(names, rec["first_window"])); n = dict(zip(names, rec["n_windows"]))
    label, t = f["windows/label"][()], f["windows/time_s"][()]
a = "sub-02_ses-01_task-szMonitoring_run-00_ecg.edf"
sl = slice(first[a], first[a] + n[a])
# Windows [end - 10 s, end] inside 100-160 s are wholly seizure; none before 100 s.
assert np.all(label[sl][(t[sl] >= 110) & (t[sl] <= 160)] == 1.0), "trial_type 'seizure' not read as a seizure"
assert np.all(label[sl][t[sl] <= 100] == 0.0)
b = "sub-02_ses-01_task-szMonitoring_run-01_ecg.edf"
assert "no seizure event; its other labels are 'artefact', 'spike'" in msgs[b], msgs[b]
assert "no seizure event" not in msgs[a], msgs[a]
PY
echo "== a BIDS-named file in a sub- folder of another label: its /records message says why it is not BIDS"
mkdir -p "$tmp/mis/sub-01/ses-01/eeg"
src="$tmp/ds/sub-03/ses-01/eeg/sub-03_ses-01_task-szMonitoring_run-00"
for x in eeg.edf events.tsv channels.tsv; do cp "${src}_$x" "$tmp/mis/sub-01/ses-01/eeg/sub-02_ses-01_task-szMonitoring_run-00_$x"; done
cp "$tmp/ds/dataset_description.json" "$tmp/mis/"
"$ecg" extract --input "$tmp/mis" --output "$tmp/mis.h5" > "$tmp/mis.log" 2>&1 || true
"$py" - "$tmp/mis.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    (msg,) = [m.decode() for m in f["records"][()]["message"]]
assert "Its name says sub-02 but it lies in the folder sub-01, so it is not read as a BIDS recording" in msg, msg
PY
echo "e2e_bids: all checks passed"
