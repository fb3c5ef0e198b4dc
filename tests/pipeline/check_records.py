"""check_records.py FEATURES.h5 EXPECTED.tsv: every file's /records status is the expected one and
every failed record has a non-empty message and no windows."""
import os
import sys

import h5py

f = h5py.File(sys.argv[1], "r")
expected = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]))
got = {}
for r in f["records"][...]:
    name = os.path.basename(r["path"].decode())
    got[name] = (r["status"].decode(), r["message"].decode(), int(r["n_windows"]))
bad = 0
for name, want in sorted(expected.items()):
    if name not in got:
        print(f"MISSING {name}: not in /records")
        bad += 1
        continue
    st, msg, nw = got[name]
    if st != want:
        print(f"WRONG {name}: status {st!r}, expected {want!r} ({msg})")
        bad += 1
    elif st != "ok" and (not msg or nw != 0):
        print(f"WRONG {name}: failed record needs a message and no windows")
        bad += 1
    else:
        print(f"ok   {name}: {st}" + (f" -- {msg}" if st != "ok" else ""))
extra = set(got) - set(expected)
if extra:
    print(f"UNEXPECTED records: {sorted(extra)}")
    bad += 1
sys.exit(1 if bad else 0)
