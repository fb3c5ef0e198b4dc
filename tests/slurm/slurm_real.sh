#!/usr/bin/env bash
# Real-Slurm test (ctest label `slurm`): starts a private single-node Slurm on 127.0.0.1 (munged,
# slurmctld, slurmd as root, no systemd; tests/slurm/private_slurm.sh), then submits
#   - the real slurm/ecgforest.sbatch (its default 2 ranks) on a generated cohort, and
#   - an extract job killed part-way (test hook) and resubmitted: it resumes, and
#   - a 3-task array of the real slurm/sweep.sbatch (tasks 0-2 of a 4-combination sweep:
#     window_s 10/20 x trees 5/10, so tasks 0 and 1 need the same missing features at the same
#     time and task 2 needs other features),
#   - after `tools/sweep collect`: the sweep folder copied (metrics changed and removed in the
#     copy) and moved (its last task submitted there, from the moved features cache), and a folder
#     of the older format (absolute paths) copied and moved: collect must count and report the
#     metrics of the folder it is given,
# waits by polling squeue, checks every job with `scontrol show job`, checks the outputs
# (tests/pipeline/check_outputs.py; the cached window_s=10 features equal the corpus run's), runs
# `tools/sweep collect`, and stops exactly the daemons it started (by PID).
# Exit 77 (ctest SKIP_RETURN_CODE) when the Slurm/munge programs are missing or not root.
# Usage: slurm_real.sh ECGFOREST SYNTH TMPDIR
set -euo pipefail
ecg=$(realpath "$1") synth=$(realpath "$2") tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
source "$here/private_slurm.sh"
private_slurm_available || exit 77
t0=$(date +%s.%N)
elapsed() { "$py" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)"; }

rm -rf "$tmp" && mkdir -p "$tmp/logs"
tmp=$(realpath "$tmp")
# Daemon files live under a short /tmp path (munge's socket path must stay under 108 bytes).
sdir=$(mktemp -d /tmp/ecgforest-slurm.XXXXXX)
ok=0
cleanup() {
  private_slurm_stop
  cp -r "$sdir/log" "$tmp/slurm-daemon-logs" 2>/dev/null || true
  rm -rf "$sdir"
  if [ "$ok" -ne 1 ]; then
    echo "---- job logs ($tmp/logs) and daemon logs ($tmp/slurm-daemon-logs):"
    tail -n 30 "$tmp"/logs/*.out "$tmp/slurm-daemon-logs/slurmctld.log" "$tmp/slurm-daemon-logs/slurmd.log" 2>/dev/null || true
  fi
}
trap cleanup EXIT

"$synth" --out "$tmp/cohort" --patients 4 --recordings 2 --minutes 5 --seed 3 --seizure-rate 8 --quiet
cat >"$tmp/job.toml" <<EOF
input = ["$tmp/cohort"]
[train]
trees = 20
cv_folds = 2
EOF
cat >"$tmp/sweep.toml" <<EOF
[sweep]
base = "job.toml"
[axes]
"extract.window_s" = [10.0, 20.0]
"train.trees" = [5, 10]
EOF
range=$(cd "$tmp" && "$py" "$root/tools/sweep" expand sweep.toml sweep --bin "$ecg")
[ "$range" = "0-3" ] || { echo "tools/sweep expand printed '$range', expected 0-3"; exit 1; }

private_slurm_start "$sdir" 8
echo "slurm_real: private Slurm up after $(elapsed) s (daemons ${PRIVATE_SLURM_PIDS[*]})"

# The job scripts find ecgforest on PATH (as after `module load ecgforest`); sbatch passes PATH on.
unset ECGFOREST_BIN
export PATH="$(dirname "$ecg"):$PATH"
run_id=$(sbatch --parsable --chdir="$tmp" --output="$tmp/logs/run-%j.out" \
  "$root/slurm/ecgforest.sbatch" job.toml run_out)
sweep_id=$(sbatch --parsable --chdir="$tmp" --array=0-2 --output="$tmp/logs/sweep-%A_%a.out" \
  "$root/slurm/sweep.sbatch" sweep)

# An extract-only job whose ranks die after 2 recordings each (test hook, like a node failure):
# it must fail, and the resubmitted job must resume from the staged recordings.
kill_id=$(sbatch --parsable --chdir="$tmp" --output="$tmp/logs/killed-%j.out" \
  --export=ALL,ECGFOREST_SUBCOMMAND=extract,ECGFOREST_TEST_EXIT_AFTER=2 \
  "$root/slurm/ecgforest.sbatch" job.toml resume/features.h5)
echo "slurm_real: submitted ecgforest.sbatch as job $run_id, sweep.sbatch as array $sweep_id, a job to be killed as $kill_id"

# Poll squeue (sbatch --wait is slow) until none of the jobs is queued or running.
wait_jobs() {
  local i
  for ((i = 0; i < 600; i++)); do
    [ -z "$(squeue -h -o %i -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  echo "jobs $1 still queued after 120 s:"; squeue; exit 1
}
wait_jobs "$run_id,$sweep_id,$kill_id"
echo "slurm_real: all jobs left the queue after $(elapsed) s"

# ---- job states from slurmctld
scontrol show job "$run_id" >"$tmp/run.scontrol"
grep -q "JobState=COMPLETED" "$tmp/run.scontrol" && grep -q "ExitCode=0:0" "$tmp/run.scontrol" ||
  { echo "ecgforest.sbatch job $run_id did not complete:"; cat "$tmp/run.scontrol"; exit 1; }
grep -Eq "NumTasks=2( |$)" "$tmp/run.scontrol" || { echo "job $run_id did not get 2 tasks"; cat "$tmp/run.scontrol"; exit 1; }
scontrol show job "$sweep_id" >"$tmp/sweep.scontrol"
n_done=$(grep -c "JobState=COMPLETED" "$tmp/sweep.scontrol" || true)
n_tasks=$(grep -c "ArrayTaskId=" "$tmp/sweep.scontrol" || true)
[ "$n_tasks" -eq 3 ] && [ "$n_done" -eq 3 ] && [ "$(grep -c 'ExitCode=0:0' "$tmp/sweep.scontrol")" -eq 3 ] ||
  { echo "sweep array $sweep_id: $n_done of $n_tasks tasks completed:"; cat "$tmp/sweep.scontrol"; exit 1; }

# ---- the corpus run: 2 ranks through srun --mpi=pmix, outputs checked independently
log=$tmp/logs/run-$run_id.out
grep -q "2 ranks x 1 threads" "$log" || { echo "ecgforest.sbatch did not report 2 ranks x 1 thread"; exit 1; }
grep -qxF "ecgforest: program $ecg" "$log" || { echo "ecgforest.sbatch did not run $ecg (found through PATH)"; exit 1; }
grep -q "extract: 8 recordings: 8 ok" "$log" || { echo "the corpus run did not extract 8 recordings"; exit 1; }
grep -q "on 2 rank(s)" "$log" || { echo "the corpus run did not run on 2 MPI ranks"; exit 1; }
"$py" "$root/tests/pipeline/check_outputs.py" run "$tmp/run_out" "$tmp/cohort" 20

# ---- the sweep: tasks 0-2 trained; features extracted once per distinct setting
for t in 000 001 002; do
  test -s "$tmp/sweep/tasks/$t/model.metrics.json" || { echo "sweep task $t wrote no metrics"; exit 1; }
done
[ ! -e "$tmp/sweep/tasks/003/model.metrics.json" ] || { echo "task 3 was not submitted but has metrics"; exit 1; }
# tasks/NNN/features names the cache entry relative to the sweep folder (movable folder)
task_features() {
  local f; f=$(cat "$1/tasks/$2/features")
  case "$f" in /*) echo "tasks/$2/features holds an absolute path: $f" >&2; return 1 ;; esac
  echo "$1/$f"
}
f0=$(task_features "$tmp/sweep" 000) f1=$(task_features "$tmp/sweep" 001) f2=$(task_features "$tmp/sweep" 002)
[ "$f0" = "$f1" ] && [ "$f0" != "$f2" ] || { echo "cache keys: tasks 0/1 must share, task 2 must differ: $f0 $f1 $f2"; exit 1; }
[ "$(ls "$tmp/sweep/features_cache" | wc -l)" -eq 2 ] || { echo "expected 2 cache entries"; ls -R "$tmp/sweep/features_cache"; exit 1; }
n_extract=$(cat "$tmp"/logs/sweep-"$sweep_id"_{0,1}.out | grep -c "^sweep: extracting" || true)
n_cached=$(cat "$tmp"/logs/sweep-"$sweep_id"_{0,1}.out | grep -c "^sweep: features cached" || true)
[ "$n_extract" -eq 1 ] && [ "$n_cached" -eq 1 ] ||
  { echo "tasks 0 and 1 share features: expected 1 extraction + 1 cache hit, got $n_extract + $n_cached"; exit 1; }
grep -q "^sweep: extracting" "$tmp/logs/sweep-${sweep_id}_2.out" || { echo "task 2 did not extract its own features"; exit 1; }
if find "$tmp/sweep/features_cache" -name '*.partial*' -o -name '*.stage' | grep -q .; then
  echo "partial or stage files left in the cache"; exit 1
fi
# Same settings as the corpus run (window 10 s, same inputs) → the same features, bit for bit.
"$py" "$root/tests/pipeline/check_outputs.py" same "$tmp/run_out/features.h5" "$f0"
"$py" - "$tmp/sweep" <<'PY'
import json, sys
d = sys.argv[1]
for t, trees in (("000", 5), ("001", 10), ("002", 5)):
    cfg = open(f"{d}/tasks/{t}/config.toml").read()
    assert f"trees = {trees}" in cfg, (t, cfg)
    m = json.load(open(f"{d}/tasks/{t}/model.metrics.json"))
    assert "pooled" in m["cv"], m
print("sweep tasks trained with their own settings")
PY

# ---- resume: the killed job failed and left staged recordings but no features file
scontrol show job "$kill_id" >"$tmp/killed.scontrol"
grep -q "JobState=FAILED" "$tmp/killed.scontrol" || { echo "the killed job did not fail:"; cat "$tmp/killed.scontrol"; exit 1; }
[ ! -e "$tmp/resume/features.h5" ] || { echo "the killed job left a features file"; exit 1; }
n_staged=$(ls "$tmp/resume/features.h5.stage/"*.bin | wc -l)
[ "$n_staged" -ge 2 ] && [ "$n_staged" -le 4 ] || { echo "expected 2-4 staged recordings, got $n_staged"; exit 1; }
resume_id=$(sbatch --parsable --chdir="$tmp" --output="$tmp/logs/resumed-%j.out" --export=ALL,ECGFOREST_SUBCOMMAND=extract \
  "$root/slurm/ecgforest.sbatch" job.toml resume/features.h5)
wait_jobs "$resume_id"
scontrol show job "$resume_id" | grep -q "JobState=COMPLETED" || { echo "the resubmitted job did not complete"; exit 1; }
grep -q "extract: resumed $n_staged of 8 recordings" "$tmp/logs/resumed-$resume_id.out" ||
  { echo "the resubmitted job did not resume the $n_staged staged recordings"; exit 1; }
[ ! -e "$tmp/resume/features.h5.stage" ] || { echo "stage directory left after the resumed job"; exit 1; }
"$py" "$root/tests/pipeline/check_outputs.py" same "$tmp/run_out/features.h5" "$tmp/resume/features.h5"
echo "slurm_real: killed job resumed ($n_staged of 8 recordings staged) after $(elapsed) s"

# ---- collect: one CSV row per task (task 3 missing), one PNG per metric
"$py" "$root/tools/sweep" collect "$tmp/sweep" | tee "$tmp/collect.log"
"$py" - "$tmp/sweep" <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/results.csv")))
assert [r["task"] for r in rows] == ["0", "1", "2", "3"], rows
assert [r["status"] for r in rows] == ["ok", "ok", "ok", "missing"], [r["status"] for r in rows]
assert [(r["extract.window_s"], r["train.trees"]) for r in rows] == [("10.0", "5"), ("10.0", "10"), ("20.0", "5"), ("20.0", "10")]
for r in rows[:3]:
    m = json.load(open(f"{d}/tasks/{int(r['task']):03d}/model.metrics.json"))["cv"]["pooled"]
    for k in ("roc_auc", "sensitivity", "specificity", "tp", "fn"):
        want = "" if m[k] is None else m[k]
        assert (r[k] == "" and want == "") or float(r[k]) == float(want), (k, r[k], want)
for metric in ("roc_auc", "sensitivity", "specificity"):
    with open(f"{d}/plots/{metric}.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", metric
print("collect: results.csv and plots ok")
PY

# ---- a copied and a moved sweep folder: collect and sweep.sbatch read the folder they are given
grep -qF "\"$tmp/sweep/" "$tmp/sweep/sweep.json" && { echo "sweep.json holds absolute paths of the sweep folder"; exit 1; }
cp -r "$tmp/sweep" "$tmp/sweep_copy"
# compare(): every row of DIR/results.csv against DIR's own metrics files (values, not presence)
cat >"$tmp/compare.py" <<'PY'
import csv, json, os, sys
d, statuses = sys.argv[1], sys.argv[2].split(",")
rows = list(csv.DictReader(open(f"{d}/results.csv")))
assert [r["status"] for r in rows] == statuses, (d, [r["status"] for r in rows], statuses)
for r in rows:
    mfile = f"{d}/tasks/{int(r['task']):03d}/model.metrics.json"
    if r["status"] != "ok":
        assert not os.path.exists(mfile) and r["roc_auc"] == "" and r["tp"] == "", (d, r)
        continue
    m = json.load(open(mfile))["cv"]["pooled"]
    for k in ("roc_auc", "sensitivity", "specificity", "tp", "fn"):
        want = "" if m[k] is None else m[k]
        assert (r[k] == "" and want == "") or float(r[k]) == float(want), (d, r["task"], k, r[k], want)
for arg in sys.argv[3:]:            # TASK:KEY=VALUE, a value only this folder holds
    t, kv = arg.split(":")
    k, v = kv.split("=")
    assert float(rows[int(t)][k]) == float(v), (d, t, k, rows[int(t)][k], v)
print(f"collect {os.path.basename(d)}: {statuses} from its own metrics")
PY
# set_metric DIR TASK KEY VALUE: a value in DIR's metrics that no other folder holds
set_metric() {
  "$py" - "$1/tasks/$2/model.metrics.json" "$3" "$4" <<'PY'
import json, sys
f, k, v = sys.argv[1], sys.argv[2], float(sys.argv[3])
m = json.load(open(f))
m["cv"]["pooled"][k] = v
json.dump(m, open(f, "w"))
PY
}
collect_line() { # DIR -> the summary line of tools/sweep collect
  "$py" "$root/tools/sweep" collect "$@" 2>"$tmp/collect.err" | grep "with metrics" || true
}
rm "$tmp/sweep_copy/tasks/001/model.metrics.json"
set_metric "$tmp/sweep_copy" 000 roc_auc 0.123
set_metric "$tmp/sweep_copy" 002 tp 1234567
line=$(collect_line "$tmp/sweep_copy")
[ "$line" = "tools/sweep: 4 task(s), 2 with metrics -> $tmp/sweep_copy/results.csv" ] ||
  { echo "collect of the copied folder: '$line'"; cat "$tmp/collect.err"; exit 1; }
"$py" "$tmp/compare.py" "$tmp/sweep_copy" ok,missing,ok,missing 0:roc_auc=0.123 2:tp=1234567
line=$(collect_line "$tmp/sweep")
[ "$line" = "tools/sweep: 4 task(s), 3 with metrics -> $tmp/sweep/results.csv" ] ||
  { echo "collect of the original after the copy: '$line'"; exit 1; }
"$py" "$tmp/compare.py" "$tmp/sweep" ok,ok,ok,missing

# moved: task 3 runs in the moved folder and uses the moved cache entry (shared with task 2)
mv "$tmp/sweep" "$tmp/sweep_moved"
moved_id=$(sbatch --parsable --chdir="$tmp" --array=3 --output="$tmp/logs/moved-%A_%a.out" \
  "$root/slurm/sweep.sbatch" sweep_moved)
wait_jobs "$moved_id"
scontrol show job "$moved_id" | grep -q "JobState=COMPLETED" || { echo "task 3 of the moved sweep did not complete"; cat "$tmp"/logs/moved-*; exit 1; }
grep -qF "sweep: features cached: sweep_moved/$(cat "$tmp/sweep_moved/tasks/003/features")" "$tmp/logs/moved-${moved_id}_3.out" ||
  { echo "task 3 of the moved sweep did not use the moved cache entry:"; cat "$tmp/logs/moved-${moved_id}_3.out"; exit 1; }
[ ! -e "$tmp/sweep" ] || { echo "a task of the moved sweep wrote into the old folder $tmp/sweep"; exit 1; }
set_metric "$tmp/sweep_moved" 001 sensitivity 0.0456
line=$("$py" "$root/tools/sweep" collect "$tmp/sweep_moved" --strict 2>"$tmp/collect.err" | grep "with metrics") && status=0 || status=$?
[ "$line" = "tools/sweep: 4 task(s), 4 with metrics -> $tmp/sweep_moved/results.csv" ] && [ "$status" -eq 0 ] ||
  { echo "collect --strict of the moved folder: '$line', exit $status"; cat "$tmp/collect.err"; exit 1; }
"$py" "$tmp/compare.py" "$tmp/sweep_moved" ok,ok,ok,ok 1:sensitivity=0.0456

# a folder of the older format (ecgforest-sweep/1: absolute paths, here of sweep_moved), copied
# with task 1's metrics removed and a value changed, then moved to where nothing exists
cp -r "$tmp/sweep_moved" "$tmp/sweep_v1"
"$py" - "$tmp/sweep_moved" "$tmp/sweep_v1/sweep.json" <<'PY'
import json, os, sys
orig, f = sys.argv[1], sys.argv[2]
m = json.load(open(f))
m["format"] = "ecgforest-sweep/1"
m["cache"] = os.path.join(orig, m["cache"])
for t in m["tasks"]:
    for k in ("dir", "config", "features"):
        t[k] = os.path.join(orig, t[k])
json.dump(m, open(f, "w"), indent=1)
PY
rm "$tmp/sweep_v1/tasks/001/model.metrics.json"
set_metric "$tmp/sweep_v1" 003 roc_auc 0.789
line=$(collect_line "$tmp/sweep_v1")
[ "$line" = "tools/sweep: 4 task(s), 3 with metrics -> $tmp/sweep_v1/results.csv" ] ||
  { echo "collect of a copied folder of the older format: '$line'"; cat "$tmp/collect.err"; exit 1; }
"$py" "$tmp/compare.py" "$tmp/sweep_v1" ok,missing,ok,ok 3:roc_auc=0.789
mv "$tmp/sweep_v1" "$tmp/sweep_v1_moved"
line=$(collect_line "$tmp/sweep_v1_moved")
[ "$line" = "tools/sweep: 4 task(s), 3 with metrics -> $tmp/sweep_v1_moved/results.csv" ] ||
  { echo "collect of a moved folder of the older format: '$line'"; cat "$tmp/collect.err"; exit 1; }
"$py" "$tmp/compare.py" "$tmp/sweep_v1_moved" ok,missing,ok,ok 3:roc_auc=0.789
echo "slurm_real: copied and moved sweep folders collected from themselves after $(elapsed) s"

pids=("${PRIVATE_SLURM_PIDS[@]}")
private_slurm_stop
for p in "${pids[@]}"; do
  if kill -0 "$p" 2>/dev/null; then echo "daemon $p still running after stop"; exit 1; fi
done
echo "slurm_real: daemons ${pids[*]} stopped; total $(elapsed) s"
ok=1
echo "slurm_real: 1 passed, 0 failed"
