"""The inside of the grading sandbox: runs students' gan.py, one part at a time.

The grader (instructor/sandbox/pool.py) starts this file as the only program of a
bubblewrap sandbox that holds the Python environment, this file, the producing
half of the checks and the check inputs, all read-only: no answer file, no
grader folder, no other submission, nothing writable. It imports torch once and
then serves one submission at a time, read from its request pipe:

  zygote: this process; it never runs student code
  └─ submission: as root, first an unprivileged uid; then its own user, PID,
     mount, IPC, network and UTS namespaces
     └─ supervisor, PID 1 of the submission: fresh tmpfs on /tmp, /dev/shm and
        /submission (gan.py, read-only), then no capabilities at all; loads the
        libraries gan.py's top level imports, once (Supervisor.preload)
        └─ part (the import, then each part): resource limits, import gan.py,
           tests.produce.produce(), the plain data written to a pipe. When it
           ends, every other process of the submission is killed.

Results climb a chain of pipes that student code cannot reach: part ->
supervisor -> zygote -> grader, as frames (a 4-byte length, then bytes). The
grader checks every byte against a strict schema (instructor/grader/schema.py) before
it judges anything. Without bubblewrap (the reduced mode) the same code runs
with no namespaces: each part in its own session, behind Landlock walls where
the kernel has them (confine), the supervisor a subreaper that kills whatever a
part leaves behind.

Forking after torch is imported saves its start-up (about two seconds) for each
submission and each part. CUDA is never touched here, so each part can
initialise it itself.
"""
import base64
import ctypes
import gc
import importlib
import importlib.util
import json
import math
import os
import resource
import select
import signal
import struct
import sys
import time
import traceback

HEADER_LIMIT = 1 << 20  # bytes of a frame's header
PAYLOAD_LIMIT = 16 << 20  # bytes of a part's result
OUTPUT_KEEP = 4000  # bytes of a part's output kept for the report
SOURCE_LIMIT = 1 << 20  # bytes of gan.py

# -----------------------------------------------------------------------------
# Frames: what crosses a pipe. Shared with the grader.


class FrameError(Exception):
    """A pipe carried something that is not a well-formed frame."""


def write_frame(fd, data, *more):
    """One frame: the length, then `data` and `more` (pieces of one payload, written as they
    are: a large payload is never copied to be framed)."""
    pieces = [struct.pack(">I", len(data) + sum(len(m) for m in more)), data, *more]
    for piece in pieces:
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view):]


def send(fd, header, payload=b"", *more):
    """A message: its header (a JSON object) as one frame, then its payload (payload and more,
    one after the other) as another."""
    write_frame(fd, json.dumps(header).encode())
    write_frame(fd, payload, *more)


class FrameReader:
    """Reads messages (see send) from a pipe, never more than a limit of bytes a frame."""

    def __init__(self, fd):
        self.fd, self.buffer, self.eof, self.header = fd, bytearray(), False, None

    def feed(self):
        """Read what the pipe holds (after select says it is readable); False at its end."""
        chunk = os.read(self.fd, 1 << 20)
        self.buffer.extend(chunk)
        self.eof = not chunk
        return bool(chunk)

    def _frame(self, limit):
        if len(self.buffer) < 4:
            return None
        (n,) = struct.unpack(">I", self.buffer[:4])
        if n > limit:
            raise FrameError(f"a frame of {n:,} bytes, more than the {limit:,} allowed")
        if len(self.buffer) < 4 + n:
            return None
        data = bytes(memoryview(self.buffer)[4:4 + n])
        self.buffer = self.buffer[4 + n:]  # a new buffer: a large frame's memory goes with the old one
        return data

    def ready(self, payload_limit=None):
        """The next message if all of it has arrived, else None."""
        if self.header is None:
            header = self._frame(HEADER_LIMIT)
            if header is None:
                return None
            try:
                self.header = json.loads(header)
            except ValueError as err:
                raise FrameError(f"a header that is not JSON ({err})") from None
            if not isinstance(self.header, dict):
                raise FrameError("a header that is not a JSON object")
        payload = self._frame(payload_limit or PAYLOAD_LIMIT)
        if payload is None:
            return None
        header, self.header = self.header, None
        return header, payload

    def message(self, deadline=None, payload_limit=None):
        """The next message, waiting for it until `deadline` (time.monotonic());
        None at a clean end of the pipe."""
        while True:
            message = self.ready(payload_limit)
            if message is not None:
                return message
            if self.eof:
                if self.buffer or self.header is not None:
                    raise FrameError("the pipe ended inside a message")
                return None
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and (wait <= 0 or not select.select([self.fd], [], [], wait)[0]):
                raise TimeoutError
            self.feed()


# -----------------------------------------------------------------------------
# Plain data -> JSON. The grader's instructor/grader/schema.py reads it back, strictly.


def encode(value):
    """Numpy arrays become {"__ndarray__": base64 of float64 bytes, "shape": [...]};
    infinities and NaN become {"__float__": "inf" | "-inf" | "nan"}."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value, dtype="<f8")
        return {"__ndarray__": base64.b64encode(data.tobytes()).decode(), "shape": list(value.shape)}
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": "nan" if value != value else ("inf" if value > 0 else "-inf")}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)[:200]


# -----------------------------------------------------------------------------
# The kernel calls Python's os module lacks (before 3.12), through the C library

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 4, 24, 28
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 36, 38, 47
# SECBIT_NOROOT (and its lock): uid 0 gains no capabilities by exec; no ambient raise (and lock).
SECUREBITS = (1 << 0) | (1 << 1) | (1 << 6) | (1 << 7)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _prctl(option, arg=0):
    return _libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


def _unshare(flags):
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _mount(source, target, fstype, flags, options=None):
    enc = lambda s: s.encode() if s is not None else None
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(options)),
           f"mount {target}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities():
    """No capabilities now, none to gain by exec later, no way back."""
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    for cap in range(64):
        if _prctl(PR_CAPBSET_DROP, cap) != 0:
            break  # past the kernel's last capability
    _check(_prctl(PR_SET_SECUREBITS, SECUREBITS), "securebits")
    _prctl(PR_CAP_AMBIENT, 4)  # PR_CAP_AMBIENT_CLEAR_ALL
    _check(_libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "capset")


def _close_fds(keep):
    """Close every file descriptor above 2 except those in `keep`."""
    top = max(256, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, top)


# No namespaces for students' code: a seccomp filter. Each namespace a process makes
# counts against a limit per user of the whole machine (user.max_*_namespaces), which a
# submission could otherwise spend, so that the next submission's sandbox cannot be made.

class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


# (audit architecture, {syscall: number}) of the machines the grader runs on
SYSCALLS = {"x86_64": (0xC000003E, {"unshare": 272, "clone": 56, "setns": 308, "clone3": 435}),
            "aarch64": (0xC00000B7, {"unshare": 97, "clone": 220, "setns": 268, "clone3": 435})}
CLONE_NEW_ANY = 0x7E020080  # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000


def forbid_namespaces():
    """From now on, for this process and all it starts: unshare() and clone() that ask for
    a new namespace, and setns(), fail with EPERM; clone3() fails with ENOSYS, so that the
    C library falls back to clone(), whose flags a filter can read. Needs no_new_privs.
    Returns False (and changes nothing) on a machine the table above does not cover."""
    import platform

    if platform.machine() not in SYSCALLS:
        return False
    arch, nr = SYSCALLS[platform.machine()]
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    program = [  # (op, jump if true, jump if false, k): jumps count the instructions skipped
        (ld, 0, 0, 4),                       # 0: the architecture
        (jeq, 0, 8, arch),                   # 1: another one: allow (-> 10)
        (ld, 0, 0, 0),                       # 2: the system call's number
        (jge, 8, 0, 0x40000000),             # 3: x32 numbers, which would slip past the table: -> 12, EPERM
        (jeq, 8, 0, nr["clone3"]),           # 4: -> 13, ENOSYS
        (jeq, 6, 0, nr["setns"]),            # 5: -> 12, EPERM
        (jeq, 1, 0, nr["unshare"]),          # 6: -> 8, check the flags
        (jeq, 0, 2, nr["clone"]),            # 7: -> 8, check the flags; else -> 10, allow
        (ld, 0, 0, 16),                      # 8: the first argument's low 32 bits: the flags
        (jset, 1, 0, CLONE_NEW_ANY),         # 9: a new namespace asked for: -> 11, EPERM
        (ret, 0, 0, RET_ALLOW),              # 10
        (ret, 0, 0, RET_ERRNO | 1),          # 11: EPERM
        (ret, 0, 0, RET_ERRNO | 1),          # 12: EPERM
        (ret, 0, 0, RET_ERRNO | 38),         # 13: ENOSYS
    ]
    filters = (_SockFilter * len(program))(*[_SockFilter(*op) for op in program])
    prog = _SockFprog(len(program), filters)
    _check(_libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(prog),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)), "seccomp")
    return True


# The reduced mode's walls: Landlock (Linux 5.13 and later), which any process may put up
# around itself and everything it starts, with no namespace and no privilege. A part may then
# open only what it needs (the Python environment, the system's libraries, its own folder),
# whatever the file modes say, and, from Landlock's ABI 6 on, signal no process outside it.

LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446  # on every architecture
LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_CREATE_RULESET_VERSION = 1, 1
LL_READ = 1 | 4 | 8  # execute, read a file, read a folder
LL_FILE = 1 | 2 | 4 | (1 << 14)  # the rights a rule on a single file may name: execute, write, read, truncate
LL_SCOPE = 1 | 2  # ABI 6: abstract Unix sockets and signals reach no process outside the domain


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall(number, *args):
    _libc.syscall.restype = ctypes.c_long
    return _libc.syscall(ctypes.c_long(number), *args)


def landlock_abi():
    """The kernel's Landlock ABI version; 0 where there is none (an old kernel, or Landlock off)."""
    abi = _syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(0, abi)


def confine(readable, writable):
    """From now on this process and all it starts may open files only under `readable`
    (to read and run them) and `writable` (anything); from ABI 6 on they may also signal
    no process outside. Needs no_new_privs (or root). Returns the ABI version used; raises
    OSError where Landlock is missing or refuses."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError(38, "Landlock is not available in this kernel")
    handled = (1 << 13) - 1 | (1 << 13 if abi >= 2 else 0) | (1 << 14 if abi >= 3 else 0)
    attr = _RulesetAttr(handled, 0, LL_SCOPE if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock_create_ruleset: {os.strerror(err)}")
    try:
        for paths, access in ((readable, LL_READ), (writable, handled)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue  # not on this machine
                try:
                    allowed = access if os.path.isdir(path) else access & LL_FILE
                    rule = _PathBeneath(allowed, fd)
                    _check(_syscall(LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                                    ctypes.byref(rule), ctypes.c_uint32(0)), f"landlock_add_rule {path}")
                finally:
                    os.close(fd)
        _check(_syscall(LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


# -----------------------------------------------------------------------------
# A submission: namespaces, then the supervisor


def _become(uid):
    """Drop from root to `uid`, for good."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _can_read_python():
    """Raise unless this process can read the Python environment (imports are lazy)."""
    for path in [os.path.dirname(os.__file__)] + [p for p in sys.path if os.path.isdir(p)]:
        os.listdir(path)


def enter_namespaces(uid):
    """Become the sandbox user (as root), then the root of fresh user, PID, mount, IPC,
    network and UTS namespaces that map to nothing but that user."""
    if os.getuid() == 0:
        _become(uid)
    # The zygote is not dumpable, and a uid change makes a process undumpable too, which
    # gives its /proc/self to root; writing the maps below needs it ours, briefly.
    _prctl(PR_SET_DUMPABLE, 1)
    euid, egid = os.geteuid(), os.getegid()
    _unshare(CLONE_NEWUSER)
    for name, text in (("uid_map", f"0 {euid} 1"), ("setgroups", "deny"), ("gid_map", f"0 {egid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    _unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS)


def private_mounts(source, keep=()):
    """In the submission's own mount namespace: fresh, size-limited tmpfs on /tmp and
    /dev/shm, gan.py alone on a read-only /submission, and a /proc of its own PIDs.
    `keep`: (path, held copy) of read-only folders under /tmp to bind back into the new /tmp."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=128m,nr_inodes=16384,mode=1777")
    for path, held in keep:  # a bind of a read-only mount stays read-only
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(held, path, None, MS_BIND | MS_REC)
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,nr_inodes=1024,mode=1777")
    _mount("tmpfs", "/submission", "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=16,mode=755")
    with open("/submission/gan.py", "wb") as f:
        f.write(source)
    _mount(None, "/submission", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    try:  # refused where the sandbox's own /proc has covered parts (as bubblewrap run by root does)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:
        pass  # the sandbox's /proc stays: it shows no process outside the sandbox
    os.chdir("/tmp")  # the new tmpfs, not the read-only folder beneath it
    return "/submission/gan.py"


def _oom_score(score):
    """This process's oom_score_adj (who the OOM killer takes first); raising it needs no privilege.
    (instructor/sandbox/limits.py's oom_order, which the sandbox's copy of the code cannot import.)"""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(score))
    except OSError:
        pass


def warm_optimizer():
    """Create (and drop) one torch optimizer: the first one imports torch._dynamo."""
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def _in_child(fn):
    """None if fn() runs in a child process, else why it failed."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            fn()
            os._exit(0)
        except BaseException as err:
            os.write(w, str(err).encode()[:500])
            os._exit(1)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        problem = f.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    return None if status == 0 else (problem or f"exit status {status}")


def read_code_files(code):
    """What the zygote reads of the code folder while it still can (the parts' uid may not):
    the trained generator's scorer, as (the classifier's weights, the test set's statistics,
    the training set's thumbnails),
    and the assignment's own gan.py, blocks emptied (None where there is none). The
    classifier module is built in the part that scores: building it here would start torch's
    thread pool, which does not survive a fork."""
    import quality

    scorer = (quality.classifier_weights(), quality.reference_stats(), quality.train_thumbs())
    provided = os.path.join(code, "provided_gan.py")
    if not os.path.exists(provided):
        return scorer, None
    with open(provided, "rb") as f:
        return scorer, f.read()


class Zygote:
    """The sandbox's long-lived process: holds torch, the checks and the inputs."""

    def __init__(self, spec):
        self.spec = spec
        self.sealed = spec["sealed"]
        _oom_score(0)  # below the grader's -900: out of memory, the kernel takes the parts (1000) first
        sys.path.insert(0, spec["code"])
        import torch
        from tests import produce

        self.produce = produce
        # Creating an optimizer imports torch._dynamo (a second, and about 80 MB): once, here,
        # where memory allows; where it is tight, in the parts that need it, before their limits.
        self.warm = spec.get("warm", True)
        if self.warm:
            warm_optimizer()
        from tests.checks import TRAINED_LIMIT, load_answers

        self.inputs = load_answers(spec["inputs"])
        self.scorer, self.provided_source = read_code_files(spec["code"])
        self.request_limit = SOURCE_LIMIT + TRAINED_LIMIT  # gan.py, and the trained generator's weights
        _prctl(PR_SET_DUMPABLE, 0)  # no process of the same user may read our memory or descriptors
        gc.freeze()  # the forked parts' garbage collector then never writes to (and copies) our objects

    def selftest(self):
        """None if a submission's namespaces can be made here, else why not. In the
        reduced mode as root: whether parts can run as the sandbox uid, which keeps
        root-only files (the grader's answer file) out of their reach."""
        self.part_uid, self.as_root, self.private_ipc, self.landlock = None, None, False, 0
        if self.sealed:
            return _in_child(lambda: enter_namespaces(self.spec["uid"]))
        if _in_child(lambda: _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs") or self.confine()) is None:
            self.landlock = landlock_abi()
        if os.getuid() == 0:
            self.as_root = _in_child(lambda: _become(self.spec["uid"]) or _can_read_python())
            if self.as_root is None:
                self.part_uid = self.spec["uid"]
            # SysV IPC of its own: what a submission makes there dies with it (root, with CAP_SYS_ADMIN)
            self.private_ipc = _in_child(lambda: _unshare(CLONE_NEWIPC)) is None
        return None

    def confine(self):
        """The reduced mode's Landlock walls around a part (see confine): it reads the Python
        environment, the system's files and the sandbox's code and inputs; it writes its own
        folder (the working folder: HOME and TMPDIR), /dev/shm, /dev/null and, grading on a
        GPU, the GPU's device nodes."""
        return confine(self.spec.get("readable", []) + [os.path.dirname(self.spec["code"])],
                       [os.getcwd(), "/dev/shm", "/dev/null"] + self.spec.get("devices", []))

    def serve(self, requests, results):
        """Grade the submissions the grader sends, several at once if it sends several
        (the lanes of one submission), until it closes the request pipe."""
        problem = self.selftest()
        send(results, {"ready": True, "sealed": self.sealed, "problem": problem, "part_uid": self.part_uid,
                       "as_root": self.as_root, "private_ipc": self.private_ipc, "landlock": self.landlock})
        incoming = FrameReader(requests)
        running = {}  # a supervisor's pipe -> (request id, submission pid, its reader)
        while not incoming.eof or running:
            watched = ([requests] if not incoming.eof else []) + list(running)
            for fd in select.select(watched, [], [])[0]:
                if fd == requests:
                    incoming.feed()
                    while (started := self.start(incoming)) is not None:
                        r, pid, rid = started
                        running[r] = (rid, pid, FrameReader(r))
                    continue
                rid, pid, reader = running[fd]
                try:
                    alive = reader.feed()
                    while (message := reader.ready()) is not None:  # whole messages only
                        header, payload = message
                        send(results, dict(header, id=rid), payload)
                except FrameError:
                    alive = False
                if not alive:  # the submission is over (or its supervisor broke): say so
                    os.close(fd)
                    os.waitpid(pid, 0)
                    del running[fd]
                    send(results, {"done": rid, "id": rid})

    def start(self, incoming):
        """Fork the submission of the next request that has arrived whole, if one has; returns
        the pipe its supervisor reports on, its pid and the request's id. The request's payload
        (gan.py, and the trained generator's weights) is held by no frame but this one, which
        lets go of it in both processes: each keeps one copy at most, however large."""
        message = incoming.ready(self.request_limit)
        if message is None:
            return None
        request, payload = message
        del message
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(r)
                _close_fds({w})
                if self.sealed:
                    enter_namespaces(self.spec["uid"])
                supervisor = os.fork()  # PID 1 of the new PID namespace when sealed
                if supervisor == 0:
                    child = Supervisor(self, request, payload, w)
                    del payload
                    child.run()
                del payload
                os.close(w)
                os.waitpid(supervisor, 0)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(w)
        return r, pid, request["id"]


class Supervisor:
    """One submission's process that runs its parts one by one and cleans up after each."""

    def __init__(self, zygote, request, payload, out):
        """payload: gan.py, then the trained generator's weights (request["weights"] bytes), which
        the part that scores them reads from this process's memory (a fork's copy): no file."""
        weights = max(0, min(int(request.get("weights") or 0), len(payload)))
        self.source, self.weights = payload[:len(payload) - weights][:SOURCE_LIMIT], payload[len(payload) - weights:]
        del payload  # one copy of the weights in this process, which the part reads without copying
        self.zygote, self.request, self.out = zygote, request, out
        self.sealed = zygote.sealed

    def run(self):
        code = 1
        try:
            if self.sealed:
                gan_path = private_mounts(self.source, self.zygote.spec.get("keep", []))
                _drop_capabilities()
            else:
                if self.zygote.private_ipc:
                    _unshare(CLONE_NEWIPC)
                folder = f"submission-{os.getpid()}"  # one per lane: two lanes never share the file
                os.makedirs(folder, mode=0o755)
                gan_path = os.path.abspath(os.path.join(folder, "gan.py"))
                with open(gan_path, "wb") as f:
                    f.write(self.source)
                _prctl(PR_SET_CHILD_SUBREAPER, 1)  # whatever a part leaves behind is reparented to us
            _prctl(PR_SET_DUMPABLE, 0)
            self.preload(gan_path)
            for phase in ["import"] + list(self.request["groups"]):
                limit = self.request["import_timeout" if phase == "import" else "part_timeout"]
                record, payload = self.run_part(phase, gan_path, limit)
                if phase == "trained" and payload:  # its samples, scored where no student code runs
                    self.samples = payload
                    scored, payload = self.run_part("score", gan_path, limit)
                    record = record if scored["exit_code"] == 0 and payload else scored
                send(self.out, {"phase": phase, "record": record}, payload)
                if phase == "import" and record["exit_code"] != 0:
                    break  # the grader reports the import's failure for every part
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def preload(self, gan_path):
        """Load, here and once, the modules of the Python environment that gan.py's top
        level imports (torchvision, matplotlib.pyplot, ...), so that every part, forked from
        this process, finds them loaded and pays only for the student's own module. Each
        part is still a fresh process: what it changes stays in its own copy.

        Only library code runs here, named by the student's import statements, never the
        student's code; and only where this process has no privilege its parts lack (sealed,
        or not root: the reduced mode as root keeps today's path). A trial part imports the
        modules first, under a part's limits; what fails there, or leaves a thread or an open
        file behind (neither survives a fork), and everything after it, is left to the parts
        to import as before. Nothing of this reaches the report."""
        if not self.sealed and os.geteuid() == 0:  # the reduced mode as root: this process is root, its parts not
            return
        from tests.checks import top_level_imports

        code = os.path.abspath(self.zygote.spec["code"])
        self.ahead = [name for name in top_level_imports(self.source) if _from_environment(name, code)]
        if not self.ahead:
            return
        timeout = self.request["import_timeout"]
        record, payload = self.run_part("preload", gan_path, timeout)
        try:
            loaded = json.loads(payload)["loaded"] if record["exit_code"] == 0 else []
        except (ValueError, KeyError, TypeError):
            loaded = []
        loaded = [name for name in loaded if name in self.ahead] if isinstance(loaded, list) else []
        import_keeping_handlers(loaded, timeout)
        gc.freeze()  # as in the zygote: the parts' garbage collector leaves these objects alone

    def run_part(self, phase, gan_path, timeout):
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(out_r)
            os.close(res_r)
            Part(self, phase, gan_path, out_w, res_w, timeout).run()
        os.close(out_w)
        os.close(res_w)
        output, output_bytes, result, status, timed_out = _watch(pid, out_r, res_r, start, timeout)
        seconds = time.monotonic() - start
        kill_everything_but_me(self.sealed, pid)
        if status is None:
            _, status = os.waitpid(pid, 0)
        reap(self.sealed)
        os.close(out_r)
        os.close(res_r)
        record = {
            "seconds": round(seconds, 3),
            "timed_out": timed_out,
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "output": output.decode("utf-8", "replace"),
            "output_bytes": output_bytes,
        }
        payload = b""
        if len(result) >= 4:
            (n,) = struct.unpack(">I", result[:4])
            if n <= PAYLOAD_LIMIT and len(result) >= 4 + n:
                payload = bytes(result[4:4 + n])
            else:
                record["result_problem"] = "the result was cut short or larger than the grader accepts"
        return record, payload


def _watch(pid, out_r, res_r, start, timeout):
    """Read a part's output and result until it ends (and a moment more, for what it wrote
    last) or its time is up: (output kept, output bytes, result bytes, wait status or None,
    whether it timed out)."""
    output, output_bytes, result = b"", 0, bytearray()
    status, timed_out, drain_until = None, False, None
    fds = [out_r, res_r]
    while True:
        now = time.monotonic()
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status, drain_until = st, now + 0.5
        if status is None and now - start > timeout:
            timed_out = True
            break
        if status is not None and (not fds or now > drain_until):
            break  # the part is over; a process it left behind may hold the pipes open
        ready = select.select(fds, [], [], 0.02)[0] if fds else time.sleep(0.02) or []
        if status is not None and not ready:
            break
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                fds.remove(fd)
            elif fd == out_r:
                output_bytes += len(chunk)
                output += chunk[:max(0, OUTPUT_KEEP - len(output))]
            elif len(result) <= PAYLOAD_LIMIT + 4:
                result.extend(chunk)
    return output, output_bytes, result, status, timed_out


def kill_everything_but_me(sealed, part_pid):
    """After a part: kill every process the submission still runs (sealed: all of its PID
    namespace but this supervisor; reduced: the part's session and what was reparented here)."""
    if sealed:
        assert os.getpid() == 1  # kill(-1) from the init of our own PID namespace: the submission only
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return
    try:
        os.killpg(part_pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for _ in range(100):  # daemons that left the part's session were reparented to us
        children = _children(os.getpid())
        if not children:
            return
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        reap(sealed)


def reap(sealed):
    """Collect the exit statuses of this process's children that have ended (sealed: all)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG if not sealed else 0)
        except ChildProcessError:
            return
        if pid == 0:
            return


# Modules whose import acts on the world (a browser, a window, text on the screen): left to the parts.
NOT_AHEAD = {"antigravity", "this", "__hello__", "__phello__", "idlelib", "turtledemo", "turtle", "tkinter"}


def _from_environment(name, code):
    """Whether module `name` may be loaded ahead of the parts: not loaded yet, not one of
    NOT_AHEAD, and its top-level package found in the Python environment, not in the
    sandbox's own code folder. (The lookup of a top-level name runs none of its code.)"""
    top = name.partition(".")[0]
    if name in sys.modules or top in NOT_AHEAD or not top.isidentifier():
        return False
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    where = spec.origin if spec.has_location else None
    where = where or next(iter(spec.submodule_search_locations or []), None)
    return where is None or not os.path.abspath(where).startswith(code.rstrip("/") + "/")


def import_keeping_handlers(names, timeout):
    """Import `names` in order, stopping at the first that fails or at `timeout` seconds; the
    signal handlers stay this process's own (a library may set some as it loads; a supervisor
    needs its SIGCHLD's above all)."""
    handlers = {sig: signal.getsignal(sig) for sig in signal.valid_signals()
                if sig not in (signal.SIGKILL, signal.SIGSTOP)}
    signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(int(timeout) + 1)
    try:
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:
                break
    finally:
        signal.alarm(0)
        for sig, handler in handlers.items():
            if handler is not None and signal.getsignal(sig) != handler:
                signal.signal(sig, handler)


class _TooSlow(Exception):
    pass


def _too_slow(*_):
    raise _TooSlow


def _process_state():
    """(threads, open file descriptors) of this process: what a fork does not carry over intact."""
    return len(os.listdir("/proc/self/task")), sorted(os.listdir("/proc/self/fd"))


def trial_imports(names):
    """Import `names` in order; the ones that can be loaded ahead of a fork: those that
    import without an error and leave no thread and no open file behind, up to the first
    that does leave one (what comes after it was imported in a changed process)."""
    loaded, before = [], _process_state()
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException:  # `from a import b` where b is no module, a missing package, anything
            continue
        if _process_state() != before:
            break
        loaded.append(name)
    return loaded


def _children(pid):
    """PIDs of a process's children (Linux's /proc/PID/task/TID/children)."""
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return found


class Part:
    """The process that runs one part of a student's gan.py: the only one that does."""

    def __init__(self, supervisor, phase, gan_path, out_w, res_w, timeout):
        self.supervisor, self.phase, self.gan_path = supervisor, phase, gan_path
        self.out_w, self.res_w, self.timeout = out_w, res_w, timeout
        self.request = supervisor.request

    def limit(self):
        """Resource limits; the time limit is the supervisor's, the rest are the kernel's."""
        request = self.request
        threads = max(1, int(request.get("threads") or 1))
        # Should memory run out, the kernel takes student code first, not the grader. A process that is not
        # dumpable (as the supervisor left it, or a uid change made it) has /proc/self files that only root may
        # write: dumpable for as long as it takes to write its own score.
        _prctl(PR_SET_DUMPABLE, 1)
        _oom_score(1000)
        _prctl(PR_SET_DUMPABLE, 0)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = int(self.timeout * threads) + 5  # CPU seconds: a backstop behind the wall-clock limit
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
        if self.supervisor.sealed:  # counted per user namespace: this submission's processes and threads only
            resource.setrlimit(resource.RLIMIT_NPROC, (512, 512))
        if not self.supervisor.zygote.warm and self.phase in ("optimizer", "training"):
            warm_optimizer()  # the grader's import, not the student's: before the memory limit
        if request["memory_mb"] and request["device"] == "cpu":  # CUDA maps huge virtual ranges: no limit there
            with open("/proc/self/status") as f:
                vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
            limit = vm + request["memory_mb"] * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        import torch

        torch.set_num_threads(threads)

    def run(self):
        code = 1
        try:
            if not self.supervisor.sealed:
                os.setsid()  # one process group to kill when the part ends
                if self.supervisor.zygote.part_uid is not None:
                    _become(self.supervisor.zygote.part_uid)
            _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
            forbid_namespaces()
            if self.supervisor.zygote.landlock:
                self.supervisor.zygote.confine()
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(self.out_w, 1)
            os.dup2(self.out_w, 2)
            _close_fds({self.res_w})
            sys.stdout = open(1, "w", buffering=1, closefd=False, errors="backslashreplace")
            sys.stderr = sys.stdout
            self.limit()
            if self.phase == "preload":
                result = {"loaded": trial_imports(self.supervisor.ahead)}
            elif self.phase == "score":  # the trained generator's samples, which the part before made: no gan.py
                zygote = self.supervisor.zygote
                try:  # what a part running student code sent: anything at all
                    samples = json.loads(self.supervisor.samples)
                except (ValueError, RecursionError):
                    samples = None
                result = encode(zygote.produce.score_samples(samples, *zygote.scorer, weights=self.supervisor.weights))
            else:
                result = self.produce()
            write_frame(self.res_w, json.dumps(result).encode())
            code = 3 if self.phase == "import" and "__failure__" in result else 0
        except BaseException:
            try:
                traceback.print_exc()
            except BaseException:
                pass
        finally:
            os._exit(code)

    def produce(self):
        zygote = self.supervisor.zygote
        if self.request["device"] == "cpu":
            zygote.produce.MEMORY_LIMIT_MB = self.request["memory_mb"]  # for the message, should it run out
        before = _fingerprint()
        # As it is; where that raises, without its top-level statements that are not
        # definitions (tests.produce.import_student): the report names what was left out.
        module, left_out, failure = zygote.produce.import_student(self.gan_path)
        if module is None:
            return {"__failure__": failure}
        if _changed(before):  # its import already swapped a checking function
            return {"__failure__": f"gan.py changed the grader's checking code ({_changed(before)}); "
                                   "this part cannot be graded."}
        if self.phase == "import":
            return {"left_out": [{"line": n, "code": c} for n, c in left_out], "why": failure} if left_out else {}
        extra = {"provided": self.provided()} if self.phase == "training" else {}
        if self.phase == "trained":
            extra = {"weights": self.supervisor.weights}
        produced = zygote.produce.produce(self.phase, module, self.request["device"], zygote.inputs, **extra)
        if _changed(before):
            return {"__failure__": f"gan.py changed the grader's checking code ({_changed(before)}); "
                                   "this part cannot be graded."}
        return encode(produced)


    def provided(self):
        """The assignment's own gan.py, its blocks empty (the grader's copy), whose run_a_gan
        the training smoke test uses; None where the grader has none. The zygote read its
        source; it runs here, in the part, not in the zygote: its first lines ask torch about
        CUDA, which must not happen before a fork."""
        import types

        source = self.supervisor.zygote.provided_source
        if source is None:
            return None
        module = types.ModuleType("gan_provided")
        exec(compile(source, "provided_gan.py", "exec"), module.__dict__)
        return module


def _changed(before):
    """The first checking functions whose identity differs from `before`, or ''."""
    return ", ".join(sorted(name for name, mark in _fingerprint().items() if before.get(name) != mark)[:3])


def _fingerprint():
    """{name: identity} of every function and method of the checking code and of what
    carries its result. A part compares it before and after running student code: a
    tripwire for submissions that swap the checks' functions for their own. (Values
    can still be forged by a process that writes its own result; the checks are built
    so that a forged result must hold what only a correct implementation computes.)"""
    marks = {}
    for module_name in ("tests.produce", "tests.checks", __name__, "json", "json.encoder", "base64", "struct"):
        module = sys.modules.get(module_name)
        for name, value in list(vars(module).items()) if module else []:
            members = vars(value).items() if isinstance(value, type) else [("", value)]
            for member, obj in members:
                code = getattr(obj, "__code__", None)
                if callable(obj) or code is not None:
                    marks[f"{module_name}.{name}{'.' + member if member else ''}"] = (id(obj), id(code))
    return marks


def main():
    """python sandbox.py SPEC_JSON: the spec names the code folder, the inputs, the
    mode, the sandbox uid and the request and result descriptors."""
    spec = json.loads(sys.argv[1])
    Zygote(spec).serve(spec["requests"], spec["results"])


if __name__ == "__main__":
    main()
