"""The grading command, the student release, the Gradescope bundle, the batch grader,
and hostile submissions, all run end to end on copies of the grader's files."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
import torch

from instructor import batch, gradescope, grading, release
from instructor.tests import hostile
from tests import checks

ROOT = grading.ROOT
# Generous for a loaded 2-core machine; the hung cases cost this much.
LIMITS = {"part_timeout": 30, "import_timeout": 15, "memory_mb": 2048}


@pytest.fixture(scope="module")
def grader_root(tmp_path_factory):
    """A copy of the grader's files (what a Gradescope bundle holds), for submissions to attack."""
    root = tmp_path_factory.mktemp("grader")
    for rel in ["gan-checks.npz", "gan.py"]:
        shutil.copyfile(os.path.join(ROOT, rel), root / rel)
    for folder in ["tests", "instructor"]:
        shutil.copytree(os.path.join(ROOT, folder), root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "tests") if folder == "instructor"
                        else shutil.ignore_patterns("__pycache__"))
    return str(root)


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "gan-assignment"
    release.build(str(out))
    return out


def points(report):
    return {p["part"]: p["points"] for p in report["parts"]}


def full_marks():
    return dict(grading.POINTS)


# -- points and reports ---------------------------------------------------------

def test_points_are_the_specified_ones():
    assert grading.POINTS == {"noise": 1, "discriminator": 1, "generator": 1, "gan_loss": 2, "optimizer": 1,
                              "lsgan_loss": 2, "dc_classifier": 1, "dc_generator": 1}
    assert sum(grading.POINTS.values()) == 10 and sum(grading.MANUAL.values()) == 3


def test_reference_solution_scores_10_of_10(grader_root, tmp_path):
    report = grading.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, **LIMITS)
    assert points(report) == full_marks() and report["total"] == 10, grading.report_text(report)
    assert not report["tampered"]
    results = grading.gradescope_results(report)
    assert results["score"] == 10 and isinstance(results["execution_time"], float)
    assert len(results["tests"]) == 8
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] == "passed" and test["visibility"] == "visible"
    json.dumps(results)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_reference_solution_scores_the_same_on_cuda(grader_root):
    report = grading.grade(os.path.join(ROOT, "gan.py"), "cuda", root=grader_root, **LIMITS)
    assert points(report) == full_marks(), grading.report_text(report)


def test_partial_credit_is_per_function():
    import types

    import gan as reference
    from instructor.tests import variants

    def points_with(replacements):
        module = types.ModuleType("gan_variant")
        module.__dict__.update(vars(reference), **replacements)
        produced = {part: checks.produce(part, module, "cpu", answers) for part in ("gan_loss", "lsgan_loss")}
        return {p["part"]: p["points"] for p in grading.score(produced, answers)[0] if p["part"] in produced}

    answers = grading.load_answers()
    assert points_with({}) == {"gan_loss": 2, "lsgan_loss": 2}
    # One wrong function of two: half the part's points; the other loss part is untouched.
    assert points_with({"generator_loss": variants.generator_loss_saturating}) == {"gan_loss": 1, "lsgan_loss": 2}
    assert points_with({"ls_discriminator_loss": variants.ls_discriminator_loss_no_half,
                        "ls_generator_loss": variants.ls_generator_loss_wrong_target}) == {"gan_loss": 2, "lsgan_loss": 0}
    parts, _ = grading.score({}, answers)
    assert all(p["points"] == 0 for p in parts)  # nothing produced, nothing earned


# -- the student release ----------------------------------------------------------

def solution_only_lines():
    """Lines of the reference blocks (code and answers) that appear nowhere else in what ships."""
    with open(os.path.join(ROOT, "gan.py")) as f:
        source = f.read()
    with open(os.path.join(ROOT, "GANs-PyTorch.ipynb")) as f:
        notebook = json.load(f)
    md = "\n".join("".join(c["source"]) for c in notebook["cells"])
    inside = "".join(release.solution_blocks(source))
    inside += "".join(i for _, i in release.split_blocks(md, release.SOLUTION_START, release.SOLUTION_END) if i)
    outside = release.strip_code(source) + "".join(o for o, _ in release.split_blocks(
        md, release.SOLUTION_START, release.SOLUTION_END))
    outside_lines = {line.strip() for line in outside.splitlines()}
    return {line.strip() for line in inside.splitlines()
            if any(ch.isalnum() for ch in line) and line.strip() not in outside_lines}


def test_release_contains_no_solution_line(release_dir):
    secret = solution_only_lines()
    assert len(secret) >= 30  # the blocks really hold code
    for base, _, names in os.walk(release_dir):
        for name in names:
            path = os.path.join(base, name)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except UnicodeDecodeError:
                continue
            if name.endswith(".ipynb"):
                text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
            leaked = {line.strip() for line in text.splitlines()} & secret
            assert not leaked, (path, sorted(leaked)[:5])


def test_release_holds_what_students_need_and_no_instructor_files(release_dir):
    files = {os.path.relpath(os.path.join(b, n), release_dir) for b, _, ns in os.walk(release_dir) for n in ns}
    assert set(release.FILES) | {"README.md"} == files
    assert not any(f.startswith("instructor") for f in files)
    assert os.path.exists(str(release_dir) + ".zip")
    with zipfile.ZipFile(str(release_dir) + ".zip") as zf:
        assert {n.split("/", 1)[1] for n in zf.namelist() if not n.endswith("/")} == files


def test_release_imports_and_its_notebook_is_clean(release_dir):
    out = subprocess.run([sys.executable, "-c", "import gan; print(gan.run_a_gan.__name__, gan.bce_loss.__name__,"
                          " gan.Flatten.__name__, gan.discriminator())"],
                         cwd=release_dir, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["run_a_gan", "bce_loss", "Flatten", "None"]
    nb = nbformat.read(str(release_dir / "GANs-PyTorch.ipynb"), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        assert "SOLUTION" not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_unfilled_release_scores_0_with_not_implemented_messages(release_dir, grader_root):
    report = grading.grade(str(release_dir / "gan.py"), "cpu", root=grader_root, **LIMITS)
    assert report["total"] == 0, grading.report_text(report)
    for part in report["parts"]:
        for name, ok, message in part["checks"]:
            assert not ok and "not implemented yet" in message, (name, message)
            assert "Traceback" not in message
    assert "not implemented yet" in grading.report_text(report)


def test_release_with_the_reference_blocks_pasted_back_scores_10(release_dir, grader_root, tmp_path):
    with open(os.path.join(ROOT, "gan.py")) as f:
        blocks = release.solution_blocks(f.read())
    with open(release_dir / "gan.py") as f:
        filled = release.fill_code(f.read(), blocks)
    (tmp_path / "gan.py").write_text(filled)
    report = grading.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, **LIMITS)
    assert report["total"] == 10, grading.report_text(report)


def test_release_grading_tests_fail_cleanly_with_pytest(release_dir):
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-k", "cpu and discriminator", "-p",
                          "no:cacheprovider"], cwd=release_dir, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert "discriminator() returned None: it is not implemented yet" in out.stdout
    assert "Traceback" not in out.stdout


# -- Gradescope -------------------------------------------------------------------

def test_gradescope_bundle_grades_in_a_simulated_autograder_layout(tmp_path):
    bundle = gradescope.build(str(tmp_path / "autograder.zip"))
    names = zipfile.ZipFile(bundle).namelist()
    assert "setup.sh" in names and "run_autograder" in names and "gan.py" not in names
    root = tmp_path / "autograder"
    zipfile.ZipFile(bundle).extractall(root / "source")
    os.chmod(root / "source" / "run_autograder", 0o755)
    (root / "submission").mkdir()
    shutil.copyfile(os.path.join(ROOT, "gan.py"), root / "submission" / "gan.py")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    out = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 10 and len(results["tests"]) == 8


def test_gradescope_reports_a_missing_submission(tmp_path):
    bundle = gradescope.build(str(tmp_path / "autograder.zip"))
    root = tmp_path / "autograder"
    zipfile.ZipFile(bundle).extractall(root / "source")
    (root / "submission").mkdir()
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "no gan.py was found" in results["tests"][0]["output"]


# -- hostile submissions, graded as a batch ----------------------------------------

@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory, grader_root):
    folder = tmp_path_factory.mktemp("submissions")
    cases = hostile.CASES + (hostile.CUDA_CASES if torch.cuda.is_available() else [])
    hostile.write(str(folder), grader_root, cases)
    (folder / "zz_reference").mkdir()
    shutil.copyfile(os.path.join(ROOT, "gan.py"), folder / "zz_reference" / "gan.py")
    out = tmp_path_factory.mktemp("gradebook")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    before = {rel: open(os.path.join(grader_root, rel), "rb").read()
              for rel in ["gan-checks.npz", "tests/checks.py", "tests/test_parts.py"]}
    reports = batch.grade_all(batch.find_submissions(str(folder)), str(out), jobs=2, device=device,
                              root=grader_root, **LIMITS)
    for rel, data in before.items():  # the grader's files are intact afterwards
        assert open(os.path.join(grader_root, rel), "rb").read() == data, rel
    return reports, out


@pytest.mark.slow
@pytest.mark.parametrize("case", hostile.CASES, ids=[c[0] for c in hostile.CASES])
def test_hostile_submission_gets_a_complete_fair_report(case, hostile_reports):
    name, _, expected, phrase = case
    reports, _ = hostile_reports
    report = reports[name]
    want = dict(full_marks(), **expected)
    text = grading.report_text(report)
    assert points(report) == want, text
    if name != "overwrites_answer_and_test_files":  # in a batch, another grading may restore the files first
        assert phrase in text, text
    assert len(text) < 50_000  # floods are truncated
    bound = LIMITS["import_timeout"] + len(checks.GROUPS) * (LIMITS["part_timeout"] + 2) + 60
    assert report["seconds"] < bound


@pytest.mark.slow
def test_overwritten_grader_files_are_restored_and_reported(grader_root):
    case = next(c for c in hostile.CASES if c[0] == "overwrites_answer_and_test_files")
    folder = os.path.join(grader_root, "..", "overwrite-alone")
    hostile.write(folder, grader_root, [case])
    report = grading.grade(os.path.join(folder, case[0], "gan.py"), "cpu", root=grader_root, **LIMITS)
    assert points(report) == dict(full_marks(), discriminator=0)
    assert {"gan-checks.npz", "tests/checks.py", "tests/test_parts.py"} <= set(report["tampered"])
    assert "were restored" in grading.report_text(report)
    with open(os.path.join(grader_root, "gan-checks.npz"), "rb") as f, open(os.path.join(ROOT, "gan-checks.npz"), "rb") as g:
        assert f.read() == g.read()


@pytest.mark.slow
def test_batch_writes_a_gradebook_and_results(hostile_reports):
    reports, out = hostile_reports
    with open(out / "gradebook.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == set(reports)
    assert float(rows["zz_reference"]["total"]) == 10
    assert float(rows["syntax_error"]["total"]) == 0
    for student in reports:
        results = json.loads((out / student / "results.json").read_text())
        assert results["score"] == float(rows[student]["total"])


@pytest.mark.slow
def test_patched_pytest_reporting_cannot_pass_an_isolated_pytest_run(tmp_path, grader_root):
    name, edit, _, _ = next(c for c in hostile.CASES if c[0] == "patches_pytest_reporting")
    with open(os.path.join(ROOT, "gan.py")) as f:
        (tmp_path / "gan.py").write_text(edit(f.read(), grader_root))
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "--isolate", "--gan", str(tmp_path / "gan.py"),
                          "-q", "-k", "cpu and dc_generator", "-p", "no:cacheprovider"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 1 and "1 failed" in out.stdout, out.stdout[-2000:]
