"""What every judge is made of: the registry of checks, the failure a student reads, and
the strict reading of what the producers sent. No torch, no student code."""
import numpy as np

from autograder.course import FUNCTIONS, GROUPS
from autograder.i18n import _


class CheckFailed(AssertionError):
    """A check that failed, with a message meant for the student. `cause` is the student's
    own error where one made the check fail: checks that fail from one cause report it once."""

    def __init__(self, message, cause=None):
        super().__init__(message)
        self.cause = cause


CHECKS = {group: [] for group in GROUPS}


def check(part, function=None, name=None):
    """Register a judge for `part` (and, for parts with two functions, the function it
    checks). A judge takes (produced, answers), raises CheckFailed on a wrong result and
    returns a short line on what it measured."""

    def register(fn):
        fn.part, fn.function = part, function or FUNCTIONS[part][0]
        if name:
            fn.__name__ = fn.__qualname__ = name
        CHECKS[part].append(fn)
        return fn

    return register


def fail(message, cause=None):
    raise CheckFailed(message, cause)


def get(out, key, what):
    """out[key], or a failure that carries the student's exception."""
    if isinstance(out, dict) and "__failure__" in out:  # the part crashed, hung or was killed
        fail(out["__failure__"], out["__failure__"])
    if not isinstance(out, dict) or key not in out:
        fail(_("{what}: the grader received no result (did the code crash or time out?).").format(what=what))
    value = out[key]
    if isinstance(value, dict) and "error" in value:
        fail(value["error"] if value.get("not_implemented") else
             _("{what} raised an error: {error}").format(what=what, error=value["error"]), value["error"])
    return value


def require_tensor(rec, what):
    if not rec.get("tensor"):
        fail(_("{what} returned a {type}; expected a torch.Tensor.").format(what=what, type=rec["type"]))


def require_shape(rec, shape, what):
    got = list(rec.get("shape", []))
    if got != list(shape):
        if list(shape[1:]) == [784] and got[1:] in ([1, 28, 28], [28, 28]):
            message = _("{what}: expected shape {expected}, got {got}. Flatten the images to (N, 784) at the end.")
        else:
            message = _("{what}: expected shape {expected}, got {got}.")
        fail(message.format(what=what, expected=tuple(shape), got=tuple(got)))


def value(rec, what):
    if "value" not in rec:
        fail(_("{what}: the output is too large to compare ({shape}).").format(what=what,
                                                                           shape=tuple(rec.get("shape", ()))))
    return np.asarray(rec["value"])
