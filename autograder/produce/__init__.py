"""The producing side: run a student's gan.py on the inputs of an answer file and return raw
values (numbers, strings, lists and numpy arrays, never live tensors or modules) for the
judges (autograder/judge/) to compare, in another process where they can.

The only code that calls the student's functions. It computes no verdict and no statistic a
judge compares: what it returns is what the student's code gave. The grader runs it in its
sandbox, one part per process; the pytest suite and the notebook's check cells in their
own process. Everything here runs at full float32 precision (no TF32).
"""
import torch

from autograder.answers import weight_salt
from autograder.course import GROUPS
from autograder.precision import full_float32_precision, torch_state_kept
from autograder.produce.losses import produce_loss
from autograder.produce.models import produce_model
from autograder.produce.noise import produce_noise
from autograder.produce.optimizer import produce_optimizer
from autograder.produce.training import produce_training


def produce(part, gan, device, ans, provided=None, changes=()):
    """Everything the judges of `part` need, from the student module `gan`, as plain data.

    Runs at full float32 precision (see full_float32_precision) whatever the caller set.
    `provided`: the module whose run_a_gan the training smoke test uses (see provided_loop);
    `changes`: what importing gan.py changed of torch's settings (importing.Imported.changes),
    sent along so that the judges can name the line.
    The trained DCGAN is no part of this: no code of the student's runs to judge it
    (autograder/trained.py).
    """
    produced = _produce(part, gan, torch.device(device), ans, provided)
    if changes:
        produced["settings"] = [{"line": n, "code": code, "what": what} for n, code, what in changes][:20]
    return produced


def _produce(part, gan, device, ans, provided):
    salt = weight_salt(ans)
    with full_float32_precision(), torch_state_kept():
        if part == "noise":
            return produce_noise(gan)
        if part == "discriminator":
            return produce_model(gan, "discriminator", (), (), ans["d_input"], device, salt, flat=True)
        if part == "generator":
            return produce_model(gan, "generator", (4,), (int(ans["g_input"].shape[1]),), ans["g_input"], device,
                                  salt)
        if part == "gan_loss":
            return produce_loss(gan, "discriminator_loss", "generator_loss", ans, device)
        if part == "optimizer":
            return produce_optimizer(gan, ans)
        if part == "lsgan_loss":
            return produce_loss(gan, "ls_discriminator_loss", "ls_generator_loss", ans, device)
        if part == "dc_classifier":
            n = len(ans["dc_d_input"])
            return produce_model(gan, "build_dc_classifier", (n,), (n,), ans["dc_d_input"], device, salt, flat=True)
        if part == "dc_generator":
            return produce_model(gan, "build_dc_generator", (4,), (int(ans["dc_g_input"].shape[1]),),
                                  ans["dc_g_input"], device, salt)
        if part == "training":
            return produce_training(gan, device, provided)
    raise ValueError(f"unknown part {part!r}: expected one of {', '.join(g for g in GROUPS if g != 'trained')}")
