"""The grader's own files, guarded: the sandbox's copy of the producing code comes
from a snapshot taken once per process, and whatever a submission changed where it
could (the reduced mode, parts running as the grader's own user) is put back."""
import os
import threading

from instructor import ROOT
from instructor.grader.markers import strip_code


class Guard:
    """The grader's own files, read once per process: the sandbox's copy of the producing
    code comes from here, and restore() puts back anything a submission changed where it
    could (the reduced mode, with students' code running as the grader's own user: the
    sealed sandbox cannot reach these files, nor can the sandbox user). One snapshot per
    root is shared by every grading in the process, so concurrent gradings never
    snapshot each other's damage."""

    _snapshots = {}
    _lock = threading.Lock()

    def __init__(self, root=ROOT):
        self.root = root
        self.dirs = [os.path.join(root, name) for name in ("autograder", "instructor", "quality", "tests")]
        with Guard._lock:
            if root not in Guard._snapshots:
                files = {}
                # Not in the Gradescope bundle: the public answers. gan.py there is the release's.
                extra = [os.path.join(root, name) for name in ("gan-checks.npz", "gan.py")]
                for path in [p for p in extra if os.path.exists(p)] + list(self._walk()):
                    with open(path, "rb") as f:
                        files[path] = f.read()
                Guard._snapshots[root] = files
        self.files = Guard._snapshots[root]

    def content(self, rel):
        """The snapshot's bytes of a file, by path relative to the root."""
        return self.files[os.path.join(self.root, rel)]

    def restore(self):
        changed = []
        with Guard._lock:
            for path, data in self.files.items():
                try:
                    with open(path, "rb") as f:
                        same = f.read() == data
                except OSError:
                    same = False
                if not same:
                    changed.append(path)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(data)
            for path in self._walk():
                if path not in self.files:
                    changed.append(path)
                    os.remove(path)
        return changed

    def _walk(self):
        """Files under the guarded folders; bytecode caches are left to Python."""
        for d in self.dirs:
            for base, dirs, names in os.walk(d):
                dirs[:] = [x for x in dirs if x != "__pycache__"]
                for name in names:
                    yield os.path.join(base, name)


def provided_source(guard):
    """The assignment's gan.py with every block emptied, for the training smoke test's
    provided loop (no reference solution ever enters the sandbox); None if there is none."""
    try:
        source = guard.content("gan.py")
    except KeyError:
        return None
    return strip_code(source.decode("utf-8")).encode("utf-8")
