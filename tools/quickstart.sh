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

# ------------------------------------------------------------------ Debian packages
pkgs=(cmake g++ make pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libeigen3-dev
      libedf-dev libcli11-dev libgtest-dev libbenchmark-dev python3 python3-numpy python3-h5py)
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

# ------------------------------------------------------------------ build
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"

if [ "$mode" = demo ]; then
  if [ ! -f demo_cohort/cohort.json ]; then
    echo "quickstart: generating the demo cohort in demo_cohort/"
    build/release/tools/ecgforest-synth --out demo_cohort --patients 8 --recordings 2 --minutes 30 --seed 7 --seizure-rate 6
  fi
  export OMP_NUM_THREADS=1
  mpirun -np 2 --bind-to none build/release/ecgforest run --config configs/demo.toml
  echo "quickstart: outputs are in $root/runs/demo (features.h5, model.h5, metrics.json);"
  echo "quickstart: summarise them with: build/release/ecgforest inspect runs/demo/features.h5"
  exit 0
fi

# ------------------------------------------------------------------ tests
ctest --preset release -j2 --timeout 900
# Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (leak checking off:
# Open MPI's own start-up allocations are reported as leaks otherwise).
export ASAN_OPTIONS=detect_leaks=0
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target ecgforest_unit_tests
ctest --preset asan -j2
