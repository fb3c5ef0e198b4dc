"""make_beat_cohort.py SYNTH_DIR OUT_DIR: the synthetic cohort's true R-peaks (NAME.rpeaks.csv,
`sample,time_s`) as heart-beat recordings with the same annotations (NAME.tse_bi), as wearables
would export them: most as NAME_beats.csv (`time_s,symbol`; every 37th beat coded V, ectopic),
one gzip-compressed, one as the old RR table NAME_rr.csv.gz (`timestamp,frame,rr_interval`) with
every 50th row left out (holes)."""
import gzip
import os
import shutil
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
names = sorted(f[:-len(".rpeaks.csv")] for dirpath, _, files in os.walk(src)
               for f in files if f.endswith(".rpeaks.csv"))
paths = {}
for dirpath, _, files in os.walk(src):
    for f in files:
        paths[f] = os.path.join(dirpath, f)
assert len(names) >= 3, names
for i, name in enumerate(names):
    rows = [l.strip().split(",") for l in open(paths[name + ".rpeaks.csv"])][1:]
    samples = [int(r[0]) for r in rows]
    times = [float(r[1]) for r in rows]
    shutil.copy(paths[name + ".tse_bi"], os.path.join(out, name + ".tse_bi"))
    if i == 0:  # RR table, 256 Hz frames, placeholder date, every 50th row dropped
        fs = round(samples[-1] / times[-1])
        with gzip.open(os.path.join(out, name + "_rr.csv.gz"), "wt") as f:
            f.write("timestamp,frame,rr_interval\n")
            for k in range(len(samples) - 1):
                if k % 50 == 49:
                    continue
                ns = samples[k] * 1_000_000_000 // fs
                s, frac = divmod(ns, 1_000_000_000)
                f.write("2000-01-01 %02d:%02d:%02d.%09d,%d,%r\n" % (s // 3600, s // 60 % 60, s % 60, frac, samples[k],
                                                                   (samples[k + 1] - samples[k]) * 1000.0 / fs))
        continue
    text = "time_s,symbol\n" + "".join("%.6f,%s\n" % (t, "V" if k % 37 == 36 else "N") for k, t in enumerate(times))
    if i == 1:
        with gzip.open(os.path.join(out, name + "_beats.csv.gz"), "wt") as f:
            f.write(text)
    else:
        with open(os.path.join(out, name + "_beats.csv"), "w") as f:
            f.write(text)
print("beat cohort:", len(names), "recordings in", out)
