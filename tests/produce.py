"""The producing half of the autograder's checks: run a student's gan.py, return plain data.

produce(part, gan, device, ans) calls the functions of one part of a student's
module on the inputs of an answer file and returns what the judges in
tests/checks.py need: numbers, strings, lists and numpy arrays, never live
tensors or modules. The grader runs it inside its sandbox, the pytest suite and
the notebook's check cells in their own process; either way the judges see the
same data. Everything here runs at full float32 precision (no TF32).
"""
import contextlib
import inspect
import io
import math
import traceback
import zlib

import numpy as np
import torch

from tests.checks import (GROUPS, NOISE_KS_N, NOISE_SEED, NOT_IMPLEMENTED, TRAINING_BATCH, TRAINING_ITERATIONS,
                          TRAINING_NOISE, VALUE_LIMIT)


class StudentError(Exception):
    """The student's code raised, or returned nothing, while being produced."""


class NotImplementedPart(StudentError):
    """A student function returned None: its block is still empty."""


# -----------------------------------------------------------------------------
# Full float32 precision while a check runs


def _precision_flags():
    """[(object, attribute)] of every switch that lets float32 matmuls or
    convolutions run in a cheaper format (TF32 on Ampere and newer GPUs, bf16 in
    oneDNN). torch >= 2.9 has per-backend `fp32_precision` switches, and refuses to
    mix them with the older `allow_tf32` ones, so only one family is touched."""
    backends = torch.backends
    if hasattr(getattr(backends.cudnn, "conv", None), "fp32_precision"):  # torch >= 2.9
        found = []
        for owner in (backends.cuda.matmul, backends.cudnn.conv, getattr(backends.cudnn, "rnn", None),
                      getattr(getattr(backends, "mkldnn", None), "matmul", None),
                      getattr(getattr(backends, "mkldnn", None), "conv", None),
                      getattr(getattr(backends, "mkldnn", None), "rnn", None)):
            if owner is not None and hasattr(owner, "fp32_precision"):
                found.append((owner, "fp32_precision"))
        return found
    return [(backends.cuda.matmul, "allow_tf32"), (backends.cudnn, "allow_tf32")]


def tf32_allowed():
    """Whether float32 matmuls or convolutions may currently take a reduced-precision
    shortcut."""
    flags = _precision_flags()
    if flags[0][1] == "allow_tf32":  # the older API, where matmul precision is a switch of its own
        return any(getattr(owner, attr) for owner, attr in flags) or torch.get_float32_matmul_precision() != "highest"
    # A switch left at "none" reports what it inherits, and "none" all the way up means IEEE.
    return any(getattr(owner, attr) not in ("ieee", "none") for owner, attr in flags)


@contextlib.contextmanager
def full_float32_precision():
    """Run float32 arithmetic at full precision (no TF32, no bf16 shortcuts) and
    restore the caller's settings afterwards.

    The references are float64; on an A100, L4 or H100 cuDNN would otherwise run
    float32 convolutions in TF32 and a correct model would miss the tolerance.
    """
    flags = _precision_flags()
    saved = [getattr(owner, attr) for owner, attr in flags]
    legacy = not hasattr(torch.backends.cudnn, "conv")
    saved_matmul = torch.get_float32_matmul_precision() if legacy else None
    try:
        for owner, attr in flags:
            setattr(owner, attr, False if attr == "allow_tf32" else "ieee")
        if legacy:
            torch.set_float32_matmul_precision("highest")
        yield
    finally:
        for (owner, attr), value in zip(flags, saved):
            setattr(owner, attr, value)
        if legacy:
            torch.set_float32_matmul_precision(saved_matmul)


# -----------------------------------------------------------------------------
# Deterministic weights that depend only on what a layer is


def _torch_layer_name(module):
    """Name of the first torch.nn class in the module's ancestry (a subclass of
    nn.Linear still counts as Linear)."""
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn"):
            return cls.__name__
    return type(module).__name__


@torch.no_grad()
def set_check_weights(model, salt=""):
    """Overwrite every parameter with values drawn from a seed made of `salt`, the
    layer's type, the parameter's name and its shape.

    Layers therefore get the same weights whatever order __init__ defines them in,
    inside nn.Sequential or an nn.Module subclass. Weights are scaled by
    1/sqrt(fan_in) so activations keep a sensible size; BatchNorm scales stay near 1.
    Each answer file names its own salt, so the grader's private file fixes weights
    that the public one does not reveal.
    """
    for module in model.modules():
        layer = _torch_layer_name(module)
        for name, p in module.named_parameters(recurse=False):
            key = f"{salt}{layer}.{name}{tuple(p.shape)}"
            g = torch.Generator().manual_seed(zlib.crc32(key.encode()))
            u = torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 - 1
            if p.dim() > 1:
                values = u / math.sqrt(p[0].numel())
            elif layer.startswith("BatchNorm") and name == "weight":
                values = 1 + 0.2 * u
            else:
                values = 0.1 * u
            p.copy_(values.to(p.dtype))
    return model


def weight_salt(ans):
    """The salt of an answer file's fixed weights ('' for files that name none)."""
    return str(ans["weight_salt"]) if "weight_salt" in ans else ""


# -----------------------------------------------------------------------------
# The producing half: run student code, return plain data


def _describe(x):
    """Plain-data record of something a student function returned."""
    rec = {"type": f"{type(x).__module__}.{type(x).__qualname__}"[:200]}
    if isinstance(x, torch.Tensor):
        rec.update(tensor=True, shape=list(x.shape), dtype=str(x.dtype).replace("torch.", ""), device=x.device.type)
        if x.numel() <= VALUE_LIMIT:
            rec["value"] = x.detach().cpu().double().numpy()
    else:
        rec["tensor"] = False
        try:
            value = np.asarray(x, dtype=np.float64)
            rec["shape"] = list(value.shape)
            if value.size <= VALUE_LIMIT:
                rec["value"] = value
        except Exception:
            pass
    return rec


def _student_error(err):
    """One line on an exception raised by student code: type, message, where in gan.py,
    and what to do when it asked for CUDA on a machine without it."""
    tb = traceback.extract_tb(err.__traceback__)
    where = next((f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(tb)
                  if f.filename.endswith("gan.py")), None)
    text = f"{type(err).__name__}: {err}" + (f" (at {where})" if where else "")
    if "NVIDIA driver" in str(err) or "not compiled with CUDA" in str(err):
        text += (". The grader runs your code on a CPU here: create tensors and models on the device of the "
                 "inputs (torch.ones_like(x), torch.zeros_like(x), .to(x.device)), never with .cuda().")
    return text


def _call(gan, name, *args, **kwargs):
    fn = getattr(gan, name, None)
    if fn is None:
        raise StudentError(f"gan.py has no function {name}(); keep its name and signature as given.")
    result = fn(*args, **kwargs)
    if result is None:
        raise NotImplementedPart(
            f"{name}() returned None: {NOT_IMPLEMENTED} "
            "(write your code between its START and END OF YOUR CODE markers)."
        )
    return result


def _attempt(fn):
    """Run fn(); turn any exception into an error record the judges report."""
    try:
        return fn()
    except NotImplementedPart as err:
        return {"error": str(err), "not_implemented": True}
    except StudentError as err:
        return {"error": str(err)}
    except Exception as err:
        return {"error": _student_error(err)}


def _model(gan, builder, args):
    model = _call(gan, builder, *args)
    if not isinstance(model, torch.nn.Module):
        raise StudentError(f"{builder}() should return a torch.nn.Module, got {type(model).__name__}.")
    return model


def _produce_model(gan, builder, count_args, forward_args, inp, device, salt):
    def count():
        model = _model(gan, builder, count_args)
        return int(sum(p.numel() for p in model.parameters()))

    def forward():
        model = _model(gan, builder, forward_args)
        set_check_weights(model, salt)
        model = model.to(device).train()  # BatchNorm uses batch statistics, as in training
        x = torch.as_tensor(inp, dtype=torch.float32).to(device)
        try:
            with torch.no_grad():
                out = model(x)
        except Exception as err:
            raise StudentError(f"{_student_error(err)}; the check fed the model an input of shape "
                               f"{tuple(x.shape)}") from None
        return _describe(out)

    return {"params": _attempt(count), "forward": _attempt(forward)}


def _produce_loss(gan, d_name, g_name, ans, device):
    def as_input(key):
        return torch.as_tensor(ans[key], dtype=torch.float32).to(device).requires_grad_(True)

    def d_loss(prefix):
        real, fake = as_input(prefix + "logits_real"), as_input(prefix + "logits_fake")
        loss = _call(gan, d_name, real, fake)
        rec = _describe(loss)
        if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
            loss.sum().backward()
        rec["grads"] = [None if t.grad is None else t.grad.cpu().double().numpy() for t in (real, fake)]
        return rec

    def g_loss(prefix):
        fake = as_input(prefix + "logits_fake")
        loss = _call(gan, g_name, fake)
        rec = _describe(loss)
        if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
            loss.sum().backward()
        rec["grads"] = [None if fake.grad is None else fake.grad.cpu().double().numpy()]
        return rec

    return {
        "d": _attempt(lambda: d_loss("")),
        "g": _attempt(lambda: g_loss("")),
        "d_big": _attempt(lambda: d_loss("big_")),
        "g_big": _attempt(lambda: g_loss("big_")),
    }


def _produce_noise(gan):
    def basic():
        return _describe(_call(gan, "sample_noise", 64, 32))

    def two_calls():
        a, b = _call(gan, "sample_noise", 16, 8), _call(gan, "sample_noise", 16, 8)
        return bool(torch.equal(torch.as_tensor(a), torch.as_tensor(b)))

    def seeded():
        a = _call(gan, "sample_noise", 16, 8, seed=NOISE_SEED)
        b = _call(gan, "sample_noise", 16, 8, seed=NOISE_SEED)
        return bool(torch.equal(torch.as_tensor(a), torch.as_tensor(b)))

    def ks():
        x = torch.as_tensor(_call(gan, "sample_noise", 1000, NOISE_KS_N // 1000, seed=NOISE_SEED))
        x = np.sort(x.detach().cpu().double().numpy().ravel())
        cdf = (x + 1) / 2  # CDF of U[-1, 1)
        n = len(x)
        d = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
        return {"n": n, "statistic": float(d), "min": float(x[0]), "max": float(x[-1]),
                "mean": float(x.mean()), "std": float(x.std())}

    return {"basic": _attempt(basic), "two_calls_equal": _attempt(two_calls),
            "seeded_equal": _attempt(seeded), "ks": _attempt(ks)}


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


def _produce_optimizer(gan, ans):
    def produce():
        model = optimizer_model()
        opt = _call(gan, "get_optimizer", model)
        rec = {"type": f"{type(opt).__module__}.{type(opt).__qualname__}"[:200], "is_adam": type(opt) is torch.optim.Adam}
        groups = getattr(opt, "param_groups", None) or []
        rec["groups"] = [
            {"lr": float(g.get("lr", float("nan"))), "betas": [float(b) for b in g.get("betas", ())],
             "weight_decay": float(g.get("weight_decay", 0.0))}
            for g in groups
        ]
        covered = {id(p) for g in groups for p in g.get("params", [])}
        rec["n_params"] = len(list(model.parameters()))
        rec["n_covered"] = sum(id(p) in covered for p in model.parameters())
        return rec

    def steps():
        # Fixed weights and the answer file's gradients: the weights after a few steps
        # show how the optimizer really updates, whatever it reports of its settings.
        model = set_check_weights(optimizer_model(), weight_salt(ans))
        opt = _call(gan, "get_optimizer", model)
        if not hasattr(opt, "step"):
            raise StudentError(f"get_optimizer() returned a {type(opt).__name__}, which has no step().")
        return adam_steps(model, opt, ans["optim_grads"])

    return {"optimizer": _attempt(produce), "steps": _attempt(steps)}


def _plain_loop_options(run_a_gan):
    """No progress lines and the course's kernels (no accel/), where run_a_gan takes those options."""
    try:
        accepted = inspect.signature(run_a_gan).parameters
    except (TypeError, ValueError):
        return {}
    return {k: False for k in ("progress", "fast_kernels", "fast") if k in accepted}


def _produce_training(gan, device):
    """run_a_gan for a few iterations of each GAN on random images."""
    gen = torch.Generator().manual_seed(0)
    batch, noise = TRAINING_BATCH, TRAINING_NOISE
    loader = [(torch.rand(batch, 1, 28, 28, generator=gen), torch.zeros(batch, dtype=torch.long))
              for _ in range(TRAINING_ITERATIONS)]

    def train(name):
        builders = {"vanilla": ("discriminator", (), "generator", (noise,)),
                    "lsgan": ("discriminator", (), "generator", (noise,)),
                    "dcgan": ("build_dc_classifier", (batch,), "build_dc_generator", (noise,))}
        d_name, d_args, g_name, g_args = builders[name]
        torch.manual_seed(0)
        D = _model(gan, d_name, d_args).to(device)
        G = _model(gan, g_name, g_args).to(device)
        losses = ("ls_discriminator_loss", "ls_generator_loss") if name == "lsgan" else (
            "discriminator_loss", "generator_loss")
        with contextlib.redirect_stdout(io.StringIO()):  # its "Iter: ..." lines would only clutter the report
            images = gan.run_a_gan(D, G, _call(gan, "get_optimizer", D), _call(gan, "get_optimizer", G),
                                   getattr(gan, losses[0]), getattr(gan, losses[1]), loader,
                                   show_every=2, batch_size=batch, noise_size=noise, num_epochs=1,
                                   **_plain_loop_options(gan.run_a_gan))
        return {"n_images": len(images), "shapes": [list(np.shape(i)) for i in images][:16],
                "d_losses": np.asarray(getattr(images, "d_losses", []), dtype=np.float64).ravel()[:64],
                "g_losses": np.asarray(getattr(images, "g_losses", []), dtype=np.float64).ravel()[:64]}

    return {name: _attempt(lambda name=name: train(name)) for name in ("vanilla", "lsgan", "dcgan")}


def produce(part, gan, device, ans):
    """Everything the judges of `part` need, from the student module `gan`, as plain data.

    Runs at full float32 precision (see full_float32_precision) whatever the caller set.
    """
    device = torch.device(device)
    salt = weight_salt(ans)
    with full_float32_precision():
        if part == "noise":
            return _produce_noise(gan)
        if part == "discriminator":
            return _produce_model(gan, "discriminator", (), (), ans["d_input"], device, salt)
        if part == "generator":
            return _produce_model(gan, "generator", (4,), (int(ans["g_input"].shape[1]),), ans["g_input"], device,
                                  salt)
        if part == "gan_loss":
            return _produce_loss(gan, "discriminator_loss", "generator_loss", ans, device)
        if part == "optimizer":
            return _produce_optimizer(gan, ans)
        if part == "lsgan_loss":
            return _produce_loss(gan, "ls_discriminator_loss", "ls_generator_loss", ans, device)
        if part == "dc_classifier":
            n = len(ans["dc_d_input"])
            return _produce_model(gan, "build_dc_classifier", (n,), (n,), ans["dc_d_input"], device, salt)
        if part == "dc_generator":
            return _produce_model(gan, "build_dc_generator", (4,), (int(ans["dc_g_input"].shape[1]),),
                                  ans["dc_g_input"], device, salt)
        if part == "training":
            return _produce_training(gan, device)
    raise ValueError(f"unknown part {part!r}: expected one of {', '.join(GROUPS)}")
