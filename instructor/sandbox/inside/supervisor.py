"""One submission's process, PID 1 of its namespaces when sealed: it runs the import and
the parts one by one, each in a process of its own, and kills what a part leaves behind."""
import gc
import importlib
import importlib.util
import json
import os
import select
import signal
import struct
import sys
import time
import traceback

from .frames import OUTPUT_KEEP, PAYLOAD_LIMIT, SOURCE_LIMIT, send
from .kernel import (CLONE_NEWIPC, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, _children, _drop_capabilities, _prctl,
                     _unshare, private_mounts)
from .part import Part

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
        self.skip = ()  # the indexes of gan.py's statements its import left out: the parts never run them

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
            for phase in phase_order(self.request["groups"]):
                limit = self.request["import_timeout" if phase == "import" else "part_timeout"]
                record, payload = self.run_part(phase, gan_path, limit)
                if phase == "import":
                    self.skip = left_out_of(payload)
                if phase == "trained":
                    self.weights = b""  # scored: the parts after it run without this process's copy
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
        from autograder.imports import top_level_imports

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


def phase_order(groups):
    """The phases of a request in the order they run: the import, then the trained generator's
    scoring, the only one that reads its weights (27 MB, let go of once it has run, before the
    training smoke test: Gradescope's 768 MB), then the other parts in the order asked."""
    return ["import"] + [g for g in groups if g == "trained"] + [g for g in groups if g != "trained"]


def left_out_of(payload):
    """The indexes of the statements the import phase left out, from what it sent (a frame of
    JSON, which a part running student code wrote: read strictly; nothing usable is none)."""
    try:
        said = json.loads(payload)
        skipped = said.get("skipped", []) if isinstance(said, dict) else []
    except (ValueError, RecursionError):
        return ()
    ok = isinstance(skipped, list) and len(skipped) <= 10_000 and all(type(i) is int for i in skipped)
    return frozenset(skipped) if ok else ()


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
