"""The judges of get_optimizer: an Adam, its hyper-parameters, every parameter covered, and
the weights after a few steps on fixed gradients."""
import math

import numpy as np

from autograder.course import OPTIM_TOL
from autograder.measures import scale_error
from autograder.judge.base import check, fail, get


def _numbers(values):
    """(0.5, 0.999): plain numbers, whatever numpy's repr of its floats."""
    return "(" + ", ".join(f"{float(v):g}" for v in values) + ")"


@check("optimizer")
def optimizer_is_adam(out, ans):
    rec = get(out, "optimizer", "get_optimizer(model)")
    if rec["type"] != "torch.optim.adam.Adam":
        fail(f"get_optimizer: expected a torch.optim.Adam, got {rec['type']}.")
    return "torch.optim.Adam"


@check("optimizer")
def optimizer_hyperparameters(out, ans):
    rec = get(out, "optimizer", "get_optimizer(model)")
    lr, betas = float(ans["optim_lr_true"]), [float(b) for b in ans["optim_betas_true"]]
    if not rec["groups"]:
        fail("get_optimizer: the optimizer has no parameter groups.")
    for g in rec["groups"]:
        if not math.isclose(g["lr"], lr, rel_tol=1e-9):
            fail(f"get_optimizer: expected lr={lr:g}, got lr={g['lr']:g}.")
        if not (len(g["betas"]) == 2 and all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(g["betas"], betas))):
            fail(f"get_optimizer: expected betas={_numbers(betas)}, got betas={_numbers(g['betas'])}.")
        if g["weight_decay"] != 0:
            fail(f"get_optimizer: expected no weight decay, got weight_decay={g['weight_decay']:g}.")
    return f"lr={lr:g}, betas={_numbers(betas)}, no weight decay"


@check("optimizer")
def optimizer_steps_match_adam(out, ans):
    steps = len(ans["optim_grads"])
    got = np.asarray(get(out, "steps", f"{steps} steps of get_optimizer(model)"))
    expected = ans["optim_params_true"]
    if got.shape != expected.shape:
        fail(f"get_optimizer: after {steps} steps the model has {got.size} weights, expected {expected.size}.")
    err = scale_error(got - ans["optim_params_start"], expected - ans["optim_params_start"])
    if not err <= OPTIM_TOL:
        fail(f"get_optimizer: {steps} steps on fixed gradients moved the weights differently from Adam with "
             f"lr={float(ans['optim_lr_true']):g} and betas={_numbers(ans['optim_betas_true'])} (relative error "
             f"{err:.1e}): leave eps at its default and set nothing else (no weight decay, no amsgrad).")
    return f"{steps} Adam steps match (relative error {err:.1e})"


@check("optimizer")
def optimizer_covers_every_parameter(out, ans):
    rec = get(out, "optimizer", "get_optimizer(model)")
    covered, n = sum(rec["covered"]), len(rec["covered"])
    if covered != n:
        fail(f"get_optimizer: the optimizer updates {covered} of the model's {n} parameter "
             "tensors; pass model.parameters().")
    return f"all {n} parameter tensors"
