"""Deterministic weights that depend only on what a layer is: the grader's fixed weights,
with which a student's model and the reference's give the same outputs where their layers
are the same, whatever order they were defined in."""
import math
import zlib

import torch


def torch_layer_name(module):
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
        layer = torch_layer_name(module)
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
