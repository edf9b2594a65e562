"""The grading command, the student release, the Gradescope bundle and the batch grader,
run end to end on a copy of the grader's files. Hostile submissions: test_hostile.py."""
import csv
import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
import torch
import torchvision

from autograder import course
from autograder.answers import load_answers
from autograder.judge import CHECKS
from autograder.produce import produce
from autograder.produce.importing import import_student
from instructor import ROOT
from instructor.course import gradescope, release, translations
from instructor.grader import batch, grade, markers, render, score
from instructor.grader.guard import Guard
from instructor.grader.run import GRADER_FAULT, make_pool
from instructor.measure import budget, gradescope_budget
from instructor.sandbox import cgroup, reduced
from instructor.sandbox import pool as sandbox_pool
from instructor.sandbox.bwrap import find_bwrap
from instructor.sandbox.pool import Pool
from instructor.tests import FULL, languages
from instructor.sandbox.limits import Limits

LIMITS = Limits(part_timeout=30, import_timeout=15, memory_mb=2048)


def copy_grader(root):
    """The grader's files (what a Gradescope bundle holds, and the public answer file)."""
    for rel in ["gan-checks.npz", "gan.py"]:
        shutil.copyfile(os.path.join(ROOT, rel), os.path.join(root, rel))
    for folder in ["autograder", "tests", "instructor", "quality"]:
        shutil.copytree(os.path.join(ROOT, folder), os.path.join(root, folder),
                        ignore=shutil.ignore_patterns("__pycache__", "tests") if folder == "instructor"
                        else shutil.ignore_patterns("__pycache__"))
    return str(root)


@pytest.fixture(scope="module")
def grader_root(tmp_path_factory):
    return copy_grader(tmp_path_factory.mktemp("grader"))


@pytest.fixture(scope="module")
def warm_pool(grader_root):
    """One sandbox kept warm for a module's gradings of ordinary files, as `batch` keeps one for
    a class (a cold start costs about 3 s); tests of the sandbox's own start make their own."""
    with make_pool(load_answers(os.path.join(grader_root, score.PRIVATE)), "cpu", root=grader_root) as pool:
        yield pool


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "gan-assignment"
    release.build(str(out))
    return out


def points(report):
    return {p["part"]: p["points"] for p in report["parts"]}


# -- points and reports ---------------------------------------------------------

def test_every_part_and_question_has_points_defined_once():
    """POINTS and MANUAL are the grader's and the student tools' one source: every graded part and
    each of the notebook's questions has an entry, nothing else does, and none is negative."""
    assert set(course.POINTS) == set(course.GRADED) and all(v >= 0 for v in course.POINTS.values())
    assert set(course.MANUAL) == {f"Q{i}" for i in range(1, 7)} and all(v >= 0 for v in course.MANUAL.values())


def test_reference_solution_scores_full_marks(grader_root, warm_pool, tmp_path):
    report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert points(report) == course.POINTS and report["total"] == FULL, render.report_text(report)
    assert report["grader_error"] is None and not report["tampered"]
    assert report["isolation"]["mode"] in ("sealed", "reduced")
    results = render.gradescope_results(report)
    assert results["score"] == FULL and isinstance(results["execution_time"], float)
    assert len(results["tests"]) == len(course.GRADED)
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "output_format", "visibility"}
        trained = test["name"] == course.PART_TITLES["trained"]  # no trained generator handed in: shown, 0 of 0
        assert test["status"] == ("failed" if trained else "passed") and test["visibility"] == "visible"
    assert "no dcgan_generator.pt was handed in" in results["tests"][-1]["output"]
    render.write_json(str(tmp_path / "results.json"), results)
    assert json.loads((tmp_path / "results.json").read_bytes().decode("utf-8"))["score"] == FULL


def test_gradescope_output_names_every_check_and_renders_as_markdown(release_dir, grader_root, warm_pool):
    report = grade.grade(str(release_dir / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    results = render.gradescope_results(report)
    assert results["output_format"] == results["test_output_format"] == "md"
    noise = results["tests"][0]
    lines = noise["output"].splitlines()
    assert len(lines) == len(CHECKS["noise"]) and noise["output_format"] == "md"
    assert lines[0].startswith("- **FAIL** `noise_shape_and_dtype`: sample\\_noise() returned None") or \
        lines[0].startswith("- **FAIL** `noise_shape_and_dtype`: sample_noise() returned None")
    assert lines[1] == "- **FAIL** `noise_range_and_signs`: not checked: the same failure as noise_shape_and_dtype above"
    table = [line for line in results["output"].splitlines() if line.startswith("| ")]
    assert table[0] == "| part | points | first failure |" and len(table) == 1 + len(course.GRADED) + 1  # and total


def test_markdown_output_escapes_what_a_submission_wrote():
    assert render.md_text("<img src=x onerror=alert(1)> [link](http://x) *bold* _it_") == \
        "\\<img src=x onerror=alert(1)\\> \\[link\\](http://x) \\*bold\\* \\_it\\_"
    assert render.md_text("sample_noise(64, 32)") == "sample_noise(64, 32)"  # still reads plainly
    assert render.md_block("```\nrm -rf\n```").startswith("````\n")


def test_the_grader_smoke_tests_with_the_provided_loop_not_the_files_own(grader_root, warm_pool, tmp_path):
    with open(os.path.join(ROOT, "gan.py")) as f:
        source = f.read()
    source += ("\n\ndef run_a_gan(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train,\n"
               "              show_every=250, batch_size=128, noise_size=96, num_epochs=10):\n"
               "    raise RuntimeError('the file brought its own loop')\n")
    (tmp_path / "gan.py").write_text(source)
    report = grade.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == FULL and all(ok for _, ok, _ in report["training_smoke"]), render.report_text(report)


MODULE_LEVEL_CALL = ("\n\ndef test():\n    raise RuntimeError('Error downloading train-images-idx3-ubyte.gz: Tried "
                     "https://o...\\nand a second line')\n\n\ntest()\n")


def test_module_level_code_is_named_then_left_out_and_the_rest_graded(grader_root, warm_pool, tmp_path):
    with open(os.path.join(ROOT, "gan.py")) as f:
        source = f.read() + MODULE_LEVEL_CALL
    (tmp_path / "gan.py").write_text(source)
    line = source.splitlines().index("test()") + 1
    report = grade.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    text = render.report_text(report)
    assert report["total"] == FULL, text
    assert report["left_out"]["lines"] == [{"line": line, "code": "test()"}]
    assert (f"line {line} of gan.py runs `test()` when gan.py is imported, and it failed (RuntimeError: Error "
            "downloading") in report["left_out"]["why"]
    assert "the autograder leaves such lines out; put experiments under `if __name__" in report["left_out"]["why"]
    assert "Your instructor decides whether this grade stands" in text
    assert render.gradescope_results(report)["extra_data"]["left_out"] == report["left_out"]


def test_an_import_failure_names_its_line_and_keeps_the_report_rows_on_one_line(grader_root, warm_pool, tmp_path):
    (tmp_path / "gan.py").write_text("import torch\n\n@(_ for _ in ()).throw(RuntimeError('first line\\n"
                                     "second line'))\ndef sample_noise(): pass\n")  # a definition: it cannot be left out
    report = grade.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == 0 and report["left_out"] is None
    rows = [line for line in render.report_text(report).splitlines() if line.startswith("Random noise")]
    assert len(rows) == 1 and "importing gan.py failed at line 3: RuntimeError: first line second line" in rows[0]


@pytest.mark.slow
def test_a_sandbox_that_dies_is_retried_and_then_is_the_graders_fault_not_the_students(grader_root, monkeypatch):
    """The sandbox is killed under the grading: once (the retry, fresh and one part at a
    time, grades it all), then every time (the report says the grader failed)."""
    real_run, kills = Pool.run, {"left": 1}

    def run_and_kill(pool, *args):
        if kills["left"]:  # a started sandbox, killed (as the OOM killer would) before it gets the submission
            kills["left"] -= 1
            if pool.sandbox is None:
                pool.start()
            os.killpg(pool.sandbox.proc.pid, 9)
            pool.sandbox.proc.wait()
        return real_run(pool, *args)

    monkeypatch.setattr(Pool, "run", run_and_kill)
    report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, limits=LIMITS)
    assert report["total"] == FULL and report["grader_error"] is None, render.report_text(report)
    kills["left"] = 2
    report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, limits=LIMITS)
    text = render.report_text(report)
    assert report["grader_error"].startswith("the grading sandbox failed twice"), text
    assert "your code was not at fault: ask for a regrade" in text
    failures = [m for p in report["parts"] for _, ok, m in p["checks"] if not ok]
    assert failures and all(m == GRADER_FAULT or m.startswith("not checked: the same failure")
                            for m in failures), failures


def test_the_grader_itself_never_imports_torch():
    """Its memory goes to the sandbox, which needs torch; the grader judges plain data."""
    out = subprocess.run([sys.executable, "-c", "import sys; from instructor.grader import batch, grade; "
                          "from instructor.course import gradescope; "
                          "print('torch' in sys.modules)"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.skipif(cgroup.available() is not None, reason=f"no cgroup for the test: {cgroup.available()}")
def test_a_budget_too_small_to_grade_is_a_grader_error_and_never_the_students(tmp_path):
    """The grader in a 320 MB cgroup: the kernel's OOM killer takes the sandbox, the retry
    fails too, and the results say the grader failed; no check blames the student."""
    row = budget.grade_in_budget(os.path.join(ROOT, "gan.py"), 320, 1.0, keep=str(tmp_path))
    assert row["grader_error"] and "failed twice" in row["grader_error"], row
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["extra_data"]["grader_error"] == row["grader_error"]
    for test in results["tests"]:
        for line in test["output"].splitlines():
            assert "**PASS**" in line or "not graded: the grading sandbox itself failed" in line or \
                "not checked: the same failure as" in line or "no dcgan_generator.pt was handed in" in line, line


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_reference_solution_scores_the_same_on_cuda(grader_root):
    report = grade.grade(os.path.join(ROOT, "gan.py"), "cuda", root=grader_root, limits=LIMITS)
    assert points(report) == course.POINTS, render.report_text(report)


@pytest.mark.slow
def test_reduced_mode_grades_the_same_and_says_so(grader_root):
    with make_pool(load_answers(os.path.join(grader_root, score.PRIVATE)), mode="reduced",
                           root=grader_root, trust=True) as pool:  # the reference: trusted wherever its parts run
        report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)
    assert points(report) == course.POINTS, render.report_text(report)
    assert report["isolation"]["mode"] == "reduced"
    assert "isolation: REDUCED" in render.report_text(report)


@pytest.mark.slow
def test_without_bubblewrap_auto_falls_back_and_sealed_refuses(grader_root, monkeypatch):
    monkeypatch.setattr(sandbox_pool, "_CHOSEN", {})  # a machine where auto has not chosen yet
    monkeypatch.setattr(sandbox_pool, "find_bwrap", lambda: None)
    answers = load_answers(os.path.join(grader_root, score.PRIVATE))
    with make_pool(answers, root=grader_root, trust=True) as pool:
        report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)
    assert report["total"] == FULL and report["isolation"]["mode"] == "reduced"
    assert report["isolation"]["reason"] == "bubblewrap (bwrap) is not installed"
    with make_pool(answers, mode="sealed", root=grader_root) as pool:
        report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)
    assert report["total"] == 0 and "bubblewrap (bwrap) is not installed" in report["grader_error"]
    assert "THE GRADER FAILED" in render.report_text(report)


@pytest.mark.slow
@pytest.mark.skipif(not find_bwrap(), reason="bubblewrap is not installed")
def test_once_sealed_a_sandbox_that_cannot_start_is_a_grader_error_not_a_downgrade(grader_root, monkeypatch):
    answers = load_answers(os.path.join(grader_root, score.PRIVATE))
    monkeypatch.setattr(sandbox_pool, "_CHOSEN", {})
    with make_pool(answers, root=grader_root) as pool:  # auto: the first start chooses sealed
        assert grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)["isolation"]["mode"] == "sealed"
    monkeypatch.setattr(sandbox_pool, "find_bwrap", lambda: "/bin/false")  # bubblewrap now fails to start
    with make_pool(answers, root=grader_root) as pool:
        report = grade.grade(os.path.join(ROOT, "gan.py"), "cpu", root=grader_root, pool=pool, limits=LIMITS)
    assert report["isolation"]["mode"] != "reduced" and report["total"] == 0
    assert "no silent downgrade" in report["grader_error"], render.report_text(report)


def layout(where):
    """A folder for a checkout of the grader: (path, how to remove it), or a reason to skip."""
    import tempfile

    if where == "/autograder/source":
        if os.path.exists("/autograder"):
            return None, "/autograder exists here: not touched"
        parent = "/"
    else:
        parent = {"venv": sys.prefix, "/usr/local": "/usr/local", "/tmp": "/tmp"}[where]
    if not os.access(parent, os.W_OK):
        return None, f"{parent} is not writable here"
    if where == "/autograder/source":
        os.makedirs("/autograder/source")
        return "/autograder/source", lambda: shutil.rmtree("/autograder", ignore_errors=True)
    folder = tempfile.mkdtemp(prefix="gan-grader-", dir=parent)
    os.chmod(folder, 0o755)
    return folder, lambda: shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(not find_bwrap(), reason="bubblewrap is not installed")
@pytest.mark.parametrize("where", ["venv", "/usr/local", "/tmp", "/autograder/source"])
def test_the_sealed_mode_grades_from_a_checkout_anywhere_and_hides_it(where, tmp_path):
    """`python -m instructor grade`, run from a checkout inside the virtual environment's
    folder, under /usr/local, under /tmp, or where Gradescope puts it: sealed, the
    reference scores 10, and an empty file that looks for a solution on disk finds none
    (the checkout's gan.py is the reference)."""
    from instructor.tests import hostile

    folder, remove = layout(where)
    if folder is None:
        pytest.skip(remove)
    try:
        copy_grader(folder)
        stealer = tmp_path / "stealer" / "gan.py"
        stealer.parent.mkdir()
        stealer.write_text(hostile.sources()["empty"] + hostile.FINDS_THE_REFERENCE)
        for gan, total in ((os.path.join(ROOT, "gan.py"), FULL), (str(stealer), 0)):
            results = tmp_path / "results.json"
            out = subprocess.run([sys.executable, "-m", "instructor", "grade", gan, "--isolation", "sealed",
                                  "--results", str(results), "--part-timeout", "30"], cwd=folder,
                                 capture_output=True, text=True, timeout=600)
            data = json.loads(results.read_text(encoding="utf-8"))
            assert data["extra_data"]["isolation"]["mode"] == "sealed", out.stdout[-2000:]
            assert data["score"] == total, out.stdout[-3000:]
        assert "found no solution on disk" in out.stdout
    finally:
        remove()


def test_partial_credit_is_per_function():
    import types

    import gan as reference
    from instructor.tests import variants

    def points_with(replacements):
        module = types.ModuleType("gan_variant")
        module.__dict__.update(vars(reference), **replacements)
        produced = {part: produce(part, module, "cpu", answers) for part in ("gan_loss", "lsgan_loss")}
        return {p["part"]: p["points"] for p in score.score(produced, answers)[0] if p["part"] in produced}

    answers = load_answers(score.ANSWERS)
    assert points_with({}) == {"gan_loss": 2, "lsgan_loss": 2}
    # One wrong function of two: half the part's points; the other loss part is untouched.
    assert points_with({"generator_loss": variants.generator_loss_saturating}) == {"gan_loss": 1, "lsgan_loss": 2}
    assert points_with({"ls_discriminator_loss": variants.ls_discriminator_loss_no_half,
                        "ls_generator_loss": variants.ls_generator_loss_wrong_target}) == {"gan_loss": 2, "lsgan_loss": 0}
    parts, _ = score.score({}, answers)
    assert all(p["points"] == 0 for p in parts)  # nothing produced, nothing earned


def test_guard_restores_grader_files_a_submission_changed(grader_root):
    guard = Guard(grader_root)
    target = os.path.join(grader_root, "autograder", "course.py")
    with open(target, "a") as f:
        f.write("\nFORGED = True\n")
    planted = os.path.join(grader_root, "tests", "planted.py")
    open(planted, "w").close()
    assert sorted(guard.restore()) == sorted([target, planted])
    assert "FORGED" not in open(target).read() and not os.path.exists(planted)


# -- the student release ----------------------------------------------------------

def solution_only_lines():
    """Lines of the reference blocks (code and answers) that appear nowhere else in what ships."""
    with open(os.path.join(ROOT, "gan.py")) as f:
        source = f.read()
    with open(os.path.join(ROOT, "GANs-PyTorch.ipynb")) as f:
        notebook = json.load(f)
    text = "\n".join("".join(c["source"]) for c in notebook["cells"])
    inside = "".join(release.solution_blocks(source))
    outside = markers.strip_code(source)
    for start, end in markers.SOLUTION_MARKERS:
        inside += "".join(i for _, i in markers.split_blocks(text, start, end) if i)
    outside += release.strip_solutions(text)
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
    english = {f for f in release.FILES if not translations.is_catalog(f)}  # the English release needs no catalog
    assert english | {"README.md"} == files
    assert not any(f.startswith("instructor") or "private" in f for f in files)
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


def test_unfilled_release_scores_0_and_says_not_implemented_once_per_function(release_dir, grader_root, warm_pool):
    report = grade.grade(str(release_dir / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == 0, render.report_text(report)
    for part in report["parts"][:len(course.PARTS)]:  # the trained DCGAN's row says no generator was handed in
        for function in course.FUNCTIONS[part["part"]]:
            messages = [m for fn, (name, ok, m) in zip(CHECKS[part["part"]], part["checks"])
                        if fn.function == function]
            assert sum("not implemented yet" in m for m in messages) == 1, messages
            assert all(m.startswith("not checked: the same failure as") for m in messages[1:]), messages
    assert "not implemented yet" in render.report_text(report) and "Traceback" not in render.report_text(report)


def test_release_with_the_reference_blocks_pasted_back_scores_10(release_dir, grader_root, warm_pool, tmp_path):
    with open(os.path.join(ROOT, "gan.py")) as f:
        blocks = release.solution_blocks(f.read())
    with open(release_dir / "gan.py") as f:
        filled = release.fill_code(f.read(), blocks)
    (tmp_path / "gan.py").write_text(filled)
    report = grade.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == FULL, render.report_text(report)


@pytest.mark.slow
def test_release_grading_tests_fail_cleanly_with_pytest(release_dir):
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-rN", "-k", "discriminator", "-p",
                          "no:cacheprovider"], cwd=release_dir, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert out.stdout.count("discriminator() returned None: it is not implemented yet") == 1, out.stdout
    assert "Traceback" not in out.stdout and "During handling" not in out.stdout
    assert "skipped (no CUDA device)" in out.stdout.splitlines()[-1] or torch.cuda.is_available()


# -- Gradescope -------------------------------------------------------------------

def run_gradescope(tmp_path, submission=None, python=sys.executable, lang="en"):
    bundle = gradescope.build(str(tmp_path / "autograder.zip"), lang)
    root = tmp_path / "autograder"
    zipfile.ZipFile(bundle).extractall(root / "source")
    (root / "submission").mkdir()
    if submission:
        shutil.copyfile(submission, root / "submission" / "gan.py")
    env = languages.environment(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(python))  # the zip's own language
    out = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    return out, json.loads((root / "results" / "results.json").read_bytes().decode("utf-8")), root


def test_gradescope_bundle_holds_the_grader_and_its_private_answers_only(tmp_path):
    bundle = zipfile.ZipFile(gradescope.build(str(tmp_path / "ag.zip")))
    names = set(bundle.namelist())
    assert {"setup.sh", "run_autograder", score.PRIVATE, "gan.py"} <= names
    assert not {"gan-checks.npz", "GANs-PyTorch.ipynb"} & names
    # gan.py is the release's, for the smoke test's provided loop: not one solution line
    lines = {line.strip() for line in bundle.read("gan.py").decode().splitlines()}
    assert "def run_a_gan(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train," in lines
    assert not lines & solution_only_lines()
    assert "bubblewrap" in gradescope.SETUP_SH and reduced.SANDBOX_USER in gradescope.SETUP_SH
    assert "chmod 600" in gradescope.RUN_AUTOGRADER


def test_gradescope_bundle_grades_sealed_in_a_simulated_autograder_layout(tmp_path):
    out, results, root = run_gradescope(tmp_path, os.path.join(ROOT, "gan.py"))
    assert out.returncode == 0, out.stderr
    assert results["score"] == FULL and len(results["tests"]) == len(course.GRADED)
    if find_bwrap() or os.environ.get("CI"):  # CI installs bubblewrap: the sealed mode is required there
        assert results["extra_data"]["isolation"]["mode"] == "sealed", results["output"][:500]
    if os.geteuid() == 0:
        assert oct(os.stat(root / "source" / score.PRIVATE).st_mode & 0o777) == "0o600"


def with_student_imports(tmp_path):
    """The reference, with the imports of the CS231n starter (and the ones students add) at its top."""
    return gradescope_budget.with_starter_imports(os.path.join(ROOT, "gan.py"), tmp_path / "imports" / "gan.py")


@pytest.mark.slow
def test_gradescope_environment_from_setup_sh_grades_a_file_with_the_students_imports(setup_sh_python, tmp_path):
    """A Python made from exactly setup.sh's pip lines, the zip's own run_autograder and, where
    cgroups can be made, Gradescope's default container (768 MB, 1/2 CPU): the reference with the
    CS231n starter's imports gets 10/10 and no grader error."""
    tree = gradescope_budget.autograder_tree(str(tmp_path / "autograder"))
    memory_mb, cpus = (768, 0.5) if cgroup.available() is None else (None, None)
    results, seconds, peak, _ = gradescope_budget.run_autograder(tree, str(with_student_imports(tmp_path)), setup_sh_python,
                                                                 memory_mb, cpus)
    assert results["score"] == FULL, results["output"][:3000] + results["_stderr"]
    assert results["extra_data"]["grader_error"] is None, results["extra_data"]["grader_error"]
    if find_bwrap() or os.environ.get("CI"):
        assert results["extra_data"]["isolation"]["mode"] == "sealed", results["output"][:500]
    print(f"graded in {seconds:.1f} s, peak {peak} MB, inside {memory_mb} MB and {cpus} CPU")


@pytest.mark.parametrize("lang", languages.each(slow=False))
def test_gradescope_says_the_grader_failed_when_it_cannot_even_start(tmp_path, lang):
    out, results, _ = run_gradescope(tmp_path, os.path.join(ROOT, "gan.py"), python="/bin/false", lang=lang)
    assert results["score"] == 0 and results["extra_data"]["grader_error"]
    assert {"en": "The autograder itself did not finish (exit status 1); your code was not at fault: ask for a regrade.",
            "zh": "自动评分器本身没有运行完（退出状态 1）；这不是你的代码的问题：请申请重新评分。"}[lang] == results["output"]


def test_gradescope_reports_a_missing_submission(tmp_path):
    _, results, _ = run_gradescope(tmp_path)
    assert results["score"] == 0 and "no gan.py was found" in results["tests"][0]["output"]


# -- batch ------------------------------------------------------------------------

def test_batch_writes_a_gradebook_and_results(tmp_path, release_dir, grader_root):
    for name, source in (("alice", os.path.join(ROOT, "gan.py")), ("bob", str(release_dir / "gan.py"))):
        (tmp_path / "subs" / name).mkdir(parents=True)
        shutil.copyfile(source, tmp_path / "subs" / name / "gan.py")
    (tmp_path / "subs" / "carol").mkdir()  # submitted nothing
    reports = batch.grade_all(batch.find_submissions(str(tmp_path / "subs")), str(tmp_path / "out"), jobs=2,
                              root=grader_root, limits=LIMITS)
    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert {s: float(r["total"]) for s, r in rows.items()} == {"alice": FULL, "bob": 0, "carol": 0}
    assert all(r["grader_error"] == "" for r in rows.values())
    for student in reports:
        results = json.loads(pathlib.Path(batch.results_path(tmp_path / "out", student)).read_text(encoding="utf-8"))
        assert results["score"] == float(rows[student]["total"])


@pytest.mark.slow
def test_pytest_isolate_grades_in_the_sandbox(release_dir):
    def pytest_isolated(gan_path):
        return subprocess.run([sys.executable, "-m", "pytest", "tests", "--isolate", "--gan", gan_path, "-q", "-k",
                               "cpu", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, timeout=600)

    unfilled = pytest_isolated(str(release_dir / "gan.py"))
    assert unfilled.returncode == 1 and "sample_noise() returned None: it is not implemented yet" in unfilled.stdout
    reference = pytest_isolated(os.path.join(ROOT, "gan.py"))
    assert reference.returncode == 0, reference.stdout[-2000:]


LEFTOVER_EXPERIMENT = '''

# quick test of my code
loader_train, loader_val = load_mnist(batch_size=128)
D = discriminator(); G = generator()
images = run_a_gan(D, G, get_optimizer(D), get_optimizer(G), discriminator_loss, generator_loss, loader_train,
                   num_epochs=1)
'''


@pytest.mark.slow
def test_a_leftover_training_run_is_left_out_by_name_and_the_functions_keep_their_points(grader_root, warm_pool, tmp_path,
                                                                                         monkeypatch):
    """The experiment students leave at the bottom: on their machine MNIST is there and it
    trains; in the grader it is not. The lines that fail are left out, named, and every
    function keeps its points; the assignments that work (D = ..., G = ...) stay."""
    source = open(os.path.join(ROOT, "gan.py")).read() + LEFTOVER_EXPERIMENT
    (tmp_path / "gan.py").write_text(source)
    lines = source.splitlines()
    first = lines.index("loader_train, loader_val = load_mnist(batch_size=128)") + 1
    last = next(i for i, text in enumerate(lines) if text.startswith("images = run_a_gan(")) + 1
    report = grade.grade(str(tmp_path / "gan.py"), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == FULL, render.report_text(report)
    assert [entry["line"] for entry in report["left_out"]["lines"]] == [first, last]
    assert f"line {first} of gan.py runs `loader_train, loader_val = load_mnist(" in report["left_out"]["why"]
    # the student's own import, the same rule, where MNIST is missing too
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path / "no-data"))
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [])  # nothing to download from
    module, left_out, failure, _, _ = import_student(str(tmp_path / "gan.py"), name="gan_leftover")
    assert module is not None and [n for n, _ in left_out] == [first, last] and module.D is not None
