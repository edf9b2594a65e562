"""The judges of the GAN and LSGAN losses: value, value on large inputs, gradients, and inputs
on another device, for the discriminator's and the generator's loss each. A wrong value is
named as a known mistake where it is one (hints.losses.known_mistake), and otherwise told by
where it differs, measured on the student's own function (hints.losses.measured)."""
import numpy as np

from autograder.course import GRAD_TOL, LOSS_TOL
from autograder.hints.losses import known_mistake, measured
from autograder.i18n import N_, _
from autograder.judge.base import check, fail, get, require_tensor, value
from autograder.measures import course_rel_error, scale_error


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
    if rec["shape"] != []:
        fail(_("{call}: expected a scalar tensor (shape ()), got shape {shape}; average over every element with "
               ".mean(), with no dim.").format(call=call, shape=tuple(rec["shape"])),
             "the loss is not a scalar")  # one cause, said once (compared, never shown)


# The sentences that name a loss's inputs by their kind, "logits" (the GAN's) or "scores" (the
# LSGAN's), each written whole for each kind so that a translation words each as it reads best.
ON_LARGE = {"logits": N_("{function} on large logits"), "scores": N_("{function} on large scores")}
CORRECT_ON_LARGE = {"logits": N_("{function} finite and correct on large logits"),
                    "scores": N_("{function} finite and correct on large scores")}
NO_GRADIENT = {
    "logits": N_("{call}: no gradient reached the logits; build the loss from the input tensors with torch operations "
                 "(no .item(), .detach(), numpy or new tensors from their values)."),
    "scores": N_("{call}: no gradient reached the scores; build the loss from the input tensors with torch operations "
                 "(no .item(), .detach(), numpy or new tensors from their values)."),
}
NOT_FINITE = {
    "logits": N_("{call}: the gradient with respect to the logits is not finite; use the stable bce_loss."),
    "scores": N_("{call}: the gradient with respect to the scores is not finite; use the stable bce_loss."),
}
GRADIENTS_MATCH = {"logits": N_("gradients reach the logits and match"),
                   "scores": N_("gradients reach the scores and match")}


class Loss:
    """One loss function of a part, as its checks see it: its name, the word for its inputs
    (logits or scores), the answer file's key of its reference values, and how it is called."""

    def __init__(self, name, key, true_key, inputs, args):
        self.name, self.key, self.true_key, self.inputs, self.args = name, key, true_key, inputs, args

    def fed(self, ans, prefix=""):
        """The arrays the producers fed the function, as the float32 tensors it got."""
        return [np.asarray(ans[f"{prefix}logits_{w}"], dtype=np.float32).astype(np.float64) for w in self.args]

    def call(self, prefix=""):
        names = ", ".join(f"{self.inputs}_{w}" for w in self.args)  # code: the call as written
        return f"{self.name}({names})" if not prefix else _(ON_LARGE[self.inputs]).format(function=self.name)

    def value(self, out, ans, prefix=""):
        """The loss's value against the reference; a wrong one is named or measured."""
        call, expected = self.call(prefix), ans[f"{prefix}{self.key}_{self.true_key}"]
        rec = get(out, f"{self.key}_big" if prefix else self.key, call)
        require_tensor(rec, call)
        _require_scalar(rec, call)
        v = value(rec, call).reshape(())
        if np.isnan(v) and self.inputs == "logits":
            negative = sum(int((x < 0).sum()) for x in self.fed(ans, prefix))
            fail(_("{call}: the loss is nan. Its inputs are logits, scores anywhere on the real line ({negative:,} of "
                   "these are negative), not probabilities: a log of a negative number is nan. Use the numerically "
                   "stable bce_loss provided, which takes logits.").format(call=call, negative=negative))
        if not np.isfinite(v):
            fail(_("{call}: the loss is {value}; use the numerically stable bce_loss provided.").format(
                call=call, value=float(v)))
        err = course_rel_error(v, expected)
        if not err <= LOSS_TOL:
            mistake = _mistake_in(rec, self.name, self.fed(ans, prefix), expected)
            found = dict(call=call, expected=float(expected), got=float(v), err=err, tol=LOSS_TOL)
            if mistake:
                message = _("{call}: expected {expected:.8g}, got {got:.8g} (relative error {err:.2e} > {tol:.0e}). "
                            "That is the value of {mistake}: {fix}.").format(mistake=_(mistake[0]), fix=_(mistake[1]),
                                                                             **found)
            else:
                said = measured(self.name, out, ans, self.true_key, self.inputs).rstrip()
                message = (_("{call}: expected {expected:.8g}, got {got:.8g} (relative error {err:.2e} > {tol:.0e}). "
                             "{measured}").format(measured=said, **found) if said else
                           _("{call}: expected {expected:.8g}, got {got:.8g} (relative error {err:.2e} > {tol:.0e}).")
                           .format(**found))
            # a known mistake is one cause (its English words, compared, never shown): the function's other
            # checks that it fails point back here
            fail(message, mistake and mistake[0])
        return err

    def gradients(self, out, ans):
        call = self.name
        rec = get(out, self.key, call)
        require_tensor(rec, call)
        _require_scalar(rec, call)  # the check calls backward() only on a scalar loss
        mistake = _mistake_in(rec, call, self.fed(ans), ans[f"{self.key}_{self.true_key}"])
        if mistake:  # its value already says what is wrong; its gradient differs for the same reason
            fail(_("{call}: the gradient comes from {mistake}: {fix}.").format(call=call, mistake=_(mistake[0]),
                                                                               fix=_(mistake[1])), mistake[0])
        grads = rec.get("grads") or []
        for i, w in enumerate(self.args):
            exp, got = ans[f"{self.key}_{self.true_key}_grad_{w}"], grads[i] if i < len(grads) else None
            if got is None:
                reached = [f"{self.inputs}_{v}" for j, v in enumerate(self.args) if j < len(grads)
                           and grads[j] is not None]
                if reached:  # measured per input: the other one's term is the one cut from the graph
                    fail(_("{call}: no gradient reached {name}, though {reached} got one: the term of {name} is cut "
                           "from the graph; build it from {name} with torch operations (no .item(), .detach(), .data, "
                           "numpy or new tensors from its values).").format(call=call, name=f"{self.inputs}_{w}",
                                                                           reached=_(" and ").join(reached)))
                fail(_(NO_GRADIENT[self.inputs]).format(call=call))
            if np.shape(got) != np.shape(exp):
                fail(_("{call}: the gradient has shape {got}, expected {expected}.").format(
                    call=call, got=np.shape(got), expected=np.shape(exp)))
            if not np.all(np.isfinite(got)):
                fail(_(NOT_FINITE[self.inputs]).format(call=call))
            err = scale_error(got, exp)
            if not err <= GRAD_TOL:
                said = measured(self.name, out, ans, self.true_key, self.inputs).rstrip()
                found = dict(call=call, name=f"{self.inputs}_{w}", err=err)
                fail(_("{call}: the gradient with respect to {name} differs from the reference (relative error "
                       "{err:.2e}). {measured}").format(measured=said, **found) if said else
                     _("{call}: the gradient with respect to {name} differs from the reference (relative error "
                       "{err:.2e}).").format(**found))
        return _(GRADIENTS_MATCH[self.inputs])

    def elsewhere(self, out, ans):
        """The function runs where its inputs are, on any device: PyTorch's meta device, whose
        tensors have shapes and no data, stands in for a GPU."""
        rec = out.get(f"{self.key}_elsewhere") if isinstance(out, dict) else None
        error = rec.get("error", "") if isinstance(rec, dict) else ""
        if "device" in error and "meta" in error:
            fail(_("{function} fails where its inputs are not on the CPU (tried here on PyTorch's meta device, as "
                   "they are on a GPU in the notebook's training): {error}. It makes a tensor on the CPU beside them: "
                   "make new tensors where the inputs are, with torch.ones_like({name}), torch.zeros_like(...) or "
                   ".to({name}.device).").format(function=self.name, error=error,
                                                 name=f"{self.inputs}_{self.args[-1]}"))
        rec = get(out, f"{self.key}_elsewhere",  # another failure: its own words
                  _("{function} on inputs elsewhere").format(function=self.name))
        if rec.get("device") not in (None, "meta"):
            fail(_("{function} returns its loss on {device} for inputs elsewhere: return it where its inputs are "
                   "(build it from them, with no .cpu() or .to(...)).").format(function=self.name,
                                                                               device=rec["device"]))
        return _("{function} runs where its inputs are").format(function=self.name)


def _loss_checks(part, losses):
    """Value, large inputs, gradients and another device of each loss of a part; each check is
    named after the function it checks."""
    for loss in losses:
        def value(out, ans, loss=loss):
            return _("{function} relative error {err:.1e}").format(function=loss.name, err=loss.value(out, ans))

        def large(out, ans, loss=loss):
            loss.value(out, ans, "big_")
            return _(CORRECT_ON_LARGE[loss.inputs]).format(function=loss.name)

        def gradients(out, ans, loss=loss):
            return loss.gradients(out, ans)

        def elsewhere(out, ans, loss=loss):
            return loss.elsewhere(out, ans)

        for suffix, judge_fn in (("_value", value), (f"_on_large_{loss.inputs}", large), ("_gradients", gradients),
                                 ("_where_its_inputs_are", elsewhere)):
            check(part, loss.name, loss.name + suffix)(judge_fn)


_loss_checks("gan_loss", [Loss("discriminator_loss", "d", "loss_true", "logits", ("real", "fake")),
                          Loss("generator_loss", "g", "loss_true", "logits", ("fake",))])
_loss_checks("lsgan_loss", [Loss("ls_discriminator_loss", "d", "loss_lsgan_true", "scores", ("real", "fake")),
                            Loss("ls_generator_loss", "g", "loss_lsgan_true", "scores", ("fake",))])
