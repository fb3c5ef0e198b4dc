"""check_bids.py MODE ...: checks of tests/pipeline/e2e_bids.sh on a BIDS dataset written by
ecgforest-synth --layout bids. Expected values come from the dataset's own files (folder names,
*_events.tsv, *_channels.tsv), never from ecgforest's outputs.

  features FEATURES.h5 DS [TUH_DIR]  /records: patient = sub- label, annotation = the events.tsv,
                                     ECG channel = the channels.tsv's ECG row; /windows/label =
                                     the seizure fraction recomputed from events.tsv
  predict PRED_DIR DS                every reference events.tsv has its hypothesis at the same
                                     relative path (as SzCORE's evaluator looks for it), in
                                     SzCORE columns; score.json holds NEDC and SzCORE scores
  same_szcore A.json B.json          the pooled SzCORE counts of two score.json files agree
  errors FEATURES.h5 NAME=STATUS...  the named records failed with that status and a message
                                     naming the malformed file; every other record is ok
"""
import csv
import glob
import json
import os
import sys

import h5py
import numpy as np

SZCORE_COLUMNS = ["onset", "duration", "eventType", "confidence", "channels", "dateTime", "recordingDuration"]


def tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def records(path):
    with h5py.File(path, "r") as f:
        rows = [{k: (v.decode() if isinstance(v, bytes) else v) for k, v in zip(r.dtype.names, r)} for r in f["records"][...]]
        return rows, f["windows/label"][...], f["windows/time_s"][...]


def events_of(ds, edf):
    """The recording's events.tsv: next to it, else in its session's eeg/ folder (SeizeIT2)."""
    name = os.path.basename(edf).rsplit("_", 1)[0] + "_events.tsv"
    for d in (os.path.dirname(edf), os.path.join(os.path.dirname(os.path.dirname(edf)), "eeg")):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


def check_features(h5, ds, tuh=None):
    rows, label, time_s = records(h5)
    # Stored paths are relative to the input root, the deepest folder holding every --input.
    root = os.path.commonpath([os.path.abspath(ds), os.path.abspath(tuh)]) if tuh else os.path.abspath(ds)
    for r in rows:
        r["path"] = os.path.join(root, r["path"])
        r["annotation"] = os.path.join(root, r["annotation"]) if r["annotation"] else ""
    bids = [r for r in rows if r["path"].startswith(os.path.abspath(ds))]
    edfs = sorted(glob.glob(os.path.join(os.path.abspath(ds), "sub-*", "ses-*", "*", "*.edf")))
    assert sorted(r["path"] for r in bids) == edfs, (sorted(r["path"] for r in bids), edfs)
    n_seiz_windows = 0
    for r in bids:
        sub = os.path.relpath(r["path"], os.path.abspath(ds)).split(os.sep)[0]
        assert r["status"] == "ok", r
        assert r["patient"] == sub[len("sub-"):], (r["patient"], sub)
        ev = events_of(ds, r["path"])
        assert os.path.realpath(r["annotation"]) == os.path.realpath(ev), (r["annotation"], ev)
        chans = tsv(r["path"].rsplit("_", 1)[0] + "_channels.tsv")
        ecg = [c["name"] for c in chans if c["type"].upper() == "ECG"]
        assert r["ecg_channel"] == ecg[0], (r["ecg_channel"], ecg)
        sz = [(float(e["onset"]), float(e["onset"]) + float(e["duration"])) for e in tsv(ev) if e["eventType"].startswith("sz")]
        a, n = int(r["first_window"]), int(r["n_windows"])
        t = time_s[a:a + n]
        want = np.zeros(n)
        for k, end in enumerate(t):
            want[k] = sum(max(0.0, min(end, s1) - max(end - 10.0, s0)) for s0, s1 in sz) / 10.0
        got = label[a:a + n]
        assert np.allclose(got, want, atol=1e-5), float(np.max(np.abs(got - want)))
        n_seiz_windows += int(np.sum(got >= 0.5))
    assert n_seiz_windows > 0, "no seizure-labelled window"
    if tuh:
        others = [r for r in rows if r not in bids]
        assert others and all(r["patient"] == os.path.basename(r["path"])[:8] for r in others), others
        assert all(r["annotation"].endswith(".tse_bi") for r in others), others
    print(f"ok features: {len(bids)} BIDS records, patients {sorted({r['patient'] for r in bids})}, "
          f"{n_seiz_windows} seizure-labelled windows; {len(rows) - len(bids)} other records")


def check_predict(pred, ds):
    refs = sorted(glob.glob(os.path.join(ds, "sub-*", "**", "*_events.tsv"), recursive=True))
    assert refs
    for ref in refs:
        hyp = os.path.join(pred, os.path.relpath(ref, ds))
        assert os.path.exists(hyp), hyp
        with open(hyp) as f:
            assert f.readline().rstrip("\n").split("\t") == SZCORE_COLUMNS, hyp
        rows = tsv(hyp)
        assert rows and all(r["eventType"] in ("sz", "bckg") for r in rows), hyp
        assert rows[0]["recordingDuration"] == tsv(ref)[0]["recordingDuration"], hyp
    s = json.load(open(os.path.join(pred, "score.json")))
    n_sz = sum(1 for ref in refs for e in tsv(ref) if e["eventType"].startswith("sz"))
    assert s["n_ref_events"] == n_sz, (s["n_ref_events"], n_sz)  # NEDC counts every reference seizure
    ev = s["szcore"]["event"]
    assert 0 < ev["refTrue"] <= n_sz and 0 <= ev["tp"] <= ev["refTrue"], ev
    assert len(s["szcore_dataset"]["subjects"]) == len(glob.glob(os.path.join(ds, "sub-*"))), s["szcore_dataset"]["subjects"]
    print(f"ok predict: {len(refs)} hypothesis events.tsv at the reference paths; NEDC {n_sz} seizures, "
          f"SzCORE event tp {ev['tp']}/{ev['refTrue']} fp {ev['fp']}")


def check_same_szcore(a, b):
    x, y = json.load(open(a))["szcore"], json.load(open(b))["szcore"]
    for part in ("event", "sample"):
        for k in ("tp", "fp", "refTrue", "numSamples"):
            assert x[part][k] == y[part][k], (part, k, x[part][k], y[part][k])
    # The same subject names (before 7 December 2026 predict said "01", score "sub-01").
    sx, sy = json.load(open(a))["szcore_dataset"]["subjects"], json.load(open(b))["szcore_dataset"]["subjects"]
    assert sorted(sx) == sorted(sy), (sorted(sx), sorted(sy))
    print(f"ok same SzCORE counts: event {x['event']}")


def check_errors(h5, want):
    rows, _, _ = records(h5)
    by_name = {os.path.basename(r["path"]): r for r in rows}
    for item in want:
        name, status, bad_file = item.split("=")
        r = by_name[name]
        assert r["status"] == status and bad_file in r["message"] and int(r["n_windows"]) == 0, r
        print(f"ok {name}: {status}: {r['message']}")
    failed = [n for n, r in by_name.items() if r["status"] != "ok"]
    assert len(failed) == len(want), failed


mode = sys.argv[1]
if mode == "features":
    check_features(*sys.argv[2:])
elif mode == "predict":
    check_predict(*sys.argv[2:])
elif mode == "same_szcore":
    check_same_szcore(*sys.argv[2:])
elif mode == "errors":
    check_errors(sys.argv[2], sys.argv[3:])
else:
    sys.exit("unknown mode " + mode)
