"""The autograder's checks, each in two halves.

produce(part, gan, device) runs a student's gan.py on inputs the grader fixes
(read from the answer file) and returns plain data: numbers, strings and numpy
arrays, never live tensors or modules. The judges, registered per part with
@check, compare that data against the answer file and raise CheckFailed with a
message that says what to fix. Nothing in a judge calls student code, so the
two halves can run in different processes (see instructor/grading.py).

The same functions serve the pytest suite (tests/test_parts.py), the notebook's
check cells (run_part) and the instructor's answer-file generator
(set_check_weights), so the three can never disagree.
"""
import math
import traceback
import zlib

import numpy as np
import torch

PARTS = (
    "noise",
    "discriminator",
    "generator",
    "gan_loss",
    "optimizer",
    "lsgan_loss",
    "dc_classifier",
    "dc_generator",
)
PART_TITLES = {
    "noise": "Random noise",
    "discriminator": "Discriminator",
    "generator": "Generator",
    "gan_loss": "GAN loss",
    "optimizer": "Optimizer",
    "lsgan_loss": "LSGAN loss",
    "dc_classifier": "DC classifier",
    "dc_generator": "DC generator",
    "training": "Training smoke test",
}
# Not a graded part: run_a_gan for a few iterations with the student's models.
GROUPS = PARTS + ("training",)

# Tolerances. Losses: the course's element-wise relative error. Model outputs and
# gradients: the largest absolute difference relative to the largest reference
# magnitude, which stays meaningful where single outputs are close to zero.
LOSS_TOL = 1e-6
FORWARD_TOL = 1e-4
GRAD_TOL = 1e-4
# Kolmogorov-Smirnov test of sample_noise against U[-1, 1) on NOISE_KS_N values:
# sqrt(n) * D exceeds 1.949 with probability 0.001 for a correct sampler, so a
# correct implementation fails this check once in a thousand seeds at most.
NOISE_KS_N = 1000 * 1000
NOISE_KS_CRITICAL = 1.949
NOISE_SEED = 231


class CheckFailed(AssertionError):
    """A check that failed, with a message meant for the student."""


class StudentError(Exception):
    """The student's code raised, or returned nothing, while being produced."""


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
def set_check_weights(model):
    """Overwrite every parameter with values drawn from a seed made of the layer's
    type, the parameter's name and its shape.

    Layers therefore get the same weights whatever order __init__ defines them in,
    inside nn.Sequential or an nn.Module subclass. Weights are scaled by
    1/sqrt(fan_in) so activations keep a sensible size; BatchNorm scales stay near 1.
    """
    for module in model.modules():
        layer = _torch_layer_name(module)
        for name, p in module.named_parameters(recurse=False):
            key = f"{layer}.{name}{tuple(p.shape)}"
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


# -----------------------------------------------------------------------------
# The producing half: run student code, return plain data


def _describe(x):
    """Plain-data record of something a student function returned."""
    rec = {"type": f"{type(x).__module__}.{type(x).__qualname__}"}
    if isinstance(x, torch.Tensor):
        rec.update(
            tensor=True,
            shape=list(x.shape),
            dtype=str(x.dtype).replace("torch.", ""),
            device=x.device.type,
            value=x.detach().cpu().double().numpy(),
        )
    else:
        rec["tensor"] = False
        try:
            rec["value"] = np.asarray(x, dtype=np.float64)
            rec["shape"] = list(rec["value"].shape)
        except Exception:
            pass
    return rec


def _call(gan, name, *args, **kwargs):
    fn = getattr(gan, name, None)
    if fn is None:
        raise StudentError(f"gan.py has no function {name}(); keep its name and signature as given.")
    result = fn(*args, **kwargs)
    if result is None:
        raise StudentError(
            f"{name}() returned None: it is not implemented yet "
            "(write your code between its START and END OF YOUR CODE markers)."
        )
    return result


def _attempt(fn):
    """Run fn(); turn any exception into an error record the judges report."""
    try:
        return fn()
    except StudentError as err:
        return {"error": str(err)}
    except Exception as err:
        tb = traceback.extract_tb(err.__traceback__)
        where = next((f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(tb)
                      if f.filename.endswith("gan.py")), None)
        return {"error": f"{type(err).__name__}: {err}" + (f" (at {where})" if where else "")}


def _model(gan, builder, args):
    model = _call(gan, builder, *args)
    if not isinstance(model, torch.nn.Module):
        raise StudentError(f"{builder}() should return a torch.nn.Module, got {type(model).__name__}.")
    return model


def _produce_model(gan, builder, count_args, forward_args, inp, device):
    def count():
        model = _model(gan, builder, count_args)
        return int(sum(p.numel() for p in model.parameters()))

    def forward():
        model = _model(gan, builder, forward_args)
        set_check_weights(model)
        model = model.to(device).train()  # BatchNorm uses batch statistics, as in training
        with torch.no_grad():
            return _describe(model(torch.as_tensor(inp, dtype=torch.float32).to(device)))

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
        return {"n": n, "statistic": float(d)}

    return {"basic": _attempt(basic), "two_calls_equal": _attempt(two_calls),
            "seeded_equal": _attempt(seeded), "ks": _attempt(ks)}


def _produce_optimizer(gan):
    def produce():
        model = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1))
        opt = _call(gan, "get_optimizer", model)
        rec = {"type": f"{type(opt).__module__}.{type(opt).__qualname__}", "is_adam": type(opt) is torch.optim.Adam}
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

    return {"optimizer": _attempt(produce)}


def _produce_training(gan, device):
    """run_a_gan for 4 iterations of each GAN on random images."""
    gen = torch.Generator().manual_seed(0)
    batch, noise = 8, 16
    loader = [(torch.rand(batch, 1, 28, 28, generator=gen), torch.zeros(batch, dtype=torch.long)) for _ in range(4)]

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
        images = gan.run_a_gan(D, G, _call(gan, "get_optimizer", D), _call(gan, "get_optimizer", G),
                               getattr(gan, losses[0]), getattr(gan, losses[1]), loader,
                               show_every=2, batch_size=batch, noise_size=noise, num_epochs=1, progress=False)
        return {"n_images": len(images), "shapes": [list(np.shape(i)) for i in images],
                "d_losses": np.asarray(getattr(images, "d_losses", []), dtype=np.float64),
                "g_losses": np.asarray(getattr(images, "g_losses", []), dtype=np.float64)}

    return {name: _attempt(lambda name=name: train(name)) for name in ("vanilla", "lsgan", "dcgan")}


def produce(part, gan, device, ans):
    """Everything the judges of `part` need, from the student module `gan`, as plain data."""
    device = torch.device(device)
    if part == "noise":
        return _produce_noise(gan)
    if part == "discriminator":
        return _produce_model(gan, "discriminator", (), (), ans["d_input"], device)
    if part == "generator":
        return _produce_model(gan, "generator", (4,), (int(ans["g_input"].shape[1]),), ans["g_input"], device)
    if part == "gan_loss":
        return _produce_loss(gan, "discriminator_loss", "generator_loss", ans, device)
    if part == "optimizer":
        return _produce_optimizer(gan)
    if part == "lsgan_loss":
        return _produce_loss(gan, "ls_discriminator_loss", "ls_generator_loss", ans, device)
    if part == "dc_classifier":
        n = len(ans["dc_d_input"])
        return _produce_model(gan, "build_dc_classifier", (n,), (n,), ans["dc_d_input"], device)
    if part == "dc_generator":
        return _produce_model(gan, "build_dc_generator", (4,), (int(ans["dc_g_input"].shape[1]),),
                              ans["dc_g_input"], device)
    if part == "training":
        return _produce_training(gan, device)
    raise ValueError(f"unknown part {part!r}: expected one of {', '.join(GROUPS)}")


# -----------------------------------------------------------------------------
# The judging half: compare plain data with the answer file

CHECKS = {group: [] for group in GROUPS}


# The function of gan.py each part asks for; the two loss parts ask for two.
FUNCTIONS = {
    "noise": ("sample_noise",),
    "discriminator": ("discriminator",),
    "generator": ("generator",),
    "gan_loss": ("discriminator_loss", "generator_loss"),
    "optimizer": ("get_optimizer",),
    "lsgan_loss": ("ls_discriminator_loss", "ls_generator_loss"),
    "dc_classifier": ("build_dc_classifier",),
    "dc_generator": ("build_dc_generator",),
    "training": ("run_a_gan",),
}


def check(part, function=None):
    """Register a judge for `part` (and, for parts with two functions, the function it
    checks). A judge takes (produced, answers), raises CheckFailed on a wrong result and
    returns a short line on what it measured."""

    def register(fn):
        fn.part, fn.function = part, function or FUNCTIONS[part][0]
        CHECKS[part].append(fn)
        return fn

    return register


def fail(message):
    raise CheckFailed(message)


def _get(out, key, what):
    """out[key], or a failure that carries the student's exception."""
    if isinstance(out, dict) and "__failure__" in out:  # the part crashed, hung or was killed
        fail(out["__failure__"])
    if not isinstance(out, dict) or key not in out:
        fail(f"{what}: the grader received no result (did the code crash or time out?).")
    value = out[key]
    if isinstance(value, dict) and "error" in value:
        fail(f"{what} raised an error: {value['error']}")
    return value


def _scale_error(got, expected):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected)) / (np.max(np.abs(expected)) + 1e-8))


def course_rel_error(x, y):
    """The course's relative error (the same formula as gan.rel_error, kept here so
    the judge never calls into a student's module)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _require_tensor(rec, what):
    if not rec.get("tensor"):
        fail(f"{what} returned a {rec['type']}; expected a torch.Tensor.")


def _require_shape(rec, shape, what):
    if list(rec.get("shape", [])) != list(shape):
        fail(f"{what}: expected shape {tuple(shape)}, got {tuple(rec.get('shape', ()))}.")


# -- noise

@check("noise")
def noise_shape_and_dtype(out, ans):
    rec = _get(out, "basic", "sample_noise(64, 32)")
    _require_tensor(rec, "sample_noise(64, 32)")
    _require_shape(rec, (64, 32), "sample_noise(64, 32)")
    if rec["dtype"] != "float32":
        fail(f"sample_noise: expected dtype float32, got {rec['dtype']} (torch.rand gives float32).")
    return "shape (64, 32), float32"


@check("noise")
def noise_range_and_signs(out, ans):
    v = np.asarray(_get(out, "basic", "sample_noise(64, 32)")["value"])
    lo, hi = float(v.min()), float(v.max())
    if lo < -1 or hi >= 1:
        fail(f"sample_noise: values must lie in [-1, 1); got min {lo:.4f}, max {hi:.4f}.")
    if lo >= 0 or hi <= 0:
        fail(f"sample_noise: expected both negative and positive values; got min {lo:.4f}, max {hi:.4f}. "
             "torch.rand is in [0, 1): rescale it to [-1, 1).")
    return f"values in [{lo:.3f}, {hi:.3f}]"


@check("noise")
def noise_two_calls_differ(out, ans):
    if _get(out, "two_calls_equal", "sample_noise"):
        fail("sample_noise: two calls without a seed returned the same values; draw fresh random numbers each call.")
    return "two calls differ"


@check("noise")
def noise_seed_reproduces(out, ans):
    if not _get(out, "seeded_equal", "sample_noise(..., seed=231)"):
        fail("sample_noise: two calls with the same seed differ; keep the provided torch.manual_seed(seed) line "
             "and draw the noise after it.")
    return "the same seed gives the same noise"


@check("noise")
def noise_is_uniform(out, ans):
    ks = _get(out, "ks", "sample_noise(1000, 1000, seed=231)")
    limit = NOISE_KS_CRITICAL / math.sqrt(ks["n"])
    if not ks["statistic"] <= limit:
        fail(f"sample_noise: not uniform on [-1, 1): Kolmogorov-Smirnov distance {ks['statistic']:.5f} over "
             f"{ks['n']:,} values, expected at most {limit:.5f}. Use torch.rand, not torch.randn.")
    return f"Kolmogorov-Smirnov distance {ks['statistic']:.5f} <= {limit:.5f}"


# -- models

def _param_count(out, expected, call):
    got = _get(out, "params", call)
    expected = int(expected)
    if got != expected:
        diff = got - expected
        hint = "is a bias missing, or a layer size off?" if diff < 0 else "is there an extra layer, or a layer too wide?"
        fail(f"{call}: expected {expected:,} parameters, got {got:,} ({abs(diff):,} too "
             f"{'few' if diff < 0 else 'many'}): {hint} Compare each layer with the docstring.")
    return f"{got:,} parameters"


def _forward(out, expected, call, hint):
    rec = _get(out, "forward", call)
    _require_tensor(rec, call)
    _require_shape(rec, expected.shape, call)
    err = _scale_error(rec["value"], expected)
    if not err <= FORWARD_TOL:
        fail(f"{call}: with the grader's fixed weights the outputs differ from the reference "
             f"(relative error {err:.2e} > {FORWARD_TOL:.0e}). {hint}")
    return err


def _model_checks(part, key, count_call, call, shape_call, hint, images_out):
    """Three checks of a model builder: parameter count, output shape (and, for a
    generator, the [-1, 1] range of tanh), and outputs with fixed weights."""

    @check(part)
    def parameter_count(out, ans):
        return _param_count(out, ans[f"{key}_params_true"], count_call)

    @check(part)
    def output_shape(out, ans):
        rec = _get(out, "forward", call)
        _require_tensor(rec, call)
        _require_shape(rec, ans[f"{key}_output_true"].shape, shape_call)
        if not images_out:
            return f"output shape {tuple(rec['shape'])}"
        v = np.asarray(rec["value"])
        if v.min() < -1 or v.max() > 1:
            fail(f"{call}: outputs must lie in [-1, 1], got [{v.min():.3f}, {v.max():.3f}]; is the final Tanh missing?")
        return f"output shape {tuple(rec['shape'])}, values in [-1, 1]"

    @check(part)
    def forward_matches_reference(out, ans):
        return f"forward relative error {_forward(out, ans[f'{key}_output_true'], call, hint):.1e}"


_model_checks("discriminator", "d", "discriminator()", "discriminator()", "discriminator() on 16 images",
              "Check the layer order and LeakyReLU's slope of 0.01, and that the last layer has no activation.", False)
_model_checks("generator", "g", "generator(4)", "generator()", "generator(96) on 16 noise vectors",
              "Check the layer order, the ReLUs and the final Tanh.", True)
_model_checks("dc_classifier", "dc_d", "build_dc_classifier()", "build_dc_classifier()",
              "build_dc_classifier(16) on 16 images",
              "Check kernel sizes, LeakyReLU(0.01) after each conv and the first Linear, and max-pooling.", False)
_model_checks("dc_generator", "dc_g", "build_dc_generator(4)", "build_dc_generator()",
              "build_dc_generator(96) on 16 noise vectors",
              "Check that each BatchNorm comes after its ReLU, the transposed convolutions' stride 2 and padding 1, "
              "and the final Tanh and flatten to (N, 784).", True)


# -- losses

def _loss_value(out, key, call, expected):
    rec = _get(out, key, call)
    _require_tensor(rec, call)
    if rec["shape"] not in ([], [1]):
        fail(f"{call}: expected a scalar tensor (shape ()), got shape {tuple(rec['shape'])}; average with .mean().")
    v = np.asarray(rec["value"]).reshape(())
    if not np.isfinite(v):
        fail(f"{call}: the loss is {float(v)}; use the numerically stable bce_loss provided.")
    err = course_rel_error(v, expected)
    if not err <= LOSS_TOL:
        fail(f"{call}: expected {float(expected):.8g}, got {float(v):.8g} (relative error {err:.2e} > {LOSS_TOL:.0e}).")
    return rec, err


def _loss_grads(out, key, call, expected_grads):
    rec = _get(out, key, call)
    _require_tensor(rec, call)
    for got, exp in zip(rec["grads"], expected_grads):
        if got is None:
            fail(f"{call}: no gradient reached the logits; build the loss from the input tensors with torch "
                 "operations (no .item(), .detach(), numpy or new tensors from their values).")
        if not np.all(np.isfinite(got)):
            fail(f"{call}: the gradient with respect to the logits is not finite; use the stable bce_loss.")
        err = _scale_error(got, exp)
        if not err <= GRAD_TOL:
            fail(f"{call}: the gradient with respect to the logits differs from the reference (relative error {err:.2e}).")
    return "gradients reach the logits and match"


def _loss_checks(part, d_name, g_name, true_key):
    @check(part, d_name)
    def discriminator_loss_value(out, ans):
        _, err = _loss_value(out, "d", f"{d_name}(logits_real, logits_fake)", ans[f"d_{true_key}"])
        return f"{d_name} relative error {err:.1e}"

    @check(part, d_name)
    def discriminator_loss_on_large_logits(out, ans):
        _loss_value(out, "d_big", f"{d_name} on logits of +-50 and +-100", ans[f"big_d_{true_key}"])
        return f"{d_name} finite and correct on logits of +-50 and +-100"

    @check(part, d_name)
    def discriminator_loss_gradients(out, ans):
        return _loss_grads(out, "d", d_name, (ans[f"d_{true_key}_grad_real"], ans[f"d_{true_key}_grad_fake"]))

    @check(part, g_name)
    def generator_loss_value(out, ans):
        _, err = _loss_value(out, "g", f"{g_name}(logits_fake)", ans[f"g_{true_key}"])
        return f"{g_name} relative error {err:.1e}"

    @check(part, g_name)
    def generator_loss_on_large_logits(out, ans):
        _loss_value(out, "g_big", f"{g_name} on logits of +-50 and +-100", ans[f"big_g_{true_key}"])
        return f"{g_name} finite and correct on logits of +-50 and +-100"

    @check(part, g_name)
    def generator_loss_gradients(out, ans):
        return _loss_grads(out, "g", g_name, (ans[f"g_{true_key}_grad_fake"],))


_loss_checks("gan_loss", "discriminator_loss", "generator_loss", "loss_true")
_loss_checks("lsgan_loss", "ls_discriminator_loss", "ls_generator_loss", "loss_lsgan_true")


# -- optimizer

@check("optimizer")
def optimizer_is_adam(out, ans):
    rec = _get(out, "optimizer", "get_optimizer(model)")
    if not rec["is_adam"]:
        fail(f"get_optimizer: expected a torch.optim.Adam, got {rec['type']}.")
    return "torch.optim.Adam"


@check("optimizer")
def optimizer_hyperparameters(out, ans):
    rec = _get(out, "optimizer", "get_optimizer(model)")
    lr, betas = float(ans["optim_lr_true"]), [float(b) for b in ans["optim_betas_true"]]
    if not rec["groups"]:
        fail("get_optimizer: the optimizer has no parameter groups.")
    for g in rec["groups"]:
        if not math.isclose(g["lr"], lr, rel_tol=1e-9):
            fail(f"get_optimizer: expected lr={lr:g}, got lr={g['lr']:g}.")
        if not (len(g["betas"]) == 2 and all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(g["betas"], betas))):
            fail(f"get_optimizer: expected betas={tuple(betas)}, got betas={tuple(g['betas'])}.")
        if g["weight_decay"] != 0:
            fail(f"get_optimizer: expected no weight decay, got weight_decay={g['weight_decay']:g}.")
    return f"lr={lr:g}, betas={tuple(betas)}, no weight decay"


@check("optimizer")
def optimizer_covers_every_parameter(out, ans):
    rec = _get(out, "optimizer", "get_optimizer(model)")
    if rec["n_covered"] != rec["n_params"]:
        fail(f"get_optimizer: the optimizer updates {rec['n_covered']} of the model's {rec['n_params']} parameter "
             "tensors; pass model.parameters().")
    return f"all {rec['n_params']} parameter tensors"


# -- training smoke test

def _training(out, name):
    rec = _get(out, name, f"run_a_gan with the {name} models")
    if rec["n_images"] != 2 or any(s != [8, 784] for s in rec["shapes"]):
        fail(f"run_a_gan ({name}): expected 2 image arrays of shape (8, 784) after 4 iterations with show_every=2, "
             f"got {rec['n_images']} of shapes {rec['shapes']}.")
    for key in ("d_losses", "g_losses"):
        v = np.asarray(rec[key])
        if len(v) != 4 or not np.all(np.isfinite(v)):
            fail(f"run_a_gan ({name}): expected 4 finite {key[0].upper()} losses, got {v.tolist()}.")
    return f"{name}: 4 iterations, finite losses"


@check("training")
def training_vanilla_gan_runs(out, ans):
    return _training(out, "vanilla")


@check("training")
def training_lsgan_runs(out, ans):
    return _training(out, "lsgan")


@check("training")
def training_dcgan_runs(out, ans):
    return _training(out, "dcgan")


# -----------------------------------------------------------------------------
# For the notebook's check cells


def judge(part, produced, ans):
    """[(check name, passed, message)] for every judge of `part`."""
    results = []
    for fn in CHECKS[part]:
        try:
            results.append((fn.__name__, True, fn(produced, ans)))
        except CheckFailed as err:
            results.append((fn.__name__, False, str(err)))
        except Exception as err:  # malformed produced data must not stop the grading
            results.append((fn.__name__, False, f"the grader could not read the result ({type(err).__name__}: {err})"))
    return results


def run_part(part, gan=None, device=None, answers="gan-checks.npz"):
    """Run the autograder's checks of one part in this process and print what they found
    (for the notebook; tests and the grader call produce and judge)."""
    if gan is None:
        import gan
    ans = dict(np.load(answers)) if isinstance(answers, str) else answers
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    results = judge(part, produce(part, gan, device, ans), ans)
    for name, ok, message in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {message}")
    passed = sum(ok for _, ok, _ in results)
    print(f"{PART_TITLES[part]}: {passed}/{len(results)} checks passed on {device}.")
