"""The producing half of the autograder's checks: run a student's gan.py, return plain data.

produce(part, gan, device, ans) calls the functions of one part of a student's
module on the inputs of an answer file and returns what the judges in
tests/checks.py need: numbers, strings, lists and numpy arrays, never live
tensors or modules. The grader runs it inside its sandbox, the pytest suite and
the notebook's check cells in their own process; either way the judges see the
same data. Everything here runs at full float32 precision (no TF32).
"""
import ast
import base64
import contextlib
import inspect
import io
import math
import os
import sys
import traceback
import types
import zipfile
import zlib

import numpy as np
import torch

from tests.checks import (GROUPS, NOISE_KS_SHAPE, NOISE_SEED, NOT_IMPLEMENTED, TRAINED_FILE,
                          TRAINED_LIMIT, TRAINED_SAMPLES, TRAINED_SEED, TRAINING_BATCH, TRAINING_ITERATIONS,
                          TRAINING_NOISE, VALUE_LIMIT, keeps_at_import as _keeps, trained_missing,
                          shown_layer, trained_too_large, without_top_level_calls)


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


@contextlib.contextmanager
def torch_state_kept():
    """Give back torch's global state as it was: the default dtype and device, grad mode and
    the random generators. The grader runs each part in a process of its own, forked after
    the import; in one process (pytest, the notebook, tests.submit) a part that changes this
    state (torch.set_default_dtype(torch.float64) in a function, say) would otherwise change
    the next part's result, and the two would disagree."""
    dtype, grad, rng = torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_rng_state()
    device = torch.get_default_device() if hasattr(torch, "get_default_device") else None
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
        torch.set_rng_state(rng)
        if device is not None and torch.get_default_device() != device:  # setting it costs every call a mode
            torch.set_default_device(None if device.type == "cpu" else device)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)


# -----------------------------------------------------------------------------
# Deterministic weights that depend only on what a layer is


def _torch_layer_name(module):
    """Name of the first torch.nn class in the module's ancestry (a subclass of
    nn.Linear still counts as Linear)."""
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn") and cls.__name__ != "Module":
            return cls.__name__
    return type(module).__name__  # a module of the file's own (gan.py's Flatten): its own name


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
            # In place, one float64 copy of the layer at a time: the DC generator's largest layer alone is
            # 51 MB of it, and the grader's sandbox may have little memory to spare.
            values = torch.rand(p.shape, generator=g, dtype=torch.float64).mul_(2).sub_(1)
            if p.dim() > 1:
                values.div_(math.sqrt(p[0].numel()))
            elif layer.startswith("BatchNorm") and name == "weight":
                values.mul_(0.2).add_(1)
            else:
                values.mul_(0.1)
            p.copy_(values)  # rounds to the parameter's dtype as .to() does
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


MEMORY_LIMIT_MB = None  # set by the grader's sandbox: the memory a part may allocate

# What to do when a function asked for a GPU the grader does not have, fitted to the function.
CUDA_ADVICE = {
    "sample_noise": "make the noise on the CPU (torch.rand(batch_size, dim), with no .cuda() or device='cuda'): "
                    "run_a_gan moves it to the training device itself",
    "loss": "make new tensors on the device of the inputs (torch.ones_like(logits), torch.zeros_like(logits), "
            ".to(logits.device)), never with .cuda() or dtype=torch.cuda.FloatTensor",
    "model": "build the model with no .cuda() or device='cuda': the notebook and the grader move it with "
             ".to(device)",
    "get_optimizer": "create the optimizer from model.parameters() and move nothing to a GPU",
}
ADVICE_KIND = {"discriminator_loss": "loss", "generator_loss": "loss", "ls_discriminator_loss": "loss",
               "ls_generator_loss": "loss", "discriminator": "model", "generator": "model",
               "build_dc_classifier": "model", "build_dc_generator": "model"}


def _asked_for_cuda(err):
    text = str(err)
    return "NVIDIA driver" in text or "not compiled with CUDA" in text or "no CUDA GPUs are available" in text


ERROR_TEXT = 600  # characters of an exception's own message kept in a sentence about it


def _student_error(err, function=None):
    """One line on an exception raised by student code: type, message, where in gan.py,
    and, when it asked for a GPU the grader lacks, what to do instead in that function."""
    tb = traceback.extract_tb(err.__traceback__)
    # The student's own file only: the smoke test's training loop is the assignment's, which the
    # grader runs from a copy (provided_gan.py) that students never see.
    where = next((f"gan.py:{f.lineno} in {f.name}" for f in reversed(tb)
                  if f.filename.rsplit("/", 1)[-1] == "gan.py"), None)
    loop = next((f.name for f in reversed(tb) if f.filename.rsplit("/", 1)[-1] == "provided_gan.py"), None)
    if where and loop:
        where += f", called from the provided run_a_gan's {loop}" if loop != "run_a_gan" else \
            ", called from the provided run_a_gan"
    at = f" (at {where})" if where else ""
    if loop and not where:
        at = f" (in the provided run_a_gan's {loop})" if loop != "run_a_gan" else " (in the provided run_a_gan)"
    if isinstance(err, MemoryError) and MEMORY_LIMIT_MB:
        return (f"MemoryError: your code asked for more memory than a part may use ({MEMORY_LIMIT_MB:,} MB){at}: "
                "look for a tensor far larger than the check's inputs need.")
    if _asked_for_cuda(err):  # torch's own text is long and says nothing about what to change
        advice = CUDA_ADVICE.get(ADVICE_KIND.get(function, function),
                                 "create tensors on the device of the inputs (.to(x.device)), never with .cuda()")
        return (f"{type(err).__name__}: your code asked for a CUDA GPU{at}, and the grader runs it on a CPU "
                f"without one: {advice}.")
    text = " ".join(str(err).split())
    if len(text) > ERROR_TEXT:  # cut the error's own text, at a word, so that where and what to do survive
        text = text[:ERROR_TEXT].rsplit(" ", 1)[0] + " [...]"
    return f"{type(err).__name__}: {text}{at}"


# -----------------------------------------------------------------------------
# Importing a student's gan.py


def import_failure(err, path, tree=None, source=""):
    """One line on why gan.py did not import: the error, the line of gan.py it came from,
    and, where a top-level statement raised, what to do with it."""
    if isinstance(err, SyntaxError):
        return f"importing gan.py failed: SyntaxError at line {err.lineno}: {err.msg}"
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == path]
    line = frames[0].lineno if frames else None  # the top-level statement that ran, in gan.py
    detail = " ".join(f"{type(err).__name__}: {err}".split())
    statement = next((n for n in (tree.body if tree else []) if n.lineno <= (line or 0) <= (n.end_lineno or 0)), None)
    if statement is not None and not _defines(statement):  # the cause is the line, not what it met
        code = " ".join((ast.get_source_segment(source, statement) or "").split())[:60]
        brief = detail if len(detail) <= 160 else detail[:160].rsplit(" ", 1)[0] + " [...]"
        return (f"line {line} of gan.py runs `{code}` when gan.py is imported, and it failed ({brief}): the "
                "autograder leaves such lines out; put experiments under `if __name__ == \"__main__\":` or in the "
                "notebook")
    detail = detail if len(detail) <= 300 else detail[:300].rsplit(" ", 1)[0] + " [...]"
    return f"importing gan.py failed at line {line}: {detail}" if line else f"importing gan.py failed: {detail}"


def _source_of(path):
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return f.read()


def _defines(node):
    """Whether a top-level statement defines what the module is for: an import, a function
    or class definition, a docstring, or an `if __name__ == "__main__":` block. Anything
    else (assignments included) is code that runs at import."""
    return _keeps(node) and not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))


def import_student(path, name="gan"):
    """(module, left_out, failure) for the gan.py at `path`, the one way every path imports it.

    Its top-level statements run one by one, in order, in one module. A statement that
    runs code (a call, an assignment, a loop) and raises, a training run at the bottom
    that finds no MNIST say, is left out and the import goes on; left_out is then
    [(line, code)] of what was left out and failure why the first one failed. A failing
    import, definition or docstring, or a syntax error, fails the import: module is None.
    """
    source = _source_of(path)
    try:
        tree = ast.parse(source, path)
    except SyntaxError as err:
        return None, [], import_failure(err, path)
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    flags, left_out, failure = 0, [], None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            import __future__

            for alias in node.names:
                flags |= getattr(getattr(__future__, alias.name, None), "compiler_flag", 0)
        try:
            exec(compile(ast.Module([node], type_ignores=[]), path, "exec", flags=flags, dont_inherit=True),
                 module.__dict__)
        except BaseException as err:  # an exception, SystemExit, KeyboardInterrupt, anything at import
            if _defines(node):
                sys.modules.pop(name, None)
                return None, [], import_failure(err, path, tree, source)
            failure = failure or import_failure(err, path, tree, source)
            left_out.append((node.lineno, " ".join((ast.get_source_segment(source, node) or "").split())[:120]))
    return module, left_out, failure


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


def _attempt(fn, function=None):
    """Run fn(), which calls the student's `function`; turn any exception into an error
    record the judges report."""
    try:
        return fn()
    except NotImplementedPart as err:
        return {"error": str(err), "not_implemented": True}
    except StudentError as err:
        return {"error": str(err)}
    except Exception as err:
        return {"error": _student_error(err, function)}


def _model(gan, builder, args):
    model = _call(gan, builder, *args)
    if not isinstance(model, torch.nn.Module):
        raise StudentError(f"{builder}() should return a torch.nn.Module, got {type(model).__name__}.")
    return model


def _shape(value):
    return [int(n) for n in value.shape][:8] if isinstance(value, torch.Tensor) else []


def _layer_record(module, args, output=None):
    """One call of a layer, as a message can speak of it: its torch.nn type, its settings as
    torch writes them (Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1))), the shapes it got
    and gave, and the settings that change its outputs without changing a shape."""
    kind = _torch_layer_name(module)[:40]
    try:
        settings = str(module.extra_repr())
    except Exception:  # a student's subclass whose extra_repr fails
        settings = "?"
    rec = {"type": kind, "spec": f"{kind}({settings})"[:200], "in": _shape(args[0] if args else None),
           "out": _shape(output)}
    for attr, key in (("eps", "eps"), ("negative_slope", "slope")):
        try:
            value = float(getattr(module, attr))
            if math.isfinite(value):
                rec[key] = value
        except Exception:  # no such attribute, or not a number
            pass
    return rec


def run_traced(model, x, function=None, limit=64):
    """(output, layers, failure): the model's forward pass on x, with every module that has
    no children recorded as it runs, in the order it runs (whatever order the layers were
    registered in); activations written as functions do not show. Where the forward pass
    raises, failure is a sentence naming the layer it raised in and the input that layer got
    (or the last layer that finished, where it raised between layers) and output is None."""
    layers, entered, handles = [], [], []

    def before(module, args):
        entered.append((module, args))

    def after(module, args, output):
        if entered and entered[-1][0] is module:
            entered.pop()
        if len(layers) < limit:
            layers.append(_layer_record(module, args, output))

    try:
        for module in list(model.modules())[:1000]:
            if not any(True for _ in module.children()):
                handles += [module.register_forward_pre_hook(before), module.register_forward_hook(after)]
        try:
            with torch.no_grad():
                return model(x), layers, None
        except Exception as err:
            where = f"the model's input has shape {tuple(x.shape)}"
            if entered:  # it raised inside this layer
                module, args = entered[-1]
                rec = _layer_record(module, args)
                layers.append(rec)
                got = "the model's own input" if rec["in"] == list(x.shape) else where
                where = (f"it raised in layer {len(layers)} of the forward pass, {shown_layer(rec)}, which got an "
                         f"input of shape {tuple(rec['in'])} ({got})")
            elif layers:  # between layers: in the model's own forward code
                where = (f"it raised after layer {len(layers)} of the forward pass, {shown_layer(layers[-1])}, whose "
                         f"output has shape {tuple(layers[-1]['out'])} ({where})")
            return None, layers, f"{_student_error(err, function)}; {where}."
    finally:
        for handle in handles:
            handle.remove()


def _produce_model(gan, builder, count_args, forward_args, inp, device, salt):
    traced = []

    def count():
        model = _model(gan, builder, count_args)
        return int(sum(p.numel() for p in model.parameters()))

    def forward():
        model = _model(gan, builder, forward_args)
        set_check_weights(model, salt)
        model = model.to(device).train()  # BatchNorm uses batch statistics, as in training
        x = torch.as_tensor(inp, dtype=torch.float32).to(device)
        out, layers, failure = run_traced(model, x, builder)
        traced.extend(layers)
        if failure:
            raise StudentError(failure)
        return _describe(out)

    produced = {"params": _attempt(count, builder), "forward": _attempt(forward, builder)}
    return dict(produced, layers=traced)


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
        "d": _attempt(lambda: d_loss(""), d_name),
        "g": _attempt(lambda: g_loss(""), g_name),
        "d_big": _attempt(lambda: d_loss("big_"), d_name),
        "g_big": _attempt(lambda: g_loss("big_"), g_name),
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
        x = torch.as_tensor(_call(gan, "sample_noise", *NOISE_KS_SHAPE, seed=NOISE_SEED))
        x = x.detach().cpu().double().numpy()
        # Independence before the distribution: a vector repeated down the batch, or a value across a row.
        rows = columns = 0  # 0: not measured (not a 2-D result; the shape check says so)
        if x.ndim == 2 and x.size:
            grid = np.ascontiguousarray(x)
            rows, columns = np.unique(grid, axis=0).shape[0], np.unique(grid, axis=1).shape[1]
        x = np.sort(x.ravel())
        cdf = (x + 1) / 2  # CDF of U[-1, 1)
        n = len(x)
        d = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
        return {"n": n, "statistic": float(d), "min": float(x[0]), "max": float(x[-1]),
                "mean": float(x.mean()), "std": float(x.std()), "distinct_rows": rows, "distinct_columns": columns}

    return {"basic": _attempt(basic, "sample_noise"), "two_calls_equal": _attempt(two_calls, "sample_noise"),
            "seeded_equal": _attempt(seeded, "sample_noise"), "ks": _attempt(ks, "sample_noise")}


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

    return {"optimizer": _attempt(produce, "get_optimizer"), "steps": _attempt(steps, "get_optimizer")}


def _plain_loop_options(run_a_gan):
    """No progress lines and the course's kernels (no accel/), where run_a_gan takes those options."""
    try:
        accepted = inspect.signature(run_a_gan).parameters
    except (TypeError, ValueError):
        return {}
    return {k: False for k in ("progress", "fast_kernels", "fast") if k in accepted}


def provided_loop(gan, provided=None):
    """The run_a_gan that trains the student's models: that of `provided` (the assignment's
    own gan.py, its blocks empty), calling the student's sample_noise, so that a file that
    brings its own copy of the loop is still tested with the one the assignment provides.
    Without `provided`, the file's own run_a_gan."""
    if provided is None or provided is gan:
        return gan.run_a_gan
    if not callable(getattr(gan, "sample_noise", None)):
        raise StudentError("gan.py has no function sample_noise(); keep its name and signature as given.")
    loop = provided.run_a_gan
    scope = dict(vars(provided), sample_noise=gan.sample_noise)
    run = types.FunctionType(loop.__code__, scope, loop.__name__, loop.__defaults__, loop.__closure__)
    run.__kwdefaults__ = loop.__kwdefaults__
    return run


def _produce_training(gan, device, provided=None):
    """The provided run_a_gan for a few iterations of each GAN on random images."""
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
        run_a_gan = provided_loop(gan, provided)
        with contextlib.redirect_stdout(io.StringIO()):  # its "Iter: ..." lines would only clutter the report
            images = run_a_gan(D, G, _call(gan, "get_optimizer", D), _call(gan, "get_optimizer", G),
                               getattr(gan, losses[0]), getattr(gan, losses[1]), loader,
                               show_every=2, batch_size=batch, noise_size=noise, num_epochs=1,
                               **_plain_loop_options(run_a_gan))
        return {"n_images": len(images), "shapes": [list(np.shape(i)) for i in images][:16],
                "d_losses": np.asarray(getattr(images, "d_losses", []), dtype=np.float64).ravel()[:64],
                "g_losses": np.asarray(getattr(images, "g_losses", []), dtype=np.float64).ravel()[:64]}

    return {name: _attempt(lambda name=name: train(name)) for name in ("vanilla", "lsgan", "dcgan")}


def read_state_dict(weights):
    """(file name, state_dict) of the trained generator's file (`weights`: its path, or its
    bytes), or StudentError with one sentence on what is wrong with it. torch.load runs with
    weights_only: a file that holds anything but tensors (a pickled object, code) is refused,
    never run. Runs no student code: the grader's scorer reads the file with it too."""
    if isinstance(weights, bytes):
        name, size, path = TRAINED_FILE, len(weights), io.BytesIO(weights)  # shares the bytes: no copy
    else:
        name, path = os.path.basename(weights), weights
        try:
            size = os.path.getsize(path)
        except OSError:
            raise StudentError(trained_missing()) from None
    if not size:
        raise StudentError(trained_missing())
    if size > TRAINED_LIMIT:
        raise StudentError(trained_too_large(size))
    if not zipfile.is_zipfile(path):  # what torch.save writes is a zip archive
        raise StudentError(f"{name} is not a file torch.save wrote (it may be damaged or cut short): save the "
                           "generator's state_dict with the notebook's cell and hand that in.")
    if not isinstance(path, str):
        path.seek(0)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # pickle.UnpicklingError for anything but tensors; others for a damaged archive
        refused = "weights only" in str(err).lower()
        raise StudentError(f"{name} " + ("holds more than weights (the grader loads tensors only, and refused it)"
                                         if refused else f"could not be read as saved weights ({type(err).__name__})")
                           + ": save the generator's state_dict with the notebook's cell and hand that in.") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise StudentError(f"{name} holds a {type(state).__name__}, not a generator's state_dict (a dict of tensors): "
                           "save it with the notebook's cell.")
    return name, state


# Prefixes that wrappers add to every key of a state_dict: torch.compile(G) and nn.DataParallel(G).
WRAPPED = {"_orig_mod.": "torch.compile(G)", "module.": "nn.DataParallel(G)"}


def _misfit(wanted, state, err):
    """Why a state_dict does not load into a model, cause first: a wrapper's prefix on every
    key, the keys missing and unexpected, or torch's first size mismatch."""
    for prefix, wrapper in WRAPPED.items():
        if state and all(k.startswith(prefix) for k in state) and not any(k.startswith(prefix) for k in wanted):
            return (f"every key of it begins with '{prefix}', which {wrapper} adds: it was saved from the wrapped "
                    f"model. Save the generator itself (G{'._orig_mod' if prefix == '_orig_mod.' else '.module'}"
                    ".state_dict()) with the notebook's cell and hand that file in.")
    missing, unexpected = [k for k in wanted if k not in state], [k for k in state if k not in wanted]
    if missing or unexpected:
        said = [f"{len(missing)} of its keys are missing (the first: '{missing[0]}')" if missing else "",
                f"{len(unexpected)} are not in your model (the first: '{unexpected[0][:80]}')" if unexpected else ""]
        return (f"{'; '.join(x for x in said if x)}. Hand in the weights of the generator this gan.py builds, "
                "saved by the notebook's cell after training it.")
    first = next((line.strip() for line in str(err).splitlines() if "size mismatch" in line), "")
    return (f"{first[:300] or ' '.join(str(err).split())[:300]}. Hand in the weights of the generator this gan.py "
            "builds, saved by the notebook's cell after training it.")


def load_trained(gan, weights):
    """The student's build_dc_generator() with the trained weights loaded (`weights`: the
    file's path, or its bytes), or StudentError with one sentence on what is wrong with the
    file (read_state_dict's, or that it does not fit)."""
    name, state = read_state_dict(weights)
    model = _model(gan, "build_dc_generator", ())
    try:
        model.load_state_dict(state)
    except Exception as err:
        raise StudentError(f"{name} does not fit your build_dc_generator(): {_misfit(model.state_dict(), state, err)}"
                           ) from None
    return model


def _produce_trained(gan, device, weights, noise):
    """Samples of the student's trained DCGAN generator, as the notebook scores it (training
    mode, uniform noise), from fixed noise: base64 of float32 (n, 784) images in [0, 1]. The
    grader scores them in a process of its own (score_samples), never in this one."""
    def samples():
        import quality

        model = load_trained(gan, weights).to(device).train()
        try:
            images = quality.generate(model, TRAINED_SAMPLES, noise, batch_size=250, seed=TRAINED_SEED)
        except Exception as err:
            raise StudentError(f"{_student_error(err, 'build_dc_generator')}; the grader fed your trained generator "
                               f"noise of shape (250, {noise})") from None
        images = np.ascontiguousarray(images, dtype="<f4")
        return {"images": base64.b64encode(images.tobytes()).decode(), "n": len(images)}

    return {"samples": _attempt(samples, "build_dc_generator")}


BN_STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def weights_census(weights):
    """The number of parameters in the trained generator's file (`weights`: its bytes or
    path): every tensor but BatchNorm's running statistics. StudentError where the file
    cannot be read (read_state_dict) or holds anything else: a tensor named as a statistic
    must sit beside its layer's 1-D weight, with that weight's length."""
    _, state = read_state_dict(weights)
    params = 0
    for key, tensor in state.items():
        layer, _, kind = key.rpartition(".")
        if kind in BN_STATISTICS:
            weight = state.get(f"{layer}.weight")
            size = 1 if kind == "num_batches_tracked" else (weight.numel() if weight is not None else -1)
            if weight is None or weight.dim() != 1 or tensor.numel() != size:
                raise StudentError(f"{TRAINED_FILE} holds `{key[:80]}` ({tensor.numel():,} values), which is not "
                                   "a BatchNorm layer's running statistic: the trained generator may hold only the "
                                   "parameters of the network build_dc_generator() builds and its BatchNorm "
                                   "statistics.")
        else:
            params += tensor.numel()
    return params


def _samples_of(produced):
    """The (images, n) the trained part sent, or the failure it reported, read strictly:
    ('images', base64 text, n), ('error', sentence) or ('failure', sentence). The part
    runs student code, so it may send anything: only samples, or a sentence that fails
    the part, come through; never a score."""
    if isinstance(produced, dict) and set(produced) == {"__failure__"} and isinstance(produced["__failure__"], str):
        return "failure", produced["__failure__"]
    samples = produced.get("samples") if isinstance(produced, dict) and set(produced) == {"samples"} else None
    if isinstance(samples, dict) and set(samples) <= {"error", "not_implemented"} and isinstance(
            samples.get("error"), str):
        return "error", samples["error"]
    if (isinstance(samples, dict) and set(samples) == {"images", "n"} and isinstance(samples["images"], str)
            and samples["n"] == TRAINED_SAMPLES and type(samples["n"]) is int):
        return "images", samples["images"], samples["n"]
    return "error", (f"the trained part sent back something other than {TRAINED_SAMPLES} samples of your "
                     "generator, which is all the grader takes from it")


def score_samples(produced, classifier=None, stats=None, thumbs=None, weights=None):
    """What the judge of the trained DCGAN reads, from what _produce_trained made: the
    Inception Score, FID and share of copies of training digits (quality/) of the samples,
    and the parameters in the weights file (weights_census), or the error as it came.
    classifier, stats, thumbs: quality/'s, read afresh unless given. Runs where no student
    code does (the grader's sandbox forks a process for it), and trusts nothing it is given:
    every number it returns it computed itself."""
    kind, *rest = _samples_of(produced)
    if kind == "failure":
        return {"__failure__": rest[0]}
    if kind == "error":
        return {"scores": {"error": rest[0]}}
    try:
        raw = base64.b64decode(rest[0], validate=True)
        images = np.frombuffer(raw, dtype="<f4").reshape(rest[1], 784)
    except Exception:
        return {"scores": {"error": f"the samples of your trained generator were not {TRAINED_SAMPLES} images of "
                                    "784 values"}}
    if not np.all(np.isfinite(images)):
        return {"scores": {"error": "your trained generator's samples hold NaN or infinity: its weights, or its "
                                    "forward pass, are broken"}}
    try:
        params = weights_census(weights)
    except StudentError as err:
        return {"scores": {"error": str(err)}}
    import quality

    model = quality.load_classifier(weights=classifier)
    images = np.clip(images, 0, 1)
    scores = quality.score_images(images, model, stats, batch_size=100, thumbs=thumbs)  # memory: ~40 MB
    scores = {"IS": float(scores["IS"]), "FID": float(scores["FID"]), "copies": float(scores["copies"]),
              "n": int(len(images)), "params": int(params)}
    if not all(math.isfinite(v) for v in scores.values()):  # clipped, finite images give finite scores
        return {"scores": {"error": "the grader could not score your trained generator's samples"}}
    return {"scores": scores}


def produce(part, gan, device, ans, provided=None, weights=None):
    """Everything the judges of `part` need, from the student module `gan`, as plain data.

    Runs at full float32 precision (see full_float32_precision) whatever the caller set.
    `provided`: the module whose run_a_gan the training smoke test uses (see provided_loop);
    `weights`: the trained DCGAN's file, for "trained" (whose samples score_samples scores).
    """
    device = torch.device(device)
    salt = weight_salt(ans)
    with full_float32_precision(), torch_state_kept():
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
            return _produce_training(gan, device, provided)
        if part == "trained":
            return _produce_trained(gan, device, weights, int(ans["noise_dim"]))
    raise ValueError(f"unknown part {part!r}: expected one of {', '.join(GROUPS)}")
