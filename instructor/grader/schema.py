"""What the sandbox may send back, and the strict reading of it.

Every byte that comes out of the sandbox was in reach of student code, so the
grader parses it here before anything judges it: JSON without NaN literals, and
then, part by part, exactly the structure autograder/produce/ builds (key names,
types, list lengths, array sizes and shapes, string lengths). Numbers must be
finite; infinities and NaN may only travel in the explicit form
{"__float__": "inf" | "-inf" | "nan"}, where a check needs to see them. Strings
come back as valid UTF-8, cut to a bounded length. Anything else raises
Malformed, which fails the part with a message and never reaches a judge.
"""
import base64
import json
import math
import re

import numpy as np

from autograder.course import GROUPS, VALUE_LIMIT


class Malformed(Exception):
    """The sandbox sent something that is not what the producing code sends."""


# -----------------------------------------------------------------------------
# The specification language: a spec is one of
#   "int", "bool", "float", "str"        a JSON scalar of that type
#   "finite"                              a float that is never NaN or infinite, in any form
#   Str(n)                                a string, cut to n characters
#   Array(n)                              a float64 array of at most n elements
#   List(spec, n)                         at most n items, each a spec
#   Optional(spec)                        null, or a spec
#   Record({"key": spec, ...})            an object with exactly these keys ("key?": optional)
#   Result(spec)                          a spec, or what produce sends when student code failed


class Str:
    def __init__(self, n):
        self.n = n


class Array:
    def __init__(self, n, dims=8):
        self.n, self.dims = n, dims


class List:
    def __init__(self, item, n):
        self.item, self.n = item, n


class Optional:
    def __init__(self, spec):
        self.spec = spec


class Record:
    def __init__(self, fields):
        self.required = {k: v for k, v in fields.items() if not k.endswith("?")}
        self.optional = {k[:-1]: v for k, v in fields.items() if k.endswith("?")}


class Result:
    def __init__(self, spec):
        self.spec = spec


ERROR = Record({"error": Str(2000), "not_implemented?": "bool"})
INT_LIMIT = 1 << 62


def clean_text(text, n):
    """`text` as valid UTF-8 (lone surrogates and the like become '?'), at most n characters."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= n else text[:n] + "..."


# What must never reach a person as it is: C0 and C1 control characters (a terminal's escape
# sequences among them), DEL, the bidirectional overrides, embeddings, isolates and marks (one
# name made to read as another), and the line separators some viewers break lines at.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
UNSAFE_IN_A_LINE = re.compile(UNSAFE.pattern[:-1] + "\n\t]")


def inert(text, lines=True):
    """`text` with every character of UNSAFE shown as its escape (\\x1b, \\u202e): what came
    from a submission, made harmless where a person reads it (a terminal, a page, a CSV).
    lines=False: newlines and tabs too (a name, a cell, a heading). Applying it twice
    changes nothing more."""
    pattern = UNSAFE if lines else UNSAFE_IN_A_LINE
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       str(text))


def _float(value, where):
    if isinstance(value, dict) and set(value) == {"__float__"}:
        special = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
        if value["__float__"] in special:
            return special[value["__float__"]]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) < INT_LIMIT or isinstance(value, float) and math.isfinite(value):
            return float(value)
    raise Malformed(f"{where}: expected a number, got {_kind(value)}")


def _array(value, spec, where):
    if not (isinstance(value, dict) and set(value) in ({"__ndarray__", "shape"}, {"__ndarray__", "shape", "dtype"})):
        raise Malformed(f"{where}: expected an array, got {_kind(value)}")
    size = {"<f8": 8, "<f4": 4}.get(value.get("dtype", "<f8"))
    if size is None:
        raise Malformed(f"{where}: an array of an unknown type")
    shape = value["shape"]
    if not (isinstance(shape, list) and len(shape) <= spec.dims
            and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= spec.n for d in shape)):
        raise Malformed(f"{where}: an array with an impossible shape")
    count = math.prod(shape)
    if count > spec.n:
        raise Malformed(f"{where}: an array of {count:,} elements, more than the {spec.n:,} expected")
    data = value["__ndarray__"]
    if not isinstance(data, str) or len(data) > 4 * (size * count + 2) // 3 + 4:
        raise Malformed(f"{where}: array data of the wrong size")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise Malformed(f"{where}: array data that is not base64") from None
    if len(raw) != size * count:
        raise Malformed(f"{where}: {len(raw)} bytes of array data for shape {tuple(shape)}")
    return np.frombuffer(raw, dtype=value.get("dtype", "<f8")).reshape(shape).astype(np.float64)


def _kind(value):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__)


def read(value, spec, where="result"):
    """`value` checked against `spec`, with arrays and special floats decoded."""
    if spec == "int":
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < INT_LIMIT:
            return value
        raise Malformed(f"{where}: expected an integer, got {_kind(value)}")
    if spec == "bool":
        if isinstance(value, bool):
            return value
        raise Malformed(f"{where}: expected true or false, got {_kind(value)}")
    if spec == "float":
        return _float(value, where)
    if spec == "finite":
        number = _float(value, where)
        if not math.isfinite(number):
            raise Malformed(f"{where}: expected a finite number, got {number}")
        return number
    if spec == "str":
        spec = Str(200)
    if isinstance(spec, Str):
        if isinstance(value, str):
            return inert(clean_text(value, spec.n))
        raise Malformed(f"{where}: expected a string, got {_kind(value)}")
    if isinstance(spec, Array):
        return _array(value, spec, where)
    if isinstance(spec, List):
        if not isinstance(value, list):
            raise Malformed(f"{where}: expected a list, got {_kind(value)}")
        if len(value) > spec.n:
            raise Malformed(f"{where}: a list of {len(value):,} items, more than the {spec.n} expected")
        return [read(v, spec.item, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(spec, Optional):
        return None if value is None else read(value, spec.spec, where)
    if isinstance(spec, Result):
        if isinstance(value, dict) and "error" in value:
            return read(value, ERROR, where)
        return read(value, spec.spec, where)
    if isinstance(spec, Record):
        if not isinstance(value, dict):
            raise Malformed(f"{where}: expected an object, got {_kind(value)}")
        unknown = set(value) - set(spec.required) - set(spec.optional)
        missing = set(spec.required) - set(value)
        if unknown or missing:
            raise Malformed(f"{where}: " + "; ".join(
                ([f"unexpected keys {sorted(clean_text(k, 40) for k in unknown)[:5]}"] if unknown else [])
                + ([f"missing keys {sorted(missing)}"] if missing else [])))
        fields = dict(spec.required, **spec.optional)
        return {k: read(v, fields[k], f"{where}.{k}") for k, v in value.items()}
    raise TypeError(f"not a spec: {spec!r}")


# -----------------------------------------------------------------------------
# What autograder/produce/ sends for each part

DESCRIBED = {"type": Str(200), "tensor": "bool", "shape?": List("int", 16), "dtype?": Str(40), "device?": Str(40),
             "value?": Array(VALUE_LIMIT)}
OUTPUT = Record(DESCRIBED)
LOSS = Record(dict(DESCRIBED, grads=List(Optional(Array(VALUE_LIMIT)), 2)))
SAMPLED = Array(16 * 32, dims=2)  # a layer's rows at the trace's sample positions (autograder.produce.models.sample)
LAYER = Record({"type": Str(40), "spec": Str(200), "in": List("int", 8), "out": List("int", 8), "eps?": "float",
                "slope?": "float", "registered": "bool", "training": "bool", "dtype?": Str(40), "raised?": "bool",
                "in_sample?": SAMPLED, "out_sample?": SAMPLED})
MODE = Record({"type": Str(40), "training": "bool"})
PARAMETER = Record({"name": Str(200), "shape": List("int", 8), "dtype": Str(40), "device": Str(40),
                   "requires_grad": "bool"})
MODEL = Record({"params": Result(List(PARAMETER, 1024)), "forward": Result(OUTPUT), "layers": List(LAYER, 65),
                "modes": List(MODE, 64), "flat?": Result(OUTPUT), "idle?": List(Str(200), 16)})
LOSSES = Record({"d": Result(LOSS), "g": Result(LOSS), "d_big": Result(LOSS), "g_big": Result(LOSS),
                 "d_probes": Result(List(OUTPUT, 4)), "g_probes": Result(List(OUTPUT, 2)),
                 "d_elsewhere": Result(OUTPUT), "g_elsewhere": Result(OUTPUT)})
RUN = Record({"n_images": "int", "shapes": List(List("int", 8), 16), "d_losses": Array(64), "g_losses": Array(64)})
PAIR = Record({"first": OUTPUT, "second": OUTPUT})
SEEDED = Record({"first": OUTPUT, "second": OUTPUT, "seeded_with": Str(40), "drew_from_torch": "bool"})

PARTS = {
    "noise": Record({"basic": Result(OUTPUT), "two_calls": Result(PAIR), "seeded": Result(SEEDED),
                     "sample": Result(OUTPUT)}),
    "discriminator": MODEL,
    "generator": MODEL,
    "gan_loss": LOSSES,
    "optimizer": Record({
        "optimizer": Result(Record({
            "type": Str(200), "covered": List("bool", 1024),
            "groups": List(Record({"lr?": Optional("float"), "betas?": Optional(List("float", 8)),
                                   **{f"{k}?": Optional("float") for k in ("eps", "weight_decay", "momentum",
                                                                          "dampening", "alpha")},
                                   **{f"{k}?": Optional("bool") for k in ("amsgrad", "maximize",
                                                                         "decoupled_weight_decay", "nesterov",
                                                                         "centered")},
                                   **{f"{k}:kind?": Str(60) for k in ("lr", "eps", "weight_decay", "momentum",
                                                                    "dampening", "alpha")}}), 64)})),
        "steps": Result(Array(1024))}),
    "lsgan_loss": LOSSES,
    "dc_classifier": MODEL,
    "dc_generator": MODEL,
    "training": Record({"vanilla": Result(RUN), "lsgan": Result(RUN), "dcgan": Result(RUN)}),
    # what the sandbox's scorer made of the trained generator's weights (autograder.trained.score), in a
    # process that runs no student code (a number that is not finite is no score)
    "trained": Record({"scores": Result(Record({"IS": "finite", "FID": "finite", "copies": "finite",
                                                "copies_train": "finite", "copies_test": "finite", "n": "int"}))}),
}
SETTINGS = List(Record({"line": "int", "code": Str(120), "what": Str(400)}), 20)  # produce(..., changes=)
for _part, _spec in PARTS.items():  # any part may carry what importing gan.py changed of torch's settings
    if isinstance(_spec, Record):
        _spec.optional["settings"] = SETTINGS
assert set(PARTS) == set(GROUPS)
FAILURE = Record({"__failure__": Str(4000)})
# What the import phase sends: {} when gan.py imported as it is, or which of its top-level
# statements had to be left out for it to import (autograder.produce.importing.import_student).
# The indexes of the statements left out ("skipped") are the sandbox's own business: its parts skip them.
# What changed torch's global settings at import ("changes") is said on the report.
IMPORT = Record({"left_out?": List(Record({"line": "int", "code": Str(120)}), 1000), "why?": Str(2000),
                 "skipped?": List("int", 1000),
                 "changes?": List(Record({"line": "int", "code": Str(120), "what": Str(400)}), 100)})

# What the sandbox says of how a part's process ended (instructor/sandbox/inside/supervisor.py).
STATUS = Record({"seconds": "float", "timed_out": "bool", "exit_code": Optional("int"), "signal": Optional("int"),
                 "output": Str(8000), "output_bytes": "int", "result_problem?": Str(200)})


def _no_constants(name):
    raise ValueError(f"{name} is not allowed")


def parse(payload):
    """JSON text -> Python values, refusing NaN and Infinity literals."""
    try:
        return json.loads(payload, parse_constant=_no_constants)
    except (ValueError, RecursionError) as err:
        raise Malformed(f"not valid JSON ({type(err).__name__}: {clean_text(str(err), 200)})") from None


def decode(part, payload):
    """A part's payload, read strictly: the plain data its judges expect, or
    {'__failure__': message} as the sandbox reports a failed import."""
    value = parse(payload)
    if isinstance(value, dict) and "__failure__" in value:
        return read(value, FAILURE, part)
    return read(value, IMPORT if part == "import" else PARTS[part], part)
