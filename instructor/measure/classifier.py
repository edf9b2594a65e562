"""Train the MNIST classifier behind quality/ (Inception Score and FID).

Trains on the 60,000 training images, reports accuracy on the 10,000 test images,
and writes quality/mnist_classifier.pt (weights) and quality/mnist_stats.npz
(test-set feature statistics, the test set's own IS, the FID of 10,000 training
images against the test set, and the test accuracy), and quality/mnist_thumbs.npz
(both sets' images shrunk to 7x7, and the copy check's distances: see quality/).
"""
import time

import numpy as np
import torch
import torch.nn.functional as F

import gan
import quality


def _images(data_dir, train):
    ds = gan.mnist_dataset(data_dir, train=train)
    return ds.data.unsqueeze(1).float().div(255), ds.targets


def write_thumbs(x_train, x_test):
    """quality/mnist_thumbs.npz: the 60,000 training and 10,000 test thumbnails, as bytes, and
    for each set the distance to it that all but COPY_QUANTILE of the other set's images exceed."""
    images = {"train": x_train, "test": x_test}
    thumbs = {s: (quality.thumbnails(x) * 255).round().to(torch.uint8).numpy() for s, x in images.items()}
    found = dict(thumbs)
    for s, other in (("train", "test"), ("test", "train")):
        distances = quality.nearest_distance(images[other], thumbs[s])
        found[f"{s}_distance"] = float(np.quantile(distances, quality.COPY_QUANTILE))
        print(f"{other} images' distance to the nearest {s} thumbnail: median {np.median(distances):.3f}, "
              f"{quality.COPY_QUANTILE:.0%} quantile {found[f'{s}_distance']:.4f} (a sample nearer is a copy)")
    np.savez_compressed(quality.THUMBS, **found)
    print(f"wrote {quality.THUMBS}")


def main(args):
    torch.manual_seed(args.seed)
    x_train, y_train = _images(args.data_dir, True)
    x_test, y_test = _images(args.data_dir, False)
    write_thumbs(x_train, x_test)
    if args.thumbs_only:
        return
    model = quality.MnistClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = args.epochs * ((len(x_train) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        for i in range(0, len(x_train), 128):
            idx = order[i : i + 128]
            x = x_train[idx]
            # Random shifts of up to 2 pixels: a little augmentation for robustness.
            dx, dy = torch.randint(-2, 3, (2,)).tolist()
            x = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
            loss = F.cross_entropy(model(x), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        probs, _ = quality.classify(model, x_test)
        acc = float((probs.argmax(1) == y_test.numpy()).mean())
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {acc:.4f} ({time.time() - start:.0f} s)")
    torch.save({k: v.clone() for k, v in model.state_dict().items()}, quality.WEIGHTS)

    probs, feats = quality.classify(model, x_test)
    mu, sigma = quality.gaussian_stats(feats)
    _, train_feats = quality.classify(model, x_train[:10000])
    train_fid = quality.frechet_distance(*quality.gaussian_stats(train_feats), mu, sigma)
    test_is = quality.inception_score(probs)
    np.savez(quality.STATS, mu=mu, sigma=sigma, test_is=test_is, train_fid=train_fid, test_accuracy=acc)
    print(f"test accuracy {acc:.4f}; test-set IS {test_is:.3f}; FID of 10,000 training images vs test {train_fid:.3f}")
    print(f"wrote {quality.WEIGHTS} and {quality.STATS}")
