"""The losses called on the answer file's logits: their values and the gradients that reach
the inputs; their values where one input is changed, the two exchanged or each batch repeated
(what the judge tells a difference's place and kind from); and whether they run where their
inputs are on another device."""
import torch

from autograder.produce.student import attempt, call, describe


def produce_loss(gan, d_name, g_name, ans, device):
    def as_input(key, twice=False):
        x = torch.as_tensor(ans[key], dtype=torch.float32)
        return (torch.cat([x, x]) if twice else x).to(device).requires_grad_(True)

    def with_grads(name, *inputs):
        loss = call(gan, name, *inputs)
        rec = describe(loss)
        if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
            loss.sum().backward()
        rec["grads"] = [None if t.grad is None else t.grad.cpu().double().numpy() for t in inputs]
        return rec

    def d_loss(prefix):
        return with_grads(d_name, as_input(prefix + "logits_real"), as_input(prefix + "logits_fake"))

    def g_loss(prefix):
        return with_grads(g_name, as_input(prefix + "logits_fake"))

    def d_probes():  # in the order of the answer file's d_..._probes: real changed, fake changed, exchanged, twice
        calls = (("other_logits_real", "logits_fake"), ("logits_real", "other_logits_fake"),
                 ("logits_fake", "logits_real"))
        found = [describe(call(gan, d_name, as_input(a), as_input(b))) for a, b in calls]
        return found + [describe(call(gan, d_name, as_input("logits_real", True), as_input("logits_fake", True)))]

    def g_probes():  # the fake logits changed, and twice
        return [describe(call(gan, g_name, as_input("other_logits_fake"))),
                describe(call(gan, g_name, as_input("logits_fake", True)))]

    def elsewhere(name, *keys):
        """What the function returns for inputs on PyTorch's meta device (no data, any shape), which
        fails as a GPU would where it makes a tensor on the CPU: a description, or the error."""
        return describe(call(gan, name, *[as_input(k).detach().to("meta") for k in keys]))

    return {
        "d": attempt(lambda: d_loss(""), d_name),
        "g": attempt(lambda: g_loss(""), g_name),
        "d_big": attempt(lambda: d_loss("big_"), d_name),
        "g_big": attempt(lambda: g_loss("big_"), g_name),
        "d_probes": attempt(d_probes, d_name),
        "g_probes": attempt(g_probes, g_name),
        "d_elsewhere": attempt(lambda: elsewhere(d_name, "logits_real", "logits_fake"), d_name),
        "g_elsewhere": attempt(lambda: elsewhere(g_name, "logits_fake"), g_name),
    }
