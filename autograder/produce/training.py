"""The training smoke test: the assignment's own run_a_gan for a few iterations of each GAN,
with the student's models, losses and optimizer, on random images."""
import contextlib
import inspect
import io
import types

import numpy as np
import torch

from autograder.course import TRAINING_BATCH, TRAINING_ITERATIONS, TRAINING_NOISE
from autograder.produce.student import StudentError, _, attempt, call, model_of


def plain_loop_options(run_a_gan):
    """No progress lines and the course's kernels (no accel/), where run_a_gan takes those options."""
    try:
        accepted = inspect.signature(run_a_gan).parameters
    except (TypeError, ValueError):
        return {}
    return {k: False for k in ("progress", "fast_kernels", "fast") if k in accepted}


def provided_loop(gan, provided=None):
    """The run_a_gan that trains the student's models: that of `provided` (the assignment's
    own gan.py, its blocks empty), calling the student's sample_noise, so that a file that
    brings its own copy of the loop is still tested with the one the assignment provides.
    Without `provided`, the file's own run_a_gan."""
    if provided is None or provided is gan:
        return gan.run_a_gan
    if not callable(getattr(gan, "sample_noise", None)):
        raise StudentError(_("gan.py has no function {name}(); keep its name and signature as given.").format(
            name="sample_noise"))
    loop = provided.run_a_gan
    scope = dict(vars(provided), sample_noise=gan.sample_noise)
    run = types.FunctionType(loop.__code__, scope, loop.__name__, loop.__defaults__, loop.__closure__)
    run.__kwdefaults__ = loop.__kwdefaults__
    return run


def produce_training(gan, device, provided=None):
    """The provided run_a_gan for a few iterations of each GAN on random images."""
    gen = torch.Generator().manual_seed(0)
    batch, noise = TRAINING_BATCH, TRAINING_NOISE
    loader = [(torch.rand(batch, 1, 28, 28, generator=gen, device="cpu"),  # whatever default device gan.py set
               torch.zeros(batch, dtype=torch.long, device="cpu")) for _ in range(TRAINING_ITERATIONS)]

    def train(name):
        builders = {"vanilla": ("discriminator", (), "generator", (noise,)),
                    "lsgan": ("discriminator", (), "generator", (noise,)),
                    "dcgan": ("build_dc_classifier", (batch,), "build_dc_generator", (noise,))}
        d_name, d_args, g_name, g_args = builders[name]
        torch.manual_seed(0)
        D = model_of(gan, d_name, d_args).to(device)
        G = model_of(gan, g_name, g_args).to(device)
        losses = ("ls_discriminator_loss", "ls_generator_loss") if name == "lsgan" else (
            "discriminator_loss", "generator_loss")
        run_a_gan = provided_loop(gan, provided)
        with contextlib.redirect_stdout(io.StringIO()):  # its "Iter: ..." lines would only clutter the report
            images = run_a_gan(D, G, call(gan, "get_optimizer", D), call(gan, "get_optimizer", G),
                               getattr(gan, losses[0]), getattr(gan, losses[1]), loader,
                               show_every=2, batch_size=batch, noise_size=noise, num_epochs=1,
                               **plain_loop_options(run_a_gan))
        return {"n_images": len(images), "shapes": [list(np.shape(i)) for i in images][:16],
                "d_losses": np.asarray(getattr(images, "d_losses", []), dtype=np.float64).ravel()[:64],
                "g_losses": np.asarray(getattr(images, "g_losses", []), dtype=np.float64).ravel()[:64]}

    return {name: attempt(lambda name=name: train(name)) for name in ("vanilla", "lsgan", "dcgan")}
