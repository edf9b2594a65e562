"""A new term: one edit of the reference or of POINTS, then `python -m instructor term`, in a
copy of this package with a git history of its own."""
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from autograder import course
from autograder.answers import load_answers, reference_layers
from instructor import ROOT
from instructor.course import release, term, translations
from instructor.tests import FULL

LEFT_BEHIND = shutil.ignore_patterns(".git", ".venv", "build", "datasets", "__pycache__", ".pytest_cache", "*.pyc")


@pytest.fixture
def copy(tmp_path):
    """This package as its HEAD would be cloned: a folder whose git history holds today's gan.py."""
    folder = tmp_path / "course"
    shutil.copytree(ROOT, folder, ignore=LEFT_BEHIND)
    git = ["git", "-c", "user.name=course", "-c", "user.email=course@example.org", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "last term"]):
        subprocess.run(git + command, cwd=folder, check=True, capture_output=True)
    return folder


def edit(path, before, after):
    text = path.read_text(encoding="utf-8")
    assert before in text, before
    path.write_text(text.replace(before, after), encoding="utf-8")


def run_term(folder):
    out = subprocess.run([sys.executable, "-m", "instructor", "term"], cwd=folder, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow
def test_a_wider_discriminator_is_followed_by_answers_texts_and_grades(copy):
    old = int(load_answers(os.path.join(ROOT, "gan-checks.npz"))["d_params_true"])
    edit(copy / "gan.py", "nn.Linear(784, 256),\n        nn.LeakyReLU(0.01),\n        nn.Linear(256, 256),",
         "nn.Linear(784, 512),\n        nn.LeakyReLU(0.01),\n        nn.Linear(512, 256),")
    said = run_term(copy)
    new = int(load_answers(str(copy / "gan-checks.npz"))["d_params_true"])
    assert new != old
    assert f"the new reference: {FULL} / {FULL}" in said, said
    assert re.search(rf"last term's reference \(.*\): {FULL - course.POINTS['discriminator']:g} / {FULL}; it loses "
                     r"discriminator", said), said
    assert "Linear(in_features=784, out_features=256)" in said  # what last term's reference builds, named
    text = (copy / "gan.py").read_text(encoding="utf-8")
    assert f"{old:,}" not in text and f"{new:,} parameters" in text  # the docstring follows the reference
    assert "Architecture: Linear(784, 512) -> LeakyReLU(0.01) -> Linear(512, 256)" in text
    notebook = (copy / "GANs-PyTorch.ipynb").read_text(encoding="utf-8")
    assert "`Linear(784, 512)`" in notebook and "Linear(784, 256)" not in notebook and f"{old:,}" not in notebook
    for lang in translations.languages():  # the translation's entries: their English and their translation alike
        catalog = (copy / os.path.relpath(translations.catalog_path("notebook", lang), ROOT)).read_text(encoding="utf-8")
        assert catalog.count("`Linear(784, 512)`") == 2 and catalog.count(f"{new:,}") == 2, catalog[:2000]
        assert "Linear(784, 256)" not in catalog and f"{old:,}" not in catalog
    assert "gan.py" in said.split("files rewritten")[1].splitlines()[0]
    # the release and the zip were built from answer files that match: the refusal finds nothing
    stale = subprocess.run([sys.executable, "-c", "from instructor.course import answers; print(answers.stale())"],
                           cwd=copy, capture_output=True, text=True, timeout=300)
    assert stale.stdout.strip() == "[]", stale.stdout + stale.stderr[-2000:]
    assert (copy / "build" / "release" / "gan.py").is_file()
    assert (copy / "build" / "gradescope-autograder.zip").is_file()


@pytest.mark.slow
def test_more_points_and_a_looser_tolerance_are_followed_by_the_grades_texts_and_the_students_checks(copy):
    edit(copy / "autograder" / "course.py", '    "dc_generator": 1,\n', '    "dc_generator": 3,\n')
    edit(copy / "autograder" / "course.py", "\nLOSS_TOL = 1e-6\n", "\nLOSS_TOL = 1e-5\n")
    full = FULL - course.POINTS["dc_generator"] + 3
    said = run_term(copy)
    assert f"the new reference: {full} / {full}" in said and f"last term's reference" not in said, said
    notebook = (copy / "GANs-PyTorch.ipynb").read_text(encoding="utf-8")
    assert "relative error at most 1e-5" in notebook and "relative error at most 1e-6" not in notebook
    release = (copy / "build" / "release" / "README.md").read_text(encoding="utf-8")
    assert "| DC generator | `build_dc_generator` | 3 |" in release and f"In all: {full} points" in release
    # the Chinese release of the same copy: its notebook quotes the new tolerance, its README the new points
    built = subprocess.run([sys.executable, "-m", "instructor", "release", "--lang", "zh", "--out", "build/release-zh"],
                           cwd=copy, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    chinese = (copy / "build" / "release-zh" / "GANs-PyTorch.ipynb").read_text(encoding="utf-8")
    assert "相对误差不超过 1e-5" in chinese and "1e-6" not in chinese
    readme = (copy / "build" / "release-zh" / "README.md").read_text(encoding="utf-8")
    assert "| DC 生成器 | `build_dc_generator` | 3 |" in readme and f"总计：自动评分 {full} 分" in readme
    out = subprocess.run([sys.executable, "-m", "autograder.submit", "--checks-only"], cwd=copy, capture_output=True,
                         text=True, timeout=600)
    assert "DC generator   3/3 points" in out.stdout, out.stdout[-3000:]
    assert f"Predicted autograder score: {full} / {full}" in out.stdout, out.stdout[-3000:]


@pytest.mark.slow
def test_another_noise_size_is_followed_by_the_checks_and_the_training_loop(copy):
    edit(copy / "gan.py", "\nNOISE_DIM = 96\n", "\nNOISE_DIM = 64\n")
    said = run_term(copy)
    assert f"the new reference: {FULL} / {FULL}" in said, said
    assert int(load_answers(str(copy / "gan-checks.npz"))["noise_dim"]) == 64
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], cwd=copy,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    trains = subprocess.run([sys.executable, "-c", "import inspect, gan; "
                             "print(inspect.signature(gan.run_a_gan).parameters['noise_size'].default)"],
                            cwd=copy, capture_output=True, text=True, timeout=300)
    assert trains.stdout.strip() == "64", trains.stdout + trains.stderr[-2000:]


def readme_test_command():
    """The pytest half of the README's second set-up command, as the README gives it."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        found = re.search(r"^pip install -r instructor/requirements\.txt && (?:\\\n\s*)?(python -m pytest [^\n#]*?)\s*(#|$)",
                          f.read(), re.M)
    assert found, "the README's set-up section gives no test command"
    return found.group(1)


@pytest.mark.slow
def test_after_every_kind_of_change_the_readme_test_command_passes_unchanged(copy):
    """A wider discriminator, a smaller noise, more points, a looser tolerance, a convolution's
    channels, a transposed convolution's kernel and a part worth 0 points, each edited in its one
    place, then the one command: the README's test command passes in the copy with no
    other edit, and the old sizes are quoted nowhere outside the answer files' history."""
    old = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    old_count = f"{int(old['d_params_true']):,}"
    edit(copy / "gan.py", "nn.Linear(784, 256),\n        nn.LeakyReLU(0.01),\n        nn.Linear(256, 256),",
         "nn.Linear(784, 512),\n        nn.LeakyReLU(0.01),\n        nn.Linear(512, 256),")
    edit(copy / "gan.py", "\nNOISE_DIM = 96\n", "\nNOISE_DIM = 64\n")
    edit(copy / "autograder" / "course.py", '    "dc_generator": 1,\n', '    "dc_generator": 3,\n')
    edit(copy / "autograder" / "course.py", "\nLOSS_TOL = 1e-6\n", "\nLOSS_TOL = 1e-5\n")
    # a convolution's channels, a transposed convolution's kernel, a part worth 0 points
    edit(copy / "gan.py", "nn.Conv2d(1, 32, kernel_size=5, stride=1),", "nn.Conv2d(1, 48, kernel_size=5, stride=1),")
    edit(copy / "gan.py", "nn.Conv2d(32, 64, kernel_size=5, stride=1),", "nn.Conv2d(48, 64, kernel_size=5, stride=1),")
    edit(copy / "gan.py", "nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),",
         "nn.ConvTranspose2d(128, 64, kernel_size=6, stride=2, padding=2),")
    edit(copy / "autograder" / "course.py", '    "noise": 1,\n', '    "noise": 0,\n')
    run_term(copy)
    command = shlex.split(readme_test_command())
    assert command[0] == "python"
    out = subprocess.run([sys.executable] + command[1:] + ["-q", "-p", "no:cacheprovider",
                                                           f"--basetemp={copy.parent / 'nested'}"],
                         cwd=copy, capture_output=True, text=True, timeout=2400)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    # not the mistake sets: students' code as they wrote it in a term, and the messages it got then
    quoted = [str(path.relative_to(copy)) for path in copy.rglob("*") if path.suffix in (".py", ".md", ".ipynb", ".po")
              and "build" not in path.relative_to(copy).parts and path.name != "test_term.py"
              and "mistakes" not in path.relative_to(copy).parts
              and (old_count in path.read_text(encoding="utf-8", errors="replace")
                   or "Linear(784, 256)" in path.read_text(encoding="utf-8", errors="replace"))]
    assert quoted == [], quoted
    for text in ("gan.py", "GANs-PyTorch.ipynb"):  # the old layers' settings, beside their new counts
        said = (copy / text).read_text(encoding="utf-8")
        assert "Conv2d(1, 32" not in said and "Conv2d(32, 64" not in said and "ConvTranspose2d(128, 64, 4," not in said


def test_a_part_worth_0_points_keeps_its_row_in_the_points_table(monkeypatch):
    monkeypatch.setitem(course.POINTS, "noise", 0)
    monkeypatch.setattr(course, "FULL", sum(course.POINTS.values()))
    table = release.points_table()
    assert f"| {course.PART_TITLES['noise']} | `sample_noise` | 0 |" in table, table
    assert f"{course.PART_TITLES['noise']}, {course.PART_TITLES['trained']}: 0 points, checked and shown" in table
    assert f"In all: {course.FULL:g} points from the autograder" in table


def test_no_tool_types_the_total_a_second_time():
    """A total printed or parsed as "/ 10" goes wrong the day a part is worth 0 points (or 2 more):
    the tools outside the tests take it from autograder.course (FULL, POINTS)."""
    typed = re.compile(rf"[)}}] ?/ ?{course.FULL:g}\b")
    found = []
    for top in ("autograder", "instructor", "accel", "quality"):
        for folder, _, names in os.walk(os.path.join(ROOT, top)):
            if "tests" in os.path.relpath(folder, ROOT).split(os.sep):
                continue
            for name in (n for n in names if n.endswith(".py")):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    found += [f"{os.path.relpath(f.name, ROOT)}:{i}: {line.strip()}"
                              for i, line in enumerate(f, 1) if typed.search(line)]
    assert not found, "\n".join(found)


def test_term_knows_each_convolution_as_the_docstrings_and_the_notebook_quote_it():
    """Both forms of every convolution and transposed convolution of the reference: the docstrings'
    (Conv2d(1, 32, 5)) and the notebook's (Conv2d(1, 32, kernel_size=5, stride=1)), read from the
    answer file's layers, so that a new term's settings are rewritten where these are quoted."""
    found = term.facts(os.path.join(ROOT, "gan-checks.npz"))
    stored = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    docstrings = (pathlib.Path(ROOT) / "gan.py").read_text(encoding="utf-8")
    notebook = (pathlib.Path(ROOT) / "GANs-PyTorch.ipynb").read_text(encoding="utf-8")
    convolutions = [(model, layer) for model in ("dc_d", "dc_g") for layer in reference_layers(stored, model)
                    if layer["type"] in term.CONVOLUTIONS]
    assert len(convolutions) == 4
    for model, layer in convolutions:
        words = term.layer_words(layer)
        assert words[""] in found.values() and words["short"] in found.values(), words
        assert words["short"] in docstrings and words[""] in notebook, words


def test_new_convolution_settings_are_rewritten_in_the_docstrings_and_the_notebook(tmp_path):
    for name in ("gan.py", "GANs-PyTorch.ipynb"):
        shutil.copyfile(os.path.join(ROOT, name), tmp_path / name)
    old = term.facts(os.path.join(ROOT, "gan-checks.npz"))
    first = next(key for key in old if key.startswith("dc_d_conv2d_0"))  # the first Conv2d, 32 channels out
    channels = re.match(r"Conv2d\(\d+, (\d+)", old[first]).group(1)
    new = {key: re.sub(rf"(Conv2d\(\d+, ){channels}\b|(Conv2d\(){channels}\b", lambda m: (m.group(1) or m.group(2))
                       + str(int(channels) + 16), words) for key, words in old.items()}
    rewritten, unsure = term.rewrite(old, new, root=str(tmp_path), texts=("gan.py", "GANs-PyTorch.ipynb"))
    assert sorted(rewritten) == ["GANs-PyTorch.ipynb", "gan.py"] and unsure == []
    wider = int(channels) + 16
    assert f"Conv2d(1, {wider}, 5) -> LeakyReLU(0.01)" in (tmp_path / "gan.py").read_text(encoding="utf-8")
    notebook = (tmp_path / "GANs-PyTorch.ipynb").read_text(encoding="utf-8")
    assert f"`Conv2d(1, {wider}, kernel_size=5, stride=1)`" in notebook
    assert f"`Conv2d({wider}, 64, kernel_size=5, stride=1)`" in notebook and f"Conv2d(1, {channels}," not in notebook


def test_term_names_the_lines_it_cannot_rewrite_and_the_bar_to_measure_again():
    """A wider second Linear in the DC generator (7 * 7 * 256 where it was 7 * 7 * 128): the sizes and
    shapes written as products or tuples are named by file and line, and the trained bar, measured
    on last term's generator, is named to run again."""
    made = term.shapes(os.path.join(ROOT, "gan-checks.npz"))
    wider = {model: [(2 * shape[0],) + shape[1:] if shape in ((6272,), (128, 7, 7)) else shape
                     for shape in layers] for model, layers in made.items()}
    left = term.left_as_they_were([], term._gone(made, wider))
    line = next(n for n, text in enumerate(open(os.path.join(ROOT, "gan.py"), encoding="utf-8"), 1)
                if "BatchNorm1d(7*7*128)" in text)
    assert f"gan.py:{line}: 7*7*128 = 6,272, a size no longer made" in left, left
    assert any(re.match(r"GANs-PyTorch\.ipynb, cell \d+, line \d+: \(N, 128, 7, 7\), a shape no longer made", x)
               for x in left), left
    before = term.facts(os.path.join(ROOT, "gan-checks.npz"))
    again = term.to_measure_again(before, dict(before, dc_g_linear_1="Linear(1024, 12544)"))
    assert any(x.startswith("python -m instructor trained-bar --write: TRAINED_MIN_IS") for x in again), again
    assert not any("trained-bar" in x for x in term.to_measure_again(before, dict(before, d_linear_0="Linear(784, 512)")))
