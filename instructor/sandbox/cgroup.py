"""Cgroups, and nothing else: this process's own, and ones made for a command or a sandbox.

  cgroup v2 (Gradescope, current Linux laptops): one unified tree under /sys/fs/cgroup;
            memory.max, memory.peak, memory.events, cpu.max, pids.max, cpuset.cpus
  cgroup v1 (older hosts, this package's CI):   one tree per controller; memory.limit_in_bytes,
            memory.max_usage_in_bytes, memory.oom_control, cpu.cfs_quota_us, pids.max, cpuset.cpus

Cgroup makes one of either kind (_make_v2 and _make_v1 keep the two set-ups apart) and
removes it afterwards; available() says why none can be made here, where that is so.
What the grader reads of the cgroup it lives in is in limits.py.
"""
import os
import time

CGROUP = "/sys/fs/cgroup"
LEAF = "grader"  # cgroup v2: the leaf the grader moves into, so that its cgroup can have sandboxes as children


def own_cgroups():
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


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def up(base, path):
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



def memory_limits():
    """The memory limits, in bytes, of this process's cgroup and of every one above it
    ("max", no limit, left out)."""
    own = own_cgroups()
    if version() == 2 and "" in own:
        limits = [read(os.path.join(d, "memory.max")) for d in up(CGROUP, own[""])]
    elif version() == 1 and "memory" in own:
        limits = [read(os.path.join(d, "memory.limit_in_bytes"))
                  for d in up(os.path.join(CGROUP, "memory"), own["memory"])]
    else:
        limits = []
    return [int(v) for v in limits if v and v.isdigit()]


def cpu_quotas():
    """(quota, period) of every CPU quota set on this process's cgroup and those above it."""
    own, found = own_cgroups(), []
    if version() == 2 and "" in own:
        for d in up(CGROUP, own[""]):
            quota = (read(os.path.join(d, "cpu.max")) or "max").split()
            if len(quota) == 2 and quota[0] != "max":
                found.append((int(quota[0]), int(quota[1])))
        return found
    for name in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):  # v1 mounts cpu alone or joined with cpuacct
        if name.split(",")[0] in own and os.path.isdir(os.path.join(CGROUP, name)):
            for d in up(os.path.join(CGROUP, name), own[name.split(",")[0]]):
                quota, period = read(os.path.join(d, "cpu.cfs_quota_us")), read(os.path.join(d, "cpu.cfs_period_us"))
                if quota and period and quota.lstrip("-").isdigit() and int(quota) > 0:
                    found.append((int(quota), int(period)))
            break
    return found


def own_oom_kills():
    """The OOM killer's count in this process's memory cgroup, or None where unreadable."""
    own = own_cgroups()
    if version() == 2 and "" in own:
        return oom_kill_count(os.path.join(CGROUP, own[""].lstrip("/"), "memory.events"))
    if version() == 1 and "memory" in own:
        return oom_kill_count(os.path.join(CGROUP, "memory", own["memory"].lstrip("/"), "memory.oom_control"))
    return None


def oom_kill_count(path):
    """The oom_kill count of a memory.events (v2, which counts the cgroups below too) or
    memory.oom_control file (v1, which counts its own cgroup alone: the ones below, such
    as the sandboxes' own, are added up here), or None."""
    def count(file):
        for line in (read(file) or "").splitlines():
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



def write(folder, name, value, optional=False):
    """Write one of a cgroup's files; optional: where the kernel lacks the file, leave it."""
    try:
        with open(os.path.join(folder, name), "w") as f:
            f.write(str(value))
    except OSError:
        if not optional:
            raise


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
        own = own_cgroups() if nested else {}
        _remove_stale(own)
        make = self._make_v2 if self.version == 2 else self._make_v1
        make(own, name, memory_mb, cpus, pids, nested, cpuset)

    def _make_v2(self, own, name, memory_mb, cpus, pids, nested, cpuset):
        """One folder with every controller, beside this process's leaf when nested."""
        parent = os.path.join(CGROUP, own.get("", "/").lstrip("/")).rstrip("/")
        if nested and os.path.basename(parent) == LEAF:  # this process left for its leaf before
            parent = os.path.dirname(parent)
        elif nested and parent != CGROUP:
            _leave_for_leaf(parent)
        write(parent, "cgroup.subtree_control", "+memory +cpu +pids")
        if cpuset:  # where the hierarchy above offers it; without it, equal CPU shares still hold
            write(parent, "cgroup.subtree_control", "+cpuset", optional=True)
        os.mkdir(os.path.join(parent, name))
        self.dirs = [os.path.join(parent, name)]
        if cpuset:
            write(self.dirs[0], "cpuset.cpus", ",".join(map(str, cpuset)), optional=True)
        write(self.dirs[0], "memory.max", memory_mb << 20)
        write(self.dirs[0], "memory.swap.max", 0, optional=True)
        write(self.dirs[0], "memory.oom.group", 1, optional=True)  # over the limit: all of it goes
        if cpus:
            write(self.dirs[0], "cpu.max", f"{int(cpus * 100_000)} 100000")
        if pids:
            write(self.dirs[0], "pids.max", pids)

    def _make_v1(self, own, name, memory_mb, cpus, pids, nested, cpuset):
        """One folder per controller (memory always; cpu, cpuset, pids where asked and mounted)."""
        where = {c: os.path.join(CGROUP, c, own.get(c, "/").lstrip("/"), name)
                 for c in ("memory", "cpu", "pids", "cpuset")}
        os.mkdir(where["memory"])
        self.dirs = [where["memory"]]
        write(where["memory"], "memory.limit_in_bytes", memory_mb << 20)
        write(where["memory"], "memory.memsw.limit_in_bytes", memory_mb << 20, optional=True)  # no swap
        if cpus is not None and os.path.isdir(os.path.dirname(where["cpu"])):
            os.mkdir(where["cpu"])  # cpus=0: a group of its own, sharing CPU time equally with its siblings
            self.dirs.append(where["cpu"])
            if cpus:
                write(where["cpu"], "cpu.cfs_period_us", 100_000)
                write(where["cpu"], "cpu.cfs_quota_us", int(cpus * 100_000))
        if cpuset and os.path.isdir(os.path.dirname(where["cpuset"])):
            os.mkdir(where["cpuset"])  # v1 wants both set before a process may join
            self.dirs.append(where["cpuset"])
            write(where["cpuset"], "cpuset.cpus", ",".join(map(str, cpuset)))
            write(where["cpuset"], "cpuset.mems", read(os.path.join(os.path.dirname(where["cpuset"]),
                                                                           "cpuset.mems")) or "0")
        if pids and os.path.isdir(os.path.dirname(where["pids"])):
            os.mkdir(where["pids"])
            self.dirs.append(where["pids"])
            write(where["pids"], "pids.max", pids)

    def join(self):
        """Move the calling process into the cgroup (use as a preexec_fn)."""
        for d in self.dirs:
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    def peak_mb(self):
        """The most memory the cgroup has held (v1: since reset_peak; v2: since it was made)."""
        memory = self.dirs[0]
        value = read(os.path.join(memory, "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"))
        return int(value) / (1 << 20) if value and value.isdigit() else None

    def reset_peak(self):
        """Start peak_mb afresh (cgroup v1; v2's memory.peak resets only for one open file)."""
        if self.version == 1:
            write(self.dirs[0], "memory.max_usage_in_bytes", 0, optional=True)

    def oom_kills(self):
        """How many processes the kernel's OOM killer took in this cgroup."""
        events = "memory.events" if self.version == 2 else "memory.oom_control"
        return oom_kill_count(os.path.join(self.dirs[0], events)) or 0

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

