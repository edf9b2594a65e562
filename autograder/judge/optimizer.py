"""The judges of get_optimizer: an Adam, its hyper-parameters, every parameter covered, and
the weights after a few steps on fixed gradients."""
import json
import math

import numpy as np

from autograder.course import OPTIM_TOL
from autograder.i18n import _
from autograder.measures import scale_error
from autograder.judge.base import check, fail, get


def _numbers(values):
    """(0.5, 0.999): plain numbers, whatever numpy's repr of its floats."""
    return "(" + ", ".join(f"{float(v):g}" for v in values) + ")"


@check("optimizer")
def optimizer_is_adam(out, ans):
    rec = get(out, "optimizer", "get_optimizer(model)")
    if rec["type"] != "torch.optim.adam.Adam":
        fail(_("get_optimizer: expected a torch.optim.Adam, got {type}.").format(type=rec["type"]))
    return "torch.optim.Adam"


def _shown(value):
    """A setting as Python writes it: 0.001, (0.5, 0.999), False."""
    if isinstance(value, list):
        return _numbers(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _same_setting(got, want):
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            isinstance(a, float) and math.isclose(a, b, rel_tol=1e-9) for a, b in zip(got, want))
    if isinstance(want, bool) or want is None:
        return got == want or (not got and not want)
    return isinstance(got, float) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


def settings_differ(groups, reference):
    """[(group, setting, got, wanted)] of every setting the reference's Adam has that a group of
    the student's optimizer holds otherwise (or lacks)."""
    return [(i, key, group.get(key), want) for i, group in enumerate(groups) for key, want in reference.items()
            if not _same_setting(group.get(key), want)]


@check("optimizer")
def optimizer_hyperparameters(out, ans):
    rec = get(out, "optimizer", "get_optimizer(model)")
    reference = json.loads(str(ans["optim_settings_true"]))
    if not rec["groups"]:
        fail(_("get_optimizer: the optimizer has no parameter groups."))
    differ = settings_differ(rec["groups"], reference)
    if differ:
        several = len(rec["groups"]) > 1
        def shown(group, key, got, want):
            if got is None:
                return _("(not set)")
            text = _shown(got)
            if text == _shown(want):  # equal when rounded: show every digit
                text = repr(got)
            kind = rec["groups"][group].get(f"{key}:kind")
            return f"{text} ({kind})" if kind else text

        def differs(group, key, got, want):
            if several:
                return _("{key}={got} where the assignment's is {key}={want} (parameter group {group})").format(
                    key=key, got=shown(group, key, got, want), want=_shown(want), group=group + 1)
            return _("{key}={got} where the assignment's is {key}={want}").format(
                key=key, got=shown(group, key, got, want), want=_shown(want))

        said = _("; ").join(differs(i, key, got, want) for i, key, got, want in differ)
        fail(_("get_optimizer: the optimizer's settings differ from those the assignment asks of Adam: {said}.").format(
            said=said), "the optimizer's settings")  # one cause (a key, not shown): its steps differ for it too
    return _("{settings}, the rest at Adam's defaults").format(settings=", ".join(
        f"{key}={_shown(value)}" for key, value in reference.items() if key in ("lr", "betas")))


@check("optimizer")
def optimizer_steps_match_adam(out, ans):
    steps = len(ans["optim_grads"])
    got = np.asarray(get(out, "steps", _("{steps} steps of get_optimizer(model)").format(steps=steps)))
    expected = ans["optim_params_true"]
    if got.shape != expected.shape:
        fail(_("get_optimizer: after {steps} steps the model has {got} weights, expected {expected}.").format(
            steps=steps, got=got.size, expected=expected.size))
    err = scale_error(got - ans["optim_params_start"], expected - ans["optim_params_start"])
    reported = get(out, "optimizer", "get_optimizer(model)")
    if not err <= OPTIM_TOL:
        if settings_differ(reported["groups"], json.loads(str(ans["optim_settings_true"]))):
            fail(_("get_optimizer: its steps differ from Adam's with the assignment's settings, as its settings do."),
                 "the optimizer's settings")
        _require_every_parameter(reported)  # a parameter left out moves the weights differently too
        fail(_("get_optimizer: {steps} steps on fixed gradients moved the weights differently from Adam with "
               "lr={lr:g} and betas={betas} (relative error {err:.1e}), though it reports Adam's settings: its "
               "step() computes something else.").format(
            steps=steps, lr=float(ans["optim_lr_true"]), betas=_numbers(ans["optim_betas_true"]), err=err))
    return _("{steps} Adam steps match (relative error {err:.1e})").format(steps=steps, err=err)


def _require_every_parameter(rec):
    covered, n = sum(rec["covered"]), len(rec["covered"])
    if covered != n:
        fail(_("get_optimizer: the optimizer updates {covered} of the model's {n} parameter "
               "tensors; pass model.parameters().").format(covered=covered, n=n), "the parameters it updates")
    return n


@check("optimizer")
def optimizer_covers_every_parameter(out, ans):
    n = _require_every_parameter(get(out, "optimizer", "get_optimizer(model)"))
    return _("all {n} parameter tensors").format(n=n)
