"""The reduced mode's own measures, for where bubblewrap cannot seal a sandbox.

As root, a reduced-mode sandbox's parts run as a uid of their own for each job
(claim_uid): the sandbox user's for the first, then uids no account has, so one
job's code cannot signal another's. Before any of its code runs, the grader's
files, the answer files and the other submissions are made unreadable to that
uid (protect), and given back their modes once its last sandbox has ended
(unprotect); after each submission every process of that uid is killed and what it
left in /tmp, /var/tmp, /dev/shm and SysV IPC is removed (sweep). The
Landlock walls around each part are set inside the sandbox (inside/landlock.py's
confine), from the folders pool.py lists.
"""
import atexit
import os
import pwd
import shutil
import subprocess
import threading
import time

from instructor.sandbox.paths import inside

SANDBOX_USER = "gan-sandbox"  # created by the Gradescope setup.sh; 'nobody' (65534) where missing

JOB_UIDS = 0x60000000  # where the uids of further jobs start: far above any account's
_CLAIMED = set()
_CLAIM_LOCK = threading.Lock()


def claim_uid():
    """A uid for one sandbox's parts that no other sandbox of this process uses: the
    sandbox user's for the first, then uids no account has (one range per grader
    process, so two graders on one machine do not share them either); None when all
    of them are taken."""
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
    return None


def release_uid(uid):
    """Give back a uid claim_uid handed out, for the next sandbox."""
    with _CLAIM_LOCK:
        _CLAIMED.discard(uid)


# top path -> [sandboxes holding it, {file: its mode before}]: what protect() changed, to give back
_PROTECTED = {}
_PROTECT_LOCK = threading.Lock()


def protect(paths, keep=()):
    """Make every file under `paths` readable by its owner only (mode & ~0o077), leaving
    folders passable and what lies in `keep` (the Python environment) alone: the reduced
    mode's parts, running as a uid of their own, can then open none of them. Returns the
    paths it now holds, for unprotect(), which gives every mode back once the last sandbox
    holding a path has ended: a grading leaves the user's files as it found them."""
    held = []
    with _PROTECT_LOCK:  # batch starts its jobs' sandboxes from threads
        for top in paths:
            top = os.path.abspath(top)
            if top in _PROTECTED:
                _PROTECTED[top][0] += 1
                held.append(top)
                continue
            if not os.path.exists(top):
                continue
            _PROTECTED[top] = [1, _lock_up(top, keep)]
            held.append(top)
    return held


def _lock_up(top, keep):
    """{file: mode before} of the files under `top` whose group and other bits it cleared."""
    # A Python environment inside the folder stays readable; one the folder lies inside (a grader
    # installed in the environment's own folder) does not make the folder readable.
    inner = [k for k in keep if not inside(top, k)]
    walk = [(os.path.dirname(top), [], [os.path.basename(top)])] if os.path.isfile(top) else os.walk(top)
    changed = {}
    for base, dirs, files in walk:
        dirs[:] = [d for d in dirs if not any(inside(os.path.join(base, d), k) for k in inner)]
        for name in files:
            path = os.path.join(base, name)
            try:
                st = os.lstat(path)
                if not os.path.islink(path) and st.st_mode & 0o077:
                    os.chmod(path, st.st_mode & ~0o077)
                    changed[path] = st.st_mode & 0o7777
            except OSError:
                pass
    return changed


def unprotect(held):
    """Give back what protect() took for `held` once no sandbox holds it any more: each file's
    mode as it was, unless someone changed it since (then theirs stays)."""
    with _PROTECT_LOCK:
        for top in held:
            entry = _PROTECTED.get(top)
            if entry is None:
                continue
            entry[0] -= 1
            if entry[0] > 0:
                continue
            del _PROTECTED[top]
            for path, mode in entry[1].items():
                try:
                    if os.lstat(path).st_mode & 0o7777 == mode & ~0o077:
                        os.chmod(path, mode)
                except OSError:
                    pass


@atexit.register
def _give_everything_back():
    """Should a grader stop with sandboxes still holding paths (an error, Ctrl-C), their modes
    go back as it exits."""
    unprotect([top for top, entry in list(_PROTECTED.items()) for _ in range(entry[0])])


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
    `before` (snapshot) that nothing holds and whose creator is gone."""
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


def snapshot(uid):
    """What sweep must leave where parts run as the grader's own user: the IPC objects there are."""
    return set(_ipc_objects()) if uid in (None, os.geteuid()) else set()


def refusal(reason, as_root):
    """Why a reduced-mode sandbox whose parts would not run as a uid of their own grades
    nothing: as root (as_root says why they could not drop to that uid) or as the
    grader's own user; `reason` is why the mode is reduced."""
    if as_root:
        who = ("its parts would run as root, since the sandbox user cannot read the Python environment "
               f"({' '.join(str(as_root).split())[:160]}): install Python where that user can read it "
               "(not under /root), or let it pass through (chmod o+x /root)")
    else:
        who = ("its parts would run as the grader's own user, who owns the grader's files: run the grader as "
               "root, which gives each job a uid of its own")
    return (f"the sandbox runs in the reduced mode ({reason or 'asked for'}), and {who}; or "
            "install bubblewrap where user namespaces are allowed, for the sealed mode; or pass "
            "--trust-submissions to grade code you trust this way")


class Tenancy:
    """What one sandbox holds of the machine, as seen from here: as root, a uid of its own
    (sealed: the uid its parts drop to inside their namespaces; reduced: the uid they run
    as); reduced, the grader's files made unreadable to it first and a note of the IPC
    objects there were. end() sweeps what its parts left and gives the uid back."""

    def __init__(self, sealed, hidden, python):
        self.uid, self.before, self.protected = None, None, []
        if os.geteuid() == 0:
            self.uid = claim_uid()
            if self.uid is None:
                raise RuntimeError("more than 64 sandboxes at once in one grader")
        if not sealed:
            if os.geteuid() == 0:  # before any of its code runs: nothing of the grader's is readable to its uid
                self.protected = protect(hidden, keep=python)
            self.before = snapshot(self.uid)

    def end(self, part_uid):
        """After the sandbox is gone: kill what part_uid (the uid its parts ran as) still runs,
        remove what it left (reduced), and release the uid."""
        if self.before is not None:
            sweep(part_uid, self.before)  # first: no process of its parts is left to read what is given back
            self.before = None
        unprotect(self.protected)
        self.protected = []
        if self.uid is not None:
            release_uid(self.uid)
            self.uid = None
