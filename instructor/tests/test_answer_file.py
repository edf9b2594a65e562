"""The answer files are what the reference solution computes, their losses are right,
and the grader's private file shares no input or fixed weight with the public one."""
import numpy as np
import pytest

import gan as reference
from autograder.answers import load_answers
from instructor.course import answers as answer_file
from instructor.grader.markers import CODE_START

COURSE_KEYS = ("logits_real", "logits_fake", "d_loss_true", "g_loss_true", "d_loss_lsgan_true", "g_loss_lsgan_true")
FILES = {"public": (answer_file.PUBLIC, answer_file.PUBLIC_SEEDS),
         "private": (answer_file.PRIVATE, answer_file.PRIVATE_SEEDS)}


@pytest.fixture(scope="module", params=sorted(FILES))
def which(request):
    return request.param


@pytest.fixture(scope="module")
def committed(which):
    return load_answers(FILES[which][0])


@pytest.fixture(scope="module")
def regenerated(which, tmp_path_factory):
    path = tmp_path_factory.mktemp("answers") / "answers.npz"
    answer_file.save(answer_file.build(reference, FILES[which][1]), path)
    return load_answers(path)


def test_course_keys_present_with_course_shapes(committed):
    for key in COURSE_KEYS:
        assert key in committed, key
    assert committed["logits_real"].dtype == np.float64 and committed["logits_real"].shape[1:] == (1,)
    assert committed["logits_fake"].dtype == np.float64 and committed["logits_fake"].shape[1:] == (1,)


def test_committed_file_matches_a_fresh_regeneration(committed, regenerated):
    assert sorted(committed) == sorted(regenerated)
    for key, value in committed.items():
        assert value.dtype == regenerated[key].dtype and value.shape == regenerated[key].shape, key
        if value.dtype.kind == "U":
            assert value == regenerated[key], key
            continue
        # Inputs are drawn by numpy's seeded generator (exact); outputs may differ in the last bits across machines.
        np.testing.assert_allclose(value, regenerated[key], rtol=1e-9, atol=1e-12, err_msg=key)


def test_regeneration_is_byte_identical(tmp_path):
    answer_file.save(answer_file.build(reference), tmp_path / "a.npz")
    answer_file.save(answer_file.build(reference), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def _bce(logits, target):
    """Binary cross-entropy on logits in float64, written with logaddexp: log(1 + e^-s) = logaddexp(0, -s)."""
    return np.mean(target * np.logaddexp(0, -logits) + (1 - target) * np.logaddexp(0, logits))


@pytest.mark.parametrize("prefix", ["", "big_"])
def test_losses_agree_with_independent_float64_computation(committed, prefix):
    real, fake = committed[prefix + "logits_real"], committed[prefix + "logits_fake"]
    expected = {
        "d_loss_true": _bce(real, 1.0) + _bce(fake, 0.0),
        "g_loss_true": _bce(fake, 1.0),
        "d_loss_lsgan_true": 0.5 * np.mean((real - 1) ** 2) + 0.5 * np.mean(fake ** 2),
        "g_loss_lsgan_true": 0.5 * np.mean((fake - 1) ** 2),
    }
    for key, value in expected.items():
        assert np.isfinite(committed[prefix + key])
        assert abs(committed[prefix + key] - value) <= 1e-12 * max(1.0, abs(value)), (prefix + key, committed[prefix + key], value)


def test_large_logits_would_overflow_a_naive_loss(committed):
    assert np.abs(committed["big_logits_real"]).min() >= 30 and np.abs(committed["big_logits_fake"]).min() >= 30
    assert (committed["big_logits_real"] > 0).any() and (committed["big_logits_real"] < 0).any()


def test_parameter_counts_are_the_references_counted_tensor_by_tensor(committed):
    counted = lambda model: sum(p.numel() for p in model.parameters())  # not gan.count_params, which the file used
    assert int(committed["d_params_true"]) == counted(reference.discriminator())
    assert int(committed["g_params_true"]) == counted(reference.generator(4))
    assert int(committed["dc_d_params_true"]) == counted(reference.build_dc_classifier(len(committed["dc_d_input"])))
    assert int(committed["dc_g_params_true"]) == counted(reference.build_dc_generator(4))
    assert int(committed["trained_params_true"]) == counted(reference.build_dc_generator(reference.NOISE_DIM))


def test_optimizer_settings_are_the_specified_ones(committed):
    assert float(committed["optim_lr_true"]) == 1e-3
    assert committed["optim_betas_true"].tolist() == [0.5, 0.999]
    assert float(committed["optim_weight_decay_true"]) == 0.0
    moved = committed["optim_params_true"] - committed["optim_params_start"]
    # Adam's first steps are about lr each, whatever the gradient's size.
    assert 1e-4 < np.abs(moved).max() <= len(committed["optim_grads"]) * 1.001e-3


def test_private_file_shares_no_input_or_weight_with_the_public_one():
    public, private = load_answers(answer_file.PUBLIC), load_answers(answer_file.PRIVATE)
    assert sorted(public) == sorted(private)
    assert str(public["weight_salt"]) != str(private["weight_salt"])
    for key in public:  # every input and every expected output (not the shared settings) is another draw
        if public[key].dtype.kind == "f" and public[key].size > 4 and ("true" not in key or "output" in key):
            assert public[key].shape == private[key].shape, key
            assert np.mean(public[key] == private[key]) < 0.01, key


@pytest.mark.slow
def test_answer_files_of_another_reference_are_stale_and_no_build_is_made_from_them(tmp_path, monkeypatch):
    """A changed reference (the vanilla discriminator with one more layer) leaves the committed
    answer files stale: stale() names what differs, and the release and Gradescope commands refuse."""
    import os

    from instructor import ROOT
    from instructor.course import gradescope, release

    assert answer_file.stale() == []  # the committed files are the reference's
    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        source = f.read()
    block = source.index(CODE_START, source.index("def discriminator("))
    first = source.index("Flatten(),", block) + len("Flatten(),")
    deeper = source[:first] + "\n        nn.Linear(784, 784)," + source[first:]
    (tmp_path / "gan.py").write_text(deeper)
    said = answer_file.stale(str(tmp_path / "gan.py"))
    assert len(said) == 2 and all("d_params_true" in s and "d_output_true" in s for s in said), said
    monkeypatch.setattr(answer_file, "stale", lambda: said)
    for command, what in ((release.main, "the student release"), (gradescope.main, "the Gradescope zip")):
        with pytest.raises(SystemExit, match=f"not building {what}: the answer files do not match"):
            command(type("Args", (), {"out": str(tmp_path / "never")})())
        assert not os.path.exists(tmp_path / "never")
