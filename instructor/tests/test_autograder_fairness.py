"""The autograder can fail, and fails only what is wrong.

Each WRONG variant swaps one function of the reference solution for a mistake;
the checks of its part must not all pass, and every other part must still pass.
Each RIGHT variant swaps in a correct but differently written implementation;
every check of its part must pass.
"""
import types

import numpy as np
import pytest

import gan as reference
from instructor.tests import variants
from tests import checks, produce


@pytest.fixture(scope="module")
def answers():
    with np.load(checks.__file__.replace("tests/checks.py", "gan-checks.npz")) as f:
        return {k: f[k] for k in f.files}


def module_with(replacements):
    """The reference gan module with some functions replaced."""
    module = types.ModuleType("gan_variant")
    module.__dict__.update(vars(reference))
    module.__dict__.update(replacements)
    return module


def failures(part, module, answers):
    return [(name, msg) for name, ok, msg in checks.judge(part, produce.produce(part, module, "cpu", answers), answers)
            if not ok]


WRONG_CASES = [(part, fname, fn) for part, table in variants.WRONG.items() for fname, fns in table.items() for fn in fns]


@pytest.mark.parametrize("part,fname,fn", WRONG_CASES, ids=[fn.__name__ for _, _, fn in WRONG_CASES])
def test_wrong_variant_fails_its_part(part, fname, fn, answers):
    failed = failures(part, module_with({fname: fn}), answers)
    assert failed, f"{fn.__name__} is wrong, yet every {part} check passed"
    for name, message in failed:  # the message must say what to fix, not be a bare error
        assert len(message) > 30, (name, message)


@pytest.mark.parametrize("part", list(variants.RIGHT), ids=str)
def test_right_variant_passes_its_part(part, answers):
    failed = failures(part, module_with(variants.RIGHT[part]), answers)
    assert not failed, f"a correct {part} written differently failed: {failed}"


def test_right_variants_together_train(answers):
    module = module_with({k: v for table in variants.RIGHT.values() for k, v in table.items()})
    assert not failures("training", module, answers)


def test_wrong_part_does_not_spill_into_other_parts(answers):
    module = module_with({"discriminator": variants.discriminator_relu})
    assert failures("discriminator", module, answers)
    for part in ("noise", "generator", "gan_loss", "optimizer", "lsgan_loss", "dc_classifier", "dc_generator"):
        assert not failures(part, module, answers), part
