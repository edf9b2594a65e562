"""The sandbox's long-lived process: it holds torch, the producers and the check inputs, and
forks a supervisor for each submission. It never runs student code."""
import gc
import os
import select
import sys
import traceback

from .frames import FrameError, FrameReader, SOURCE_LIMIT, send
from .kernel import (CLONE_NEWIPC, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, _become, _can_read_python, _check, _close_fds,
                     _in_child, _oom_score, _prctl, _unshare, enter_namespaces)
from .landlock import confine, landlock_abi
from .part import warm_optimizer
from .supervisor import Supervisor


def read_code_files(code):
    """What the zygote reads of the code folder while it still can (the parts' uid may not):
    the trained generator's scorer, as (the classifier's weights, the test set's statistics,
    the training set's thumbnails),
    and the assignment's own gan.py, blocks emptied (None where there is none). The
    classifier module is built in the part that scores: building it here would start torch's
    thread pool, which does not survive a fork."""
    import quality

    scorer = (quality.classifier_weights(), quality.reference_stats(), quality.mnist_thumbs())
    provided = os.path.join(code, "provided_gan.py")
    if not os.path.exists(provided):
        return scorer, None
    with open(provided, "rb") as f:
        return scorer, f.read()


class Zygote:
    """The sandbox's long-lived process: holds torch, the producers and the inputs."""

    def __init__(self, spec):
        self.spec = spec
        self.sealed = spec["sealed"]
        _oom_score(0)  # below the grader's -900: out of memory, the kernel takes the parts (1000) first
        sys.path.insert(0, spec["code"])
        import torch  # noqa: F401  (once, here: every part is forked with it loaded)

        import autograder.produce
        import autograder.produce.importing  # noqa: F401  (the parts import gan.py with it)
        import autograder.trained
        from autograder.answers import load_answers
        from autograder.course import TRAINED_LIMIT

        self.produce, self.trained = autograder.produce, autograder.trained
        # Creating an optimizer imports torch._dynamo (a second, and about 80 MB): once, here,
        # where memory allows; where it is tight, in the parts that need it, before their limits.
        self.warm = spec.get("warm", True)
        if self.warm:
            warm_optimizer()
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
