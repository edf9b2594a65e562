"""gan.py's provided data loaders and command line."""
import os
import re
import shutil
import subprocess
import sys

import pytest
import torch

import accel
import gan
from instructor import ROOT
from instructor.tests import mnist_root, needs_mnist, no_mnist

DATA_DIR = mnist_root()


def test_missing_data_names_the_folder_and_the_files(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        gan.load_mnist(str(tmp_path), download=False)
    message = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    for name in gan.MNIST_FILES:
        assert name in message
    assert "GAN_DATA_DIR" in message


def test_a_failed_download_says_why_on_one_line(tmp_path, monkeypatch):
    """Offline, torchvision's error starts "Error downloading <file>:" and puts each mirror's error on
    lines after it; the message keeps the first of those, not a colon with nothing after it."""
    import torchvision

    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])  # nothing listens there
    with pytest.raises(FileNotFoundError) as info:
        gan.load_mnist(str(tmp_path))
    first = str(info.value).splitlines()[0]
    assert re.search(r"\(RuntimeError: Error downloading train-images-idx3-ubyte\.gz: \S[^)]*\S", first), first


@pytest.mark.slow
def test_the_tests_look_for_mnist_where_gan_py_does(tmp_path):
    """The four files in ./datasets/MNIST/raw and GAN_DATA_DIR unset, as a newcomer has them: where
    gan.py reads MNIST, the tests that need it run (their setup, here), none is skipped."""
    here = mnist_root()
    if here is None:
        pytest.skip(no_mnist())
    raw = tmp_path / "datasets" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in os.listdir(os.path.join(here, "MNIST", "raw")):
        os.symlink(os.path.join(here, "MNIST", "raw", name), raw / name)
    tests = [os.path.join(ROOT, "instructor", "tests", name) for name in (
        "test_quality.py::test_classifier_accuracy_on_the_test_set_is_as_recorded",
        "test_data_and_cli.py::test_course_and_fast_loaders_give_the_same_batches")]
    env = {k: v for k, v in os.environ.items() if k not in ("GAN_DATA_DIR", "CI")}
    out = subprocess.run([sys.executable, "-m", "pytest", *tests, "--setup-only", "-rs", "-q", "-p", "no:cacheprovider"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "skipped" not in out.stdout.lower(), out.stdout[-3000:] + out.stderr[-2000:]
    assert all(test.split("::")[1] in out.stdout for test in tests), out.stdout[-3000:]


def test_data_dir_defaults_to_the_environment(monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", "/somewhere/else")
    assert gan.default_data_dir() == "/somewhere/else"
    monkeypatch.delenv("GAN_DATA_DIR")
    assert gan.default_data_dir() == "./datasets"


def test_tensor_loader_batches_and_seeded_shuffle():
    images, labels = torch.arange(10.0).view(10, 1, 1, 1), torch.arange(10)
    batches = list(accel.TensorLoader(images, labels, batch_size=4))
    assert [len(x) for x, _ in batches] == [4, 4, 2]
    assert torch.equal(torch.cat([y for _, y in batches]), labels)
    first = [y for _, y in accel.TensorLoader(images, labels, 4, shuffle=True, seed=1)]
    again = [y for _, y in accel.TensorLoader(images, labels, 4, shuffle=True, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert sorted(torch.cat(first).tolist()) == list(range(10))


@needs_mnist
def test_course_and_fast_loaders_give_the_same_batches():
    course_train, course_val = gan.load_mnist(DATA_DIR)
    fast_train, fast_val = gan.load_mnist(DATA_DIR, fast=True)
    assert len(course_train) == len(fast_train) == 391 and len(course_val) == len(fast_val) == 40
    for (xc, yc), (xf, yf) in zip(course_val, fast_val):
        assert xc.shape == xf.shape and xc.dtype == xf.dtype == torch.float32
        assert torch.equal(xc, xf) and torch.equal(yc, yf)
    xc, _ = next(iter(course_train))
    xf, _ = next(iter(fast_train))
    assert xc.shape == (128, 1, 28, 28) and torch.equal(xc, xf)


@needs_mnist
@pytest.mark.slow
def test_command_line_trains_and_saves_a_grid(tmp_path, capsys):
    out = tmp_path / "grid.png"
    gan.main(["--model", "vanilla", "--epochs", "1", "--data-dir", DATA_DIR, "--out", str(out), "--device", "cpu"])
    printed = capsys.readouterr().out
    assert "Iter: 0, D:" in printed and "Iter: 250, D:" in printed
    assert out.stat().st_size > 1000


@pytest.mark.slow
def test_the_test_command_says_why_each_test_was_skipped(tmp_path):
    """The README's test command, as typed (no -rs): a skipped test's reason is in the summary,
    here the trained check's, for a gan.py with no weights file beside it."""
    shutil.copy(os.path.join(ROOT, "gan.py"), tmp_path / "gan.py")
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-k", "trained",
                          "--gan", str(tmp_path / "gan.py")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
    assert re.search(r"^SKIPPED \[\d+\] tests/\S+: no dcgan_generator\.pt beside gan\.py", out.stdout, re.M), out.stdout
