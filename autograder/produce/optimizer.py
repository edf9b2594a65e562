"""get_optimizer on a small model: what it reports of its settings, and the weights after a
few steps on the answer file's gradients, which show how it really updates."""
import numpy as np
import torch

from autograder.answers import weight_salt
from autograder.produce.student import StudentError, attempt, call
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


def produce_optimizer(gan, ans):
    def produce():
        model = optimizer_model()
        opt = call(gan, "get_optimizer", model)
        groups = getattr(opt, "param_groups", None) or []
        covered = {id(p) for g in groups for p in g.get("params", [])}
        return {"type": f"{type(opt).__module__}.{type(opt).__qualname__}"[:200],
                "groups": [{"lr": float(g.get("lr", float("nan"))), "betas": [float(b) for b in g.get("betas", ())],
                            "weight_decay": float(g.get("weight_decay", 0.0))} for g in groups],
                "covered": [id(p) in covered for p in model.parameters()]}

    def steps():
        # Fixed weights and the answer file's gradients: the weights after a few steps
        # show how the optimizer really updates, whatever it reports of its settings.
        model = set_check_weights(optimizer_model(), weight_salt(ans))
        opt = call(gan, "get_optimizer", model)
        if not hasattr(opt, "step"):
            raise StudentError(f"get_optimizer() returned a {type(opt).__name__}, which has no step().")
        return adam_steps(model, opt, ans["optim_grads"])

    return {"optimizer": attempt(produce, "get_optimizer"), "steps": attempt(steps, "get_optimizer")}
