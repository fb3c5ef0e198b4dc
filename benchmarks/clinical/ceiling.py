#!/usr/bin/env python3
"""The most any cardiac detector can find on the clinical benchmark's held-out cohort.

score.json (`ecgforest predict`) counts a patient a responder from the measured heart rate around
its seizures (`responders`: at least half of its measurable seizures rise by >= 10 bpm, the ictal
peak against the pre-ictal median). The generator (`ecgforest-synth`, cohort.json) knows which
seizures it gave a heart-rate rise: some seizures of responder patients have none (10 % of a
responder's seizures), a non-responder's rise 2-8 bpm, and daily-life heart rate around a seizure
can make a measured rise of 10-25 bpm without any ictal one. A detector that needs an ictal rise
of at least the cohort's responder_threshold_bpm (10) cannot find the others, whatever it learns,
so over the responder patients' seizures its OVLP sensitivity is at most (seizures generated with
such a rise) / (all of them). (Counting every generated rise, the 2-8 bpm ones too, gives a
higher bound; the line says which seizures it counts.) This prints that ceiling and what the detector of score.json found on each side; for a tailored
predict (score.json with `tailoring`), over the hours after each patient's baseline, tailored.

Usage: /usr/bin/python3 benchmarks/clinical/ceiling.py SCORE.json COHORT.json
(a benchmarks/clinical/run.sh work folder's test_independent/score.json or
test_tailored/score.json, and test/cohort.json).
"""
import json
import os
import sys


def fail(msg):
    print(f"ceiling.py: {msg}", file=sys.stderr)
    sys.exit(2)


def read_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        fail(f"cannot read {what} {path} ({e.strerror}); give the files of one run.sh work folder.")
    except json.JSONDecodeError as e:
        fail(f"{what} {path} is not JSON ({e}); give the file as the program wrote it.")


def generator_seizure(cohort, same_recording, onset):
    """The cohort.json seizure of the recording whose path satisfies same_recording that starts
    within 1 s of onset or is under way at onset (a tailored score clips a seizure that began in
    the baseline to start where the scored hours start)."""
    for c in cohort["recordings"]:
        if same_recording(c["path"]):
            for s in c["seizures"]:
                if s["start_s"] - 1.0 <= onset < max(s.get("stop_s", 0.0), s["start_s"] + 1.0):
                    return s
    return None


def of_record(record):
    """A predicate on cohort.json paths: the file of score.json's record name (its stem)."""
    def same(path):
        base = os.path.basename(path)
        return base == record or base.startswith(record + "_") or base.startswith(record + ".")
    return same


def ceiling(score, cohort):
    """Counts over the seizures of score.json's responder patients: all, generated with a rise, found."""
    r = score["responders"]
    threshold = cohort.get("responder_threshold_bpm")
    if threshold is None:
        fail("the cohort file has no responder_threshold_bpm; give the cohort.json of ecgforest-synth 2.0 or later.")
    resp = {p for p, v in r["per_patient"].items() if v.get("responder")}
    out = {"threshold": threshold, "n": 0, "rise": 0, "any_rise": 0, "rise_found": 0, "other_found": 0,
           "other_measured": 0}
    for x in r["seizures"]:
        if x["patient"] not in resp:
            continue
        g = generator_seizure(cohort, of_record(x["record"]), x["start_s"])
        if g is None:
            fail(f"the cohort file lists no seizure of recording {x['record']} starting within 1 s of (or under "
                 f"way at) {x['start_s']:.1f} s; are the score and the cohort from the same run.sh work folder?")
        generated = bool(g["hr_change"]) and g["hr_rise_bpm"] >= threshold
        out["n"] += 1
        out["rise"] += generated
        out["any_rise"] += bool(g["hr_change"]) and g["hr_rise_bpm"] > 0
        out["rise_found" if generated else "other_found"] += bool(x["detected"])
        out["other_measured"] += (not generated) and x.get("rise_bpm") is not None and x["rise_bpm"] >= threshold
    return out


def line(c, who="the forest"):
    n, k = c["n"], c["rise"]
    top = f"{k / n:.2f}" if n else "n/a"
    found = f"{c['rise_found'] / k:.2f}" if k else "n/a"
    return (f"clinical: ceiling (generator truth, cohort.json): of the {n} seizures of responder patients, {k} were "
            f"generated with an ictal rise >= {c['threshold']:g} bpm, so a detector that needs such a rise "
            f"finds at most {k}/{n} ({top}); {who} found {c['rise_found']}/{k} of those ({found}) and "
            f"{c['other_found']}/{n - k} of the others ({c['other_measured']} of which measured a rise >= "
            f"{c['threshold']:g} bpm from the heart rate around them); with any generated rise, the smaller ones "
            f"too: {c['any_rise']}/{n}")


def main():
    if len(sys.argv) != 3:
        fail("usage: ceiling.py SCORE.json COHORT.json (test_independent/score.json and test/cohort.json of a "
             "run.sh work folder)")
    score = read_json(sys.argv[1], "the score file")
    cohort = read_json(sys.argv[2], "the cohort file")
    who = "the forest"
    if "tailoring" in score:
        if "tailored" not in score["tailoring"]:
            fail(f"the score file {sys.argv[1]} has a tailoring section without its tailored scores; give the "
                 "score.json of predict --tailor-hours as the program wrote it.")
        score, who = score["tailoring"]["tailored"], "the tailored forest (after the baselines)"
    if "responders" not in score:
        fail(f"the score file {sys.argv[1]} has no responders section; score a predict run with reference annotations.")
    print(line(ceiling(score, cohort), who))


if __name__ == "__main__":
    main()
