"""The IS / FID scorer in quality/ gives known values on constructed inputs."""
import os

import numpy as np
import pytest
import torch

import quality
from instructor.tests import mnist_root, needs_mnist


def test_one_hot_uniform_labels_give_inception_score_10():
    probs = np.eye(10)[np.arange(1000) % 10]
    assert quality.inception_score(probs) == pytest.approx(10.0, rel=1e-9)


def test_identical_predictions_give_inception_score_1():
    probs = np.tile([0.05, 0.5, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1], (500, 1))
    assert quality.inception_score(probs) == pytest.approx(1.0, abs=1e-9)


def test_one_digit_only_gives_inception_score_1():
    probs = np.eye(10)[np.zeros(200, dtype=int)]
    assert quality.inception_score(probs) == pytest.approx(1.0, abs=1e-9)


def test_frechet_distance_of_a_set_with_itself_is_zero():
    feats = np.random.default_rng(0).normal(size=(2000, 16))
    mu, sigma = quality.gaussian_stats(feats)
    assert abs(quality.frechet_distance(mu, sigma, mu, sigma)) < 1e-8


def test_frechet_distance_of_shifted_gaussians_is_the_squared_shift():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(8, 8))
    sigma = a @ a.T + np.eye(8)
    shift = rng.normal(size=8)
    assert quality.frechet_distance(np.zeros(8), sigma, shift, sigma) == pytest.approx(shift @ shift, rel=1e-7)


def test_frechet_distance_of_scaled_covariances():
    # For S1 = I and S2 = 4 I in d dimensions: tr(I + 4I - 2 * 2I) = d.
    assert quality.frechet_distance(np.zeros(5), np.eye(5), np.zeros(5), 4 * np.eye(5)) == pytest.approx(5.0)


def test_classifier_loads_small_and_accurate():
    assert os.path.getsize(quality.WEIGHTS) < 5 * 1024 * 1024
    model = quality.load_classifier()
    probs, feats = quality.classify(model, torch.zeros(3, 784))
    assert probs.shape == (3, 10) and feats.shape == (3, 128)
    assert np.allclose(probs.sum(1), 1)
    stats = quality.reference_stats()
    assert float(stats["test_accuracy"]) >= 0.99
    assert stats["mu"].shape == (128,) and stats["sigma"].shape == (128, 128)


@pytest.mark.slow
@needs_mnist
def test_classifier_accuracy_on_the_test_set_is_as_recorded():
    import gan

    test = gan.mnist_dataset(mnist_root(), train=False)
    probs, _ = quality.classify(quality.load_classifier(), test.data.float().div(255))
    accuracy = float((probs.argmax(1) == test.targets.numpy()).mean())
    assert accuracy >= 0.99
    assert accuracy == pytest.approx(float(quality.reference_stats()["test_accuracy"]), abs=1e-3)
