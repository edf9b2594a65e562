"""Reading an answer file: the check inputs and the reference's values, as numpy arrays.

The public file (gan-checks.npz) ships with the assignment; the grader judges with its own
private one (other inputs, other fixed weights). Both are written by
`python -m instructor answers` from the reference solution. No torch, no pickles.
"""
import json

import numpy as np


def load_answers(path):
    """An answer file as {name: numpy array}; it holds no pickles, and none are read."""
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def noise_dim(ans):
    """The reference's NOISE_DIM, which the checks' generators are built with."""
    return int(ans["noise_dim"])


def weight_salt(ans):
    """The salt of an answer file's fixed weights ('' for files that name none)."""
    return str(ans["weight_salt"]) if "weight_salt" in ans else ""


SAMPLES = 32  # values of each row of a layer's input and output that a trace keeps
# Bound when the grader's modules load, before any gan.py: a student's file that replaces
# numpy.sort (to forge a statistic) does not move the positions a trace reads.
_arange, _sort, _rng = np.arange, np.sort, np.random.default_rng


def sample_positions(size):
    """Which of a row's `size` values a trace keeps: SAMPLES of them, spread at random (the
    same for every row, every model and every run: they depend on the size alone)."""
    if size <= SAMPLES:
        return _arange(size)
    return _sort(_rng(size).choice(size, SAMPLES, replace=False))


def reference_samples(ans, key):
    """(L, 2, N, SAMPLES) float32: the values the reference's layers got and gave, at the
    sample positions (NaN where a row has fewer), or None for an answer file without them."""
    name = f"{key}_samples_true"
    return np.asarray(ans[name], dtype=np.float64) if name in ans else None


def reference_layers(ans, key):
    """The layers the reference's model ran, in order, on the check's input (the producers'
    run_traced, written into the answer file)."""
    return json.loads(str(ans[f"{key}_layers_true"]))
