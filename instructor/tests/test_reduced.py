"""The reduced mode (no bubblewrap) never gives points it cannot protect.

Where its parts would run as root, or as the grader's own user, it grades nothing
unless told to trust the submissions; where it runs (as root, each job a uid of
its own), the reference and answer files stay out of reach, parts cannot signal
what is not theirs, and only a grader that finished writes a results.json.
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

from autograder.answers import load_answers
from instructor import ROOT
from instructor.grader import batch, grade, render, score
from instructor.grader.run import make_pool
from instructor.sandbox import reduced
from instructor.tests import FULL, hostile
from instructor.tests.test_grading import LIMITS, copy_grader, run_gradescope
from instructor.tests.test_hostile import passable, python_readable_by_others  # noqa: F401  (a fixture)
from instructor.sandbox.limits import Limits

CLI_LIMITS = ["--part-timeout", "20", "--import-timeout", "10", "--memory-mb", "2048"]


@pytest.fixture
def grader_root(tmp_path):
    """A copy of the grader that anyone may read and pass through (its answer file included),
    in a folder an ordinary user can reach, for the test's length."""
    (tmp_path / "grader").mkdir()
    root = copy_grader(tmp_path / "grader")
    for base, dirs, files in os.walk(tmp_path):
        os.chmod(base, 0o755)
        for name in files:
            os.chmod(os.path.join(base, name), 0o644)
    with passable(str(tmp_path / "grader")):
        yield root


def attackers():
    """The three attacks the reduced mode must withstand, as sources: a search of the whole disk
    for the reference, a file that stops and kills every process it can and leaves a daemon that
    writes forged results, and one that kills and stops every process it can see (its neighbours')."""
    empty = hostile.sources()["empty"]
    return {"steals_the_reference": hostile.append(hostile.FINDS_THE_REFERENCE)(empty),
            "kills_and_forges": hostile.append(hostile.KILL_EVERYTHING + hostile.DAEMON)(empty),
            "kills_its_neighbours": hostile.append(hostile.KILL_EVERYTHING)(empty)}


def write_submissions(folder, sources):
    for name, source in sources.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "gan.py").write_text(source)
        os.chmod(folder / name, 0o755)
        os.chmod(folder / name / "gan.py", 0o644)
    os.chmod(folder, 0o755)
    return folder


def grade_cli(root, gan, results, user=None, extra=()):
    """`python -m instructor grade --isolation reduced` from the grader copy at root, as `user`
    (a uid) or as this process's user; returns (exit status, results.json)."""
    def become():
        os.setgroups([])
        os.setresgid(user, user, user)
        os.setresuid(user, user, user)

    env = dict(os.environ, HOME=os.path.dirname(results))
    out = subprocess.run([sys.executable, "-m", "instructor", "grade", str(gan), "--isolation", "reduced",
                          "--results", str(results), *CLI_LIMITS, *extra], cwd=root, env=env, capture_output=True,
                         text=True, timeout=600, preexec_fn=become if user is not None else None)
    return out.returncode, json.loads(open(results, encoding="utf-8").read()), out


def assert_not_graded(code, results, why):
    extra = results["extra_data"]
    assert code == grade.GRADER_ERROR_EXIT, results["output"][:2000]
    assert results["score"] == 0 and why in extra["grader_error"] and "--trust-submissions" in extra["grader_error"]
    assert all(t["output"].startswith("- **FAIL** `") and "not graded: the grader could not isolate" in t["output"]
               for t in results["tests"]), results["tests"][0]["output"]
    assert "no code was run" in results["output"]


def as_root_with_python_unreadable(grader_root):
    answers = load_answers(os.path.join(grader_root, score.PRIVATE))
    with make_pool(answers, mode="reduced", root=grader_root, trust=True) as pool:
        pool.start()
        return os.geteuid() == 0 and pool.facts.as_root is not None


# -- where the reduced mode cannot protect: nothing graded

@pytest.mark.slow
def test_where_parts_would_run_as_root_nothing_is_graded_and_the_exit_status_says_so(grader_root, tmp_path):
    if not as_root_with_python_unreadable(grader_root):
        pytest.skip("needs a root grader whose Python the sandbox user cannot read")
    subs = write_submissions(tmp_path / "subs", {**attackers(), "zz_reference": hostile.sources()["reference"]})
    for name in sorted(os.listdir(subs)):
        code, results, _ = grade_cli(grader_root, subs / name / "gan.py", tmp_path / f"{name}.json")
        assert_not_graded(code, results, "parts would run as root")
    reports = batch.grade_all(batch.find_submissions(str(subs)), str(tmp_path / "book"), jobs=2, root=grader_root,
                              isolation="reduced", limits=LIMITS)  # the neighbour killer beside the reference
    for name, report in reports.items():
        assert report["total"] == 0 and "parts would run as root" in report["grader_error"], name
        assert not report["status"], name  # no code of any submission ran


@pytest.mark.slow
def test_trusted_the_reduced_mode_grades_as_root_and_says_so(grader_root, tmp_path):
    if not as_root_with_python_unreadable(grader_root):
        pytest.skip("needs a root grader whose Python the sandbox user cannot read")
    code, results, _ = grade_cli(grader_root, os.path.join(ROOT, "gan.py"), tmp_path / "r.json",
                                 extra=["--trust-submissions"])
    assert code == 0 and results["score"] == FULL and "AS ROOT" in results["output"], results["output"][:2000]


@pytest.mark.slow
def test_as_an_ordinary_user_nothing_is_graded_not_even_beside_a_neighbour(grader_root, tmp_path,
                                                                           python_readable_by_others):
    nobody = 65534
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o777)
    subs = write_submissions(tmp_path / "subs", {**attackers(), "zz_reference": hostile.sources()["reference"]})
    for name in ("steals_the_reference", "kills_and_forges"):
        code, results, proc = grade_cli(grader_root, subs / name / "gan.py", out / f"{name}.json", user=nobody)
        assert_not_graded(code, results, "the grader's own user")
    book = subprocess.run([sys.executable, "-m", "instructor", "batch", str(subs), "--out", str(out / "book"),
                           "--isolation", "reduced", "--jobs", "2", *CLI_LIMITS], cwd=grader_root,
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, HOME=str(out)),
                          preexec_fn=lambda: (os.setgroups([]), os.setresgid(nobody, nobody, nobody),
                                              os.setresuid(nobody, nobody, nobody)))
    assert book.returncode == grade.GRADER_ERROR_EXIT, book.stdout + book.stderr
    for name in os.listdir(subs):
        results = json.loads(pathlib.Path(batch.results_path(out / "book", name)).read_text(encoding="utf-8"))
        assert results["score"] == 0 and "the grader's own user" in results["extra_data"]["grader_error"], name


# -- where it runs: as root, a uid of its own per job

@pytest.mark.slow
def test_as_root_a_search_of_the_whole_disk_finds_no_reference(grader_root, tmp_path, python_readable_by_others):
    """Copies of the reference lie all over this machine (this checkout, the grader copies of
    other tests): behind Landlock's walls a part finds none; without Landlock the report says
    that it could read the rest of the machine, and the search is kept to the grader's folder,
    which the reduced mode makes unreadable to the job's uid."""
    answers = load_answers(os.path.join(grader_root, score.PRIVATE))
    with make_pool(answers, mode="reduced", root=grader_root) as pool:
        pool.start()
        if pool.facts.part_uid is None:
            pytest.skip(f"parts would not run as a uid of their own here: {pool.facts.as_root}")
        where = "/" if pool.facts.landlock else grader_root
        path = write_submissions(tmp_path / "subs", {"stealer": hostile.append(hostile.finds_the_reference(where))(
            hostile.sources()["empty"])}) / "stealer" / "gan.py"
        report = grade.grade(str(path), "cpu", root=grader_root, pool=pool,
                               limits=Limits(part_timeout=60, import_timeout=60, memory_mb=2048))  # time for a walk through every folder it can open
    text = render.report_text(report)
    assert report["total"] == 0 and "found no solution on disk" in text and "ran the gan.py" not in text, text
    assert report["grader_error"] is None, text


def test_a_grader_that_did_not_finish_leaves_a_grader_error_not_the_results_it_found(tmp_path):
    """run_autograder's Python forges a full score in results.json and is killed: the student
    gets the grader's error, not the forged score."""
    forger = tmp_path / "python"
    forger.write_text('#!/bin/bash\nfor last; do :; done\n'
                      'printf \'{"score": 10, "tests": [], "output": "forged"}\' > "$last"\nkill -9 $$\n')
    os.chmod(forger, 0o755)
    _, results, _ = run_gradescope(tmp_path, os.path.join(ROOT, "gan.py"), python=str(forger))
    assert results["score"] == 0 and "did not finish (exit status 137)" in results["extra_data"]["grader_error"]
    assert "your code was not at fault" in results["output"]


def test_until_the_grading_is_over_the_results_say_it_is_not(tmp_path):
    """The grader writes a grader error at --results first; one killed mid-grading leaves it."""
    slow = tmp_path / "gan.py"
    slow.write_text("import time\ntime.sleep(60)\n")
    results = tmp_path / "results.json"
    start = time.time()
    proc = subprocess.Popen([sys.executable, "-m", "instructor", "grade", str(slow), "--results", str(results)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(600):
            if results.exists():
                break
            time.sleep(0.05)
        time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(1)  # its sandbox dies with it; the folder it would have removed is removed here
        for name in os.listdir("/tmp"):
            path = os.path.join("/tmp", name)
            if name.startswith("gan-sandbox-") and os.stat(path).st_mtime >= start:
                shutil.rmtree(path, ignore_errors=True)
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 0 and data["extra_data"]["grader_error"] == "RuntimeError: the grader did not finish"


@pytest.mark.parametrize("where", ["venv", "usr_local", "tmp", "autograder_source"])
def test_the_grader_folder_is_the_graders_alone_in_every_layout(tmp_path, monkeypatch, where):
    """protect() in each place a grader may be installed, the Python environment beside it or
    around it: every file of the grader becomes its owner's alone; the environment stays readable."""
    monkeypatch.setattr(reduced, "_PROTECTED", {})
    venv = tmp_path / "venv"
    grader = {"venv": venv / "grader", "usr_local": tmp_path / "usr" / "local" / "grader",
              "tmp": tmp_path / "tmp" / "grader", "autograder_source": tmp_path / "autograder" / "source"}[where]
    for path in (grader / "gan.py", grader / "instructor" / "gan-checks-private.npz", grader / ".venv" / "lib" / "os.py",
                 venv / "lib" / "site.py"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
        os.chmod(path, 0o644)
    held = reduced.protect([grader], keep=[venv, grader / ".venv"])
    mode = lambda p: os.stat(p).st_mode & 0o777  # noqa: E731
    assert mode(grader / "gan.py") == mode(grader / "instructor" / "gan-checks-private.npz") == 0o600
    assert mode(grader / ".venv" / "lib" / "os.py") == mode(venv / "lib" / "site.py") == 0o644
    reduced.unprotect(held)  # the last sandbox holding it has ended: every mode as it was
    assert mode(grader / "gan.py") == mode(grader / "instructor" / "gan-checks-private.npz") == 0o644


def test_modes_come_back_only_when_the_last_sandbox_holding_them_ends(tmp_path, monkeypatch):
    """Two jobs of a batch hold the grader's folder at once: the first to end gives nothing
    back (the other's parts still run); the second gives back every mode, and leaves a mode
    someone changed meanwhile as they set it."""
    monkeypatch.setattr(reduced, "_PROTECTED", {})
    grader = tmp_path / "grader"
    for rel, mode in (("gan.py", 0o644), ("run.sh", 0o755), ("notes.txt", 0o640), ("private.npz", 0o600)):
        (grader / rel).parent.mkdir(parents=True, exist_ok=True)
        (grader / rel).write_text("x")
        os.chmod(grader / rel, mode)
    before = {p.name: p.stat().st_mode for p in grader.iterdir()}
    first, second = reduced.protect([grader]), reduced.protect([grader])
    assert {p.name: p.stat().st_mode & 0o077 for p in grader.iterdir()} == dict.fromkeys(before, 0)
    reduced.unprotect(first)
    assert (grader / "gan.py").stat().st_mode & 0o077 == 0
    os.chmod(grader / "notes.txt", 0o400)  # the user's own change while grading
    reduced.unprotect(second)
    after = {p.name: p.stat().st_mode for p in grader.iterdir()}
    assert after == dict(before, **{"notes.txt": (before["notes.txt"] & ~0o777) | 0o400})
