"""Generative Adversarial Networks on MNIST: the code behind GANs-PyTorch.ipynb.

Read it top to bottom, in the order of the notebook: the provided helpers, the MNIST
loaders, the ten parts you write (each between a START and an END OF YOUR CODE marker),
the provided training loop run_a_gan, and a small command line (`python gan.py --help`)
that trains one GAN and saves a grid of its samples. Every function works on the device
of the tensors or models it is given, so the same code runs on a CPU or a GPU.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F  # yours to use, as in the course
from torch.utils.data import DataLoader, Sampler

NOISE_DIM = 96

# A convenience for the notebook: the fastest device this machine has.
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


# -----------------------------------------------------------------------------
# Provided helpers


class Flatten(nn.Module):
    """(N, C, H, W) -> (N, C*H*W)."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Unflatten(nn.Module):
    """(N, C*H*W) -> (N, C, H, W). N=-1 lets the batch size be inferred."""

    def __init__(self, N=-1, C=128, H=7, W=7):
        super().__init__()
        self.N, self.C, self.H, self.W = N, C, H, W

    def forward(self, x):
        return x.view(self.N, self.C, self.H, self.W)


def initialize_weights(m):
    """Xavier-uniform weights and zero bias for Linear and ConvTranspose2d layers.

    Use it as `model.apply(initialize_weights)`.
    """
    if isinstance(m, (nn.Linear, nn.ConvTranspose2d)):
        nn.init.xavier_uniform_(m.weight.data)
        if m.bias is not None:
            nn.init.zeros_(m.bias.data)


def preprocess_img(x):
    """Pixels in [0, 1] -> [-1, 1], the range of the generator's tanh."""
    return 2 * x - 1.0


def deprocess_img(x):
    """[-1, 1] -> [0, 1], for display."""
    return (x + 1.0) / 2.0


def rel_error(x, y):
    """Largest element-wise relative error between two arrays (or numbers)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def count_params(model):
    """Number of scalars in the model's parameters."""
    return sum(p.numel() for p in model.parameters())


def save_generator(G, path):
    """Save a trained generator's weights (its state_dict, moved to the CPU) for handing in:
    the grader loads them into its own copy of the DC generator's architecture and scores
    the samples it draws."""
    torch.save({k: v.detach().cpu() for k, v in G.state_dict().items()}, path)
    print(f"saved {path} ({os.path.getsize(path) / 2**20:.1f} MB): hand it in with gan.py")
    return path


class ChunkSampler(Sampler):
    """Yields the indices start, start+1, ..., start+num_samples-1, in order.

    The course uses it to cut one MNIST training set into a training and a
    validation part without copying it.
    """

    def __init__(self, num_samples, start=0):
        self.num_samples = num_samples
        self.start = start

    def __iter__(self):
        return iter(range(self.start, self.start + self.num_samples))

    def __len__(self):
        return self.num_samples


def show_images(images, path=None, nrow=None, title=None):
    """Show (or save to `path`) a grid of images.

    images: array or tensor of shape (B, 784), (B, 28, 28) or (B, 1, 28, 28),
    with values in [-1, 1] (generator output) or [0, 1] (already deprocessed).
    """
    import matplotlib.pyplot as plt
    from torchvision.utils import make_grid

    images = torch.as_tensor(np.asarray(images, dtype=np.float32)).reshape(-1, 1, 28, 28)
    if images.min() < 0:
        images = deprocess_img(images)
    nrow = nrow or int(np.ceil(np.sqrt(images.shape[0])))
    grid = make_grid(images.clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)
    fig = plt.figure(figsize=(nrow * 0.6 + 0.4, grid.shape[1] / grid.shape[2] * (nrow * 0.6) + 0.4))
    plt.imshow(grid[0].numpy(), cmap="gray", vmin=0, vmax=1)
    plt.axis("off")
    if title:
        plt.title(title)
    if path:
        fig.savefig(path, bbox_inches="tight", dpi=100)
        plt.close(fig)
    else:
        plt.show()


# -----------------------------------------------------------------------------
# MNIST

NUM_TRAIN = 50000  # the first 50,000 training images train the GANs
NUM_VAL = 5000  # the next 5,000 are kept for validation
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def default_data_dir():
    """$GAN_DATA_DIR when set, else ./datasets."""
    return os.environ.get("GAN_DATA_DIR") or "./datasets"


def mnist_dataset(data_dir=None, train=True, download=True, transform=None):
    """torchvision's MNIST from `data_dir` (which holds MNIST/raw/), with a clear error if missing."""
    import torchvision

    root = os.path.abspath(os.path.expanduser(data_dir or default_data_dir()))
    try:
        return torchvision.datasets.MNIST(root, train=train, download=download, transform=transform)
    except Exception as err:  # missing files, no network, a broken mirror ...
        raw = os.path.join(root, "MNIST", "raw")
        reason = _first_cause(err)
        raise FileNotFoundError(
            f"MNIST is not in {raw} and could not be downloaded ({type(err).__name__}: {reason}).\n"
            f"Put the four original MNIST files there: {', '.join(MNIST_FILES)} "
            "(gzip'd, or unpacked with `gunzip -k`), or point GAN_DATA_DIR (or the "
            "data_dir argument / --data-dir option) at a folder whose MNIST/raw/ holds them."
        ) from None


def _first_cause(err):
    """An exception's message on one line. torchvision's download error starts "Error downloading
    <file>:" and gives each mirror's error on the lines after it: the first of those is kept."""
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()] or [""]
    if lines[0].endswith(":"):
        causes = [line for line in lines[1:] if not line.endswith(":")]
        return " ".join(lines[:1] + causes[:1])
    return lines[0]


def load_mnist(data_dir=None, batch_size=128, fast=False, device=None, download=True, num_train=NUM_TRAIN):
    """The course's MNIST loaders: (loader_train, loader_val).

    Training uses the first num_train (default NUM_TRAIN) images, validation the NUM_VAL
    after NUM_TRAIN, both in order; each batch x has shape (B, 1, 28, 28), pixels in [0, 1].
    fast=False builds them as the course does (ToTensor per image, DataLoader + ChunkSampler);
    fast=True gives the same batches, sliced from one tensor on `device` (default: CPU; see accel/).
    """
    if not fast:
        import torchvision.transforms as T

        train = mnist_dataset(data_dir, train=True, download=download, transform=T.ToTensor())
        loader_train = DataLoader(train, batch_size=batch_size, sampler=ChunkSampler(num_train, 0))
        loader_val = DataLoader(train, batch_size=batch_size, sampler=ChunkSampler(NUM_VAL, NUM_TRAIN))
        return loader_train, loader_val
    import accel

    train = mnist_dataset(data_dir, train=True, download=download)
    return accel.tensor_loaders(train, batch_size, device, (0, num_train), (NUM_TRAIN, NUM_TRAIN + NUM_VAL))


# -----------------------------------------------------------------------------
# Part 1: random noise


def sample_noise(batch_size, dim, seed=None):
    """Uniform noise in [-1, 1).

    Inputs: batch_size (int), dim (int), seed (int or None; when given,
    torch.manual_seed(seed) is called first so the result is reproducible).
    Returns: float32 tensor of shape (batch_size, dim).
    """
    if seed is not None:
        torch.manual_seed(seed)
    noise = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    # torch.rand is uniform in [0, 1); stretch and shift it to [-1, 1).
    noise = 2 * torch.rand(batch_size, dim) - 1
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return noise


# -----------------------------------------------------------------------------
# Part 2: the fully connected discriminator and generator


def discriminator(seed=None):
    """The fully connected discriminator.

    Input: images of shape (N, 1, 28, 28) (or (N, 784)).
    Output: logits of shape (N, 1), one real-vs-fake score per image.
    Architecture: Linear(784, 256) -> LeakyReLU(0.01) -> Linear(256, 256)
    -> LeakyReLU(0.01) -> Linear(256, 1). 267,009 parameters.
    """
    if seed is not None:
        torch.manual_seed(seed)
    model = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    model = nn.Sequential(
        Flatten(),
        nn.Linear(784, 256),
        nn.LeakyReLU(0.01),
        nn.Linear(256, 256),
        nn.LeakyReLU(0.01),
        nn.Linear(256, 1),
    )
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return model


def generator(noise_dim=NOISE_DIM, seed=None):
    """The fully connected generator.

    Input: noise of shape (N, noise_dim).
    Output: images of shape (N, 784) in [-1, 1].
    Architecture: Linear(noise_dim, 1024) -> ReLU -> Linear(1024, 1024) -> ReLU
    -> Linear(1024, 784) -> Tanh. generator(4) has 1,858,320 parameters.
    """
    if seed is not None:
        torch.manual_seed(seed)
    model = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    model = nn.Sequential(
        nn.Linear(noise_dim, 1024),
        nn.ReLU(),
        nn.Linear(1024, 1024),
        nn.ReLU(),
        nn.Linear(1024, 784),
        nn.Tanh(),
    )
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return model


# -----------------------------------------------------------------------------
# Part 3: the GAN loss


def bce_loss(input, target):
    """Numerically stable binary cross-entropy on logits, averaged over all elements.

    input: logits s of any shape; target: labels y in {0, 1} of the same shape.
    Computes mean(max(s, 0) - s*y + log(1 + exp(-|s|))), which equals
    mean(-y*log(sigmoid(s)) - (1-y)*log(1 - sigmoid(s))) but never takes the
    exponential of a large positive number. Returns a scalar tensor.
    """
    neg_abs = -input.abs()
    loss = input.clamp(min=0) - input * target + (1 + neg_abs.exp()).log()
    return loss.mean()


def discriminator_loss(logits_real, logits_fake):
    """The discriminator's loss: bce(real, 1) + bce(fake, 0), each averaged on its own.

    logits_real, logits_fake: tensors of shape (N, 1). Returns a scalar tensor.
    """
    loss = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    loss = bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(
        logits_fake, torch.zeros_like(logits_fake)
    )
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return loss


def generator_loss(logits_fake):
    """The non-saturating generator loss: bce(fake, 1).

    logits_fake: tensor of shape (N, 1). Returns a scalar tensor.
    """
    loss = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    loss = bce_loss(logits_fake, torch.ones_like(logits_fake))
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return loss


# -----------------------------------------------------------------------------
# Part 4: the optimizer


def get_optimizer(model):
    """torch.optim.Adam over all of model's parameters, lr 1e-3, betas (0.5, 0.999)."""
    optimizer = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return optimizer


# -----------------------------------------------------------------------------
# Part 5: the least-squares GAN loss (Mao et al. 2017, eq. 9)


def ls_discriminator_loss(scores_real, scores_fake):
    """0.5 * mean((real - 1)^2) + 0.5 * mean(fake^2).

    scores_real, scores_fake: tensors of shape (N, 1). Returns a scalar tensor.
    """
    loss = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    loss = 0.5 * ((scores_real - 1) ** 2).mean() + 0.5 * (scores_fake**2).mean()
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return loss


def ls_generator_loss(scores_fake):
    """0.5 * mean((fake - 1)^2).

    scores_fake: tensor of shape (N, 1). Returns a scalar tensor.
    """
    loss = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    loss = 0.5 * ((scores_fake - 1) ** 2).mean()
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return loss


# -----------------------------------------------------------------------------
# Part 6: the deep convolutional discriminator and generator (DCGAN, InfoGAN)


def build_dc_classifier(batch_size):
    """The convolutional discriminator.

    Input: images of shape (batch_size, 1, 28, 28) (or (batch_size, 784)).
    Output: logits of shape (batch_size, 1).
    Architecture: reshape to (N, 1, 28, 28) -> Conv2d(1, 32, 5) -> LeakyReLU(0.01)
    -> MaxPool(2, 2) -> Conv2d(32, 64, 5) -> LeakyReLU(0.01) -> MaxPool(2, 2)
    -> Flatten -> Linear(4*4*64, 1024) -> LeakyReLU(0.01) -> Linear(1024, 1).
    1,102,721 parameters.
    """
    model = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    model = nn.Sequential(
        Unflatten(-1, 1, 28, 28),
        nn.Conv2d(1, 32, kernel_size=5, stride=1),
        nn.LeakyReLU(0.01),
        nn.MaxPool2d(2, stride=2),
        nn.Conv2d(32, 64, kernel_size=5, stride=1),
        nn.LeakyReLU(0.01),
        nn.MaxPool2d(2, stride=2),
        Flatten(),
        nn.Linear(4 * 4 * 64, 1024),
        nn.LeakyReLU(0.01),
        nn.Linear(1024, 1),
    )
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return model


def build_dc_generator(noise_dim=NOISE_DIM):
    """The convolutional generator of InfoGAN (Chen et al. 2016, App. C.1).

    Input: noise of shape (N, noise_dim). Output: images of shape (N, 784) in [-1, 1].
    Architecture: Linear(noise_dim, 1024) -> ReLU -> BatchNorm1d(1024)
    -> Linear(1024, 7*7*128) -> ReLU -> BatchNorm1d(7*7*128) -> reshape to (N, 128, 7, 7)
    -> ConvTranspose2d(128, 64, 4, stride 2, padding 1) -> ReLU -> BatchNorm2d(64)
    -> ConvTranspose2d(64, 1, 4, stride 2, padding 1) -> Tanh -> reshape to (N, 784).
    build_dc_generator(4) has 6,580,801 parameters.
    """
    model = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    model = nn.Sequential(
        nn.Linear(noise_dim, 1024),
        nn.ReLU(),
        nn.BatchNorm1d(1024),
        nn.Linear(1024, 7 * 7 * 128),
        nn.ReLU(),
        nn.BatchNorm1d(7 * 7 * 128),
        Unflatten(-1, 128, 7, 7),
        nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
        nn.ReLU(),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
        nn.Tanh(),
        Flatten(),
    )
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return model


# -----------------------------------------------------------------------------
# Provided: the training loop


class TrainingImages(list):
    """What run_a_gan returns: a list of (16, 784) numpy arrays, one per `show_every`
    iterations, that also carries the loss of every iteration as
    `d_losses` and `g_losses` (numpy arrays) for plotting loss curves."""

    d_losses = g_losses = np.zeros(0, dtype=np.float32)


def run_a_gan(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train,
              show_every=250, batch_size=128, noise_size=NOISE_DIM, num_epochs=10, *, progress=True,
              fast_kernels=True, cuda_graphs=False):
    """Train a GAN with alternating discriminator and generator steps.

    D: images (N, 1, 28, 28) -> logits (N, 1). G: noise (N, noise_size) -> images (N, 784).
    D_solver, G_solver: their optimizers. discriminator_loss, generator_loss: the loss
    functions to use. loader_train: yields (x, y) with x of shape (N, 1, 28, 28) in [0, 1]
    (a DataLoader, or the TensorLoader of load_mnist(fast=True)).
    Prints the losses and keeps 16 generated images every `show_every` iterations;
    returns them as a list of (16, 784) numpy arrays (a TrainingImages list, which also
    carries the per-iteration losses). progress=False hides the progress lines (_EpochCounter).
    A loader whose batches all differ from batch_size raises a ValueError after its first epoch.
    fast_kernels (default True) and cuda_graphs (on a GPU) make the same steps run faster,
    up to float rounding (see accel/); with fast_kernels=False and cuda_graphs=False the
    loop does exactly the float operations of the course's loop.
    """
    device = next(G.parameters()).device

    def d_step(x, noise):
        """One discriminator update: push D(real) up and D(G(noise)) down."""
        D_solver.zero_grad()
        logits_real = D(preprocess_img(x))
        with torch.no_grad():  # D only needs the fakes' values, not a graph back into G
            fake_images = G(noise)
        logits_fake = D(fake_images.view(batch_size, 1, 28, 28))
        d_total_error = discriminator_loss(logits_real, logits_fake)
        d_total_error.backward()
        D_solver.step()
        return d_total_error

    def g_step(noise):
        """One generator update; gradients flow through D into G."""
        G_solver.zero_grad()
        D.requires_grad_(False)  # D is frozen: its weights get no gradients they would not use
        fake_images = G(noise)
        gen_logits_fake = D(fake_images.view(batch_size, 1, 28, 28))
        g_error = generator_loss(gen_logits_fake)
        g_error.backward()
        D.requires_grad_(True)
        G_solver.step()
        return g_error, fake_images

    if fast_kernels or cuda_graphs:  # the same steps on faster kernels: accel/, not part of the assignment
        try:
            import accel
        except ImportError:
            accel = print("(accel/ is not beside gan.py: training with the course's kernels, more slowly)")
        if accel is not None:
            d_step, g_step = accel.speed_up(d_step, g_step, D, D_solver, G_solver, batch_size, device,
                                            kernels=fast_kernels, cuda_graphs=cuda_graphs)

    images = TrainingImages()
    d_history, g_history = [], []  # kept on the device: no wait for the GPU per iteration
    counter = _EpochCounter(num_epochs, _batches_per_epoch(loader_train)) if progress else None
    iter_count = 0
    for epoch in range(num_epochs):
        trained, skipped = iter_count, set()  # skipped: the sizes of the batches left out this epoch
        for x, _ in loader_train:
            if len(x) != batch_size:  # the course skips the last, partial batch
                skipped.add(len(x))
                continue
            d_total_error = d_step(x.to(device), _to(sample_noise(batch_size, noise_size), device))
            g_error, fake_images = g_step(_to(sample_noise(batch_size, noise_size), device))

            d_history.append(d_total_error.detach())
            g_history.append(g_error.detach())
            if iter_count % show_every == 0:  # the only place that waits for the device
                print("Iter: {}, D: {:.4}, G:{:.4}".format(iter_count, d_total_error.item(), g_error.item()))
                images.append(fake_images.detach().cpu().numpy()[0:16])
            iter_count += 1
            if counter is not None:
                counter.iteration_done(iter_count)
        if iter_count == trained and skipped:
            raise ValueError(_all_skipped(skipped, batch_size))
        if counter is not None:
            counter.epoch_done(iter_count)
    if d_history:
        images.d_losses = torch.stack(d_history).float().cpu().numpy()
        images.g_losses = torch.stack(g_history).float().cpu().numpy()
    return images


def _batches_per_epoch(loader):
    """How many batches the loader yields per epoch, or None where it cannot say."""
    try:
        return len(loader)
    except TypeError:  # an iterable dataset, or a generator
        return None


def _all_skipped(sizes, batch_size):
    """Why an epoch trained nothing: every batch had another size than batch_size."""
    held = " or ".join(f"{n:,}" for n in sorted(sizes))
    return (f"run_a_gan skipped every batch of loader_train: they hold {held} images, and batch_size is "
            f"{batch_size:,} (the loop trains only on full batches of batch_size, as the course's does). "
            f"Pass run_a_gan the loader's batch size (batch_size={max(sizes)}), or build the loader with "
            f"batch_size={batch_size}.")


class _EpochCounter:
    """Training progress as plain lines, one when an epoch ends and a few within it:
        epoch 1/5 at 30% [##------------------] 117 iterations, 38 s, 3.1 it/s, 590 s left
        epoch 1/5 [####----------------] 390 iterations, 125 s, 3.1 it/s, 500 s left
    Lines are printed, never redrawn, so they read the same in a terminal, Jupyter, Colab
    and a notebook saved as HTML or PDF. Within an epoch a line comes at a tenth of the
    epoch once EVERY seconds have passed since the last one: a slow epoch (a DCGAN on a
    CPU takes minutes) shows it is moving, a fast one prints only its end."""

    EVERY = 10  # seconds

    def __init__(self, num_epochs, batches_per_epoch=None):
        self.num_epochs, self.per_epoch = num_epochs, batches_per_epoch
        self.done, self.start = 0, time.monotonic()
        self.epoch_start_iterations, self.last_line, self.last_tenth = 0, self.start, 0

    def iteration_done(self, iterations):
        now = time.monotonic()
        if not self.per_epoch or now - self.last_line < self.EVERY:
            return
        within = (iterations - self.epoch_start_iterations) / self.per_epoch
        tenth = int(10 * within)
        if tenth > self.last_tenth and within < 1:
            self.last_tenth, self.last_line = tenth, now
            self._print(f"epoch {self.done + 1}/{self.num_epochs} at {100 * within:.0f}%",
                        (self.done + within) / self.num_epochs, iterations, now)

    def epoch_done(self, iterations):
        self.done += 1
        self.epoch_start_iterations, self.last_tenth = iterations, 0
        self.last_line = time.monotonic()
        self._print(f"epoch {self.done}/{self.num_epochs}", self.done / self.num_epochs, iterations,
                    self.last_line)

    def _print(self, where, fraction, iterations, now):
        seconds = now - self.start
        rate = iterations / max(seconds, 1e-9)
        left = seconds / fraction * (1 - fraction) if fraction > 0 else 0
        print(f"{where} [{'#' * round(20 * fraction):-<20}] {iterations:,} iterations, {seconds:.0f} s, "
              f"{rate:.{1 if rate < 10 else 0}f} it/s" + (f", {left:.0f} s left" if round(left) else ""), flush=True)


def _to(x, device):
    """Copy a CPU tensor to `device`. On a GPU the copy goes through pinned memory so
    it does not make the CPU wait for the GPU to finish its queued work."""
    if device.type == "cuda":
        return x.pin_memory().to(device, non_blocking=True)
    return x.to(device)


# -----------------------------------------------------------------------------
# Provided: the three GANs of the notebook, and a command line to train one

GANS = ("vanilla", "lsgan", "dcgan")

# The functions of yours that each GAN needs, and the part of the notebook that asks for them.
PART_OF = {"sample_noise": "random noise", "discriminator": "the discriminator", "generator": "the generator",
           "discriminator_loss": "the GAN loss", "generator_loss": "the GAN loss", "get_optimizer": "the optimizer",
           "ls_discriminator_loss": "the least-squares GAN loss", "ls_generator_loss": "the least-squares GAN loss",
           "build_dc_classifier": "the DC discriminator", "build_dc_generator": "the DC generator"}
NEEDS = {
    "vanilla": ("sample_noise", "discriminator", "generator", "discriminator_loss", "generator_loss", "get_optimizer"),
    "lsgan": ("sample_noise", "discriminator", "generator", "ls_discriminator_loss", "ls_generator_loss",
              "get_optimizer"),
    "dcgan": ("sample_noise", "build_dc_classifier", "build_dc_generator", "discriminator_loss", "generator_loss",
              "get_optimizer"),
}


class PartNotImplemented(RuntimeError):
    """A training needs a function of gan.py that still returns None. Jupyter shows it as
    its one sentence instead of a traceback."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def require_parts(name):
    """Stop, with one sentence, if a function the `name` GAN needs still returns None.
    (Call it before seeding: it draws a little noise.)"""
    logits = torch.zeros(2, 1)
    tries = {"sample_noise": lambda: sample_noise(2, 3), "discriminator": discriminator, "generator": generator,
             "discriminator_loss": lambda: discriminator_loss(logits, logits),
             "generator_loss": lambda: generator_loss(logits), "get_optimizer": lambda: get_optimizer(nn.Linear(1, 1)),
             "ls_discriminator_loss": lambda: ls_discriminator_loss(logits, logits),
             "ls_generator_loss": lambda: ls_generator_loss(logits),
             "build_dc_classifier": lambda: build_dc_classifier(2), "build_dc_generator": lambda: build_dc_generator(4)}
    for fn in NEEDS[name]:
        if tries[fn]() is None:
            raise PartNotImplemented(f"Write {fn}() in gan.py first ({PART_OF[fn]}): the {name} GAN needs it, "
                                     "and it still returns None.")


def build_gan(name, noise_dim=NOISE_DIM, batch_size=128, device="cpu", seed=None):
    """D, G, D_solver, G_solver, discriminator loss and generator loss of one of GANS,
    set up as the notebook does (the DC models get initialize_weights)."""
    if name not in GANS:
        raise ValueError(f"unknown GAN {name!r}: expected one of {', '.join(GANS)}")
    require_parts(name)
    if seed is not None:
        torch.manual_seed(seed)
    if name == "dcgan":
        D = build_dc_classifier(batch_size)
        G = build_dc_generator(noise_dim)
        D.apply(initialize_weights)
        G.apply(initialize_weights)
    else:
        D, G = discriminator(), generator(noise_dim)
    D, G = D.to(device), G.to(device)
    losses = (ls_discriminator_loss, ls_generator_loss) if name == "lsgan" else (discriminator_loss, generator_loss)
    return (D, G, get_optimizer(D), get_optimizer(G)) + losses


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train one GAN on MNIST and save a grid of its samples.")
    parser.add_argument("--model", choices=GANS, default="vanilla")
    from autograder.course import (
        EPOCHS,  # the course's, which the notebook's parameters cell reads too
    )

    parser.add_argument("--epochs", type=int, default=None,
                        help="default: the course's, " + ", ".join(f"{n} ({m})" for m, n in EPOCHS.items()))
    parser.add_argument("--data-dir", default=None, help="folder holding MNIST/raw/ (default: $GAN_DATA_DIR or ./datasets)")
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-every", type=int, default=250)
    parser.add_argument("--course-loader", action="store_true", help="use the course's DataLoader instead of the fast tensor loader")
    parser.add_argument("--out", default=None, help="PNG for the final samples (default: samples-<model>.png)")
    parser.add_argument("--save-generator", default=None, metavar="PT",
                        help="also save the trained generator's weights here (save_generator)")
    parser.add_argument("--cuda-graphs", action="store_true",
                        help="on a GPU, replay each training step as a CUDA graph (accel/; not yet run on a GPU)")
    args = parser.parse_args(argv)

    dev = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device)
    epochs = args.epochs if args.epochs is not None else EPOCHS[args.model]
    try:
        loader_train, _ = load_mnist(args.data_dir, fast=not args.course_loader, device=dev)
    except FileNotFoundError as err:
        parser.exit(2, f"error: {err}\n")
    try:
        D, G, D_solver, G_solver, d_loss, g_loss = build_gan(args.model, device=dev, seed=args.seed)
    except PartNotImplemented as err:
        parser.exit(2, f"error: {err}\n")
    span = f"{epochs} epoch{'s' * (epochs != 1)}"
    print(f"Training {args.model} for {span} on {dev} ...")
    start = time.time()
    run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader_train,
              show_every=args.show_every, num_epochs=epochs, cuda_graphs=args.cuda_graphs)
    print(f"done in {time.time() - start:.1f} s")
    with torch.no_grad():
        samples = G(sample_noise(64, NOISE_DIM).to(dev)).cpu()
    out = args.out or f"samples-{args.model}.png"
    show_images(samples, path=out, nrow=8, title=f"{args.model}, {span}")
    print(f"saved 64 samples to {out}")
    if args.save_generator:
        save_generator(G, args.save_generator)


if __name__ == "__main__":
    main()
