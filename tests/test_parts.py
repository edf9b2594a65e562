"""The grading suite: one test function per part of gan.py, one test per check.

Run it on a student's file with `python -m pytest tests --gan path/to/gan.py`.
The checks themselves live in tests/checks.py.
"""
import pytest

from tests.checks import CHECKS, CheckFailed


def by_name(fn):
    return fn.__name__


def _run(part, check, produced, answers):
    try:
        check(produced(part), answers)
    except CheckFailed as err:  # the message says what to fix; the grader's traceback would not help
        pytest.fail(str(err), pytrace=False)


@pytest.mark.parametrize("check", CHECKS["noise"], ids=by_name)
def test_random_noise(check, produced, answers):
    _run("noise", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["discriminator"], ids=by_name)
def test_discriminator(check, produced, answers):
    _run("discriminator", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["generator"], ids=by_name)
def test_generator(check, produced, answers):
    _run("generator", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["gan_loss"], ids=by_name)
def test_gan_loss(check, produced, answers):
    _run("gan_loss", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["optimizer"], ids=by_name)
def test_optimizer(check, produced, answers):
    _run("optimizer", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["lsgan_loss"], ids=by_name)
def test_lsgan_loss(check, produced, answers):
    _run("lsgan_loss", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["dc_classifier"], ids=by_name)
def test_dc_classifier(check, produced, answers):
    _run("dc_classifier", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["dc_generator"], ids=by_name)
def test_dc_generator(check, produced, answers):
    _run("dc_generator", check, produced, answers)


@pytest.mark.parametrize("check", CHECKS["training"], ids=by_name)
def test_training_smoke(check, produced, answers):
    _run("training", check, produced, answers)
