"""The command that starts a sandbox, and the folder it runs from.

Each sandbox gets a fresh folder: code/ (the sandbox program, inside/, and the
producing side of the autograder, copied from the grader's snapshot: never a judge), inputs.npz (the check inputs, never the
expected values), sandbox.log (what the sandbox itself prints) and, in the reduced
mode, run/ (its parts' working folder). Sealed, bubblewrap binds code/ and
inputs.npz read-only at /gan; reduced, the same program runs as `python -I` from
the folder itself. The spec, one JSON argument, tells the program where things are,
which pipes to talk on and what its parts may open.
"""
import glob
import json
import os
import shutil
import sys
import tempfile

import numpy as np

from instructor import package_files, quality_files
from instructor.sandbox import paths
from instructor.sandbox.bwrap import bwrap_command

# The autograder's modules the producers and the scorer need: the producing side, what it shares
# with the judges (course table, answer files, the import rule, precision) and the trained scorer.
PRODUCING = package_files("autograder/produce") + [f"autograder/{name}" for name in (
    "__init__.py", "course.py", "answers.py", "imports.py", "i18n.py", "measures.py", "precision.py", "trained.py",
    "hints/__init__.py", "hints/layers.py")] + package_files("autograder/locale")
INSIDE = "instructor/sandbox/inside/"
CODE = {  # what the sandbox runs, relative to the repository root -> where it lies in the sandbox's copy
    **{rel: "inside/" + rel[len(INSIDE):] for rel in package_files(INSIDE)},
    **{rel: rel for rel in PRODUCING},
    # and quality/, the scorer of the trained generator's samples (autograder.trained.score_samples)
    **{rel: rel for rel in quality_files()},
}
ENTRY = os.path.join("inside", "__main__.py")  # the program, relative to code/
PROVIDED = "provided_gan.py"  # the assignment's gan.py, blocks emptied: the smoke test's run_a_gan


def input_keys(answers):
    """The inputs the producers need; expected values ('..._true...') stay with the grader."""
    return [k for k in answers if "true" not in k]


class Command:
    """One sandbox's folder and command line: argv, cwd and env for subprocess.Popen.
    remove() deletes the folder once the sandbox is gone."""

    def __init__(self, answers, code, bwrap, device, threads, hidden, spec):
        """bwrap: the bubblewrap binary for a sealed sandbox, None for a reduced one."""
        sealed = bwrap is not None
        self.work = tempfile.mkdtemp(prefix="gan-sandbox-")
        os.chmod(self.work, 0o755)
        self._fill(answers, code)
        self.log_path = os.path.join(self.work, "sandbox.log")
        spec = dict(spec, sealed=sealed,
                    readable=sorted(paths.python_dirs()) + paths.SYSTEM_DIRS + paths.SYSTEM_FILES
                    + paths.REDUCED_READABLE
                    + (["/sys"] if device != "cpu" else []),  # the GPU driver's libraries read /sys
                    devices=sorted(glob.glob("/dev/nvidia*")) if device != "cpu" else [])
        env = self._env(threads)
        if sealed:
            spec.update(code="/gan/code", inputs="/gan/inputs.npz")
            self.argv = bwrap_command(bwrap, os.path.join(self.work, "code"),
                                      os.path.join(self.work, "inputs.npz"), spec, device, hidden, env)
            self.cwd, self.env = "/", None
        else:
            spec.update(code=os.path.join(self.work, "code"), inputs=os.path.join(self.work, "inputs.npz"))
            self.argv = [sys.executable, "-I", "-B", os.path.join(self.work, "code", ENTRY), json.dumps(spec)]
            self.cwd = os.path.join(self.work, "run")
            os.makedirs(self.cwd)
            self.env = {k: str(v) for k, v in env.items()}
            self.env.update(HOME=self.cwd, TMPDIR=self.cwd, XDG_CACHE_HOME=os.path.join(self.cwd, ".cache"))

    def _fill(self, answers, code):
        for rel, dest in list(CODE.items()) + ([(PROVIDED, PROVIDED)] if PROVIDED in code else []):
            path = os.path.join(self.work, "code", dest)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(code[rel])
        np.savez(os.path.join(self.work, "inputs.npz"), **{k: answers[k] for k in input_keys(answers)})
        for base, dirs, files in os.walk(self.work):
            for name in dirs:
                os.chmod(os.path.join(base, name), 0o755)
            for name in files:
                os.chmod(os.path.join(base, name), 0o644)

    @staticmethod
    def _env(threads):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "XDG_CACHE_HOME": "/tmp/.cache"}
        for key in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "NVIDIA_VISIBLE_DEVICES", "GAN_LANGUAGE"):
            if key in os.environ:
                env[key] = os.environ[key]
        return env

    def log_tail(self):
        """The last lines the sandbox printed, on one line, for an error message."""
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
            return " | ".join(lines[-3:]) or "no message"
        except OSError:
            return "no message"

    def remove(self):
        shutil.rmtree(self.work, ignore_errors=True)
