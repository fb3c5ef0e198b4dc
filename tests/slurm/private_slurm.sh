# Private single-node Slurm for tests, sourced by tests/slurm/*.sh (bash).
#
#   source tests/slurm/private_slurm.sh
#   private_slurm_start DIR CPUS    # munged + slurmctld + slurmd under DIR, on 127.0.0.1, as root
#   ... sbatch / squeue / scontrol (SLURM_CONF points at DIR/etc/slurm.conf) ...
#   private_slurm_stop              # cancels our jobs, stops exactly the daemons it started (by PID)
#
# No systemd and nothing outside DIR: munged gets its own key, socket and log; slurmctld and slurmd
# run in the foreground (-D) so that $! is the daemon's PID. Free TCP ports are picked at start.
# Plugins: MpiDefault=pmix (srun --mpi=pmi2 fails with Debian's Open MPI), ProctrackType=
# proctrack/linuxproc and TaskPlugin=task/none (no cgroups here), no accounting.
# The node gets CPUS logical CPUs (may exceed the real cores: SlurmdParameters=config_overrides),
# so that several small jobs run at once on a 2-core machine.

PRIVATE_SLURM_PIDS=()

# Prints "SKIP reason" and returns 1 when a needed program is missing.
private_slurm_available() {
  local p
  for p in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel srun; do
    if ! command -v "$p" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$p" ]; then
      echo "SKIP: '$p' not found; install the Debian packages slurm-wlm and munge to run the real-Slurm test"
      return 1
    fi
  done
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: the private Slurm test must run as root (slurmd launches jobs)"; return 1; }
  return 0
}

_private_slurm_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to $2 seconds for command $1 (a string) to succeed.
_private_slurm_wait() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

private_slurm_start() {
  local dir=$1 cpus=${2:-4}
  export PATH="$PATH:/usr/sbin"
  local node
  node=$(hostname -s)
  mkdir -p "$dir"/{etc,munge/etc,munge/run,munge/lib,log,state,spool}
  # munged refuses a key directory others can read and a socket directory they cannot enter.
  chmod 700 "$dir/munge/etc" "$dir/munge/lib"
  chmod 755 "$dir/munge/run" "$dir"
  local sock="$dir/munge/run/munge.socket"
  mungekey --create --force --keyfile="$dir/munge/etc/munge.key" >/dev/null 2>&1 ||
    { dd if=/dev/urandom of="$dir/munge/etc/munge.key" bs=1024 count=1 status=none; }
  chmod 600 "$dir/munge/etc/munge.key"
  munged --foreground --force --socket="$sock" --key-file="$dir/munge/etc/munge.key" \
    --pid-file="$dir/munge/run/munged.pid" --seed-file="$dir/munge/lib/munged.seed" \
    --log-file="$dir/log/munged.log" >"$dir/log/munged.out" 2>&1 &
  PRIVATE_SLURM_PIDS+=($!)
  _private_slurm_wait "[ -S '$sock' ]" 10 || { echo "private slurm: munged did not start:"; cat "$dir/log/munged"*; return 1; }

  local ctld_port slurmd_port
  ctld_port=$(_private_slurm_free_port)
  slurmd_port=$(_private_slurm_free_port)
  cat >"$dir/etc/slurm.conf" <<CONF
# Private single-node test cluster (written by tests/slurm/private_slurm.sh).
ClusterName=ecgforest-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/state/slurmctld.pid
SlurmdPidFile=$dir/state/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
SchedulerParameters=sched_interval=1
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/etc/slurm.conf"
  slurmctld -D -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
  PRIVATE_SLURM_PIDS+=($!)
  slurmd -D -f "$SLURM_CONF" -N "$node" >"$dir/log/slurmd.out" 2>&1 &
  PRIVATE_SLURM_PIDS+=($!)
  if ! _private_slurm_wait "sinfo -h -N -o '%T' | grep -Eq '^(idle|mixed|allocated)'" 30; then
    echo "private slurm: the node did not become idle; sinfo says: $(sinfo -h -N -o '%T %E' 2>&1)"
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/log/"*.out 2>/dev/null
    return 1
  fi
  PRIVATE_SLURM_DIR=$dir
}

private_slurm_stop() {
  if [ -n "${SLURM_CONF:-}" ] && [ ${#PRIVATE_SLURM_PIDS[@]} -gt 1 ]; then
    scancel --quiet --user="$(id -un)" >/dev/null 2>&1 || true
    _private_slurm_wait "[ -z \"\$(squeue -h -o %i)\" ]" 10 || true
  fi
  # Reverse start order: slurmd, slurmctld, munged. Only the PIDs this file started.
  local i pid
  for ((i = ${#PRIVATE_SLURM_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PRIVATE_SLURM_PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PRIVATE_SLURM_PIDS=()
}
