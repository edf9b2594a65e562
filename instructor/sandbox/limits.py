"""The limits a submission is graded under, and what the container lets the grader use.

Each default is defined here once; the command line (instructor/__main__.py), its
help and the grader read them from here.

A container (Gradescope's: 768 MB and half a CPU by default) shows the host's core
count to os.cpu_count() and the host's memory to /proc/meminfo; what it may really
use is in its cgroup (cgroup.py reads it, v1 or v2) and in os.sched_getaffinity.
The grader sizes itself to that: threads no more than the CPUs it may use, one lane
(one part at a time) where memory is tight, the optimizer's libraries loaded ahead
only where there is room for them.
"""
import os
from typing import NamedTuple

from instructor.sandbox import cgroup


class Limits(NamedTuple):
    """What one submission is graded under: seconds for each part (the training smoke test is
    the slowest, at about a second), seconds to import gan.py, and the memory (MB) a part may
    allocate on a CPU grader. `grade`'s and `batch`'s options of the same names set them."""

    part_timeout: float = 60
    import_timeout: float = 30
    memory_mb: int = 4096

    def seconds(self, parts):
        """The most a submission's run of `parts` parts (one after another) may take: its
        import, twice more for the libraries loaded ahead, each part and a margin."""
        return 3 * self.import_timeout + parts * (self.part_timeout + 3) + 15


DEFAULT = Limits()


def from_args(args):
    """The Limits of `grade`'s and `batch`'s command line (--part-timeout, --import-timeout, --memory-mb)."""
    return Limits(args.part_timeout, args.import_timeout, args.memory_mb)
SANDBOX_MB = 1536  # a sandbox's cgroup: what its parts may allocate, and this for torch and the supervisor
SUBMISSION_PIDS = 1024  # processes and threads of a sandbox, all its submission's parts together
START_TIMEOUT = 180  # seconds for a sandbox to import torch and say it is ready
TWO_LANES_MB = 1400  # below this much memory, a submission's parts run one at a time
WARM_MB = 700  # from this much memory, the sandbox loads what every optimizer needs once, ahead (see warm)


def memory_limit_mb():
    """The memory this process and its children may use together, in MB, or None if no
    cgroup limits it (the tightest of its cgroup's and of those above it)."""
    values = [v for v in cgroup.memory_limits() if v < 1 << 60]
    return min(values) // (1 << 20) if values else None


def cpu_limit():
    """The CPUs this process may use: the fewer of its affinity and its cgroups' quotas
    (a float: 0.5 is half a CPU)."""
    try:
        cpus = float(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cpus = float(os.cpu_count() or 1)
    for quota, period in cgroup.cpu_quotas():
        cpus = min(cpus, quota / period)
    return cpus


def oom_kills():
    """How many processes the kernel's OOM killer has taken in this process's memory
    cgroup so far, or None where that cannot be read."""
    return cgroup.own_oom_kills()


def oom_order(score):
    """Set this process's oom_score_adj (-1000 to 1000; lowering it needs root): who the
    kernel's OOM killer takes first when memory runs out. The grader sets -900 (it must
    live to write the report), the sandbox 0, each part of a student's code 1000."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(score))
        return True
    except OSError:
        return False


def usable_threads():
    """Threads for the grader's arithmetic: the whole CPUs it may use, at least one."""
    return max(1, int(cpu_limit() + 1e-9))


def cpu_shares(jobs):
    """The CPUs of each of `jobs` batch jobs: whole CPUs of their own where this process
    may use at least one per job (a job's sandbox is then pinned to them), else None
    for every job (the jobs share all the CPUs, in equal shares of CPU time)."""
    try:
        mine = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return [None] * jobs
    per = min(len(mine), int(cpu_limit() + 1e-9)) // max(1, jobs)
    if per < 1:
        return [None] * jobs
    return [mine[j * per:(j + 1) * per] for j in range(jobs)]


def warm():
    """Whether the sandbox should import, once and ahead of the parts, the compiler stack that
    torch imports with the first optimizer (torch._dynamo: about 80 MB, and seconds at half a
    CPU): where memory allows, else each part that makes an optimizer imports it itself."""
    memory = memory_limit_mb()
    return memory is None or memory >= WARM_MB


def lane_count():
    """How many of one submission's parts may run side by side: two where there are two
    CPUs and memory for both, else one."""
    memory = memory_limit_mb()
    return 2 if usable_threads() >= 2 and (memory is None or memory >= TWO_LANES_MB) else 1

