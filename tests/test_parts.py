"""The grading suite: one test function per part of gan.py, one test per check.

Run it on a student's file with `python -m pytest tests --gan path/to/gan.py`.
The checks themselves live in autograder/judge/ (one module per part).
"""
import os

import pytest

from autograder.course import TRAINED_FILE
from autograder.judge import CHECKS


def by_name(fn):
    return fn.__name__


def _run(part, check, verdicts):
    ok, message = verdicts(part)[check.__name__]
    if not ok:  # the message says what to fix; the grader's traceback would not help
        pytest.fail(message, pytrace=False)


@pytest.mark.parametrize("check", CHECKS["noise"], ids=by_name)
def test_random_noise(check, verdicts):
    _run("noise", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["discriminator"], ids=by_name)
def test_discriminator(check, verdicts):
    _run("discriminator", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["generator"], ids=by_name)
def test_generator(check, verdicts):
    _run("generator", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["gan_loss"], ids=by_name)
def test_gan_loss(check, verdicts):
    _run("gan_loss", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["optimizer"], ids=by_name)
def test_optimizer(check, verdicts):
    _run("optimizer", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["lsgan_loss"], ids=by_name)
def test_lsgan_loss(check, verdicts):
    _run("lsgan_loss", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["dc_classifier"], ids=by_name)
def test_dc_classifier(check, verdicts):
    _run("dc_classifier", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["dc_generator"], ids=by_name)
def test_dc_generator(check, verdicts):
    _run("dc_generator", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["training"], ids=by_name)
def test_training_smoke(check, verdicts):
    _run("training", check, verdicts)


@pytest.mark.parametrize("check", CHECKS["trained"], ids=by_name)
def test_trained_dcgan(check, verdicts, trained_weights):
    """The DCGAN you trained, saved beside gan.py by the notebook: skipped until it is there."""
    if not os.path.exists(trained_weights):
        pytest.skip(f"no {TRAINED_FILE} beside gan.py yet: train the DCGAN in the notebook, which saves it")
    _run("trained", check, verdicts)
