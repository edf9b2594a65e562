"""The trained DCGAN generator's file, read, and its samples, scored.

read_state_dict reads the handed-in weights as tensors only; weights_census counts their
parameters; score_samples scores the samples the trained part made (Inception Score, FID
and the share of copies, with quality/'s classifier). Nothing here calls a student's
function: the grader runs it in a process of its own, where no student code has run.
"""
import base64
import io
import math
import os
import zipfile

import numpy as np

from autograder.course import TRAINED_FILE, TRAINED_LIMIT, TRAINED_SAMPLES


class TrainedFileError(Exception):
    """What is wrong with the handed-in weights file, in one sentence for the student."""


def trained_missing():
    return (f"no {TRAINED_FILE} was handed in beside gan.py: the notebook saves it after training the DCGAN; hand "
            "it in with gan.py.")


def trained_too_large(size):
    return (f"{TRAINED_FILE} is {size / (1 << 20):,.1f} MB, more than the {TRAINED_LIMIT >> 20} MB the grader reads "
            "(the DCGAN generator's weights take 25.5 MB): hand in the file the notebook saved.")


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
        raise TrainedFileError(f"{name} is not a file torch.save wrote (it may be damaged or cut short): save the "
                           "generator's state_dict with the notebook's cell and hand that in.")
    if not isinstance(path, str):
        path.seek(0)
    import torch  # here: the grader imports this module for its sentences, and never imports torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # pickle.UnpicklingError for anything but tensors; others for a damaged archive
        refused = "weights only" in str(err).lower()
        raise TrainedFileError(f"{name} " + ("holds more than weights (the grader loads tensors only, and refused it)"
                                         if refused else f"could not be read as saved weights ({type(err).__name__})")
                           + ": save the generator's state_dict with the notebook's cell and hand that in.") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise TrainedFileError(f"{name} holds a {type(state).__name__}, not a generator's state_dict (a dict of tensors): "
                           "save it with the notebook's cell.")
    return name, state


# Prefixes that wrappers add to every key of a state_dict: torch.compile(G) and nn.DataParallel(G).
WRAPPED = {"_orig_mod.": "torch.compile(G)", "module.": "nn.DataParallel(G)"}


def misfit(wanted, state, err):
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


BN_STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def weights_census(weights):
    """The number of parameters in the trained generator's file (`weights`: its bytes or
    path): every tensor but BatchNorm's running statistics. TrainedFileError where the file
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
                raise TrainedFileError(f"{TRAINED_FILE} holds `{key[:80]}` ({tensor.numel():,} values), which is not "
                                   "a BatchNorm layer's running statistic: the trained generator may hold only the "
                                   "parameters of the network build_dc_generator() builds and its BatchNorm "
                                   "statistics.")
        else:
            params += tensor.numel()
    return params


def samples_of(produced):
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
    """What the judge of the trained DCGAN reads, from what produce_trained made: the
    Inception Score, FID and share of copies of training digits (quality/) of the samples,
    and the parameters in the weights file (weights_census), or the error as it came.
    classifier, stats, thumbs: quality/'s, read afresh unless given. Runs where no student
    code does (the grader's sandbox forks a process for it), and trusts nothing it is given:
    every number it returns it computed itself."""
    kind, *rest = samples_of(produced)
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
    except TrainedFileError as err:
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
