"""Where a model differs from the reference's architecture, from the layers each ran on the
check's input (the producers trace the student's; the answer file holds the reference's):
a layer missing, extra or set otherwise, a layer fed another shape, an activation the
architecture lacks. No torch, no student code."""
import math
import re

from autograder.answers import reference_layers

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
        where = f"after {named(wanted, n - 1)}" if n else "as its first layer with weights"
        if n >= len(mine):
            return f"{where[0].upper()}{where[1:]}, the architecture has {shown_layer(want)}; your model runs none."
        have = layers[mine[n]]
        if same(have, want):
            if list(have["in"]) != list(want["in"]):
                before = lambda trace, picks: ", ".join(shown_layer(x) for x in trace[picks[n - 1] + 1:picks[n]]) \
                    if n else ", ".join(shown_layer(x) for x in trace[:picks[0]])
                return (f"{named(wanted, n)[0].upper()}{named(wanted, n)[1:]} gets an input of shape "
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
            extra = [x for x in settings(have["spec"]) if x not in settings(want["spec"])]
            lacking = [x for x in settings(want["spec"]) if x not in settings(have["spec"])]
            gives = (f": it gives an output of shape {tuple(have['out'])}, where "
                     f"{tuple(want['out'])} is wanted" if have["out"] and have["out"] != want["out"] else "")
            mine_only, theirs_only = ", ".join(extra), ", ".join(lacking)
            which = (f"yours has {mine_only}, the architecture's {theirs_only}" if extra and lacking else
                     f"yours sets {mine_only}, which the architecture's leaves at its default" if extra else
                     f"the architecture's sets {theirs_only}, which yours leaves at its default")
            return (f"{named(wanted, n)[0].upper()}{named(wanted, n)[1:]} is {shown_layer(have)}, where the "
                    f"architecture has {shown_layer(want)} ({which}){gives}.")
        return (f"{where[0].upper()}{where[1:]}, the architecture has {shown_layer(want)}; your model has "
                f"{shown_layer(have)}.")
    if len(mine) > len(wanted):
        return (f"After {named(wanted, len(wanted) - 1)}, your model has {shown_layer(layers[mine[len(wanted)]])}, "
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
            return (f"After {named(wanted, n)}{last}, your model runs {', '.join(extra)}, where the architecture "
                    f"runs {runs}.")
    return ""


def structure_hint(out, ans, key):
    """What the model's layers show against the reference's: a layer of another kind or
    setting first, then the first layer that differs; '' where nothing does."""
    layers, reference = out.get("layers") if isinstance(out, dict) else None, reference_layers(ans, key)
    if not layers:
        return ""
    return layer_hint(layers, reference) or layer_difference(layers, reference)

