"""The process that runs one part of a student's gan.py: the only one that does. It drops
what it may, sets its limits, imports gan.py, runs the producers and writes their raw values
to its result pipe."""
import importlib
import json
import os
import resource
import sys
import traceback

from .frames import encode, write_frame
from .kernel import PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, _become, _check, _close_fds, _oom_score, _prctl
from .seccomp import forbid_namespaces


def warm_optimizer():
    """Create (and drop) one torch optimizer: the first one imports torch._dynamo."""
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


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
            elif self.phase == "trained":  # the trained generator's weights, sampled by the grader's network: no gan.py
                zygote = self.supervisor.zygote
                result = encode(zygote.trained.score(self.supervisor.weights, zygote.inputs, *zygote.scorer))
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
            zygote.produce.student.MEMORY_LIMIT_MB = self.request["memory_mb"]  # for the message, should it run out
        before = _fingerprint()
        # Statement by statement: at the import, a statement that fails is left out (and undone), and
        # the report names it; in the parts, what the import left out is never run, and a statement
        # that fails there fails the part (autograder.produce.importing).
        imported = zygote.produce.importing.import_student(
            self.gan_path, skip=self.supervisor.skip, strict=self.phase != "import",
            skip_calls=bool(self.request.get("skip_calls")))
        module, left_out, failure, skipped, changes = imported
        if module is None:
            return {"__failure__": failure}
        if _changed(before):  # its import already swapped a checking function
            return {"__failure__": f"gan.py changed the grader's checking code ({_changed(before)}); "
                                   "this part cannot be graded."}
        if self.phase == "import":
            said = {"left_out": [{"line": n, "code": c} for n, c in left_out], "why": failure or "",
                    "skipped": skipped} if left_out else {}
            return dict(said, changes=[{"line": n, "code": c, "what": w} for n, c, w in changes]) if changes else said
        extra = {"provided": self.provided()} if self.phase == "training" else {}
        produced = zygote.produce.produce(self.phase, module, self.request["device"], zygote.inputs, changes=changes,
                                          **extra)
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
    now = _fingerprint()
    return ", ".join(sorted(name for name, mark in before.items() if now.get(name) != mark)[:3])


def _fingerprint():
    """{name: identity} of every function and method of the checking code and of what
    carries its result. A part compares it before and after running student code: a
    tripwire for submissions that swap the checks' functions for their own. (Values
    can still be forged by a process that writes its own result; the checks are built
    so that a forged result must hold what only a correct implementation computes.)"""
    marks = {}
    own = sorted(name for name in sys.modules if name.startswith(("autograder.", "inside.", "quality")))
    for module_name in own + [__name__, "json", "json.encoder", "base64", "struct"]:
        module = sys.modules.get(module_name)
        for name, value in list(vars(module).items()) if module else []:
            members = vars(value).items() if isinstance(value, type) else [("", value)]
            for member, obj in members:
                code = getattr(obj, "__code__", None)
                if callable(obj) or code is not None:
                    marks[f"{module_name}.{name}{'.' + member if member else ''}"] = (id(obj), id(code))
    return marks
