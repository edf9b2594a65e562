"""The judges of the training: the provided run_a_gan with the student's models for a few
iterations (the smoke test, no points), and the DCGAN the student trained, by its samples' scores."""
import numpy as np

from autograder.course import (EPOCHS, TRAINED_FILE, TRAINED_MAX_COPIES, TRAINED_MAX_FID, TRAINED_MIN_IS, TRAINED_SAMPLES,
                               TRAINED_TYPICAL, TRAINING_BATCH, TRAINING_ITERATIONS)
from autograder.i18n import _
from autograder.judge.base import check, fail, get


def _training(out, name):
    rec = get(out, name, _("the provided run_a_gan with your {name} models").format(name=name))
    n = TRAINING_ITERATIONS
    if rec["n_images"] != n // 2 or any(s != [TRAINING_BATCH, 784] for s in rec["shapes"]):
        fail(_("run_a_gan ({name}): expected {images} image arrays of shape ({batch}, 784) after {n} "
               "iterations with show_every=2, got {got} of shapes {shapes}.").format(
            name=name, images=n // 2, batch=TRAINING_BATCH, n=n, got=rec["n_images"], shapes=rec["shapes"]))
    for key in ("d_losses", "g_losses"):
        v = np.asarray(rec[key])
        if len(v) != n or not np.all(np.isfinite(v)):
            fail(_("run_a_gan ({name}): expected {n} finite {model} losses, got {got}.").format(
                name=name, n=n, model=key[0].upper(), got=v.tolist()))
    return _("{name}: {n} iterations, finite losses").format(name=name, n=n)


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
    scores = get(out, "scores", _("your trained DCGAN generator ({file})").format(file=TRAINED_FILE))
    if scores["n"] != TRAINED_SAMPLES:
        fail(_("the grader scored {n} samples of your trained generator, not {expected}.").format(
            n=scores["n"], expected=TRAINED_SAMPLES))
    line = _("Inception Score {IS:.2f}, FID {FID:.1f}, {copies:.1%} copies of MNIST digits, on {n:,} samples drawn "
             "by the grader's copy of the generator").format(
        IS=scores["IS"], FID=scores["FID"], copies=scores["copies"], n=scores["n"])
    bar = _("the bar: IS at least {min_is}, FID at most {max_fid:g}, copies at most {max_copies:.0%}").format(
        min_is=TRAINED_MIN_IS, max_fid=TRAINED_MAX_FID, max_copies=TRAINED_MAX_COPIES)
    problems = ([_("an Inception Score below {min_is}").format(min_is=TRAINED_MIN_IS)]
                if not scores["IS"] >= TRAINED_MIN_IS else []) + (
        [_("an FID above {max_fid:g} (the samples do not look like MNIST as a whole)").format(max_fid=TRAINED_MAX_FID)]
        if not scores["FID"] <= TRAINED_MAX_FID else [])
    if not scores["copies"] <= TRAINED_MAX_COPIES:
        fail(_("{line}: {copies:.0%} of the samples are copies of MNIST digits ({train:.0%} of training digits, "
               "{test:.0%} of test digits; real unseen digits: about 2%). The generator must make digits, not replay "
               "stored ones.").format(line=line, copies=scores["copies"], train=scores["copies_train"],
                                      test=scores["copies_test"]))
    if problems:
        fail(_("{line}: {problems} ({bar}). A correct DCGAN trained with the notebook's settings ({epochs} epochs) "
               "reaches IS {typical}; train it so, then run the cell that saves {file} and hand in that file.").format(
            line=line, problems=_(" and ").join(problems), bar=bar, epochs=EPOCHS["dcgan"],
            typical=_(TRAINED_TYPICAL), file=TRAINED_FILE))
    return _("{line} ({bar})").format(line=line, bar=bar)
