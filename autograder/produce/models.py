"""The four model builders run on the check's input, with the grader's fixed weights; every
layer the forward pass runs is traced, in the order it runs."""
import math

import torch

from autograder.answers import sample_positions
from autograder.hints.layers import shown_layer
from autograder.produce.student import StudentError, _, attempt, describe, model_of, student_error
from autograder.produce.weights import set_check_weights, torch_layer_name


def shape_of(value):
    return [int(n) for n in value.shape][:8] if isinstance(value, torch.Tensor) else []


MODES = ("BatchNorm", "Dropout", "InstanceNorm")  # layers that compute otherwise in evaluation mode
ROWS = 16  # rows (images, noise vectors) of a layer's input and output a trace keeps samples of


def sample(value):
    """The rows of a layer's input or output at the trace's sample positions (answers.sample_positions):
    a float32 array (rows, positions); None for anything but a tensor of at least one dimension."""
    if not isinstance(value, torch.Tensor) or value.dim() == 0 or not value.numel():
        return None
    rows = value.detach().reshape(value.shape[0], -1)[:ROWS]
    return rows[:, torch.as_tensor(sample_positions(rows.shape[1]))].float().cpu().numpy()


def layer_record(module, args, output=None, registered=True):
    """One call of a layer, as a message can speak of it: its torch.nn type, its settings as
    torch writes them (Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1))), the shapes and the
    sampled values it got and gave, whether the model registers it, its mode, the dtype of its
    weights, and the settings that change its outputs without changing a shape."""
    kind = torch_layer_name(module)[:40]
    try:
        settings = str(module.extra_repr())
    except Exception:  # a student's subclass whose extra_repr fails
        settings = "?"
    first = args[0] if args else None
    rec = {"type": kind, "spec": f"{kind}({settings})"[:200], "in": shape_of(first), "out": shape_of(output),
           "registered": bool(registered), "training": bool(module.training)}
    weights = next(module.parameters(recurse=False), None)
    if weights is not None:
        rec["dtype"] = str(weights.dtype).replace("torch.", "")[:40]
    for key, value in (("in_sample", sample(first)), ("out_sample", sample(output))):
        if value is not None:
            rec[key] = value
    for attr, key in (("eps", "eps"), ("negative_slope", "slope")):
        try:
            number = float(getattr(module, attr))
            if math.isfinite(number):
                rec[key] = number
        except Exception:  # no such attribute, or not a number
            pass
    return rec


def run_traced(model, x, function=None, limit=64, ran=None):
    """(output, layers, failure): the model's forward pass on x, with every layer that runs (a
    module with no children, whether the model registers it or not) recorded as it runs, in
    the order it runs; activations written as functions do not show. Where the forward pass
    raises, its last record is the layer it raised in (marked `raised`; none where it raised
    between layers), failure a sentence naming it and the input that layer got, output None."""
    layers, entered = [], []
    own = set(model.modules())

    def leaf(module):
        return next(module.children(), None) is None

    def before(module, args):
        if leaf(module):
            entered.append((module, args))
            if ran is not None:
                ran.add(module)

    def after(module, args, output):
        if not leaf(module):
            return
        if entered and entered[-1][0] is module:
            entered.pop()
        if len(layers) < limit:
            layers.append(layer_record(module, args, output, module in own))

    hooks = torch.nn.modules.module  # hooks on every module's call: a layer kept out of the model shows too
    handles = [hooks.register_module_forward_pre_hook(before), hooks.register_module_forward_hook(after)]
    try:
        try:
            with torch.no_grad():
                return model(x), layers, None
        except Exception as err:
            where = _("the model's input has shape {shape}").format(shape=tuple(x.shape))
            if entered:  # it raised inside this layer
                module, args = entered[-1]
                rec = dict(layer_record(module, args, None, module in own), raised=True)
                layers.append(rec)
                got = _("the model's own input") if rec["in"] == list(x.shape) else where
                first = args[0] if args else None
                kinds = (_("; its weights are {weights} and its input {input}").format(
                    weights=rec["dtype"], input=str(first.dtype).replace("torch.", ""))
                    if rec.get("dtype") and isinstance(first, torch.Tensor) and
                    rec["dtype"] != str(first.dtype).replace("torch.", "") else "")
                where = _("it raised in layer {n} of the forward pass, {layer}, which got an input of shape {shape} "
                          "({got}){kinds}").format(n=len(layers), layer=shown_layer(rec), shape=tuple(rec["in"]),
                                                   got=got, kinds=kinds)
            elif layers:  # between layers: in the model's own forward code
                where = _("it raised after layer {n} of the forward pass, {layer}, whose output has shape {shape} "
                          "({where})").format(n=len(layers), layer=shown_layer(layers[-1]),
                                              shape=tuple(layers[-1]["out"]), where=where)
            return None, layers, _("{error}; {where}.").format(error=student_error(err, function), where=where)
    finally:
        for handle in handles:
            handle.remove()


PARAMETER_RECORDS = 1024  # parameter tensors a model may hold: far more than any of the assignment's


def parameter_records(model):
    """[{name, shape, dtype, device, requires_grad}] of every parameter the model registers, in
    the order model.parameters() gives them."""
    records = []
    for name, p in model.named_parameters():
        if len(records) == PARAMETER_RECORDS:
            raise StudentError(_("the model holds more than {limit:,} parameter tensors.").format(
                limit=PARAMETER_RECORDS))
        records.append({"name": str(name)[:200], "shape": [int(n) for n in p.shape][:8],
                        "dtype": str(p.dtype).replace("torch.", "")[:40], "device": p.device.type[:40],
                        "requires_grad": bool(p.requires_grad)})
    return records


def produce_model(gan, builder, count_args, forward_args, inp, device, salt, flat=False):
    """What a model builder's model holds and does: its parameter records (from the builder called
    with count_args), its forward pass on `inp` traced layer by layer, the modes it was returned in,
    and, for a discriminator (flat), its output for the same images given as rows of 784."""
    traced, built, idle = [], [], []

    def count():  # what the model holds as parameters, tensor by tensor: the judge counts them
        model = model_of(gan, builder, count_args)
        return parameter_records(model)

    modes = []

    def forward():
        model = model_of(gan, builder, forward_args)
        # the modes the builder returns its layers in (run_a_gan trains the model as it is given)
        modes.extend({"type": torch_layer_name(m)[:40], "training": bool(m.training)} for m in model.modules()
                     if torch_layer_name(m).startswith(MODES))
        set_check_weights(model, salt)
        model = model.to(device).train()  # BatchNorm uses batch statistics, as in training
        built.append(model)
        x = torch.as_tensor(inp, dtype=torch.float32).to(device)
        ran = set()
        out, layers, failure = run_traced(model, x, builder, ran=ran)
        traced.extend(layers)
        if not failure:  # layers with weights the model registers and its forward pass never called
            idle.extend(layer_record(m, ())["spec"] for m in model.modules() if next(m.children(), None) is None
                        and next(m.parameters(recurse=False), None) is not None and m not in ran)
        if failure:
            raise StudentError(failure)
        return describe(out)

    def rows():
        if not built:
            raise StudentError(_("{builder}() gave no model to call.").format(builder=builder))
        x = torch.as_tensor(inp, dtype=torch.float32).to(device)
        with torch.no_grad():
            return describe(built[0](x.reshape(len(x), -1)))

    produced = {"params": attempt(count, builder), "forward": attempt(forward, builder)}
    if flat:
        produced["flat"] = attempt(rows, builder)
    return dict(produced, layers=traced, modes=modes[:64], idle=idle[:16])
