"""Scores for generated MNIST digits, from a small MNIST classifier.

inception_score: Salimans et al. 2016, in the exact form of Barratt & Sharma 2018
(eq. 1): exp of the mean, over N samples, of KL(p(y|x) || p(y)), where p(y) is the
mean of p(y|x) over the same samples. 1 <= IS <= 10 for ten classes.

frechet_distance: the Frechet distance between two Gaussians fitted to classifier
features (Heusel et al. 2017's FID, with this classifier's 128-d penultimate layer
in place of Inception-v3's pool layer). Generated samples are compared with the
statistics of the 10,000 MNIST test images, stored in mnist_stats.npz, so scoring
needs no dataset.

copy_share: the share of samples that are copies of MNIST digits, of the training set or
of the test set. Each image is shrunk to 7x7 (4x4 averages, 49 bytes) and its nearest
neighbour among the 60,000 shrunk training images and among the 10,000 shrunk test images
is found; a sample counts as a copy when it lies closer to the training set than all but
1% of the real test images do, or closer to the test set than all but 1% of the training
images do (the nearest-neighbour test of memorisation, Theis et al. 2016, section 3.1).
Real unseen digits give about 2%.

The files beside this one are written by `python -m instructor classifier`.
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(HERE, "mnist_classifier.pt")
STATS = os.path.join(HERE, "mnist_stats.npz")
THUMBS = os.path.join(HERE, "mnist_thumbs.npz")
COPY_QUANTILE = 0.01  # a sample is a copy when nearer a set than all but this share of the other set's images


class MnistClassifier(nn.Module):
    """(N, 1, 28, 28) images in [0, 1] -> (N, 10) logits; features() gives (N, 128)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv4 = nn.Conv2d(64, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def features(self, x):
        x = (x.reshape(-1, 1, 28, 28) - 0.1307) / 0.3081
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = F.max_pool2d(F.relu(self.conv4(F.relu(self.conv3(x)))), 2)
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x):
        return self.fc2(self.features(x))


def classifier_weights():
    """The committed classifier's state_dict (tensors only: no module is built)."""
    if not os.path.exists(WEIGHTS):
        raise FileNotFoundError(f"{WEIGHTS} is missing: run `python -m instructor classifier` to train it.")
    return torch.load(WEIGHTS, map_location="cpu", weights_only=True)


def load_classifier(device="cpu", weights=None):
    """The committed classifier (or one with `weights`, classifier_weights()'s), in eval mode."""
    model = MnistClassifier()
    model.load_state_dict(weights if weights is not None else classifier_weights())
    return model.to(device).eval()


@torch.no_grad()
def classify(model, images, batch_size=1000):
    """Probabilities (N, 10) and features (N, 128), float64 numpy, for images in [0, 1]
    of shape (N, 784) or (N, 1, 28, 28)."""
    device = next(model.parameters()).device
    probs, feats = [], []
    for i in range(0, len(images), batch_size):
        x = torch.as_tensor(images[i : i + batch_size], dtype=torch.float32).to(device)
        f = model.features(x)
        probs.append(F.softmax(model.fc2(f), dim=1).double().cpu())
        feats.append(f.double().cpu())
    return torch.cat(probs).numpy(), torch.cat(feats).numpy()


def inception_score(probs, eps=1e-12):
    """exp(mean_x KL(p(y|x) || p(y))) for probs of shape (N, classes)."""
    probs = np.asarray(probs, dtype=np.float64)
    marginal = probs.mean(axis=0, keepdims=True)
    kl = np.sum(probs * (np.log(probs + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


def gaussian_stats(features):
    """Mean and covariance of (N, d) features."""
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)).

    tr((S1 S2)^(1/2)) is the sum of square roots of the eigenvalues of
    S1^(1/2) S2 S1^(1/2), which is symmetric, so only symmetric eigensolvers are needed.
    """
    w, v = np.linalg.eigh(sigma1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = np.linalg.eigvalsh(root1 @ sigma2 @ root1)
    trace_sqrt = np.sum(np.sqrt(np.clip(inner, 0, None)))
    diff = np.asarray(mu1) - np.asarray(mu2)
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt)


def reference_stats():
    with np.load(STATS) as f:
        return {k: f[k] for k in f.files}


def thumbnails(images):
    """(N, 49) float32 7x7 versions (4x4 averages) of images in [0, 1], (N, 784) or (N, 1, 28, 28)."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32).reshape(-1, 1, 28, 28)
    return F.avg_pool2d(x, 4).reshape(len(x), 49)


SETS = ("train", "test")  # the MNIST sets a sample may be a copy of


def mnist_thumbs():
    """{'train': (60000, 49) uint8, 'test': (10000, 49) uint8, 'train_distance': float,
    'test_distance': float}: the shrunk images of both MNIST sets, and for each the distance
    under which a sample counts as a copy of it (COPY_QUANTILE of the other set's images')."""
    if not os.path.exists(THUMBS):
        raise FileNotFoundError(f"{THUMBS} is missing: run `python -m instructor classifier --thumbs-only`.")
    with np.load(THUMBS) as f:
        return {key: f[key] if key in SETS else float(f[key]) for key in f.files}


@torch.no_grad()
def nearest_distance(images, thumbs, batch_size=50):
    """(N,) Euclidean distance of each image's thumbnail to the nearest of `thumbs` (uint8);
    batch_size images at a time (each takes 0.24 MB of distances: the scorer runs in a 768 MB box).
    |q - r|^2 = |q|^2 + |r|^2 - 2 q.r, with one product per batch: torch.cdist's own buffers made
    the scorer's peak 214 MB above its start, against 65 MB this way (1,000 samples, 2026-12-07);
    the distances agree with cdist's to 5e-7, far below the copy thresholds (0.07 and 0.09)."""
    reference = torch.as_tensor(thumbs, dtype=torch.float32).div_(255)
    reference_sq = (reference * reference).sum(dim=1)
    queries = thumbnails(images)
    nearest = []
    for i in range(0, len(queries), batch_size):
        q = queries[i:i + batch_size]
        # |r|^2 - 2 q.r: the distance less |q|^2, which is the same for every r
        closest = torch.addmm(reference_sq, q, reference.T, alpha=-2).min(dim=1).values
        nearest.append((closest + (q * q).sum(dim=1)).clamp_min(0).sqrt())
    return torch.cat(nearest).numpy()


def copy_shares(images, thumbs=None):
    """{'train': ..., 'test': ..., 'any': ...}: the share of images that are copies of training
    digits, of test digits, and of either (see the module's docstring)."""
    thumbs = thumbs or mnist_thumbs()
    near = {s: nearest_distance(images, thumbs[s]) < thumbs[f"{s}_distance"] for s in SETS}
    return {**{s: float(np.mean(near[s])) for s in SETS}, "any": float(np.mean(near["train"] | near["test"]))}


def copy_share(images, thumbs=None):
    """The share of images that are copies of MNIST digits, training or test (copy_shares' 'any')."""
    return copy_shares(images, thumbs)["any"]


def score_images(images, model=None, stats=None, batch_size=1000, thumbs=None):
    """{'IS': ..., 'FID': ..., 'copies': ..., 'copies_train': ..., 'copies_test': ...} of images in
    [0, 1] against the MNIST test set (copies: copy_shares); batch_size: images through the
    classifier at a time (its activations take about 0.4 MB an image)."""
    model = model or load_classifier()
    stats = stats or reference_stats()
    probs, feats = classify(model, images, batch_size)
    mu, sigma = gaussian_stats(feats)
    shares = copy_shares(images, thumbs)
    return {"IS": inception_score(probs), "FID": frechet_distance(mu, sigma, stats["mu"], stats["sigma"]),
            "copies": shares["any"], "copies_train": shares["train"], "copies_test": shares["test"]}


@torch.no_grad()
def generate(G, n, noise_dim=None, batch_size=1000, seed=None):
    """n images in [0, 1], shape (n, 784), from generator G, as it is (train or eval mode):
    its [-1, 1] outputs mapped to [0, 1] as gan.deprocess_img does. The noise is uniform on
    [-1, 1), from `seed` where one is given, else from gan.sample_noise; noise_dim: by
    default gan.NOISE_DIM."""
    if noise_dim is None:
        import gan

        noise_dim = gan.NOISE_DIM
    device = next(G.parameters()).device
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    out = []
    for i in range(0, n, batch_size):
        m = min(batch_size, n - i)
        if gen is not None:
            z = torch.rand(m, noise_dim, generator=gen) * 2 - 1
        else:
            import gan

            z = gan.sample_noise(m, noise_dim)
        out.append(((G(z.to(device)) + 1) / 2).reshape(m, 784).clamp(0, 1).cpu())
    return torch.cat(out).numpy()


def score_generator(G, n=10000, device=None, label="generator", noise_dim=None, seed=None):
    """Print and return the IS and FID of n samples of G, beside the real test set's values."""
    model = load_classifier(device or next(G.parameters()).device)
    stats = reference_stats()
    scores = score_images(generate(G, n, noise_dim, seed=seed), model, stats)
    print(f"{label}: Inception Score {scores['IS']:.2f}, FID {scores['FID']:.2f} on {n:,} samples "
          f"(real MNIST test images: IS {float(stats['test_is']):.2f}; "
          f"10,000 training images against the test set: FID {float(stats['train_fid']):.2f})")
    return scores
