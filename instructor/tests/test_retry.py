"""A sandbox that fails to start once (as one can on a loaded machine) is started again, and
the submission is graded: only a second failure is the grader's error, whatever the mode."""
import os

import pytest

from autograder import course
from instructor import ROOT
from instructor.grader import batch, grade, render, run
from instructor.sandbox.pool import Pool
from instructor.sandbox.process import SandboxError
from instructor.tests.test_grading import LIMITS, grader_root  # noqa: F401  (a fixture)


@pytest.fixture
def first_start_fails(monkeypatch):
    """Pool.start raises once, the first time it is called, then starts as usual."""
    real, calls = Pool.start, []

    def start(self):
        calls.append(self)
        if len(calls) == 1:
            raise SandboxError("injected: the first start of the sandbox failed")
        return real(self)

    monkeypatch.setattr(Pool, "start", start)
    return calls


def reference_folder(folder):
    folder.mkdir(parents=True)
    (folder / "gan.py").write_bytes(open(os.path.join(ROOT, "gan.py"), "rb").read())
    return folder


@pytest.mark.slow
def test_grade_starts_the_sandbox_again_and_grades(first_start_fails, grader_root, tmp_path):
    folder = reference_folder(tmp_path / "student")
    report = grade.grade(str(folder / "gan.py"), "cpu", root=grader_root, limits=LIMITS)
    assert len(first_start_fails) >= 2
    assert report["total"] == sum(course.POINTS.values()) and not report["grader_error"], render.report_text(report)


@pytest.mark.slow
def test_batch_starts_the_sandbox_again_and_grades_every_submission(first_start_fails, grader_root, tmp_path):
    for student in ("alice", "bob"):
        reference_folder(tmp_path / "subs" / student)
    reports = batch.grade_all(batch.find_submissions(str(tmp_path / "subs")), str(tmp_path / "book"), jobs=1,
                              root=grader_root, limits=LIMITS)
    assert len(first_start_fails) >= 2
    for student, report in reports.items():
        assert report["total"] == sum(course.POINTS.values()) and not report["grader_error"], (student, report)


@pytest.mark.slow
def test_a_retry_that_finds_the_machine_cannot_isolate_says_so(first_start_fails, monkeypatch, grader_root,
                                                               tmp_path):
    """The first start fails; the second starts a sandbox that will not run code here
    (Pool.refuses): the report says the grader could not isolate, not that it crashed."""
    monkeypatch.setattr(Pool, "refuses", lambda self: "injected: parts would run as root" if self.sandbox else None)
    folder = reference_folder(tmp_path / "student")
    report = grade.grade(str(folder / "gan.py"), "cpu", root=grader_root, limits=LIMITS)
    assert report["total"] == 0 and "injected: parts would run as root" in report["grader_error"]
    assert all(p["checks"][0][2] == run.NOT_ISOLATED for p in report["parts"] if p["checks"]), report["parts"]


# -- the trained generator's file: read again for a retry, never held while the parts run --------


def test_the_trained_file_is_given_once_as_first_read_then_read_again(tmp_path):
    """The sandbox is sent the bytes read first; a retry's sandbox is sent them read again
    (the grader keeps no copy in between); a file gone by then is sent as none."""
    (tmp_path / "gan.py").write_text("")
    weights_path = tmp_path / course.TRAINED_FILE
    weights_path.write_bytes(b"first")
    weights, missing = run.trained_weights(str(tmp_path / "gan.py"))
    assert missing is None
    weights_path.write_bytes(b"second")
    assert weights() == b"first"
    assert weights() == b"second"
    weights_path.unlink()
    assert weights() == b""


def test_the_trained_generator_is_scored_before_the_parts_that_train():
    """Its weights are let go of once scored: the training smoke test runs without them."""
    from instructor.sandbox.inside.supervisor import phase_order

    assert phase_order(list(course.GROUPS)) == ["import", "trained"] + [g for g in course.GROUPS if g != "trained"]
    assert phase_order(["noise", "training"]) == ["import", "noise", "training"]


@pytest.mark.slow
def test_a_retry_sends_the_trained_generator_again(monkeypatch, grader_root, tmp_path):
    """The first sandbox takes the weights and stops; the retry's is sent them again, read
    afresh, and scores them."""
    from instructor.sandbox.exchange import Exchange

    real, calls = Exchange.grade, []

    def grade_once_broken(self, source, lanes, request, seconds, weights=None):
        calls.append(weights)
        if len(calls) == 1:
            assert weights() != b""  # what the first sandbox was sent
            return {}, {}, "injected: the grading sandbox stopped unexpectedly"
        return real(self, source, lanes, request, seconds, weights)

    monkeypatch.setattr(Exchange, "grade", grade_once_broken)
    folder = reference_folder(tmp_path / "student")
    import gan

    gan.save_generator(gan.build_dc_generator(), str(folder / course.TRAINED_FILE))
    report = grade.grade(str(folder / "gan.py"), "cpu", root=grader_root, limits=LIMITS)
    trained = next(p for p in report["parts"] if p["part"] == "trained")
    assert len(calls) == 2 and not report["grader_error"], render.report_text(report)
    assert "IS" in trained.get("scores", {}), trained
