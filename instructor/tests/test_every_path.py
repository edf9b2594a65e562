"""One file, one score, on every path: `pytest tests`, `python -m instructor grade`,
`python -m instructor batch` and the Gradescope tree give the same points per part, and
for a file broken in one part the student reads the same first message there on every
path: the grader's report, `pytest tests`, `python -m autograder.submit` and the
notebook's check cell.

The files: the reference, the unfilled release, one broken variant per part, the
reference with the CS231n starter's imports at its top, and the reference with a
test() call at module level. Each path runs as a grader runs it, in a process of its
own, with the grader's private answer file.
"""
import csv
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograder import course
from autograder.judge import CHECKS, points
from instructor import ROOT
from instructor.grader import score
from instructor.measure.gradescope_budget import STARTER_IMPORTS
from instructor.tests import hostile
from instructor.tests.test_grading import (
    LEFTOVER_EXPERIMENT,
    MODULE_LEVEL_CALL,
    run_gradescope,
)

PRIVATE = os.path.join(ROOT, score.PRIVATE)
BROKEN = {  # part: an edit of the reference that breaks it
    "noise": hostile.block("sample_noise", "noise = torch.rand(batch_size, dim)"),
    "discriminator": lambda src: src.replace("nn.LeakyReLU(0.01),\n        nn.Linear(256, 1)",
                                             "nn.ReLU(),\n        nn.Linear(256, 1)"),
    "generator": lambda src: src.replace("nn.Linear(1024, 784),\n        nn.Tanh(),",
                                         "nn.Linear(1024, 784),\n        nn.Sigmoid(),"),
    "gan_loss": hostile.block("discriminator_loss", "loss = bce_loss(logits_real, torch.ones_like(logits_real))"),
    "optimizer": hostile.block("get_optimizer", "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)"),
    "lsgan_loss": hostile.block("ls_generator_loss", "loss = ((scores_fake - 1) ** 2).mean()"),
    "dc_classifier": lambda src: src.replace("nn.MaxPool2d(2, stride=2)", "nn.AvgPool2d(2, stride=2)"),
    "dc_generator": lambda src: src.replace("nn.BatchNorm1d(1024),", "nn.BatchNorm1d(1024, eps=1e-3),"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """{name: path of its gan.py}, each in a folder of its own (the batch layout)."""
    folder = tmp_path_factory.mktemp("submissions")
    base = hostile.sources()
    made = {"reference": base["reference"], "release": base["empty"],
            "student_imports": STARTER_IMPORTS + base["reference"],
            "module_level_call": base["reference"] + MODULE_LEVEL_CALL,
            "leftover_training": base["reference"] + LEFTOVER_EXPERIMENT}
    for part, edit in BROKEN.items():
        made[f"broken_{part}"] = edit(base["reference"])
        assert made[f"broken_{part}"] != base["reference"], part
    paths = {}
    for name, source in made.items():
        (folder / name).mkdir()
        (folder / name / "gan.py").write_text(source)
        paths[name] = str(folder / name / "gan.py")
    return paths


def points_of(passed):
    """{part: points} from {(part, check name): passed}, by the grader's rule (points)."""
    return {part: points(part, [(fn.__name__, passed[(part, fn.__name__)], "") for fn in CHECKS[part]])
            for part in course.GRADED}


def by_submit(path, tmp_path):
    """The points per part that the student's `python -m autograder.submit` predicts."""
    out = subprocess.run([sys.executable, "-m", "autograder.submit", "--gan", path, "--answers", PRIVATE, "--checks-only"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    titles = {course.PART_TITLES[p]: p for p in course.GRADED}
    found = {titles[m.group(1).strip()]: float(m.group(2))
             for m in re.finditer(r"^  (.{14}) (\S+)/\S+ points", out.stdout, re.M) if m.group(1).strip() in titles}
    found.setdefault("trained", 0.0)  # shown, not scored, where it is worth nothing
    predicted = re.search(r"Predicted autograder score: (\S+) /", out.stdout)
    assert predicted and float(predicted.group(1)) == sum(found.values()), out.stdout[-3000:] + out.stderr[-2000:]
    return found, out.stdout


TEST_OF = {"noise": "test_random_noise", "discriminator": "test_discriminator", "generator": "test_generator",
           "gan_loss": "test_gan_loss", "optimizer": "test_optimizer", "lsgan_loss": "test_lsgan_loss",
           "dc_classifier": "test_dc_classifier", "dc_generator": "test_dc_generator", "trained": "test_trained_dcgan"}


def by_pytest(path, tmp_path, failures=None):
    """The points per part that the student's `pytest tests` gives; `failures`, a dict, gets
    {part: the text of each failed check, in order}."""
    junit = tmp_path / f"{os.path.basename(os.path.dirname(path))}.xml"
    subprocess.run([sys.executable, "-m", "pytest", "tests", "--gan", path, "--answers", PRIVATE, "-q", "-k",
                    "cpu and not training", "-p", "no:cacheprovider", f"--junitxml={junit}"], cwd=ROOT,
                   capture_output=True, text=True, timeout=600)
    passed = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        test, _, params = case.get("name").partition("[")
        check = params.rstrip("]").replace("-cpu", "").replace("cpu-", "")
        part = next(p for p, t in TEST_OF.items() if t == test)
        failed = [child for child in case if child.tag in ("failure", "error", "skipped")]
        passed[(part, check)] = not failed
        if failures is not None and failed:
            failures.setdefault(part, []).append((failed[0].get("message") or "") + (failed[0].text or ""))
    return points_of(passed)


def by_notebook(path, part):
    """What the notebook's check cell of `part` prints for the gan.py at `path`."""
    script = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
              "from autograder.notebook import run_part\n"
              "run_part(sys.argv[3], answers=sys.argv[4], device='cpu')\n")
    return subprocess.run([sys.executable, "-c", script, os.path.dirname(path), ROOT, part, PRIVATE],
                          cwd=os.path.dirname(path), capture_output=True, text=True, timeout=600).stdout


def first_failure(results, part):
    """The message of the first failed check of `part` in a Gradescope results.json, as the
    student reads it (Markdown's escapes taken away)."""
    row = next(t for t in results["tests"] if t["name"] == course.PART_TITLES[part])
    line = next(x for x in row["output"].splitlines() if x.startswith("- **FAIL**"))
    return re.sub(r"\\(.)", r"\1", line.split("`: ", 1)[1])


def flat(text):
    return " ".join(text.split())


def by_grade(path, tmp_path):
    results = tmp_path / "grade.json"
    subprocess.run([sys.executable, "-m", "instructor", "grade", path, "--results", str(results)], cwd=ROOT,
                   capture_output=True, text=True, timeout=600)
    return by_results(json.loads(results.read_text(encoding="utf-8")))


def by_results(results):
    titles = {course.PART_TITLES[p]: p for p in course.GRADED}
    return {titles[t["name"]]: t["score"] for t in results["tests"]}


@pytest.mark.slow
def test_every_path_gives_the_same_points_per_part(files, tmp_path, monkeypatch):
    # No MNIST, and a download that fails at once, wherever the trial run at the bottom of a file looks
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path / "no-mnist"))
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    out = tmp_path / "gradebook"
    subprocess.run([sys.executable, "-m", "instructor", "batch", os.path.dirname(os.path.dirname(files["reference"])),
                    "--out", str(out), "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        batch = {row["student"]: {p: float(row[p]) for p in course.GRADED} for row in csv.DictReader(f)}
    for name, path in files.items():
        expected = {p: float(v) for p, v in by_grade(path, tmp_path).items()}
        results = run_gradescope(tmp_path / name, path)[1]
        gradescope = by_results(results)
        predicted, said = by_submit(path, tmp_path)
        failures = {}
        assert expected == batch[name] == gradescope == by_pytest(path, tmp_path, failures) == predicted, name
        total = sum(course.POINTS.values())
        if name.startswith("broken_"):
            part = name[len("broken_"):]
            assert expected[part] < course.POINTS[part], (name, expected)  # it loses there, and only there
            assert sum(expected.values()) == total - course.POINTS[part] + expected[part], (name, expected)
            first = flat(first_failure(results, part))  # the same first message on every path
            assert first in flat(failures[part][0]), (name, first, failures[part][0][:2000])
            assert first in flat(said), (name, first, said[-3000:])
            assert first in flat(by_notebook(path, part)), (name, first)
        elif name == "release":
            assert sum(expected.values()) == 0
        else:
            assert sum(expected.values()) == total, (name, expected)
        if name == "leftover_training":  # named before hand-in, with the line
            with open(path, encoding="utf-8") as f:
                line = f.read().splitlines().index("loader_train, loader_val = load_mnist(batch_size=128)") + 1
            assert f"line {line}: `loader_train, loader_val = load_mnist(batch_size=128)`" in said, said
