"""No namespaces for students' code: a seccomp filter. Each namespace a process makes
counts against a limit per user of the whole machine (user.max_*_namespaces), which a
submission could otherwise spend, so that the next submission's sandbox cannot be made."""
import ctypes

from .kernel import _check, _libc

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
