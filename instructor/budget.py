"""The memory and CPUs the grader may use, and grading the reference inside a given budget.

A container (Gradescope's: 768 MB and half a CPU by default) shows the host's core
count to os.cpu_count() and the host's memory to /proc/meminfo; what it may really
use is in its cgroup. The grader reads that here and sizes itself to it: threads no
more than the CPUs it may use, one lane (one part at a time) where memory is tight.

  cgroup v2 (Gradescope, current Linux laptops): memory.max and cpu.max of this
            process's cgroup and of every cgroup above it
  cgroup v1 (older hosts, this package's CI):   memory.limit_in_bytes and
            cpu.cfs_quota_us / cpu.cfs_period_us, likewise
  always:   os.sched_getaffinity, the CPUs the scheduler lets this process use

`python -m instructor budget` grades the reference in cgroups of the memory sizes
and CPU quota it is given (as root, on a machine with cgroup v1 or v2) and writes
the table of score, wall time and peak memory to figures/grading-budget.md.
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from instructor import ROOT

CGROUP = "/sys/fs/cgroup"
TWO_LANES_MB = 1400  # below this much memory, a submission's parts run one at a time
WARM_MB = 700  # from this much memory, the sandbox loads what every optimizer needs once, ahead (see warm)
LEAF = "grader"  # cgroup v2: the leaf the grader moves into, so that its cgroup can have sandboxes as children


def _own_cgroups():
    """{controller: path of this process's cgroup}; "" is the v2 (unified) one."""
    found = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for name in controllers.split(",") if controllers else [""]:
                    found[name] = path
    except (OSError, ValueError):
        pass
    return found


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _up(base, path):
    """The folders of a cgroup and of every cgroup above it, innermost first (inside a
    container the path may be the host's: then only the folders that exist count)."""
    parts = [p for p in path.strip("/").split("/") if p]
    for n in range(len(parts), -1, -1):
        folder = os.path.join(base, *parts[:n])
        if os.path.isdir(folder):
            yield folder


def version():
    """2 or 1, the cgroup version this machine uses for memory, or None if it has none."""
    if os.path.exists(os.path.join(CGROUP, "cgroup.controllers")):
        return 2
    if os.path.isdir(os.path.join(CGROUP, "memory")):
        return 1
    return None


def memory_limit_mb():
    """The memory this process and its children may use together, in MB, or None if no
    cgroup limits it."""
    own, limits = _own_cgroups(), []
    if version() == 2 and "" in own:
        limits = [_read(os.path.join(d, "memory.max")) for d in _up(CGROUP, own[""])]
    elif version() == 1 and "memory" in own:
        limits = [_read(os.path.join(d, "memory.limit_in_bytes")) for d in _up(os.path.join(CGROUP, "memory"),
                                                                              own["memory"])]
    values = [int(v) for v in limits if v and v.isdigit() and int(v) < 1 << 60]
    return min(values) // (1 << 20) if values else None


def cpu_limit():
    """The CPUs this process may use: the fewer of its affinity and its cgroup's quota
    (a float: 0.5 is half a CPU)."""
    try:
        cpus = float(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cpus = float(os.cpu_count() or 1)
    own = _own_cgroups()
    if version() == 2 and "" in own:
        for d in _up(CGROUP, own[""]):
            quota = (_read(os.path.join(d, "cpu.max")) or "max").split()
            if quota and quota[0] != "max" and len(quota) == 2:
                cpus = min(cpus, int(quota[0]) / int(quota[1]))
    else:
        for name in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
            if name.split(",")[0] in own and os.path.isdir(os.path.join(CGROUP, name)):
                for d in _up(os.path.join(CGROUP, name), own[name.split(",")[0]]):
                    quota, period = _read(os.path.join(d, "cpu.cfs_quota_us")), _read(os.path.join(d, "cpu.cfs_period_us"))
                    if quota and period and quota.lstrip("-").isdigit() and int(quota) > 0:
                        cpus = min(cpus, int(quota) / int(period))
                break
    return cpus


def oom_kills():
    """How many processes the kernel's OOM killer has taken in this process's memory
    cgroup so far, or None where that cannot be read."""
    own = _own_cgroups()
    if version() == 2 and "" in own:
        path = os.path.join(CGROUP, own[""].lstrip("/"), "memory.events")
    elif version() == 1 and "memory" in own:
        path = os.path.join(CGROUP, "memory", own["memory"].lstrip("/"), "memory.oom_control")
    else:
        return None
    return _oom_kill_count(path)


def _oom_kill_count(path):
    """The oom_kill count of a memory.events (v2, which counts the cgroups below too) or
    memory.oom_control file (v1, which counts its own cgroup alone: the ones below, such
    as the sandboxes' own, are added up here), or None."""
    def count(file):
        for line in (_read(file) or "").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
        return None

    own = count(path)
    if own is None or not path.endswith("memory.oom_control"):
        return own
    for base, dirs, _ in os.walk(os.path.dirname(path)):
        own += sum(count(os.path.join(base, d, "memory.oom_control")) or 0 for d in dirs)
    return own


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


def threads():
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


def lanes():
    """How many of one submission's parts may run side by side: two where there are two
    CPUs and memory for both, else one."""
    memory = memory_limit_mb()
    return 2 if threads() >= 2 and (memory is None or memory >= TWO_LANES_MB) else 1


# -----------------------------------------------------------------------------
# Grading the reference inside a budget (python -m instructor budget)


class Cgroup:
    """A cgroup made for one command or one sandbox, removed afterwards (root only): a
    memory limit (swap counted), a CPU quota (0: none, but a group of its own, which the
    kernel gives the same share of CPU time as each of its siblings, however many
    processes it holds; None: no CPU cgroup), a process limit (None: none), and the
    CPUs its processes may run on (cpuset: a list of CPU numbers; None: all of this
    process's; the kernel enforces it, unlike an affinity a process could widen).

    nested=True makes it inside this process's own cgroup, so that it counts against
    the limits this process itself lives under (a container's); on cgroup v2 that first
    moves this process into a leaf cgroup of its own, as v2 keeps processes out of
    cgroups that have children with controllers.
    """

    def __init__(self, memory_mb, cpus=None, pids=None, nested=False, prefix="gan-budget", cpuset=None):
        self.version = version()
        if self.version is None:
            raise RuntimeError("this machine has neither cgroup v2 nor a cgroup v1 memory controller")
        if os.geteuid() != 0:
            raise RuntimeError("making a cgroup needs root")
        self.dirs = []
        try:
            self._make(f"{prefix}-{os.getpid()}-{time.monotonic_ns()}", memory_mb, cpus, pids, nested, cpuset)
        except BaseException:  # no half-made cgroup left behind
            self.remove()
            raise

    def _make(self, name, memory_mb, cpus, pids, nested, cpuset):
        own = _own_cgroups() if nested else {}
        _remove_stale(own)
        if self.version == 2:
            parent = os.path.join(CGROUP, own.get("", "/").lstrip("/")).rstrip("/")
            if nested and os.path.basename(parent) == LEAF:  # this process left for its leaf before
                parent = os.path.dirname(parent)
            elif nested and parent != CGROUP:
                _leave_for_leaf(parent)
            self._write(parent, "cgroup.subtree_control", "+memory +cpu +pids")
            if cpuset:  # where the hierarchy above offers it; without it, equal CPU shares still hold
                self._write(parent, "cgroup.subtree_control", "+cpuset", optional=True)
            os.mkdir(os.path.join(parent, name))
            self.dirs = [os.path.join(parent, name)]
            if cpuset:
                self._write(self.dirs[0], "cpuset.cpus", ",".join(map(str, cpuset)), optional=True)
            self._write(self.dirs[0], "memory.max", memory_mb << 20)
            self._write(self.dirs[0], "memory.swap.max", 0, optional=True)
            self._write(self.dirs[0], "memory.oom.group", 1, optional=True)  # over the limit: all of it goes
            if cpus:
                self._write(self.dirs[0], "cpu.max", f"{int(cpus * 100_000)} 100000")
            if pids:
                self._write(self.dirs[0], "pids.max", pids)
        else:
            where = {c: os.path.join(CGROUP, c, own.get(c, "/").lstrip("/"), name)
                     for c in ("memory", "cpu", "pids", "cpuset")}
            os.mkdir(where["memory"])
            self.dirs = [where["memory"]]
            self._write(where["memory"], "memory.limit_in_bytes", memory_mb << 20)
            self._write(where["memory"], "memory.memsw.limit_in_bytes", memory_mb << 20, optional=True)  # no swap
            if cpus is not None and os.path.isdir(os.path.dirname(where["cpu"])):
                os.mkdir(where["cpu"])  # cpus=0: a group of its own, sharing CPU time equally with its siblings
                self.dirs.append(where["cpu"])
                if cpus:
                    self._write(where["cpu"], "cpu.cfs_period_us", 100_000)
                    self._write(where["cpu"], "cpu.cfs_quota_us", int(cpus * 100_000))
            if cpuset and os.path.isdir(os.path.dirname(where["cpuset"])):
                os.mkdir(where["cpuset"])  # v1 wants both set before a process may join
                self.dirs.append(where["cpuset"])
                self._write(where["cpuset"], "cpuset.cpus", ",".join(map(str, cpuset)))
                self._write(where["cpuset"], "cpuset.mems", _read(os.path.join(os.path.dirname(where["cpuset"]),
                                                                               "cpuset.mems")) or "0")
            if pids and os.path.isdir(os.path.dirname(where["pids"])):
                os.mkdir(where["pids"])
                self.dirs.append(where["pids"])
                self._write(where["pids"], "pids.max", pids)

    @staticmethod
    def _write(folder, name, value, optional=False):
        try:
            with open(os.path.join(folder, name), "w") as f:
                f.write(str(value))
        except OSError:
            if not optional:
                raise

    def join(self):
        """Move the calling process into the cgroup (use as a preexec_fn)."""
        for d in self.dirs:
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    def peak_mb(self):
        """The most memory the cgroup has held (v1: since reset_peak; v2: since it was made)."""
        memory = self.dirs[0]
        value = _read(os.path.join(memory, "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"))
        return int(value) / (1 << 20) if value and value.isdigit() else None

    def reset_peak(self):
        """Start peak_mb afresh (cgroup v1; v2's memory.peak resets only for one open file)."""
        if self.version == 1:
            self._write(self.dirs[0], "memory.max_usage_in_bytes", 0, optional=True)

    def oom_kills(self):
        """How many processes the kernel's OOM killer took in this cgroup."""
        events = "memory.events" if self.version == 2 else "memory.oom_control"
        return _oom_kill_count(os.path.join(self.dirs[0], events)) or 0

    def remove(self):
        """Remove the cgroup and any left inside it (a sandbox's, whose grader was killed)."""
        for d in self.dirs:
            for _ in range(500):  # the cgroup empties once its processes are reaped: at most 5 s
                if _rmdir_tree(d):
                    break
                time.sleep(0.01)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _rmdir_tree(folder):
    """rmdir a cgroup and the cgroups below it, innermost first: whether it is gone."""
    for base, dirs, _ in os.walk(folder, topdown=False):
        for d in dirs:
            try:
                os.rmdir(os.path.join(base, d))
            except OSError:
                pass
    try:
        os.rmdir(folder)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def _remove_stale(own):
    """Remove the empty cgroups a grader that is gone left behind (one whose processes
    took longer to die than remove() waited): named gan-*-PID-..., PID no longer alive."""
    parents = {os.path.join(CGROUP, own.get("", "/").lstrip("/"))} if version() == 2 else {
        os.path.join(CGROUP, c, own.get(c, "/").lstrip("/")) for c in ("memory", "cpu", "pids", "cpuset")}
    for parent in parents:
        try:
            names = [n for n in os.listdir(parent) if n.startswith("gan-") and n.count("-") >= 3]
        except OSError:
            continue
        for name in names:
            pid = name.split("-")[-2]
            if pid.isdigit() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
                _rmdir_tree(os.path.join(parent, name))  # what still holds processes stays


def _leave_for_leaf(parent):
    """cgroup v2: move this process into a leaf child of its cgroup, so that the cgroup
    may give its controllers to new children (its processes must live in leaves)."""
    leaf = os.path.join(parent, LEAF)
    os.makedirs(leaf, exist_ok=True)
    with open(os.path.join(leaf, "cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))


def grade_in_budget(gan_path, memory_mb, cpus, keep=None):
    """Grade `gan_path` with `python -m instructor grade` inside a fresh cgroup; returns
    {memory_mb, cpus, score, grader_error, seconds, peak_mb, oom_kills}. `keep`: a folder
    to leave the results.json in."""
    with tempfile.TemporaryDirectory() as tmp, Cgroup(memory_mb, cpus) as group:
        results = os.path.join(keep or tmp, "results.json")
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "instructor", "grade", gan_path, "--results", results],
                              cwd=ROOT, capture_output=True, text=True, preexec_fn=group.join, timeout=900)
        seconds = time.monotonic() - start
        try:
            with open(results, encoding="utf-8") as f:
                data = json.load(f)
            score, error = data["score"], data["extra_data"]["grader_error"]
        except (OSError, ValueError, KeyError):
            score, error = None, f"no results.json (exit code {proc.returncode}): {proc.stderr.strip()[-300:]}"
        return {"memory_mb": memory_mb, "cpus": cpus, "score": score, "grader_error": error,
                "seconds": round(seconds, 1), "peak_mb": group.peak_mb(), "oom_kills": group.oom_kills()}


def main(args):
    gan_path = os.path.abspath(args.gan or os.path.join(ROOT, "gan.py"))
    rows = []
    for memory_mb in sorted(args.memory_mb, reverse=True):
        row = grade_in_budget(gan_path, memory_mb, args.cpus)
        rows.append(row)
        print(f"{memory_mb:5d} MB, {args.cpus:g} CPU: score {row['score']}, {row['seconds']:.1f} s, peak "
              f"{row['peak_mb'] or 0:.0f} MB, {row['oom_kills']} OOM kills"
              + (f", grader error: {row['grader_error'][:200]}" if row["grader_error"] else ""), flush=True)
    passing = [r["memory_mb"] for r in rows if r["score"] == 10]
    lines = [f"Grading {os.path.relpath(gan_path, ROOT)} inside a cgroup (cgroup v{version()}) of each memory size "
             f"and {args.cpus:g} CPU, {datetime.date.today().isoformat()} (`python -m instructor budget`).", "",
             "OOM kills: those the outer cgroup counts; a sandbox's own cgroup is removed with its counts when "
             "the grading ends (its kills show as grader errors or as retried parts).", "",
             "| memory | CPU | score | grader error | wall | peak memory | OOM kills |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['memory_mb']} MB | {r['cpus']:g} | {r['score']} | {(r['grader_error'] or '')[:80]} | "
                     f"{r['seconds']:.1f} s | {r['peak_mb'] or 0:.0f} MB | {r['oom_kills']} |")
    lines += ["", f"Smallest memory with 10/10: {min(passing)} MB." if passing else "", ""]
    if args.write:
        from instructor import figures  # not in the Gradescope zip, which grades with this module

        print(f"wrote {figures.write_top('grading-budget.md', chr(10).join(lines))}")
    print("\n".join(lines))


def available():
    """None if budgets can be tested here, else why not (for tests to skip with)."""
    if os.geteuid() != 0:
        return "making a cgroup needs root"
    if version() is None:
        return "this machine has neither cgroup v2 nor a cgroup v1 memory controller"
    if version() == 1 and not os.access(os.path.join(CGROUP, "memory"), os.W_OK):
        return "the cgroup v1 memory controller is not writable here"
    if version() == 2 and not os.access(CGROUP, os.W_OK):
        return "the cgroup v2 hierarchy is not writable here"
    return None

