"""Hostile submissions against the sealed grader (instructor/tests/hostile.py).

All of them are graded as one batch, two at a time, beside an untouched reference
and an untouched empty release: each must score what its real code deserves, the
controls must keep their true scores, every results.json and the gradebook must
stay valid, and nothing may outlive the grading. These cases signal and kill every
process they can see, so they only ever run in the sealed mode.
"""
import csv
import json
import os
import time

import pytest

from instructor import batch, budget, grading, isolation
from instructor.tests import hostile
from instructor.tests.test_grading import copy_grader
from tests import checks, produce

ROOT = grading.ROOT
LIMITS = {"part_timeout": 20, "import_timeout": 10, "memory_mb": 2048}
BOUND = LIMITS["import_timeout"] + len(checks.GROUPS) * (LIMITS["part_timeout"] + 3) + 15  # a grading's budget


@pytest.fixture(scope="module")
def grader_root(tmp_path_factory):
    return copy_grader(tmp_path_factory.mktemp("grader"))


@pytest.fixture(scope="module")
def sealed(grader_root):
    """Skip (fail in CI) where no sealed sandbox can be made: these cases must never run unsealed."""
    try:
        with grading.make_pool(grading.load_answers(os.path.join(grader_root, grading.PRIVATE)), mode="sealed",
                               root=grader_root) as pool:
            pool.start()
    except isolation.SandboxError as err:
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
        if comm == hostile.MARK or "gan/code/sandbox.py" in cmdline or "gan-sandbox-" in cmdline:
            found.append(f"process {pid}: {cmdline[:80]}")
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            if name.startswith((hostile.MARK, "gan-sandbox-")) or (
                    name.endswith((".py", ".pth", ".json")) and os.path.getmtime(path) >= since):
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
                              isolation="sealed", **LIMITS)
    seconds = time.time() - start
    results = {s: (out / s / "results.json").read_bytes() for s in reports}
    time.sleep(3)  # a daemon that outlived its sandbox would act now
    return reports, out, results, leftovers(start), seconds


def table(hostile_batch):
    """The closing note's table: case, mode, score, seconds."""
    reports, *_ = hostile_batch
    return "\n".join(f"| {s} | {r['isolation']['mode']} | {r['total']:g}/10 | {r['seconds']:.1f} s |"
                     for s, r in sorted(reports.items()))


@pytest.mark.slow
@pytest.mark.parametrize("case", hostile.CASES, ids=[c.name for c in hostile.CASES])
def test_hostile_submission_scores_what_its_code_deserves(case, hostile_batch):
    reports, *_ = hostile_batch
    report = reports[case.name]
    text = grading.report_text(report)
    assert report["isolation"]["mode"] == "sealed" and report["grader_error"] is None, text
    assert {p["part"]: p["points"] for p in report["parts"]} == hostile.expected_points(case, grading.POINTS), text
    assert case.phrase in text, text
    assert len(text) < 60_000  # floods are truncated
    assert report["seconds"] < BOUND


@pytest.mark.slow
def test_untouched_submissions_beside_the_attacks_keep_their_true_scores(hostile_batch):
    reports, *_ = hostile_batch
    print("\n| case | mode | score | seconds |\n|---|---|---|---|\n" + table(hostile_batch))
    assert reports["zz_reference"]["total"] == 10, grading.report_text(reports["zz_reference"])
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
        assert (out / student / "results.json").read_bytes() == written, f"{student}'s results.json changed later"


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
                              root=grader_root, isolation="sealed", **LIMITS)
    assert "planted" in reports["a_poisoner"]["status"]["import"]["output"]  # it did plant its files, in its sandbox
    assert {s: r["total"] for s, r in reports.items()} == {"a_poisoner": 0, "b_empty": 0, "c_reference": 10}
    assert not leftovers(start)


def test_the_lookup_table_is_a_real_attack_on_the_public_answers():
    """Judged against the public answer file it was built from, the table scores 8/10
    with no implementation at all; the grader's private inputs leave it nothing."""
    import importlib.util

    case = next(c for c in hostile.CASES if c.name == "lookup_table_of_public_answers")
    scores = {}
    for which, path in (("public", os.path.join(grading.ROOT, "gan-checks.npz")), ("private", grading.ANSWERS)):
        answers = grading.load_answers(path)
        spec = importlib.util.spec_from_loader("gan_lookup", loader=None)
        module = importlib.util.module_from_spec(spec)
        exec(compile(case.edit(hostile.sources()["empty"]), "gan.py", "exec"), module.__dict__)
        produced = {part: produce.produce(part, module, "cpu", answers) for part in checks.PARTS}
        scores[which] = sum(p["points"] for p in grading.score(produced, answers)[0])
    assert scores == {"public": 8, "private": 0}


@pytest.mark.slow
def test_the_answer_file_forger_works_wherever_the_file_is_readable(tmp_path, grader_root, sealed):
    """The forger of the suite, in the reduced mode with the private answers readable
    by anyone: it forges every part an answer file covers. Sealed, it finds nothing."""
    readable = tmp_path / "exposed"
    readable.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(readable, 0o755)
    exposed = readable / "answers.npz"
    exposed.write_bytes(open(os.path.join(grader_root, grading.PRIVATE), "rb").read())
    os.chmod(exposed, 0o644)
    forger = next(c for c in hostile.CASES if c.name == "forges_from_answer_file")
    path = tmp_path / "gan.py"
    path.write_text(forger.edit(hostile.sources()["empty"]))
    answers = grading.load_answers(str(exposed))
    totals = {}
    for mode in ("reduced", "sealed"):
        with grading.make_pool(answers, mode=mode, root=grader_root) as pool:
            totals[mode] = grading.grade(str(path), "cpu", answers=answers, root=grader_root, pool=pool,
                                         **LIMITS)["total"]
    assert totals == {"reduced": 9, "sealed": 0}  # everything but the noise, which no answer file holds


NAMESPACE_SPENDER = """
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
made = 0
for _ in range(2000):  # each namespace counts against a limit per user of the whole machine
    if _libc.unshare(0x04000000 | 0x08000000) == 0:  # CLONE_NEWUTS | CLONE_NEWIPC
        made += 1
print(f"namespaces made: {made}, refused with errno {ctypes.get_errno()}")
"""


@pytest.mark.parametrize("mode", ["sealed", "reduced"])
def test_student_code_can_make_no_namespace_so_the_next_grading_stays_sealed(tmp_path, grader_root, mode):
    if mode == "sealed" and not isolation.find_bwrap():
        pytest.skip("bubblewrap is not installed")
    with open(os.path.join(ROOT, "gan.py")) as f:
        (tmp_path / "gan.py").write_text(NAMESPACE_SPENDER + f.read())
    answers = grading.load_answers(os.path.join(grader_root, grading.PRIVATE))
    with grading.make_pool(answers, mode=mode, root=grader_root) as pool:
        first = grading.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, pool=pool, **LIMITS)
        after = grading.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, **LIMITS)
    assert "namespaces made: 0, refused with errno 1" in first["status"]["import"]["output"]
    assert first["total"] == after["total"] == 10 and after["isolation"]["mode"] == mode


MEMFD_HOARDER = """
import os, time
def _hoard():  # memory no RLIMIT_AS sees: 60 MB memfds, none mapped, held by children
    fds = []
    for i in range(60):
        fd = os.memfd_create(f"hoard{i}")
        os.write(fd, b"x" * (60 << 20))
        fds.append(fd)
        if i % 10 == 9 and os.fork() == 0:
            time.sleep(600)
    time.sleep(600)
"""


@pytest.mark.skipif(budget.available() is not None, reason=f"no cgroup here: {budget.available()}")
def test_hidden_memory_is_the_hoarders_loss_not_its_neighbours(tmp_path, grader_root):
    folder = tmp_path / "subs"
    for name in ("hoarder", "neighbour"):
        (folder / name).mkdir(parents=True)
    reference = hostile.sources()["reference"]
    hoard = hostile.chain(hostile.append(MEMFD_HOARDER), hostile.block("sample_noise", "_hoard()"))
    (folder / "hoarder" / "gan.py").write_text(hoard(reference))
    (folder / "neighbour" / "gan.py").write_text(reference)
    limits = dict(LIMITS, memory_mb=512)  # each sandbox's cgroup: 512 MB + what torch needs
    reports = batch.grade_all(batch.find_submissions(str(folder)), str(tmp_path / "out"), jobs=2, root=grader_root,
                              isolation="sealed", **limits)
    assert reports["neighbour"]["total"] == 10, grading.report_text(reports["neighbour"])
    hoarder = {p["part"]: p for p in reports["hoarder"]["parts"]}
    assert hoarder["noise"]["points"] == 0 and reports["hoarder"]["total"] == 9
    assert "went over the 2,048 MB of memory that all the processes of a submission share" in \
        hoarder["noise"]["checks"][0][2], hoarder["noise"]["checks"][0]
    assert reports["hoarder"]["grader_error"] is None
