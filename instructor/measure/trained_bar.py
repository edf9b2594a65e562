"""Where the trained DCGAN's bar sits: the reference solution's DCGAN, trained with the
notebook's settings (its epochs, batch 128) from several seeds, scored exactly as the
grader scores a student's file (autograder.trained: TRAINED_SAMPLES samples drawn by the
grader's copy of the generator, from noise seeded with the answer file's seed; Inception
Score, FID and share of copies of MNIST digits), with both answer files' seeds.

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
from autograder.trained import score
from instructor.measure import figures


def train(seed, data_dir, out):
    """The reference DCGAN trained as the notebook trains it, saved to `out` as its cell saves it."""
    loader, _ = gan.load_mnist(data_dir=data_dir, download=False, fast=True)
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("dcgan", seed=seed)
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, num_epochs=course.EPOCHS["dcgan"], show_every=10 ** 9,
                      progress=False)
    return gan.save_generator(G, out)


def main(args):
    from instructor.course.answers import PRIVATE, PUBLIC

    answer_files = {"public": load_answers(PUBLIC), "grader's": load_answers(PRIVATE)}
    files = list(args.weights or [])
    folder = tempfile.mkdtemp(prefix="trained-bar-")
    for seed in ([] if args.weights else args.seeds):
        start = time.time()
        files.append(train(seed, args.data_dir, os.path.join(folder, f"seed{seed}.pt")))
        print(f"seed {seed}: trained in {time.time() - start:.0f} s")
    rows = []
    for path in files:
        found = {kind: score(path, answers)["scores"] for kind, answers in answer_files.items()}
        rows.append((os.path.basename(path), found))
        print(f"{os.path.basename(path)}: {found}")
    text = text_of(rows)
    print(text)
    if args.write:
        print(f"wrote {figures.write_top('trained-bar.md', text)}")


def text_of(rows):
    """The page: [(file name, {"public": scores, "grader's": scores})] -> Markdown."""
    good = [found["grader's"] for _, found in rows if "IS" in found["grader's"]]
    if len(good) < 2:
        raise SystemExit("fewer than two files scored: no spread to set a bar from")
    keys = ("IS", "FID", "copies", "copies_train", "copies_test")
    mean = {k: statistics.mean(s[k] for s in good) for k in keys}
    sd = {k: statistics.stdev(s[k] for s in good) for k in keys}
    gap = [abs(found["public"][k] - found["grader's"][k]) for _, found in rows if "IS" in found["public"]
           for k in ("IS",)]
    suggest_is, suggest_fid = mean["IS"] - 3 * sd["IS"], mean["FID"] + 3 * sd["FID"]
    lines = [f"The reference solution's DCGAN, trained with the notebook's settings ({course.EPOCHS['dcgan']} epochs), "
             f"scored as the grader scores a student's file ({course.TRAINED_SAMPLES:,} samples drawn by the grader's "
             "copy of the generator, from the noise seed of the public answer file and of the grader's); "
             f"`python -m instructor trained-bar` on {platform.node() or 'this machine'} "
             f"({os.cpu_count()} CPUs, torch {torch.__version__}), {time.strftime('%Y-%m-%d')}.", "",
             "| file | IS (grader's seed) | IS (public seed) | FID (grader's) | FID (public) | copies of training "
             "digits | copies of test digits | copies of either |", "|---|---|---|---|---|---|---|---|"]
    for name, found in rows:
        grader, public = found["grader's"], found["public"]
        lines.append(f"| {name} | {grader['IS']:.3f} | {public['IS']:.3f} | {grader['FID']:.2f} | {public['FID']:.2f} | "
                     f"{grader['copies_train']:.1%} | {grader['copies_test']:.1%} | {grader['copies']:.1%} |"
                     if "IS" in grader and "IS" in public else f"| {name} | {grader.get('error', '?')} | | | | | | |")
    lines += ["", f"Mean ± sd over {len(good)} (the grader's seed): IS {mean['IS']:.2f} ± {sd['IS']:.2f}, FID "
                  f"{mean['FID']:.1f} ± {sd['FID']:.1f}, copies {mean['copies']:.1%} ± {sd['copies']:.1%} (of training "
                  f"digits {mean['copies_train']:.1%}, of test digits {mean['copies_test']:.1%}). The public seed's "
                  f"IS differs from the grader's by {max(gap):.2f} at most.", "",
              f"Suggested bars (mean - 3 sd, mean + 3 sd): IS at least {suggest_is:.2f}, FID at most {suggest_fid:.1f}. "
              f"In force (autograder/course.py): IS at least {course.TRAINED_MIN_IS}, FID at most "
              f"{course.TRAINED_MAX_FID:g}, copies at most {course.TRAINED_MAX_COPIES:.0%}.", "",
              f"Copies: the most any of the {len(good)} trainings drew was {max(s['copies'] for s in good):.1%} of its "
              f"samples (mean + 3 sd: {mean['copies'] + 3 * sd['copies']:.1%}); the bar refuses a generator with more "
              f"than {course.TRAINED_MAX_COPIES:.0%}, a share no correct training here came near."]
    return "\n".join(lines)
