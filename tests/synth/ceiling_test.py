#!/usr/bin/env python3
"""benchmarks/clinical/ceiling.py on a hand-made score.json and cohort.json.

cohort.json (responder_threshold_bpm 10) lists first p1_s001_t0001 (a seizure at 100 s without a
rise: a record-name match by bare prefix would take it for p1_s001_t000's), then p1_s001_t000:
A at 100 s (rise 25), B at 1000 s (no rise), C at 2000 s (rise 8, below 10), D at 3000 s (rise 40),
and p2_s001_t000.edf: E at 500 s (rise 30).
score.json: p1 a responder, p2 not; A detected (onset 0.3 s off), B missed with a measured rise of
15 bpm, C detected with a measured 12 bpm, D missed and unmeasurable, E detected (not counted: p2
is no responder). A tailored score.json gives the same counts from its `tailoring.tailored`. By hand: 4 seizures of responder patients, 2 generated with a rise >= 10 (A, D):
ceiling 2/4 (0.50); found 1/2 of those (A) and 1/2 of the others (C); 2 others measured >= 10 (B, C);
with any generated rise (C's 8 bpm too) 3/4.
p3_s001_t000.edf (a record name followed by "."): F at 600 s (rise 20) and G at 43100-43250 s (no
rise). A tailored score of p3 alone lists F (detected) and G clipped to start at 43200 s, where the
scored hours begin (measured 11 bpm, missed): G is the seizure under way then: 1 of 2 with a rise,
found 1/1, the other 0/1 and measured >= 10; any generated rise 1/2.
Usage: ceiling_test.py SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(sys.argv[1], "benchmarks", "clinical", "ceiling.py")


def seizure(start, rise, duration=60.0):
    return {"start_s": start, "stop_s": start + duration, "hr_change": rise > 0, "hr_rise_bpm": rise}


COHORT = {"responder_threshold_bpm": 10, "recordings": [
    {"path": "p1/p1_s001_t0001_beats.csv", "seizures": [seizure(100.0, 0.0)]},
    {"path": "p1/p1_s001_t000_beats.csv", "seizures": [seizure(100.0, 25.0), seizure(1000.0, 0.0),
                                                       seizure(2000.0, 8.0), seizure(3000.0, 40.0)]},
    {"path": "p2/p2_s001_t000.edf", "seizures": [seizure(500.0, 30.0)]},
    {"path": "p3/p3_s001_t000.edf", "seizures": [seizure(600.0, 20.0), seizure(43100.0, 0.0, 150.0)]}]}


def scored(record, patient, start, rise, detected):
    return {"record": record, "patient": patient, "start_s": start, "rise_bpm": rise, "detected": detected}


SCORE = {"responders": {"per_patient": {"p1": {"responder": True}, "p2": {"responder": False}}, "seizures": [
    scored("p1_s001_t000", "p1", 100.3, 24.0, True), scored("p1_s001_t000", "p1", 1000.0, 15.0, False),
    scored("p1_s001_t000", "p1", 2000.0, 12.0, True), scored("p1_s001_t000", "p1", 3000.0, None, False),
    scored("p2_s001_t000", "p2", 500.0, 31.0, True)]}}


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


def write(d, name, obj):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def main():
    with tempfile.TemporaryDirectory() as d:
        cohort = write(d, "cohort.json", COHORT)
        p = run(write(d, "score.json", SCORE), cohort)
        assert p.returncode == 0, p.stderr
        want = ("of the 4 seizures of responder patients, 2 were generated with an ictal rise >= 10 bpm, so a "
                "detector that needs such a rise finds at most 2/4 (0.50); the forest found 1/2 of those "
                "(0.50) and 1/2 of the others (2 of which measured a rise >= 10 bpm from the heart rate around them); "
                "with any generated rise, the smaller ones too: 3/4")
        assert want in p.stdout, p.stdout

        tailored = {"tailoring": {"patient_independent": {"responders": {"per_patient": {}, "seizures": []}},
                                  "tailored": SCORE}}
        p = run(write(d, "tailored.json", tailored), cohort)
        assert p.returncode == 0 and "at most 2/4 (0.50); the tailored forest (after the baselines) found 1/2" \
            in p.stdout, (p.stdout, p.stderr)

        clipped = {"tailoring": {"tailored": {"responders": {"per_patient": {"p3": {"responder": True}}, "seizures": [
            scored("p3_s001_t000", "p3", 600.0, 22.0, True), scored("p3_s001_t000", "p3", 43200.0, 11.0, False)]}}}}
        p = run(write(d, "clipped.json", clipped), cohort)
        assert p.returncode == 0 and "of the 2 seizures of responder patients, 1 were generated" in p.stdout and \
            "the tailored forest (after the baselines) found 1/1 of those (1.00) and 0/1 of the others (1 of which" \
            in p.stdout and "the smaller ones too: 1/2" \
            in p.stdout, (p.stdout, p.stderr)

        stray = json.loads(json.dumps(SCORE))
        stray["responders"]["seizures"].append(scored("p1_s001_t000", "p1", 5000.0, 20.0, False))
        p = run(write(d, "stray.json", stray), cohort)
        assert p.returncode == 2 and "lists no seizure of recording p1_s001_t000 starting within 1 s of (or under way at) 5000.0 s" \
            in p.stderr and "same run.sh work folder" in p.stderr, (p.returncode, p.stderr)

        p = run(os.path.join(d, "missing.json"), cohort)
        assert p.returncode == 2 and "cannot read the score file" in p.stderr and "missing.json" in p.stderr, p.stderr
        p = run(write(d, "plain.json", {"ovlp_sensitivity": 0.5}), cohort)
        assert p.returncode == 2 and "has no responders section" in p.stderr, p.stderr
        p = run(cohort)
        assert p.returncode == 2 and "usage" in p.stderr, p.stderr
        p = run(write(d, "half.json", {"tailoring": {"patient_independent": {}}}), cohort)
        assert p.returncode == 2 and "without its tailored scores" in p.stderr, p.stderr
        p = run(os.path.join(d, "score.json"), write(d, "old_cohort.json", {"recordings": COHORT["recordings"]}))
        assert p.returncode == 2 and "no responder_threshold_bpm" in p.stderr, p.stderr
    print("ceiling_test: ceiling, found on each side and the error sentences as computed by hand")


if __name__ == "__main__":
    main()
