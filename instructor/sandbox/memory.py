"""A sandbox's budget, and what it used: memory, CPU and processes for all of a
submission's processes together, in a cgroup of its own inside the grader's.

One Memory lives as long as its pool; the pool opens a cgroup when it starts a
sandbox and closes it when it stops one, and the counts (peak memory, OOM kills)
carry over from one cgroup to the next, so a report can say what one submission
used however often its sandbox was restarted.
"""
import os

from instructor.sandbox import cgroup, limits


class Memory:
    def __init__(self, cpus=None):
        self.cpus = cpus  # the CPUs of its own (a batch job's), or None: all
        self.cgroup, self.reason = None, None  # the live cgroup; why there is none, where none can be made
        self.ever = False  # whether it ever had a cgroup
        self.oom_before, self.peak_before = 0, 0.0  # OOM kills in closed cgroups; the highest peak since reset_peak

    def open(self, memory_mb):
        """A cgroup for the next sandbox, its parts allowed memory_mb (and the sandbox
        SANDBOX_MB for torch and the supervisor), unless one is open already."""
        if self.cgroup is not None:
            return
        self.reason = cgroup.available()
        if self.reason is None:
            try:
                # CPU: a group of its own, no quota (a quota throttles its bursts): under contention the
                # kernel shares CPU time equally among the sandboxes, however many processes each starts.
                self.cgroup = cgroup.Cgroup(memory_mb + limits.SANDBOX_MB, cpus=0, pids=limits.SUBMISSION_PIDS,
                                            nested=True, prefix="gan-pool", cpuset=self.cpus)
            except (OSError, RuntimeError) as err:
                self.reason = f"{type(err).__name__}: {err}"
        self.ever = self.ever or self.cgroup is not None

    def enter(self):
        """In the sandbox's first process, before it runs: its cgroup, and its own CPUs (the
        cgroup's cpuset enforces them; the affinity alone, where there is no cgroup, is a
        courtesy its processes could undo)."""
        if self.cgroup is not None:
            self.cgroup.join()
        if self.cpus:
            os.sched_setaffinity(0, self.cpus)

    def close(self):
        if self.cgroup is not None:
            self.oom_before += self.cgroup.oom_kills()
            self.peak_before = max(self.peak_before, self.cgroup.peak_mb() or 0)
            self.cgroup.remove()
            self.cgroup = None

    def reset_peak(self):
        self.peak_before = 0.0
        if self.cgroup is not None:
            self.cgroup.reset_peak()

    def peak_mb(self):
        """The most memory the sandbox's cgroups held since reset_peak (cgroup v2: since the
        live one was made), in MB; None without a cgroup."""
        if not self.ever:
            return None
        return round(max(self.peak_before, (self.cgroup.peak_mb() or 0) if self.cgroup is not None else 0), 1)

    def oom_kills(self):
        """OOM kills so far in the sandbox's own cgroups, this one and those closed before
        (None if it never had one)."""
        if not self.ever:
            return None
        return self.oom_before + (self.cgroup.oom_kills() if self.cgroup is not None else 0)

    def fault(self, kills_before, container_kills_before, memory_mb):
        """After a submission ran: ("over", MB) where the OOM killer took one of its processes
        because its own budget ran out (its fault), ("machine", None) where the container's
        memory ran out instead (the grader's environment failed), else (None, None)."""
        killed_inside = self.oom_kills() is not None and self.oom_kills() > (kills_before or 0)
        container, own = limits.memory_limit_mb(), memory_mb + limits.SANDBOX_MB
        if killed_inside and (container is None or own < container):
            return "over", own
        if killed_inside or container_kills_before is not None and (limits.oom_kills() or 0) > container_kills_before:
            return "machine", None
        return None, None
