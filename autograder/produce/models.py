"""The four model builders run on the check's input, with the grader's fixed weights; every
layer the forward pass runs is traced, in the order it runs."""
import math

import torch

from autograder.hints.layers import shown_layer
from autograder.produce.student import StudentError, attempt, describe, model_of, student_error
from autograder.produce.weights import set_check_weights, torch_layer_name


def shape_of(value):
    return [int(n) for n in value.shape][:8] if isinstance(value, torch.Tensor) else []


def layer_record(module, args, output=None):
    """One call of a layer, as a message can speak of it: its torch.nn type, its settings as
    torch writes them (Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1))), the shapes it got
    and gave, and the settings that change its outputs without changing a shape."""
    kind = torch_layer_name(module)[:40]
    try:
        settings = str(module.extra_repr())
    except Exception:  # a student's subclass whose extra_repr fails
        settings = "?"
    rec = {"type": kind, "spec": f"{kind}({settings})"[:200], "in": shape_of(args[0] if args else None),
           "out": shape_of(output)}
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
            layers.append(layer_record(module, args, output))

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
                rec = layer_record(module, args)
                layers.append(rec)
                got = "the model's own input" if rec["in"] == list(x.shape) else where
                where = (f"it raised in layer {len(layers)} of the forward pass, {shown_layer(rec)}, which got an "
                         f"input of shape {tuple(rec['in'])} ({got})")
            elif layers:  # between layers: in the model's own forward code
                where = (f"it raised after layer {len(layers)} of the forward pass, {shown_layer(layers[-1])}, whose "
                         f"output has shape {tuple(layers[-1]['out'])} ({where})")
            return None, layers, f"{student_error(err, function)}; {where}."
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
            raise StudentError(f"the model holds more than {PARAMETER_RECORDS:,} parameter tensors.")
        records.append({"name": str(name)[:200], "shape": [int(n) for n in p.shape][:8],
                        "dtype": str(p.dtype).replace("torch.", "")[:40], "device": p.device.type[:40],
                        "requires_grad": bool(p.requires_grad)})
    return records


def produce_model(gan, builder, count_args, forward_args, inp, device, salt):
    traced = []

    def count():  # what the model holds as parameters, tensor by tensor: the judge counts them
        model = model_of(gan, builder, count_args)
        return parameter_records(model)

    def forward():
        model = model_of(gan, builder, forward_args)
        set_check_weights(model, salt)
        model = model.to(device).train()  # BatchNorm uses batch statistics, as in training
        x = torch.as_tensor(inp, dtype=torch.float32).to(device)
        out, layers, failure = run_traced(model, x, builder)
        traced.extend(layers)
        if failure:
            raise StudentError(failure)
        return describe(out)

    produced = {"params": attempt(count, builder), "forward": attempt(forward, builder)}
    return dict(produced, layers=traced)
