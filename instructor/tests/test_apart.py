"""Produce beside the student's code, judge where none of it runs.

The producers return what the student's functions gave; every number a judge compares is
computed from those raw values by the judges, in the grader's own process. A statement of
gan.py that fails at import is left out without effect. The trained DCGAN is sampled by the
grader's own network. And whatever a submission names or prints reaches people inert, and
never takes the name of a file the grader writes. Each attack below is written for this
test; the slow test at the end grades them all in the sealed sandbox beside the reference.
"""
import ast
import csv
import json
import os
import pathlib
import re
import sys
import time

import numpy as np
import pytest
import torch

import gan
import quality
from autograder import course
from autograder.answers import load_answers
from autograder.judge import judge
from autograder.produce import produce
from autograder.produce.importing import import_student
from instructor import ROOT
from instructor.grader import batch, render, report, schema, summary
from instructor.sandbox.inside.frames import encode
from instructor.tests import FULL, hostile
from instructor.tests.test_grading import LIMITS, grader_root  # noqa: F401  (a fixture)

ANSWERS = os.path.join(ROOT, "gan-checks.npz")
REFERENCE = hostile.sources()["reference"]


def through_the_pipe(part, produced):
    """What the grader reads of a part's raw values: encoded as the sandbox sends them, read back strictly."""
    return schema.decode(part, json.dumps(encode(produced)))


# -- the judges compute from raw values ------------------------------------------------------------

def test_the_noise_part_sends_the_values_and_the_judge_measures_them():
    answers = load_answers(ANSWERS)
    produced = through_the_pipe("noise", produce("noise", gan, "cpu", answers))
    assert produced["sample"]["value"].shape == course.NOISE_KS_SHAPE  # a million values, not their statistics
    assert set(produced) == {"basic", "two_calls", "seeded", "sample"}
    assert all(ok for _, ok, _ in judge("noise", produced, answers))


class PatchingNumpy:
    """A sampler that is not uniform, in a module whose import makes numpy and torch say that
    everything is fine: numpy.max and numpy.sort lie about any array, torch.equal says no two
    tensors are equal."""

    def __init__(self):
        self.saved = {}

    def __enter__(self):
        self.saved = {(np, "max"): np.max, (np, "sort"): np.sort, (np, "unique"): np.unique, (torch, "equal"): torch.equal}
        np.max = lambda *a, **k: 0.0
        np.sort = lambda x, *a, **k: np.linspace(-1, 1, np.size(x), endpoint=False)
        np.unique = lambda x, *a, **k: x
        torch.equal = lambda *a, **k: False
        return self

    def __exit__(self, *exc):
        for (owner, name), value in self.saved.items():
            setattr(owner, name, value)

    @staticmethod
    def sample_noise(batch_size, dim, seed=None):
        if seed is not None:
            torch.manual_seed(seed)
        return torch.randn(batch_size, dim).clamp(-1, 0.999)


def test_a_part_that_patches_numpy_and_torch_changes_no_verdict_of_the_judge():
    """The producer runs beside the patches; the judge, apart (here: after them, as the grader's
    process would, which never saw them)."""
    answers = load_answers(ANSWERS)
    module = type(sys)("patched_gan")
    module.sample_noise = PatchingNumpy.sample_noise
    with PatchingNumpy():
        produced = through_the_pipe("noise", produce("noise", module, "cpu", answers))
    verdicts = {name: ok for name, ok, _ in judge("noise", produced, answers)}
    assert not verdicts["noise_is_uniform"] and verdicts["noise_range_and_signs"], verdicts  # clamped: in range


# -- left out means without effect -----------------------------------------------------------------

PATCH_THEN_RAISE = '''
def _leftover_experiment():
    import sys, types
    import numpy
    import quality
    quality.generate = lambda *a, **k: "forged"
    numpy.max = lambda *a, **k: 0.0
    sys.modules["quality"] = types.ModuleType("quality")
    torch.set_default_dtype(torch.float64)
    raise RuntimeError("no MNIST on this machine")
_leftover_experiment()
'''


def test_a_statement_that_fails_at_import_leaves_nothing_it_changed(tmp_path):
    path = tmp_path / "gan.py"
    path.write_text(REFERENCE + PATCH_THEN_RAISE)
    before = (quality.generate, np.max, sys.modules["quality"], torch.get_default_dtype())
    imported = import_student(str(path), name="gan_patching")
    assert imported.module is not None and [line for line, _ in imported.left_out] == [
        len(REFERENCE.splitlines()) + len(PATCH_THEN_RAISE.splitlines())]
    assert (quality.generate, np.max, sys.modules["quality"], torch.get_default_dtype()) == before


@pytest.mark.parametrize("statement, literal", [
    ("NOISE_DIM = 96", True), ("LOW = -1.5", True), ("A = B = (1, 'two', [3.0, {4, 5}])", True),
    ("NEEDS = {'sample_noise': ('random noise',)}", True), ("LIMIT = 2 ** 10", False), ("N = -size", False),
    ("device = torch.device('cpu')", False), ("x = y", False), ("quality.generate = 1", False),
    ("table[0] = 1", False), ("n: int = 3", False), ("PAIR = (*ITEMS, 1)", False), ("D = {**SETTINGS}", False)])
def test_only_a_statement_that_binds_names_to_literals_is_run_without_an_undo(statement, literal):
    """Such a statement runs no code of anyone's (no call, lookup, operator or hash of an
    object), so there is nothing it could change to undo; any other may."""
    from autograder.imports import binds_a_literal

    assert binds_a_literal(ast.parse(statement).body[0]) is literal


def test_what_the_import_left_out_the_parts_never_run_and_a_part_that_fails_otherwise_fails(tmp_path):
    path = tmp_path / "gan.py"
    marker = tmp_path / "ran"
    path.write_text(REFERENCE + f"\nimport os\nif os.path.exists({str(marker)!r}):\n    raise RuntimeError('again')\n"
                    f"open({str(marker)!r}, 'w').close()\nraise RuntimeError('once')\n")
    first = import_student(str(path), name="gan_first")  # at the import, the `if` finds no marker: the last line fails
    assert [code for _, code in first.left_out] == ["raise RuntimeError('once')"]
    again = import_student(str(path), name="gan_part", skip=first.skipped, strict=True)  # a part: the `if` raises now
    assert again.module is None and "raised in this part although it ran" in again.failure, again.failure


def test_the_retry_without_calls_runs_statements_never_lines(tmp_path):
    """A call and a multi-line string on one line: the retry skips the call, and the string stays
    a string (blanking the whole line would have let its text run as code)."""
    path = tmp_path / "gan.py"
    path.write_text(REFERENCE + '\nimport os\nos._exit(3); NOTES = """\ndef discriminator(seed=None):\n'
                                '    return None\n"""\n')
    imported = import_student(str(path), name="gan_retry", skip_calls=True)
    assert [code for _, code in imported.left_out] == ["os._exit(3)"]
    assert imported.module.discriminator is not None and imported.module.discriminator() is not None
    assert imported.module.NOTES.strip().startswith("def discriminator")


def test_a_global_setting_changed_at_import_is_recorded_with_its_line(tmp_path):
    path = tmp_path / "gan.py"
    path.write_text(re.sub(r"\nNOISE_DIM = \d+\n", r"\g<0>torch.set_default_dtype(torch.float64)\n", REFERENCE, count=1))
    try:
        imported = import_student(str(path), name="gan_float64")
    finally:
        torch.set_default_dtype(torch.float32)
    (line, code, what), = imported.changes
    assert code == "torch.set_default_dtype(torch.float64)" and "default dtype from float32 to float64" in what
    assert path.read_text().splitlines()[line - 1] == code


# -- what reaches people ---------------------------------------------------------------------------

HOSTILE_NAMES = ["gradebook.csv", "summary.html", "summary.md", "checks.csv", "summary", "compare.md",
                 batch.STUDENTS, "escape\x1b[2J\x1b[31m", "rlo\u202eexe.py", "new\n# heading", "=cmd|' -C calc'!A0"]


def _report_of(path, device="cpu", limits=None, **kwargs):
    """What grade gives, without a sandbox: every part full, and output with escapes in it."""
    parts = [{"part": p, "title": course.PART_TITLES[p], "points": course.POINTS[p], "max_points": course.POINTS[p],
              "checks": [(f"{p}_check", True, "ok \x1b[31m\u202e")]} for p in course.GRADED]
    status = {"import": {"seconds": 1.0, "timed_out": False, "exit_code": 0, "signal": None,
                         "output": "printed \x1b]0;title\x07 \x1b[2J\u202etxt.exe\r\n", "output_bytes": 30}}
    return report.new(path, device, parts, time.time(), status=status, isolation={"mode": "sealed", "reason": None})


def test_a_class_with_names_like_the_batch_files_gets_every_row_and_every_file(tmp_path, monkeypatch, capsys):
    subs = tmp_path / "subs"
    names = [f"student{i:03d}" for i in range(100 - len(HOSTILE_NAMES))] + HOSTILE_NAMES
    for name in names:
        (subs / name).mkdir(parents=True)
        (subs / name / "gan.py").write_text("# a gan.py\n")
    monkeypatch.setattr(batch, "grade", lambda path, *a, **k: _report_of(path))
    out = tmp_path / "book"
    monkeypatch.setattr(sys, "argv", ["python -m instructor"])
    from instructor.__main__ import parser
    batch.main(parser().parse_args(["batch", str(subs), "--out", str(out)]))
    printed = capsys.readouterr().out
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 100 and all(float(r["total"]) == FULL for r in rows)
    assert all((out / name).is_file() for name in ("gradebook.csv", "checks.csv", "summary.html", "summary.md"))
    assert all(pathlib.Path(batch.results_path(out, name)).is_file() for name in names)
    md = (out / "summary.md").read_text(encoding="utf-8")
    page = (out / "summary.html").read_text(encoding="utf-8")
    book = (out / "gradebook.csv").read_text(encoding="utf-8") + (out / "checks.csv").read_text(encoding="utf-8")
    for text in (printed, md, page, book):
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert not any(line.startswith("# heading") for line in md.splitlines())
    assert "new\\x0a# heading" in printed and "rlo\\u202eexe.py" in book


def test_the_report_shows_what_a_submission_printed_inert_in_every_rendering(tmp_path):
    graded = _report_of(str(tmp_path / "escape\x1b[2J" / "gan.py"))
    results = render.gradescope_results(graded)
    rendered = [render.report_text(graded), render.report_markdown(graded), json.dumps(results, ensure_ascii=False)]
    for text in rendered:
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text and "\r" not in text, text
    assert "\\x1b[2J" in rendered[0]


def test_only_a_generator_that_clears_the_bar_is_ranked_or_counted(tmp_path):
    def graded(ok, IS):
        parts = [{"part": "trained", "title": course.PART_TITLES["trained"], "points": 0, "max_points": 0,
                  "checks": [("trained_dcgan_clears_the_bar", ok, "scores")],
                  "scores": {"IS": IS, "FID": 172.0, "copies": 0.0, "copies_train": 0.0, "copies_test": 0.0,
                             "n": course.TRAINED_SAMPLES}}]
        return {"parts": parts, "total": 0, "max_total": FULL, "grader_error": None, "seconds": 1.0,
                "isolation": {"mode": "sealed"}}

    assert render.leaderboard(graded(False, 9.59)) == []
    assert [e["value"] for e in render.leaderboard(graded(True, 8.6))] == [8.6, 172.0]
    _, md, _ = summary.write({"rejected": graded(False, 9.67), "cleared": graded(True, 8.6)}, str(tmp_path))
    text = open(md, encoding="utf-8").read()
    assert "1 clear the bar" in text and "| rejected | 9.67 | 172.0 | no |" in text


def test_the_gradescope_zip_gives_every_file_one_mode(tmp_path):
    import zipfile

    from instructor.course import gradescope

    with zipfile.ZipFile(gradescope.build(str(tmp_path / "autograder.zip"))) as zf:
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
    assert {name for name, mode in modes.items() if mode == 0o755} == {"setup.sh", "run_autograder"}
    assert all(mode in (0o644, 0o755) for mode in modes.values()), {n: oct(m) for n, m in modes.items()}


# -- the attacks, graded in the sealed sandbox -----------------------------------------------------

REPLAY = '''
class _Replay(nn.Sequential):
    def forward(self, z):  # stored "digits", whatever the weights say
        return torch.linspace(-1, 1, 784).repeat(len(z), 1)


_build_dc_generator = build_dc_generator


def build_dc_generator(noise_dim=NOISE_DIM):
    return _Replay(*_build_dc_generator(noise_dim))
'''
ATTACKS = {  # name: (gan.py, with the weights of an untrained generator?, points lost, what the report says)
    "reference": (REFERENCE, False, {}, ""),
    "patches_numpy_and_torch": (hostile.chain(
        hostile.block("sample_noise", "noise = torch.randn(batch_size, dim).clamp(-1, 0.999)"),
        hostile.append("import numpy\nnumpy.max = lambda *a, **k: 0.0\n"
                       "numpy.sort = lambda x, *a, **k: numpy.linspace(-1, 1, numpy.size(x), endpoint=False)\n"
                       "torch.equal = lambda *a, **k: False"))(REFERENCE), False, {"noise": 0}, "not uniform"),
    "patches_quality_then_raises": (REFERENCE + PATCH_THEN_RAISE, True, {}, "an Inception Score below"),
    "a_string_after_an_exit": (REFERENCE + '\nimport os\nos._exit(3); NOTES = """\ndef discriminator(seed=None):\n'
                               '    return None\n"""\n', False, {}, "os._exit(3)"),
    "prints_escapes": (REFERENCE + '\nprint("\\x1b[2J\\x1b]0;pwned\\x07\\u202egnp.exe")\n', False, {}, "pwned"),
    "replays_in_forward": (REFERENCE + REPLAY, True, {"dc_generator": 0}, "an Inception Score below"),
}


@pytest.mark.slow
def test_the_attacks_earn_what_their_code_deserves_in_the_sealed_sandbox(grader_root, tmp_path):
    subs = tmp_path / "subs"
    torch.manual_seed(0)
    untrained = gan.save_generator(gan.build_dc_generator(), str(tmp_path / course.TRAINED_FILE))
    for name, (source, weights, _, _) in ATTACKS.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "gan.py").write_text(source)
        if weights:
            os.link(untrained, subs / name / course.TRAINED_FILE)
    reports = batch.grade_all(batch.find_submissions(str(subs)), str(tmp_path / "book"), root=grader_root,
                              isolation="sealed", limits=LIMITS)
    for name, (_, weights, lost, phrase) in ATTACKS.items():
        graded, text = reports[name], render.report_text(reports[name])
        points = {p["part"]: p["points"] for p in graded["parts"]}
        assert points == dict(course.POINTS, **lost), (name, text)
        assert phrase in text and "\x1b" not in text and "\u202e" not in text, (name, text)
        trained = next(p for p in graded["parts"] if p["part"] == "trained")
        if weights:  # the weights' own scores, whatever the file did: an untrained generator's, below the bar
            assert not trained["checks"][0][1] and trained["scores"]["IS"] < course.TRAINED_MIN_IS, (name, text)
            assert "leaderboard" not in render.gradescope_results(graded)
