"""The judges of the four model builders: parameter count, output shape (and, for a
generator, Tanh's range), and the outputs with the grader's fixed weights."""
import math

import numpy as np

from autograder.answers import noise_dim, reference_layers
from autograder.course import FORWARD_TOL, NEAR_MISS
from autograder.hints.layers import NEAR_MISS_CAUSES, settings, structure_hint
from autograder.i18n import N_, _, ngettext
from autograder.measures import scale_error
from autograder.judge.base import CheckFailed, check, fail, get, require_shape, require_tensor, value


def counted(records):
    """The number of scalars in a model's parameters, from the records of its parameter tensors."""
    return sum(math.prod(record["shape"]) for record in records)


def _param_count(out, ans, key, call):
    got = counted(get(out, "params", call))
    expected = int(ans[f"{key}_params_true"])
    if got != expected:
        diff = got - expected
        first = next((layer for layer in reference_layers(ans, key) if layer["type"] == "Linear"), None)
        # Linear(in_features=.., out_features=..): the first layer's width
        width = int(settings(first["spec"])[1].split("=")[-1]) if first else 0
        constant = noise_dim(ans)
        if call.endswith("(4)") and width and diff == (constant - 4) * width:  # a first Linear(NOISE_DIM, width)
            hint = _("That is what a first layer of input size {size} would add: its input size must be the "
                     "noise_dim argument, not the constant NOISE_DIM.").format(size=constant)
        else:
            hint = structure_hint(out, ans, key) or (
                _("Is a bias missing, or a layer size off? Compare each layer with the docstring.") if diff < 0 else
                _("Is there an extra layer, or a layer too wide? Compare each layer with the docstring."))
        fail((_("{call}: expected {expected:,} parameters, got {got:,} ({diff:,} too few). {hint}") if diff < 0 else
              _("{call}: expected {expected:,} parameters, got {got:,} ({diff:,} too many). {hint}")).format(
            call=call, expected=expected, got=got, diff=abs(diff), hint=hint))
    return _("{count:,} parameters").format(count=got)


def _model_output(out, ans, key, call):
    """The forward pass's output record; where it failed (an error in the student's forward,
    a shape), the failure also names the first layer that differs from the reference's."""
    try:
        rec = get(out, "forward", call)
        require_tensor(rec, call)
        require_shape(rec, ans[f"{key}_output_true"].shape, call)
        return rec
    except CheckFailed as err:
        hint = structure_hint(out, ans, key)
        raise CheckFailed(f"{err} {hint}" if hint else str(err), err.cause) from None


def _ready(out, call, count_call):
    """The model as the builder returns it is one run_a_gan can train: its parameters require
    gradients, are float32 and on the CPU, and its BatchNorm and Dropout layers are in training
    mode (the checks put a model in training mode themselves; run_a_gan trains it as it is)."""
    params = get(out, "params", count_call)
    named = lambda records, n=3: _(", ").join(f"`{r['name']}`" for r in records[:n]) + (  # noqa: E731
        _(" and {count} more").format(count=len(records) - n) if len(records) > n else "")
    frozen = [p for p in params if not p["requires_grad"]]
    if frozen:
        fail(ngettext(
            "{call} returns {n} parameter tensor that do not require gradients ({names}): the optimizer leaves them "
            "as they are, so those layers never train. Leave requires_grad as PyTorch sets it (no "
            "requires_grad_(False) in the builder).",
            "{call} returns {n} parameter tensors that do not require gradients ({names}): the optimizer leaves them "
            "as they are, so those layers never train. Leave requires_grad as PyTorch sets it (no "
            "requires_grad_(False) in the builder).", len(frozen)).format(
            call=call, n=len(frozen), names=named(frozen)))
    other = [p for p in params if p["dtype"] != "float32"]
    if other:
        fail(_("{call} returns weights of dtype {dtype} ({names}), where the architecture's are float32, as the images "
               "and the noise are: leave the layers' dtype as PyTorch makes it.").format(
            call=call, dtype=other[0]["dtype"], names=named(other)))
    away = [p for p in params if p["device"] != "cpu"]
    if away:
        fail(_("{call} returns weights on {device} ({names}): build the model on the CPU; the notebook and the grader "
               "move it with .to(device).").format(call=call, device=away[0]["device"], names=named(away)))
    resting = [m["type"] for m in out.get("modes", []) if not m["training"]] if isinstance(out, dict) else []
    if resting:
        kinds = _(", ").join(dict.fromkeys(resting))
        fail(ngettext(
            "{call} returns its {kinds} layer in evaluation mode: run_a_gan trains the model as it is given, so "
            "BatchNorm would normalise with its running statistics instead of each batch's and Dropout would drop "
            "nothing. Return the model in training mode (no .eval() in the builder).",
            "{call} returns its {kinds} layers in evaluation mode: run_a_gan trains the model as it is given, so "
            "BatchNorm would normalise with its running statistics instead of each batch's and Dropout would drop "
            "nothing. Return the model in training mode (no .eval() in the builder).", len(resting)).format(
            call=call, kinds=kinds))
    return _("trainable float32 parameters on the CPU, in training mode")


def _forward(out, ans, key, part, call, shape_call, hint):
    rec = _model_output(out, ans, key, shape_call)
    got, expected = value(rec, call), ans[f"{key}_output_true"]
    err = scale_error(got, expected)
    if not err <= FORWARD_TOL:
        structure = structure_hint(out, ans, key)  # what its layers show, before what to compare
        if scale_error(2 * np.asarray(got, dtype=np.float64) - 1, expected) <= FORWARD_TOL:
            hint = _("Your outputs are the reference's moved from [-1, 1] to [0, 1] ((x + 1) / 2): return the final "
                     "Tanh's output as it is; the images are kept in [-1, 1].")
        elif structure:
            hint = structure
        elif err <= NEAR_MISS:
            hint = _("The outputs are close, so the layers are probably right: look for a numerical difference, "
                     "such as {causes}.").format(causes=_(NEAR_MISS_CAUSES[part]))
        else:
            hint = _(hint)  # the builder's own hint (_model_checks), marked N_() where it is written
        fail(_("{call}: with the grader's fixed weights the outputs differ from the reference (relative error "
               "{err:.2e} > {tol:.0e}). {hint}").format(call=call, err=err, tol=FORWARD_TOL, hint=hint))
    return err


def _model_checks(part, key, count_call, call, shape_call, hint, images_out):
    """Three checks of a model builder: parameter count, output shape (and, for a
    generator, the [-1, 1] range of tanh), and outputs with fixed weights."""

    @check(part)
    def parameter_count(out, ans):
        return _param_count(out, ans, key, count_call)

    def called(ans):  # the check's call, with the answer file's batch size and noise size
        return _(shape_call).format(n=len(ans[f"{key}_input"]), noise_dim=noise_dim(ans))

    @check(part)
    def output_shape(out, ans):
        rec = _model_output(out, ans, key, called(ans))
        if images_out:  # a failure only: these inputs can stay in [-1, 1] without a Tanh too
            v = value(rec, call)
            if not (v.min() >= -1 and v.max() <= 1):
                fail(_("{call}: outputs must lie in [-1, 1], got [{low:.3f}, {high:.3f}]; is the final Tanh "
                       "missing?").format(call=call, low=v.min(), high=v.max()))
        return _("output shape {shape}").format(shape=tuple(rec["shape"]))

    @check(part)
    def forward_matches_reference(out, ans):
        return _("forward relative error {err:.1e}").format(err=_forward(out, ans, key, part, call, called(ans), hint))

    @check(part)
    def ready_to_train(out, ans):
        return _ready(out, call, count_call)

    if not images_out:  # a discriminator: its docstring takes images as (N, 1, 28, 28) or as (N, 784)
        @check(part)
        def takes_flattened_images(out, ans):
            n = len(ans[f"{key}_input"])
            own = value(get(out, "forward", call), call)  # a forward that failed is said by its own check
            reshapes = key == "dc_d"  # the DC classifier reshapes its input to (N, 1, 28, 28), the other flattens it
            flat = out.get("flat") if isinstance(out, dict) else None
            if isinstance(flat, dict) and "error" in flat and not flat.get("not_implemented"):
                raised = (_("{call}: given its images as rows of 784 values (shape ({n}, 784)), which its docstring "
                            "allows, it raised an error: {error}. Reshape its input to (N, 1, 28, 28) first, as the "
                            "architecture does, whichever shape it comes in.") if reshapes else
                          _("{call}: given its images as rows of 784 values (shape ({n}, 784)), which its docstring "
                            "allows, it raised an error: {error}. Flatten its input to (N, 784) first, as the "
                            "architecture does, whichever shape it comes in."))
                fail(raised.format(call=call, n=n, error=flat["error"]), flat["error"])
            rec = get(out, "flat", _("{call}({arg}) on {n} images of shape ({n}, 784)").format(
                call=call.split("(")[0], arg=n if "dc" in key else "", n=n))
            got = value(rec, call)  # held against its own output for the images as (N, 1, 28, 28)
            if np.shape(got) != np.shape(own) or not scale_error(got, own) <= FORWARD_TOL:
                gives = (_("other values") if np.shape(got) == np.shape(own) else
                         _("shape {shape}").format(shape=tuple(np.shape(got))))
                differs = (_("{call}: given the same images as rows of 784 values (shape ({n}, 784), which its "
                             "docstring allows), it returns {gives}, not what it returns for them as (N, 1, 28, 28): "
                             "reshape its input to (N, 1, 28, 28) first, as the architecture does, whichever shape it "
                             "comes in.") if reshapes else
                           _("{call}: given the same images as rows of 784 values (shape ({n}, 784), which its "
                             "docstring allows), it returns {gives}, not what it returns for them as (N, 1, 28, 28): "
                             "flatten its input to (N, 784) first, as the architecture does, whichever shape it comes "
                             "in."))
                fail(differs.format(call=call, n=n, gives=gives))
            return _("the same output for images given as rows of 784")


# The call a shape check names and each builder's hint are messages, marked N_() here and
# translated where they are shown (_model_checks' called(), _forward).
_model_checks("discriminator", "d", "discriminator()", "discriminator()", N_("discriminator() on {n} images"),
              N_("Check the layer order and LeakyReLU's slope of 0.01, and that the last layer has no activation."),
              False)
_model_checks("generator", "g", "generator(4)", "generator()", N_("generator({noise_dim}) on {n} noise vectors"),
              N_("Check the layer order, the ReLUs and the final Tanh."), True)
_model_checks("dc_classifier", "dc_d", "build_dc_classifier()", "build_dc_classifier()",
              N_("build_dc_classifier({n}) on {n} images"),
              N_("Check kernel sizes, LeakyReLU(0.01) after each conv and the first Linear, and max-pooling."), False)
_model_checks("dc_generator", "dc_g", "build_dc_generator(4)", "build_dc_generator()",
              N_("build_dc_generator({noise_dim}) on {n} noise vectors"),
              N_("Check that each BatchNorm comes after its ReLU, the transposed convolutions' stride 2 and padding 1, "
                 "and the final Tanh and flatten to (N, 784)."), True)
