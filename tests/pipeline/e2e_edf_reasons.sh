#!/usr/bin/env bash
# Broken EDF headers are reported with their exact problem (io::check_edf_header), not EDFlib's
# generic "header is not valid EDF/EDF+": runs the bad-input corpus of make_bad_corpus.py plus a
# few more crafted headers, and checks each /records message names the problem.
# Usage: e2e_edf_reasons.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$1 synth=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
rm -rf "$tmp" && mkdir -p "$tmp"
"$synth" --out "$tmp/src" --patients 1 --recordings 1 --minutes 3 --seed 5 --edf-plus-fraction 0 --quiet
good=$(find "$tmp/src" -name '*.edf' | head -1)
"$py" "$here/make_bad_corpus.py" "$good" "$tmp/bad" >/dev/null
# More broken headers, crafted from the same good file.
"$py" - "$good" "$tmp/bad" "$here" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[3])
import numpy as np
from edf_craft import ecg_like, signal, write_edf
good, out = sys.argv[1], sys.argv[2]
raw = open(good, "rb").read()
def patched(name, off, text):
    b = bytearray(raw); b[off:off + len(text)] = text
    open(os.path.join(out, name), "wb").write(b)
patched("records_minus_one.edf", 236, b"-1      ")
patched("bad_date.edf", 168, b"01/01/20")
patched("zero_signals.edf", 252, b"0   ")
patched("duration_text.edf", 244, b"one     ")
open(os.path.join(out, "trailing_bytes.edf"), "wb").write(raw + b"\0" * 100)
s = signal("EKG", 256, ecg_like(256, 60)); s["phys_min"] = s["phys_max"] = 5
write_edf(os.path.join(out, "physmin_eq_physmax.edf"), [s], 60)
# What EDFlib misreads ("1E0" as 310 s) or refuses with its generic sentence.
patched("duration_exponent.edf", 244, b"1E0     ")
patched("time_out_of_range.edf", 176, b"25.61.61")
patched("plus_without_annotations.edf", 192, b"EDF+C")
s = signal("EKG", 256, ecg_like(256, 60))
path = os.path.join(out, "first_tal_garbage.edf")
write_edf(path, [s], 60, plus="C")
b = bytearray(open(path, "rb").read())
off = 256 * 3 + 2 * 256  # record 0: EKG (256 samples), then the annotation signal
b[off:off + 6] = b"\xff\xfe\x01ab\x00"
open(path, "wb").write(b)
PY
"$ecg" extract --input "$tmp/bad" --output "$tmp/bad.h5" >"$tmp/bad.log"
"$py" - "$tmp/bad.h5" <<'PY'
import os, sys, h5py
want = {
    "empty.edf": "the file is empty (0 bytes)",
    "trunc_header.edf": "the file is 100 bytes, shorter than the 256-byte fixed EDF header",
    "trunc_record.edf": "(the file is truncated, or the record count is wrong)",
    "text.edf": "the first 8 bytes are 'this is ', not the EDF version '0'",
    "bad_header_bytes.edf": "the header says 1234 header bytes but ",
    "neg_duration.edf": "the record duration is -1 s; it must be positive",
    "zero_duration.edf": "the record duration is 0 s; it must be positive",
    "absurd_records.edf": "but the header says 99999999 (the file is truncated",
    "digmin_eq_digmax.edf": "signal 1 'EKG' has digital min = max = 100",
    "non_ascii_label.edf": "the label of signal 1 has non-ASCII bytes ('\\xC9KG",
    "discontinuous.edf": "is EDF+D (discontinuous",
    "records_minus_one.edf": "the number of data records is -1 (the recording was never closed properly)",
    "bad_date.edf": "the start date '01/01/20' is not dd.mm.yy",
    "zero_signals.edf": "the number of signals is '0'; it must be a whole number from 1 to 640",
    "duration_text.edf": "the record duration 'one' is not a number",
    "trailing_bytes.edf": "(extra bytes after the last record, or the record count is wrong)",
    "physmin_eq_physmax.edf": "signal 1 'EKG' has physical min = max = 5",
    "duration_exponent.edf": "the record duration '1E0' is not a number (EDF numbers are plain decimals",
    "time_out_of_range.edf": "the start time '25.61.61' is not a time of day",
    "plus_without_annotations.edf": "the header says EDF+C but no signal is labelled 'EDF Annotations'",
    "first_tal_garbage.edf": "is EDF+ but data record 0 does not start with its onset",
}
got = {os.path.basename(r["path"].decode()): (r["status"].decode(), r["message"].decode())
       for r in h5py.File(sys.argv[1], "r")["records"][...]}
bad = 0
for name, sub in sorted(want.items()):
    st, msg = got.get(name, ("MISSING", ""))
    kind = "discontinuous" if name == "discontinuous.edf" else "unreadable"
    if st != kind or sub not in msg or "header is not valid EDF/EDF+" in msg:
        print(f"WRONG {name}: {st}: {msg!r}\n      expected {kind} with {sub!r}")
        bad += 1
    else:
        print(f"ok   {name}: {msg}")
for name in ("good_a.edf", "good_unlabelled.edf", "edfplus_c.edf"):
    if got[name][0] != "ok":
        print(f"WRONG {name}: a good file was rejected: {got[name]}"); bad += 1
sys.exit(1 if bad else 0)
PY
echo "e2e_edf_reasons: 1 passed, 0 failed"
