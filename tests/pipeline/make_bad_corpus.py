"""Builds a corpus of broken inputs next to good ones for e2e_bad_input.sh.
Usage: make_bad_corpus.py GOOD_EDF OUT_DIR
Writes OUT_DIR/expected.tsv: file name -> expected /records status."""
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edf_craft import ecg_like, signal, write_edf  # noqa: E402

good, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
expected = {}


def copy_good(name, annotation_text=None):
    dst = os.path.join(out, name + ".edf")
    shutil.copy(good, dst)
    if annotation_text is not None:
        with open(os.path.join(out, name + ".tse_bi"), "w", newline="") as f:
            f.write(annotation_text)
    return dst


raw = open(good, "rb").read()
hdr_len = int(raw[184:192])
# Good recordings (two: one with its annotation, one without -> labels NaN, still ok).
copy_good("good_a", open(os.path.splitext(good)[0] + ".tse_bi").read()); expected["good_a.edf"] = "ok"
copy_good("good_unlabelled"); expected["good_unlabelled.edf"] = "ok"
# Truncated inside the header, and in the middle of a data record.
open(os.path.join(out, "trunc_header.edf"), "wb").write(raw[:100]); expected["trunc_header.edf"] = "unreadable"
open(os.path.join(out, "trunc_record.edf"), "wb").write(raw[:hdr_len + (len(raw) - hdr_len) // 3 + 77])
expected["trunc_record.edf"] = "unreadable"
# Empty file, text file named .edf, a directory named .edf (searched, not opened: no record).
open(os.path.join(out, "empty.edf"), "wb").close(); expected["empty.edf"] = "unreadable"
open(os.path.join(out, "text.edf"), "w").write("this is not an EDF file\n"); expected["text.edf"] = "unreadable"
os.makedirs(os.path.join(out, "folder.edf"), exist_ok=True)
# Wrong header byte count.
bad = bytearray(raw); bad[184:192] = b"1234    "
open(os.path.join(out, "bad_header_bytes.edf"), "wb").write(bad); expected["bad_header_bytes.edf"] = "unreadable"
# Negative / zero record duration.
bad = bytearray(raw); bad[244:252] = b"-1      "
open(os.path.join(out, "neg_duration.edf"), "wb").write(bad); expected["neg_duration.edf"] = "unreadable"
bad = bytearray(raw); bad[244:252] = b"0       "
open(os.path.join(out, "zero_duration.edf"), "wb").write(bad); expected["zero_duration.edf"] = "unreadable"
# Absurd number of records.
bad = bytearray(raw); bad[236:244] = b"99999999"
open(os.path.join(out, "absurd_records.edf"), "wb").write(bad); expected["absurd_records.edf"] = "unreadable"

fs, secs = 256, 120
ecg = ecg_like(fs, secs)
eeg = np.random.default_rng(1).normal(0, 30, fs * secs)
# No ECG channel among EEG channels.
write_edf(os.path.join(out, "no_ecg.edf"), [signal("EEG FP1-REF", fs, eeg), signal("EEG FP2-REF", fs, eeg)], secs)
expected["no_ecg.edf"] = "no_ecg"
# Flat and saturated ECG.
write_edf(os.path.join(out, "flat.edf"), [signal("EEG FP1-REF", fs, eeg), signal("EKG", fs, np.zeros(fs * secs))], secs)
expected["flat.edf"] = "flat_ecg"
write_edf(os.path.join(out, "saturated.edf"), [signal("EKG", fs, np.full(fs * secs, 5000.0))], secs)
expected["saturated.edf"] = "flat_ecg"
# Digital min == max.
s = signal("EKG", fs, ecg); s["dig_min"] = s["dig_max"] = 100
write_edf(os.path.join(out, "digmin_eq_digmax.edf"), [s], secs); expected["digmin_eq_digmax.edf"] = "unreadable"
# ECG sampled too slowly, recording shorter than one window.
write_edf(os.path.join(out, "slow_ecg.edf"), [signal("ECG", 64, ecg_like(64, secs))], secs)
expected["slow_ecg.edf"] = "unsupported_rate"
write_edf(os.path.join(out, "too_short.edf"), [signal("ECG", fs, ecg_like(fs, 5))], 5)
expected["too_short.edf"] = "too_short"
# Non-ASCII label bytes (latin-1 'É'): EDF headers must be ASCII.
s = signal(b"\xc9KG", fs, ecg)
write_edf(os.path.join(out, "non_ascii_label.edf"), [s], secs); expected["non_ascii_label.edf"] = "unreadable"
# EDF+D (discontinuous): a 100 s gap after record 60.
onsets = [r if r < 60 else r + 100 for r in range(secs)]
write_edf(os.path.join(out, "discontinuous.edf"), [signal("ECG", fs, ecg)], secs, plus="D", annotations_onsets=onsets)
expected["discontinuous.edf"] = "discontinuous"
# A valid EDF+C written by the same crafting code (control for the EDF+D case).
write_edf(os.path.join(out, "edfplus_c.edf"), [signal("ECG", fs, ecg)], secs, plus="C")
expected["edfplus_c.edf"] = "ok"
# Annotation problems on an otherwise good recording.
copy_good("ann_bad_number", "version = tse_v1.0.0\n\n0.0000 abc bckg 1.0000\n"); expected["ann_bad_number.edf"] = "bad_annotation"
copy_good("ann_reversed", "version = tse_v1.0.0\n\n0.0000 100.0000 bckg 1.0000\n200.0000 150.0000 seiz 1.0000\n")
expected["ann_reversed.edf"] = "bad_annotation"
copy_good("ann_past_end", "version = tse_v1.0.0\n\n0.0000 100000.0000 seiz 1.0000\n"); expected["ann_past_end.edf"] = "bad_annotation"
# Windows line endings + BOM + overlapping events: valid.
copy_good("ann_crlf_bom", "\ufeffversion = tse_v1.0.0\r\n\r\n0.0000 100.0000 seiz 1.0000\r\n50.0000 150.0000 seiz 1.0000\r\n")
expected["ann_crlf_bom.edf"] = "ok"

with open(os.path.join(out, "expected.tsv"), "w") as f:
    for k in sorted(expected):
        f.write(f"{k}\t{expected[k]}\n")
print(f"bad corpus: {len(expected)} files in {out}")
