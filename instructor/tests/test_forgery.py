"""The trained result, the handed-in files and the class files against hostile submissions.

Each attack here is one a student holding this package's source could write: a
build_dc_generator that writes the scorer's answer itself (finite or not) to every pipe it
holds, weights or a gan.py that are links to files the grader can read, weights that hold more
than the generator (a store of digits), a generator that replays stored digits or makes images
the classifier likes, spreadsheet formulas in names, a byte-order mark. None of them may earn
a trained result, reach a private byte or break a file the grader writes; the untouched
reference beside them keeps full marks.
"""
import csv
import json
import math
import os
import pathlib

import pytest
import torch

import gan
import quality
from autograder import course
from autograder.answers import load_answers
from autograder.imports import top_level_imports
from autograder.judge import judge
from autograder.produce import produce
from autograder.produce.importing import import_student
from autograder import trained
from autograder.trained import TrainedFileError, fit, generator, read_state_dict
from instructor import ROOT
from instructor.grader import batch, render, schema, score, summary
from instructor.tests import FULL, no_mnist
from instructor.tests.test_grading import LIMITS, grader_root  # noqa: F401  (a fixture)

REFERENCE = open(os.path.join(ROOT, "gan.py"), encoding="utf-8").read()
SECRET = b"PRIVATE-BYTES-THE-SANDBOX-MUST-NEVER-SEE"

# A build_dc_generator that writes the frame the scorer would send to every pipe it holds, then exits:
# whenever it is called (no part that judges the trained DCGAN calls it any more).
FORGE = '''

def build_dc_generator(noise_dim=NOISE_DIM):
    import json, os, struct
    frame = json.dumps({"scores": {"IS": %s, "FID": %s, "copies": 0.0, "copies_train": 0.0, "copies_test": 0.0,
                                   "n": 1000}}).encode()
    for fd in range(3, 256):
        try:
            os.write(fd, struct.pack(">I", len(frame)) + frame)
        except OSError:
            pass
    os._exit(0)
'''


def forged(is_value, fid_value):
    return REFERENCE.replace("def build_dc_generator(", "def _reference_build_dc_generator(", 1) + FORGE % (
        is_value, fid_value)


def strict_json(path):
    """results.json as strict JSON: NaN and Infinity refused."""
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: pytest.fail(f"{c} in {path}"))


@pytest.fixture(scope="module")
def weights_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / course.TRAINED_FILE
    torch.manual_seed(0)
    return open(gan.save_generator(gan.build_dc_generator(), str(path)), "rb").read()


def submit(folder, source=REFERENCE, weights=None):
    folder.mkdir(parents=True)
    (folder / "gan.py").write_bytes(source if isinstance(source, bytes) else source.encode("utf-8"))
    if weights is not None:
        (folder / course.TRAINED_FILE).write_bytes(weights)
    return folder


@pytest.mark.slow
def test_hostile_submissions_in_a_batch_earn_nothing_and_leave_the_reference_whole(grader_root, tmp_path,
                                                                                   weights_bytes):
    secret = tmp_path / "secret.pt"
    secret.write_bytes(SECRET)
    subs = tmp_path / "subs"
    submit(subs / "reference", weights=weights_bytes)
    submit(subs / "forged_scores", forged("9.87", "0.42"), weights_bytes)
    submit(subs / "infinite_scores", forged('float("inf")', 'float("-inf")'), weights_bytes)
    submit(subs / "linked_weights")
    os.symlink(secret, subs / "linked_weights" / course.TRAINED_FILE)
    (subs / "linked_gan").mkdir()
    os.symlink(secret, subs / "linked_gan" / "gan.py")
    os.symlink(subs / "reference", subs / "linked_folder")
    submit(subs / "byte_order_mark", b"\xef\xbb\xbf" + REFERENCE.encode("utf-8"), weights_bytes)
    submit(subs / "=HYPERLINK(\"http:x\")", weights=weights_bytes)
    reports = batch.grade_all(batch.find_submissions(str(subs)), str(tmp_path / "book"), root=grader_root, limits=LIMITS)

    def row(student):
        return next(p for p in reports[student]["parts"] if p["part"] == "trained")

    assert reports["reference"]["total"] == FULL and "scores" in row("reference")
    assert reports["byte_order_mark"]["total"] == FULL, render.report_text(reports["byte_order_mark"])
    for student in ("forged_scores", "infinite_scores"):  # the weights' own scores: an untrained generator's
        trained = row(student)
        assert trained["scores"] == row("reference")["scores"] and not trained["checks"][0][1], (student, trained)
        assert "an Inception Score below" in trained["checks"][0][2], trained["checks"][0][2]
        assert reports[student]["total"] == FULL - course.POINTS["dc_generator"], render.report_text(reports[student])
    assert "symbolic link" in row("linked_weights")["checks"][0][2]
    assert all("symbolic link" in p["checks"][0][2] for p in reports["linked_gan"]["parts"])
    assert reports["linked_folder"]["total"] == 0 and "symbolic link" in row("linked_folder")["checks"][0][2]
    for student, report in reports.items():  # no private byte reached a report, and every results.json is JSON
        assert SECRET.decode() not in json.dumps(report), student
        assert not report["grader_error"], (student, report["grader_error"])
        if pathlib.Path(batch.results_path(tmp_path / "book", student)).exists():
            strict_json(pathlib.Path(batch.results_path(tmp_path / "book", student)))
    for name in ("gradebook.csv", "checks.csv"):  # no cell a spreadsheet would run
        with open(tmp_path / "book" / name, newline="", encoding="utf-8") as f:
            cells = [cell for r in csv.reader(f) for cell in r]
        assert not [c for c in cells if c.startswith(render.FORMULA_STARTS)], name
        assert "'=HYPERLINK(\"http:x\")" in cells
    page, _, _ = summary.write(reports, str(tmp_path / "book"))
    assert os.path.getsize(page) > 0
    old = summary.read_old(str(tmp_path / "book"))  # the mark comes off as the gradebook is read back
    assert "=HYPERLINK(\"http:x\")" in old[0]


# -- the trained DCGAN: judged by its weights alone, in the grader's own network -------------------

def _saved(state):
    import io

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("weights, phrase", [
    (b"", "no dcgan_generator.pt was handed in"),
    (b"not a zip archive at all", "is not a file torch.save wrote"),
    (_saved({"G": torch.nn.Linear(2, 2)}), "holds more than weights"),  # a pickled module: never unpickled
    (_saved([torch.zeros(3)]), "not a generator's state_dict"),
    (_saved({"0.weight": torch.zeros(5, 5)}), "does not hold the assignment's DCGAN generator"),
])
def test_a_file_that_is_not_the_generators_weights_gets_a_sentence_and_no_score(weights, phrase):
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    scored = trained.score(weights, answers)["scores"]
    assert set(scored) == {"error"} and phrase in scored["error"], scored


def test_the_weights_are_scored_in_the_graders_copy_of_the_generator(weights_bytes):
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    scores = trained.score(weights_bytes, answers)["scores"]
    assert scores["n"] == course.TRAINED_SAMPLES
    assert all(math.isfinite(scores[k]) for k in ("IS", "FID", "copies", "copies_train", "copies_test"))
    # the grader's copy computes what the reference computes, with the same weights
    _, state = read_state_dict(weights_bytes)
    reference = gan.build_dc_generator().train()
    reference.load_state_dict(state)
    copy = fit(state, generator(answers))
    z = torch.rand(8, gan.NOISE_DIM) * 2 - 1
    with torch.no_grad():
        assert torch.equal(copy(z), reference(z))


def test_names_of_a_generator_written_otherwise_are_matched_by_layer_and_shape():
    """A generator written as a class of its own (fc1, bn1, ...), saved from torch.compile or
    DataParallel, or without BatchNorm's statistics, still loads; one with another layer does not."""
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    state = gan.build_dc_generator().state_dict()
    renamed = {f"layer{k.split('.')[0]}.{k.split('.')[1]}": v for k, v in state.items()}
    wrapped = {f"_orig_mod.{k}": v for k, v in state.items()}
    no_statistics = {k: v for k, v in state.items() if "running" not in k and "num_batches" not in k}
    for variant in (renamed, wrapped, no_statistics):
        fit(dict(variant), generator(answers))
    wrong = dict(state)
    wrong["7.weight"] = torch.zeros(64, 128, 4, 4)  # the first transposed convolution's weight, transposed
    with pytest.raises(TrainedFileError, match=r"`7.weight` has shape \(64, 128, 4, 4\)"):
        fit(wrong, generator(answers))


def test_the_graders_generator_on_the_meta_device_takes_the_files_weights_and_fresh_statistics():
    """score() builds its generator on the meta device: the file's tensors become its weights,
    and BatchNorm statistics the file left out are a fresh layer's, as on a generator built whole."""
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    torch.manual_seed(0)
    state = gan.build_dc_generator().state_dict()
    no_statistics = {k: v for k, v in state.items() if "running" not in k and "num_batches" not in k}
    z = torch.rand(8, gan.NOISE_DIM) * 2 - 1
    for variant in (state, no_statistics):
        with torch.device("meta"):
            meta = generator(answers)
        built, whole = fit(dict(variant), meta), fit(dict(variant), generator(answers))
        assert not any(t.is_meta for t in built.state_dict().values())
        dtypes = [{k: v.dtype for k, v in m.state_dict().items()} for m in (built, whole)]
        assert dtypes[0] == dtypes[1]
        with torch.no_grad():
            assert torch.equal(built(z), whole(z))


def test_weights_that_are_not_plain_tensors_are_refused_with_a_sentence():
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    state = gan.build_dc_generator().state_dict()
    first = next(iter(state))
    for odd, kind in ((state[first].to_sparse(), "sparse_coo, float32"), (state[first].to(torch.complex64),
                                                                           "strided, complex64")):
        with pytest.raises(TrainedFileError, match=f"`{first}` is not a plain tensor of numbers \\({kind}\\)"):
            with torch.device("meta"):
                model = generator(answers)
            fit(dict(state, **{first: odd}), model)


def test_a_store_of_digits_in_the_weights_is_refused():
    state = gan.build_dc_generator().state_dict()
    for extra in ({"memory.running_mean": torch.rand(10_000 * 784)}, {"memory": torch.rand(10_000, 784)}):
        with pytest.raises(TrainedFileError, match="memory"):
            fit(dict(state, **extra), generator(load_answers(os.path.join(ROOT, "gan-checks.npz"))))


def test_copies_of_training_digits_are_found_and_unseen_digits_are_not():
    try:
        train, test = (gan.mnist_dataset(train=flag, download=False) for flag in (True, False))
    except FileNotFoundError:
        pytest.skip(no_mnist())
    train_digits = train.data[-1000:].float().div(255).reshape(1000, 784).numpy()
    test_digits = test.data[:1000].float().div(255).reshape(1000, 784).numpy()
    shares = quality.copy_shares(train_digits)
    assert shares["train"] > 0.95 and shares["test"] < 0.05, shares  # copies of training digits, unseen by the test set
    shares = quality.copy_shares(test_digits)
    assert shares["test"] > 0.95 and shares["train"] < 0.05, shares  # and the other way round
    assert quality.copy_share(test_digits) > 0.95 and quality.copy_share(train_digits) > 0.95


@pytest.mark.parametrize("scores, phrase", [
    ({"IS": 10.0, "FID": 698.0, "copies": 0.0}, "an FID above"),  # images crafted against the classifier
    ({"IS": 9.65, "FID": 29.3, "copies": 0.97}, "copies of MNIST digits"),  # replayed digits
    ({"IS": 2.0, "FID": 600.0, "copies": 0.0}, "an Inception Score below"),  # untrained
])
def test_the_bar_needs_recognised_mnist_like_new_digits(scores, phrase):
    answers = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    out = {"scores": dict(scores, copies_train=scores["copies"], copies_test=0.0, n=course.TRAINED_SAMPLES)}
    (_, ok, message), = judge("trained", out, answers)
    assert not ok and phrase in message, message
    good = {"scores": {"IS": course.TRAINED_MIN_IS + 0.1, "FID": course.TRAINED_MAX_FID - 1, "copies": 0.01,
                       "copies_train": 0.01, "copies_test": 0.0, "n": course.TRAINED_SAMPLES}}
    assert judge("trained", good, answers)[0][1]


# -- what the grader writes --------------------------------------------------------------------------

@pytest.mark.parametrize("special", ["inf", "-inf", "nan"])
def test_no_score_that_is_not_finite_gets_through(special, tmp_path):
    frame = {"scores": {"IS": {"__float__": special}, "FID": 1.0, "copies": 0.0, "copies_train": 0.0,
                        "copies_test": 0.0, "n": 1000}}
    with pytest.raises(schema.Malformed, match="finite"):
        schema.decode("trained", json.dumps(frame))
    with pytest.raises(ValueError):  # and the writer of results.json refuses one, should it ever come
        render.write_json(str(tmp_path / "results.json"), {"score": float(special)})
    assert not (tmp_path / "results.json").exists()


def test_one_students_infinite_score_does_not_stop_the_class_page(tmp_path):
    reports = {
        "a": _report({"IS": -math.inf, "FID": math.inf}),
        "b": _report({"IS": 8.6, "FID": 40.0}),
    }
    page, md, _ = summary.write(reports, str(tmp_path))
    assert os.path.getsize(page) > 0 and "8.60" in open(md, encoding="utf-8").read()


def _report(scores):
    parts = [{"part": p, "title": course.PART_TITLES[p], "points": 0, "max_points": 0,
              "checks": [(f"{p}_check", True, "ok")]} for p in course.PARTS + ("trained",)]
    parts[-1]["scores"] = dict(scores, n=1000)
    return {"parts": parts, "total": 0, "max_total": FULL, "grader_error": None, "seconds": 1.0,
            "isolation": {"mode": "sealed"}}


@pytest.mark.parametrize("cell", ["=SUM(1;2)", "+1", "-cmd", "@A1", "'quoted"])
def test_csv_cells_that_spreadsheets_would_run_are_written_as_text(cell):
    written = render.csv_row([cell, 3, -1.5])
    assert written[0].startswith("'") and written[1:] == [3, -1.5]
    assert render.read_csv_cell(written[0]) == cell
    assert render.csv_row(["alice"]) == ["alice"]


@pytest.mark.parametrize("cell", ["\tx", "\rx", "a\nb", "\x1b[2Jx", "\u202eevil"])
def test_csv_cells_hold_no_control_character_a_spreadsheet_or_a_terminal_would_act_on(cell):
    written = render.csv_row([cell])[0]
    assert written.isprintable() and ("\\x" in written or "\\u" in written), written


def test_a_byte_order_mark_costs_nothing(tmp_path):
    path = tmp_path / "gan.py"
    path.write_bytes(b"\xef\xbb\xbf" + REFERENCE.encode("utf-8"))
    module, left_out, failure, _, _ = import_student(str(path), name="gan_with_bom")
    assert module is not None and failure is None and not left_out
    assert top_level_imports(path.read_bytes()) == top_level_imports(REFERENCE)


@pytest.mark.parametrize("part", course.PARTS + ("training",))
def test_the_schema_takes_what_the_producing_code_sends_for_the_reference_and_a_broken_file(part):
    """One place per check: what autograder/produce/ sends for a part, for the reference and for a
    file whose functions all raise, is what instructor/grader/schema.py allows, key for key. A
    key added to the producing code and not to the schema fails here, in the instructor's run,
    rather than costing every student the part."""
    import json
    import types

    from instructor.sandbox.inside.frames import encode

    answers = load_answers(os.path.join(ROOT, score.PRIVATE))
    broken = types.ModuleType("broken_gan")
    for names in course.FUNCTIONS.values():
        for name in names:
            setattr(broken, name, lambda *a, **k: (_ for _ in ()).throw(RuntimeError("broken")))
    for module in (gan, broken):
        produced = produce(part, module, "cpu", answers, provided=gan)
        schema.decode(part, json.dumps(encode(produced)))  # raises Malformed on a key it does not know
