#!/usr/bin/python3
"""Random forest benchmark: ecgforest vs scikit-learn, ranger and xgboost's random-forest mode,
each library at its own best setting.

Datasets: (1) the generator below, shaped like ecgforest's HRV features (27 float features, 2 %
positives, patient effects, overlapping classes, integer-valued count features, heavy tails),
train rows and rows/4 test rows from the same patients; (2) with --cohort FEATURES.h5, the windows
of a features file written by `ecgforest extract` (e.g. from an ecgforest-synth cohort), split by
patient: every third patient (sorted ids) is a test patient, so no patient is in both sets.
Every library grows 100 trees with floor(sqrt(F)) features per split on the same thread count:
  xgboost XGBRFClassifier (hist, 256 bins, subsample 0.632 without replacement) at max_depth 6, 10, 20;
  scikit-learn RandomForestClassifier at min_samples_leaf 1 and 20;
  ranger (if Rscript and r-cran-ranger are installed) at min.node.size 1 and 20;
  ecgforest `train` with its defaults, and with --tune (--ablation: also the settings that chose the defaults).
For each setting: fit wall seconds, trees/s per core, peak RSS and test ROC AUC; then per library
the setting with the best test AUC (chosen on the test set: generous to every library).

Usage (see README "Forest benchmarks"):
  /usr/bin/python3 benchmarks/forest_compare.py --ecgforest build/release/ecgforest \
      --rows 100000 --threads 2 [--cohort features.h5] [--libs ecgforest,sklearn,ranger,xgboost] [--scaling]

Each library runs in its own child process; peak RSS is that process tree's ru_maxrss (for
ecgforest under mpirun: the largest rank). Times are wall seconds of the fit call (ecgforest: the
whole `train` command including MPI start-up, reading and binning the HDF5 file; mpirun gets
--mpirun-args, by default '--mca pml ob1', the single-workstation setting of README "Commands").
Needs numpy, h5py (Debian python3-numpy/python3-h5py); sklearn, xgboost (python3-sklearn,
python3-xgboost) and Rscript with ranger (r-cran-ranger) for the other columns (skipped if absent).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

N_FEATURES = 27
N_TREES = 100


def make_data(n_rows, seed):
    """Rows of 27 features, ~2 % positives; returns x (float32 [n, 27]), y (0/1), patient ids."""
    rng = np.random.default_rng(seed)
    n_pat = 60
    patient = rng.integers(0, n_pat, n_rows)
    pat_shift = rng.normal(0, 0.6, (n_pat, N_FEATURES))
    y = (rng.random(n_rows) < 0.02).astype(np.uint8)
    # Correlated latent factors (heart rate, variability, coverage) plus per-feature noise.
    z = rng.normal(0, 1, (n_rows, 3))
    z[:, 0] += 0.9 * y        # ictal tachycardia
    z[:, 1] -= 0.6 * y        # reduced variability
    load = rng.normal(0, 1, (3, N_FEATURES)) * (rng.random((3, N_FEATURES)) < 0.5)
    x = z @ load + rng.normal(0, 1, (n_rows, N_FEATURES)) + pat_shift[patient]
    # A quarter of the positives have no heart-rate change at all (as in the synthetic cohort).
    quiet = (y == 1) & (rng.random(n_rows) < 0.25)
    x[quiet] = (rng.normal(0, 1, (quiet.sum(), 3)) @ load + rng.normal(0, 1, (quiet.sum(), N_FEATURES))
                + pat_shift[patient[quiet]])
    x[:, 3] = np.round(np.exp(x[:, 3] * 0.5) * 5)          # count-like (nni_50)
    x[:, 16] = np.round(12 + 2 * x[:, 16])                  # n_rr
    x[:, 9] = np.exp(0.7 * x[:, 9])                         # heavy tail (range_nni)
    return x.astype(np.float32), y, patient


def write_features(path, x, y, patient):
    import h5py
    n = x.shape[0]
    order = np.argsort(patient, kind="stable")
    x, y, patient = x[order], y[order], patient[order]
    pats, first, counts = np.unique(patient, return_index=True, return_counts=True)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("/windows/features", data=x)
        d.attrs["columns"] = np.array(["f%02d" % i for i in range(x.shape[1])], dtype=h5py.string_dtype())
        f["/windows/label"] = y.astype(np.float32)
        rec = np.zeros(n, np.uint32)
        for r, (a, c) in enumerate(zip(first, counts)):
            rec[a:a + c] = r
        f["/windows/record"] = rec
        f["/windows/time_s"] = np.arange(n, dtype=np.float64)
        s = h5py.string_dtype()
        dt = np.dtype([("path", s), ("patient", s), ("ecg_channel", s), ("status", s), ("message", s),
                       ("annotation", s), ("duration_s", "<f8"), ("fs", "<f8"), ("n_beats", "<u8"),
                       ("n_windows", "<u8"), ("first_window", "<u8")])
        recs = np.array([("p%03d.edf" % p, "PAT_%03d" % p, "ECG", "ok", "", "", float(c), 256.0, 0, c, a)
                         for p, a, c in zip(pats, first, counts)], dtype=dt)
        f.create_dataset("/records", data=recs)
        for k, v in [("config", ""), ("version", "bench"), ("created", "now"), ("format", "ecgforest-features/1"),
                     ("collective_writes", "verified")]:
            f.attrs[k] = v
        f.attrs["n_ranks"] = np.int64(1)
    return x, y


def run_child(cmd, env=None):
    """Runs cmd; returns (wall seconds, peak RSS MiB of the process tree, stdout, CPU seconds)."""
    # Peak RSS comes from /usr/bin/time (%M): a child forked directly from this (large) Python
    # process would inherit its high-water mark (Linux keeps it across exec).
    t0 = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "MAXRSS_KB=%M"] + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError("%s failed:\n%s\n%s" % (" ".join(cmd), out.decode(), err.decode()))
    rss_kb = [int(l.split("=")[1]) for l in err.decode().splitlines() if l.startswith("MAXRSS_KB=")][-1]
    return wall, rss_kb / 1024.0, out.decode(), ru.ru_utime + ru.ru_stime


def auc(y, p):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, p))


# ---------------------------------------------------------------- child modes (one library each)
def child(args):
    d = np.load(os.path.join(args.data, "train.npz"))
    xt = np.load(os.path.join(args.data, "test.npz"))
    x, y, xtest = d["x"], d["y"], xt["x"]
    n_feat = x.shape[1]
    t0 = time.perf_counter()
    if args.child == "sklearn":
        from sklearn.ensemble import RandomForestClassifier
        m = RandomForestClassifier(n_estimators=N_TREES, max_features="sqrt", n_jobs=args.threads, random_state=1,
                                   min_samples_leaf=args.setting)
    elif args.child == "xgboost":
        import xgboost
        m = xgboost.XGBRFClassifier(n_estimators=N_TREES, tree_method="hist", max_depth=args.setting, subsample=0.632,
                                    colsample_bynode=np.floor(np.sqrt(n_feat)) / n_feat, n_jobs=args.threads,
                                    random_state=1, max_bin=256)
    m.fit(x, y)
    fit = time.perf_counter() - t0
    p = m.predict_proba(xtest)[:, 1]
    np.save(os.path.join(args.data, args.child + "_p.npy"), p)
    print(json.dumps({"fit_s": fit}))


RANGER_R = r"""
args <- commandArgs(TRUE); dir <- args[1]; threads <- as.integer(args[2])
suppressMessages(library(ranger))
rd <- function(name, n, k) { con <- file(file.path(dir, name), "rb"); v <- readBin(con, "numeric", n * k, size = 4); close(con); matrix(v, nrow = n, ncol = k, byrow = TRUE) }
meta <- scan(file.path(dir, "shape.txt"), quiet = TRUE)
x <- as.data.frame(rd("train.f32", meta[1], meta[3])); yb <- rd("train_y.f32", meta[1], 1)
x$y <- factor(yb[, 1])
t0 <- proc.time()[["elapsed"]]
m <- ranger(y ~ ., data = x, num.trees = 100, mtry = floor(sqrt(meta[3])), num.threads = threads,
            probability = TRUE, seed = 1, write.forest = TRUE, min.node.size = as.integer(args[3]))
fit <- proc.time()[["elapsed"]] - t0
xt <- as.data.frame(rd("test.f32", meta[2], meta[3]))
p <- predict(m, xt, num.threads = threads)$predictions[, "1"]
con <- file(file.path(dir, "ranger_p.f64"), "wb"); writeBin(as.numeric(p), con, size = 8); close(con)
cat(sprintf('{"fit_s": %f}\n', fit))
"""


# --ablation: the forest before issue 14 (grown to purity on bootstraps), each change alone, and
# the defaults without one of them.
OLD = {"--max-depth": "0", "--min-samples-leaf": "1", "--bootstrap": "standard", "--leaf-prior": "0"}


def flags(base, **change):
    """Command-line flags of `base` with some replaced (keys: flag names without "--", _ for -)."""
    d = dict(base, **{"--" + k.replace("_", "-"): v for k, v in change.items()})
    return [t for kv in d.items() for t in kv]


ABLATION = [
    ("old defaults: unlimited depth, min leaf 1, bootstrap, no leaf prior", flags(OLD)),
    ("old + max_depth 10, min leaf 20", flags(OLD, max_depth="10", min_samples_leaf="20")),
    ("old + subsample 0.632", flags(OLD, bootstrap="subsample")),
    ("old + leaf_prior 200", flags(OLD, leaf_prior="200")),
    ("defaults, bootstrap instead of subsample", flags({}, bootstrap="standard")),
    ("defaults, leaf_prior 0", flags({}, leaf_prior="0")),
    ("defaults, class_weight none", flags({}, class_weight="none")),
]


def cohort_split(path):
    """Windows of an `ecgforest extract` features file split by patient (every third sorted id to
    test); labelled windows only, positive when label >= 0.5. Returns (x, y, patient) for train and test."""
    import h5py
    with h5py.File(path, "r") as f:
        x = f["/windows/features"][...]
        lab = f["/windows/label"][...]
        rec = f["/windows/record"][...]
        pats = np.array([r["patient"] for r in f["/records"][...]])
    _, pid = np.unique(pats, return_inverse=True)
    pat = pid[rec]
    keep = np.isfinite(lab)
    x, y, pat = x[keep], (lab[keep] >= 0.5).astype(np.uint8), pat[keep]
    test = pat % 3 == 2
    return (x[~test], y[~test], pat[~test]), (x[test], y[test], pat[test])


def prepare(tmp, train, test):
    """Writes both sets as features files and as npz / raw float32 for the other libraries."""
    os.makedirs(tmp, exist_ok=True)
    train_h5, test_h5 = os.path.join(tmp, "train.h5"), os.path.join(tmp, "test.h5")
    x, y = write_features(train_h5, *train)
    xt, yt = write_features(test_h5, *test)
    np.savez(os.path.join(tmp, "train.npz"), x=x, y=y)
    np.savez(os.path.join(tmp, "test.npz"), x=xt, y=yt)
    x.tofile(os.path.join(tmp, "train.f32"))
    y.astype(np.float32).tofile(os.path.join(tmp, "train_y.f32"))
    xt.tofile(os.path.join(tmp, "test.f32"))
    with open(os.path.join(tmp, "shape.txt"), "w") as f:
        f.write("%d %d %d\n" % (x.shape[0], xt.shape[0], x.shape[1]))
    return train_h5, test_h5, x, y, xt, yt


def speed_pairs(args, tmp, train_h5):
    """--pairs N: N interleaved rounds of xgboost-RF's fit (first --xgb-depths depth) and the whole
    ecgforest default `mpirun ... train` command (and --ecgforest-before, if given), so that a load
    that drifts hits every command alike; prints each round and the median ratios of trees/s per core."""
    depth = int(args.xgb_depths.split(",")[0])
    bins = [("ecgforest", args.ecgforest)] + ([("ecgforest-before", args.ecgforest_before)] if args.ecgforest_before else [])
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    rows = []
    print("\nInterleaved speed rounds (%d threads; ratio = ecgforest trees/s per core / xgboost depth %d trees/s per "
          "core = xgboost fit s / ecgforest wall s):" % (args.threads, depth), flush=True)
    for k in range(args.pairs):
        _, _, out, _ = run_child([sys.executable, __file__, "--child", "xgboost", "--data", tmp,
                                  "--threads", str(args.threads), "--setting", str(depth)])
        r = {"xgboost": json.loads(out.strip().splitlines()[-1])["fit_s"]}
        for label, binary in bins:
            cmd = ["mpirun", "-np", "1", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"] + \
                args.mpirun_args.split() + [binary, "train",
                   "--features", train_h5, "--model", os.path.join(tmp, "pair_model.h5"), "--cv-folds", "0",
                   "--trees", str(N_TREES), "--skip-oob"]
            r[label] = run_child(cmd, env)[0]
        rows.append(r)
        print("  round %d: %s; load %.1f" % (k + 1, ", ".join("%s %.2f s" % kv for kv in r.items()), os.getloadavg()[0]),
              flush=True)
    for label, _ in bins:
        ratios = sorted(r["xgboost"] / r[label] for r in rows)
        print("  %s / xgboost depth %d, trees/s per core: median %.2fx (min %.2f, max %.2f; %d rounds); median wall "
              "%.2f s, xgboost median fit %.2f s" % (label, depth, float(np.median(ratios)), ratios[0], ratios[-1],
                                                     len(rows), float(np.median([r[label] for r in rows])),
                                                     float(np.median([r["xgboost"] for r in rows]))), flush=True)
    if args.ecgforest_before:
        ratios = sorted(r["ecgforest-before"] / r["ecgforest"] for r in rows)
        print("  ecgforest speed-up over --ecgforest-before (wall): median %.2fx (min %.2f, max %.2f)"
              % (float(np.median(ratios)), ratios[0], ratios[-1]), flush=True)


def tune_pairs(args, tmp, train_h5):
    """--tune-pairs N: N interleaved rounds of the whole default `mpirun ... train` command and the
    same with --tune, so that a load that drifts hits both alike; prints each round and the median
    cost of --tune in default trainings (target of issue 14: <= 5)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "-np", "1", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"] + \
        args.mpirun_args.split() + [args.ecgforest, "train", "--features", train_h5, "--model",
                                    os.path.join(tmp, "pair_model.h5"), "--cv-folds", "0", "--trees", str(N_TREES),
                                    "--skip-oob"] + args.ecgforest_flags.split()
    print("\nInterleaved --tune rounds (%d threads; cost = wall of train --tune / wall of train):" % args.threads,
          flush=True)
    ratios = []
    for k in range(args.tune_pairs):
        plain = run_child(cmd, env)[0]
        tuned = run_child(cmd + ["--tune"], env)[0]
        ratios.append(tuned / plain)
        print("  round %d: default %.2f s, --tune %.2f s, cost %.2fx; load %.1f" % (k + 1, plain, tuned, ratios[-1],
                                                                                 os.getloadavg()[0]), flush=True)
    ratios.sort()
    print("  --tune cost: median %.2fx one default training (min %.2f, max %.2f; %d rounds)"
          % (float(np.median(ratios)), ratios[0], ratios[-1], len(ratios)), flush=True)


def run_dataset(args, name, tmp, train, test):
    """Every library and setting on one dataset; returns result rows
    (library, setting, cores, fit wall s, process CPU s, peak RSS MiB, test AUC)."""
    train_h5, test_h5, x, y, xt, yt = prepare(tmp, train, test)
    values = x.shape[0] * x.shape[1]
    budget_mib = (1.5 * values + 32 * x.shape[0]) / 2**20
    print("\n## %s: %d train rows (%d positive), %d test rows (%d positive), %d features; load %s; memory budget "
          "per rank (1.5 B/value + 32 B/row) %.1f MiB" % (name, x.shape[0], y.sum(), xt.shape[0], yt.sum(), x.shape[1],
                                                         "%.1f %.1f %.1f" % os.getloadavg(), budget_mib), flush=True)
    results = []

    def ecg(ranks, threads, label, setting, extra):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMPI_ALLOW_RUN_AS_ROOT="1",
                   OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        model = os.path.join(tmp, "model.h5")
        cmd = ["mpirun", "-np", str(ranks), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"] + \
              args.mpirun_args.split() + [args.ecgforest, "train", "--features", train_h5, "--model", model, "--cv-folds", "0",
               "--trees", str(N_TREES), "--skip-oob"] + extra
        wall, rss, out, cpu = run_child(cmd, env)
        with open(os.path.join(tmp, "model.metrics.json")) as f:
            metrics = json.load(f)
        if "tune" in metrics:
            c = metrics["tune"]["chosen"]
            setting += " (chose depth %d, min leaf %d, mtry %d, prior %g)" % (
                c["max_depth"], c["min_samples_leaf"], c["max_features"], c["leaf_prior"])
        probs = os.path.join(tmp, "probs.h5")
        run_child([args.ecgforest, "predict", "--model", model, "--features", test_h5, "--output", probs], env)
        import h5py
        with h5py.File(probs, "r") as f:
            p = f["/windows/probability"][...]
        results.append((label, setting, ranks * threads, wall, cpu, rss, auc(yt, p)))
        print("  %s %s: wall %.2f s (inside train %.2f s), AUC %.4f" % (label, setting, wall, metrics["train_seconds"],
                                                                      results[-1][-1]), flush=True)

    def other(lib, setting):
        if lib == "ranger":
            script = os.path.join(tmp, "ranger.R")
            with open(script, "w") as f:
                f.write(RANGER_R)
            wall, rss, out, cpu = run_child(["Rscript", script, tmp, str(args.threads), str(setting)])
            p = np.fromfile(os.path.join(tmp, "ranger_p.f64"), dtype=np.float64)
        else:
            wall, rss, out, cpu = run_child([sys.executable, __file__, "--child", lib, "--data", tmp,
                                             "--threads", str(args.threads), "--setting", str(setting)])
            p = np.load(os.path.join(tmp, lib + "_p.npy"))
        fit = json.loads(out.strip().splitlines()[-1])["fit_s"]
        label = {"xgboost": "max_depth %d", "sklearn": "min_samples_leaf %d", "ranger": "min.node.size %d"}[lib]
        results.append((lib, label % setting, args.threads, fit, cpu, rss, auc(yt, p)))
        print("  %s %s: fit %.2f s, AUC %.4f" % (lib, label % setting, fit, results[-1][-1]), flush=True)

    for lib in args.libs.split(","):
        try:
            if lib == "ecgforest":
                base = args.ecgforest_flags.split()
                ecg(1, args.threads, "ecgforest", " ".join(["default"] + base), base)
                ecg(1, args.threads, "ecgforest --tune", " ".join(["CV grid"] + base), base + ["--tune"])
            elif lib == "xgboost":
                for depth in [int(v) for v in args.xgb_depths.split(",")]:
                    other(lib, depth)
            elif lib in ("sklearn", "ranger"):
                if lib == "ranger" and not shutil.which("Rscript"):
                    print("  ranger: Rscript not found (apt-get install r-cran-ranger); skipped")
                    continue
                for leaf in [int(v) for v in args.min_leaf.split(",")] if x.shape[0] <= args.sklearn_max_rows else ():
                    other(lib, leaf)
                if x.shape[0] > args.sklearn_max_rows:
                    print("  %s: skipped above --sklearn-max-rows %d rows" % (lib, args.sklearn_max_rows))
        except (ImportError, RuntimeError) as e:
            print("  %s: skipped (%s)" % (lib, str(e).splitlines()[0] if str(e) else type(e).__name__))
    if args.ablation:  # why the defaults: each change of issue 14 on its own (README "Random forest")
        for setting, extra in ABLATION:
            ecg(1, args.threads, "ecgforest ablation", setting, extra)
    if args.scaling:
        ecg(1, 1, "ecgforest 1 rank x 1 thr", "default", [])
        ecg(2, 1, "ecgforest 2 ranks x 1 thr", "default", [])
    if args.pairs > 0:
        speed_pairs(args, tmp, train_h5)
    if args.tune_pairs > 0:
        tune_pairs(args, tmp, train_h5)

    # trees/s per core from wall time (wall x cores) and from the CPU time of the whole child process
    # (load, fit, predict; less sensitive to other jobs on a shared machine).
    print("\n| library | setting | cores | fit wall s | trees/s per core (wall) | process CPU s | peak RSS MiB | test ROC AUC |")
    print("|---|---|---|---|---|---|---|---|")
    for name_, setting, cores, wall, cpu, rss, a in results:
        print("| %s | %s | %d | %.2f | %.2f | %.1f | %.0f | %.4f |" % (name_, setting, cores, wall, N_TREES / wall / cores,
                                                                      cpu, rss, a))
    best = {}
    for r in results:
        lib = {"ecgforest": "ecgforest default"}.get(r[0], r[0])
        if "rank" in lib or "ablation" in lib:  # --scaling and --ablation rows
            continue
        if lib not in best or r[6] > best[lib][6]:
            best[lib] = r
    print("\nBest setting of each library (%s):\n" % name)
    print("| library | best setting | test ROC AUC | fit wall s | trees/s per core |")
    print("|---|---|---|---|---|")
    for lib, r in best.items():
        print("| %s | %s | %.4f | %.2f | %.2f |" % (lib, r[1], r[6], r[3], N_TREES / r[3] / r[2]))
    print("\nload average after %s: %.1f %.1f %.1f" % ((name,) + os.getloadavg()), flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ecgforest", default="build/release/ecgforest")
    ap.add_argument("--rows", default="100000", help="training rows of the generated data, comma-separated list "
                    "(test set: rows/4 each); 0 = none")
    ap.add_argument("--cohort", help="features file of a cohort (ecgforest extract), split by patient")
    ap.add_argument("--threads", type=int, default=2, help="threads (cores) per library")
    ap.add_argument("--libs", default="ecgforest,sklearn,ranger,xgboost")
    ap.add_argument("--xgb-depths", default="6,10,20", help="xgboost RF max_depth settings")
    ap.add_argument("--min-leaf", default="1,20", help="scikit-learn / ranger minimum leaf size settings")
    ap.add_argument("--sklearn-max-rows", type=int, default=300000,
                    help="skip scikit-learn and ranger above this many training rows (slow)")
    ap.add_argument("--scaling", action="store_true", help="also ecgforest on 1 and 2 MPI ranks x 1 thread")
    ap.add_argument("--pairs", type=int, default=0, help="also N interleaved speed rounds of xgboost (first "
                    "--xgb-depths depth) and the ecgforest default command, with median ratios (shared machines)")
    ap.add_argument("--tune-pairs", type=int, default=0, help="also N interleaved rounds of the ecgforest default "
                    "command and the same with --tune, with the median cost of --tune (shared machines)")
    ap.add_argument("--ecgforest-before", help="with --pairs: a second ecgforest binary (e.g. the previous "
                    "version) timed in the same rounds")
    ap.add_argument("--mpirun-args", default="--mca pml ob1",
                    help="extra mpirun options of the ecgforest commands (default '--mca pml ob1', the single-"
                    "workstation setting of README \"Commands\": shared memory, no UCX network start-up; pass '' "
                    "for Open MPI's defaults)")
    ap.add_argument("--ablation", action="store_true", help="also ecgforest with each change of its defaults alone")
    ap.add_argument("--seed", type=int, default=2024, help="seed of the generated data")
    ap.add_argument("--ecgforest-flags", default="", help="train flags of both ecgforest rows (default and --tune), "
                    "e.g. a poor configuration for --tune to improve on")
    ap.add_argument("--keep", help="keep the data in this directory")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--setting", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    tmp = args.keep or tempfile.mkdtemp(prefix="forest_bench_")
    print("forest_compare: %d threads per library, %d cores on this machine, load average at start %.1f %.1f %.1f; "
          "ecgforest mpirun args '%s'" % ((args.threads, os.cpu_count()) + os.getloadavg() + (args.mpirun_args,)))
    for rows in [int(r) for r in args.rows.split(",") if int(r) > 0]:
        # One generative model, split into train rows and rows/4 test rows (the test rows come from
        # the same patients; this measures the learner, not patient generalisation).
        xa, ya, pa = make_data(rows + rows // 4, args.seed)
        run_dataset(args, "generator, %d rows" % rows, os.path.join(tmp, "gen%d" % rows),
                    (xa[:rows], ya[:rows], pa[:rows]), (xa[rows:], ya[rows:], pa[rows:]))
    if args.cohort:
        train, test = cohort_split(args.cohort)
        run_dataset(args, "cohort %s, patient-grouped split" % os.path.basename(args.cohort),
                    os.path.join(tmp, "cohort"), train, test)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
