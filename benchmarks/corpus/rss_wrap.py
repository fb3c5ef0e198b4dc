"""rss_wrap.py OUTDIR CMD...: runs CMD (one MPI rank under mpirun), then writes its peak resident
set size in KiB (getrusage of the child via os.wait4) to OUTDIR/rss.<rank>; exits like CMD."""
import os
import signal
import subprocess
import sys

out, cmd = sys.argv[1], sys.argv[2:]
rank = os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMI_RANK", "0"))
p = subprocess.Popen(cmd)
_, status, ru = os.wait4(p.pid, 0)
with open(os.path.join(out, f"rss.{rank}"), "w") as f:
    f.write(f"{ru.ru_maxrss}\n")
if os.WIFSIGNALED(status):
    os.kill(os.getpid(), os.WTERMSIG(status) if os.WTERMSIG(status) != signal.SIGKILL else signal.SIGTERM)
sys.exit(os.WEXITSTATUS(status))
