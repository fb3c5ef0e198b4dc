#!/usr/bin/env bash
# Install test (ctest label e2e): `cmake --install BUILD --prefix TMP/prefix`, then as a cluster
# user would:
#   - the installed files are where README "Installing on a cluster" says, and the installed CMake
#     package names neither the build nor the source tree;
#   - `module load ecgforest/<version>` (Debian's environment-modules, or Lmod) puts the installed programs
#     on PATH and sets ECGFOREST_ROOT, ECGFOREST_SHARE, CMAKE_PREFIX_PATH and PYTHONPATH; `module
#     unload` takes them away again;
#   - a tiny consumer (tests/install/consumer) is configured with find_package(ecgforest) and built:
#     rmssd of a hand-made RR series (800/900 ms in turn: 100 ms), a forest on a separable data
#     set (P = 0 and 1 far from the boundary), and an EDF made by the installed ecgforest-synth
#     (--minutes 1 --fs 256: 60 s at 256 Hz) read through ecgforest::io and EDFlib;
#   - the installed slurm/ecgforest.sbatch finds ecgforest through PATH: run under the private
#     Slurm of tests/slurm (when slurm-wlm and munge are installed and we are root; otherwise that
#     part is skipped with a message), and stops with exit 2 and a clear message when ecgforest is
#     on no PATH.
# Usage: install_test.sh BUILD_DIR TMPDIR
set -euo pipefail
build=$(realpath "$1") tmp=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
t0=$(date +%s.%N)
elapsed() { "$py" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)"; }
fail() { echo "install_test: $*"; exit 1; }

rm -rf "$tmp" && mkdir -p "$tmp"
tmp=$(realpath "$tmp")
prefix=$tmp/prefix
# The version as the top CMakeLists.txt declares it (not as the program reports it).
version=$(sed -n 's/^project(ecgforest VERSION \([0-9.]*\) .*/\1/p' "$root/CMakeLists.txt")
[ -n "$version" ] || fail "no project version in $root/CMakeLists.txt"

# ---- install
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in bin/ecgforest bin/ecgforest-synth bin/ecgforest-report bin/ecgforest-sweep \
         include/ecgforest/version.hpp include/ecgforest/hrv/features.hpp include/ecgforest/io/edf_reader.hpp \
         lib/cmake/ecgforest/ecgforestConfig.cmake lib/cmake/ecgforest/ecgforestConfigVersion.cmake \
         lib/cmake/ecgforest/ecgforestTargets.cmake \
         share/ecgforest/tools/report share/ecgforest/tools/sweep share/ecgforest/tools/ecgforest_model.py \
         share/ecgforest/configs/demo.toml share/ecgforest/slurm/ecgforest.sbatch share/ecgforest/slurm/sweep.sbatch \
         share/ecgforest/README.md share/ecgforest/ARCHITECTURE.md "share/modulefiles/ecgforest/$version"; do
  [ -e "$prefix/$f" ] || fail "cmake --install did not install $f"
done
for layer in core signal hrv forest eval comm io parallel pipeline cli; do
  [ -f "$prefix/lib/libecgforest_$layer.a" ] || fail "cmake --install did not install lib/libecgforest_$layer.a"
done
[ -x "$prefix/share/ecgforest/slurm/ecgforest.sbatch" ] && [ -x "$prefix/bin/ecgforest-sweep" ] ||
  fail "installed scripts are not executable"
[ ! -e "$prefix/include/ecgforest/version.hpp.in" ] || fail "the version.hpp template was installed"
if grep -rlF -e "$build" -e "$root/include" -e "$root/src" "$prefix/lib/cmake/ecgforest"; then
  fail "the installed CMake package names the build or source tree (files above)"
fi

# ---- module load (Debian's environment-modules; README "Installing on a cluster")
# Debian's environment-modules (what tools/quickstart.sh test installs), else Debian's lmod (the two
# packages conflict; the modulefile works with both).
init=/usr/share/modules/init/bash
[ -r "$init" ] || init=/usr/share/lmod/lmod/init/bash
[ -r "$init" ] || fail "no module command: install Debian's environment-modules package (tools/quickstart.sh test does)"
echo "install_test: module command from $init"
set +u  # the module init scripts read unset variables
source "$init"
module use "$prefix/share/modulefiles"
module load "ecgforest/$version"
set -u
[ "$(command -v ecgforest)" = "$prefix/bin/ecgforest" ] || fail "after module load, ecgforest is $(command -v ecgforest)"
[ "$(command -v ecgforest-sweep)" = "$prefix/bin/ecgforest-sweep" ] || fail "after module load, no ecgforest-sweep on PATH"
[ "${ECGFOREST_ROOT:-}" = "$prefix" ] || fail "ECGFOREST_ROOT is '${ECGFOREST_ROOT:-}', expected $prefix"
[ "${ECGFOREST_SHARE:-}" = "$prefix/share/ecgforest" ] || fail "ECGFOREST_SHARE is '${ECGFOREST_SHARE:-}'"
case ":${CMAKE_PREFIX_PATH:-}:" in *":$prefix:"*) ;; *) fail "CMAKE_PREFIX_PATH '${CMAKE_PREFIX_PATH:-}' lacks $prefix";; esac
ecgforest --version >"$tmp/version.txt"
grep -qF "$version" "$tmp/version.txt" || fail "installed ecgforest --version printed '$(cat "$tmp/version.txt")', expected $version"
loader=$("$py" -c 'import ecgforest_model; print(ecgforest_model.__file__)') ||
  fail "after module load, python cannot import ecgforest_model (PYTHONPATH='${PYTHONPATH:-}')"
[ "$loader" = "$prefix/share/ecgforest/tools/ecgforest_model.py" ] || fail "python imported ecgforest_model from $loader"
ecgforest-sweep --help >/dev/null || fail "installed ecgforest-sweep --help failed"
echo "install_test: installed and loaded as a module after $(elapsed) s"

# ---- a consumer built against the package (found through CMAKE_PREFIX_PATH from the module)
cmake -S "$here/consumer" -B "$tmp/consumer" -DCMAKE_BUILD_TYPE=Release >"$tmp/consumer-configure.log" 2>&1 ||
  { cat "$tmp/consumer-configure.log"; fail "configuring the consumer against the package failed"; }
if grep -q "CMake Warning" "$tmp/consumer-configure.log"; then
  cat "$tmp/consumer-configure.log"; fail "configuring the consumer printed warnings (MPI/HDF5 mismatch?)"
fi
cmake --build "$tmp/consumer" -j2 >"$tmp/consumer-build.log" 2>&1 ||
  { cat "$tmp/consumer-build.log"; fail "building the consumer against the package failed"; }
OMP_NUM_THREADS=2 "$tmp/consumer/hrv_forest" >"$tmp/hrv_forest.txt"
printf 'version %s\nrmssd 100.000\np_low 0.000\np_high 1.000\n' "$version" | diff - "$tmp/hrv_forest.txt" ||
  fail "the consumer's hrv/forest results differ (expected above)"
echo "install_test: consumer built and checked after $(elapsed) s"

ecgforest-synth --out "$tmp/cohort" --patients 2 --recordings 1 --minutes 1 --fs 256 --eeg-channels 0 \
  --seed 11 --quiet >/dev/null
edf=$(find "$tmp/cohort" -name '*.edf' | sort | head -n 1)
[ -n "$edf" ] || fail "the installed ecgforest-synth wrote no EDF file"
"$tmp/consumer/edf_probe" "$edf" >"$tmp/edf_probe.txt"
printf 'duration_s 60.0\nfs_hz 256.0\n' | diff - "$tmp/edf_probe.txt" || fail "the consumer read $edf wrongly"
[ "$("$tmp/consumer/edf_probe" "$tmp/missing.edf")" = "record_error unreadable" ] ||
  fail "the consumer did not get the unreadable-record error for a missing file"

# ---- the installed job script: a clear error without ecgforest on PATH ...
sbatch_script=$ECGFOREST_SHARE/slurm/ecgforest.sbatch
cat >"$tmp/job.toml" <<EOF
input = ["$tmp/cohort"]
EOF
status=0
(cd "$tmp" && env -u ECGFOREST_BIN PATH=/usr/bin:/bin bash "$sbatch_script" job.toml out) >"$tmp/nopath.log" 2>&1 || status=$?
[ "$status" -eq 2 ] && grep -q "ecgforest is not on PATH; run 'module load ecgforest'" "$tmp/nopath.log" ||
  { cat "$tmp/nopath.log"; fail "ecgforest.sbatch without ecgforest on PATH: status $status, expected 2 and a message"; }
status=0
(cd "$tmp" && env -u ECGFOREST_BIN SLURM_ARRAY_TASK_ID=0 PATH=/usr/bin:/bin bash "$ECGFOREST_SHARE/slurm/sweep.sbatch" sweep) \
  >"$tmp/nopath-sweep.log" 2>&1 || status=$?
[ "$status" -eq 2 ] && grep -q "ecgforest is not on PATH" "$tmp/nopath-sweep.log" ||
  { cat "$tmp/nopath-sweep.log"; fail "sweep.sbatch without ecgforest on PATH: status $status, expected 2"; }

# ---- ... and under the private Slurm, the module's ecgforest (sbatch passes PATH on)
source "$root/tests/slurm/private_slurm.sh"
if private_slurm_available; then
  sdir=$(mktemp -d /tmp/ecgforest-slurm.XXXXXX)
  trap 'private_slurm_stop; rm -rf "$sdir"' EXIT
  private_slurm_start "$sdir" 4
  unset ECGFOREST_BIN
  job=$(sbatch --parsable --chdir="$tmp" --output="$tmp/job-%j.out" --export=ALL,ECGFOREST_SUBCOMMAND=extract \
    "$sbatch_script" job.toml out/features.h5)
  for ((i = 0; i < 600; i++)); do
    [ -z "$(squeue -h -o %i -j "$job" 2>/dev/null)" ] && break
    sleep 0.2
  done
  log=$tmp/job-$job.out
  scontrol show job "$job" | grep -q "JobState=COMPLETED" || { cat "$log" || true; fail "the installed sbatch job $job did not complete"; }
  grep -qxF "ecgforest: program $prefix/bin/ecgforest" "$log" || { cat "$log"; fail "the job did not run the installed ecgforest"; }
  grep -q "extract: 2 recordings: 2 ok" "$log" || { cat "$log"; fail "the job did not extract the 2 recordings"; }
  [ -s "$tmp/out/features.h5" ] || fail "the job wrote no features file"
  echo "install_test: installed ecgforest.sbatch ran under the private Slurm after $(elapsed) s"
else
  echo "install_test: private Slurm not available: the sbatch job part is skipped"
fi

# ---- module unload takes it all away
set +u
module unload "ecgforest/$version"
set -u
case ":$PATH:" in *":$prefix/bin:"*) fail "PATH still holds $prefix/bin after module unload";; esac
[ -z "${ECGFOREST_ROOT:-}" ] || fail "ECGFOREST_ROOT still set after module unload"
echo "install_test: 1 passed, 0 failed ($(elapsed) s)"
