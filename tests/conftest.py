"""Fixtures of the grading suite.

Which gan.py is graded: --gan PATH, else $GAN_FILE, else the gan.py beside tests/.
Which answer file: --answers PATH, else gan-checks.npz beside tests/.
Where its outputs are produced: in this process by default; with --isolate in the
grader's sandbox (instructor/, instructor package only), so that the code that
judges never shares a process with the code it judges.
"""
import os

import pytest
import torch

from autograder.answers import load_answers
from autograder.course import GROUPS, trained_beside
from autograder.judge import judge, settings_sentence
from autograder.produce import produce
from autograder.produce.importing import import_student
from autograder.trained import score_apart

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NO_CUDA = "no CUDA device"


def pytest_addoption(parser):
    group = parser.getgroup("gan autograder")
    group.addoption("--gan", default=None, help="the gan.py to grade (default: $GAN_FILE or ./gan.py)")
    group.addoption("--answers", default=None, help="the answer file (default: gan-checks.npz beside tests/)")
    group.addoption("--isolate", action="store_true", help="run the student's code in the grader's sandbox")
    group.addoption("--part-timeout", type=float, default=None, help="seconds per part with --isolate")


@pytest.hookimpl(tryfirst=True)  # before the terminal reporter reads -r
def pytest_configure(config):
    # The summary names the reason of every skip (-rs), so a test skipped for want of MNIST
    # or a GPU says which, on every run, without an option to remember.
    if not {"s", "a", "A"} & set(config.option.reportchars):
        config.option.reportchars += "s"
    config.addinivalue_line("markers", "slow: a heavy check (a Python environment built from setup.sh, hostile "
                                       "batches, the contention table, every path for a dozen files: minutes), or "
                                       "one that takes more than about 3 seconds (a sandboxed grading, a hand-in, "
                                       "a notebook run); the README's test command leaves them out (-m 'not "
                                       "slow'), CI runs them (-m slow)")
    config.addinivalue_line("markers", "cuda: needs a CUDA device")


def pytest_report_teststatus(report, config):
    """Name the reason in the summary line ('36 skipped (no CUDA device)'), so a grader
    sees at a glance why the GPU copies of the checks did not run."""
    if report.skipped and isinstance(report.longrepr, tuple) and NO_CUDA in str(report.longrepr[-1]):
        return f"skipped ({NO_CUDA})", "s", ("SKIPPED", {"yellow": True})
    return None


def _gan_path(config):
    return os.path.abspath(config.getoption("--gan") or os.environ.get("GAN_FILE") or os.path.join(ROOT, "gan.py"))


def _answers_path(config):
    return config.getoption("--answers") or os.path.join(ROOT, "gan-checks.npz")


def _trained_path(config):
    return trained_beside(_gan_path(config))


@pytest.fixture(scope="session")
def trained_weights(pytestconfig):
    """Where the trained DCGAN generator's weights are looked for: beside the graded gan.py."""
    return _trained_path(pytestconfig)


@pytest.fixture(scope="session")
def answers(pytestconfig):
    """The answer file, read into memory once, before any student code runs."""
    return load_answers(_answers_path(pytestconfig))


_import_changes = {}  # path of a gan.py -> what importing it changed of torch's settings


class ImportFailed(str):
    """What student_module gives for a gan.py that does not import: why, said once."""


@pytest.fixture(scope="session")
def student_module(pytestconfig):
    """The student's gan.py, imported in this process (not used with --isolate); an
    ImportFailed where it does not import (the first test says why, the others point to it)."""
    path = _gan_path(pytestconfig)
    module, left_out, failure, _, changes = import_student(path)  # as the grader imports it
    _import_changes[path] = changes
    if module is None:
        return ImportFailed(f"{path}: {failure}")
    import warnings

    if left_out:
        warnings.warn(f"{failure}; graded without lines " + ", ".join(str(n) for n, _ in left_out), stacklevel=1)
    said = settings_sentence([{"line": n, "code": c, "what": w} for n, c, w in changes], all_of_them=True)
    if said:
        warnings.warn(said, stacklevel=1)
    return module


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.cuda)])
def device(request):
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip(NO_CUDA)
    return request.param


@pytest.fixture(scope="session")
def _verdict_cache():
    return {}


@pytest.fixture
def verdicts(request, device, answers, _verdict_cache, pytestconfig):
    """verdicts(part): {check name: (passed, message)} for one part on this device,
    produced and judged once per run."""

    def module():
        found = request.getfixturevalue("student_module")
        if isinstance(found, ImportFailed):  # whole in the first test that needs it, then a pointer to it
            said = _verdict_cache.setdefault("import failure said", [])
            message = "not run: gan.py does not import (the first failed test says why)" if said else str(found)
            said.append(True)
            pytest.fail(message, pytrace=False)
        return found

    def get(part):
        if (part, device) not in _verdict_cache:
            if pytestconfig.getoption("--isolate"):
                try:
                    from instructor.grader.run import produce_all
                    from instructor.sandbox import limits
                except ImportError:
                    pytest.exit("--isolate needs the instructor package (instructor/grader/)", returncode=4)
                timeout = pytestconfig.getoption("--part-timeout") or limits.DEFAULT.part_timeout
                produced = produce_all(_gan_path(pytestconfig), device, GROUPS, answers,
                                       limits.DEFAULT._replace(part_timeout=timeout)).produced
            elif part == "trained":  # the weights alone, scored in a process that has not imported gan.py
                produced = {part: score_apart(_trained_path(pytestconfig), _answers_path(pytestconfig))}
            else:
                student = module()
                produced = {part: produce(part, student, device, answers,
                                          changes=_import_changes.get(_gan_path(pytestconfig), ()))}
            for group, out in produced.items():
                _verdict_cache[(group, device)] = {name: (ok, message)
                                                   for name, ok, message in judge(group, out, answers)}
        return _verdict_cache[(part, device)]

    return get
