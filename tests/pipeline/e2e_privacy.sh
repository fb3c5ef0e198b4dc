#!/usr/bin/env bash
# No patient identity leaves the hospital by accident (issue 19 item 4). EDF headers carry a fake
# patient name, birth date and hospital code; `run` and `predict` with --pseudonymise KEYFILE and
# --drop-dates must write none of them, nor the input folders' absolute paths, nor the original
# recording names and patient ids, into any output file's name or content (HDF5 strings and
# attributes, text files) or log. Pseudonyms are checked against HMAC-SHA256 computed here with
# Python's hmac. Without the options, stored paths are relative to the input root and training's
# event-level CV scores still re-read the annotations through them.
# Usage: e2e_privacy.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
mpi=(${MPIEXEC:-mpirun} --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$tmp" && mkdir -p "$tmp/out" "$tmp/plain"
export OMP_NUM_THREADS=1
"$synth" --out "$tmp/ward/train" --patients 3 --recordings 1 --minutes 10 --seed 41 --seizure-rate 6 --eeg-channels 0 --quiet
"$synth" --out "$tmp/ward/test" --patients 2 --first-id 4 --recordings 1 --minutes 10 --seed 42 --seizure-rate 6 --eeg-channels 0 --quiet
# Identity in every EDF header: patient field, recording field, start date 02.03.21 14.05.06.
/usr/bin/python3 - "$tmp/ward" <<'PY'
import glob, sys
for f in glob.glob(f"{sys.argv[1]}/**/*.edf", recursive=True):
    with open(f, "r+b") as h:
        h.seek(8)
        h.write(b"Jane_Doe_19700101_HOSP1234 F 01-JAN-1970 Jane_Doe".ljust(80))
        h.write(b"Startdate 02-MAR-2021 HOSP1234 Dr_Who ECG".ljust(80))
        h.write(b"02.03.2114.05.06")
PY
head -c 48 /dev/urandom | base64 > "$tmp/secret.key"
opts=(--pseudonymise "$tmp/secret.key" --drop-dates)
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/ward/train" --output "$tmp/out/run" --trees 5 --cv-folds 3 \
  --rr-csv "$tmp/out/run/rr" "${opts[@]}" > "$tmp/out/run.log" 2>&1 || { cat "$tmp/out/run.log"; exit 1; }
"${mpi[@]}" -np 2 "$ecg" predict --model "$tmp/out/run/model.h5" --input "$tmp/ward/test" --output "$tmp/out/pred" \
  "${opts[@]}" > "$tmp/out/pred.log" 2>&1 || { cat "$tmp/out/pred.log"; exit 1; }
# The same without the options: relative paths by default.
"${mpi[@]}" -np 2 "$ecg" run --input "$tmp/ward/train" --output "$tmp/plain/run" --trees 5 --cv-folds 3 \
  > "$tmp/plain/run.log" 2>&1 || { cat "$tmp/plain/run.log"; exit 1; }
# A missing or short key is a configuration error (exit 2) before any work.
printf 'short\n' > "$tmp/short.key"
for key in "$tmp/short.key" "$tmp/missing.key"; do
  set +e
  "$ecg" extract --input "$tmp/ward/train" --output "$tmp/never.h5" --pseudonymise "$key" > "$tmp/bad_key.log" 2>&1
  rc=$?
  set -e
  [ "$rc" = 2 ] && [ ! -e "$tmp/never.h5" ] || { echo "e2e_privacy: key $key gave exit $rc (want 2)"; cat "$tmp/bad_key.log"; exit 1; }
done
/usr/bin/python3 - "$tmp" <<'PY'
import glob, hashlib, hmac, json, os, re, sys
import h5py
tmp = sys.argv[1]
key = open(f"{tmp}/secret.key", "rb").read().rstrip(b"\n")
def pseudo(kind, value, prefix):
    return prefix + hmac.new(key, kind.encode() + b"\0" + value.encode(), hashlib.sha256).hexdigest()[:16]
recs = []
for part in ("train", "test"):
    recs += json.load(open(f"{tmp}/ward/{part}/cohort.json"))["recordings"]
names = {os.path.basename(r["path"])[:-4] for r in recs}
patients = {r["patient"] for r in recs}
forbidden = ["Jane_Doe", "19700101", "01-JAN-1970", "HOSP1234", "Dr_Who", "02-MAR-2021", "2021-03-02", "02.03.21",
             "14:05:06", f"{tmp}/ward", "ward/train", "ward/test", "secret.key"] + sorted(names)
# Patient ids are digit strings here: as whole tokens (0.6000000000000001 in a JSON number is not one).
patient_re = re.compile(r"(?<![0-9.])(" + "|".join(sorted(patients)) + r")(?![0-9])")
def h5_strings(path):
    out = []
    def attrs(obj):
        for k, v in obj.attrs.items():
            out.append(f"{k}={v!r}")
    with h5py.File(path, "r") as f:
        attrs(f)
        def visit(name, obj):
            out.append(name)
            attrs(obj)
            if isinstance(obj, h5py.Dataset) and obj.dtype.names:  # compound (/records): every field
                for row in obj[()]:
                    out.extend(x.decode() if isinstance(x, bytes) else str(x) for x in row)
            elif isinstance(obj, h5py.Dataset) and obj.dtype.kind in "SOU":
                out.extend(x.decode() if isinstance(x, bytes) else str(x) for x in obj[()].ravel())
        f.visititems(visit)
    return "\n".join(out)
checked = 0
for path in sorted(glob.glob(f"{tmp}/out/**", recursive=True)):
    rel = os.path.relpath(path, f"{tmp}/out")
    if os.path.isdir(path):
        text = rel
    elif path.endswith(".h5"):
        text = rel + "\n" + h5_strings(path)
    else:
        text = rel + "\n" + open(path, "rb").read().decode("latin-1")
    for word in forbidden:
        assert word not in text, f"{rel} contains '{word}'"
    m = patient_re.search(text)
    assert not m, f"{rel} contains the patient id '{m.group(1)}': ...{text[max(0, m.start() - 60):m.end() + 60]}..."
    checked += 1
assert checked >= 15, f"only {checked} outputs checked"
# Pseudonyms are HMAC-SHA256(key, kind NUL value), 16 hex digits.
with h5py.File(f"{tmp}/out/pred/predictions.h5", "r") as f:
    got = sorted((p.decode(), q.decode()) for p, q in zip(f["records/path"][()], f["records/patient"][()]))
test = json.load(open(f"{tmp}/ward/test/cohort.json"))["recordings"]
want = sorted((pseudo("recording", os.path.basename(r["path"])[:-4], "R") + ".edf", pseudo("patient", r["patient"], "P"))
              for r in test)
assert got == want, f"predictions.h5 records {got}, want {want}"
for p, _ in want:
    assert os.path.exists(f"{tmp}/out/pred/{p[:-4]}.tse_bi"), f"no {p[:-4]}.tse_bi"
# --drop-dates: RR tables count from the EDF+ anonymous start 1985-01-01 00:00:00.
rr = sorted(glob.glob(f"{tmp}/out/run/rr/*_rr.csv"))
assert len(rr) == 3 and all(open(f).read().split("\n")[1].startswith("1985-01-01 00:00:0") for f in rr), rr
# Default: relative paths, stored input root relative to the output, CV event scores re-read.
with h5py.File(f"{tmp}/plain/run/features.h5", "r") as f:
    paths = sorted(p.decode() for p in f["records"][()]["path"])
    config = f.attrs["config"]
    config = config.decode() if isinstance(config, bytes) else config
train = json.load(open(f"{tmp}/ward/train/cohort.json"))["recordings"]
assert paths == sorted(os.path.relpath(f"{tmp}/ward/train/{r['path']}", f"{tmp}/ward/train") for r in train), paths
assert 'input = ["."]' in config and 'input_root = "../../ward/train"' in config, config
assert tmp not in config, config
cv = json.load(open(f"{tmp}/plain/run/metrics.json"))["cv_events"]
assert isinstance(cv, dict) and cv["n_ref_events"] > 0, cv
# Pseudonymised too: the CV events are scored against features.h5 /reference, not the annotations.
cv = json.load(open(f"{tmp}/out/run/metrics.json"))["cv_events"]
assert isinstance(cv, dict) and cv["n_ref_events"] > 0, cv
print(f"e2e_privacy: {checked} outputs free of identity; pseudonyms match HMAC-SHA256; relative paths by default")
PY
