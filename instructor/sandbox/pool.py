"""A Pool: one sandbox process (inside/) that grades submissions one after another.

Two modes:

- sealed: the sandbox is started by bubblewrap (bwrap.py). It sees, read-only,
  the Python environment, the system libraries, a private copy of the producing
  code and the check inputs, and nothing else: no answer file, no grader folder,
  no other submission, no results folder, no network, nothing writable. Each
  submission then gets fresh user, PID, mount, IPC, network and UTS namespaces
  (as an unprivileged uid when the grader is root), private tmpfs mounts and
  resource limits; every process it starts dies when its part ends. The grader
  and the sandbox talk only through two pipes the grader owns (exchange.py).
- reduced: where bubblewrap is missing or cannot create namespaces (a laptop
  without user namespaces, a locked-down container), the same sandbox program
  runs as a plain process, one per submission, each part in its own session
  with the same limits, as a uid of its own behind Landlock walls (reduced.py).
  Where parts would run as root (the uid cannot read the Python) or as the
  grader's own user (the grader is not root), the pool refuses to grade
  (Pool.refuses) unless told to trust the submissions; reports say which it was.

The pool starts one Sandbox (process.py) after another, from a Command (command.py),
within a budget that outlives them (memory.py); no one else writes their fields.
"""
from collections import namedtuple

from instructor.sandbox import reduced
from instructor.sandbox.limits import DEFAULT, oom_kills, usable_threads, warm
from instructor.sandbox.bwrap import find_bwrap
from instructor.sandbox.command import Command
from instructor.sandbox.exchange import Exchange
from instructor.sandbox.memory import Memory
from instructor.sandbox.paths import python_dirs
from instructor.sandbox.process import Sandbox, SandboxError

# How one submission's run went: how each phase's process ended and the bytes it produced;
# fault: None, or a sentence on how the grader's own environment failed under it (the sandbox
# stopped or broke, or the machine's memory ran out); over_budget: the MB of the submission's
# own budget where the OOM killer took one of its processes for going over it, else None.
Run = namedtuple("Run", "records payloads fault over_budget")
# What a started sandbox said of its isolation: mode ("sealed" or "reduced"); part_uid, the uid
# its parts run as (None: the sandbox's own); as_root (reduced, as root): why its parts could not
# drop to that uid; private_ipc; landlock: the ABI of the walls around each reduced part, 0 for none.
Facts = namedtuple("Facts", "mode part_uid as_root private_ipc landlock")
_CHOSEN = {}  # device -> the mode "auto" chose at this process's first start ("sealed" or "reduced")


class Refused(Exception):
    """The sandbox will not run submissions here (Pool.refuses says why)."""


class Pool:
    """mode: "auto" (sealed where possible, else reduced), "sealed" (fail if not possible)
    or "reduced". A sealed pool is reused from one submission to the next: nothing in it
    is writable, and each submission gets namespaces of its own. A reduced pool is
    started afresh for every submission."""

    def __init__(self, answers, code, device="cpu", threads=None, mode="auto", hidden=(), cpus=None, trust=False):
        self.answers, self.code, self.device = answers, code, str(device)
        self.trust = trust  # grade even where the reduced mode cannot keep a submission from the grader (refuses)
        self.threads = threads or usable_threads()  # the CPUs a container's quota allows, not the host's
        self.mode, self.hidden = mode, list(hidden)
        self.memory = Memory(list(cpus) if cpus else None)
        self.memory_mb = DEFAULT.memory_mb  # what the parts of the next sandbox may allocate
        self.sandbox = None  # the running sandbox, if any
        self.reason = None  # why the mode is reduced, where it is
        self.facts = Facts(None, None, None, None, 0)  # what the last sandbox said of its isolation
        self.tenancy = None  # the running sandbox's uid, and what it must leave (reduced.py)

    def start(self):
        """Start the sandbox: sealed if the mode and the machine allow it. "auto" chooses once
        per process, at its first start: once a sealed sandbox has started here, a later one
        that fails to start is the grader's failure (retried, then reported), never a reason
        to grade the next submission with less isolation."""
        mode = self.mode if self.mode != "auto" else _CHOSEN.get(self.device, "auto")
        if mode != "reduced":
            problem, bwrap = "bubblewrap (bwrap) is not installed", find_bwrap()
            if bwrap is not None:
                try:
                    return self._launch(bwrap) or _CHOSEN.setdefault(self.device, "sealed")
                except (SandboxError, OSError) as err:
                    problem = f"bubblewrap could not start the sandbox: {err}"
            if mode == "sealed":
                raise SandboxError(problem + ("" if self.mode == "sealed" else
                                              " (it started sealed before here: no silent downgrade)"))
            self.reason = problem
            _CHOSEN.setdefault(self.device, "reduced")
        self._launch(None)

    def _launch(self, bwrap):
        """Start a sandbox: sealed by `bwrap`, or reduced where it is None."""
        try:
            self.tenancy = reduced.Tenancy(bwrap is not None, self.hidden, python_dirs())
        except RuntimeError as err:
            raise SandboxError(str(err))
        self.memory.open(self.memory_mb)
        exchange = Exchange()
        requests, results = exchange.sandbox_ends()
        spec = {"uid": self.tenancy.uid, "requests": requests, "results": results,
                "warm": warm()}  # tight memory: the zygote imports less (see inside/zygote.py)
        try:
            command = Command(self.answers, self.code, bwrap, self.device, self.threads, self.hidden, spec)
            self.sandbox = Sandbox(command, exchange, self.memory.enter)
        except BaseException:
            exchange.close()
            self.close()
            raise
        hello = self.sandbox.hello
        if hello.get("problem"):
            self.close()
            raise SandboxError(f"a submission's namespaces cannot be made here ({hello['problem']})")
        self.facts = Facts("sealed" if bwrap else "reduced", hello.get("part_uid"), hello.get("as_root"),
                           hello.get("private_ipc"), hello.get("landlock") or 0)

    def refuses(self):
        """Why this sandbox will not run a submission, or None (known once it has started): where
        the reduced mode cannot keep a submission from the grader's files, the answers and other
        jobs, its parts running as root or as the grader's own user (a grader that is not root).
        Then nothing is graded, unless the instructor trusts the submissions (trust)."""
        if self.trust or self.sandbox is None or self.facts.mode != "reduced" or self.facts.part_uid is not None:
            return None
        return reduced.refusal(self.reason, self.facts.as_root)

    def close(self):
        """Stop the sandbox and everything in it, and delete its files."""
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
        if self.tenancy is not None:
            self.tenancy.end(self.facts.part_uid)
            self.tenancy = None
        self.memory.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def describe(self):
        """How the pool isolated the code, for the report."""
        facts, memory = self.facts, self.memory
        return {"mode": facts.mode, "reason": self.reason, "uid": facts.part_uid, "as_root": facts.as_root,
                "private_ipc": facts.private_ipc, "landlock": facts.landlock, "cgroup": memory.ever,
                "cgroup_reason": memory.reason, "cgroup_peak_mb": memory.peak_mb()}

    def run(self, source, lanes, limits, weights=None, skip_calls=False):
        """Run one submission (gan.py's `source`; `weights`: None, or what gives the trained generator's file):
        its import, then its parts, in `lanes` (lists of parts) that run side by side, each in
        namespaces of its own. Returns a Run; raises Refused where the pool will not run it."""
        kills, container_kills = self.memory.oom_kills(), oom_kills()
        self.memory_mb = limits.memory_mb
        try:
            if self.sandbox is None or self.facts.mode == "reduced" and self.sandbox.exchange.count:
                self.close()
                self.start()
        except SandboxError as err:  # a fresh sandbox did not start
            self.close()
            return Run({}, {}, f"the grading sandbox did not start: {err}", None)
        why = self.refuses()  # before any of the submission's code runs
        if why:
            raise Refused(why)
        lanes = [list(lane) for lane in lanes if lane]
        request = {**limits._asdict(), "skip_calls": skip_calls,
                   "device": self.device, "threads": max(1, self.threads // len(lanes))}
        # the longest lane's parts ("trained" runs twice: its samples, then their scores)
        seconds = limits.seconds(max(len(lane) + lane.count("trained") for lane in lanes))
        records, payloads, problem = self.sandbox.exchange.grade(source, lanes, request, seconds, weights)
        if problem:
            self.close()  # the next submission gets a new sandbox
        return _run(records, payloads, problem, *self.memory.fault(kills, container_kills, limits.memory_mb))


def _run(records, payloads, problem, verdict, over):
    """The Run of a submission: what the exchange got and said, read with what the memory
    verdict says (Memory.fault): the submission's own fault is not the grader's."""
    if verdict == "over":  # its own budget ran out: its fault (if its sandbox went with it, it is closed)
        return Run(records, payloads, None, over)
    if problem and not problem.startswith("the submission did not finish"):
        return Run(records, payloads, problem, None)
    if verdict == "machine":  # the container's memory ran out
        return Run(records, payloads, "the machine ran out of memory and the kernel stopped a grading process", None)
    return Run(records, payloads, None, None)
