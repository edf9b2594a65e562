"""The notebook is committed clean, runs top to bottom, stops a student's first "Run All"
politely, and gives no hand-graded answer away."""
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder import course
from autograder.course import PARTS
from autograder.judge import CHECKS
from instructor import ROOT
from instructor.course import notebook, release
from instructor.tests import languages, mnist_root, needs_mnist

DATA_DIR = mnist_root()


@pytest.fixture(scope="module")
def nb():
    with open(notebook.NOTEBOOK) as f:
        return json.load(f)


def sources(nb, kind="code"):
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


def test_notebook_is_nbformat_4_with_a_python3_kernel(nb):
    nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_notebook_is_committed_without_outputs(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"][:80]


def test_notebook_has_a_parameters_cell_with_the_course_settings(nb):
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    source = "".join(tagged[0]["source"])
    for name in list(notebook.TINY) + ["cuda_graphs"]:
        assert re.search(rf"^{name} = ", source, re.M), name
    # the course's epochs and training images, read where they are defined once
    assert ("num_epochs_gan = EPOCHS['vanilla']" in source and "num_epochs_lsgan = EPOCHS['lsgan']" in source
            and "num_epochs_dcgan = EPOCHS['dcgan']" in source and "num_train = NUM_TRAIN" in source)


def test_every_part_has_a_check_cell_that_runs_nothing_else(nb):
    code = sources(nb)
    for part in PARTS:
        assert f"run_part('{part}')" in code, part  # the check alone, importing gan.py itself: it cannot crash first


def test_every_training_cell_first_requires_its_parts(nb):
    trainings = [s for s in sources(nb) if "run_a_gan(" in s]
    assert len(trainings) == 3
    for source, name in zip(trainings, ("vanilla", "lsgan", "dcgan")):
        assert source.startswith(f"require_parts('{name}')")
        assert "cuda_graphs=cuda_graphs" in source


def test_the_colab_cell_comes_first(nb):
    first = sources(nb)[0]
    assert "from google.colab import drive" in first and "FOLDERNAME = None" in first


@pytest.mark.parametrize("lang", languages.each(slow=False))
def test_hand_graded_questions_show_their_points(lang):
    text = "\n".join(sources(languages.instructor_notebook(lang), "markdown"))
    heading, not_graded = languages.QUESTION_POINTS[lang]
    shown = {}
    for q, label in re.findall(heading, text, re.M):
        shown[q] = 0 if label == not_graded else int(label.split()[0])
    assert shown == course.MANUAL


def test_the_q4_check_never_prints_the_answer(nb):
    table, checker = next((s, sources(nb)[i + 1]) for i, s in enumerate(sources(nb)) if "y_table = [" in s)
    stub = release.strip_solutions(table)
    assert "None" in stub and "-2" not in stub  # what a student gets
    said = {}
    for name, source in (("stub", stub), ("reference", table),
                         ("wrong", table + "\ny_table[3], x_table[5] = 7, 7")):
        namespace, out = {}, io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(source, namespace)
            exec(checker, namespace)
        said[name] = out.getvalue()
    assert said["stub"].startswith("Still to fill in: y_1")
    assert said["reference"] == "Your table follows the update rule at every step.\n"
    assert said["wrong"].startswith("y_3 does not follow from x_2 and y_2")
    # The check names positions only, never a value of the table.
    assert not re.search(r"\d", re.sub(r"[xy]_\d|t = \d", "", said["wrong"]))


def test_notebook_has_no_machine_specific_paths(nb):
    text = json.dumps(nb)
    for path in ("/work/", "/root/", "/home/", "C:\\\\"):
        assert path not in text


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run top to bottom at the tiny setting (about 20 s on a CPU)."""
    out = tmp_path_factory.mktemp("run") / "executed.ipynb"
    saved = out.parent / "dcgan_generator.pt"  # not beside the repository's gan.py
    seconds = notebook.execute(str(out), tiny=True, data_dir=DATA_DIR, timeout=600, generator_file=str(saved))
    print(f"notebook executed in {seconds:.0f} s")
    assert saved.stat().st_size > 20 << 20  # the trained DCGAN generator, for handing in
    return nbformat.read(str(out), as_version=4), seconds


@pytest.mark.slow
@needs_mnist
def test_notebook_runs_top_to_bottom_with_the_tiny_setting(executed):
    nb, seconds = executed
    assert seconds < 300
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    for cell in nb.cells:  # a check cell shows its verdict, and no `Out: True` under it
        if cell.cell_type == "code" and cell.source.startswith("run_part("):
            # printed text only (the kernel may send it in more than one piece on a busy machine)
            assert cell.outputs and {o.output_type for o in cell.outputs} == {"stream"}, cell.source


@pytest.mark.slow
@needs_mnist
def test_training_progress_is_plain_text_that_exports_well(executed):
    """No widget (it exports as an empty box), no carriage returns (saved output piles
    up redrawn bars): one line per epoch, in the notebook and in its HTML export."""
    import nbconvert

    nb, _ = executed
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    streams = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "\r" not in streams and streams.count("epoch 1/1 [####################]") == 3
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    assert html.count("epoch 1/1 [####################]") == 3


@pytest.mark.slow
@needs_mnist
@pytest.mark.parametrize("lang", languages.each())
def test_run_all_on_the_unfilled_release_stops_at_the_first_training_with_one_sentence(tmp_path, lang, monkeypatch):
    """A student's first "Run All", in each language's release: every cell before the first training
    passes or prints the checks' verdict, and the training cell stops with one sentence."""
    import papermill

    folder = tmp_path / "release"
    release.build(str(folder), lang)
    monkeypatch.delenv("GAN_LANGUAGE", raising=False)  # the kernel speaks the release's own language
    out = tmp_path / "executed.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as info:
        notebook.execute(str(out), tiny=True, data_dir=DATA_DIR, timeout=600,
                         notebook=str(folder / "GANs-PyTorch.ipynb"), cwd=str(folder))
    assert info.value.ename == "PartNotImplemented"
    assert info.value.evalue.startswith("Write sample_noise() in gan.py first (random noise)")
    nb = nbformat.read(str(out), as_version=4)
    failing = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
               and any(o.output_type == "error" for o in c.outputs)]
    assert len(failing) == 1 and nb.cells[failing[0]].source.startswith("require_parts('vanilla')")
    error = next(o for o in nb.cells[failing[0]].outputs if o.output_type == "error")
    assert error.traceback == [f"PartNotImplemented: {info.value.evalue}"]  # one sentence, no traceback
    before = "".join(o.get("text", "") for c in nb.cells[:failing[0]] if c.cell_type == "code" for o in c.outputs)
    # once per function of the five parts checked before it, in the release's language
    assert before.count(languages.in_language(lang, course.NOT_IMPLEMENTED)) == 6
    assert before.count(languages.FAIL[lang]) >= 6 and (lang == "en" or "FAIL  " not in before)  # the verdict words


@pytest.mark.slow
def test_a_gan_py_that_does_not_import_leaves_every_check_cell_saying_where_once(tmp_path):
    """Every cell run in turn, errors or not, on a release whose gan.py has a syntax error:
    the set-up cell says so, and each check cell prints one line naming the line of the
    mistake, with no NameError."""
    import nbclient

    folder = tmp_path / "release"
    release.build(str(folder))
    source = (folder / "gan.py").read_text().splitlines(keepends=True)
    line = next(i for i, text in enumerate(source) if text.startswith("def sample_noise")) + 1
    source[line - 1] = source[line - 1].replace("def sample_noise", "def sample_noise(((")
    (folder / "gan.py").write_text("".join(source))
    nb = nbformat.read(str(folder / "GANs-PyTorch.ipynb"), as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or "run_a_gan(" not in c.source]  # no training
    nbclient.NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    setup = next(c for c in nb.cells if c.cell_type == "code" and "from gan import *" in c.source)
    assert f"importing gan.py failed: SyntaxError at line {line}" in "".join(o.get("text", "") for o in setup.outputs)
    checks_run = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("run_part(")]
    assert len(checks_run) == len(PARTS)
    for cell in checks_run:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert not any(o.output_type == "error" for o in cell.outputs), cell.source
        assert text.count("\n") == 1 and f"SyntaxError at line {line}" in text, text


LEFTOVER = ("\n# quick test of my code\n"
            "loader_train, loader_val = load_mnist('/nowhere', batch_size=128, download=False)\n"
            "D = discriminator(); G = generator()\n")


@pytest.mark.slow
def test_a_leftover_experiment_is_left_out_and_named_as_the_grader_does(tmp_path):
    """The notebook's set-up cell and check cells import gan.py as the autograder does: the
    experiment at the bottom that fails here is left out, named with the grader's sentence,
    and the functions are checked."""
    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        (tmp_path / "gan.py").write_text(f.read() + LEFTOVER)
    lines = (tmp_path / "gan.py").read_text().splitlines()
    line = lines.index("D = discriminator(); G = generator()")  # the load_mnist line's number, counted from 1
    script = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
              "from autograder.notebook import import_gan, run_part\n"
              "gan, said = import_gan(); print('SETUP', said)\n"
              "run_part('discriminator', answers=sys.argv[3])\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path), ROOT, os.path.join(ROOT, "gan-checks.npz")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    setup = next(x for x in out.stdout.splitlines() if x.startswith("SETUP"))
    assert f"line {line} of gan.py runs `loader_train, loader_val = load_mnist(" in setup, setup
    assert "and it failed (FileNotFoundError: MNIST is not in" in setup
    assert "the autograder leaves such lines out; put experiments under `if __name__ == \"__main__\":`" in setup
    assert f"line {line}: `loader_train, loader_val = load_mnist(" in setup
    assert f"NOTE  line {line} of gan.py runs" in out.stdout, out.stdout
    n = len(CHECKS["discriminator"])
    assert f"Discriminator: {n}/{n} checks passed" in out.stdout, out.stdout


def colab_upload_list(nb, lang="en"):
    """The files and folders the notebook's set-up text (in `lang`) tells a Colab student to upload."""
    phrase, files = languages.COLAB[lang]
    setup = next(c for c in nb["cells"] if c["cell_type"] == "markdown" and phrase in "".join(c["source"]))
    listed = re.search(files, "".join(setup["source"]), re.S).group(1)
    return re.findall(r"`([^`]+)`", listed)


@pytest.mark.parametrize("lang", languages.each(slow=False))
def test_the_colab_upload_list_holds_every_file_of_the_release(lang):
    listed = colab_upload_list(languages.instructor_notebook(lang), lang)
    tops = {rel.split("/")[0] + ("/" if "/" in rel else "") for rel in release.FILES}
    assert tops == set(listed), (sorted(tops - set(listed)), sorted(set(listed) - tops))


@pytest.mark.slow
@needs_mnist
@pytest.mark.parametrize("lang", languages.each())
def test_the_notebook_starts_from_exactly_the_uploaded_files(tmp_path, lang, monkeypatch):
    """The listed files copied alone into an empty folder, as Drive holds them: the set-up
    cells, the dataset cell and a check cell run there, importing from that folder as the
    Colab cell makes them do (the working folder first on sys.path), in each language's release."""
    import nbclient

    folder = tmp_path / "release"
    release.build(str(folder), lang)
    monkeypatch.delenv("GAN_LANGUAGE", raising=False)
    nb = nbformat.read(str(folder / "GANs-PyTorch.ipynb"), as_version=4)
    drive = tmp_path / "drive"
    drive.mkdir()
    for name in colab_upload_list(nb, lang):
        source = folder / name.rstrip("/")
        (shutil.copytree if source.is_dir() else shutil.copy)(source, drive / name.rstrip("/"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    first_check = next(i for i, c in enumerate(code) if c.source.startswith("run_part("))
    nb.cells = [nbformat.v4.new_code_cell(f"import os, sys\nos.chdir({str(drive)!r})\nsys.path.insert(0, {str(drive)!r})\n"
                                          f"data_dir = {os.path.abspath(DATA_DIR or 'datasets')!r}")]
    nb.cells += [c for c in code[1:first_check + 1] if "parameters" not in c.metadata.get("tags", [])]
    nb.cells.insert(2, nbformat.v4.new_code_cell(f"num_train = 1024\ncuda_graphs = False\nseed = 0\n"
                                                 "generator_file = TRAINED_FILE"))
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    said = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert languages.in_language(lang, course.NOT_IMPLEMENTED) in said
    assert {"en": "Random noise: 0/", "zh": "随机噪声：在 "}[lang] in said, said
