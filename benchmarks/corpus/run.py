#!/usr/bin/python3
"""End-to-end corpus benchmark of ecgforest (issue 8): generates a TUH-shaped synthetic corpus with
ecgforest-synth, then times `extract`, `train` and `predict` at each rank x thread count and prints
ECG hours per core-second, windows/s, bytes/s against a plain `cat` of the same files, trees/s,
peak RSS per rank, parallel efficiency and load imbalance (max/mean busy seconds per rank).

Two clocks per run: "wall" is the whole `mpirun ...` command (process launch, MPI_Init ~0.3 s,
MPI_Finalize included); "in-program" is what ecgforest itself reports (after MPI_Init: inputs,
recordings, collective write). Efficiency is given on both; the fixed launch cost (measured alone
as `mpirun -np N ecgforest --version`) is printed so the two can be reconciled.

  /usr/bin/python3 benchmarks/corpus/run.py [--hours 50] [--files 100] [--ranks 1,2] [--threads 1]
      [--build build/release] [--work /tmp/ecgforest_corpus] [--trees 128] [--repeat 3]

Corpus: files/2 patients with 2 recordings each; per patient a duration drawn from 10-60 min and
scaled so the total is --hours, 25-35 channels (24-34 EEG + the ECG; + the annotation signal in
EDF+), per patient 250 Hz (45 %), 256 Hz (45 %) or 512 Hz (10 %), 30 % EDF+.
The corpus is reused when WORK/corpus/params.json matches. Results: WORK/results.json and a
Markdown table on stdout."""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--hours", type=float, default=50.0)
ap.add_argument("--files", type=int, default=100)
ap.add_argument("--ranks", default="1,2")
ap.add_argument("--threads", default="1")
ap.add_argument("--build", default=os.path.join(root, "build", "release"))
ap.add_argument("--work", default="/tmp/ecgforest_corpus")
ap.add_argument("--trees", type=int, default=128)
ap.add_argument("--repeat", type=int, default=3, help="runs per configuration; the fastest counts")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--oversubscribe", action="store_true", help="also run ranks x threads > cores")
ap.add_argument("--mpirun-args", default="--mca pml ob1",
                help="extra mpirun options (default '--mca pml ob1': one machine, shared memory; it skips "
                     "Open MPI's UCX start-up, ~0.2 s of MPI_Init; pass '' for Open MPI's defaults)")
a = ap.parse_args()
ranks = [int(x) for x in a.ranks.split(",")]
threads = [int(x) for x in a.threads.split(",")]
configs = [(np_, nt) for nt in threads for np_ in ranks if np_ * nt <= (os.cpu_count() or 1) or a.oversubscribe]
skipped = [(np_, nt) for nt in threads for np_ in ranks if (np_, nt) not in configs]
if skipped:
    print(f"run.py: skipping ranks x threads {skipped}: more than the {os.cpu_count()} cores here "
          "(--oversubscribe to run them anyway; their efficiency would mean nothing).", file=sys.stderr)
ecg = os.path.join(a.build, "ecgforest")
synth = os.path.join(a.build, "tools", "ecgforest-synth")
for exe in (ecg, synth):
    if not os.access(exe, os.X_OK):
        sys.exit(f"run.py: {exe} not found; build first (cmake --preset release && cmake --build --preset release).")
mpirun = [shutil.which("mpirun") or "mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"] + \
    a.mpirun_args.split()
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
os.makedirs(a.work, exist_ok=True)


def log(*x):
    print(*x, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ corpus
corpus = os.path.join(a.work, "corpus")
params = {"hours": a.hours, "files": a.files, "seed": a.seed, "fs": "250/256/512", "eeg_channels": "24-34"}
pfile = os.path.join(corpus, "params.json")
if not (os.path.exists(pfile) and json.load(open(pfile)) == params):
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    rng = random.Random(a.seed)
    n_pat = max(1, a.files // 2)
    draws = [rng.uniform(10, 60) for _ in range(n_pat)]
    scale = a.hours * 60 / (2 * sum(draws))  # minutes so that the total is --hours
    t0 = time.time()
    for p in range(n_pat):
        minutes = max(1, round(draws[p] * scale))
        cmd = [synth, "--out", os.path.join(corpus, f"p{p:03d}"), "--patients", "1", "--recordings", "2",
               "--minutes", str(minutes), "--eeg-channels", str(rng.randint(24, 34)),
               "--fs", rng.choices(["250", "256", "512"], weights=[45, 45, 10])[0], "--edf-plus-fraction", "0.3",
               "--seed", str(a.seed * 1000 + p), "--seizure-rate", "1.5", "--quiet",
               # the corpus of the measured figures (before exertion bursts); speed does not depend on them
               "--exertion-bursts", "0"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    json.dump(params, open(pfile, "w"))
    log(f"corpus: {n_pat * 2} files generated in {time.time() - t0:.1f} s")
edfs = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs if f.endswith(".edf"))
total_bytes = sum(os.path.getsize(f) for f in edfs)
log(f"corpus: {len(edfs)} EDF files, {total_bytes / 1e9:.3f} GB in {corpus}")


# ------------------------------------------------------------------ plain read time (page cache)
def cat_time():
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(["cat"] + edfs, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


t_cat = cat_time()
log(f"cat of all EDF files to /dev/null (page cache, best of 3): {t_cat:.3f} s = {total_bytes / t_cat / 1e9:.2f} GB/s")


def loadavg():
    return os.getloadavg()[0]


def run_mpi(np_, nt, args, tag, check=True):
    """Runs ecgforest under mpirun with the RSS wrapper; returns (seconds, stdout, rss_kib list)."""
    rdir = os.path.join(a.work, "rss", tag)
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    cmd = mpirun + ["-np", str(np_), "-x", f"OMP_NUM_THREADS={nt}", sys.executable,
                    os.path.join(here, "rss_wrap.py"), rdir, ecg] + args
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"run.py: {' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    rss = [int(open(os.path.join(rdir, f"rss.{r}")).read()) for r in range(np_)]
    return dt, p.stdout + p.stderr, rss


def best_of(np_, nt, args, tag, remove=()):
    """Runs a.repeat times (removing `remove` before each) and returns the fastest run plus the
    load average seen before it: (wall_s, text, rss, load)."""
    best = None
    for _ in range(a.repeat):
        for f in remove:
            if os.path.exists(f):
                os.remove(f)
        la = loadavg()
        r = run_mpi(np_, nt, args, tag)
        if best is None or r[0] < best[0]:
            best = r + (la,)
    return best


def launch_cost(np_):
    """Wall seconds of `mpirun -np N ecgforest --version` (launch, MPI_Init, MPI_Finalize), best of 3."""
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(mpirun + ["-np", str(np_), ecg, "--version"], env=env, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


pat = "--patient-regex=(p[0-9]+)/"
results = {"corpus": {"files": len(edfs), "bytes": total_bytes, "cat_s": t_cat, "dir": corpus}, "runs": [],
           "launch_s": {}, "load_average_at_start": os.getloadavg(), "cores": os.cpu_count(),
           "command": " ".join(sys.argv), "mpirun": " ".join(mpirun)}
largest_edf = max(os.path.getsize(f) for f in edfs)
results["corpus"]["largest_edf_bytes"] = largest_edf
if loadavg() > 0.5:
    log(f"warning: load average {os.getloadavg()} before the runs; efficiency figures need an idle machine.")
for np_ in ranks:
    results["launch_s"][np_] = launch_cost(np_)
    log(f"launch cost (mpirun -np {np_} ecgforest --version): {results['launch_s'][np_]:.3f} s")

# ------------------------------------------------------------------ extract
feat = {}
for np_, nt in configs:
    out = os.path.join(a.work, f"features_np{np_}_t{nt}.h5")
    dt, text, rss, la = best_of(np_, nt, ["extract", "--input", corpus, "--output", out, pat],
                                f"extract_{np_}_{nt}", remove=[out])
    m = re.search(r"([0-9.]+) ECG hours, ([0-9]+) windows in", text)
    ph = re.search(r"phases \(s\): inputs ([0-9.]+), recordings ([0-9.]+), write ([0-9.]+), summary ([0-9.]+)", text)
    if not m or not ph:
        sys.exit("run.py: extract summary lines not found:\n" + text)
    hours, windows = float(m.group(1)), int(m.group(2))
    phases = {k: float(ph.group(i + 1)) for i, k in enumerate(["inputs", "recordings", "write", "summary"])}
    inner_s = sum(phases.values())
    busy = re.search(r"busy seconds per rank:([0-9. ]+)\(imbalance max/mean ([0-9.]+)\)", text)
    busy_list = [float(x) for x in busy.group(1).split()] if busy else [phases["recordings"]]
    r = {"step": "extract", "ranks": np_, "threads": nt, "wall_s": dt, "inner_s": inner_s, "phases_s": phases,
         "ecg_hours": hours, "windows": windows, "ecg_h_per_core_s": hours / (dt * np_ * nt),
         "ecg_h_per_core_s_inner": hours / (inner_s * np_ * nt), "windows_per_s": windows / dt,
         "bytes_per_s": total_bytes / dt, "x_cat": dt / t_cat, "busy_s": busy_list,
         "imbalance": float(busy.group(2)) if busy else 1.0, "rss_mib": [x / 1024 for x in rss], "load_before": la}
    results["runs"].append(r)
    feat[(np_, nt)] = out
    log(f"extract np={np_} t={nt}: {dt:.2f} s wall, {inner_s:.3f} s in-program {phases}, {hours:.2f} ECG h, "
        f"{r['ecg_h_per_core_s']:.2f} ECG h/core-s (wall), imbalance {r['imbalance']:.3f}, "
        f"RSS MiB {[round(x) for x in r['rss_mib']]}")

# ------------------------------------------------------------------ train and predict (on the first features file)
features = feat[configs[0]]
n_win = next(r["windows"] for r in results["runs"] if r["step"] == "extract")
for np_, nt in configs:
    model = os.path.join(a.work, f"model_np{np_}_t{nt}.h5")
    dt, text, rss, la = best_of(np_, nt, ["train", "--features", features, "--model", model, "--trees",
                                          str(a.trees), "--cv-folds", "0"], f"train_{np_}_{nt}",
                                remove=[model, model + ".partial"])
    m = re.search(r"model written to .*\(([0-9.e+-]+) s\)", text)
    inner = float(m.group(1)) if m else dt
    results["runs"].append({"step": "train", "ranks": np_, "threads": nt, "wall_s": dt, "inner_s": inner,
                            "trees_per_s": a.trees / dt, "rss_mib": [x / 1024 for x in rss], "load_before": la})
    log(f"train np={np_} t={nt}: {dt:.2f} s wall, {inner:.3f} s in-program, {a.trees / dt:.1f} trees/s")
    probs = os.path.join(a.work, f"probs_np{np_}_t{nt}.h5")
    dt, text, rss, la = best_of(np_, nt, ["predict", "--model", model, "--features", features, "--output", probs],
                                f"predict_{np_}_{nt}", remove=[probs])
    m = re.search(r"probabilities written to .*\(([0-9.e+-]+) s:", text)
    inner = float(m.group(1)) if m else dt
    results["runs"].append({"step": "predict", "ranks": np_, "threads": nt, "wall_s": dt, "inner_s": inner,
                            "windows_per_s": n_win / dt, "rss_mib": [x / 1024 for x in rss], "load_before": la})
    log(f"predict np={np_} t={nt}: {dt:.2f} s wall, {inner:.3f} s in-program, {n_win / dt:.0f} windows/s")


# ------------------------------------------------------------------ efficiency and table
def base(step):
    return next(r for r in results["runs"] if r["step"] == step and (r["ranks"], r["threads"]) == configs[0])


# Efficiency against the first configuration (normally 1 rank x 1 thread), per core used:
# E = T_base * cores_base / (T * ranks * threads).
for r in results["runs"]:
    b = base(r["step"])
    r["efficiency"] = (b["wall_s"] * b["ranks"] * b["threads"]) / (r["wall_s"] * r["ranks"] * r["threads"])
    r["efficiency_inner"] = (b["inner_s"] * b["ranks"] * b["threads"]) / (r["inner_s"] * r["ranks"] * r["threads"])
json.dump(results, open(os.path.join(a.work, "results.json"), "w"), indent=1)

print(f"\nCorpus: {len(edfs)} EDF files, {total_bytes / 1e9:.2f} GB, "
      f"{results['runs'][0]['ecg_hours']:.1f} ECG hours; largest file {largest_edf / 1e6:.1f} MB; "
      f"cat to /dev/null {t_cat:.3f} s ({total_bytes / t_cat / 1e9:.2f} GB/s, page cache); "
      f"mpirun options '{a.mpirun_args}'; launch cost (mpirun + MPI_Init/Finalize) "
      + ", ".join(f"{k} rank(s) {v:.2f} s" for k, v in results["launch_s"].items()) + "\n")
print("| step | ranks × threads | wall s | in-program s | ECG h / core-s (wall) | windows/s | MB/s read "
      "| × cat time | trees/s | efficiency wall / in-program | imbalance (max/mean busy) | peak RSS per rank MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in results["runs"]:
    f = lambda k, fmt: (fmt % r[k]) if k in r else "–"
    imb = f"{r['imbalance']:.3f}" if r["step"] == "extract" and r["ranks"] > 1 else "–"
    mbs = f"{r['bytes_per_s'] / 1e6:.0f}" if "bytes_per_s" in r else "–"
    print(f"| {r['step']} | {r['ranks']} × {r['threads']} | {r['wall_s']:.2f} | {r['inner_s']:.2f} "
          f"| {f('ecg_h_per_core_s', '%.2f')} | {f('windows_per_s', '%.0f')} | {mbs} "
          f"| {f('x_cat', '%.1f')} | {f('trees_per_s', '%.1f')} "
          f"| {r['efficiency'] * 100:.0f} % / {r['efficiency_inner'] * 100:.0f} % | {imb} "
          f"| {' / '.join(str(round(x)) for x in r['rss_mib'])} |")
print(f"\nload average before the first run: {results['load_average_at_start']} on {os.cpu_count()} cores; "
      f"fastest of {a.repeat} runs per row")
