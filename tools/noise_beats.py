#!/usr/bin/python3
"""R-peak detection under calibrated noise (a stand-in for the MIT-BIH Noise Stress Test DB).

For every REC.edf + REC_beats.csv in DIR (mitdb layout), channel 0 gets synthetic noise added at
each SNR (dB), is written to a temporary one-channel EDF, run through `ecgforest beats`, and scored
with score_beats.py (EC57 matching, 150 ms). Prints Se, PPV, F1 per record and level and gross.

SNR follows the NSTDB convention (Moody, Muldrow & Mark 1984, nst.c): signal power S = (median
peak-to-peak QRS amplitude)^2 / 8, measured in +-50 ms around the reference beats of the clean
record; noise power N = variance of the added noise; SNR = 10 log10(S / N).

The real NSTDB noise records (bw, em, ma) are not available here, so the types are synthesised
with their published character (seeded, reproducible):
  bw     baseline wander: sum of 0.05-0.5 Hz sinusoids (respiration ~0.2-0.35 Hz dominant) with
         random phases plus a 0.1 Hz-low-passed random walk;
  em     electrode motion shaped like the NSTDB em record: motion episodes (~1 per 6 s, 0.5-4 s)
         each with a slow baseline step (50-300 ms edge, 1-4 s relaxation) and a burst with a 1/f
         spectrum from 1 Hz and a 2nd-order roll-off above 10 Hz (its tail overlaps the QRS band),
         plus electrode pops (~1 per 15 s, 5-20 ms edge, 0.1-0.5 s recovery); see noise_em;
  ma     muscle artefact: 15-min(150, 0.45 fs) Hz band-limited Gaussian noise, amplitude-modulated
         by a 0.1-1 Hz envelope (EMG bursts);
  burst  the earlier `em`: flat-spectrum 1-10 Hz Gaussian bursts (0.2-2 s, ~1 per 3 s) plus pops
         with 0.3 s recovery - harsher than real electrode motion at the same SNR (worst case).
`mix` (default) = bw + em + ma with equal power; the sum is scaled to the requested SNR.
Seeds: the noise of (seed, record, SNR, type) is fixed; parameters were chosen on --seed 2 and
the README reports --seed 1 (the default).

Usage: tools/noise_beats.py [--dir DIR] [--snr 24 12 6 0 -6] [--types mix bw em ma burst]
                            [--records 100 105] [--detector NAME] [--ecgforest BIN]
                            [--scorer score_beats.py] [--seed 1] [--per-record]
       tools/noise_beats.py --write DIR --types KIND --snr DB [--records ...] [--seed 1]
           writes the noisy records as DIR/REC.edf (one type, one SNR; the same noise as the
           scoring run) and runs no detector: benchmarks/clinical/real_ecg_fa.sh predicts on them.
"""
import argparse
import glob
import importlib.util
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def read_edf_signal0(path):
    with open(path, "rb") as f:
        h = f.read(256)
        ns = int(h[252:256]); nrec = int(h[236:244]); dur = float(h[244:252])
        sh = f.read(ns * 256)
        def field(off, width, i):
            base = ns * off
            return sh[base + i * width: base + (i + 1) * width].decode("ascii").strip()
        pmin = [float(field(104, 8, i)) for i in range(ns)]
        pmax = [float(field(112, 8, i)) for i in range(ns)]
        dmin = [float(field(120, 8, i)) for i in range(ns)]
        dmax = [float(field(128, 8, i)) for i in range(ns)]
        spr = [int(field(216, 8, i)) for i in range(ns)]
        data = np.frombuffer(f.read(), dtype="<i2")
    rec_len = sum(spr)
    data = data[: nrec * rec_len].reshape(nrec, rec_len)[:, : spr[0]].reshape(-1).astype(float)
    gain = (pmax[0] - pmin[0]) / (dmax[0] - dmin[0])
    x = (data - dmin[0]) * gain + pmin[0]
    return x, spr[0] / dur, h[168:184]  # signal, fs, start date+time bytes


def write_edf(path, x, fs, start_bytes):
    spr = int(round(fs)); assert abs(spr - fs) < 1e-9, "integer rates only"
    nrec = int(np.ceil(len(x) / spr))
    pad = np.full(nrec * spr, x[-1]); pad[: len(x)] = x
    lo, hi = float(pad.min()), float(pad.max())
    if hi - lo < 1e-9:
        hi = lo + 1.0
    lo, hi = lo - 0.01 * (hi - lo), hi + 0.01 * (hi - lo)
    dig = np.round((pad - lo) / (hi - lo) * 65535.0 - 32768.0).clip(-32768, 32767).astype("<i2")
    f8 = lambda v: f"{v:<8.8g}"[:8].ljust(8)
    hdr = (b"0".ljust(8) + b"X X X X".ljust(80) + b"Startdate X X X X".ljust(80) + start_bytes
           + f"{512:<8d}".encode() + b"".ljust(44) + f"{nrec:<8d}".encode() + b"1".ljust(8) + b"1".ljust(4))
    sig = (b"ECG".ljust(16) + b"".ljust(80) + b"mV".ljust(8) + f8(lo).encode() + f8(hi).encode()
           + b"-32768".ljust(8) + b"32767".ljust(8) + b"".ljust(80) + f"{spr:<8d}".encode() + b"".ljust(32))
    assert len(hdr) == 256 and len(sig) == 256
    with open(path, "wb") as f:
        f.write(hdr + sig + dig.tobytes())


def bandlimited(rng, n, fs, lo, hi):
    """Gaussian noise with a flat spectrum between lo and hi Hz (FFT masking), unit variance."""
    spec = np.fft.rfft(rng.standard_normal(n))
    fr = np.fft.rfftfreq(n, 1.0 / fs)
    spec[(fr < lo) | (fr > hi)] = 0.0
    y = np.fft.irfft(spec, n)
    return y / (y.std() + 1e-300)


def noise_bw(rng, n, fs):
    t = np.arange(n) / fs
    y = np.zeros(n)
    for f, a in [(rng.uniform(0.2, 0.35), 1.0), (rng.uniform(0.05, 0.15), 0.7), (rng.uniform(0.35, 0.5), 0.3)]:
        y += a * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    walk = np.cumsum(rng.standard_normal(n)); walk -= np.linspace(walk[0], walk[-1], n)
    spec = np.fft.rfft(walk); spec[np.fft.rfftfreq(n, 1 / fs) > 0.1] = 0
    w = np.fft.irfft(spec, n)
    y += 0.5 * w / (w.std() + 1e-300)
    return y / y.std()


def noise_burst(rng, n, fs):
    """The earlier `em`: flat-spectrum 1-10 Hz bursts plus pops (kept as the hardest case)."""
    base = bandlimited(rng, n, fs, 1.0, 10.0)
    env = np.zeros(n)
    t = 0.0
    while True:
        t += rng.exponential(3.0)
        if t * fs >= n:
            break
        a, d = int(t * fs), int(rng.uniform(0.2, 2.0) * fs)
        win = np.hanning(max(d, 3))
        env[a: a + len(win)] += win[: n - a] * rng.uniform(0.5, 2.0)
    y = base * env
    # Electrode pops: steps that relax back with a 0.3 s time constant.
    for _ in range(max(1, int(n / fs / 20))):
        a = rng.integers(0, n)
        k = np.arange(n - a) / fs
        y[a:] += rng.choice([-1, 1]) * rng.uniform(1.0, 3.0) * np.exp(-k / 0.3)
    return y / (y.std() + 1e-300)


def shaped_motion(rng, n, fs):
    """Gaussian noise with the spectrum of electrode motion: 1/f from 1 Hz, a 2nd-order
    roll-off above 10 Hz (so its tail overlaps the QRS band instead of stopping at 10 Hz),
    and below 1 Hz a 2nd-order roll-off; unit variance."""
    spec = np.fft.rfft(rng.standard_normal(n))
    fr = np.fft.rfftfreq(n, 1.0 / fs)
    f = np.maximum(fr, 1e-3)
    h = 1.0 / np.sqrt(f) / (1.0 + (f / 10.0) ** 2) * (f / 1.0) ** 2 / (1.0 + (f / 1.0) ** 2)
    y = np.fft.irfft(spec * h, n)
    return y / (y.std() + 1e-300)


def add_relax(y, fs, a, amp, tau, rise_s):
    """Adds a step of height amp at sample a, reached over rise_s (raised cosine) and relaxing
    back with time constant tau (cut after 12 tau, where it is below 1e-5 of amp)."""
    k = np.arange(min(len(y) - a, int((rise_s + 12.0 * tau) * fs) + 1)) / fs
    r = np.where(k < rise_s, 0.5 - 0.5 * np.cos(np.pi * k / max(rise_s, 1e-9)), 1.0)
    y[a: a + len(k)] += amp * r * np.exp(-np.maximum(k - rise_s, 0.0) / tau)


def noise_em(rng, n, fs):
    """Electrode motion shaped like the NSTDB `em` record: motion episodes (Poisson, ~1 per 6 s,
    0.5-4 s) that each carry (i) a slow baseline step (50-300 ms transition, 1-4 s relaxation)
    and (ii) a 1-10 Hz burst with a 1/f spectrum and a tail into the QRS band; plus electrode
    pops (~1 per 15 s: 5-20 ms edge, 0.1-0.5 s recovery) that look like sharp deflections.
    Power shares (before scaling): steps ~35 %, bursts ~45 %, pops ~20 %."""
    steps = np.zeros(n); bursts = np.zeros(n); pops = np.zeros(n)
    motion = shaped_motion(rng, n, fs)
    t = 0.0
    while True:
        t += rng.exponential(6.0)
        if t * fs >= n:
            break
        a, d = int(t * fs), int(rng.uniform(0.5, 4.0) * fs)
        add_relax(steps, fs, a, rng.choice([-1, 1]) * rng.uniform(0.5, 2.0), rng.uniform(1.0, 4.0),
                  rng.uniform(0.05, 0.3))
        win = np.hanning(max(d, 3))[: n - a]
        bursts[a: a + len(win)] += win * rng.uniform(0.5, 2.0) * motion[a: a + len(win)]
    t = 0.0
    while True:
        t += rng.exponential(15.0)
        if t * fs >= n:
            break
        a = int(t * fs)
        add_relax(pops, fs, a, rng.choice([-1, 1]) * rng.uniform(1.0, 3.0), rng.uniform(0.1, 0.5),
                  rng.uniform(0.005, 0.02))
    parts = [(steps, 0.35), (bursts, 0.45), (pops, 0.20)]
    y = sum(np.sqrt(w) * v / (v.std() + 1e-300) for v, w in parts)
    return y / (y.std() + 1e-300)


def noise_ma(rng, n, fs):
    y = bandlimited(rng, n, fs, 15.0, min(150.0, 0.45 * fs))
    env = bandlimited(rng, n, fs, 0.1, 1.0)
    y *= 0.4 + np.abs(env)
    return y / y.std()


def make_noise(kind, rng, n, fs):
    if kind == "mix":
        return (noise_bw(rng, n, fs) + noise_em(rng, n, fs) + noise_ma(rng, n, fs)) / np.sqrt(3.0)
    return {"bw": noise_bw, "em": noise_em, "ma": noise_ma, "burst": noise_burst}[kind](rng, n, fs)


KINDS = ["mix", "bw", "em", "ma", "burst"]  # order fixes the seeds: append new kinds at the end


def signal_power(x, ref, fs):
    h = int(0.05 * fs)
    pp = [x[max(0, r - h): r + h + 1].ptp() for r in ref if r - h >= 0 and r + h < len(x)]
    return np.median(pp) ** 2 / 8.0


def noisy_record(seed, ri, rec, kind, snr, sb):
    """Channel 0 of record number ri (REC.edf) with its seeded noise at snr dB: (x, fs, start, ref)."""
    x, fs, start = read_edf_signal0(rec + ".edf")
    ref = sb.load_samples(rec + "_beats.csv")
    rng = np.random.default_rng([seed, ri, int(snr * 10) + 1000, KINDS.index(kind)])
    nz = make_noise(kind, rng, len(x), fs)
    nz *= np.sqrt(signal_power(x, ref, fs) / 10 ** (snr / 10.0))
    return x + nz, fs, start, ref


def write_noisy(a, recs, sb):
    os.makedirs(a.write, exist_ok=True)
    for ri, rec in enumerate(recs):
        x, fs, start, _ = noisy_record(a.seed, ri, rec, a.types[0], a.snr[0], sb)
        write_edf(os.path.join(a.write, os.path.basename(rec) + ".edf"), x, fs, start)
    print(f"noise_beats: wrote {len(recs)} records with {a.types[0]} noise at {a.snr[0]:g} dB to {a.write}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(REPO, "..", "shared", "data", "mitdb"))
    ap.add_argument("--snr", type=float, nargs="+", default=[24, 12, 6, 0, -6])
    ap.add_argument("--types", nargs="+", default=["mix"], choices=KINDS)
    ap.add_argument("--records", nargs="+", help="only these record names (default: all in DIR)")
    ap.add_argument("--detector", help="passed to `ecgforest beats --detector`")
    ap.add_argument("--ecgforest", default=os.environ.get("ECGFOREST", os.path.join(REPO, "build", "release", "ecgforest")))
    ap.add_argument("--scorer", default=os.path.join(REPO, "..", "shared", "tools", "score_beats.py"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-record", action="store_true", help="print every record, not only gross")
    ap.add_argument("--write", metavar="DIR", help="write DIR/REC.edf with the noise added (one type, one SNR) and stop")
    a = ap.parse_args()
    if a.write and (len(a.types) != 1 or len(a.snr) != 1):
        sys.exit("noise_beats: --write takes exactly one --types and one --snr value")
    spec = importlib.util.spec_from_file_location("score_beats", a.scorer)
    sb = importlib.util.module_from_spec(spec); spec.loader.exec_module(sb)
    recs = sorted(p[:-4] for p in glob.glob(os.path.join(a.dir, "*.edf")) if os.path.exists(p[:-4] + "_beats.csv"))
    if a.records:
        recs = [r for r in recs if os.path.basename(r) in a.records]
    if not recs:
        sys.exit(f"noise_beats: no REC.edf + REC_beats.csv in {a.dir}")
    if a.write:
        write_noisy(a, recs, sb)
        return
    print(f"{'noise':>5} {'SNR dB':>6} {'TP':>6} {'FP':>5} {'FN':>5} {'Se %':>7} {'PPV %':>7} {'F1':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in a.types:
            for snr in a.snr:
                T = np.zeros(3, int)
                for ri, rec in enumerate(recs):
                    x, fs, start, ref = noisy_record(a.seed, ri, rec, kind, snr, sb)
                    edf = os.path.join(tmp, "noisy.edf"); det = os.path.join(tmp, "det.csv")
                    write_edf(edf, x, fs, start)
                    cmd = [a.ecgforest, "beats", "--input", edf, "--output", det]
                    subprocess.run(cmd + (["--detector", a.detector] if a.detector else []), check=True,
                                   stdout=subprocess.DEVNULL)
                    r = sb.score(ref, sb.load_samples(det), fs=fs)
                    T += [r["TP"], r["FP"], r["FN"]]
                    if a.per_record:
                        print(f"  {os.path.basename(rec)} {kind} {snr:g} dB: Se {100*r['Se']:.2f} PPV {100*r['PPV']:.2f} F1 {r['F1']:.4f}")
                tp, fp, fn = T
                print(f"{kind:>5} {snr:6g} {tp:6d} {fp:5d} {fn:5d} {100*tp/(tp+fn):7.2f} {100*tp/(tp+fp):7.2f} "
                      f"{2*tp/(2*tp+fp+fn):7.4f}", flush=True)


if __name__ == "__main__":
    main()
