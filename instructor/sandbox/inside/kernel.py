"""The kernel calls Python's os module lacks (before 3.12), through the C library: namespaces,
mounts, capabilities, uids, and the process-level settings a sandbox makes."""
import ctypes
import os
import resource
import sys

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
