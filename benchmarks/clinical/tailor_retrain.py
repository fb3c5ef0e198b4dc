#!/usr/bin/env python3
"""Patient-tailored by retraining (issue 13, item 4; a probe beside `predict --tailor-hours`).

`predict --tailor-hours H` tailors a patient's *threshold* on its first H hours. This probe
tailors the *model*: the patient's first H hours join the training cohort as negative recordings
(COPIES times, so that 12 h weigh against the cohort's 192), `ecgforest run` trains with default
settings, and the model detects on the hours after the baseline. Driven by tailor_retrain.sh.

  split SRC OUT HOURS COPIES   every heart-beat recording under SRC (NAME_beats.csv[.gz] with
        NAME.tse_bi) becomes a baseline (beats before HOURS h, those within 300 s of an annotated
        seizure left out, no seizure annotated: the baseline is seizure-free, as the threshold
        tailoring's) and a rest (beats from HOURS h on, times and annotations shifted to start at 0,
        under OUT/rest with SRC's relative path). The baseline is written COPIES times as
        OUT/base/<id>/<id>_s00K_t000_beats.csv, <id> = 9 and seven digits (the recording's index),
        a TUH name, so that the copies are one patient in the cross-validation and no training
        patient's name. OUT/units.tsv: id and rest recording (relative to OUT/rest), one line per
        recording; OUT/split.json: the hours and copies. One recording per patient (as run.sh's
        cohorts and rr_daily): the table refuses a patient with two.
  table OUT TAILORED  per unit the retrained model's score (OUT/pred_<id>/score.json), the run.sh
        model's on the same rest files (OUT/control/score.json) and its threshold-tailored score on
        the same hours (TAILORED: run.sh's test_tailored/score.json or daily_tailored/score.json,
        whose `tailoring.tailored` also says which patients respond), summed: seizures found,
        responder patients' seizures found, false alarms per 24 h. Prints one Markdown table.

  program-table PROGRAM TAILORED  the same table for the program's retraining (tailor_retrain.sh
        --program): PROGRAM is the score.json of `predict --tailor-hours H --tailor-retrain ...` on
        the whole cohort, whose `tailoring` holds the patient-independent and the retrained scores
        on the hours after each baseline; TAILORED as above (threshold tailored, same hours, and
        the responders). H must be the same in both.

Usage: /usr/bin/python3 benchmarks/clinical/tailor_retrain.py split SRC OUT HOURS COPIES
       /usr/bin/python3 benchmarks/clinical/tailor_retrain.py program-table PROGRAM TAILORED
       /usr/bin/python3 benchmarks/clinical/tailor_retrain.py table OUT TAILORED
"""
import gzip
import json
import os
import sys

GUARD_S = 300.0  # as the threshold tailoring: windows within 5 min of a baseline seizure are not used


def fail(msg):
    print(f"tailor_retrain.py: {msg}", file=sys.stderr)
    sys.exit(2)


def read_text(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return f.read()


def seizures(tse_path):
    """(start, stop) of the seiz segments of a .tse_bi file, and its last stop (0 when it lists none)."""
    out, end = [], 0.0
    for line in read_text(tse_path).splitlines():
        x = line.split()
        if len(x) == 4 and x[0][0].isdigit():
            end = max(end, float(x[1]))
            if x[2] == "seiz":
                out.append((float(x[0]), float(x[1])))
    return out, end


def tse_text(seiz, duration):
    """A .tse_bi of the seizures seiz over [0, duration] (background between them)."""
    lines, t = ["version = tse_v1.0.0", ""], 0.0
    for a, b in seiz:
        if a > t:
            lines.append(f"{t:.4f} {a:.4f} bckg 1.0000")
        lines.append(f"{a:.4f} {b:.4f} seiz 1.0000")
        t = b
    if duration > t:
        lines.append(f"{t:.4f} {duration:.4f} bckg 1.0000")
    return "\n".join(lines) + "\n"


def beat_files(src):
    found = []
    for d, _, files in os.walk(src):
        found += [os.path.join(d, f) for f in files if f.endswith(("_beats.csv", "_beats.csv.gz"))]
    return sorted(found)


def split_one(path, src, out, hours, copies, index):
    name = os.path.basename(path).split("_beats.csv")[0]
    tse = os.path.join(os.path.dirname(path), name + ".tse_bi")
    if not os.path.exists(tse):
        fail(f"{path} has no annotation file {tse}; give every recording one (an empty one says: no seizures).")
    seiz, tse_end = seizures(tse)
    rows = read_text(path).splitlines()
    if not rows or not rows[0].startswith("time_s"):
        fail(f"{path} does not start with a time_s header; this probe reads beats files (NAME_beats.csv).")
    cut = hours * 3600.0
    times = [float(r.split(",", 1)[0]) for r in rows[1:]]
    base = [r for t, r in zip(times, rows[1:]) if t < cut and not any(a - GUARD_S <= t <= b + GUARD_S for a, b in seiz)]
    rest = [f"{t - cut:.4f},{r.split(',', 1)[1]}" for t, r in zip(times, rows[1:]) if t >= cut]
    if not rest:
        fail(f"{path} ends before {hours:g} h; nothing is left to detect on after the baseline.")
    uid = f"9{index:07d}"
    for k in range(1, copies + 1):
        write(os.path.join(out, "base", uid, f"{uid}_s{k:03d}_t000_beats.csv"), [rows[0]] + base)
        write(os.path.join(out, "base", uid, f"{uid}_s{k:03d}_t000.tse_bi"), [tse_text([], cut).rstrip("\n")])
    rel = os.path.relpath(os.path.join(os.path.dirname(path), name + "_beats.csv"), src)
    end = max(tse_end, times[-1])
    write(os.path.join(out, "rest", rel), [rows[0]] + rest)
    shifted = [(max(a, cut) - cut, b - cut) for a, b in seiz if b > cut]
    write(os.path.join(out, "rest", os.path.dirname(rel), name + ".tse_bi"), [tse_text(shifted, end - cut).rstrip("\n")])
    return uid, rel


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def split(src, out, hours, copies):
    files = beat_files(src)
    if not files:
        fail(f"no heart-beat recording (NAME_beats.csv[.gz]) under {src}; give a run.sh cohort folder.")
    units = [split_one(p, src, out, hours, copies, i + 1) for i, p in enumerate(files)]
    write(os.path.join(out, "units.tsv"), [f"{u}\t{r}" for u, r in units])
    write(os.path.join(out, "split.json"), [json.dumps({"hours": hours, "copies": copies})])
    print(f"tailor_retrain: {len(units)} recordings split at {hours:g} h into {out}/base (x{copies}) and {out}/rest")


def per_patient(score_path):
    if not os.path.exists(score_path):
        fail(f"no score file {score_path}; did the predict before this step fail? (see its .log beside it)")
    with open(score_path) as f:
        return json.load(f)["per_patient"]


def threshold_tailoring(tailored_path, hours, what):
    """run.sh's threshold-tailored score.json's `tailoring`, checked to be over the first `hours`."""
    if not os.path.exists(tailored_path):
        fail(f"no score file {tailored_path}; give run.sh's tailored score.json (test_tailored or daily_tailored).")
    with open(tailored_path) as f:
        tailoring = json.load(f).get("tailoring")
    if not tailoring or "tailored" not in tailoring:
        fail(f"{tailored_path} has no tailored scores; give run.sh's test_tailored/score.json or "
             "daily_tailored/score.json (predict --tailor-hours).")
    if abs(tailoring.get("tailor_hours", hours) - hours) > 1e-9:
        fail(f"{what} {hours:g} h but {tailored_path} tailored on {tailoring['tailor_hours']:g} h; use run.sh's "
             "--tailor-hours.")
    return tailoring


def responders(tailoring):
    return {p for p, v in tailoring["tailored"]["responders"]["per_patient"].items() if v.get("responder")}


def print_rows(hours, copies, rows, resp):
    print(f"retrained with each recording's first {hours:g} h x {copies} (seizure-free):\n")
    print("| detector, on the hours after each baseline | seizures found | responder patients' | FA/24h | hours |")
    print("|---|---|---|---|---|")
    for label, ps in rows.items():
        hits = sum(p["ovlp_hits"] for _, p in ps)
        n = sum(p["n_ref_events"] for _, p in ps)
        rh = sum(p["ovlp_hits"] for q, p in ps if q in resp)
        rn = sum(p["n_ref_events"] for q, p in ps if q in resp)
        hours_sum = sum(p["hours"] for _, p in ps)
        fa = sum(p["ovlp_false_alarms"] for _, p in ps)
        print(f"| {label} | {hits}/{n} | {rh}/{rn} | {24.0 * fa / hours_sum:.2f} | {hours_sum:.1f} |")


def program_table(program_path, tailored_path):
    """The rows from `predict --tailor-hours H --tailor-retrain` (patient-independent and retrained,
    its `tailoring`) and run.sh's threshold tailoring on the same hours, per patient."""
    if not os.path.exists(program_path):
        fail(f"no score file {program_path}; did predict --tailor-retrain fail? (see its .log beside it)")
    with open(program_path) as f:
        prog = json.load(f).get("tailoring", {})
    if prog.get("method") != "retrain" or not prog.get("tailor_hours"):
        fail(f"{program_path} is not the score of predict --tailor-hours H --tailor-retrain (tailoring.method).")
    tailoring = threshold_tailoring(tailored_path, prog["tailor_hours"], f"{program_path} retrained on the first")
    ind, ret, thr = (prog["patient_independent"]["per_patient"], prog["tailored"]["per_patient"],
                     tailoring["tailored"]["per_patient"])
    if set(ind) != set(thr):
        fail(f"{program_path} and {tailored_path} score different patients; give the tailored score of the same cohort.")
    rows = {"run.sh model (patient-independent)": sorted(ind.items()),
            "run.sh model, threshold tailored (predict --tailor-hours)": sorted(thr.items()),
            "retrained by predict --tailor-retrain": sorted(ret.items())}
    print_rows(prog["tailor_hours"], prog["copies"], rows, responders(tailoring))


def table(out, tailored_path):
    """One row per detector over the units' rest hours; the threshold-tailored row and the responder
    patients from run.sh's tailored score.json (its `tailoring.tailored`, the same hours)."""
    with open(os.path.join(out, "split.json")) as f:
        settings = json.load(f)
    tailoring = threshold_tailoring(tailored_path, settings["hours"], f"{out} was split at")
    tailored = tailoring["tailored"]
    resp = responders(tailoring)
    control = per_patient(os.path.join(out, "control", "score.json"))
    rows = {"run.sh model (patient-independent)": [], "run.sh model, threshold tailored (predict --tailor-hours)": [],
            "retrained with the patient's baseline": []}
    with open(os.path.join(out, "units.tsv")) as f:
        units = [line.split("\t") for line in f.read().splitlines() if line]
    if not units:
        fail(f"{out}/units.tsv lists no recording; split again.")
    seen = set()
    for uid, rel in units:
        for patient, p in per_patient(os.path.join(out, f"pred_{uid}", "score.json")).items():
            if patient in seen:
                fail(f"patient {patient} has more than one recording ({rel} is another); this probe compares "
                     "whole-patient scores and takes one recording per patient.")
            if patient not in control or patient not in tailored["per_patient"]:
                fail(f"patient {patient} of {out} is not in {out}/control/score.json or {tailored_path}; give "
                     "the tailored score of the work folder that was split.")
            seen.add(patient)
            rows["run.sh model (patient-independent)"].append((patient, control[patient]))
            rows["run.sh model, threshold tailored (predict --tailor-hours)"].append(
                (patient, tailored["per_patient"][patient]))
            rows["retrained with the patient's baseline"].append((patient, p))
    print_rows(settings["hours"], settings["copies"], rows, resp)


def main():
    a = sys.argv[1:]
    if len(a) == 5 and a[0] == "split":
        try:
            hours, copies = float(a[3]), int(a[4])
        except ValueError:
            fail(f"HOURS ({a[3]}) must be a number and COPIES ({a[4]}) a whole number.")
        if hours <= 0 or copies < 1:
            fail(f"HOURS ({a[3]}) must be above 0 and COPIES ({a[4]}) at least 1.")
        split(a[1], a[2], hours, copies)
    elif len(a) == 3 and a[0] == "table":
        table(a[1], a[2])
    elif len(a) == 3 and a[0] == "program-table":
        program_table(a[1], a[2])
    else:
        fail("usage: tailor_retrain.py split SRC OUT HOURS COPIES | table OUT TAILORED | program-table PROGRAM TAILORED "
             "(see the header)")


if __name__ == "__main__":
    main()
