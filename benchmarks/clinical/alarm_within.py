#!/usr/bin/env python3
"""Share of seizures alarmed within L seconds of onset, over all seizures of responder patients.

The median alarm latency in score.json is over detected seizures only; a clinician asks how many
seizures raise an alarm soon enough. For every reference seizure (predictions.h5 /reference) of a
responder patient (score.json responders.per_patient), the delay is the earliest /events/alarm_s
of the detected events overlapping it (OVLP), minus the seizure's onset; a missed seizure has none.

Usage: alarm_within.py PREDICT_DIR [--after-s T] [LIMIT_S ...]   (default limits 15 30 60)
--after-s T: only the seizures still under way T s into their recording (stop > T), as the
tailored scores count after a baseline of T s (`predict --tailor-hours`).
Prints: alarm_within: responder patients' seizures alarmed within 15 / 30 / 60 s of onset: a/n, b/n, c/n (detected d/n)
"""
import json
import math
import os
import sys

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jeppesen_probe import text  # noqa: E402  (one bytes-or-str reader for the probes)
from withdrawal_probe import overlaps  # noqa: E402  (one OVLP predicate for the probes)


def first_alarm_delays(refs, events):
    """refs: [(record, start_s, stop_s)], events: [(record, start_s, stop_s, alarm_s)].
    One delay per ref: earliest alarm of an overlapping event minus the ref's start, or None."""
    delays = []
    for rec, start, stop in refs:
        alarms = [a for r, s, e, a in events if r == rec and overlaps((s, e), start, stop) and not math.isnan(a)]
        delays.append(min(alarms) - start if alarms else None)
    return delays


def count_within(delays, limit):
    return sum(1 for d in delays if d is not None and d <= limit)


def read(predict_dir, after_s=0.0):
    """Reference seizures of responder patients ending after after_s, and all detected events."""
    with h5py.File(os.path.join(predict_dir, "predictions.h5"), "r") as f:
        patients = [text(p) for p in f["records/patient"][()]]
        ref = f["reference"]
        refs = list(zip(ref["record"][()].tolist(), ref["start_s"][()].tolist(), ref["stop_s"][()].tolist()))
        ev = f["events"]
        events = list(zip(ev["record"][()].tolist(), ev["start_s"][()].tolist(), ev["stop_s"][()].tolist(),
                          ev["alarm_s"][()].tolist()))
    with open(os.path.join(predict_dir, "score.json")) as fh:
        per_patient = json.load(fh)["responders"]["per_patient"]
    responders = {p for p, v in per_patient.items() if v.get("responder")}
    return [r for r in refs if patients[r[0]] in responders and r[2] > after_s], events


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    args = argv[2:]
    after_s = 0.0
    if args[:1] == ["--after-s"]:
        after_s, args = float(args[1]), args[2:]
    limits = [float(x) for x in args] or [15.0, 30.0, 60.0]
    refs, events = read(argv[1], after_s)
    delays = first_alarm_delays(refs, events)
    n = len(delays)
    counts = ", ".join(f"{count_within(delays, L)}/{n}" for L in limits)
    detected = sum(1 for d in delays if d is not None)
    print(f"alarm_within: responder patients' seizures alarmed within "
          f"{' / '.join(f'{L:g}' for L in limits)} s of onset: {counts} (detected {detected}/{n})")


if __name__ == "__main__":
    main(sys.argv)
