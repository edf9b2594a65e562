"""Every path that runs the checks runs them at full float32 precision.

On an A100, L4 or H100, cuDNN runs float32 convolutions in TensorFloat-32 by default
(and a fresh process has it on), which moves a correct DC generator's outputs by
about 1e-3, ten times the tolerance. The probe below is the reference solution with
every graded function refusing to run while a reduced-precision shortcut is allowed;
it must score full marks whichever way it is graded. A CPU shows the settings as a
GPU would use them, so these tests need no GPU.
"""
import os
import subprocess
import sys

import pytest

from autograder import course
from autograder.answers import load_answers
from autograder.judge import judge
from autograder.notebook import run_part
from autograder.precision import precision_flags, tf32_allowed
from autograder.produce import produce
from instructor import ROOT
from instructor.grader import grade, render, score
from instructor.grader.run import make_pool
from instructor.tests import FULL

GUARDED = sorted({f for part in course.PARTS for f in course.FUNCTIONS[part]})
PROBE = f"""

from autograder.precision import tf32_allowed as _tf32_allowed
def _refuse_tf32(fn):
    def run(*args, **kwargs):
        if _tf32_allowed():
            raise RuntimeError("a check ran with TF32 allowed")
        return fn(*args, **kwargs)
    return run
for _name in {GUARDED!r}:
    globals()[_name] = _refuse_tf32(globals()[_name])
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    path = tmp_path_factory.mktemp("probe") / "gan.py"
    with open(os.path.join(ROOT, "gan.py")) as f:
        path.write_text(f.read() + PROBE)
    return str(path)


@pytest.fixture
def tf32_on():
    """TF32 allowed for matmuls and convolutions, as a notebook on an A100 might leave it."""
    flags = precision_flags()
    saved = [getattr(o, a) for o, a in flags]
    for owner, attr in flags:
        setattr(owner, attr, True if attr == "allow_tf32" else "tf32")
    assert tf32_allowed()
    yield
    for (owner, attr), value in zip(flags, saved):
        setattr(owner, attr, value)


def load(path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("gan_probe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_probe_refuses_to_run_with_tf32_allowed(probe, tf32_on):
    with pytest.raises(RuntimeError, match="TF32"):
        load(probe).discriminator()


def test_produce_checks_at_full_precision_and_restores_the_callers_settings(probe, tf32_on):
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    module = load(probe)
    for part in course.PARTS:
        results = judge(part, produce(part, module, "cpu", answers), answers)
        assert all(ok for _, ok, _ in results), results
    assert tf32_allowed()  # the caller's choice is back


def test_run_part_checks_at_full_precision(probe, tf32_on, capsys):
    module = load(probe)
    for part in course.PARTS:
        run_part(part, module, "cpu", os.path.join(ROOT, "gan-checks.npz"))
    printed = capsys.readouterr().out
    assert "TF32" not in printed and "FAIL" not in printed and printed.count("checks passed on cpu") == len(course.PARTS)


@pytest.mark.slow
def test_the_pytest_suite_checks_at_full_precision(probe):
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "--gan", probe, "-q", "-p", "no:cacheprovider"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["auto", "reduced"])
def test_the_grader_checks_at_full_precision(probe, mode):
    """A fresh process, in or out of the sandbox, starts with cuDNN's TF32 allowed."""
    with make_pool(load_answers(score.ANSWERS), mode=mode, trust=True) as pool:  # the reference: trusted
        report = grade.grade(probe, "cpu", pool=pool)
    assert report["total"] == FULL, render.report_text(report)


def test_a_fresh_process_allows_tf32_so_the_probe_means_something():
    out = subprocess.run([sys.executable, "-c", "from autograder.precision import tf32_allowed; print(tf32_allowed())"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr
