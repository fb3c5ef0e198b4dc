#!/usr/bin/env python3
"""benchmarks/clinical/tailor_retrain.py (split and table) on hand-made recordings and scores.

SRC/p1/p1_s001_t000_beats.csv: beats every 1000 s from 0 to 20000 s; seizures [5000, 5100],
[7100, 7300] (across the cut) and [9000, 9100]. SRC/nsr9_beats.csv.gz: beats at 100 and 8000 s,
an empty annotation. Split at 2 h (7200 s), 2 copies. Sorted paths: nsr9 is unit 90000001, p1
90000002. By hand, p1's baseline: beats before 7200 s not within 300 s of a seizure: 0, 1000,
2000, 3000, 4000, 6000 (5000 and 7000 are); annotated as background only, [0, 7200]. Its rest:
beats 8000..20000 shifted by 7200 (800, 1800, ..., 12800: 13 beats); seizures [0, 100] and
[1800, 1900]; background to 12800. nsr9: baseline beat 100, rest beat 800.
table: control, threshold-tailored and retrained per-patient scores made up; p1 a responder (said
by the tailored score), nsr9 not: control p1 2 of 2 seizures, 3 false alarms in 12 h; nsr9 0 of
0, 1 in 12 h; threshold tailored p1 0 of 2, no false alarm; nsr9 2 in 12 h; retrained p1 1 of 2,
1 false alarm; nsr9 0 in 12 h. Sums: control 2/2, responders 2/2, 4 in 24 h = 4.00 FA/24h;
threshold tailored 0/2, 0/2, 2.00; retrained 1/2, 1/2, 1 in 24 h = 1.00.
program-table: a made-up score.json of predict --tailor-hours 2 --tailor-retrain (4 copies) with
the same patient-independent scores and retrained p1 1 of 2 with no false alarm, nsr9 none:
2/2, 2/2, 4.00; threshold tailored as above; retrained 1/2, 1/2, 0.00.
Usage: tailor_retrain_test.py SOURCE_DIR
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(sys.argv[1], "benchmarks", "clinical", "tailor_retrain.py")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True)


def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt") as f:
        f.write(text)


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def make_source(src):
    beats = "time_s,symbol\n" + "".join(f"{t}.0,N\n" for t in range(0, 20001, 1000))
    put(os.path.join(src, "p1", "p1_s001_t000_beats.csv"), beats)
    put(os.path.join(src, "p1", "p1_s001_t000.tse_bi"),
        "version = tse_v1.0.0\n\n0.0000 5000.0000 bckg 1.0000\n5000.0000 5100.0000 seiz 1.0000\n"
        "5100.0000 7100.0000 bckg 1.0000\n7100.0000 7300.0000 seiz 1.0000\n7300.0000 9000.0000 bckg 1.0000\n"
        "9000.0000 9100.0000 seiz 1.0000\n9100.0000 20000.0000 bckg 1.0000\n")
    put(os.path.join(src, "nsr9_beats.csv.gz"), "time_s,symbol\n100.0,N\n8000.0,V\n")
    put(os.path.join(src, "nsr9.tse_bi"), "version = tse_v1.0.0\n\n")


def check_split(out):
    assert lines(os.path.join(out, "units.tsv")) == ["90000001\tnsr9_beats.csv", "90000002\tp1/p1_s001_t000_beats.csv"]
    for k in (1, 2):
        base = lines(os.path.join(out, "base", "90000002", f"90000002_s00{k}_t000_beats.csv"))
        assert [r.split(",")[0] for r in base[1:]] == ["0.0", "1000.0", "2000.0", "3000.0", "4000.0", "6000.0"], base
        tse = lines(os.path.join(out, "base", "90000002", f"90000002_s00{k}_t000.tse_bi"))
        assert tse[2:] == ["0.0000 7200.0000 bckg 1.0000"], tse
    rest = lines(os.path.join(out, "rest", "p1", "p1_s001_t000_beats.csv"))
    assert rest[0] == "time_s,symbol" and len(rest) == 14 and rest[1] == "800.0000,N" and rest[-1] == "12800.0000,N", rest
    tse = lines(os.path.join(out, "rest", "p1", "p1_s001_t000.tse_bi"))
    assert tse[2:] == ["0.0000 100.0000 seiz 1.0000", "100.0000 1800.0000 bckg 1.0000",
                       "1800.0000 1900.0000 seiz 1.0000", "1900.0000 12800.0000 bckg 1.0000"], tse
    assert lines(os.path.join(out, "base", "90000001", "90000001_s001_t000_beats.csv"))[1:] == ["100.0,N"]
    assert lines(os.path.join(out, "rest", "nsr9_beats.csv"))[1:] == ["800.0000,V"]


def expect_table(p, title, rows):
    assert p.returncode == 0, p.stderr
    for line in [title] + rows:
        assert line in p.stdout, (line, p.stdout)


def patient(hits, n, fa, hours):
    return {"ovlp_hits": hits, "n_ref_events": n, "ovlp_false_alarms": fa, "hours": hours}


def check_table(d, out):
    put(os.path.join(out, "control", "score.json"),
        json.dumps({"per_patient": {"p1": patient(2, 2, 3, 12.0), "nsr9": patient(0, 0, 1, 12.0)}}))
    put(os.path.join(out, "pred_90000002", "score.json"), json.dumps({"per_patient": {"p1": patient(1, 2, 1, 12.0)}}))
    put(os.path.join(out, "pred_90000001", "score.json"), json.dumps({"per_patient": {"nsr9": patient(0, 0, 0, 12.0)}}))
    tailored = os.path.join(d, "tailored.json")
    put(tailored, json.dumps({"tailoring": {"tailor_hours": 2, "tailored": {
        "per_patient": {"p1": patient(0, 2, 0, 12.0), "nsr9": patient(0, 0, 2, 12.0)},
        "responders": {"per_patient": {"p1": {"responder": True}, "nsr9": {"responder": False}}}}}}))
    expect_table(run("table", out, tailored), "first 2 h x 2 (seizure-free)",
                 ["| run.sh model (patient-independent) | 2/2 | 2/2 | 4.00 | 24.0 |",
                  "| run.sh model, threshold tailored (predict --tailor-hours) | 0/2 | 0/2 | 2.00 | 24.0 |",
                  "| retrained with the patient's baseline | 1/2 | 1/2 | 1.00 | 24.0 |"])
    twelve = os.path.join(d, "twelve.json")
    put(twelve, json.dumps({"tailoring": dict(json.load(open(tailored))["tailoring"], tailor_hours=12)}))
    p = run("table", out, twelve)
    assert p.returncode == 2 and "split at 2 h" in p.stderr and "tailored on 12 h" in p.stderr, p.stderr
    p = run("table", out, os.path.join(out, "control", "score.json"))
    assert p.returncode == 2 and "has no tailored scores" in p.stderr, p.stderr
    # one patient, two recordings: whole-patient scores would count twice
    put(os.path.join(out, "pred_90000001", "score.json"), json.dumps({"per_patient": {"p1": patient(0, 0, 0, 12.0)}}))
    p = run("table", out, tailored)
    assert p.returncode == 2 and "patient p1 has more than one recording" in p.stderr, p.stderr
    os.remove(os.path.join(out, "pred_90000001", "score.json"))
    p = run("table", out, tailored)
    assert p.returncode == 2 and "no score file" in p.stderr and "pred_90000001" in p.stderr, p.stderr


def check_program_table(d, tailored):
    program = os.path.join(d, "program.json")
    prog = {"method": "retrain", "tailor_hours": 2, "copies": 4,
            "patient_independent": {"per_patient": {"p1": patient(2, 2, 3, 12.0), "nsr9": patient(0, 0, 1, 12.0)}},
            "tailored": {"per_patient": {"p1": patient(1, 2, 0, 12.0), "nsr9": patient(0, 0, 0, 12.0)}}}
    put(program, json.dumps({"tailoring": prog}))
    expect_table(run("program-table", program, tailored), "first 2 h x 4 (seizure-free)",
                 ["| run.sh model (patient-independent) | 2/2 | 2/2 | 4.00 | 24.0 |",
                  "| run.sh model, threshold tailored (predict --tailor-hours) | 0/2 | 0/2 | 2.00 | 24.0 |",
                  "| retrained by predict --tailor-retrain | 1/2 | 1/2 | 0.00 | 24.0 |"])
    put(program, json.dumps({"tailoring": dict(prog, tailor_hours=12)}))
    p = run("program-table", program, tailored)
    assert p.returncode == 2 and "retrained on the first 12 h" in p.stderr and "tailored on 2 h" in p.stderr, p.stderr
    put(program, json.dumps({"tailoring": dict(prog, method="threshold")}))
    p = run("program-table", program, tailored)
    assert p.returncode == 2 and "not the score of predict --tailor-hours H --tailor-retrain" in p.stderr, p.stderr


def main():
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "src"), os.path.join(d, "out")
        make_source(src)
        p = run("split", src, out, 2, 2)
        assert p.returncode == 0, p.stderr
        check_split(out)
        assert json.load(open(os.path.join(out, "split.json"))) == {"hours": 2.0, "copies": 2}
        check_table(d, out)
        check_program_table(d, os.path.join(d, "tailored.json"))
        p = run("split", src, os.path.join(d, "late"), 6, 1)  # 21600 s: p1 ends at 20000 s
        assert p.returncode == 2 and "ends before 6 h" in p.stderr, p.stderr
        p = run("split", src, os.path.join(d, "x"), 2, "x")
        assert p.returncode == 2 and "COPIES (x) a whole number" in p.stderr, p.stderr
        p = run("split", src, os.path.join(d, "x"), 0, 1)
        assert p.returncode == 2 and "must be above 0" in p.stderr, p.stderr
        os.remove(os.path.join(src, "nsr9.tse_bi"))
        p = run("split", src, os.path.join(d, "bare"), 2, 1)
        assert p.returncode == 2 and "has no annotation file" in p.stderr and "nsr9.tse_bi" in p.stderr, p.stderr
    print("tailor_retrain_test: baseline and rest files, the units and the table as computed by hand")


if __name__ == "__main__":
    main()
