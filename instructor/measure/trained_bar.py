"""Where the trained DCGAN's bar sits: the reference solution's DCGAN, trained with the
notebook's settings (its epochs, batch 128) from several seeds, scored exactly as the
grader scores a student's file (autograder/: TRAINED_SAMPLES samples from noise seeded
with TRAINED_SEED; Inception Score, FID and share of copies of training digits).

Writes figures/trained-bar.md: each seed's scores, their mean and standard deviation,
and the bars they suggest (mean - 3 sd for the IS, mean + 3 sd for the FID). The bars in
force are autograder/course.py's TRAINED_MIN_IS and TRAINED_MAX_FID; the table says which
they are beside what this run suggests.
"""
import contextlib
import io
import os
import platform
import statistics
import tempfile
import time

import torch

import gan
from autograder import course
from autograder.answers import load_answers
from autograder.produce import produce
from autograder.trained import score_samples
from instructor.measure import figures


def train(seed, data_dir, out):
    """The reference DCGAN trained as the notebook trains it, saved to `out` as its cell saves it."""
    loader, _ = gan.load_mnist(data_dir=data_dir, download=False, fast=True)
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("dcgan", seed=seed)
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, num_epochs=course.EPOCHS["dcgan"], show_every=10 ** 9,
                      progress=False)
    return gan.save_generator(G, out)


def scores_of(path, answers):
    """The grader's scores of one weights file: {'IS', 'FID', 'copies', 'n', 'params'} or {'error'}."""
    samples = produce("trained", gan, "cpu", answers, weights=path)
    return score_samples(samples, weights=path)["scores"]


def main(args):
    answers = load_answers(os.path.join(os.path.dirname(gan.__file__), "gan-course.npz"))
    files = list(args.weights or [])
    folder = tempfile.mkdtemp(prefix="trained-bar-")
    for seed in ([] if args.weights else args.seeds):
        start = time.time()
        files.append(train(seed, args.data_dir, os.path.join(folder, f"seed{seed}.pt")))
        print(f"seed {seed}: trained in {time.time() - start:.0f} s")
    rows = []
    for path in files:
        scores = scores_of(path, answers)
        rows.append((os.path.basename(path), scores))
        print(f"{os.path.basename(path)}: {scores}")
    good = [s for _, s in rows if "IS" in s]
    if len(good) < 2:
        raise SystemExit("fewer than two files scored: no spread to set a bar from")
    mean = {k: statistics.mean(s[k] for s in good) for k in ("IS", "FID", "copies")}
    sd = {k: statistics.stdev(s[k] for s in good) for k in ("IS", "FID", "copies")}
    suggest_is, suggest_fid = mean["IS"] - 3 * sd["IS"], mean["FID"] + 3 * sd["FID"]
    lines = [f"The reference solution's DCGAN, trained with the notebook's settings ({course.EPOCHS['dcgan']} epochs), scored as the grader "
             f"scores a student's file ({course.TRAINED_SAMPLES:,} samples, noise seed {course.TRAINED_SEED}); "
             f"`python -m instructor trained-bar` on {platform.node() or 'this machine'} "
             f"({os.cpu_count()} CPUs, torch {torch.__version__}), {time.strftime('%Y-%m-%d')}.", "",
             "| file | Inception Score | FID | copies of training digits |", "|---|---|---|---|"]
    lines += [f"| {name} | {s['IS']:.3f} | {s['FID']:.2f} | {s['copies']:.1%} |" if "IS" in s
              else f"| {name} | {s.get('error', '?')} | | |" for name, s in rows]
    lines += ["", f"Mean ± sd over {len(good)}: IS {mean['IS']:.2f} ± {sd['IS']:.2f}, FID {mean['FID']:.1f} ± "
                  f"{sd['FID']:.1f}, copies {mean['copies']:.1%} ± {sd['copies']:.1%}.", "",
              f"Suggested bars (mean - 3 sd, mean + 3 sd): IS at least {suggest_is:.2f}, FID at most {suggest_fid:.1f}. "
              f"In force (autograder/course.py): IS at least {course.TRAINED_MIN_IS}, FID at most "
              f"{course.TRAINED_MAX_FID:g}, copies at most {course.TRAINED_MAX_COPIES:.0%}."]
    text = "\n".join(lines)
    print(text)
    if args.write:
        print(f"wrote {figures.write_top('trained-bar.md', text)}")
