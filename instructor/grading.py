"""Grade a student's gan.py: points per part, a report, Gradescope's results.json.

The student's code runs only in the sandbox (instructor/sandbox.py), a separate
process that forks one child per part with a time and a memory limit. This process
reads back plain data, judges it with tests/checks.py against the answer file it
loaded before any student code ran, and restores any grader file a submission
changed. A submission can therefore crash, hang, flood its output or monkeypatch
torch, numpy or pytest in its own process without touching the score of the
parts it did not break.

Partial credit: a part's points are shared equally among the functions it asks
for (one function for most parts; two for the GAN and LSGAN losses, the
discriminator's and the generator's), and a function earns its share only when
every check of that function passes.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from instructor import ROOT
from instructor.sandbox import decode
from tests import checks

ANSWERS = os.path.join(ROOT, "gan-checks.npz")

# Points per part: the one place they are defined.
POINTS = {
    "noise": 1,
    "discriminator": 1,
    "generator": 1,
    "gan_loss": 2,
    "optimizer": 1,
    "lsgan_loss": 2,
    "dc_classifier": 1,
    "dc_generator": 1,
}
MANUAL = {"Q4 (minimax and the update table)": 1, "Q5 (does it converge?)": 1, "Q6 (reading the loss curves)": 1}

PART_TIMEOUT = 60  # seconds for each part (the training smoke test is the slowest: ~5 s on a laptop CPU)
IMPORT_TIMEOUT = 30  # seconds to import gan.py
MEMORY_MB = 4096  # extra memory a part may allocate on a CPU grader
RESULT_LIMIT = 64 * 1024 * 1024  # bytes of produced data read back per part
SANDBOX_FILES = ["tests/__init__.py", "tests/checks.py", "instructor/__init__.py", "instructor/sandbox.py"]


def load_answers(path=ANSWERS):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def input_keys(answers):
    """The inputs the producers need; expected values ('..._true...') stay with the grader."""
    return [k for k in answers if "true" not in k]


class Guard:
    """The grader's own files, read once per process; restore() puts back anything a
    submission changed. One snapshot per root is shared by every grading in the
    process, so concurrent gradings never snapshot each other's damage."""

    _snapshots = {}
    _lock = threading.Lock()

    def __init__(self, root=ROOT):
        self.root = root
        self.dirs = [os.path.join(root, "tests"), os.path.join(root, "instructor")]
        with Guard._lock:
            if root not in Guard._snapshots:
                files = {}
                for path in [os.path.join(root, "gan-checks.npz")] + list(self._walk()):
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


def _failure(group, record, import_phase=False):
    """A student-readable sentence on how a sandbox child ended without a result."""
    what = "importing gan.py" if import_phase else f"the {checks.PART_TITLES[group]} part"
    if record is None:
        return f"{what} was not run: the grading process stopped early (time limit for the whole submission?)."
    if record["timed_out"]:
        return (f"{what} did not finish within {record['seconds']:.0f} s and was stopped: look for an infinite "
                "loop or very slow code.")
    tail = record["output"].strip().splitlines()[-1:] if record["output"].strip() else []
    if record["signal"] is not None:
        return (f"{what} was killed by signal {record['signal']} (out of memory, or a crash in native code)."
                + (f" Last output: {tail[0]}" if tail else ""))
    return (f"{what} ended the process (exit code {record['exit_code']}) before it produced a result: do not call "
            "sys.exit() or os._exit() in gan.py." + (f" Last output: {tail[0]}" if tail else ""))


def produce_all(gan_path, device="cpu", groups=checks.GROUPS, answers=None, part_timeout=PART_TIMEOUT,
                import_timeout=IMPORT_TIMEOUT, memory_mb=MEMORY_MB, root=ROOT):
    """Run the producing half of every group in the sandbox.

    Returns (produced, status): produced[group] is the plain data the judges read
    (or {'__failure__': message}); status[phase] says how each sandbox child ended.
    """
    answers = answers if answers is not None else load_answers()
    workdir = tempfile.mkdtemp(prefix="gan-grade-")
    try:
        if not os.path.isfile(gan_path):
            message = f"no gan.py was found at {gan_path}: submit the file named gan.py."
            return {g: {"__failure__": message} for g in groups}, {}
        submission = os.path.join(workdir, "submission")
        os.makedirs(submission)
        # The sandbox runs from a private copy of the code it needs, so a submission
        # that rewrites "the grader" only rewrites its own copy.
        grader = os.path.join(workdir, "grader")
        guard = Guard(root)
        for rel in SANDBOX_FILES:
            os.makedirs(os.path.dirname(os.path.join(grader, rel)), exist_ok=True)
            with open(os.path.join(grader, rel), "wb") as f:
                f.write(guard.content(rel))
        shutil.copyfile(gan_path, os.path.join(submission, "gan.py"))
        np.savez(os.path.join(workdir, "inputs.npz"), **{k: answers[k] for k in input_keys(answers)})
        spec = {"gan_path": os.path.join(submission, "gan.py"), "inputs": os.path.join(workdir, "inputs.npz"),
                "device": str(device), "groups": list(groups), "workdir": workdir,
                "part_timeout": part_timeout, "import_timeout": import_timeout, "memory_mb": memory_mb}
        with open(os.path.join(workdir, "spec.json"), "w") as f:
            json.dump(spec, f)
        env = {k: v for k, v in os.environ.items()
               if k in ("PATH", "LANG", "LC_ALL", "CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
        env.update(PYTHONPATH=grader, HOME=submission, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        total = import_timeout + len(groups) * (part_timeout + 2) + 30
        proc = subprocess.Popen([sys.executable, "-m", "instructor.sandbox", os.path.join(workdir, "spec.json")],
                                cwd=submission, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=total)
        except subprocess.TimeoutExpired:
            pass
        finally:
            try:
                os.killpg(proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        return _read_results(workdir, groups)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _read_json(path):
    try:
        if os.path.getsize(path) > RESULT_LIMIT:
            return {"__failure__": "the result was too large to read back."}
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _read_results(workdir, groups):
    status = _read_json(os.path.join(workdir, "status.json")) or {}
    imported = _read_json(os.path.join(workdir, "import.json"))
    if imported is None or "__failure__" in imported:
        message = imported["__failure__"] if imported else _failure(None, status.get("import"), True)
        return {g: {"__failure__": message} for g in groups}, status
    produced = {}
    for group in groups:
        data = _read_json(os.path.join(workdir, f"{group}.json"))
        produced[group] = decode(data) if isinstance(data, dict) else {
            "__failure__": _failure(group, status.get(group))}
    return produced, status


def score(produced, answers):
    """Points and check results per part, from produced data."""
    parts = []
    for part in checks.PARTS:
        results = checks.judge(part, produced.get(part, {}), answers)
        by_function = {fn: [] for fn in checks.FUNCTIONS[part]}
        for judge_fn, (name, ok, message) in zip(checks.CHECKS[part], results):
            by_function[judge_fn.function].append(ok)
        share = POINTS[part] / len(by_function)
        points = sum(share for oks in by_function.values() if all(oks))
        parts.append({"part": part, "title": checks.PART_TITLES[part], "points": round(points, 2),
                      "max_points": POINTS[part], "checks": results})
    smoke = checks.judge("training", produced.get("training", {}), answers)
    return parts, smoke


def grade(gan_path, device="cpu", part_timeout=PART_TIMEOUT, import_timeout=IMPORT_TIMEOUT, memory_mb=MEMORY_MB,
          answers=None, root=ROOT):
    """Grade one gan.py; returns the report as a dict."""
    start = time.time()
    answers = answers if answers is not None else load_answers(os.path.join(root, "gan-checks.npz"))
    guard = Guard(root)
    produced, status = produce_all(gan_path, device, checks.GROUPS, answers, part_timeout, import_timeout,
                                   memory_mb, root)
    tampered = guard.restore()
    parts, smoke = score(produced, answers)
    return {
        "gan_path": gan_path,
        "device": str(device),
        "parts": parts,
        "training_smoke": smoke,
        "total": round(sum(p["points"] for p in parts), 2),
        "max_total": sum(POINTS.values()),
        "manual": MANUAL,
        "seconds": round(time.time() - start, 2),
        "status": status,
        "tampered": [os.path.relpath(p, root) for p in tampered],
    }


def _first_failure(results):
    return next((message for _, ok, message in results if not ok), "")


def report_text(report, width=100):
    lines = [f"Autograder report for {report['gan_path']} (on {report['device']}, {report['seconds']:.1f} s)", ""]
    lines.append(f"{'part':<16}{'points':>8}  first failure")
    for p in report["parts"]:
        failure = _first_failure(p["checks"])
        lines.append(f"{p['title']:<16}{p['points']:>4g} / {p['max_points']:<2}  {failure[:width]}"
                     + ("..." if len(failure) > width else ""))
    lines.append(f"{'total':<16}{report['total']:>4g} / {report['max_total']:<2}  (autograded)")
    lines.append("graded by hand: " + ", ".join(f"{q}: {n} point" for q, n in report["manual"].items()))
    smoke = _first_failure(report["training_smoke"])
    lines.append("training smoke test (no points): " + ("passed" if not smoke else f"failed: {smoke}"))
    if report["tampered"]:
        lines.append("your code changed grader files, which were restored: " + ", ".join(report["tampered"]))
    for phase, record in report["status"].items():
        if record.get("output_bytes"):
            text = record["output"]
            more = record["output_bytes"] - len(text.encode())
            lines += ["", f"output of gan.py during {phase} ({record['output_bytes']:,} bytes"
                      + (f", first {len(text.encode()):,} shown" if more > 0 else "") + "):", text.rstrip()]
    return "\n".join(lines)


def gradescope_results(report):
    """Gradescope's results.json."""
    tests = []
    for p in report["parts"]:
        failed = [m for _, ok, m in p["checks"] if not ok]
        tests.append({
            "name": p["title"],
            "score": p["points"],
            "max_score": p["max_points"],
            "status": "passed" if p["points"] == p["max_points"] else "failed",
            "output": "\n".join(failed) if failed else "\n".join(m for _, _, m in p["checks"]),
            "visibility": "visible",
        })
    return {"score": report["total"], "execution_time": report["seconds"], "output": report_text(report),
            "tests": tests}


def main(args):
    import torch

    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    report = grade(os.path.abspath(args.gan), device, args.part_timeout, args.import_timeout, args.memory_mb)
    print(report_text(report))
    if args.results:
        os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
        with open(args.results, "w") as f:
            json.dump(gradescope_results(report), f, indent=2)
        print(f"wrote {args.results}")
