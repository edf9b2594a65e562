"""The trained DCGAN, judged by its weights alone: sampled by the grader's own network.

The handed-in file is read as tensors only (read_state_dict), and its tensors are loaded into
the assignment's generator as the grader builds it (generator: from the answer file's record
of the reference's layers, so it follows the reference from term to term), matched by name,
or by layer and shape where the student's names differ (fit). That network draws
TRAINED_SAMPLES images from noise seeded with the answer file's seed (the grader's is its
own) and quality/ scores them. No function of the student's runs: a forward() of theirs
never decides the images. The grader runs score() in a sandboxed process that imports no
gan.py; the student's tools run it in a process of its own (score_apart).

`python -m autograder.trained WEIGHTS ANSWERS` prints the scores as JSON.
"""
import ast
import io
import json
import math
import os
import subprocess
import sys
import zipfile

import numpy as np

from autograder.course import TRAINED_FILE, TRAINED_LIMIT, TRAINED_SAMPLES
from autograder.i18n import _

ARCHITECTURE, SEED = "trained_architecture", "trained_seed"  # the answer files' keys: the layers, the noise seed
BATCH = 250  # samples drawn at a time, BatchNorm in training mode, as the notebook scores its generators
# Layers the grader's generator may be built of (torch.nn); any other module of the reference's
# (gan.py's Unflatten and Flatten) is a reshape to the shape it gave.
LAYERS = ("Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "BatchNorm1d", "BatchNorm2d", "ConvTranspose2d",
          "Conv2d", "Upsample", "Dropout", "ELU", "GELU", "SiLU")
BUFFERS = ("running_mean", "running_var", "num_batches_tracked")  # BatchNorm's statistics: may be missing
# Prefixes that wrappers add to every key of a state_dict: torch.compile(G) and nn.DataParallel(G).
WRAPPED = {"_orig_mod.": "torch.compile(G)", "module.": "nn.DataParallel(G)"}


class TrainedFileError(Exception):
    """What is wrong with the handed-in weights file, in one sentence for the student."""


def trained_missing():
    return _("no {file} was handed in beside gan.py: the notebook saves it after training the DCGAN; hand it in "
             "with gan.py.").format(file=TRAINED_FILE)


def trained_too_large(size):
    return _("{file} is {size:,.1f} MB, more than the {limit} MB the grader reads (the DCGAN generator's weights "
             "take 25.5 MB): hand in the file the notebook saved.").format(file=TRAINED_FILE, size=size / (1 << 20),
                                                                           limit=TRAINED_LIMIT >> 20)


def read_state_dict(weights):
    """(file name, state_dict) of the trained generator's file (`weights`: its path, or its
    bytes), or TrainedFileError with one sentence on what is wrong with it. torch.load runs with
    weights_only: a file that holds anything but tensors (a pickled object, code) is refused,
    never run. Runs no student code: the grader's scorer reads the file with it too."""
    if isinstance(weights, bytes):
        name, size, path = TRAINED_FILE, len(weights), io.BytesIO(weights)  # shares the bytes: no copy
    else:
        name, path = os.path.basename(weights), weights
        try:
            size = os.path.getsize(path)
        except OSError:
            raise TrainedFileError(trained_missing()) from None
    if not size:
        raise TrainedFileError(trained_missing())
    if size > TRAINED_LIMIT:
        raise TrainedFileError(trained_too_large(size))
    if not zipfile.is_zipfile(path):  # what torch.save writes is a zip archive
        raise TrainedFileError(_("{name} is not a file torch.save wrote (it may be damaged or cut short): save the "
                                 "generator's state_dict with the notebook's cell and hand that in.").format(name=name))
    if not isinstance(path, str):
        path.seek(0)
    import torch  # here: the grader imports this module for its sentences, and never imports torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # pickle.UnpicklingError for anything but tensors; others for a damaged archive
        if "weights only" in str(err).lower():
            raise TrainedFileError(_("{name} holds more than weights (the grader loads tensors only, and refused it): "
                                     "save the generator's state_dict with the notebook's cell and hand that "
                                     "in.").format(name=name)) from None
        raise TrainedFileError(_("{name} could not be read as saved weights ({error}): save the generator's "
                                 "state_dict with the notebook's cell and hand that in.").format(
            name=name, error=type(err).__name__)) from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise TrainedFileError(_("{name} holds a {type}, not a generator's state_dict (a dict of tensors): save it "
                                 "with the notebook's cell.").format(name=name, type=type(state).__name__))
    return name, state


def _arguments(spec):
    """Linear(in_features=96, out_features=1024, bias=True) -> ((), {in_features: 96, ...}): a
    layer's settings as torch writes them, read as literals (nothing is evaluated)."""
    call = ast.parse(spec, mode="eval").body
    return ([ast.literal_eval(a) for a in call.args],
            {k.arg: ast.literal_eval(k.value) for k in call.keywords})


def generator(ans):
    """The assignment's DCGAN generator as the grader builds it: the layers the reference ran
    (the answer file's ARCHITECTURE, written from autograder.produce.models.run_traced), in
    their order, with a reshape wherever the reference reshaped. In training mode."""
    import torch

    class Reshape(torch.nn.Module):
        def __init__(self, shape):
            super().__init__()
            self.shape = tuple(shape)

        def forward(self, x):
            return x.reshape((len(x),) + self.shape)

    modules, shape = [], None  # shape: what the last module gives, less the batch
    for layer in json.loads(str(ans[ARCHITECTURE])):
        if layer["type"] in LAYERS:
            if shape is not None and list(layer["in"][1:]) != list(shape):
                modules.append(Reshape(layer["in"][1:]))  # the reference reshaped between two layers
            args, kwargs = _arguments(layer["spec"])
            modules.append(getattr(torch.nn, layer["type"])(*args, **kwargs))
        else:
            modules.append(Reshape(layer["out"][1:]))
        shape = layer["out"][1:]
    return torch.nn.Sequential(*modules).train()


def _layers_of(state):
    """[(prefix, {name: tensor})] of a state_dict, layer by layer in its order: 'fc.0.weight'
    is the tensor 'weight' of the layer 'fc.0'."""
    grouped = {}
    for key, tensor in state.items():
        prefix, _dot, name = key.rpartition(".")
        grouped.setdefault(prefix, {})[name] = tensor
    return list(grouped.items())


def _shapes(tensors):
    """A layer's tensors as a sentence shows them: weight (1024, 96), bias (1024,)."""
    return ", ".join(f"{name} {tuple(t.shape)}" for name, t in tensors.items() if name not in BUFFERS)


def _signature(tensors):
    return tuple(sorted((name, tuple(t.shape)) for name, t in tensors.items() if name not in BUFFERS))


def fit(state, model):
    """`state` (the handed-in tensors) as a state_dict of `model`, the grader's generator: by
    name where the names are the model's, else layer by layer, in order, by the names and
    shapes of each layer's tensors (a generator written as a class of its own, its layers
    named fc1, bn1, ...). BatchNorm's running statistics may be missing (training mode does
    not use them); nothing else may be. TrainedFileError with one sentence where the
    tensors are not the assignment's generator's."""
    wanted = model.state_dict()
    for prefix, wrapper in WRAPPED.items():  # saved from the wrapped model: its keys, less the wrapper's prefix
        if state and all(k.startswith(prefix) for k in state):
            state = {k[len(prefix):]: v for k, v in state.items()}
    mine, theirs = _layers_of(state), _layers_of(wanted)
    if set(state) <= set(wanted) and all(k in state or k.rpartition(".")[2] in BUFFERS for k in wanted):
        pairs = [(key, key) for key in state]  # by name
    elif [_signature(t) for _, t in mine] == [_signature(t) for _, t in theirs]:
        join = lambda prefix, name: f"{prefix}.{name}" if prefix else name  # noqa: E731
        pairs = [(join(p, name), join(q, name)) for (p, tensors), (q, _) in zip(mine, theirs) for name in tensors]
        if not all(target in wanted for _, target in pairs):  # a statistic the generator's layer does not keep
            raise TrainedFileError(_("{file} holds `{key}`, which no layer of the assignment's generator has: hand "
                                     "in the weights of the generator build_dc_generator() builds.").format(
                file=TRAINED_FILE, key=next(k for k, t in pairs if t not in wanted)[:80]))
    else:
        raise TrainedFileError(_("{file} does not hold the assignment's DCGAN generator: {difference}. Hand in the "
                                 "weights of the generator build_dc_generator() builds, saved by the notebook's cell "
                                 "after training it.").format(file=TRAINED_FILE, difference=_difference(mine, theirs)))
    fitted = {}
    for key, target in pairs:
        tensor = state[key]
        if not _plain(tensor, wanted[target]):  # sparse, quantized, complex: never a layer's weights as saved
            raise TrainedFileError(_("{file}'s `{key}` is not a plain tensor of numbers ({kind}): save the "
                                     "generator's state_dict with the notebook's cell and hand that in.").format(
                file=TRAINED_FILE, key=key[:80], kind=", ".join([str(tensor.layout), str(tensor.dtype)] + (
                    [tensor.device.type] if tensor.device.type != "cpu" else [])).replace("torch.", "")))
        if tuple(tensor.shape) != tuple(wanted[target].shape):
            raise TrainedFileError(_("{file}'s `{key}` has shape {shape}, where the assignment's generator has "
                                     "{expected}: hand in the weights of the generator build_dc_generator() "
                                     "builds.").format(file=TRAINED_FILE, key=key[:80], shape=tuple(tensor.shape),
                                                       expected=tuple(wanted[target].shape)))
        fitted[target] = tensor.to(wanted[target].dtype)
    # A model built on the meta device (score's) takes the file's tensors as they are: no second copy.
    on_meta = any(t.is_meta for t in wanted.values())
    for key, tensor in wanted.items():  # BatchNorm statistics the file left out: the fresh layer's
        fitted.setdefault(key, _fresh(key, tensor) if on_meta else tensor)
    model.load_state_dict(fitted, assign=on_meta)
    return model


def _plain(tensor, like):
    """Whether `tensor` is a dense CPU tensor that can stand for `like`: real numbers where
    `like` holds them (a model built on the meta device takes it as it is)."""
    import torch

    return (tensor.layout == torch.strided and tensor.device.type == "cpu" and not tensor.is_quantized
            and not tensor.is_complex() and (tensor.dtype.is_floating_point or not like.dtype.is_floating_point))


def _fresh(key, like):
    """A BatchNorm statistic as a fresh layer holds it: running_var ones, the others zeros."""
    import torch

    make = torch.ones if key.endswith("running_var") else torch.zeros
    return make(like.shape, dtype=like.dtype, device="cpu")


def _difference(mine, theirs):
    """Where the file's layers first differ from the generator's, as a sentence."""
    for n, ((p, have), (_q, want)) in enumerate(zip(mine, theirs)):
        if _signature(have) != _signature(want):
            return _("its layer {n} with weights (`{prefix}`) holds {have}, where the generator's layer {n} holds "
                     "{want}").format(n=n + 1, prefix=p[:60] or _("(top)"), have=_shapes(have) or _("no weights"),
                                      want=_shapes(want))
    if len(mine) != len(theirs):
        extra = _("; the first extra: `{prefix}`, {have}").format(prefix=mine[len(theirs)][0][:60],
                                                                   have=_shapes(mine[len(theirs)][1])) \
            if len(mine) > len(theirs) else ""
        return _("it holds {n} layers with weights, the generator {expected}{extra}").format(
            n=len(mine), expected=len(theirs), extra=extra)
    return _("its tensors are not the generator's")


def sample(model, n, noise_dim, seed):
    """n images in [0, 1], (n, 784) float32, from `model` on uniform noise in [-1, 1) drawn
    from `seed`, BATCH at a time."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    out = []
    with torch.no_grad():
        for i in range(0, n, BATCH):
            z = torch.rand(min(BATCH, n - i), noise_dim, generator=gen) * 2 - 1
            out.append(((model(z) + 1) / 2).reshape(len(z), 784).clamp(0, 1))
    return torch.cat(out).numpy()


def score(weights, ans, classifier=None, stats=None, thumbs=None):
    """{'scores': {IS, FID, copies, copies_train, copies_test, n}} of the trained generator's
    file (`weights`: its path or bytes), sampled by the grader's generator with ans's seed; or
    {'scores': {'error': sentence}}. classifier, stats, thumbs: quality/'s, read afresh unless
    given. Every number it returns it computed itself."""
    import torch

    import quality

    try:
        state = read_state_dict(weights)[1]
        with torch.device("meta"):  # shapes only: its weights are the file's tensors (memory: Gradescope's 768 MB)
            model = generator(ans)
        model = fit(state, model)
    except TrainedFileError as err:
        return {"scores": {"error": str(err)}}
    del state
    images = sample(model, TRAINED_SAMPLES, int(ans["noise_dim"]), int(ans[SEED]))
    del model
    if not np.all(np.isfinite(images)):
        return {"scores": {"error": _("your trained generator's samples hold NaN: its weights hold NaN or infinity")}}
    with torch.no_grad():
        found = quality.score_images(images, quality.load_classifier(weights=classifier), stats, batch_size=100,
                                     thumbs=thumbs)  # memory: ~40 MB
    scores = {key: float(found[key]) for key in ("IS", "FID", "copies", "copies_train", "copies_test")}
    if not all(math.isfinite(v) for v in scores.values()):  # clipped, finite images give finite scores
        return {"scores": {"error": _("the grader could not score your trained generator's samples")}}
    return {"scores": dict(scores, n=len(images))}


def score_apart(weights_path, answers_path, timeout=600):
    """score() in a process of its own, which imports no gan.py (for pytest and
    autograder.submit, whose own process has imported the student's file)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograder/ and quality/ come from here
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here] + [p for p in [os.environ.get("PYTHONPATH")] if p]),
               CUDA_VISIBLE_DEVICES="")
    try:
        out = subprocess.run([sys.executable, "-m", "autograder.trained", os.path.abspath(weights_path),
                              os.path.abspath(answers_path)], capture_output=True, text=True, timeout=timeout,
                             env=env, cwd=here)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return {"scores": {"error": _("the trained generator could not be scored here (the scorer did not "
                                      "finish)")}}


def main(argv=None):
    from autograder.answers import load_answers

    weights, answers = (argv or sys.argv[1:])[:2]
    print(json.dumps(score(weights, load_answers(answers))))


if __name__ == "__main__":
    main()
