"""Full float32 precision while a check runs, and torch's global state given back after it.

The references are float64; on an A100, L4 or H100, cuDNN would otherwise run float32
convolutions in TF32 and a correct model would miss the tolerance. Used by the producers
(every check runs inside both context managers) and by the tests that prove it.
"""
import contextlib

import torch


def precision_flags():
    """[(object, attribute)] of every switch that lets float32 matmuls or
    convolutions run in a cheaper format (TF32 on Ampere and newer GPUs, bf16 in
    oneDNN). torch >= 2.9 has per-backend `fp32_precision` switches, and refuses to
    mix them with the older `allow_tf32` ones, so only one family is touched."""
    backends = torch.backends
    if hasattr(getattr(backends.cudnn, "conv", None), "fp32_precision"):  # torch >= 2.9
        found = []
        for owner in (backends.cuda.matmul, backends.cudnn.conv, getattr(backends.cudnn, "rnn", None),
                      getattr(getattr(backends, "mkldnn", None), "matmul", None),
                      getattr(getattr(backends, "mkldnn", None), "conv", None),
                      getattr(getattr(backends, "mkldnn", None), "rnn", None)):
            if owner is not None and hasattr(owner, "fp32_precision"):
                found.append((owner, "fp32_precision"))
        return found
    return [(backends.cuda.matmul, "allow_tf32"), (backends.cudnn, "allow_tf32")]


def tf32_allowed():
    """Whether float32 matmuls or convolutions may currently take a reduced-precision
    shortcut."""
    flags = precision_flags()
    if flags[0][1] == "allow_tf32":  # the older API, where matmul precision is a switch of its own
        return any(getattr(owner, attr) for owner, attr in flags) or torch.get_float32_matmul_precision() != "highest"
    # A switch left at "none" reports what it inherits, and "none" all the way up means IEEE.
    return any(getattr(owner, attr) not in ("ieee", "none") for owner, attr in flags)


@contextlib.contextmanager
def full_float32_precision():
    """Run float32 arithmetic at full precision (no TF32, no bf16 shortcuts) and
    restore the caller's settings afterwards.

    The references are float64; on an A100, L4 or H100 cuDNN would otherwise run
    float32 convolutions in TF32 and a correct model would miss the tolerance.
    """
    flags = precision_flags()
    saved = [getattr(owner, attr) for owner, attr in flags]
    legacy = not hasattr(torch.backends.cudnn, "conv")
    saved_matmul = torch.get_float32_matmul_precision() if legacy else None
    try:
        for owner, attr in flags:
            setattr(owner, attr, False if attr == "allow_tf32" else "ieee")
        if legacy:
            torch.set_float32_matmul_precision("highest")
        yield
    finally:
        for (owner, attr), value in zip(flags, saved):
            setattr(owner, attr, value)
        if legacy:
            torch.set_float32_matmul_precision(saved_matmul)


def default_device():
    """torch.set_default_device's device (cpu where none is set), read without making a tensor:
    torch.get_default_device() makes one to find the index, which raises on a machine without
    that device ('Found no NVIDIA driver'), so a gan.py that sets 'cuda' at its top would crash
    the checks instead of being named by its line."""
    from torch.overrides import _get_current_function_mode_stack
    from torch.utils._device import DeviceContext

    modes = [m for m in _get_current_function_mode_stack() if isinstance(m, DeviceContext)]
    context = getattr(getattr(torch, "_GLOBAL_DEVICE_CONTEXT", None), "device_context", None)
    device = modes[-1].device if modes else getattr(context, "device", None)
    return torch.device(device if device is not None else "cpu")


@contextlib.contextmanager
def torch_state_kept():
    """Give back torch's global state as it was: the default dtype and device, grad mode and
    the random generators. The grader runs each part in a process of its own, forked after
    the import; in one process (pytest, the notebook, autograder.submit) a part that changes this
    state (torch.set_default_dtype(torch.float64) in a function, say) would otherwise change
    the next part's result, and the two would disagree."""
    dtype, grad, rng = torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_rng_state()
    device = default_device() if hasattr(torch, "set_default_device") else None
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
        torch.set_rng_state(rng)
        if device is not None and default_device() != device:  # setting it costs every call a mode
            torch.set_default_device(None if device.type == "cpu" else device)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)
