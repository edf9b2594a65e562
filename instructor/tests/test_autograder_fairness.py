"""The autograder can fail, and fails only what is wrong.

Each WRONG variant swaps one function of the reference solution for a mistake;
the checks of its part must not all pass, and every other part must still pass.
Each RIGHT variant swaps in a correct but differently written implementation;
every check of its part must pass.
"""
import os
import types

import pytest

import gan as reference
from autograder.answers import load_answers
from autograder.judge import judge
from autograder.produce import produce
from instructor import ROOT
from instructor.tests import variants


@pytest.fixture(scope="module")
def answers():
    return load_answers(os.path.join(ROOT, "gan-checks.npz"))


def module_with(replacements):
    """The reference gan module with some functions replaced."""
    module = types.ModuleType("gan_variant")
    module.__dict__.update(vars(reference))
    module.__dict__.update(replacements)
    return module


def failures(part, module, answers):
    return [(name, msg) for name, ok, msg in judge(part, produce(part, module, "cpu", answers), answers)
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


def messages(part, replacements, answers):
    return " | ".join(msg for _, msg in failures(part, module_with(replacements), answers))


def test_noise_hints_fit_what_was_measured(answers):
    unscaled = messages("noise", {"sample_noise": variants.noise_in_0_1}, answers)
    assert "stretch and shift it to [-1, 1)" in unscaled and "torch.randn" not in unscaled
    gaussian = messages("noise", {"sample_noise": variants.noise_gaussian}, answers)  # clamped normal values
    assert "sit exactly at -0.999 or 0.999: they were cut to the range" in gaussian and "torch.randn" not in gaussian


def test_a_forward_that_raises_names_the_input_it_was_fed(answers):
    without_flatten = variants.edited("discriminator", reference.discriminator,
                                      lambda layers: [m for m in layers if not isinstance(m, reference.Flatten)])
    said = messages("discriminator", {"discriminator": without_flatten}, answers)
    assert "RuntimeError: " in said and "shapes cannot be multiplied" in said
    assert "it raised in layer 1 of the forward pass, Linear(in_features=784" in said
    assert "which got an input of shape (16, 1, 28, 28) (the model's own input)" in said
    assert "The first Linear gets an input of shape (16, 1, 28, 28), where the architecture's gets (16, 784)" in said
    assert "the architecture runs Flatten() there; yours runs no layer module" in said


def test_a_near_miss_gets_a_numerical_hint_not_a_structural_one(answers):
    import torch.nn as nn
    import torch.nn.functional as F

    class Leaky011(nn.Module):  # functional activations: no layer shows the slope
        def __init__(self):
            super().__init__()
            self.stack = nn.ModuleList(variants.linear(m) for m in variants.of(nn.Linear, reference.discriminator()))

        def forward(self, x):
            x = x.flatten(1)
            for layer in self.stack[:-1]:
                x = F.leaky_relu(layer(x), 0.011)
            return self.stack[-1](x)

    said = messages("discriminator", {"discriminator": lambda seed=None: Leaky011()}, answers)
    assert ("The values reaching the second Linear differ from the architecture's, though the first Linear's output "
            "matches" in said and "The architecture runs LeakyReLU(negative_slope=0.01) there; yours runs no layer "
            "module" in said and "layer order" not in said)  # measured: where, and what runs there in each
    assert "BatchNorm" not in said  # this architecture has none
    wrong = messages("discriminator", {"discriminator": variants.discriminator_relu}, answers)
    assert "yours runs ReLU()" in wrong and "close" not in wrong


def test_a_part_that_changes_torchs_global_state_does_not_change_the_next_part(answers):
    """In one process (pytest, the notebook, autograder.submit) as in the grader's process per part:
    a sample_noise that switches torch to float64 and draws from the global generator leaves
    the discriminator's part as it would find it in a fresh process."""
    import torch

    def sample_noise(batch_size, dim, seed=None):
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        return 2 * torch.rand(batch_size, dim) - 1

    before = (torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_rng_state())
    produce("noise", module_with({"sample_noise": sample_noise}), "cpu", answers)
    assert (torch.get_default_dtype(), torch.is_grad_enabled()) == before[:2]
    assert torch.equal(torch.get_rng_state(), before[2])
    assert all(ok for _, ok, _ in judge("discriminator", produce("discriminator", reference, "cpu",
                                                                                answers), answers))
