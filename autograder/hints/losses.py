"""The usual wrong versions of each loss, and which of them a wrong value comes from. No torch,
no student code: the formulas are evaluated here, on the check's own inputs."""
import numpy as np

from autograder.measures import course_rel_error


def _bce(s, y):
    """The stable binary cross-entropy on logits, element by element (gan.bce_loss before its mean)."""
    return np.maximum(s, 0) - s * y + np.log1p(np.exp(-np.abs(s)))


def _bce_of_sigmoid(s, y):
    """nn.BCELoss on torch.sigmoid(s) in float32, element by element: the sigmoid rounds to
    exactly 0 or 1 for large logits, and BCELoss then clamps the log at -100."""
    with np.errstate(over="ignore", divide="ignore"):
        p = (1 / (1 + np.exp(-s.astype(np.float32)))).astype(np.float32)
        log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
    return -(y * log_p + (1 - y) * log_q).astype(np.float64)


LSGAN_FIX = "the course's loss is Mao et al.'s equation 9: targets 1 for real and 0 for fake, 1/2 before each mean"
# The usual wrong versions of each loss, as (what the student wrote, what to change, the value it gives
# on real and fake inputs). When a failing loss equals one of them, the message names it.
LOSS_MISTAKES = {
    "discriminator_loss": [
        ("nn.BCELoss (or BCE written with log) on torch.sigmoid(logits)",
         "use the provided bce_loss on the logits themselves: the sigmoid rounds to 0 or 1 for large logits",
         lambda r, f: _bce_of_sigmoid(r, 1).mean() + _bce_of_sigmoid(f, 0).mean()),
        ("the labels swapped (real scored against 0, fake against 1)",
         "real logits go with target 1, fake ones with target 0",
         lambda r, f: _bce(r, 0).mean() + _bce(f, 1).mean()),
        ("label smoothing (a real target of 0.9)", "use targets of exactly 1 and 0",
         lambda r, f: _bce(r, 0.9).mean() + _bce(f, 0).mean()),
        ("two-sided label smoothing (targets 0.9 and 0.1)", "use targets of exactly 1 and 0",
         lambda r, f: _bce(r, 0.9).mean() + _bce(f, 0.1).mean()),
        ("the two terms averaged (or one bce_loss over real and fake together)",
         "add the two means: bce_loss(real, 1) + bce_loss(fake, 0)",
         lambda r, f: (_bce(r, 1).mean() + _bce(f, 0).mean()) / 2),
        ("sums where the means belong", "average each term (bce_loss takes the mean)",
         lambda r, f: _bce(r, 1).sum() + _bce(f, 0).sum()),
        ("only the real term", "add bce_loss(logits_fake, 0)", lambda r, f: _bce(r, 1).mean()),
        ("only the fake term", "add bce_loss(logits_real, 1)", lambda r, f: _bce(f, 0).mean()),
        ("the opposite sign", "the loss is the cross-entropy itself, which is never negative",
         lambda r, f: -(_bce(r, 1).mean() + _bce(f, 0).mean())),
    ],
    "generator_loss": [
        ("nn.BCELoss (or BCE written with log) on torch.sigmoid(logits)",
         "use the provided bce_loss on the logits themselves: the sigmoid rounds to 0 or 1 for large logits",
         lambda f: _bce_of_sigmoid(f, 1).mean()),
        ("the saturating loss of the minimax game, -bce(fake, 0) (that is, log(1 - D(G(z))))",
         "the assignment asks for the non-saturating loss bce_loss(logits_fake, 1) (Goodfellow et al. 2014)",
         lambda f: -_bce(f, 0).mean()),
        ("the fake logits scored against 0, as the discriminator does",
         "the generator wants its fakes called real: target 1", lambda f: _bce(f, 0).mean()),
        ("label smoothing (a target of 0.9)", "use a target of exactly 1", lambda f: _bce(f, 0.9).mean()),
        ("a sum where the mean belongs", "average (bce_loss takes the mean)", lambda f: _bce(f, 1).sum()),
        ("the opposite sign", "the loss is the cross-entropy itself, which is never negative",
         lambda f: -_bce(f, 1).mean()),
    ],
    "ls_discriminator_loss": [
        ("no 1/2 before the means", LSGAN_FIX, lambda r, f: ((r - 1) ** 2).mean() + (f ** 2).mean()),
        ("the targets -1 for fake and 1 for real (the paper's other choice, equation 8)", LSGAN_FIX,
         lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f + 1) ** 2).mean()),
        ("the targets swapped (0 for real, 1 for fake)", LSGAN_FIX,
         lambda r, f: 0.5 * (r ** 2).mean() + 0.5 * ((f - 1) ** 2).mean()),
        ("`scores_real - 1 ** 2`, which Python reads as scores_real - (1 ** 2)",
         "write (scores_real - 1) ** 2, with the brackets",
         lambda r, f: 0.5 * (r - 1).mean() + 0.5 * (f ** 2).mean()),
        ("the mean squared, where the squares are averaged", "square first, then take the mean",
         lambda r, f: 0.5 * (r - 1).mean() ** 2 + 0.5 * f.mean() ** 2),
        ("sums where the means belong", "average each term with .mean()",
         lambda r, f: 0.5 * ((r - 1) ** 2).sum() + 0.5 * (f ** 2).sum()),
        ("only the real term", "add 0.5 * mean(scores_fake ** 2)", lambda r, f: 0.5 * ((r - 1) ** 2).mean()),
        ("only the fake term", "add 0.5 * mean((scores_real - 1) ** 2)", lambda r, f: 0.5 * (f ** 2).mean()),
    ],
    "ls_generator_loss": [
        ("no 1/2 before the mean", LSGAN_FIX, lambda f: ((f - 1) ** 2).mean()),
        ("the target 0 (the paper's other choice, equation 8, or the discriminator's target for fakes)",
         LSGAN_FIX, lambda f: 0.5 * (f ** 2).mean()),
        ("`scores_fake - 1 ** 2`, which Python reads as scores_fake - (1 ** 2)",
         "write (scores_fake - 1) ** 2, with the brackets", lambda f: 0.5 * (f - 1).mean()),
        ("the mean squared, where the squares are averaged", "square first, then take the mean",
         lambda f: 0.5 * (f - 1).mean() ** 2),
        ("a sum where the mean belongs", "average with .mean()", lambda f: 0.5 * ((f - 1) ** 2).sum()),
    ],
}
MISTAKE_MATCH = 1e-5  # relative error within which a value is taken to come from a known mistake


def known_mistake(function, value, inputs):
    """(what the student wrote, what to change) for the known wrong version of `function`
    whose value on `inputs` (the check's own logits or scores, float64 arrays) is `value`,
    or None."""
    for wrote, fix, formula in LOSS_MISTAKES.get(function, ()):
        with np.errstate(all="ignore"):
            expected = float(formula(*inputs))
        if np.isfinite(expected) and course_rel_error(value, expected) <= MISTAKE_MATCH:
            return wrote, fix
    return None
