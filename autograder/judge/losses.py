"""The judges of the GAN and LSGAN losses: value, value on large inputs, and gradients, for
the discriminator's and the generator's loss each."""
import numpy as np

from autograder.course import GRAD_TOL, LOSS_TOL
from autograder.hints.losses import known_mistake
from autograder.measures import course_rel_error, scale_error
from autograder.judge.base import check, fail, get, require_tensor, value


def _mistake_in(rec, function, inputs, expected):
    """The known mistake a loss's recorded value comes from, where that value is wrong, or None."""
    try:
        got = float(np.asarray(rec["value"]).reshape(()))
    except (KeyError, TypeError, ValueError):
        return None
    if not np.isfinite(got) or course_rel_error(got, expected) <= LOSS_TOL:
        return None
    return known_mistake(function, got, inputs)


def _require_scalar(rec, call):
    if rec["shape"] not in ([], [1]):
        fail(f"{call}: expected a scalar tensor (shape ()), got shape {tuple(rec['shape'])}; average with .mean().",
             "the loss is not a scalar")  # one cause, said once for the function


def _lossvalue(out, key, call, expected, function, inputs):
    """The loss's value against the reference; `inputs` are the arrays the check fed
    `function`, by which a wrong value is matched against its known mistakes."""
    rec = get(out, key, call)
    require_tensor(rec, call)
    _require_scalar(rec, call)
    v = value(rec, call).reshape(())
    if not np.isfinite(v):
        fail(f"{call}: the loss is {float(v)}; use the numerically stable bce_loss provided.")
    err = course_rel_error(v, expected)
    if not err <= LOSS_TOL:
        mistake = _mistake_in(rec, function, inputs, expected)
        named = f" That is the value of {mistake[0]}: {mistake[1]}." if mistake else ""
        # a known mistake is one cause: the function's other checks that it fails point back here
        fail(f"{call}: expected {float(expected):.8g}, got {float(v):.8g} (relative error {err:.2e} > "
             f"{LOSS_TOL:.0e}).{named}", mistake and mistake[0])
    return rec, err


def _loss_grads(out, key, call, expected_grads, inputs, fed, expected):
    rec = get(out, key, call)
    require_tensor(rec, call)
    _require_scalar(rec, call)  # the check calls backward() only on a scalar loss
    mistake = _mistake_in(rec, call, fed, expected)
    if mistake:  # its value already says what is wrong; its gradient differs for the same reason
        fail(f"{call}: the gradient comes from {mistake[0]}: {mistake[1]}.", mistake[0])
    grads = rec.get("grads") or []
    for i, exp in enumerate(expected_grads):
        got = grads[i] if i < len(grads) else None
        if got is None:
            fail(f"{call}: no gradient reached the {inputs}; build the loss from the input tensors with torch "
                 "operations (no .item(), .detach(), numpy or new tensors from their values).")
        if np.shape(got) != np.shape(exp):
            fail(f"{call}: the gradient has shape {np.shape(got)}, expected {np.shape(exp)}.")
        if not np.all(np.isfinite(got)):
            fail(f"{call}: the gradient with respect to the {inputs} is not finite; use the stable bce_loss.")
        err = scale_error(got, exp)
        if not err <= GRAD_TOL:
            fail(f"{call}: the gradient with respect to the {inputs} differs from the reference (relative error "
                 f"{err:.2e}).")
    return f"gradients reach the {inputs} and match"


def _loss_checks(part, d_name, g_name, true_key, inputs):
    """Value, large inputs and gradients of the discriminator's and the generator's loss;
    each check is named after the function it checks. `inputs` is what the functions'
    arguments are called: logits (logits_real, logits_fake) or scores (scores_real, ...)."""
    real, fake = f"{inputs}_real", f"{inputs}_fake"

    def fed(ans, prefix, *which):  # the arrays the producing half fed the function, as float32 tensors
        return [np.asarray(ans[f"{prefix}logits_{w}"], dtype=np.float32).astype(np.float64) for w in which]

    @check(part, d_name, f"{d_name}_value")
    def dvalue(out, ans):
        _, err = _lossvalue(out, "d", f"{d_name}({real}, {fake})", ans[f"d_{true_key}"], d_name,
                             fed(ans, "", "real", "fake"))
        return f"{d_name} relative error {err:.1e}"

    @check(part, d_name, f"{d_name}_on_large_{inputs}")
    def d_large(out, ans):
        _lossvalue(out, "d_big", f"{d_name} on large {inputs}", ans[f"big_d_{true_key}"], d_name,
                    fed(ans, "big_", "real", "fake"))
        return f"{d_name} finite and correct on large {inputs}"

    @check(part, d_name, f"{d_name}_gradients")
    def d_gradients(out, ans):
        return _loss_grads(out, "d", d_name, (ans[f"d_{true_key}_grad_real"], ans[f"d_{true_key}_grad_fake"]),
                           inputs, fed(ans, "", "real", "fake"), ans[f"d_{true_key}"])

    @check(part, g_name, f"{g_name}_value")
    def gvalue(out, ans):
        _, err = _lossvalue(out, "g", f"{g_name}({fake})", ans[f"g_{true_key}"], g_name, fed(ans, "", "fake"))
        return f"{g_name} relative error {err:.1e}"

    @check(part, g_name, f"{g_name}_on_large_{inputs}")
    def g_large(out, ans):
        _lossvalue(out, "g_big", f"{g_name} on large {inputs}", ans[f"big_g_{true_key}"], g_name,
                    fed(ans, "big_", "fake"))
        return f"{g_name} finite and correct on large {inputs}"

    @check(part, g_name, f"{g_name}_gradients")
    def g_gradients(out, ans):
        return _loss_grads(out, "g", g_name, (ans[f"g_{true_key}_grad_fake"],), inputs, fed(ans, "", "fake"),
                           ans[f"g_{true_key}"])


_loss_checks("gan_loss", "discriminator_loss", "generator_loss", "loss_true", "logits")
_loss_checks("lsgan_loss", "ls_discriminator_loss", "ls_generator_loss", "loss_lsgan_true", "scores")
