"""The autograder's checks: what each part must do, judged from plain data.

Each check has two halves. The producing half, tests/produce.py, runs a student's
gan.py on inputs the grader fixes (read from an answer file) and returns plain
data: numbers, strings and numpy arrays. The judges here, registered per part
with @check, compare that data against the answer file and raise CheckFailed
with a message that says what to fix. A judge never calls student code (nor
imports torch), so the two halves can run in different processes: the grader
runs the producing half in its sandbox (instructor/grader/run.py).

The same functions serve the pytest suite (tests/test_parts.py), the notebook's
check cells (run_part) and the instructor's answer-file generator, so the three
can never disagree.
"""
import ast
import math
import os

import numpy as np

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
    "trained": "Trained DCGAN",
}
# Not graded parts: run_a_gan for a few iterations with the student's models (the smoke test),
# and the DCGAN generator the student trained, scored by its samples (points: the grader's choice).
GROUPS = PARTS + ("training", "trained")

# Points per part: the one place they are defined (the grader's reports, the student's
# python -m tests.submit and the notebook's text all read them here).
POINTS = {
    "noise": 1,
    "discriminator": 1,
    "generator": 1,
    "gan_loss": 2,
    "optimizer": 1,
    "lsgan_loss": 2,
    "dc_classifier": 1,
    "dc_generator": 1,
    # The DCGAN the student trained, scored by its samples (TRAINED_MIN_IS below is the bar).
    # 0: the report shows the scores and the bar, and the total leaves it out; give it points to count.
    "trained": 0,
}
# Inline questions of the notebook graded by hand: points (0: not graded).
MANUAL = {"Q1": 0, "Q2": 0, "Q3": 0, "Q4": 1, "Q5": 1, "Q6": 1}

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
    "trained": ("build_dc_generator",),
}

# Tolerances. Losses: the course's element-wise relative error. Model outputs and
# gradients: the largest absolute difference relative to the largest reference
# magnitude, which stays meaningful where single outputs are close to zero.
LOSS_TOL = 1e-6
FORWARD_TOL = 1e-4
GRAD_TOL = 1e-4
# Weight changes after a few optimizer steps, relative to the largest change.
OPTIM_TOL = 1e-4
# Kolmogorov-Smirnov test of sample_noise against U[-1, 1) on NOISE_KS_N values:
# sqrt(n) * D exceeds 1.949 with probability 0.001 for a correct sampler, so a
# correct implementation fails this check once in a thousand seeds at most.
NOISE_KS_SHAPE = (1000, 1000)  # sample_noise(1000, 1000, seed=NOISE_SEED)
NOISE_KS_N = NOISE_KS_SHAPE[0] * NOISE_KS_SHAPE[1]
NOISE_KS_CRITICAL = 1.949
NOISE_SEED = 231
# Outputs with more elements than this are described by their shape only.
VALUE_LIMIT = 1 << 20

NOT_IMPLEMENTED = "it is not implemented yet"


def noise_dim(ans):
    """The reference's NOISE_DIM, which the checks' generators are built with (from the answer file)."""
    return int(ans["noise_dim"])

# The training smoke test: run_a_gan for a few iterations on random images.
TRAINING_BATCH, TRAINING_NOISE, TRAINING_ITERATIONS = 8, 16, 4
# The trained DCGAN: the notebook saves the generator's state_dict as TRAINED_FILE beside gan.py;
# the grader loads it into the student's build_dc_generator(), draws TRAINED_SAMPLES samples from
# noise seeded with TRAINED_SEED and scores them with quality/'s classifier. It passes when the
# samples are recognised as digits (Inception Score), look like MNIST as a whole (FID) and are
# not copies of training digits (quality.copy_share), and the file holds the parameters of the
# assignment's generator and nothing else. The bars come from the reference solution's DCGAN
# trained with the notebook's settings over several seeds (figures/trained-bar.md, written by
# `python -m instructor trained-bar`): its mean minus three standard deviations for the IS, plus
# three for the FID; a share of copies ten times what real unseen digits give (1%).
TRAINED_FILE = "dcgan_generator.pt"
TRAINED_SAMPLES, TRAINED_SEED = 1000, 0
# Measured on 2026-12-05 over five seeds: IS 8.57 +- 0.15, FID 45.2 +- 11.9, copies 0.4% (figures/trained-bar.md).
# 8.5, the CS231n assignment's target for its GAN, is an instructor's stricter choice: about a third
# of correct, fully trained generators fall below it.
TRAINED_MIN_IS = 8.1
TRAINED_MAX_FID = 81.0
TRAINED_MAX_COPIES = 0.1
TRAINED_TYPICAL = "8.57 ± 0.15 and an FID of 45 ± 12"  # the reference, for the student's message
TRAINED_LIMIT = 64 << 20  # bytes: the generator's weights take 25.5 MB (6,675,009 float32s)


def trained_beside(gan_path):
    """Where the trained generator's weights that go with the gan.py at gan_path are: beside it."""
    return os.path.join(os.path.dirname(os.path.abspath(gan_path)), TRAINED_FILE)


def trained_missing():
    return (f"no {TRAINED_FILE} was handed in beside gan.py: the notebook saves it after training the DCGAN; hand "
            "it in with gan.py.")


def trained_too_large(size):
    return (f"{TRAINED_FILE} is {size / (1 << 20):,.1f} MB, more than the {TRAINED_LIMIT >> 20} MB the grader reads "
            "(the DCGAN generator's weights take 25.5 MB): hand in the file the notebook saved.")


def load_answers(path):
    """An answer file as {name: numpy array}; it holds no pickles, and none are read."""
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


class CheckFailed(AssertionError):
    """A check that failed, with a message meant for the student. `cause` is the student's
    own error where one made the check fail: checks that fail from one cause report it once."""

    def __init__(self, message, cause=None):
        super().__init__(message)
        self.cause = cause


# -----------------------------------------------------------------------------
# The judging half: compare plain data with the answer file

CHECKS = {group: [] for group in GROUPS}


def check(part, function=None, name=None):
    """Register a judge for `part` (and, for parts with two functions, the function it
    checks). A judge takes (produced, answers), raises CheckFailed on a wrong result and
    returns a short line on what it measured."""

    def register(fn):
        fn.part, fn.function = part, function or FUNCTIONS[part][0]
        if name:
            fn.__name__ = fn.__qualname__ = name
        CHECKS[part].append(fn)
        return fn

    return register


def fail(message, cause=None):
    raise CheckFailed(message, cause)


def _get(out, key, what):
    """out[key], or a failure that carries the student's exception."""
    if isinstance(out, dict) and "__failure__" in out:  # the part crashed, hung or was killed
        fail(out["__failure__"], out["__failure__"])
    if not isinstance(out, dict) or key not in out:
        fail(f"{what}: the grader received no result (did the code crash or time out?).")
    value = out[key]
    if isinstance(value, dict) and "error" in value:
        fail(value["error"] if value.get("not_implemented") else f"{what} raised an error: {value['error']}",
             value["error"])
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
    got = list(rec.get("shape", []))
    if got != list(shape):
        hint = ""
        if list(shape[1:]) == [784] and got[1:] in ([1, 28, 28], [28, 28]):
            hint = " Flatten the images to (N, 784) at the end."
        fail(f"{what}: expected shape {tuple(shape)}, got {tuple(got)}.{hint}")


def _value(rec, what):
    if "value" not in rec:
        fail(f"{what}: the output is too large to compare ({tuple(rec.get('shape', ()))}).")
    return np.asarray(rec["value"])


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
    v = _value(_get(out, "basic", "sample_noise(64, 32)"), "sample_noise(64, 32)")
    lo, hi = float(v.min()), float(v.max())
    if not (lo >= -1 and hi < 1):
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
        fail("sample_noise: two calls with the same seed differ. The seed reaches only torch's random generator "
             "(the provided torch.manual_seed(seed) line): draw the values with torch.rand after it, not with "
             "numpy's or Python's random generators, which that seed does not touch.")
    return "the same seed gives the same noise"


def _uniformity_hint(ks):
    """What the measured values look like, and so what to change."""
    lo, hi, mean, std = ks["min"], ks["max"], ks["mean"], ks["std"]
    rows, columns = ks.get("distinct_rows"), ks.get("distinct_columns")
    call = f"sample_noise{NOISE_KS_SHAPE}"
    if rows and rows < NOISE_KS_SHAPE[0]:
        return (f"Of the {NOISE_KS_SHAPE[0]} rows of {call} only {rows} differ: draw a fresh value for every entry "
                "(torch.rand(batch_size, dim)), not one vector repeated for the whole batch.")
    if columns and columns < NOISE_KS_SHAPE[1]:
        return (f"Of the {NOISE_KS_SHAPE[1]} columns of {call} only {columns} differ: draw a fresh value for every "
                "entry (torch.rand(batch_size, dim)), not one value per row.")
    if lo >= 0:
        return (f"All values are in [{lo:.3f}, {hi:.3f}]: torch.rand gives [0, 1); stretch and shift it to "
                "[-1, 1) (2 * torch.rand(...) - 1).")
    if lo < -1 or hi >= 1:
        return f"Values reach [{lo:.3f}, {hi:.3f}], outside [-1, 1)."
    if lo > -0.99 or hi < 0.99:  # a million uniform values on [-1, 1) come within 1e-5 of both ends
        return (f"The values span only [{lo:.3f}, {hi:.3f}], not all of [-1, 1): stretch torch.rand's [0, 1) "
                "by 2, then shift it by -1.")
    if abs(mean) > 0.01:
        return f"The values are not centred on 0 (mean {mean:.3f}): check the shift to [-1, 1)."
    if abs(std - 1 / math.sqrt(3)) > 0.02:
        return (f"The values are not spread evenly over [-1, 1) (standard deviation {std:.3f}, where a uniform "
                "draw has 0.577): draw them with torch.rand (uniform), not torch.randn (normal), and rescale.")
    return "Draw every value independently with torch.rand."


@check("noise")
def noise_is_uniform(out, ans):
    ks = _get(out, "ks", f"sample_noise({NOISE_KS_SHAPE[0]}, {NOISE_KS_SHAPE[1]}, seed={NOISE_SEED})")
    limit = NOISE_KS_CRITICAL / math.sqrt(ks["n"])
    if not ks["statistic"] <= limit:
        fail(f"sample_noise: not uniform on [-1, 1): Kolmogorov-Smirnov distance {ks['statistic']:.5f} over "
             f"{ks['n']:,} values, expected at most {limit:.5f}. {_uniformity_hint(ks)}")
    return f"Kolmogorov-Smirnov distance {ks['statistic']:.5f} <= {limit:.5f}"


# -- models

def _param_count(out, ans, key, call):
    got = _get(out, "params", call)
    expected = int(ans[f"{key}_params_true"])
    if got != expected:
        diff = got - expected
        first = next((layer for layer in reference_layers(ans, key) if layer["type"] == "Linear"), None)
        # Linear(in_features=.., out_features=..): the first layer's width
        width = int(_settings(first["spec"])[1].split("=")[-1]) if first else 0
        constant = noise_dim(ans)
        if call.endswith("(4)") and width and diff == (constant - 4) * width:  # a first Linear(NOISE_DIM, width)
            hint = (f"That is what a first layer of input size {constant} would add: its input size must be the "
                    "noise_dim argument, not the constant NOISE_DIM.")
        else:
            hint = _structure_hint(out, ans, key) or (
                "Is a bias missing, or a layer size off? Compare each layer with the docstring." if diff < 0 else
                "Is there an extra layer, or a layer too wide? Compare each layer with the docstring.")
        fail(f"{call}: expected {expected:,} parameters, got {got:,} ({abs(diff):,} too "
             f"{'few' if diff < 0 else 'many'}). {hint}")
    return f"{got:,} parameters"


def _model_output(out, ans, key, call):
    """The forward pass's output record; where it failed (an error in the student's forward,
    a shape), the failure also names the first layer that differs from the reference's."""
    try:
        rec = _get(out, "forward", call)
        _require_tensor(rec, call)
        _require_shape(rec, ans[f"{key}_output_true"].shape, call)
        return rec
    except CheckFailed as err:
        hint = _structure_hint(out, ans, key)
        raise CheckFailed(f"{err} {hint}" if hint else str(err), err.cause) from None


# Outputs this close to the reference come from the right layers computed a little
# differently, not from a wrong architecture.
NEAR_MISS = 1e-2

# Activations, pooling, normalisation and dropout: a layer of one of these kinds that the
# reference's architecture lacks is named in the hint.
LAYER_KINDS = {"ReLU", "LeakyReLU", "PReLU", "ReLU6", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus",
               "Tanh", "Hardtanh", "Sigmoid", "Softmax", "LogSoftmax", "MaxPool2d", "AvgPool2d",
               "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm",
               "InstanceNorm1d", "InstanceNorm2d", "Dropout", "Dropout1d", "Dropout2d"}
# The layers with weights: a model is held against the reference's layer by layer on these,
# since activations and pooling may be written as functions, which leave no trace.
WEIGHTED = {"Linear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
            "ConvTranspose3d", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm",
            "InstanceNorm1d", "InstanceNorm2d", "Embedding"}
# What a near miss can come from, for each architecture: only causes its layers can have.
NEAR_MISS_CAUSES = {
    "discriminator": "a LeakyReLU slope other than 0.01, a ReLU where the architecture has LeakyReLU(0.01), "
                     "or float16/bfloat16 arithmetic",
    "generator": "float16/bfloat16 arithmetic, or an activation close to, but not, ReLU or Tanh",
    "dc_classifier": "a LeakyReLU slope other than 0.01, a ReLU where the architecture has LeakyReLU(0.01), "
                     "or float16/bfloat16 arithmetic",
    "dc_generator": "a BatchNorm eps other than the default 1e-5, or float16/bfloat16 arithmetic",
}


def reference_layers(ans, key):
    """The layers the reference's model ran, in order, on the check's input (tests.produce.run_traced,
    written into the answer file)."""
    import json

    return json.loads(str(ans[f"{key}_layers_true"]))


def _layer_hint(layers, reference):
    """What the model's own layers show that the reference's do not (an activation, a pooling,
    a normalisation it lacks; another LeakyReLU slope or BatchNorm eps), or ''."""
    kinds = {layer["type"] for layer in reference}
    slopes = {layer["slope"] for layer in reference if "slope" in layer}
    eps = {layer["eps"] for layer in reference if "eps" in layer}
    found = []
    for layer in layers or []:
        kind = layer.get("type", "")
        if kind in LAYER_KINDS and kind not in kinds:
            found.append(f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind} layer, which its architecture does not have")
        if kind == "LeakyReLU" and "slope" in layer and slopes and not any(
                math.isclose(layer["slope"], x, rel_tol=1e-6) for x in slopes):
            found.append(f"LeakyReLU(negative_slope={layer['slope']:g}), where the architecture has "
                         f"{min(slopes):g}")
        if kind.startswith("BatchNorm") and "eps" in layer and eps and not any(
                math.isclose(layer["eps"], x, rel_tol=1e-6) for x in eps):
            found.append(f"{kind}(eps={layer['eps']:g}), where the architecture keeps PyTorch's default "
                         f"eps={min(eps):g}")
    found = list(dict.fromkeys(found))  # each finding once, in the model's order
    return f"Your model has {'; '.join(found)}." if found else ""


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
# Settings torch writes that are the defaults everyone keeps: left out of a layer as a message shows it.
QUIET = ("eps=1e-05", "momentum=0.1", "affine=True", "track_running_stats=True", "bias=True")


def _settings(spec):
    """Conv2d(1, 32, kernel_size=(5, 5)) -> ['1', '32', 'kernel_size=(5, 5)']."""
    import re

    inside = spec[spec.find("(") + 1:spec.rfind(")")]
    return [item.strip() for item in re.split(r",(?![^()]*\))", inside) if item.strip()]


def shown_layer(layer):
    """A layer as a message shows it: its type and the settings torch writes, less the defaults."""
    return f"{layer['type']}({', '.join(x for x in _settings(layer['spec']) if x not in QUIET)})"


def _named(layers, i):
    """'the second Linear': the i-th of `layers`, counted among those of its type."""
    k = sum(layer["type"] == layers[i]["type"] for layer in layers[:i + 1])
    return f"the {ORDINALS[k - 1] if k <= len(ORDINALS) else f'{k}th'} {layers[i]['type']}"


def layer_difference(layers, reference):
    """The first place where the layers a model ran differ from the reference's, as a sentence
    (or ''): a layer missing or extra, a layer with other settings, or a layer that gets an
    input of another shape (with what the reference runs before it). Only layers with weights
    are compared one to one, so functional activations and layers registered in another order
    make no difference; what runs between them is shown where a shape differs."""
    mine = [i for i, layer in enumerate(layers) if layer.get("type") in WEIGHTED]
    theirs = [i for i, layer in enumerate(reference) if layer["type"] in WEIGHTED]
    wanted = [reference[i] for i in theirs]
    same = lambda a, b: a["spec"] == b["spec"]
    for n, want in enumerate(wanted):
        where = f"after {_named(wanted, n - 1)}" if n else "as its first layer with weights"
        if n >= len(mine):
            return f"{where[0].upper()}{where[1:]}, the architecture has {shown_layer(want)}; your model runs none."
        have = layers[mine[n]]
        if same(have, want):
            if list(have["in"]) != list(want["in"]):
                before = lambda trace, picks: ", ".join(shown_layer(x) for x in trace[picks[n - 1] + 1:picks[n]]) \
                    if n else ", ".join(shown_layer(x) for x in trace[:picks[0]])
                return (f"{_named(wanted, n)[0].upper()}{_named(wanted, n)[1:]} gets an input of shape "
                        f"{tuple(have['in'])}, where the architecture's gets {tuple(want['in'])}: check "
                        f"what runs before it (the architecture runs {before(reference, theirs) or 'nothing'} there; "
                        f"yours runs {before(layers, mine) or 'no layer module'}).")
            continue
        if n + 1 < len(wanted) and same(have, wanted[n + 1]):
            return f"{where[0].upper()}{where[1:]}, the architecture has {shown_layer(want)}; your model has none."
        if n + 1 < len(mine) and same(layers[mine[n + 1]], want):
            return (f"{where[0].upper()}{where[1:]}, your model has {shown_layer(have)}, which the architecture does "
                    "not have.")
        if have["type"] == want["type"]:
            extra = [x for x in _settings(have["spec"]) if x not in _settings(want["spec"])]
            lacking = [x for x in _settings(want["spec"]) if x not in _settings(have["spec"])]
            gives = (f": it gives an output of shape {tuple(have['out'])}, where "
                     f"{tuple(want['out'])} is wanted" if have["out"] and have["out"] != want["out"] else "")
            mine_only, theirs_only = ", ".join(extra), ", ".join(lacking)
            which = (f"yours has {mine_only}, the architecture's {theirs_only}" if extra and lacking else
                     f"yours sets {mine_only}, which the architecture's leaves at its default" if extra else
                     f"the architecture's sets {theirs_only}, which yours leaves at its default")
            return (f"{_named(wanted, n)[0].upper()}{_named(wanted, n)[1:]} is {shown_layer(have)}, where the "
                    f"architecture has {shown_layer(want)} ({which}){gives}.")
        return (f"{where[0].upper()}{where[1:]}, the architecture has {shown_layer(want)}; your model has "
                f"{shown_layer(have)}.")
    if len(mine) > len(wanted):
        return (f"After {_named(wanted, len(wanted) - 1)}, your model has {shown_layer(layers[mine[len(wanted)]])}, "
                "which the architecture does not have." if wanted else "")
    # The layers with weights agree; what runs after each may not. A layer module the reference
    # does not run at that place is named (one that is missing may be written as a function).
    for n in range(len(wanted)):
        segment = lambda trace, picks: trace[picks[n] + 1:picks[n + 1] if n + 1 < len(picks) else len(trace)]
        theirs_after = list(dict.fromkeys(shown_layer(x) for x in segment(reference, theirs)))
        extra = [shown_layer(x) for x in segment(layers, mine) if shown_layer(x) not in theirs_after
                 and x.get("type") in LAYER_KINDS]
        if extra:
            runs = ", ".join(theirs_after) or "nothing"
            last = " (it is the model's last layer)" if n + 1 == len(wanted) else ""
            return (f"After {_named(wanted, n)}{last}, your model runs {', '.join(extra)}, where the architecture "
                    f"runs {runs}.")
    return ""


def _structure_hint(out, ans, key):
    """What the model's layers show against the reference's: a layer of another kind or
    setting first, then the first layer that differs; '' where nothing does."""
    layers, reference = out.get("layers") if isinstance(out, dict) else None, reference_layers(ans, key)
    if not layers:
        return ""
    return _layer_hint(layers, reference) or layer_difference(layers, reference)


def _forward(out, ans, key, part, call, shape_call, hint):
    rec = _model_output(out, ans, key, shape_call)
    got, expected = _value(rec, call), ans[f"{key}_output_true"]
    err = _scale_error(got, expected)
    if not err <= FORWARD_TOL:
        structure = _structure_hint(out, ans, key)  # what its layers show, before what to compare
        if _scale_error(2 * np.asarray(got, dtype=np.float64) - 1, expected) <= FORWARD_TOL:
            hint = ("Your outputs are the reference's moved from [-1, 1] to [0, 1] ((x + 1) / 2): return the final "
                    "Tanh's output as it is; the images are kept in [-1, 1].")
        elif structure:
            hint = structure
        elif err <= NEAR_MISS:
            hint = ("The outputs are close, so the layers are probably right: look for a numerical difference, "
                    f"such as {NEAR_MISS_CAUSES[part]}.")
        fail(f"{call}: with the grader's fixed weights the outputs differ from the reference "
             f"(relative error {err:.2e} > {FORWARD_TOL:.0e}). {hint}")
    return err


def _model_checks(part, key, count_call, call, shape_call, hint, images_out):
    """Three checks of a model builder: parameter count, output shape (and, for a
    generator, the [-1, 1] range of tanh), and outputs with fixed weights."""

    @check(part)
    def parameter_count(out, ans):
        return _param_count(out, ans, key, count_call)

    def called(ans):  # the check's call, with the answer file's batch size and noise size
        return shape_call.format(n=len(ans[f"{key}_input"]), noise_dim=noise_dim(ans))

    @check(part)
    def output_shape(out, ans):
        rec = _model_output(out, ans, key, called(ans))
        if images_out:  # a failure only: these inputs can stay in [-1, 1] without a Tanh too
            v = _value(rec, call)
            if not (v.min() >= -1 and v.max() <= 1):
                fail(f"{call}: outputs must lie in [-1, 1], got [{v.min():.3f}, {v.max():.3f}]; is the final Tanh "
                     "missing?")
        return f"output shape {tuple(rec['shape'])}"

    @check(part)
    def forward_matches_reference(out, ans):
        return f"forward relative error {_forward(out, ans, key, part, call, called(ans), hint):.1e}"


_model_checks("discriminator", "d", "discriminator()", "discriminator()", "discriminator() on {n} images",
              "Check the layer order and LeakyReLU's slope of 0.01, and that the last layer has no activation.", False)
_model_checks("generator", "g", "generator(4)", "generator()", "generator({noise_dim}) on {n} noise vectors",
              "Check the layer order, the ReLUs and the final Tanh.", True)
_model_checks("dc_classifier", "dc_d", "build_dc_classifier()", "build_dc_classifier()",
              "build_dc_classifier({n}) on {n} images",
              "Check kernel sizes, LeakyReLU(0.01) after each conv and the first Linear, and max-pooling.", False)
_model_checks("dc_generator", "dc_g", "build_dc_generator(4)", "build_dc_generator()",
              "build_dc_generator({noise_dim}) on {n} noise vectors",
              "Check that each BatchNorm comes after its ReLU, the transposed convolutions' stride 2 and padding 1, "
              "and the final Tanh and flatten to (N, 784).", True)


# -- losses

def _bce(s, y):
    """The stable binary cross-entropy on logits, element by element (gan.bce_loss before its mean)."""
    return np.maximum(s, 0) - s * y + np.log1p(np.exp(-np.abs(s)))


def _bce_of_sigmoid(s, y):
    """nn.BCELoss on torch.sigmoid(s) in float32, element by element: the sigmoid rounds to
    exactly 0 or 1 for large logits, and BCELoss then clamps the log at -100."""
    with np.errstate(over="ignore", divide="ignore"):
        p = (1 / (1 + np.exp(-s.astype(np.float32)))).astype(np.float32)
        log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
    return -(y * log_p + (1 - y) * log_q).astype(np.float64)


LSGAN_FIX = "the course's loss is Mao et al.'s equation 9: targets 1 for real and 0 for fake, 1/2 before each mean"
# The usual wrong versions of each loss, as (what the student wrote, what to change, the value it gives
# on real and fake inputs). When a failing loss equals one of them, the message names it.
LOSS_MISTAKES = {
    "discriminator_loss": [
        ("nn.BCELoss (or BCE written with log) on torch.sigmoid(logits)",
         "use the provided bce_loss on the logits themselves: the sigmoid rounds to 0 or 1 for large logits",
         lambda r, f: _bce_of_sigmoid(r, 1).mean() + _bce_of_sigmoid(f, 0).mean()),
        ("the labels swapped (real scored against 0, fake against 1)",
         "real logits go with target 1, fake ones with target 0",
         lambda r, f: _bce(r, 0).mean() + _bce(f, 1).mean()),
        ("label smoothing (a real target of 0.9)", "use targets of exactly 1 and 0",
         lambda r, f: _bce(r, 0.9).mean() + _bce(f, 0).mean()),
        ("two-sided label smoothing (targets 0.9 and 0.1)", "use targets of exactly 1 and 0",
         lambda r, f: _bce(r, 0.9).mean() + _bce(f, 0.1).mean()),
        ("the two terms averaged (or one bce_loss over real and fake together)",
         "add the two means: bce_loss(real, 1) + bce_loss(fake, 0)",
         lambda r, f: (_bce(r, 1).mean() + _bce(f, 0).mean()) / 2),
        ("sums where the means belong", "average each term (bce_loss takes the mean)",
         lambda r, f: _bce(r, 1).sum() + _bce(f, 0).sum()),
        ("only the real term", "add bce_loss(logits_fake, 0)", lambda r, f: _bce(r, 1).mean()),
        ("only the fake term", "add bce_loss(logits_real, 1)", lambda r, f: _bce(f, 0).mean()),
        ("the opposite sign", "the loss is the cross-entropy itself, which is never negative",
         lambda r, f: -(_bce(r, 1).mean() + _bce(f, 0).mean())),
    ],
    "generator_loss": [
        ("nn.BCELoss (or BCE written with log) on torch.sigmoid(logits)",
         "use the provided bce_loss on the logits themselves: the sigmoid rounds to 0 or 1 for large logits",
         lambda f: _bce_of_sigmoid(f, 1).mean()),
        ("the saturating loss of the minimax game, -bce(fake, 0) (that is, log(1 - D(G(z))))",
         "the assignment asks for the non-saturating loss bce_loss(logits_fake, 1) (Goodfellow et al. 2014)",
         lambda f: -_bce(f, 0).mean()),
        ("the fake logits scored against 0, as the discriminator does",
         "the generator wants its fakes called real: target 1", lambda f: _bce(f, 0).mean()),
        ("label smoothing (a target of 0.9)", "use a target of exactly 1", lambda f: _bce(f, 0.9).mean()),
        ("a sum where the mean belongs", "average (bce_loss takes the mean)", lambda f: _bce(f, 1).sum()),
        ("the opposite sign", "the loss is the cross-entropy itself, which is never negative",
         lambda f: -_bce(f, 1).mean()),
    ],
    "ls_discriminator_loss": [
        ("no 1/2 before the means", LSGAN_FIX, lambda r, f: ((r - 1) ** 2).mean() + (f ** 2).mean()),
        ("the targets -1 for fake and 1 for real (the paper's other choice, equation 8)", LSGAN_FIX,
         lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f + 1) ** 2).mean()),
        ("the targets swapped (0 for real, 1 for fake)", LSGAN_FIX,
         lambda r, f: 0.5 * (r ** 2).mean() + 0.5 * ((f - 1) ** 2).mean()),
        ("`scores_real - 1 ** 2`, which Python reads as scores_real - (1 ** 2)",
         "write (scores_real - 1) ** 2, with the brackets",
         lambda r, f: 0.5 * (r - 1).mean() + 0.5 * (f ** 2).mean()),
        ("the mean squared, where the squares are averaged", "square first, then take the mean",
         lambda r, f: 0.5 * (r - 1).mean() ** 2 + 0.5 * f.mean() ** 2),
        ("sums where the means belong", "average each term with .mean()",
         lambda r, f: 0.5 * ((r - 1) ** 2).sum() + 0.5 * (f ** 2).sum()),
        ("only the real term", "add 0.5 * mean(scores_fake ** 2)", lambda r, f: 0.5 * ((r - 1) ** 2).mean()),
        ("only the fake term", "add 0.5 * mean((scores_real - 1) ** 2)", lambda r, f: 0.5 * (f ** 2).mean()),
    ],
    "ls_generator_loss": [
        ("no 1/2 before the mean", LSGAN_FIX, lambda f: ((f - 1) ** 2).mean()),
        ("the target 0 (the paper's other choice, equation 8, or the discriminator's target for fakes)",
         LSGAN_FIX, lambda f: 0.5 * (f ** 2).mean()),
        ("`scores_fake - 1 ** 2`, which Python reads as scores_fake - (1 ** 2)",
         "write (scores_fake - 1) ** 2, with the brackets", lambda f: 0.5 * (f - 1).mean()),
        ("the mean squared, where the squares are averaged", "square first, then take the mean",
         lambda f: 0.5 * (f - 1).mean() ** 2),
        ("a sum where the mean belongs", "average with .mean()", lambda f: 0.5 * ((f - 1) ** 2).sum()),
    ],
}
MISTAKE_MATCH = 1e-5  # relative error within which a value is taken to come from a known mistake


def known_mistake(function, value, inputs):
    """(what the student wrote, what to change) for the known wrong version of `function`
    whose value on `inputs` (the check's own logits or scores, float64 arrays) is `value`,
    or None."""
    for wrote, fix, formula in LOSS_MISTAKES.get(function, ()):
        with np.errstate(all="ignore"):
            expected = float(formula(*inputs))
        if np.isfinite(expected) and course_rel_error(value, expected) <= MISTAKE_MATCH:
            return wrote, fix
    return None


def _mistake_in(rec, function, inputs, expected):
    """The known mistake a loss's recorded value comes from, where that value is wrong, or None."""
    try:
        value = float(np.asarray(rec["value"]).reshape(()))
    except (KeyError, TypeError, ValueError):
        return None
    if not np.isfinite(value) or course_rel_error(value, expected) <= LOSS_TOL:
        return None
    return known_mistake(function, value, inputs)


def _require_scalar(rec, call):
    if rec["shape"] not in ([], [1]):
        fail(f"{call}: expected a scalar tensor (shape ()), got shape {tuple(rec['shape'])}; average with .mean().",
             "the loss is not a scalar")  # one cause, said once for the function


def _loss_value(out, key, call, expected, function, inputs):
    """The loss's value against the reference; `inputs` are the arrays the check fed
    `function`, by which a wrong value is matched against its known mistakes."""
    rec = _get(out, key, call)
    _require_tensor(rec, call)
    _require_scalar(rec, call)
    v = _value(rec, call).reshape(())
    if not np.isfinite(v):
        fail(f"{call}: the loss is {float(v)}; use the numerically stable bce_loss provided.")
    err = course_rel_error(v, expected)
    if not err <= LOSS_TOL:
        mistake = _mistake_in(rec, function, inputs, expected)
        named = f" That is the value of {mistake[0]}: {mistake[1]}." if mistake else ""
        # a known mistake is one cause: the function's other checks that it fails point back here
        fail(f"{call}: expected {float(expected):.8g}, got {float(v):.8g} (relative error {err:.2e} > "
             f"{LOSS_TOL:.0e}).{named}", mistake and mistake[0])
    return rec, err


def _loss_grads(out, key, call, expected_grads, inputs, fed, expected):
    rec = _get(out, key, call)
    _require_tensor(rec, call)
    _require_scalar(rec, call)  # the check calls backward() only on a scalar loss
    mistake = _mistake_in(rec, call, fed, expected)
    if mistake:  # its value already says what is wrong; its gradient differs for the same reason
        fail(f"{call}: the gradient comes from {mistake[0]}: {mistake[1]}.", mistake[0])
    grads = rec.get("grads") or []
    for i, exp in enumerate(expected_grads):
        got = grads[i] if i < len(grads) else None
        if got is None:
            fail(f"{call}: no gradient reached the {inputs}; build the loss from the input tensors with torch "
                 "operations (no .item(), .detach(), numpy or new tensors from their values).")
        if np.shape(got) != np.shape(exp):
            fail(f"{call}: the gradient has shape {np.shape(got)}, expected {np.shape(exp)}.")
        if not np.all(np.isfinite(got)):
            fail(f"{call}: the gradient with respect to the {inputs} is not finite; use the stable bce_loss.")
        err = _scale_error(got, exp)
        if not err <= GRAD_TOL:
            fail(f"{call}: the gradient with respect to the {inputs} differs from the reference (relative error "
                 f"{err:.2e}).")
    return f"gradients reach the {inputs} and match"


def _loss_checks(part, d_name, g_name, true_key, inputs):
    """Value, large inputs and gradients of the discriminator's and the generator's loss;
    each check is named after the function it checks. `inputs` is what the functions'
    arguments are called: logits (logits_real, logits_fake) or scores (scores_real, ...)."""
    real, fake = f"{inputs}_real", f"{inputs}_fake"

    def fed(ans, prefix, *which):  # the arrays the producing half fed the function, as float32 tensors
        return [np.asarray(ans[f"{prefix}logits_{w}"], dtype=np.float32).astype(np.float64) for w in which]

    @check(part, d_name, f"{d_name}_value")
    def d_value(out, ans):
        _, err = _loss_value(out, "d", f"{d_name}({real}, {fake})", ans[f"d_{true_key}"], d_name,
                             fed(ans, "", "real", "fake"))
        return f"{d_name} relative error {err:.1e}"

    @check(part, d_name, f"{d_name}_on_large_{inputs}")
    def d_large(out, ans):
        _loss_value(out, "d_big", f"{d_name} on large {inputs}", ans[f"big_d_{true_key}"], d_name,
                    fed(ans, "big_", "real", "fake"))
        return f"{d_name} finite and correct on large {inputs}"

    @check(part, d_name, f"{d_name}_gradients")
    def d_gradients(out, ans):
        return _loss_grads(out, "d", d_name, (ans[f"d_{true_key}_grad_real"], ans[f"d_{true_key}_grad_fake"]),
                           inputs, fed(ans, "", "real", "fake"), ans[f"d_{true_key}"])

    @check(part, g_name, f"{g_name}_value")
    def g_value(out, ans):
        _, err = _loss_value(out, "g", f"{g_name}({fake})", ans[f"g_{true_key}"], g_name, fed(ans, "", "fake"))
        return f"{g_name} relative error {err:.1e}"

    @check(part, g_name, f"{g_name}_on_large_{inputs}")
    def g_large(out, ans):
        _loss_value(out, "g_big", f"{g_name} on large {inputs}", ans[f"big_g_{true_key}"], g_name,
                    fed(ans, "big_", "fake"))
        return f"{g_name} finite and correct on large {inputs}"

    @check(part, g_name, f"{g_name}_gradients")
    def g_gradients(out, ans):
        return _loss_grads(out, "g", g_name, (ans[f"g_{true_key}_grad_fake"],), inputs, fed(ans, "", "fake"),
                           ans[f"g_{true_key}"])


_loss_checks("gan_loss", "discriminator_loss", "generator_loss", "loss_true", "logits")
_loss_checks("lsgan_loss", "ls_discriminator_loss", "ls_generator_loss", "loss_lsgan_true", "scores")


# -- optimizer

def _numbers(values):
    """(0.5, 0.999): plain numbers, whatever numpy's repr of its floats."""
    return "(" + ", ".join(f"{float(v):g}" for v in values) + ")"


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
            fail(f"get_optimizer: expected betas={_numbers(betas)}, got betas={_numbers(g['betas'])}.")
        if g["weight_decay"] != 0:
            fail(f"get_optimizer: expected no weight decay, got weight_decay={g['weight_decay']:g}.")
    return f"lr={lr:g}, betas={_numbers(betas)}, no weight decay"


@check("optimizer")
def optimizer_steps_match_adam(out, ans):
    steps = len(ans["optim_grads"])
    got = np.asarray(_get(out, "steps", f"{steps} steps of get_optimizer(model)"))
    expected = ans["optim_params_true"]
    if got.shape != expected.shape:
        fail(f"get_optimizer: after {steps} steps the model has {got.size} weights, expected {expected.size}.")
    err = _scale_error(got - ans["optim_params_start"], expected - ans["optim_params_start"])
    if not err <= OPTIM_TOL:
        fail(f"get_optimizer: {steps} steps on fixed gradients moved the weights differently from Adam with "
             f"lr={float(ans['optim_lr_true']):g} and betas={_numbers(ans['optim_betas_true'])} (relative error "
             f"{err:.1e}): leave eps at its default and set nothing else (no weight decay, no amsgrad).")
    return f"{steps} Adam steps match (relative error {err:.1e})"


@check("optimizer")
def optimizer_covers_every_parameter(out, ans):
    rec = _get(out, "optimizer", "get_optimizer(model)")
    if rec["n_covered"] != rec["n_params"]:
        fail(f"get_optimizer: the optimizer updates {rec['n_covered']} of the model's {rec['n_params']} parameter "
             "tensors; pass model.parameters().")
    return f"all {rec['n_params']} parameter tensors"


# -- training smoke test

def _training(out, name):
    rec = _get(out, name, f"the provided run_a_gan with your {name} models")
    n = TRAINING_ITERATIONS
    if rec["n_images"] != n // 2 or any(s != [TRAINING_BATCH, 784] for s in rec["shapes"]):
        fail(f"run_a_gan ({name}): expected {n // 2} image arrays of shape ({TRAINING_BATCH}, 784) after {n} "
             f"iterations with show_every=2, got {rec['n_images']} of shapes {rec['shapes']}.")
    for key in ("d_losses", "g_losses"):
        v = np.asarray(rec[key])
        if len(v) != n or not np.all(np.isfinite(v)):
            fail(f"run_a_gan ({name}): expected {n} finite {key[0].upper()} losses, got {v.tolist()}.")
    return f"{name}: {n} iterations, finite losses"


@check("training")
def training_vanilla_gan_runs(out, ans):
    return _training(out, "vanilla")


@check("training")
def training_lsgan_runs(out, ans):
    return _training(out, "lsgan")


@check("training")
def training_dcgan_runs(out, ans):
    return _training(out, "dcgan")


# -- the trained DCGAN

@check("trained", name="trained_dcgan_clears_the_bar")
def trained_clears_the_bar(out, ans):
    scores = out.get("scores") if isinstance(out, dict) else None
    if isinstance(scores, dict) and "error" in scores:  # a sentence on the file handed in, as it is
        fail(scores["error"], scores["error"])
    scores = _get(out, "scores", f"your trained DCGAN generator ({TRAINED_FILE})")
    if scores["n"] != TRAINED_SAMPLES:
        fail(f"the grader scored {scores['n']} samples of your trained generator, not {TRAINED_SAMPLES}.")
    expected = int(ans["trained_params_true"])
    if scores["params"] != expected:
        fail(f"{TRAINED_FILE} holds {scores['params']:,} parameters; the assignment's DCGAN generator has {expected:,}. "
             "Hand in the state_dict of the generator build_dc_generator() builds, saved by the notebook's cell, "
             "and nothing else.")
    line = (f"Inception Score {scores['IS']:.2f}, FID {scores['FID']:.1f}, {scores['copies']:.1%} copies of "
            f"training digits, on {scores['n']:,} samples")
    bar = (f"the bar: IS at least {TRAINED_MIN_IS}, FID at most {TRAINED_MAX_FID:g}, copies at most "
           f"{TRAINED_MAX_COPIES:.0%}")
    problems = ([f"an Inception Score below {TRAINED_MIN_IS}"] if not scores["IS"] >= TRAINED_MIN_IS else []) + (
        [f"an FID above {TRAINED_MAX_FID:g} (the samples do not look like MNIST as a whole)"]
        if not scores["FID"] <= TRAINED_MAX_FID else [])
    if not scores["copies"] <= TRAINED_MAX_COPIES:
        fail(f"{line}: {scores['copies']:.0%} of the samples are copies of MNIST training digits (real unseen digits: "
             f"about 1%). The generator must make digits, not replay stored ones.")
    if problems:
        fail(f"{line}: {' and '.join(problems)} ({bar}). A correct DCGAN trained with the notebook's settings "
             f"(5 epochs) reaches IS {TRAINED_TYPICAL}; train it so, then run the cell that saves {TRAINED_FILE} "
             "and hand in that file.")
    return f"{line} ({bar})"


# -----------------------------------------------------------------------------
# Which top-level statements of a gan.py an import needs (tests.produce.import_student,
# and the grader, which needs no torch for it)


def keeps_at_import(node):
    """Whether a top-level statement belongs in a module that is imported: imports,
    definitions, assignments, docstrings and `if __name__ == "__main__":` blocks."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                         ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def top_level_imports(source):
    """The absolute module names a gan.py's top level imports, in order, without
    repeats: `import a.b` gives a.b, `from a import b` gives a and a.b (b may be a
    submodule). Statements in functions, classes and `if __name__ == "__main__":`
    blocks do not run at import and are not counted; those under a module-level
    if/try/with are. The grader's sandbox loads these ahead of the parts
    (instructor/sandbox/program.py, Supervisor.preload); [] for a file that does not parse."""
    text = source.decode("utf-8-sig", "replace") if isinstance(source, bytes) else source
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    names = []

    def visit(body):
        for node in body:
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names.extend(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
            elif isinstance(node, ast.If) and not keeps_at_import(node):  # a main-guard does not run
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                for block in [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]:
                    visit(block)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                visit(node.body)

    visit(tree.body)
    return list(dict.fromkeys(names))


def without_top_level_calls(source):
    """(source, left_out): gan.py's text with the lines of its top-level statements that
    import_student would leave out made blank (so every other line keeps its number), and
    [(line, code)] of them; (None, []) if there is nothing to leave out. The grader uses
    it where the import did not even return (os._exit, a signal, a loop that never ends)."""
    text = source.decode("utf-8-sig", "replace") if isinstance(source, bytes) else source
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None, []
    lines, left_out = text.splitlines(keepends=True), []
    for node in tree.body:
        if not keeps_at_import(node):
            left_out.append((node.lineno, " ".join((ast.get_source_segment(text, node) or "").split())[:120]))
            for i in range(node.lineno - 1, node.end_lineno):
                lines[i] = "\n"
    return ("".join(lines).encode("utf-8"), left_out) if left_out else (None, [])


# -----------------------------------------------------------------------------
# Running the judges


def judge(part, produced, ans):
    """[(check name, passed, message)] for every judge of `part`.

    A failure with the same cause as one already reported for the same function (the
    same error of the student's code, a function not written yet, an import error) is
    reported once; the later checks point back to the first.
    """
    results, first = [], {}
    for fn in CHECKS[part]:
        try:
            results.append((fn.__name__, True, fn(produced, ans)))
            continue
        except CheckFailed as err:
            message = str(err)
            cause = err.cause or message
        except Exception as err:  # malformed produced data must not stop the grading
            message = cause = f"the grader could not read the result ({type(err).__name__}: {err})"
        key = (fn.function, cause)
        if key in first:
            message = f"not checked: the same failure as {first[key]} above"
        else:
            first[key] = fn.__name__
        results.append((fn.__name__, False, message))
    return results


def points(part, results):
    """The points `part` earns from its judged `results` (judge's): partial credit, its
    points shared equally among the functions it asks for (two for the GAN and LSGAN
    losses, the discriminator's and the generator's), a function earning its share only
    when every one of its checks passes."""
    by_function = {fn: [] for fn in FUNCTIONS[part]}
    for judge_fn, (_, ok, _) in zip(CHECKS[part], results):
        by_function[judge_fn.function].append(ok)
    share = POINTS[part] / len(by_function)
    return round(sum(share for oks in by_function.values() if all(oks)), 2)


def left_out_sentence(failure, left_out):
    """What every path (the notebook's check cells, pytest, tests.submit, the grader's report)
    says of a gan.py that imports only without some of its top-level statements: why the
    first failed, what to do, and each line left out. `left_out`: [(line, code)]."""
    named = "; ".join(f"line {n}: `{' '.join(code.split())[:60]}`" for n, code in left_out[:5])
    more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
    return (f"{' '.join(str(failure).split())[:600]}. Left out, wherever gan.py is checked or graded: {named}{more}")


def import_gan():
    """(module, sentence) for the notebook: gan.py imported as usual where it imports, else
    as the autograder imports it (tests.produce.import_student: the top-level statements
    that fail are left out), with the sentence every path says of that; (None, why) where
    it cannot be imported at all. What was left out stays said on the module."""
    import importlib
    import importlib.util

    from tests.produce import import_failure, import_student

    try:
        gan = importlib.import_module("gan")
        return gan, getattr(gan, "_left_out_at_import", "")
    except BaseException as err:  # SyntaxError, an error at import, SystemExit: anything
        try:
            spec = importlib.util.find_spec("gan")
        except (ImportError, ValueError):
            spec = None
        where = os.path.abspath(spec.origin) if spec and spec.origin else os.path.abspath("gan.py")
        if not os.path.isfile(where):
            return None, import_failure(err, where)
        gan, left_out, failure = import_student(where)
        if gan is None:
            return None, failure
        gan._left_out_at_import = left_out_sentence(failure, left_out)
        return gan, gan._left_out_at_import


def run_part(part, gan=None, device=None, answers="gan-checks.npz"):
    """Run the autograder's checks of one part in this process and print what they found
    (for the notebook; tests and the grader call produce and judge). Never raises for a
    student's mistake: it prints the verdict instead, and returns nothing, so that a check
    cell shows the verdict alone."""
    import torch

    from tests.produce import produce

    if gan is None:  # the notebook's check cells import it here: a gan.py that does not import costs one line
        gan, said = import_gan()
        if gan is None:
            print(f"NOT CHECKED  {PART_TITLES[part]}: {said}. Fix gan.py, then run this cell again.")
            return
        if said:
            print(f"NOTE  {said}.")
    ans = load_answers(answers) if isinstance(answers, str) else answers
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    results = judge(part, produce(part, gan, device, ans), ans)
    for name, ok, message in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {message}")
    passed = sum(ok for _, ok, _ in results)
    print(f"{PART_TITLES[part]}: {passed}/{len(results)} checks passed on {device}: "
          f"{points(part, results):g} of {POINTS[part]:g} points.")
