#!/usr/bin/env python3
"""Compare heart-rate statistics of two sets of beat files side by side (issue 13, item 6).

Typical use: synthetic 24-h recordings written by `ecgforest-synth --format beats` against the
real Holter recordings of ../shared/data/rr_daily/beats/ (read its README):

    tools/synth/compare_rr_daily.py --a 'synth/*/*_beats.csv' --b '../shared/data/rr_daily/beats/*_beats.csv.gz'

Beat files are CSVs with a header `time_s,symbol` (gzip-compressed when the name ends in .gz).
Only N-N intervals are used: two consecutive rows that are both `N`, at most 3 s apart; an
interval is never bridged across a non-N beat, a `~`/`|` mark or a longer gap. Statistics:

- HR: percentiles 5/25/50/75/95 of the 1-min mean heart rate (60 / mean NN of the intervals
  starting in that minute; minutes with < 50 % NN coverage are skipped), pooled over recordings;
- night/day: per recording, "night" is the 6 consecutive hours with the lowest mean HR (inferred,
  since rr_daily has no clock time; the same rule is applied to both sets), "day" all other hours;
  the table gives the median over recordings of day minus night mean HR and of the night/day
  RMSSD ratio;
- rises: the 10-s mean HR minus the median of the 10-s values of the preceding 5 min; a rise of
  size >= K is a run of 10-s bins with that excess >= K (runs less than 30 s apart are one rise);
  given per hour, median over recordings (with the 25th-75th percentile) and pooled (all rises over
  all hours: a few very active recordings weigh in); a *fast* rise of size K reached it within
  30 s from less than 5 bpm above the baseline (its first bin >= K, the bin 3 before it < 5);
- RMSSD: percentiles of RMSSD over 5-min segments (successive differences of adjacent NN
  intervals only), pooled over recordings;
- ectopy: non-N beats (any symbol other than N, `~`, `|`) per hour, median over recordings.

Needs python3 and numpy only. Optional --quantize-hz rounds the beat times of set A to that grid
first (rr_daily's beat times are multiples of 1/128 s), so short-term HRV is compared alike.
"""
import argparse
import warnings
import glob
import gzip
import sys

import numpy as np

RISE_SIZES = (10, 20, 30)
FAST_BINS = 3         # a fast rise reaches its size within 30 s (3 bins of 10 s) ...
FAST_FROM_BPM = 5.0   # ... from less than 5 bpm above the baseline
PCTS = (5, 25, 50, 75, 95)


def read_beats(path):
    """Returns (times in s, symbols as a numpy array of 1-char strings)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        header = f.readline().strip().split(",")
        if header[:2] != ["time_s", "symbol"]:
            sys.exit(f"compare_rr_daily: {path} does not start with the header 'time_s,symbol'; "
                     "give beat files as written by ecgforest-synth --format beats or rr_daily/beats.")
        rows = [line.rstrip("\n").split(",") for line in f if line.strip()]
    t = np.array([float(r[0]) for r in rows])
    s = np.array([r[1] for r in rows])
    return t, s


def nn_intervals(t, s):
    """Start time and length (s) of each N-N interval, and whether it directly follows the
    previous interval (shares its beat), for successive differences."""
    both = (s[:-1] == "N") & (s[1:] == "N")
    rr = np.diff(t)
    ok = both & (rr <= 3.0) & (rr > 0)
    idx = np.nonzero(ok)[0]
    adjacent = np.zeros(len(idx), bool)
    adjacent[1:] = np.diff(idx) == 1
    return t[idx], rr[idx], adjacent


def binned_hr(start, rr, width, t_end):
    """Mean HR (bpm) per bin of `width` s: 60 / mean RR of the intervals starting in it; NaN where
    the intervals cover less than half the bin."""
    n = int(np.ceil(t_end / width)) + 1
    b = (start // width).astype(int)
    cover = np.bincount(b, weights=rr, minlength=n)
    count = np.bincount(b, minlength=n)
    hr = np.full(n, np.nan)
    good = (cover >= 0.5 * width) & (count > 0)
    hr[good] = 60.0 * count[good] / cover[good]
    return hr


def rises_per_hour(hr10):
    """Rises of each size per hour of 10-s bins with a valid baseline."""
    n = len(hr10)
    excess = np.full(n, np.nan)
    if n > 30:
        win = np.lib.stride_tricks.sliding_window_view(hr10[:-1], 30)  # win[j] = hr10[j:j+30], before bin j+30
        valid = np.count_nonzero(~np.isnan(win), axis=1) >= 15
        with warnings.catch_warnings():  # all-NaN windows (holes) give NaN, as wanted
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(win, axis=1)
        excess[30:] = np.where(valid, hr10[30:] - med, np.nan)
    hours = np.count_nonzero(~np.isnan(excess)) * 10.0 / 3600.0
    out = {}
    for k in RISE_SIZES:
        above = np.nonzero(excess >= k)[0]
        firsts = above[np.concatenate(([True], np.diff(above) > 3))] if len(above) else above
        out[k] = len(firsts) / hours if hours > 0 else np.nan
        before = firsts[firsts >= FAST_BINS] - FAST_BINS  # the bin 30 s before each rise's first bin
        fast = np.count_nonzero(excess[before] < FAST_FROM_BPM)
        out[f"fast{k}"] = fast / hours if hours > 0 else np.nan
    return out


def rmssd_segments(start, rr, adjacent, width=300.0):
    d = np.diff(rr)
    ok = adjacent[1:]
    seg = (start[1:][ok] // width).astype(int)
    d2 = d[ok] ** 2
    if len(seg) == 0:
        return np.array([]), np.array([], int)
    n = seg.max() + 1
    s = np.bincount(seg, weights=d2, minlength=n)
    c = np.bincount(seg, minlength=n)
    good = c >= 100
    return 1000.0 * np.sqrt(s[good] / c[good]), np.nonzero(good)[0]


def night_hours(hr_hour):
    """Indices of the 6 consecutive hours with the lowest mean HR (hours with data only)."""
    best, best_i = np.inf, None
    for i in range(0, len(hr_hour) - 5):
        w = hr_hour[i:i + 6]
        if np.count_nonzero(~np.isnan(w)) >= 5 and np.nanmean(w) < best:
            best, best_i = np.nanmean(w), i
    return None if best_i is None else np.arange(best_i, best_i + 6)


def analyse(path, quantize_hz=None):
    t, s = read_beats(path)
    if quantize_hz:
        t = np.round(t * quantize_hz) / quantize_hz
    start, rr, adjacent = nn_intervals(t, s)
    t_end = t[-1] if len(t) else 0.0
    hr60 = binned_hr(start, rr, 60.0, t_end)
    hr10 = binned_hr(start, rr, 10.0, t_end)
    hr_hour = binned_hr(start, rr, 3600.0, t_end)
    rm, rm_seg = rmssd_segments(start, rr, adjacent)
    r = {"hr60": hr60[~np.isnan(hr60)], "rmssd": rm, "rises": rises_per_hour(hr10),
         "hours": (t[-1] - t[0]) / 3600.0 if len(t) > 1 else 0.0}
    ectopic = ~np.isin(s, ["N", "~", "|"])
    r["ectopic_per_h"] = np.count_nonzero(ectopic) / r["hours"] if r["hours"] > 0 else np.nan
    night = night_hours(hr_hour)
    r["day_minus_night"] = np.nan
    r["rmssd_night_over_day"] = np.nan
    if night is not None and len(hr_hour) >= 12:
        day = np.setdiff1d(np.arange(len(hr_hour)), night)
        r["day_minus_night"] = np.nanmean(hr_hour[day]) - np.nanmean(hr_hour[night])
        seg_hour = (rm_seg * 300.0 // 3600.0).astype(int)
        in_night = np.isin(seg_hour, night)
        if in_night.any() and (~in_night).any():
            r["rmssd_night_over_day"] = np.median(rm[in_night]) / np.median(rm[~in_night])
    return r


def summarise(paths, quantize_hz=None):
    recs = [analyse(p, quantize_hz) for p in paths]
    hr = np.concatenate([r["hr60"] for r in recs])
    rm = np.concatenate([r["rmssd"] for r in recs])
    out = {"n": len(recs), "hours": sum(r["hours"] for r in recs)}
    for p in PCTS:
        out[f"1-min HR p{p} (bpm)"] = np.percentile(hr, p)
    per_rec_med = np.array([np.median(r["hr60"]) for r in recs])
    out["per-recording median HR: min-max (bpm)"] = (per_rec_med.min(), per_rec_med.max())
    out["day - night mean HR (bpm), median"] = np.nanmedian([r["day_minus_night"] for r in recs])
    q = np.nanpercentile([r["day_minus_night"] for r in recs], [25, 75])
    out["day - night mean HR (bpm), IQR"] = tuple(q)
    hours = np.array([r["hours"] for r in recs])
    for label, key in [(f"rises >= {k}", k) for k in RISE_SIZES] + [(f"fast rises >= {k}", f"fast{k}") for k in RISE_SIZES[1:]]:
        v = np.array([r["rises"][key] for r in recs])
        out[f"{label} bpm per h, median"] = np.nanmedian(v)
        out[f"{label} bpm per h, IQR"] = tuple(np.nanpercentile(v, [25, 75]))
        ok = ~np.isnan(v)
        out[f"{label} bpm per h, pooled"] = np.sum(v[ok] * hours[ok]) / np.sum(hours[ok])
    for p in PCTS:
        out[f"5-min RMSSD p{p} (ms)"] = np.percentile(rm, p)
    out["RMSSD night/day ratio, median"] = np.nanmedian([r["rmssd_night_over_day"] for r in recs])
    out["ectopic beats per h, median"] = np.nanmedian([r["ectopic_per_h"] for r in recs])
    return out


def fmt(v):
    if isinstance(v, tuple):
        return "–".join(f"{x:.1f}" for x in v)
    if isinstance(v, (int, np.integer)):
        return str(v)
    return f"{v:.1f}" if abs(v) >= 1 or v == 0 else f"{v:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="glob of the first set's beat files (e.g. synthetic)")
    ap.add_argument("--b", required=True, help="glob of the second set's beat files (e.g. rr_daily)")
    ap.add_argument("--a-name", default="synthetic")
    ap.add_argument("--b-name", default="rr_daily")
    ap.add_argument("--quantize-hz", type=float, default=None,
                    help="round set A's beat times to this sampling grid first (rr_daily: 128)")
    a = ap.parse_args()
    pa, pb = sorted(glob.glob(a.a)), sorted(glob.glob(a.b))
    for name, pat, paths in ((a.a_name, a.a, pa), (a.b_name, a.b, pb)):
        if not paths:
            sys.exit(f"compare_rr_daily: no files match '{pat}' ({name}); check the glob (quote it).")
    sa, sb = summarise(pa, a.quantize_hz), summarise(pb)
    rows = [("recordings", sa["n"], sb["n"]), ("hours", sa["hours"], sb["hours"])]
    rows += [(k, sa[k], sb[k]) for k in sa if k not in ("n", "hours")]
    w = max(len(r[0]) for r in rows)
    print(f"| {'statistic'.ljust(w)} | {a.a_name} | {a.b_name} |")
    print(f"|{'-' * (w + 2)}|---:|---:|")
    for k, x, y in rows:
        print(f"| {k.ljust(w)} | {fmt(x)} | {fmt(y)} |")


if __name__ == "__main__":
    main()
