"""The judges of the training: the provided run_a_gan with the student's models for a few
iterations (the smoke test, no points), and the DCGAN the student trained, by its samples' scores."""
import numpy as np

from autograder.course import (EPOCHS, TRAINED_FILE, TRAINED_MAX_COPIES, TRAINED_MAX_FID, TRAINED_MIN_IS, TRAINED_SAMPLES,
                               TRAINED_TYPICAL, TRAINING_BATCH, TRAINING_ITERATIONS)
from autograder.judge.base import check, fail, get


def _training(out, name):
    rec = get(out, name, f"the provided run_a_gan with your {name} models")
    n = TRAINING_ITERATIONS
    if rec["n_images"] != n // 2 or any(s != [TRAINING_BATCH, 784] for s in rec["shapes"]):
        fail(f"run_a_gan ({name}): expected {n // 2} image arrays of shape ({TRAINING_BATCH}, 784) after {n} "
             f"iterations with show_every=2, got {rec['n_images']} of shapes {rec['shapes']}.")
    for key in ("d_losses", "g_losses"):
        v = np.asarray(rec[key])
        if len(v) != n or not np.all(np.isfinite(v)):
            fail(f"run_a_gan ({name}): expected {n} finite {key[0].upper()} losses, got {v.tolist()}.")
    return f"{name}: {n} iterations, finite losses"


@check("training")
def training_vanilla_gan_runs(out, ans):
    return _training(out, "vanilla")


@check("training")
def training_lsgan_runs(out, ans):
    return _training(out, "lsgan")


@check("training")
def training_dcgan_runs(out, ans):
    return _training(out, "dcgan")


# -- the trained DCGAN

@check("trained", name="trained_dcgan_clears_the_bar")
def trained_clears_the_bar(out, ans):
    scores = out.get("scores") if isinstance(out, dict) else None
    if isinstance(scores, dict) and "error" in scores:  # a sentence on the file handed in, as it is
        fail(scores["error"], scores["error"])
    scores = get(out, "scores", f"your trained DCGAN generator ({TRAINED_FILE})")
    if scores["n"] != TRAINED_SAMPLES:
        fail(f"the grader scored {scores['n']} samples of your trained generator, not {TRAINED_SAMPLES}.")
    line = (f"Inception Score {scores['IS']:.2f}, FID {scores['FID']:.1f}, {scores['copies']:.1%} copies of "
            f"MNIST digits, on {scores['n']:,} samples drawn by the grader's copy of the generator")
    bar = (f"the bar: IS at least {TRAINED_MIN_IS}, FID at most {TRAINED_MAX_FID:g}, copies at most "
           f"{TRAINED_MAX_COPIES:.0%}")
    problems = ([f"an Inception Score below {TRAINED_MIN_IS}"] if not scores["IS"] >= TRAINED_MIN_IS else []) + (
        [f"an FID above {TRAINED_MAX_FID:g} (the samples do not look like MNIST as a whole)"]
        if not scores["FID"] <= TRAINED_MAX_FID else [])
    if not scores["copies"] <= TRAINED_MAX_COPIES:
        fail(f"{line}: {scores['copies']:.0%} of the samples are copies of MNIST digits ({scores['copies_train']:.0%} "
             f"of training digits, {scores['copies_test']:.0%} of test digits; real unseen digits: about 2%). The "
             "generator must make digits, not replay stored ones.")
    if problems:
        fail(f"{line}: {' and '.join(problems)} ({bar}). A correct DCGAN trained with the notebook's settings "
             f"({EPOCHS['dcgan']} epochs) reaches IS {TRAINED_TYPICAL}; train it so, then run the cell that saves "
             f"{TRAINED_FILE} and hand in that file.")
    return f"{line} ({bar})"
