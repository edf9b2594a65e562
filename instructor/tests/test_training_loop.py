"""run_a_gan trains as the course's loop does, on any loader, and records losses."""
import contextlib
import io
import time
import types

import numpy as np
import pytest
import torch

import accel
import gan
from instructor.measure.benchmark import course_loop


def synthetic_loader(n_batches=5, batch_size=16, extra=5):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n_batches * batch_size + extra, 1, 28, 28, generator=g)
    return accel.TensorLoader(x, torch.zeros(len(x), dtype=torch.long), batch_size)


@pytest.mark.parametrize("name", gan.GANS)
def test_run_a_gan_matches_the_course_loop(name):
    loader = synthetic_loader()
    trained = []
    for loop in ("course", "ours"):
        D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, noise_dim=gan.NOISE_DIM, batch_size=16, seed=0)
        if loop == "course":
            course_loop(D, G, D_solver, G_solver, d_loss, g_loss, loader, batch_size=16)
        else:
            with contextlib.redirect_stdout(io.StringIO()):  # Adam's kernel as in the course
                gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, batch_size=16, num_epochs=1,
                              progress=False, fast_kernels=False)
        trained.append([p.detach().clone() for p in list(D.parameters()) + list(G.parameters())])
    for a, b in zip(*trained):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_run_a_gan_returns_images_and_loss_history(capsys):
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("vanilla", batch_size=16, seed=0)
    images = gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, synthetic_loader(), show_every=2,
                           batch_size=16, num_epochs=2, progress=False)
    assert isinstance(images, list) and len(images) == 5  # iterations 0, 2, 4, 6, 8 of 10
    assert all(isinstance(i, np.ndarray) and i.shape == (16, 784) for i in images)
    assert images.d_losses.shape == images.g_losses.shape == (10,)
    assert np.all(np.isfinite(images.d_losses)) and np.all(np.isfinite(images.g_losses))
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Iter: 0, D: ") and ", G:" in printed[0] and len(printed) == 5


def test_run_a_gan_accepts_a_plain_dataloader():
    dataset = torch.utils.data.TensorDataset(torch.rand(40, 1, 28, 28), torch.zeros(40, dtype=torch.long))
    loader = torch.utils.data.DataLoader(dataset, batch_size=16, sampler=gan.ChunkSampler(40))
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("lsgan", batch_size=16, seed=0)
    with contextlib.redirect_stdout(io.StringIO()):
        images = gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, batch_size=16, num_epochs=1,
                               progress=False)
    assert len(images.d_losses) == 2  # the partial batch of 8 is skipped


def test_discriminator_is_trainable_again_after_run_a_gan():
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("vanilla", batch_size=16, seed=0)
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, synthetic_loader(), batch_size=16, num_epochs=1,
                      progress=False)
    assert all(p.requires_grad for p in D.parameters())


# -- what a student sees ------------------------------------------------------------

def test_progress_is_one_plain_line_per_epoch(capsys):
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("vanilla", batch_size=16, seed=0)
    gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, synthetic_loader(), batch_size=16, num_epochs=3,
                  show_every=100)
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]
    assert "[####################] 15 iterations" in lines[-1] and "it/s" in lines[-1]
    assert "\r" not in captured.out + captured.err and "\x1b" not in captured.out + captured.err


class SlowLoader:
    """synthetic_loader's batches, each taking `seconds` on a clock of its own, which
    run_a_gan's progress lines read (gan.time is patched to it)."""

    def __init__(self, n_batches, seconds):
        self.batches, self.seconds, self.now = synthetic_loader(n_batches, extra=0), seconds, 0.0

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for batch in self.batches:
            self.now += self.seconds
            yield batch


def test_a_slow_epoch_shows_its_progress_in_tenths_in_the_same_plain_lines(capsys, monkeypatch):
    loader = SlowLoader(20, seconds=5)  # a 100-second epoch: a line at each tenth, 10 s apart
    monkeypatch.setattr(gan, "time", types.SimpleNamespace(monotonic=lambda: loader.now, time=time.time))
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("vanilla", batch_size=16, seed=0)
    gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, batch_size=16, num_epochs=1, show_every=100)
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.startswith("epoch ")]
    assert lines[0] == "epoch 1/1 at 10% [##------------------] 2 iterations, 10 s, 0.2 it/s, 90 s left", lines
    assert [line.split()[3] for line in lines[:-1]] == [f"{10 * k}%" for k in range(1, 10)], lines
    assert lines[-1] == "epoch 1/1 [####################] 20 iterations, 100 s, 0.2 it/s", lines
    assert "\r" not in captured.out + captured.err and "\x1b" not in captured.out + captured.err


def test_a_loader_whose_batches_all_differ_from_batch_size_stops_with_both_sizes():
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("vanilla", batch_size=128, seed=0)
    with pytest.raises(ValueError) as info, contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, synthetic_loader(3, batch_size=16, extra=0),
                      batch_size=128, num_epochs=5, progress=False)
    said = str(info.value)
    assert said.startswith("run_a_gan skipped every batch of loader_train: they hold 16 images, and batch_size "
                           "is 128"), said
    assert "batch_size=16" in said and "build the loader with batch_size=128" in said, said


def test_a_missing_part_stops_training_with_one_sentence(monkeypatch):
    monkeypatch.setattr(gan, "generator_loss", lambda logits_fake: None)
    with pytest.raises(gan.PartNotImplemented) as info:
        gan.build_gan("vanilla")
    assert str(info.value).startswith("Write generator_loss() in gan.py first (the GAN loss)")
    assert info.value._render_traceback_() == [f"PartNotImplemented: {info.value}"]  # what Jupyter shows
    gan.require_parts("lsgan")  # the LSGAN does not need it
