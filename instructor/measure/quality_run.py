"""Train the three GANs with the reference solution at the course settings, score them,
and write figures/quality.md (the table) and figures/example-outputs.png (the figure
at the top of the notebook)."""
import contextlib
import io
import os
import statistics
import time

import numpy as np
import torch

import gan
import quality
from autograder.course import EPOCHS
from instructor import ROOT

TITLES = {"vanilla": "Vanilla GAN", "lsgan": "LSGAN", "dcgan": "DCGAN"}


def train_and_score(name, seed, epochs, loader, device, samples, model, stats):
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, device=device, seed=seed)
    start = time.time()
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, num_epochs=epochs, progress=False)
    seconds = time.time() - start
    images = quality.generate(G, samples, seed=10_000 + seed)
    scores = quality.score_images(images, model, stats)
    return seconds, scores, images[:64]


def write_figure(grids, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from torchvision.utils import make_grid

    fig, axes = plt.subplots(1, len(grids), figsize=(4.2 * len(grids), 4.6))
    for ax, (title, images) in zip(np.atleast_1d(axes), grids):
        grid = make_grid(torch.as_tensor(images).reshape(-1, 1, 28, 28), nrow=8, padding=2, pad_value=1.0)
        ax.imshow(grid[0].numpy(), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(args):
    device = torch.device(args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu"))
    loader, _ = gan.load_mnist(args.data_dir, fast=True, device=device)
    model, stats = quality.load_classifier(device), quality.reference_stats()
    os.makedirs(os.path.join(ROOT, "figures"), exist_ok=True)
    rows, grids = [], []
    for name in (args.models or gan.GANS):
        for seed in args.seeds:
            epochs = args.epochs or EPOCHS[name]
            seconds, scores, first64 = train_and_score(name, seed, epochs, loader, device, args.samples, model, stats)
            rows.append((name, seed, epochs, seconds, scores["IS"], scores["FID"]))
            print(f"{name} seed {seed}: {epochs} epochs in {seconds:.0f} s, IS {scores['IS']:.2f}, FID {scores['FID']:.2f}",
                  flush=True)
            if seed == args.seeds[0]:
                grids.append((f"{TITLES[name]}, {epochs} epochs", first64))
    write_figure(grids, os.path.join(ROOT, "figures", "example-outputs.png"))

    lines = [f"Reference solution, course settings, {args.samples:,} samples per score, on {device.type}"
             f" ({torch.cuda.get_device_name() if device.type == 'cuda' else f'{torch.get_num_threads()} CPU threads'}),"
             f" torch {torch.__version__}. Real MNIST test images: IS {float(stats['test_is']):.2f};"
             f" 10,000 training images vs the test set: FID {float(stats['train_fid']):.2f}.", "",
             "| model | seed | epochs | wall time | IS | FID |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {s} | {e} | {t:.0f} s | {i:.2f} | {f:.2f} |" for n, s, e, t, i, f in rows]
    lines += ["", "| model | IS, mean ± sd over seeds | FID, mean ± sd |", "|---|---|---|"]
    for name in (args.models or gan.GANS):
        ist = [r[4] for r in rows if r[0] == name]
        fid = [r[5] for r in rows if r[0] == name]
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
        lines.append(f"| {name} | {statistics.mean(ist):.2f} ± {sd(ist):.2f} | {statistics.mean(fid):.2f} ± {sd(fid):.2f} |")
    with open(os.path.join(ROOT, "figures", "quality.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
