"""The usual wrong versions of each loss, and which of them a wrong value comes from. No torch,
no student code: the formulas are evaluated here, on the check's own inputs."""
import numpy as np

from autograder.i18n import N_, _
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


LSGAN_FIX = N_("the course's loss is Mao et al.'s equation 9: targets 1 for real and 0 for fake, 1/2 before each mean")
# The usual wrong versions of each loss, as (what the student wrote, what to change, the value it gives
# on real and fake inputs). When a failing loss equals one of them, the message names it. The words are
# marked for the catalog (N_) and translated where the message is written (judge.losses); the English of
# what the student wrote also stands for the mistake as the cause of a failure, which is compared, not shown.
LOSS_MISTAKES = {
    "discriminator_loss": [
        (N_("nn.BCELoss (or BCE written with log) on torch.sigmoid(logits)"),
         N_("use the provided bce_loss on the logits themselves: the sigmoid rounds to 0 or 1 for large logits"),
         lambda r, f: _bce_of_sigmoid(r, 1).mean() + _bce_of_sigmoid(f, 0).mean()),
        (N_("the labels swapped (real scored against 0, fake against 1)"),
         N_("real logits go with target 1, fake ones with target 0"),
         lambda r, f: _bce(r, 0).mean() + _bce(f, 1).mean()),
        (N_("label smoothing (a real target of 0.9)"), N_("use targets of exactly 1 and 0"),
         lambda r, f: _bce(r, 0.9).mean() + _bce(f, 0).mean()),
        (N_("two-sided label smoothing (targets 0.9 and 0.1)"), N_("use targets of exactly 1 and 0"),
         lambda r, f: _bce(r, 0.9).mean() + _bce(f, 0.1).mean()),
        (N_("the two terms averaged (or one bce_loss over real and fake together)"),
         N_("add the two means: bce_loss(real, 1) + bce_loss(fake, 0)"),
         lambda r, f: (_bce(r, 1).mean() + _bce(f, 0).mean()) / 2),
        (N_("sums where the means belong"), N_("average each term (bce_loss takes the mean)"),
         lambda r, f: _bce(r, 1).sum() + _bce(f, 0).sum()),
        (N_("only the real term"), N_("add bce_loss(logits_fake, 0)"), lambda r, f: _bce(r, 1).mean()),
        (N_("only the fake term"), N_("add bce_loss(logits_real, 1)"), lambda r, f: _bce(f, 0).mean()),
        (N_("the opposite sign"), N_("the loss is the cross-entropy itself, which is never negative"),
         lambda r, f: -(_bce(r, 1).mean() + _bce(f, 0).mean())),
    ],
    "generator_loss": [
        (N_("nn.BCELoss (or BCE written with log) on torch.sigmoid(logits)"),
         N_("use the provided bce_loss on the logits themselves: the sigmoid rounds to 0 or 1 for large logits"),
         lambda f: _bce_of_sigmoid(f, 1).mean()),
        (N_("the saturating loss of the minimax game, -bce(fake, 0) (that is, log(1 - D(G(z))))"),
         N_("the assignment asks for the non-saturating loss bce_loss(logits_fake, 1) (Goodfellow et al. 2014)"),
         lambda f: -_bce(f, 0).mean()),
        (N_("the fake logits scored against 0, as the discriminator does"),
         N_("the generator wants its fakes called real: target 1"), lambda f: _bce(f, 0).mean()),
        (N_("label smoothing (a target of 0.9)"), N_("use a target of exactly 1"), lambda f: _bce(f, 0.9).mean()),
        (N_("a sum where the mean belongs"), N_("average (bce_loss takes the mean)"), lambda f: _bce(f, 1).sum()),
        (N_("the opposite sign"), N_("the loss is the cross-entropy itself, which is never negative"),
         lambda f: -_bce(f, 1).mean()),
    ],
    "ls_discriminator_loss": [
        (N_("no 1/2 before the means"), LSGAN_FIX, lambda r, f: ((r - 1) ** 2).mean() + (f ** 2).mean()),
        (N_("the targets -1 for fake and 1 for real (the paper's other choice, equation 8)"), LSGAN_FIX,
         lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f + 1) ** 2).mean()),
        (N_("the targets swapped (0 for real, 1 for fake)"), LSGAN_FIX,
         lambda r, f: 0.5 * (r ** 2).mean() + 0.5 * ((f - 1) ** 2).mean()),
        (N_("`scores_real - 1 ** 2`, which Python reads as scores_real - (1 ** 2)"),
         N_("write (scores_real - 1) ** 2, with the brackets"),
         lambda r, f: 0.5 * (r - 1).mean() + 0.5 * (f ** 2).mean()),
        (N_("the mean squared, where the squares are averaged"), N_("square first, then take the mean"),
         lambda r, f: 0.5 * (r - 1).mean() ** 2 + 0.5 * f.mean() ** 2),
        (N_("sums where the means belong"), N_("average each term with .mean()"),
         lambda r, f: 0.5 * ((r - 1) ** 2).sum() + 0.5 * (f ** 2).sum()),
        (N_("only the real term"), N_("add 0.5 * mean(scores_fake ** 2)"), lambda r, f: 0.5 * ((r - 1) ** 2).mean()),
        (N_("only the fake term"), N_("add 0.5 * mean((scores_real - 1) ** 2)"), lambda r, f: 0.5 * (f ** 2).mean()),
    ],
    "ls_generator_loss": [
        (N_("no 1/2 before the mean"), LSGAN_FIX, lambda f: ((f - 1) ** 2).mean()),
        (N_("the target 0 (the paper's other choice, equation 8, or the discriminator's target for fakes)"),
         LSGAN_FIX, lambda f: 0.5 * (f ** 2).mean()),
        (N_("`scores_fake - 1 ** 2`, which Python reads as scores_fake - (1 ** 2)"),
         N_("write (scores_fake - 1) ** 2, with the brackets"), lambda f: 0.5 * (f - 1).mean()),
        (N_("the mean squared, where the squares are averaged"), N_("square first, then take the mean"),
         lambda f: 0.5 * (f - 1).mean() ** 2),
        (N_("a sum where the mean belongs"), N_("average with .mean()"), lambda f: 0.5 * ((f - 1) ** 2).sum()),
    ],
}
MISTAKE_MATCH = 1e-5  # relative error within which a value is taken to come from a known mistake


def known_mistake(function, value, inputs):
    """(what the student wrote, what to change), in English, for the known wrong version of
    `function` whose value on `inputs` (the check's own logits or scores, float64 arrays) is
    `value`, or None."""
    for wrote, fix, formula in LOSS_MISTAKES.get(function, ()):
        with np.errstate(all="ignore"):
            expected = float(formula(*inputs))
        if np.isfinite(expected) and course_rel_error(value, expected) <= MISTAKE_MATCH:
            return wrote, fix
    return None


# -----------------------------------------------------------------------------
# Where a wrong loss differs, measured on the student's own function

SAME = 1e-5  # relative difference within which two values of a loss are the same value


def _same(a, b):
    return a is not None and b is not None and np.isfinite(a) and np.isfinite(b) and course_rel_error(a, b) <= SAME


def _scalar(rec):
    try:
        value = float(np.asarray(rec["value"], dtype=np.float64).reshape(()))
    except (KeyError, TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def relation(got, expected):
    """How a gradient the student's loss gave relates to the reference's: 'same', 'none' (no
    gradient, or zero everywhere), ('factor', k) (k times the reference's, element by element),
    'uniform' (every element gets the same, where the reference's vary) or 'other'."""
    if got is None:
        return "none"
    got, expected = np.asarray(got, dtype=np.float64).ravel(), np.asarray(expected, dtype=np.float64).ravel()
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return "other"
    scale = np.max(np.abs(expected)) + 1e-12
    if np.max(np.abs(got - expected)) <= 1e-4 * scale:
        return "same"
    if np.max(np.abs(got)) <= 1e-9 * scale:
        return "none"
    k = float(got @ expected / (expected @ expected))
    if np.max(np.abs(got - k * expected)) <= 1e-4 * np.max(np.abs(k * expected)):
        return ("factor", k)
    if np.ptp(got) <= 1e-6 * np.max(np.abs(got)) and np.ptp(expected) > 1e-3 * scale:
        return "uniform"
    return "other"


# What a term's gradient relation says of the term: the sentence for one input, and the one for
# several inputs that differ in the same way ("each term" where the first says "the term").
HOW = {
    "none": (N_("it does not change with them at all: the term is missing, or does not use them"),
             N_("it does not change with them at all: each term is missing, or does not use them")),
    "uniform": (N_("every one of them gets the same gradient, where the reference's differ from one to the next: the "
                   "term changes with their sum alone (it is linear in them, or takes their mean first), where the "
                   "reference's term changes with each of them as its formula says"),
                N_("every one of them gets the same gradient, where the reference's differ from one to the next: each "
                   "term changes with their sum alone (it is linear in them, or takes their mean first), where the "
                   "reference's term changes with each of them as its formula says")),
    "saturates": (N_("its gradient vanishes on large ones (|x| up to {top:.0f}) where the reference's does not: the "
                     "term flattens out there, as it does where a sigmoid, a clamp or a rounding squashes them before "
                     "the loss's formula"),
                  N_("its gradient vanishes on large ones (|x| up to {top:.0f}) where the reference's does not: each "
                     "term flattens out there, as it does where a sigmoid, a clamp or a rounding squashes them before "
                     "the loss's formula")),
    "sign": (N_("its gradient is the reference's with the opposite sign: the term's sign is flipped"),
             N_("its gradient is the reference's with the opposite sign: each term's sign is flipped")),
    "sum": (N_("its gradient is {n} times the reference's, as many as there are of them: the term sums where it "
               "should average"),
            N_("its gradient is {n} times the reference's, as many as there are of them: each term sums where it "
               "should average")),
    "factor": (N_("its gradient is {k:.4g} times the reference's: the term is scaled by {k:.4g}"),
               N_("its gradient is {k:.4g} times the reference's: each term is scaled by {k:.4g}")),
    "other": (N_("its gradient differs from the reference's in more than a constant factor: compare the term with its "
                 "formula"),
              N_("its gradient differs from the reference's in more than a constant factor: compare each term with "
                 "its formula")),
}


def _how_of(kind, n):
    """(HOW's key, the values of its placeholders) of a term's gradient relation."""
    if kind in ("none", "uniform"):
        return kind, {}
    if isinstance(kind, tuple) and kind[0] == "saturates":
        return "saturates", {"top": kind[1]}
    if isinstance(kind, tuple):
        k = kind[1]
        if abs(k + 1) < 1e-3:
            return "sign", {}
        if abs(k - n) < 1e-3 * n:
            return "sum", {"n": n}
        return "factor", {"k": k}
    return "other", {}


def _how(kind, n, each=False):
    """What a term's gradient relation says of the term, in words (of each term, with `each`)."""
    key, values = _how_of(kind, n)
    return _(HOW[key][1 if each else 0]).format(**values)


def _flattens(big, ans, who, true_key, keys):
    """The indexes of the inputs whose gradient the student's loss zeroes on large inputs where
    the reference's is not zero anywhere near (a loss that saturates)."""
    grads = big.get("grads") if isinstance(big, dict) else None
    found = []
    for i, key in enumerate(keys):
        got = grads[i] if grads and i < len(grads) else None
        want = np.abs(np.asarray(ans[f"big_{who}_{true_key}_{key}"], dtype=np.float64)).ravel()
        if got is None:
            continue
        got = np.abs(np.asarray(got, dtype=np.float64)).ravel()
        if got.shape == want.shape and np.any(want > 1e-3 * want.max()) and np.all(got[want > 1e-3 * want.max()] <=
                                                                                    1e-6 * want.max()):
            found.append(i)
    return found


# The sentences of measured() that name a term or the inputs' kind, each written whole.
LOOK_AT = {
    "real": N_("it reacts to {fine} as the reference does, but not to {name}: look at the real term ({how})"),
    "fake": N_("it reacts to {fine} as the reference does, but not to {name}: look at the fake term ({how})"),
}
FAR_ON_LARGE = {
    "logits": N_("it is close to the reference's on moderate logits but far from it on large ones (|x| up to "
                 "{top:.0f}: {got:.6g} where {wanted:.6g} is wanted), where a sigmoid rounds to 0 or 1: an epsilon or "
                 "a clamp inside a log, or a log of a sigmoid, saturates there; the stable bce_loss provided needs "
                 "neither"),
    "scores": N_("it is close to the reference's on moderate scores but far from it on large ones (|x| up to "
                 "{top:.0f}: {got:.6g} where {wanted:.6g} is wanted), where a sigmoid rounds to 0 or 1: an epsilon or "
                 "a clamp inside a log, or a log of a sigmoid, saturates there; the stable bce_loss provided needs "
                 "neither"),
}


def measured(function, out, ans, true_key, inputs, prefix=""):
    """Where the student's `function` differs from the reference's, from what the producers
    measured of it: which input the difference depends on (the gradient with respect to each),
    of what kind (a factor, a sign, a sum for a mean, a term missing, a mean taken too early),
    whether it is the reference with its inputs exchanged, whether it grows with the batch and
    whether it appears only at extreme values. A sentence, or '' where nothing was measured."""
    discriminator = function.startswith(("discriminator", "ls_discriminator"))
    who = "d" if discriminator else "g"
    rec, big = out.get(who) if isinstance(out, dict) else None, out.get(f"{who}_big") if isinstance(out, dict) else None
    if not isinstance(rec, dict) or "value" not in rec:
        return ""
    got, expected = _scalar(rec), float(ans[f"{who}_{true_key}"])
    names = [f"{inputs}_real", f"{inputs}_fake"] if discriminator else [f"{inputs}_fake"]
    keys = ["grad_real", "grad_fake"] if discriminator else ["grad_fake"]
    probes = out.get(f"{who}_probes")
    probes = [_scalar(p) if isinstance(p, dict) else None for p in probes] if isinstance(probes, list) else []
    reference = list(ans.get(f"{who}_{true_key}_probes", []))
    said = []
    if discriminator and len(probes) == 4 and _same(got, reference[2]):
        return _("Its value is the reference's for {fake} and {real} exchanged: either it takes its two arguments in "
                 "the other order (it is called as {function}({real}, {fake})), or it scores the real ones against the "
                 "fake target and the fake ones against the real target.").format(real=names[0], fake=names[1],
                                                                                  function=function)
    n = len(ans[f"{prefix}logits_fake"])
    twice = probes[-1] if probes else None
    if twice is not None and got and _same(twice, 2 * got) and not _same(reference[-1], 2 * expected):
        said.append(_("it doubles when the batch is given twice, where the reference's stays the same: it sums over "
                      "the batch where the reference averages"))
    grads = rec.get("grads") or []
    kinds = [relation(grads[i] if i < len(grads) else None, ans[f"{who}_{true_key}_{k}"]) for i, k in enumerate(keys)]
    top = np.max(np.abs(ans[f"big_logits_{'real' if discriminator else 'fake'}"]))
    for i in _flattens(big, ans, who, true_key, keys):  # told by the large inputs: the term saturates there
        kinds[i] = ("saturates", top) if kinds[i] == "other" else kinds[i]
    differ = [(name, kind) for name, kind in zip(names, kinds) if kind != "same"]
    if differ and len(differ) < len(names):
        fine = [name for name, kind in zip(names, kinds) if kind == "same"]
        term = differ[0][0].split("_")[-1]  # the term of the input that differs: "real" or "fake"
        said.append(_(LOOK_AT[term]).format(fine=fine[0], name=differ[0][0], how=_how(differ[0][1], n)))
    elif differ:
        hows = {}
        for name, kind in differ:  # the inputs that differ in the same way (the same English words), said once
            key, values = _how_of(kind, n)
            hows.setdefault(HOW[key][0].format(**values), (kind, []))[1].append(name)
        said += [_("with respect to {name}, {how}").format(name=names_of[0], how=_how(kind, n)) if len(names_of) == 1
                 else _("with respect to both {first} and {second}, {how}").format(first=names_of[0],
                                                                                  second=names_of[1],
                                                                                  how=_how(kind, n, each=True))
                 for kind, names_of in hows.values()]
    elif got is not None and not _same(got, expected):
        said.append(_("its gradients are the reference's, and its value is off by {diff:.6g}: it adds a constant, "
                      "which changes no gradient").format(diff=got - expected))
    big_value = _scalar(big) if isinstance(big, dict) else None
    big_expected = float(ans[f"big_{who}_{true_key}"])
    near = got is not None and course_rel_error(got, expected) <= 1e-2
    if near and big_value is not None and not course_rel_error(big_value, big_expected) <= 1e-2:
        said.append(_(FAR_ON_LARGE[inputs]).format(top=np.max(np.abs(ans["big_logits_real"])), got=big_value,
                                                   wanted=big_expected))
    if not said:
        return ""
    return _("Measured on your function: {findings}.").format(findings=_("; ").join(said))
