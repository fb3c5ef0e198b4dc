#!/usr/bin/python3
"""Post-processing probe on training's out-of-fold predictions (issue 13: alarms in time).

  python3 benchmarks/clinical/postprocess_probe.py CV_PREDICTIONS.h5 MODEL.metrics.json

CV_PREDICTIONS.h5 is what `ecgforest train --cv-predictions` (or `run --cv-predictions`) writes;
MODEL.metrics.json is that training's metrics. The probe
  1. re-implements the program's post-processing (causal mean smoothing over usable windows,
     threshold runs within usable stretches, merge gap, minimum duration, alarm time) and its
     scoring (NEDC OVLP hits, budget alarms with events split into 5-min pieces, median alarm
     latency), scores the operating point the CV chose and exits 1 unless it gets the metrics'
     counts: a second implementation checking the first;
  2. scores the program's grid (912 settings) and counts the settings tied with the choice
     (within the budget, the same seizures and budget alarms);
  3. scores Page's CUSUM on the probabilities instead of smoothing + minimum duration
     (S_i = max(0, S_{i-1} + p_i - mu), an event while S_i >= h; the alarm when it starts), over
     mu in 0.75..0.95 and h in 0.1..8, and prints its best setting within the budget beside the
     CV's choice. Nothing here is used by the program.
"""
import json
import sys

import h5py
import numpy as np

BUDGET_PIECE_S = 300.0
MEANS = (1, 5, 10, 20)
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]
DURATIONS = (0.0, 5.0, 10.0, 20.0)
GAPS = (10.0, 30.0, 60.0)
CUSUM_MU = (0.75, 0.8, 0.85, 0.9, 0.95)
CUSUM_H = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)


def load(path):
    """Recordings of the file: times, probabilities, usable flags, merged reference seizures."""
    with h5py.File(path, "r") as f:
        step = float(f.attrs["step_s"])
        w = {k: f["windows/" + k][:] for k in ("probability", "low_quality", "time_s")}
        first, n = f["records/first_window"][:], f["records/n_windows"][:]
        dur = f["records/duration_s"][:]
        rr, rs, re = (f["reference/" + k][:] for k in ("record", "start_s", "stop_s"))
    recs = []
    for r in range(len(first)):
        a, b = int(first[r]), int(first[r] + n[r])
        refs = sorted(zip(rs[rr == r], re[rr == r]))
        merged = []
        for s, e in refs:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        recs.append(dict(t=w["time_s"][a:b], p=w["probability"][a:b].astype(np.float64),
                         u=w["low_quality"][a:b] == 0, refs=merged, dur=float(dur[r])))
    return recs, step


def mean_smooth(p, k):
    if k == 1:
        return p.copy()
    c = np.cumsum(np.r_[0.0, p])
    i = np.arange(len(p))
    b = np.maximum(0, i + 1 - k)
    return (c[i + 1] - c[b]) / (i + 1 - b)


def gated(p, u, fn):
    """fn applied to the usable windows' series and to the others' separately (quality_gate.cpp)."""
    out = np.empty_like(p)
    for flag in (False, True):
        idx = np.flatnonzero(u == flag)
        if len(idx):
            out[idx] = fn(p[idx])
    return out


def cusum(p, mu):
    s, acc = np.empty_like(p), 0.0
    for i, x in enumerate(p):
        acc = max(0.0, acc + x - mu)
        s[i] = acc
    return s


def stretches(u):
    """[i, j) runs of usable windows."""
    out, i, n = [], 0, len(u)
    while i < n:
        if not u[i]:
            i += 1
            continue
        j = i
        while j < n and u[j]:
            j += 1
        out.append((i, j))
        i = j
    return out


def events(t, s, thr, dur, gap, step):
    """windows_to_events: (start, stop, alarm) of runs of s >= thr, merged and filtered."""
    idx = np.flatnonzero(s >= thr)
    if len(idx) == 0:
        return []
    br = np.flatnonzero((np.diff(idx) > 1) | (np.diff(t[idx]) > 1.5 * step))
    runs = list(zip(np.r_[idx[0], idx[br + 1]], np.r_[idx[br], idx[-1]]))
    out, k = [], 0
    while k < len(runs):
        last, start, stop = k, max(0.0, t[runs[k][0]] - step), t[runs[k][1]]
        while last + 1 < len(runs) and max(0.0, t[runs[last + 1][0]] - step) - stop < gap:
            last += 1
            stop = t[runs[last][1]]
        if stop - start >= dur:
            alarm = np.nan
            for q in range(k, last + 1):
                tt = t[runs[q][0]:runs[q][1] + 1]
                hit = np.flatnonzero(tt - start >= dur)
                if len(hit):
                    alarm = tt[hit[0]]
                    break
            out.append((start, stop, alarm))
        k = last + 1
    return out


def score(recs, evs):
    """(hits, seizures, budget alarms, median alarm latency) as operating_point.cpp counts them."""
    hits = nref = alarms = 0
    lat = []
    for r, ev in zip(recs, evs):
        nref += len(r["refs"])
        for rs, re in r["refs"]:
            over = [a for s, e, a in ev if s < re and rs < e]
            hits += bool(over)
            finite = [a for a in over if not np.isnan(a)]
            if finite:
                lat.append(max(0.0, min(finite) - rs))
        for s, e, _ in ev:
            while True:
                piece_end = min(e, s + BUDGET_PIECE_S)
                alarms += not any(s < re and rs < piece_end for rs, re in r["refs"])
                if e - s <= BUDGET_PIECE_S:
                    break
                s += BUDGET_PIECE_S
    return hits, nref, alarms, (float(np.median(lat)) if lat else float("nan"))


def grid(recs, step, series, thresholds, durations):
    """[(name, thr, dur, gap, hits, nref, alarms, alarm latency)] for every setting."""
    out = []
    for name, fn in series:
        sm = [[(r["t"][i:j], s[i:j]) for i, j in stretches(r["u"])]
              for r, s in ((r, gated(r["p"], r["u"], fn)) for r in recs)]
        for d in durations:
            for g in GAPS:
                for th in thresholds:
                    evs = [sum((events(t, s, th, d, g, step) for t, s in parts), []) for parts in sm]
                    out.append((name, th, d, g) + score(recs, evs))
    return out


def best(rows, allowed):
    ok = [r for r in rows if r[6] <= allowed]
    top = max(r[4] for r in ok) if ok else None
    tied = [r for r in ok if r[4] == top]
    fewest = min(r[6] for r in tied) if tied else None
    return [r for r in tied if r[6] == fewest]


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    recs, step = load(argv[1])
    op = json.load(open(argv[2]))["operating_point"]
    chosen, cv = op["chosen"], op["cv"]
    hours = sum(r["dur"] for r in recs) / 3600.0
    allowed = op["fa_budget_per_24h"] * hours / 24.0
    k = chosen["smoothing_windows"] if chosen["smoothing"] != "none" else 1
    mine = grid(recs, step, [("mean x%d" % k, lambda p, k=k: mean_smooth(p, k))], [chosen["threshold"]],
                [chosen["min_duration_s"]])
    mine = [r for r in mine if r[3] == chosen["merge_gap_s"]][0]
    want = (cv["hits"], cv["n_ref"], cv["budget_alarms"])
    print("postprocess_probe: %s, %.1f h, budget %.2f alarms; the CV's choice (%s, %.2f, %g s, %g s): "
          "%d/%d seizures, %d alarms, alarm latency %.1f s (metrics: %d/%d, %d, %.1f)"
          % (argv[1], hours, allowed, mine[0], chosen["threshold"], chosen["min_duration_s"],
             chosen["merge_gap_s"], mine[4], mine[5], mine[6], mine[7], *want, cv["alarm_latency_median_s"]))
    lat_ok = abs(mine[7] - cv["alarm_latency_median_s"]) < 1e-6 or (np.isnan(mine[7]) and cv["alarm_latency_median_s"] is None)
    if (mine[4], mine[5], mine[6]) != want or not lat_ok:
        print("postprocess_probe: the re-implementation does not reproduce the program's counts", file=sys.stderr)
        return 1
    means = [("mean x%d" % k, lambda p, k=k: mean_smooth(p, k)) for k in MEANS]
    rows = grid(recs, step, means, THRESHOLDS, DURATIONS)
    tied = best(rows, allowed)
    print("postprocess_probe: program grid, %d settings: %d tied with the choice (within the budget, %d seizures, "
          "%d alarms): %s" % (len(rows), len(tied), tied[0][4] if tied else 0, tied[0][6] if tied else 0,
                              "; ".join("%s %.2f %g s gap %g s alarm %.1f s" % (r[0], r[1], r[2], r[3], r[7])
                                        for r in tied)))
    sums = [("cusum mu %.2f" % mu, lambda p, mu=mu: cusum(p, mu)) for mu in CUSUM_MU]
    crow = grid(recs, step, sums, CUSUM_H, (0.0,))
    cb = best(crow, allowed)
    if cb:
        r = cb[0]
        print("postprocess_probe: CUSUM, %d settings: best within the budget %s h %g gap %g s: %d/%d seizures, "
              "%d alarms, alarm latency %.1f s" % (len(crow), r[0], r[1], r[3], r[4], r[5], r[6], r[7]))
    else:
        print("postprocess_probe: CUSUM, %d settings: none within the budget" % len(crow))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
