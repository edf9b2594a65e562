"""Where a model differs from the reference's architecture, from the layers each ran on the
check's input (the producers trace the student's; the answer file holds the reference's):
a layer missing, extra or set otherwise, a layer fed another shape, an activation the
architecture lacks. No torch, no student code."""
import math
import re

import numpy as np

from autograder.answers import reference_layers, reference_samples, sample_positions
from autograder.course import FORWARD_TOL
from autograder.i18n import N_, _, ngettext
from autograder.measures import scale_error

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
RESHAPES = {"Flatten", "Unflatten"}  # layer modules that only reshape
# What a near miss can come from, for each architecture: only causes its layers can have.
# (English, marked for the catalog: the judge translates them where it shows them, _(cause).)
NEAR_MISS_CAUSES = {
    "discriminator": N_("a LeakyReLU slope other than 0.01, a ReLU where the architecture has LeakyReLU(0.01), "
                        "or float16/bfloat16 arithmetic"),
    "generator": N_("float16/bfloat16 arithmetic, or an activation close to, but not, ReLU or Tanh"),
    "dc_classifier": N_("a LeakyReLU slope other than 0.01, a ReLU where the architecture has LeakyReLU(0.01), "
                        "or float16/bfloat16 arithmetic"),
    "dc_generator": N_("a BatchNorm eps other than the default 1e-5, or float16/bfloat16 arithmetic"),
}


def layer_hint(layers, reference):
    """What the model's own layers show that the reference's do not (an activation, a pooling,
    a normalisation it lacks; another LeakyReLU slope or BatchNorm eps), or ''."""
    kinds = {layer["type"] for layer in reference}
    slopes = {layer["slope"] for layer in reference if "slope" in layer}
    eps = {layer["eps"] for layer in reference if "eps" in layer}
    found = []
    for layer in layers or []:
        kind = layer.get("type", "")
        if kind in LAYER_KINDS and kind not in kinds:
            found.append((_("an {kind} layer, which its architecture does not have") if kind[0] in "AEIOU" else
                          _("a {kind} layer, which its architecture does not have")).format(kind=kind))
        if kind == "LeakyReLU" and "slope" in layer and slopes and not any(
                math.isclose(layer["slope"], x, rel_tol=1e-6) for x in slopes):
            found.append(_("LeakyReLU(negative_slope={slope:g}), where the architecture has {theirs:g}").format(
                slope=layer["slope"], theirs=min(slopes)))
        if kind.startswith("BatchNorm") and "eps" in layer and eps and not any(
                math.isclose(layer["eps"], x, rel_tol=1e-6) for x in eps):
            found.append(_("{kind}(eps={eps:g}), where the architecture keeps PyTorch's default eps={theirs:g}").format(
                kind=kind, eps=layer["eps"], theirs=min(eps)))
    found = list(dict.fromkeys(found))  # each finding once, in the model's order
    return _("Your model has {findings}.").format(findings=_("; ").join(found)) if found else ""


# 'the second Linear': a layer named by its place among the layers of its type, one message per place
# (a language puts its ordinal where it goes); past the tenth, "the {k}th {type}".
ORDINALS = (N_("the first {type}"), N_("the second {type}"), N_("the third {type}"), N_("the fourth {type}"),
            N_("the fifth {type}"), N_("the sixth {type}"), N_("the seventh {type}"), N_("the eighth {type}"),
            N_("the ninth {type}"), N_("the tenth {type}"))
# Settings torch writes that are the defaults everyone keeps: left out of a layer as a message shows it.
QUIET = ("eps=1e-05", "momentum=0.1", "affine=True", "track_running_stats=True", "bias=True")


def settings(spec):
    """Conv2d(1, 32, kernel_size=(5, 5)) -> ['1', '32', 'kernel_size=(5, 5)']."""
    inside = spec[spec.find("(") + 1:spec.rfind(")")]
    return [item.strip() for item in re.split(r",(?![^()]*\))", inside) if item.strip()]


def shown_layer(layer):
    """A layer as a message shows it: its type and the settings torch writes, less the defaults."""
    return f"{layer['type']}({', '.join(x for x in settings(layer['spec']) if x not in QUIET)})"


def named(layers, i):
    """'the second Linear': the i-th of `layers`, counted among those of its type."""
    k = sum(layer["type"] == layers[i]["type"] for layer in layers[:i + 1])
    if k <= len(ORDINALS):
        return _(ORDINALS[k - 1]).format(type=layers[i]["type"])
    return _("the {k}th {type}").format(k=k, type=layers[i]["type"])


def _cap(text):
    """The text with its first letter a capital (as a sentence begins; a Chinese one stays as it is)."""
    return text[:1].upper() + text[1:]


def _listed(trace):
    """The layer modules of a stretch of a trace, as a message lists them."""
    return _(", ").join(shown_layer(x) for x in trace)


def _same_values(have, want):
    """Whether a layer's sampled values (rows, positions) are the reference's (NaN-padded
    (ROWS, SAMPLES)), to the models' tolerance; None where either side has none."""
    if have is None or want is None:
        return None
    have = np.asarray(have, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)[:have.shape[0], :have.shape[1]] if have.ndim == 2 else None
    if want is None or want.shape != have.shape or np.isnan(want).any():
        return None
    return scale_error(have, want) <= FORWARD_TOL


def _between(layers, mine, reference, theirs, n, wanted):
    """Where the values reaching the n-th layer with weights differ while what came before
    matched: what runs before it, in both models."""
    if n:
        ours, arch = layers[mine[n - 1] + 1:mine[n]], reference[theirs[n - 1] + 1:theirs[n]]
        head = _("The values reaching {layer} differ from the architecture's, though {previous}'s output matches: "
                 "what runs between them differs.").format(layer=named(wanted, n), previous=named(wanted, n - 1))
    else:
        ours, arch = layers[:mine[0]], reference[:theirs[0]]
        head = _("The values reaching {layer}, the first layer with weights, differ from the architecture's, though "
                 "both models get the same input: what runs before it differs.").format(layer=named(wanted, 0))
    same = (_(", the same modules, so the difference is in code of your own between them (a function or a reshape)")
            if [x["spec"] for x in ours] == [x["spec"] for x in arch] else "")
    reshape = (_("; a reshape that orders the values otherwise counts too: images are (channels, height, width)")
               if any(x["type"] in RESHAPES for x in arch) else "")
    return _("{head} The architecture runs {theirs} there; yours runs {ours}{same}{reshape}.").format(
        head=head, theirs=_listed(arch) or _("nothing"),
        ours=_listed(ours) or _("no layer module (an activation written as a function shows nowhere)"),
        same=same, reshape=reshape)


def _itself(have, want, n, wanted):
    """The n-th layer with weights got the reference's values and gave others."""
    found = []
    if have.get("dtype") and have["dtype"] != want.get("dtype"):
        found.append(_("its weights are {dtype}, where the architecture's are {theirs}").format(
            dtype=have["dtype"], theirs=want.get("dtype")))
    if not have.get("training", True):
        found.append(_("it ran in evaluation mode"))
    why = _("; ").join(found) or _("it is set as the architecture's ({layer}), so it computes something else").format(
        layer=shown_layer(have))
    return _("{layer} gets the same values as the architecture's and gives other values: {why}.").format(
        layer=_cap(named(wanted, n)), why=why)


def layer_difference(layers, reference, samples=None, output=None, expected=None):
    """The first place where what a model ran differs from the reference's, measured, as a
    sentence (or ''). Layers with weights are held one to one, in the order they ran (so
    functional activations and layers registered in another order make no difference): first
    their type and settings (a layer missing, extra or set otherwise), then the shape and the
    values each gets (what runs before it differs), then the values each gives (the layer
    itself differs), and last what runs after the last of them (from the model's output).
    Nothing is said of a layer after the one the forward pass raised in."""
    stopped = bool(layers) and layers[-1].get("raised")
    mine = [i for i, layer in enumerate(layers) if layer.get("type") in WEIGHTED]
    theirs = [i for i, layer in enumerate(reference) if layer["type"] in WEIGHTED]
    wanted = [reference[i] for i in theirs]
    same = lambda a, b: a["spec"] == b["spec"]  # noqa: E731
    for n, want in enumerate(wanted):
        where = _cap(_("after {layer}").format(layer=named(wanted, n - 1)) if n else
                     _("as its first layer with weights"))
        if n >= len(mine):
            return "" if stopped else _("{where}, the architecture has {layer}; your model runs none.").format(
                where=where, layer=shown_layer(want))
        have = layers[mine[n]]
        if not same(have, want):
            if n + 1 < len(wanted) and same(have, wanted[n + 1]):
                return _("{where}, the architecture has {layer}; your model has none.").format(
                    where=where, layer=shown_layer(want))
            if n + 1 < len(mine) and same(layers[mine[n + 1]], want):
                return _("{where}, your model has {layer}, which the architecture does not have.").format(
                    where=where, layer=shown_layer(have))
            if have["type"] == want["type"]:
                return _settings_differ(have, want, n, wanted)
            return _("{where}, the architecture has {theirs}; your model has {yours}.").format(
                where=where, theirs=shown_layer(want), yours=shown_layer(have))
        if list(have["in"]) != list(want["in"]):
            before = lambda trace, picks: _listed(trace[picks[n - 1] + 1:picks[n]] if n else trace[:picks[0]])  # noqa
            return _("{layer} gets an input of shape {got}, where the architecture's gets {expected}: check what runs "
                     "before it (the architecture runs {theirs} there; yours runs {ours}).").format(
                layer=_cap(named(wanted, n)), got=tuple(have["in"]), expected=tuple(want["in"]),
                theirs=before(reference, theirs) or _("nothing"), ours=before(layers, mine) or _("no layer module"))
        if samples is not None and _same_values(have.get("in_sample"), samples[theirs[n], 0]) is False:
            return _between(layers, mine, reference, theirs, n, wanted)
        if have.get("raised"):
            return ""
        if samples is not None and _same_values(have.get("out_sample"), samples[theirs[n], 1]) is False:
            return _itself(have, want, n, wanted)
    if len(mine) > len(wanted):
        return (_("{where}, your model has {layer}, which the architecture does not have.").format(
            where=_cap(_("after {layer}").format(layer=named(wanted, len(wanted) - 1))),
            layer=shown_layer(layers[mine[len(wanted)]])) if wanted else "")
    return "" if stopped or not wanted else _tail(layers, mine, reference, theirs, wanted, output, expected)


def _settings_differ(have, want, n, wanted):
    extra = [x for x in settings(have["spec"]) if x not in settings(want["spec"])]
    lacking = [x for x in settings(want["spec"]) if x not in settings(have["spec"])]
    gives = (_(": it gives an output of shape {got}, where {expected} is wanted").format(
        got=tuple(have["out"]), expected=tuple(want["out"])) if have["out"] and have["out"] != want["out"] else "")
    mine_only, theirs_only = ", ".join(extra), ", ".join(lacking)  # a layer's settings, as code writes them
    which = (_("yours has {yours}, the architecture's {theirs}") if extra and lacking else
             _("yours sets {yours}, which the architecture's leaves at its default") if extra else
             _("the architecture's sets {theirs}, which yours leaves at its default")).format(
        yours=mine_only, theirs=theirs_only)
    return _("{layer} is {yours}, where the architecture has {theirs} ({which}){gives}.").format(
        layer=_cap(named(wanted, n)), yours=shown_layer(have), theirs=shown_layer(want), which=which, gives=gives)


def _tail(layers, mine, reference, theirs, wanted, output, expected):
    """Every layer with weights agrees: what runs after the last of them, told from the model's
    output (`output`, `expected`: the model's and the reference's, whole) where there is one."""
    last = named(wanted, len(wanted) - 1)
    ours, arch = layers[mine[-1] + 1:], reference[theirs[-1] + 1:]
    out = np.asarray(output, dtype=np.float64) if output is not None else None
    if out is None or expected is None or out.shape != np.shape(expected) or scale_error(out, expected) <= FORWARD_TOL:
        extra = [shown_layer(x) for x in ours if x.get("type") in LAYER_KINDS and x["spec"] not in
                 {y["spec"] for y in arch}]
        return (_("After {last} (the last layer with weights), your model runs {extra}, where the architecture runs "
                  "{theirs}.").format(last=last, extra=_(", ").join(extra), theirs=_listed(arch) or _("nothing"))
                if extra else "")
    rows = out.reshape(len(out), -1)
    sampled = rows[:16, sample_positions(rows.shape[1])]
    reshaping = {"Flatten", "Unflatten", "Identity"}  # modules that leave the values as they are
    if all(x.get("type") in reshaping for x in ours) and _same_values(sampled, layers[mine[-1]].get("out_sample")):
        return _("Your model returns {last}'s output unchanged: the architecture passes it through {theirs}; yours "
                 "runs {ours} after it (a function whose result is not assigned, torch.tanh(x) alone, changes "
                 "nothing).").format(last=last, theirs=_listed(arch) or _("nothing"),
                                     ours=_listed(ours) or _("no layer module"))
    return _("Every layer with weights gives the architecture's values, and the output still differs: after {last}, "
             "the architecture runs {theirs}; yours runs {ours}.").format(
        last=last, theirs=_listed(arch) or _("nothing"), ours=_listed(ours) or _("no layer module"))


def unregistered(layers):
    """The sentence on layers the forward pass ran that the model does not register, or ''."""
    kept_out = [x for x in layers or [] if not x.get("registered", True)]
    if not kept_out:
        return ""
    return ngettext(
        "Your model runs {n} layer it does not register ({layers}{more}): kept in a plain Python list or dict, "
        "or made inside forward(), a layer's parameters are not the model's, so model.parameters() gives none "
        "of them, the optimizer would never train them and model.to(device) would not move them; keep them in "
        "an nn.Sequential or an nn.ModuleList, or as attributes of your nn.Module.",
        "Your model runs {n} layers it does not register ({layers}{more}): kept in a plain Python list or dict, "
        "or made inside forward(), a layer's parameters are not the model's, so model.parameters() gives none "
        "of them, the optimizer would never train them and model.to(device) would not move them; keep them in "
        "an nn.Sequential or an nn.ModuleList, or as attributes of your nn.Module.", len(kept_out)).format(
        n=len(kept_out), layers=_listed(kept_out[:4]), more=_(", ") + "..." if len(kept_out) > 4 else "")


def never_called(out):
    """The sentence on layers with weights the model registers and its forward pass never calls
    (their weights used directly, or the layer left out), or ''."""
    idle = [spec for spec in out.get("idle") or [] if isinstance(spec, str)]
    if not idle:
        return ""
    return ngettext(
        "Your model registers {layers}{more} and its forward pass never calls it: code of your own uses it instead "
        "(or leaves it out). Compare that code with what calling it computes (nn.Linear: x @ weight.T + bias; a "
        "Conv2d: a convolution), or call each layer on its input, layer(x).",
        "Your model registers {layers}{more} and its forward pass never calls them: code of your own uses them "
        "instead (or leaves them out). Compare that code with what calling them computes (nn.Linear: x @ weight.T + "
        "bias; a Conv2d: a convolution), or call each layer on its input, layer(x).", len(idle)).format(
        layers=_(", ").join(idle[:4]), more=_(", ") + "..." if len(idle) > 4 else "")


def structure_hint(out, ans, key):
    """What the model's run shows against the reference's, measured: layers it does not
    register, then the first place it differs (layer_difference); '' where nothing does."""
    layers = out.get("layers") if isinstance(out, dict) else None
    if not layers:
        return never_called(out) if isinstance(out, dict) else ""
    forward = out.get("forward") if isinstance(out.get("forward"), dict) else {}
    return unregistered(layers) or never_called(out) or layer_difference(
        layers, reference_layers(ans, key), reference_samples(ans, key), forward.get("value"),
        ans.get(f"{key}_output_true"))
