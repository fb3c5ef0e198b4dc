#!/usr/bin/env bash
# Hostile input, part 2: one case per root cause, each file made here (h5py/numpy) from a good
# one. Every case must end fast (timeout 60 s) with status 1 or 2 and a sentence that names the
# file and the problem; never a crash (status >= 128), a hang, a bare std::bad_alloc, or exit 0.
# Usage: e2e_hostile.sh ECGFOREST SYNTH TMPDIR
set -uo pipefail
ecg=$1 synth=$2 tmp=$3
py=/usr/bin/python3
rm -rf "$tmp" && mkdir -p "$tmp"
export OMP_NUM_THREADS=1
cd "$tmp" || exit 1

"$synth" --out coh --patients 2 --recordings 1 --minutes 10 --seed 3 --seizure-rate 20 --eeg-channels 2 --edf-plus-fraction 0 --quiet >/dev/null || exit 1
"$ecg" extract --input coh --output f.h5 >/dev/null 2>&1 || { echo "setup: extract failed"; exit 1; }
"$ecg" train --features f.h5 --model m.h5 --trees 4 --cv-folds 0 >/dev/null 2>&1 || { echo "setup: train failed"; exit 1; }

# Damaged copies of the model and features file (each change is the only one in its file).
"$py" - <<'PY' || exit 1
import shutil, h5py, numpy as np
def model(name, edit):
    shutil.copy("m.h5", name)
    with h5py.File(name, "r+") as f:
        edit(f)
def replace(f, path, data):
    del f[path]
    f[path] = data
def leaf(f):  # index of the first leaf (left < 0)
    return int(np.flatnonzero(f["trees/left"][...] < 0)[0])
def internal(f):
    return int(np.flatnonzero(f["trees/left"][...] >= 0)[0])
# /trees/offsets: the last one is right, one in the middle points past the node arrays.
def past(f):
    o = f["trees/offsets"][...]; o[1] = o[-1] + 10_000_000; replace(f, "trees/offsets", o)
model("offsets_past.h5", past)
def nonzero_start(f):
    o = f["trees/offsets"][...]; o[0] = 1; replace(f, "trees/offsets", o)
model("offsets_start.h5", nonzero_start)
def bin_offsets(f):
    o = f["binning/offsets"][...]; o[3] = np.uint64(2**63 + 5); replace(f, "binning/offsets", o)
model("binning_offsets.h5", bin_offsets)
def nan_threshold(f):
    t = f["trees/threshold"][...]; t[internal(f)] = np.nan; replace(f, "trees/threshold", t)
model("nan_threshold.h5", nan_threshold)
def inf_leaf(f):
    v = f["trees/value"][...]; v[leaf(f)] = np.inf; replace(f, "trees/value", v)
model("inf_leaf.h5", inf_leaf)
# A features file whose /windows datasets declare 1e12 rows (never written: no storage).
shutil.copy("f.h5", "huge_rows.h5")
with h5py.File("huge_rows.h5", "r+") as f:
    cols = f["windows/features"].shape[1]
    for k, shape, dt in [("features", (10**12, cols), "f4"), ("label", (10**12,), "f4"),
                         ("record", (10**12,), "u4"), ("time_s", (10**12,), "f8")]:
        dt = f["windows/" + k].dtype
        attrs = dict(f["windows/" + k].attrs)
        del f["windows/" + k]
        d = f.create_dataset("windows/" + k, shape=shape, dtype=dt)
        for a, v in attrs.items():
            d.attrs[a] = v
PY

n=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# expect STATUS 'ERE' -- ARGS...: `ecgforest ARGS` ends within 60 s with STATUS and stderr matching ERE.
expect() {
  local want=$1 pattern=$2
  shift 3
  n=$((n + 1))
  timeout 60 "$ecg" "$@" > case.out 2> case.err
  local got=$?
  if [ "$got" != "$want" ]; then fail "ecgforest $* exited $got, expected $want: $(head -c 400 case.err)"; return; fi
  if ! grep -Eq -- "$pattern" case.err; then fail "ecgforest $*: stderr does not match /$pattern/: $(head -c 400 case.err)"; fi
  if grep -q "bad_alloc" case.err; then fail "ecgforest $*: a bare bad_alloc: $(head -c 400 case.err)"; fi
}

echo "== model files: every offset checked, non-finite values refused"
expect 1 "offsets_past.h5 is damaged: /trees/offsets must rise from 0" -- predict --model offsets_past.h5 --features f.h5 --output p.h5
expect 1 "offsets_start.h5 is damaged: /trees/offsets" -- predict --model offsets_start.h5 --features f.h5 --output p.h5
expect 1 "binning_offsets.h5 is damaged: /binning/offsets" -- inspect binning_offsets.h5
expect 1 "nan_threshold.h5 is damaged: tree 0 node [0-9]+ has a NaN threshold" -- predict --model nan_threshold.h5 --features f.h5 --output p.h5
expect 1 "inf_leaf.h5 is damaged: tree 0 node [0-9]+ has a leaf probability outside" -- predict --model inf_leaf.h5 --features f.h5 --output p.h5
test ! -e p.h5 || fail "a damaged model left p.h5"

echo "== counts read from files are bounded before allocating, and name the file"
expect 1 "'/windows/[a-z_]+' in .*huge_rows.h5 declares 1000000000000 elements but stores 0 bytes" -- train --features huge_rows.h5 --model x.h5 --trees 2

echo "== --annotation-map entries that are a FIFO or /dev/zero: those recordings fail with the reason, fast"
mkdir -p fifo_in && mkfifo fifo_in/ann.tse_bi && ln -s /dev/zero fifo_in/zero.tse_bi
edfs=($(find coh -name '*.edf' | sort))
first=${edfs[0]}
printf 'edf,annotation\n%s,%s\n%s,%s\n' "$PWD/${edfs[0]}" "$PWD/fifo_in/ann.tse_bi" "$PWD/${edfs[1]}" "$PWD/fifo_in/zero.tse_bi" > fifo_in/map.csv
n=$((n + 1))
timeout 60 "$ecg" extract --input coh --annotation-map fifo_in/map.csv --output fifo.h5 > case.out 2> case.err
got=$?
if [ "$got" != 1 ]; then
  fail "extract with FIFO and /dev/zero annotations exited $got (expected 1: no usable recording): $(head -c 400 case.err)"
else
  "$py" - fifo.h5 <<'PY' || fail "the FIFO or /dev/zero annotation has no reason in /records: $(head -c 600 case.err)"
import sys, h5py
for r in h5py.File(sys.argv[1])["records"][...]:
    msg = r["message"].decode()
    assert r["status"].decode() == "bad_annotation" and "not a regular file" in msg, (r["status"], msg)
    print("  ", msg)
PY
fi

echo "== strings from outside are escaped before /records and messages"
mkdir -p esc_in && cp "$first" esc_in/
esc=esc_in/$(basename "$first")
# A UTF-16LE annotation file (NUL between characters) with a malformed row, and raw non-UTF-8 bytes.
"$py" - "${esc%.edf}.tse_bi" <<'PY'
import sys
open(sys.argv[1], "wb").write("version = tse_v1.0.0\n\n0.0 1x.0 seiz 1.0\n".encode("utf-16-le"))
PY
n=$((n + 1))
if ! timeout 60 "$ecg" extract --input esc_in --output esc.h5 > case.out 2> case.err; then
  : # the only recording fails: status 1 is right; /records is still written
fi
"$py" - esc.h5 <<'PY' || fail "the UTF-16 annotation's reason was cut or not escaped"
import sys, h5py
r = h5py.File(sys.argv[1])["records"][0]
msg = r["message"].decode("utf-8")  # must be valid UTF-8
assert "\\x00" in msg and "line" in msg, msg
print("  UTF-16 annotation:", msg[:160])
PY

echo "== an EDF+C whose record onsets jump is rejected as discontinuous, naming the file"
"$synth" --out plus --patients 1 --recordings 1 --minutes 3 --seed 4 --eeg-channels 2 --edf-plus-fraction 1 --quiet >/dev/null
plus_edf=$(find plus -name '*.edf' | head -1)
"$py" - "$plus_edf" <<'PY'
import sys
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
assert b[192:197] == b"EDF+C", b[192:197]
ns = int(b[252:256])
labels = [b[256 + 16 * i:272 + 16 * i].decode().strip() for i in range(ns)]
spr_at = 256 + ns * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80)
spr = [int(b[spr_at + 8 * i:spr_at + 8 * i + 8]) for i in range(ns)]
a = labels.index("EDF Annotations")
rec = 2 * sum(spr)
off = 256 * (ns + 1) + 5 * rec + 2 * sum(spr[:a])  # data record 5 (1 s records)
tal = b"+105\x14\x14\x00"
b[off:off + 2 * spr[a]] = tal + bytes(2 * spr[a] - len(tal))
open(path, "wb").write(b)
PY
n=$((n + 1))
timeout 60 "$ecg" extract --input plus --output plus.h5 > case.out 2> case.err
"$py" - plus.h5 "$plus_edf" <<'PY' || fail "the jumping EDF+C was not rejected as discontinuous"
import sys, h5py, os
r = h5py.File(sys.argv[1])["records"][0]
msg = r["message"].decode()
assert r["status"].decode() == "discontinuous", (r["status"], msg)
assert os.path.basename(sys.argv[2]) in msg and "data record 5 starts at 105 s instead of 5 s" in msg, msg
print("  EDF+C jump:", msg)
PY

echo "== score: an event ending at 1e308 s is refused fast"
mkdir -p refs hyps
printf 'version = tse_v1.0.0\n\n0.0000 1e308 seiz 1.0000\n' > refs/huge.tse_bi
cp refs/huge.tse_bi hyps/
expect 1 "huge.tse_bi.*ends after 1e7 s" -- score --ref refs --hyp hyps

echo "== a features file whose strings h5py wrote as ASCII (string_dtype('ascii')) reads like UTF-8"
"$py" - <<'PY' || exit 1
import shutil, h5py, numpy as np
shutil.copy("f.h5", "ascii.h5")
ascii = h5py.string_dtype("ascii")
with h5py.File("ascii.h5", "r+") as f:
    def to_ascii(obj):
        for k in list(obj.attrs):
            if isinstance(obj.attrs.get_id(k).get_type(), h5py.h5t.TypeStringID):
                v = obj.attrs[k]
                del obj.attrs[k]
                obj.attrs.create(k, np.array(v, dtype=object) if isinstance(v, np.ndarray) else v, dtype=ascii)
    for name in ["/", "windows/features", "records"]:
        to_ascii(f[name])
    rec = f["records"][...]
    dt = np.dtype([(n, ascii if rec.dtype[n].kind == "O" else rec.dtype[n]) for n in rec.dtype.names])
    attrs = dict(f["records"].attrs)
    del f["records"]
    d = f.create_dataset("records", data=rec.astype(dt))
    for a, v in attrs.items():
        d.attrs[a] = v
    assert h5py.check_string_dtype(f["records"].dtype["path"]).encoding == "ascii"
PY
n=$((n + 1))
if ! timeout 60 "$ecg" inspect ascii.h5 > case.out 2> case.err; then
  fail "inspect of an ASCII-string features file failed: $(head -c 400 case.err)"
elif ! grep -Eq "recordings: 2 \(.*ok=2" case.out || ! grep -q "windows: .*labelled" case.out; then
  fail "inspect of an ASCII-string features file does not show its 2 recordings: $(head -c 400 case.out)"
fi
n=$((n + 1))
timeout 60 "$ecg" train --features ascii.h5 --model ascii_m.h5 --trees 4 --cv-folds 0 > case.out 2> case.err \
  || fail "train on an ASCII-string features file failed: $(head -c 400 case.err)"

echo "e2e_hostile: $((n - failed)) of $n cases passed"
[ "$failed" = 0 ]
