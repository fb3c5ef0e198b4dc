"""Independent checks of features files made from heart-beat recordings (tests/pipeline/e2e_beats.sh).

  check_beats.py daily FEATURES.h5 RECORDS.csv
      rr_daily recordings: every record ok with its kind; duration = the last beat of records.csv;
      one window per second after the first 10 s; where a record was read both as an RR table
      and as a beats file, the features agree wherever both define them.
  check_beats.py cohort FEATURES.h5 COHORT_DIR
      the beat cohort of make_beat_cohort.py: every record ok with its kind; duration = the later
      of the last beat and the last annotated event; labels = seizure fraction of each window
      recomputed here from NAME.tse_bi.
  check_beats.py roundtrip EDF_FEATURES.h5 RR_FEATURES.h5
      EDF recordings and the RR tables `extract --rr-csv` wrote from them (same annotations):
      the same windows and, in every feature column but sqi (which needs the ECG), NaN where
      NaN, counts (n_rr, nni_50, nni_20, hrv_reason) equal, other values within 1e-4 relative or
      2e-3 absolute (RR from timestamps is rounded to 1 us, RR from samples is exact: 3.90625 ms
      steps at 256 Hz), sampen so in 95 % of windows.
  check_beats.py predict PRED_DIR COHORT_DIR
      predict --input on the beat cohort: NAME.tse_bi and NAME.csv_bi per recording, every
      recording ok in predictions.h5, and score.json.
"""
import csv
import gzip
import math
import os
import sys

import h5py
import numpy as np

WINDOW_S, STEP_S = 10.0, 1.0
SUFFIXES = ("_rr.csv.gz", "_rr.csv", "_beats.csv.gz", "_beats.csv")


def name_and_kind(path):
    base = os.path.basename(path)
    for s in SUFFIXES:
        if base.endswith(s):
            return base[: -len(s)], ("rr_csv" if s.startswith("_rr") else "beats_csv")
    raise SystemExit(f"{path} is not a beat file")


def records(f):
    out = []
    for r in f["records"][...]:
        d = {k: (r[k].decode() if isinstance(r[k], bytes) else r[k]) for k in r.dtype.names}
        out.append(d)
    return out


def expect(cond, msg):
    if not cond:
        raise SystemExit("FAIL: " + msg)


def n_windows(duration):
    return int(math.floor((duration - WINDOW_S) / STEP_S + 1e-9)) + 1


def columns(f):
    return [c.decode() if isinstance(c, bytes) else c for c in f["windows/features"].attrs["columns"]]


def daily(features, records_csv):
    meta = {row["record"]: row for row in csv.DictReader(open(records_csv))}
    f = h5py.File(features, "r")
    cols = columns(f)
    x = f["windows/features"][...]
    by_name = {}
    for r in records(f):
        name, kind = name_and_kind(r["path"])
        expect(r["status"] == "ok", f"{r['path']}: {r['status']} {r['message']}")
        expect(r["kind"] == kind, f"{r['path']}: kind {r['kind']}, expected {kind}")
        last = float(meta[name]["last_beat_s"])
        expect(abs(r["duration_s"] - last) < 0.002, f"{r['path']}: duration {r['duration_s']} != last beat {last}")
        expect(r["n_windows"] == n_windows(last), f"{r['path']}: {r['n_windows']} windows, expected {n_windows(last)}")
        rows = x[r["first_window"]: r["first_window"] + r["n_windows"]]
        by_name.setdefault(name, {})[kind] = rows
        print(f"ok   {os.path.basename(r['path'])}: {r['n_windows']} windows, {r['duration_s'] / 3600:.2f} h")
    pairs = 0
    for name, kinds in sorted(by_name.items()):
        if len(kinds) < 2:
            continue
        pairs += 1
        a, b = kinds["rr_csv"], kinds["beats_csv"]
        # Beat times of the beats file have 3 decimals (RR off by <= 1 ms), so agreement is
        # judged per feature with tolerances in its unit, on windows where both are defined.
        for col, tol, share in (("mean_nni", 1.0, 0.999), ("mean_hr", 0.1, 0.999), ("n_rr", 0.0, 0.99),
                                ("rr_coverage", 0.002, 0.99), ("sdnn", 1.0, 0.99), ("sqi", 0.001, 0.999)):
            j = cols.index(col)
            both = np.isfinite(a[:, j]) & np.isfinite(b[:, j])
            expect(both.sum() > 0.9 * len(a), f"{name} {col}: defined in only {both.sum()} of {len(a)} windows")
            close = np.abs(a[both, j] - b[both, j]) <= tol
            expect(close.mean() >= share, f"{name} {col}: rr and beats agree in {close.mean():.4f} of windows")
            print(f"ok   {name} {col}: rr_csv and beats_csv agree within {tol} in {close.mean():.4%} of "
                  f"{both.sum()} windows")
    expect(pairs > 0, "no record was read both as RR table and beats file")


def tse_events(path):
    ev = []
    for line in open(path):
        p = line.split()
        if len(p) == 4 and p[0][0].isdigit():
            ev.append((float(p[0]), float(p[1]), p[2].lower()))
    return ev


def last_beat(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    if "time_s" in head:
        return float(body[-1][head.index("time_s")])
    # RR table: the last row's beat + its RR; seconds from the placeholder midnight.
    ts, rr = body[-1][head.index("timestamp")], float(body[-1][head.index("rr_interval")])
    h, m, s = ts.split(" ")[1].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s) + rr / 1000.0


def cohort(features, cohort_dir):
    f = h5py.File(features, "r")
    label, time_s = f["windows/label"][...], f["windows/time_s"][...]
    recs = records(f)
    expect(len(recs) == len([p for p in os.listdir(cohort_dir) if p.endswith(SUFFIXES)]), "record count")
    for r in recs:
        name, kind = name_and_kind(r["path"])
        expect(r["status"] == "ok", f"{r['path']}: {r['status']} {r['message']}")
        expect(r["kind"] == kind, f"{r['path']}: kind {r['kind']}")
        ann = os.path.join(cohort_dir, name + ".tse_bi")
        # Stored paths are relative to the input root, the cohort folder.
        expect(r["annotation"] == name + ".tse_bi", f"{r['path']}: annotation {r['annotation']}")
        ev = tse_events(ann)
        duration = max(last_beat(os.path.join(cohort_dir, r["path"])), max(e[1] for e in ev))
        expect(abs(r["duration_s"] - duration) < 1e-6, f"{r['path']}: duration {r['duration_s']}, expected {duration}")
        expect(r["n_windows"] == n_windows(duration), f"{r['path']}: {r['n_windows']} windows")
        s, n = r["first_window"], r["n_windows"]
        seiz = [(a, b) for a, b, lab in ev if lab != "bckg"]
        for t, lab in zip(time_s[s: s + n], label[s: s + n]):
            cover = sum(max(0.0, min(b, t) - max(a, t - WINDOW_S)) for a, b in seiz) / WINDOW_S
            expect(abs(cover - lab) < 1e-5, f"{r['path']}: window ending {t}: label {lab}, expected {cover}")
        print(f"ok   {os.path.basename(r['path'])}: {kind}, {n} windows, labels match {os.path.basename(ann)}")


def roundtrip(edf_features, rr_features):
    a, b = h5py.File(edf_features, "r"), h5py.File(rr_features, "r")
    cols = columns(a)
    expect(cols == columns(b), "different columns")
    keep = [j for j, c in enumerate(cols) if c != "sqi"]
    ra = {os.path.splitext(os.path.basename(r["path"]))[0]: r for r in records(a)}
    rb = {name_and_kind(r["path"])[0]: r for r in records(b)}
    expect(sorted(ra) == sorted(rb), f"recordings differ: {sorted(ra)} vs {sorted(rb)}")
    for name in sorted(ra):
        x, y = ra[name], rb[name]
        expect(x["status"] == "ok" and y["status"] == "ok", f"{name}: {x['message']} / {y['message']}")
        expect(x["n_windows"] == y["n_windows"], f"{name}: {x['n_windows']} vs {y['n_windows']} windows")
        fx = a["windows/features"][x["first_window"]: x["first_window"] + x["n_windows"]].astype(np.float64)
        fy = b["windows/features"][y["first_window"]: y["first_window"] + y["n_windows"]].astype(np.float64)
        for j in keep:
            u, v = fx[:, j], fy[:, j]
            expect(np.array_equal(np.isnan(u), np.isnan(v)), f"{name} {cols[j]}: NaN in different windows")
            if cols[j] in ("n_rr", "nni_50", "nni_20", "hrv_reason"):
                close = (u == v) | np.isnan(u)
            else:
                close = np.isclose(u, v, rtol=1e-4, atol=2e-3, equal_nan=True)
            # sampen counts template matches within r = 0.2 SD: a 1 us shift can flip a match.
            share = 0.95 if cols[j] == "sampen" else 1.0
            expect(close.mean() >= share, f"{name} {cols[j]}: EDF and RR table agree in only {close.mean():.4f} "
                                          f"of windows, max |d| {np.nanmax(np.abs(u - v))}")
        print(f"ok   {name}: EDF and its RR table give the same features ({x['n_windows']} windows, {len(keep)} "
              f"columns; {y['message']})")


def predict(pred_dir, cohort_dir):
    names = sorted(name_and_kind(p)[0] for p in os.listdir(cohort_dir) if p.endswith(SUFFIXES))
    for n in names:
        for ext in (".tse_bi", ".csv_bi"):
            expect(os.path.getsize(os.path.join(pred_dir, n + ext)) > 0, f"{n}{ext} missing in {pred_dir}")
    p = h5py.File(os.path.join(pred_dir, "predictions.h5"), "r")
    status = [s.decode() for s in p["records/status"][...]]
    expect(status == ["ok"] * len(names), f"predictions.h5 statuses {status}")
    expect(len(p["windows/probability"]) > 0, "no windows predicted")
    expect(os.path.getsize(os.path.join(pred_dir, "score.json")) > 0, "score.json missing")
    print(f"ok   predict --input wrote NAME.tse_bi/.csv_bi for {len(names)} beat recordings and score.json")


if __name__ == "__main__":
    {"daily": daily, "cohort": cohort, "roundtrip": roundtrip, "predict": predict}[sys.argv[1]](*sys.argv[2:])
