"""The losses called on the answer file's logits: their values, and the gradients that reach
the inputs."""
import torch

from autograder.produce.student import attempt, call, describe


def produce_loss(gan, d_name, g_name, ans, device):
    def as_input(key):
        return torch.as_tensor(ans[key], dtype=torch.float32).to(device).requires_grad_(True)

    def d_loss(prefix):
        real, fake = as_input(prefix + "logits_real"), as_input(prefix + "logits_fake")
        loss = call(gan, d_name, real, fake)
        rec = describe(loss)
        if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
            loss.sum().backward()
        rec["grads"] = [None if t.grad is None else t.grad.cpu().double().numpy() for t in (real, fake)]
        return rec

    def g_loss(prefix):
        fake = as_input(prefix + "logits_fake")
        loss = call(gan, g_name, fake)
        rec = describe(loss)
        if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
            loss.sum().backward()
        rec["grads"] = [None if fake.grad is None else fake.grad.cpu().double().numpy()]
        return rec

    return {
        "d": attempt(lambda: d_loss(""), d_name),
        "g": attempt(lambda: g_loss(""), g_name),
        "d_big": attempt(lambda: d_loss("big_"), d_name),
        "g_big": attempt(lambda: g_loss("big_"), g_name),
    }
