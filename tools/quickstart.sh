#!/usr/bin/env bash
# The two quick-start commands of the README (run from a fresh Debian 12 root shell):
#   bash tools/quickstart.sh demo   install missing packages, build, generate the demo cohort if
#                                   absent, run the main job (mpirun, 2 ranks) and print results
#   bash tools/quickstart.sh test   install missing packages, build (release + ASan/UBSan) and run
#                                   the whole test suite (this is what .ci/run calls)
set -euo pipefail
mode="${1:-}"
case "$mode" in demo|test) ;; *) echo "usage: bash tools/quickstart.sh demo|test" >&2; exit 2;; esac
cd "$(dirname "$0")/.."
root=$(pwd)

# ------------------------------------------------------------------ reference data (test mode)
# The conformance tests (aura2021/head golden outputs, MIT-BIH, the AURA RR CSV, real TUH and
# La Teppe annotations and EDF headers) read ../shared/data; without it they fail, so say so first.
# A developer without the data can run the rest with ECGFOREST_ALLOW_MISSING_SHARED=1 (those tests
# are then skipped, and the run no longer checks what the README claims about them).
if [ "$mode" = test ] && [ "${ECGFOREST_ALLOW_MISSING_SHARED:-}" != 1 ]; then
  shared="$root/../shared/data"
  for f in hrv/golden/MANIFEST.json mitdb/100.edf mitdb/100_beats.csv tuh/aura_rr_00007633_s003_t007.csv \
           tuh/00009578_s002_t001.edf tuh/lateppe_PAT_0_Annotations_EEG_0.tse_bi; do
    if [ ! -f "$shared/$f" ]; then
      echo "quickstart: the reference data file $shared/$f is missing, so the conformance tests" \
           "cannot check what the README claims; link the shared reference data as ../shared next to" \
           "the project root, or set ECGFOREST_ALLOW_MISSING_SHARED=1 to skip those tests." >&2
      exit 1
    fi
  done
fi

# ------------------------------------------------------------------ Debian packages
# zlib1g-dev: gzip-compressed heart-beat files (NAME_rr.csv.gz, NAME_beats.csv.gz); HDF5 pulls it in too.
# libtomlplusplus-dev: toml++, the strict TOML 1.0 reader of --config files (header-only use).
pkgs=(cmake g++ make pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libeigen3-dev
      libedf-dev libcli11-dev libtomlplusplus-dev libgtest-dev libbenchmark-dev zlib1g-dev python3 python3-numpy
      python3-h5py)
# The test suite also runs the real-Slurm test (tests/slurm) and tools/sweep's plots.
if [ "$mode" = test ]; then pkgs+=(slurm-wlm munge python3-matplotlib); fi
# ... and the install test (tests/install), which loads the installed modulefile.
if [ "$mode" = test ]; then pkgs+=(environment-modules); fi
# ... and the libFuzzer targets (tests/fuzz), which need clang and its runtime libraries.
if [ "$mode" = test ]; then pkgs+=(clang libclang-rt-14-dev libomp-14-dev); fi
# The demo ends with the HTML report (tools/report needs matplotlib).
if [ "$mode" = demo ]; then pkgs+=(python3-matplotlib); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "quickstart: installing missing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "quickstart: not root; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
# Open MPI as root, more ranks than cores, and no pinning (so OpenMP threads can spread).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

# ------------------------------------------------------------------ stages (test mode)
# Test mode runs in timed stages: each prints "quickstart: stage NAME took N s" and keeps its
# output in build/ci-logs/NAME.log (the times also in build/ci-logs/stages.txt; tools/ci_times.sh
# lists them with the slowest tests of each ctest stage); a failing stage prints its whole log
# and stops the run (after the stages running beside it have ended, so no process is left
# behind). The test logs are printed when their stage ends. On 2 cores the stages overlap in two
# lanes, because the tests leave cores idle (MPI start-up, Python checks, RUN_SERIAL tests, the
# long tail of ctest -j2) while the builds keep both busy:
#   compile lane (background): ASan/UBSan build, then the clang fuzz + TSan build;
#   test lane (foreground):    release ctest, ASan ctest (once its build is done), and last the
#                              fuzz/TSan ctest alone (fuzzers run for a fixed time, so they get
#                              the machine to themselves).
logs=$root/build/ci-logs
run_start=$SECONDS
stage() {  # stage NAME CMD...: run CMD with its output in NAME.log, timed; exit 1 when it fails
  local name=$1 t0=$SECONDS rc=0
  shift
  "$@" >"$logs/$name.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$logs/$name.log"
    echo "quickstart: stage $name FAILED (exit $rc) after $((SECONDS - t0)) s; its output is above and in $logs/$name.log" >&2
    exit 1
  fi
  echo "quickstart: stage $name took $((SECONDS - t0)) s" | tee -a "$logs/stages.txt"
}
show() { echo "---------------- $1 (build/ci-logs/$1.log)"; cat "$logs/$1.log"; }
# End the run after a failure in the foreground lane: wait for the background lane first.
lane_pid=""
on_exit() {
  local rc=$?
  if [ -n "$lane_pid" ] && kill -0 "$lane_pid" 2>/dev/null; then
    echo "quickstart: waiting for the background stages to end before stopping" >&2
    wait "$lane_pid" 2>/dev/null || true
  fi
  [ "$rc" -eq 0 ] || echo "quickstart: FAILED after $((SECONDS - run_start)) s" >&2
}

# ------------------------------------------------------------------ build
cmake --preset release >/dev/null
if [ "$mode" = test ]; then
  rm -rf "$logs" && mkdir -p "$logs"
  trap on_exit EXIT
  # What the tests run (not the Google Benchmark programs, which no test runs).
  stage release_build cmake --build --preset release -j"$jobs" --target ecgforest ecgforest-synth ecgforest_unit_tests ecgforest_mpi_tests
else
  cmake --build --preset release -j"$jobs"
fi

if [ "$mode" = demo ]; then
  # The demo's cohorts (each generated once): demo_cohort/ and demo_cohort_daily/ to train on,
  # demo_cohort_new/ for predict (see the header of tools/demo_cohorts.sh).
  bash tools/demo_cohorts.sh build/release/tools/ecgforest-synth .
  export OMP_NUM_THREADS=1
  mpirun -np 2 --bind-to none build/release/ecgforest run --config configs/demo.toml
  # Seizure detection on new patients the model never saw (a second synthetic cohort, other seed),
  # written as NAME.tse_bi / NAME.csv_bi and scored against their annotations.
  mpirun -np 2 --bind-to none build/release/ecgforest predict --config configs/demo.toml --model runs/demo/model.h5 \
    --input demo_cohort_new --output runs/demo/predictions
  /usr/bin/python3 tools/report runs/demo
  echo "quickstart: outputs are in $root/runs/demo (features.h5, model.h5, metrics.json, predictions/);"
  echo "quickstart: summarise them with: build/release/ecgforest inspect runs/demo/features.h5"
  /usr/bin/python3 - runs/demo <<'PY'
import json, sys
run = sys.argv[1]
def f(v, d=2):
    return "n/a" if v is None else f"{v:.{d}f}"
cv = json.load(open(f"{run}/metrics.json")).get("cv_events")
if isinstance(cv, dict):
    print(f"quickstart: held-out patients (patient-grouped CV, NEDC any-overlap): OVLP sensitivity "
          f"{f(cv['ovlp_sensitivity'])} ({cv['counts']['ovlp']['hits']}/{cv['n_ref_events']} seizures), "
          f"{f(cv['ovlp_fa_per_24h'], 1)} false alarms per 24 h; TAES sensitivity {f(cv['taes_sensitivity'])}")
    b = cv.get("best_operating_point")
    if isinstance(b, dict):
        print(f"quickstart: best threshold under {f(cv['fa_budget_per_24h'], 0)} FA/24h: {f(b['threshold'])} -> "
              f"OVLP sensitivity {f(b['ovlp_sensitivity'])} at {f(b['ovlp_fa_per_24h'], 1)} FA/24h")
    else:
        print(f"quickstart: no threshold keeps the held-out false alarms under {f(cv.get('fa_budget_per_24h'), 0)} per 24 h")
s = json.load(open(f"{run}/predictions/score.json"))
print(f"quickstart: new patients (predict --input): OVLP sensitivity {f(s['ovlp_sensitivity'])} "
      f"({s['counts']['ovlp']['hits']}/{s['n_ref_events']}), {f(s['ovlp_fa_per_24h'], 1)} FA/24h")
print(f"quickstart: report: {run}/report/report.html")
PY
  exit 0
fi

# ------------------------------------------------------------------ tests
# Under AddressSanitizer + UndefinedBehaviorSanitizer (leak checking off: Open MPI's own start-up
# allocations are reported as leaks otherwise): the unit tests, the MPI tests at 2 ranks x 2
# threads and at 3 ranks, and the e2e_run pipeline (labels unit and asan). The build runs the
# unit-test binary too (test discovery), so it needs the same ASAN_OPTIONS.
# One clang build directory for the libFuzzer targets of every input parser (tests/fuzz, label
# fuzz: a fixed replay, then a fresh random seed each run, for a bounded time) and the
# ThreadSanitizer test of the work queue and its dispatcher thread (tests/tsan, label tsan).
asan_env=(env ASAN_OPTIONS=detect_leaks=0)
compile_lane() {
  stage asan_configure "${asan_env[@]}" cmake --preset asan
  stage asan_build "${asan_env[@]}" cmake --build --preset asan -j"$jobs" \
    --target ecgforest_unit_tests ecgforest_mpi_tests ecgforest ecgforest-synth
  touch "$logs/asan_build.done"
  stage fuzz_configure cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DECGFOREST_FUZZ=ON -DECGFOREST_TSAN=ON -DECGFOREST_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
  stage fuzz_build cmake --build build/fuzz -j"$jobs" --target ecgforest_fuzzers ecgforest_tsan_queue
}
rm -f "$logs/asan_build.done"
compile_lane &
lane_pid=$!
echo "quickstart: the ASan/UBSan and fuzz/TSan builds run in the background while the release tests run"

stage release_tests ctest --preset release -j2 --timeout 900
show release_tests
# The ASan tests need their build: wait for it (or for the lane to fail).
while [ ! -e "$logs/asan_build.done" ] && kill -0 "$lane_pid" 2>/dev/null; do sleep 1; done
if [ ! -e "$logs/asan_build.done" ]; then
  wait "$lane_pid" || true
  lane_pid=""
  echo "quickstart: the ASan/UBSan build failed (its output is above)" >&2
  exit 1
fi
stage asan_tests "${asan_env[@]}" ctest --preset asan -j2 --timeout 900
show asan_tests
lane_rc=0
wait "$lane_pid" || lane_rc=$?
lane_pid=""
if [ "$lane_rc" -ne 0 ]; then echo "quickstart: the fuzz/TSan build failed (its output is above)" >&2; exit 1; fi
stage fuzz_tsan_tests env -u ASAN_OPTIONS ctest --test-dir build/fuzz -L 'fuzz|tsan' -j2 --output-on-failure
show fuzz_tsan_tests
echo "quickstart: all tests passed in $((SECONDS - run_start)) s" | tee -a "$logs/stages.txt"
