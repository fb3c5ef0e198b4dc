#!/usr/bin/python3
"""Random forest benchmark: ecgforest vs scikit-learn, ranger and xgboost's random-forest mode.

Generates a fixed dataset shaped like ecgforest's HRV features (27 float features, 2 % positives,
patient effects, overlapping classes, integer-valued count features, heavy tails), writes it as
ecgforest features files (train and test), then trains 100 trees with sqrt(F) features per split
and no depth limit (xgboost: max_depth 20, it needs one) with the same thread count in every
library, and prints for each: training wall seconds, trees/s per core, peak RSS and test ROC AUC.

Usage (see README "Forest benchmarks"):
  /usr/bin/python3 benchmarks/forest_compare.py --ecgforest build/release/ecgforest \
      --rows 100000 --threads 2 [--libs ecgforest,sklearn,ranger,xgboost] [--scaling]

Each library runs in its own child process; peak RSS is that process tree's ru_maxrss (for
ecgforest under mpirun: the largest rank). Times are wall seconds of the fit call (ecgforest: the
whole `train` command including MPI start-up, reading and binning the HDF5 file).
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
    t0 = time.perf_counter()
    if args.child == "sklearn":
        from sklearn.ensemble import RandomForestClassifier
        m = RandomForestClassifier(n_estimators=N_TREES, max_features="sqrt", n_jobs=args.threads, random_state=1)
        m.fit(x, y)
        fit = time.perf_counter() - t0
        p = m.predict_proba(xtest)[:, 1]
    elif args.child == "xgboost":
        import xgboost
        m = xgboost.XGBRFClassifier(n_estimators=N_TREES, tree_method="hist", max_depth=20, subsample=0.632,
                                    colsample_bynode=np.sqrt(N_FEATURES) / N_FEATURES, n_jobs=args.threads,
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
            probability = TRUE, seed = 1, write.forest = TRUE)
fit <- proc.time()[["elapsed"]] - t0
xt <- as.data.frame(rd("test.f32", meta[2], meta[3]))
p <- predict(m, xt, num.threads = threads)$predictions[, "1"]
con <- file(file.path(dir, "ranger_p.f64"), "wb"); writeBin(as.numeric(p), con, size = 8); close(con)
cat(sprintf('{"fit_s": %f}\n', fit))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ecgforest", default="build/release/ecgforest")
    ap.add_argument("--rows", type=int, default=100000, help="training rows (test set: rows/4)")
    ap.add_argument("--threads", type=int, default=2, help="threads (cores) per library")
    ap.add_argument("--libs", default="ecgforest,sklearn,ranger,xgboost")
    ap.add_argument("--scaling", action="store_true", help="also ecgforest on 1 and 2 MPI ranks x 1 thread")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--keep", help="keep the data in this directory")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    tmp = args.keep or tempfile.mkdtemp(prefix="forest_bench_")
    os.makedirs(tmp, exist_ok=True)
    # One generative model, split into train rows and rows/4 test rows (the test rows come from the
    # same patients; this measures the learner, not patient generalisation).
    xa, ya, pa = make_data(args.rows + args.rows // 4, args.seed)
    x, y, pat = xa[:args.rows], ya[:args.rows], pa[:args.rows]
    xt, yt, pt = xa[args.rows:], ya[args.rows:], pa[args.rows:]
    train_h5, test_h5 = os.path.join(tmp, "train.h5"), os.path.join(tmp, "test.h5")
    x, y = write_features(train_h5, x, y, pat)
    xt, yt = write_features(test_h5, xt, yt, pt)
    np.savez(os.path.join(tmp, "train.npz"), x=x, y=y)
    np.savez(os.path.join(tmp, "test.npz"), x=xt, y=yt)
    x.tofile(os.path.join(tmp, "train.f32"))
    y.astype(np.float32).tofile(os.path.join(tmp, "train_y.f32"))
    xt.tofile(os.path.join(tmp, "test.f32"))
    with open(os.path.join(tmp, "shape.txt"), "w") as f:
        f.write("%d %d %d\n" % (x.shape[0], xt.shape[0], x.shape[1]))
    values = x.shape[0] * x.shape[1]
    budget_mib = (1.5 * values + 32 * x.shape[0]) / 2**20
    print("data: %d train rows (%d positive), %d test rows, %d features; load %s; memory budget per rank "
          "(1.5 B/value + 32 B/row) %.1f MiB" % (x.shape[0], y.sum(), xt.shape[0], x.shape[1],
                                                  os.getloadavg(), budget_mib))
    results = []

    def ecg(ranks, threads, label):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMPI_ALLOW_RUN_AS_ROOT="1",
                   OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        model = os.path.join(tmp, "model.h5")
        cmd = ["mpirun", "-np", str(ranks), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
               args.ecgforest, "train", "--features", train_h5, "--model", model, "--cv-folds", "0",
               "--trees", str(N_TREES), "--class-weight", "none", "--skip-oob"]
        wall, rss, _, cpu = run_child(cmd, env)
        with open(os.path.join(tmp, "model.metrics.json")) as f:
            inside = json.load(f)["train_seconds"]
        print("%s: wall %.2f s, of which inside train (read, bin, grow, gather, write) %.2f s" % (label, wall, inside))
        probs = os.path.join(tmp, "probs.h5")
        run_child([args.ecgforest, "predict", "--model", model, "--features", test_h5, "--output", probs], env)
        import h5py
        with h5py.File(probs, "r") as f:
            p = f["/windows/probability"][...]
        results.append((label, ranks * threads, wall, cpu, rss, auc(yt, p)))

    for lib in args.libs.split(","):
        try:
            if lib == "ecgforest":
                ecg(1, args.threads, "ecgforest (1 rank x %d thr)" % args.threads)
            elif lib in ("sklearn", "xgboost"):
                wall, rss, out, cpu = run_child([sys.executable, __file__, "--child", lib, "--data", tmp,
                                                 "--threads", str(args.threads)])
                p = np.load(os.path.join(tmp, lib + "_p.npy"))
                fit = json.loads(out.strip().splitlines()[-1])["fit_s"]
                results.append((lib, args.threads, fit, cpu, rss, auc(yt, p)))
            elif lib == "ranger":
                if not shutil.which("Rscript"):
                    print("ranger: Rscript not found (apt-get install r-cran-ranger); skipped")
                    continue
                script = os.path.join(tmp, "ranger.R")
                with open(script, "w") as f:
                    f.write(RANGER_R)
                wall, rss, out, cpu = run_child(["Rscript", script, tmp, str(args.threads)])
                p = np.fromfile(os.path.join(tmp, "ranger_p.f64"), dtype=np.float64)
                fit = json.loads(out.strip().splitlines()[-1])["fit_s"]
                results.append(("ranger", args.threads, fit, cpu, rss, auc(yt, p)))
        except (ImportError, RuntimeError) as e:
            print("%s: skipped (%s)" % (lib, str(e).splitlines()[0] if str(e) else type(e).__name__))
    if args.scaling:
        ecg(1, 1, "ecgforest 1 rank x 1 thr")
        ecg(2, 1, "ecgforest 2 ranks x 1 thr")

    # trees/s per core from wall time (wall x cores) and from the CPU time of the whole child process
    # (load, fit, predict; less sensitive to other jobs on a shared machine).
    print("\n| library | cores | fit wall s | trees/s per core (wall) | process CPU s | trees/s per CPU-s | peak RSS MiB | test ROC AUC |")
    print("|---|---|---|---|---|---|---|---|")
    for name, cores, wall, cpu, rss, a in results:
        print("| %s | %d | %.2f | %.2f | %.1f | %.2f | %.0f | %.4f |" % (name, cores, wall, N_TREES / wall / cores, cpu,
                                                                    N_TREES / cpu, rss, a))
    print("\nload average after the run: %s" % (os.getloadavg(),))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
