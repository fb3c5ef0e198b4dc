"""tools/sweep: what the features-cache key covers, and the event-level columns of collect.

The key must change whenever extraction could give other features (a recording, an annotation,
a BIDS events or channels file, an extraction setting) and must not change for settings
extraction does not read ([train], [postprocess], [score]). Hand-made files: the key only reads
names, sizes and mtimes. Run: python3 sweep_key_test.py SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile
import time

root = sys.argv[1]
sweep = os.path.join(root, "tools", "sweep")
failed = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed.append(what)


def key(cfg_text, d):
    with open(os.path.join(d, "c.toml"), "w") as f:
        f.write(cfg_text)
    r = subprocess.run([sys.executable, sweep, "key", "c.toml", "--bin", "/nonexistent"], cwd=d,
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ("exit %d: %s" % (r.returncode, r.stderr.strip()))


def touch(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def bump(path, text):
    """Rewrite with other content and a later mtime (as a regenerated file)."""
    time.sleep(0.01)
    touch(path, text)


with tempfile.TemporaryDirectory() as d:
    touch(f"{d}/edf/p1/p1_s001_t000.edf", "edf")
    touch(f"{d}/edf/p1/p1_s001_t000.tse_bi", "ann")
    touch(f"{d}/beats/p2/p2_s001_t000_beats.csv", "time_s\n1\n")
    touch(f"{d}/beats/p2/p2_s001_t000.tse_bi", "ann")
    touch(f"{d}/beats/p3/p3_s001_t000_RR.csv.gz", "gz")
    bids = f"{d}/bids/sub-01/ses-01/ecg"
    touch(f"{bids}/sub-01_ses-01_task-szMonitoring_run-01_ecg.edf", "edf")
    touch(f"{bids}/sub-01_ses-01_task-szMonitoring_run-01_events.tsv", "onset\n")
    touch(f"{bids}/sub-01_ses-01_task-szMonitoring_run-01_channels.tsv", "name\n")
    # SeizeIT2 layout: the ECG in ecg/, its events file in eeg/ beside the EEG.
    bids2 = f"{d}/bids/sub-02/ses-01"
    touch(f"{bids2}/ecg/sub-02_ses-01_task-szMonitoring_run-01_ecg.edf", "edf")
    touch(f"{bids2}/eeg/sub-02_ses-01_task-szMonitoring_run-01_events.tsv", "onset\n")
    # An annotation map naming an annotation file elsewhere.
    touch(f"{d}/mapped/p9.edf", "edf")
    touch(f"{d}/anns/p9_reviewed.tse_bi", "ann")
    touch(f"{d}/map.csv", "edf,annotation\nmapped/p9.edf,anns/p9_reviewed.tse_bi\n")
    base = 'input = ["edf", "beats", "bids", "mapped"]\n[extract]\nwindow_s = 60.0\nannotation_map = "map.csv"\n'
    k0 = key(base, d)
    check(len(k0) == 20 and all(c in "0123456789abcdef" for c in k0), f"a key for EDF, beat and BIDS inputs ({k0})")
    only_beats = key('input = ["beats"]\n', d)
    check(len(only_beats) == 20, f"heart-beat files alone are recordings to sweep over ({only_beats})")
    check(key('input = ["nothing"]\n', d).startswith("exit 2"), "an input that does not exist is exit 2")
    os.makedirs(f"{d}/empty", exist_ok=True)
    empty = key('input = ["empty"]\n', d)
    check(empty.startswith("exit 2") and "NAME_beats.csv" in empty, f"no recording: exit 2 naming the kinds ({empty[:80]})")
    same = [
        ("[train] trees", base + "[train]\ntrees = 7\n"),
        ("[postprocess] threshold", base + "[postprocess]\nthreshold = 0.9\n"),
        ("[score] scorer", base + "[score]\nszcore_tolerance_before_s = 10.0\n"),
    ]
    for what, text in same:
        check(key(text, d) == k0, f"{what} does not change the key")
    check(key(base.replace("60.0", "30.0"), d) != k0, "extract.window_s changes the key")
    for what, path in [
        ("a beat file", f"{d}/beats/p2/p2_s001_t000_beats.csv"),
        ("a gzip RR file (upper-case suffix)", f"{d}/beats/p3/p3_s001_t000_RR.csv.gz"),
        ("a beat file's annotation", f"{d}/beats/p2/p2_s001_t000.tse_bi"),
        ("an EDF's annotation", f"{d}/edf/p1/p1_s001_t000.tse_bi"),
        ("a BIDS events.tsv", f"{bids}/sub-01_ses-01_task-szMonitoring_run-01_events.tsv"),
        ("a BIDS channels.tsv", f"{bids}/sub-01_ses-01_task-szMonitoring_run-01_channels.tsv"),
        ("a BIDS events.tsv in eeg/ for an ECG in ecg/", f"{bids2}/eeg/sub-02_ses-01_task-szMonitoring_run-01_events.tsv"),
        ("an annotation the annotation map names", f"{d}/anns/p9_reviewed.tse_bi"),
    ]:
        before = key(base, d)
        bump(path, "changed content " + what)
        check(key(base, d) != before, f"rewriting {what} changes the key")
    before = key(base, d)
    touch(f"{d}/beats/p2/p2_s001_t001_rr.csv", "timestamp,frame,rr_interval\n")
    check(key(base, d) != before, "a new heart-beat recording changes the key")

    # collect: the operating point and the CV's event scores of each task's model.metrics.json.
    sd = f"{d}/sw"
    t0, t1 = f"{sd}/tasks/000", f"{sd}/tasks/001"
    for t, th, sens in ((t0, 0.5, 0.6), (t1, 0.9, 0.1)):
        os.makedirs(t)
        json.dump({"cv": {"pooled": {"roc_auc": 0.8}},
                   "operating_point": {"chosen": {"threshold": th, "min_duration_s": 20}, "fits_budget": True},
                   "cv_events": {"ovlp_sensitivity": sens, "ovlp_fa_per_24h": 2.0, "alarm_latency_median_s": 30.0}},
                  open(f"{t}/model.metrics.json", "w"))
    json.dump({"format": "ecgforest-sweep/2", "axes": ["postprocess.threshold"],
               "tasks": [{"task": 0, "dir": "tasks/000", "params": {"postprocess.threshold": 0.5}, "features_key": "k"},
                         {"task": 1, "dir": "tasks/001", "params": {"postprocess.threshold": 0.9}, "features_key": "k"}]},
              open(f"{sd}/sweep.json", "w"))
    r = subprocess.run([sys.executable, sweep, "collect", sd], capture_output=True, text=True)
    check(r.returncode == 0, f"collect ran ({r.stderr.strip()[:200]})")
    if r.returncode == 0:
        import csv
        rows = list(csv.DictReader(open(f"{sd}/results.csv")))
        check([x.get("op_threshold") for x in rows] == ["0.5", "0.9"], f"op_threshold per task ({[x.get('op_threshold') for x in rows]})")
        check([x.get("events_ovlp_sensitivity") for x in rows] == ["0.6", "0.1"], "events_ovlp_sensitivity per task")
        check(rows[0].get("events_alarm_latency_median_s") == "30.0", "events_alarm_latency_median_s")

if failed:
    print(f"sweep_key_test: {len(failed)} check(s) failed")
    sys.exit(1)
print("sweep_key_test: all checks passed")
