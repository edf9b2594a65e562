"""get_optimizer on a small model: what it reports of its settings, and the weights after a
few steps on the answer file's gradients, which show how it really updates."""
import numpy as np
import torch

from autograder.answers import weight_salt
from autograder.produce.student import StudentError, _, attempt, call
from autograder.produce.weights import set_check_weights


def optimizer_model():
    """The small model the optimizer checks run on: every kind of parameter the GANs have."""
    return torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1))


def adam_steps(model, optimizer, grads):
    """Apply one optimizer step per row of `grads` (each row: the gradient of every
    parameter, flattened and concatenated); returns the parameters afterwards, flattened."""
    params = list(model.parameters())
    for row in np.asarray(grads):
        offset = 0
        for p in params:
            p.grad = torch.as_tensor(row[offset:offset + p.numel()], dtype=p.dtype).view_as(p).clone()
            offset += p.numel()
        optimizer.step()
    return torch.cat([p.detach().reshape(-1) for p in params]).double().numpy()


SETTINGS = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay", "momentum",
            "nesterov", "dampening", "alpha", "centered")  # what Adam, and the optimizers mistaken for it, take


def optimizer_settings(group):
    """A parameter group's settings that change how it updates (not how fast it runs), as plain
    values: numbers, booleans and lists of numbers."""
    plain = lambda v: [float(x) for x in v] if isinstance(v, (tuple, list)) else (  # noqa: E731
        v if isinstance(v, bool) or v is None else float(v))
    found = {}
    for key in SETTINGS:
        if key in group:
            try:
                found[key] = plain(group[key])
            except (TypeError, ValueError):
                found[key] = None
            if isinstance(group[key], torch.Tensor):  # its value alone would hide what it is
                found[f"{key}:kind"] = _("a tensor of dtype {dtype}").format(
                    dtype=str(group[key].dtype).replace("torch.", ""))
    return found


def _made(gan, model):
    """get_optimizer(model); where torch refuses the empty parameter list it got though the
    model has parameters, a sentence on that instead of torch's."""
    try:
        return call(gan, "get_optimizer", model)
    except ValueError as err:
        n = len(list(model.parameters()))
        if "empty parameter list" not in str(err) or not n:
            raise
        raise StudentError(_("the optimizer got an empty parameter list (ValueError), though the model given to "
                             "get_optimizer has {n} parameter tensors. model.parameters() gives them once: iterated "
                             "before (by list(), a loop or a first optimizer), it gives nothing more; pass "
                             "model.parameters() to the optimizer directly.").format(n=n)) from None


def produce_optimizer(gan, ans):
    def produce():
        model = optimizer_model()
        opt = _made(gan, model)
        groups = getattr(opt, "param_groups", None) or []
        covered = {id(p) for g in groups for p in g.get("params", [])}
        return {"type": f"{type(opt).__module__}.{type(opt).__qualname__}"[:200],
                "groups": [optimizer_settings(g) for g in groups][:64],
                "covered": [id(p) in covered for p in model.parameters()]}

    def steps():
        # Fixed weights and the answer file's gradients: the weights after a few steps
        # show how the optimizer really updates, whatever it reports of its settings.
        model = set_check_weights(optimizer_model(), weight_salt(ans))
        opt = _made(gan, model)
        if not hasattr(opt, "step"):
            raise StudentError(_("get_optimizer() returned a {type}, which has no step().").format(
                type=type(opt).__name__))
        return adam_steps(model, opt, ans["optim_grads"])

    return {"optimizer": attempt(produce, "get_optimizer"), "steps": attempt(steps, "get_optimizer")}
