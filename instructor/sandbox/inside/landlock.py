"""The reduced mode's walls: Landlock (Linux 5.13 and later), which any process may put up
around itself and everything it starts, with no namespace and no privilege. A part may then
open only what it needs (the Python environment, the system's libraries, its own folder),
whatever the file modes say, and, from Landlock's ABI 6 on, signal no process outside it."""
import ctypes
import os

from .kernel import _check, _libc

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
