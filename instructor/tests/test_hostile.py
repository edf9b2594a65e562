"""Hostile submissions against the sealed grader (instructor/tests/hostile.py).

All of them are graded as one batch, two at a time, beside an untouched reference
and an untouched empty release: each must score what its real code deserves, the
controls must keep their true scores, every results.json and the gradebook must
stay valid, and nothing may outlive the grading. These cases signal and kill every
process they can see, so they only ever run in the sealed mode.
"""
import contextlib
import csv
import json
import os
import pathlib
import sys
import time

import pytest

from autograder import course
from autograder.answers import load_answers
from autograder.produce import produce
from instructor import ROOT
from instructor.grader import batch, grade, render, score
from instructor.grader.run import make_pool
from instructor.sandbox import paths, reduced
from instructor.sandbox.bwrap import find_bwrap
from instructor.sandbox.limits import Limits
from instructor.sandbox.process import SandboxError
from instructor.tests import FULL, hostile
from instructor.tests.test_grading import copy_grader

LIMITS = Limits(part_timeout=20, import_timeout=10, memory_mb=2048)
BOUND = LIMITS.seconds(len(course.GROUPS))  # a grading's budget


@pytest.fixture(scope="module")
def grader_root(tmp_path_factory):
    return copy_grader(tmp_path_factory.mktemp("grader"))


@pytest.fixture(scope="module")
def sealed(grader_root):
    """Skip (fail in CI) where no sealed sandbox can be made: these cases must never run unsealed."""
    try:
        with make_pool(load_answers(os.path.join(grader_root, score.PRIVATE)), mode="sealed",
                               root=grader_root) as pool:
            pool.start()
    except SandboxError as err:
        if os.environ.get("CI"):
            pytest.fail(f"CI must grade sealed: {err}")
        pytest.skip(f"no sealed sandbox here: {err}")


def leftovers(since):
    """What a grading may not leave behind: processes and temporary files."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if comm == hostile.MARK or "gan/code/inside/__main__.py" in cmdline or "gan-sandbox-" in cmdline:
            found.append(f"process {pid}: {cmdline[:80]}")
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            try:
                new = os.lstat(path).st_ctime >= since  # what an earlier, interrupted run left is not this grading's
            except OSError:
                continue
            if new and (name.startswith((hostile.MARK, "gan-sandbox-")) or name.endswith((".py", ".pth", ".json"))):
                found.append(f"file {path}")
    return found


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory, grader_root, sealed):
    folder = tmp_path_factory.mktemp("submissions")
    sources = hostile.sources()
    hostile.write(str(folder), hostile.CASES, {"zz_reference": sources["reference"], "zz_empty": sources["empty"]})
    out = tmp_path_factory.mktemp("gradebook")
    start = time.time()
    reports = batch.grade_all(batch.find_submissions(str(folder)), str(out), jobs=2, root=grader_root,
                              isolation="sealed", limits=LIMITS)
    seconds = time.time() - start
    results = {s: pathlib.Path(batch.results_path(out, s)).read_bytes() for s in reports}
    time.sleep(3)  # a daemon that outlived its sandbox would act now
    return reports, out, results, leftovers(start), seconds


def table(hostile_batch):
    """The closing note's table: case, mode, score, seconds."""
    reports, *_ = hostile_batch
    return "\n".join(f"| {s} | {r['isolation']['mode']} | {r['total']:g}/{FULL} | {r['seconds']:.1f} s |"
                     for s, r in sorted(reports.items()))


@pytest.mark.slow
@pytest.mark.parametrize("case", hostile.CASES, ids=[c.name for c in hostile.CASES])
def test_hostile_submission_scores_what_its_code_deserves(case, hostile_batch):
    reports, *_ = hostile_batch
    report = reports[case.name]
    text = render.report_text(report)
    assert report["isolation"]["mode"] == "sealed" and report["grader_error"] is None, text
    assert {p["part"]: p["points"] for p in report["parts"]} == hostile.expected_points(case, course.POINTS), text
    assert case.phrase in text, text
    assert len(text) < 60_000  # floods are truncated
    assert report["seconds"] < BOUND


@pytest.mark.slow
def test_untouched_submissions_beside_the_attacks_keep_their_true_scores(hostile_batch):
    reports, *_ = hostile_batch
    print("\n| case | mode | score | seconds |\n|---|---|---|---|\n" + table(hostile_batch))
    assert reports["zz_reference"]["total"] == FULL, render.report_text(reports["zz_reference"])
    assert reports["zz_empty"]["total"] == 0


@pytest.mark.slow
def test_results_and_gradebook_stay_valid_and_unchanged(hostile_batch):
    reports, out, results, _, _ = hostile_batch
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == set(reports)
    for student, written in results.items():
        data = json.loads(written.decode("utf-8"))  # strict UTF-8, valid JSON
        assert data["score"] == float(rows[student]["total"]) == reports[student]["total"]
        assert pathlib.Path(batch.results_path(out, student)).read_bytes() == written, f"{student}'s results.json changed later"


@pytest.mark.slow
def test_nothing_outlives_a_grading(hostile_batch):
    *_, found, _ = hostile_batch
    assert not found, found


@pytest.mark.slow
def test_a_poisoner_cannot_reach_the_next_submission(tmp_path, grader_root, sealed):
    """Graded one after another in the same sandbox: whatever the first leaves, the
    next two never see."""
    sources = hostile.sources()
    poisoner = next(c for c in hostile.CASES if c.name == "poisons_the_next_submission")
    hostile.write(str(tmp_path / "subs"), [poisoner._replace(name="a_poisoner")],
                  {"b_empty": sources["empty"], "c_reference": sources["reference"]})
    start = time.time()
    reports = batch.grade_all(batch.find_submissions(str(tmp_path / "subs")), str(tmp_path / "out"), jobs=1,
                              root=grader_root, isolation="sealed", limits=LIMITS)
    assert "planted" in reports["a_poisoner"]["status"]["import"]["output"]  # it did plant its files, in its sandbox
    assert {s: r["total"] for s, r in reports.items()} == {"a_poisoner": 0, "b_empty": 0, "c_reference": FULL}
    assert not leftovers(start)


def test_the_lookup_table_is_a_real_attack_on_the_public_answers():
    """Judged against the public answer file it was built from, the table scores every part but
    the two with nothing stored to look up (the noise, the optimizer) with no implementation at
    all; the grader's private inputs leave it nothing."""
    import importlib.util

    case = next(c for c in hostile.CASES if c.name == "lookup_table_of_public_answers")
    scores = {}
    for which, path in (("public", os.path.join(ROOT, "gan-checks.npz")), ("private", score.ANSWERS)):
        answers = load_answers(path)
        spec = importlib.util.spec_from_loader("gan_lookup", loader=None)
        module = importlib.util.module_from_spec(spec)
        exec(compile(case.edit(hostile.sources()["empty"]), "gan.py", "exec"), module.__dict__)
        produced = {part: produce(part, module, "cpu", answers) for part in course.PARTS}
        scores[which] = sum(p["points"] for p in score.score(produced, answers)[0])
    assert scores == {"public": FULL - course.POINTS["noise"] - course.POINTS["optimizer"], "private": 0}


@pytest.mark.slow
def test_the_answer_file_forger_works_wherever_the_file_is_readable(tmp_path, grader_root, sealed, monkeypatch):
    """The forger of the suite, in the reduced mode with the private answers readable
    by anyone and its walls opened to the whole disk: it forges every part an answer
    file covers. Sealed, it finds nothing."""
    readable = tmp_path / "exposed"
    readable.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(readable, 0o755)
    exposed = readable / "answers.npz"
    exposed.write_bytes(open(os.path.join(grader_root, score.PRIVATE), "rb").read())
    os.chmod(exposed, 0o644)
    forger = next(c for c in hostile.CASES if c.name == "forges_from_answer_file")
    path = tmp_path / "gan.py"
    path.write_text(forger.edit(hostile.sources()["empty"]))
    answers = load_answers(str(exposed))
    monkeypatch.setattr(paths, "REDUCED_READABLE", paths.REDUCED_READABLE + ["/"])
    totals = {}
    for mode in ("reduced", "sealed"):
        with make_pool(answers, mode=mode, root=grader_root, trust=True) as pool:
            totals[mode] = grade.grade(str(path), "cpu", answers=answers, root=grader_root, pool=pool, limits=LIMITS)["total"]
    # everything but the noise, which no answer file holds
    assert totals == {"reduced": FULL - course.POINTS["noise"], "sealed": 0}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sealed", "reduced"])
def test_student_code_can_make_no_namespace_so_the_next_grading_stays_sealed(tmp_path, grader_root, mode):
    if mode == "sealed" and not find_bwrap():
        pytest.skip("bubblewrap is not installed")
    with open(os.path.join(ROOT, "gan.py")) as f:
        (tmp_path / "gan.py").write_text(hostile.NAMESPACE_SPENDER + f.read())
    answers = load_answers(os.path.join(grader_root, score.PRIVATE))
    with make_pool(answers, mode=mode, root=grader_root, trust=True) as pool:  # it attacks no file
        first = grade.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)
        after = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)
    assert "namespaces made: 0, refused with errno 1" in first["status"]["import"]["output"]
    assert first["total"] == after["total"] == FULL and after["isolation"]["mode"] == mode


# -- the reduced mode, as root: each job's parts as a uid of their own


@pytest.fixture
def python_readable_by_others():
    """The reduced mode drops parts to a uid of their own only where that uid can read the
    Python environment; a Python under /root (mode 0700) is not: let others pass through
    /root (not read it) for the test's length."""
    if os.geteuid() != 0:
        pytest.skip("parts get a uid of their own only when the grader is root")
    with passable(os.path.realpath(sys.base_prefix)):
        yield


@contextlib.contextmanager
def passable(path):
    """Let others pass through (not read) every folder above `path`, for the block's length."""
    opened = []
    while path != "/":
        path = os.path.dirname(path)
        mode = os.stat(path).st_mode & 0o777
        if not mode & 0o001:
            os.chmod(path, mode | 0o001)
            opened.append((path, mode))
    try:
        yield
    finally:
        for path, mode in opened:
            os.chmod(path, mode)


def test_protect_leaves_files_readable_by_their_owner_only(tmp_path, monkeypatch):
    monkeypatch.setattr(reduced, "_PROTECTED", {})
    for rel in ("grader/gan.py", "grader/autograder/course.py", "grader/venv/lib/os.py", "answers.npz"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
        os.chmod(tmp_path / rel, 0o644)
    reduced.protect([tmp_path / "grader", tmp_path / "answers.npz"], keep=[tmp_path / "grader" / "venv"])
    mode = {rel: os.stat(tmp_path / rel).st_mode & 0o777
            for rel in ("grader/gan.py", "grader/autograder/course.py", "grader/venv/lib/os.py", "answers.npz")}
    assert mode == {"grader/gan.py": 0o600, "grader/autograder/course.py": 0o600, "grader/venv/lib/os.py": 0o644,
                    "answers.npz": 0o600}
    assert os.stat(tmp_path / "grader").st_mode & 0o005 == 0o005  # folders stay passable


@pytest.mark.slow
def test_reduced_mode_as_root_keeps_each_job_apart_and_cleans_up(tmp_path, grader_root, python_readable_by_others):
    """Without bubblewrap, as root: the stealer finds the grader's reference unreadable, the
    killer reaches only its own job, the daemon dies with its submission, and no SysV
    segment or /tmp, /var/tmp, /dev/shm file outlives the grading."""
    answers = load_answers(os.path.join(grader_root, score.PRIVATE))
    with make_pool(answers, mode="reduced", root=grader_root) as pool:
        pool.start()
        if pool.facts.part_uid is None:  # never run the killer as root
            pytest.skip(f"parts would run as root here: {pool.facts.as_root}")
    sources = hostile.sources()
    cases = [c for c in hostile.SEALED_ATTACKS if c.name in ("kills_and_stops_everything", "daemon_rewrites_results")]
    cases += [hostile.Case("steals_the_reference", "empty", hostile.append(hostile.finds_the_reference(grader_root)),
                           {}, "found no solution on disk"),
              hostile.Case("leaves_ipc_and_files", "empty", hostile.append(hostile.LEAVES_IPC_AND_FILES), {},
                           "made a SysV segment")]
    hostile.write(str(tmp_path / "subs"), cases, {"zz_reference": sources["reference"]})
    ipc_before = set(reduced._ipc_objects())
    mode_before = os.stat(os.path.join(grader_root, "gan.py")).st_mode
    start = time.time()
    reports = batch.grade_all(batch.find_submissions(str(tmp_path / "subs")), str(tmp_path / "out"), jobs=2,
                              root=grader_root, isolation="reduced", limits=LIMITS)
    time.sleep(2)  # a daemon that outlived its submission would write now
    for name, report in reports.items():
        text = render.report_text(report)
        assert report["isolation"]["mode"] == "reduced" and report["isolation"]["uid"] is not None, text
        assert report["total"] == (FULL if name == "zz_reference" else 0), text
        assert report["grader_error"] is None, text
    for case in cases:
        assert case.phrase in render.report_text(reports[case.name])
    uids = {r["isolation"]["uid"] for r in reports.values()}
    assert len(uids) >= 2 and 0 not in uids  # two jobs, two uids
    # the reference was the grader's alone while code ran (the stealer found nothing), and has its mode back now
    assert os.stat(os.path.join(grader_root, "gan.py")).st_mode == mode_before
    assert not [p for p in map(int, filter(str.isdigit, os.listdir("/proc"))) if reduced._uids(p) & uids]
    assert not [k for k, owner in reduced._ipc_objects().items() if k not in ipc_before and owner in uids]
    assert not leftovers(start)
    for student in reports:
        data = json.loads(pathlib.Path(batch.results_path(tmp_path / "out", student)).read_text(encoding="utf-8"))
        assert data["score"] == reports[student]["total"] and data["extra_data"]["isolation"]["mode"] == "reduced"
