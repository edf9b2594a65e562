"""What a sandbox may see of the machine: the system's folders and files, and the Python
environment's. bwrap.py binds them read-only into a sealed sandbox; the reduced mode's
Landlock walls (inside/landlock.py's confine) let its parts open them and nothing else."""
import os
import site
import sys

SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
SYSTEM_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime",
                "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"]
# What else a reduced-mode part may read behind its Landlock walls: its own processes' files, the
# device nodes (/dev/null, /dev/urandom) and the CPU layout that OpenMP reads.
REDUCED_READABLE = ["/proc", "/dev", "/sys/devices/system/cpu"]


def inside(path, folder):
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


