"""The student's code, called: its functions called with every error turned into one
sentence, and what they return described as plain data (importing it: importing.py).

This is the only code that runs a student's functions (the producers call them through it).
It returns raw values; it judges nothing.
"""
import re
import sys
import traceback

import numpy as np
import torch

from autograder import i18n
from autograder.course import NOT_IMPLEMENTED, VALUE_LIMIT
from autograder.i18n import N_


def _(message):
    """`message` in the course's language (autograder.i18n._), and as written wherever its
    translation cannot be had: this runs beside the student's code, after it, and a sentence
    about that code must never fail for want of a catalog (one that cannot be read, a gettext
    the student's code changed). The producers' messages are all written with this one."""
    try:
        return i18n._(message)
    except Exception:
        return message


try:  # the catalog read now, at import, before any student code runs: the sandbox imports this
    i18n.translation()  # module before it forks the parts, which cannot read the files beside it
except Exception:  # English, as _ says it
    pass


class StudentError(Exception):
    """The student's code raised, or returned nothing, while being produced."""


class NotImplementedPart(StudentError):
    """A student function returned None: its block is still empty."""


def describe(x):
    """Plain-data record of something a student function returned: its type, and for a tensor
    its shape, dtype, device and values (float32 values as they are, others in float64)."""
    rec = {"type": f"{type(x).__module__}.{type(x).__qualname__}"[:200]}
    if isinstance(x, torch.Tensor):
        rec.update(tensor=True, shape=list(x.shape), dtype=str(x.dtype).replace("torch.", ""), device=x.device.type)
        if x.numel() <= VALUE_LIMIT and x.device.type != "meta":  # a meta tensor has a shape, and no values
            values = x.detach().cpu()
            rec["value"] = (values if values.dtype == torch.float32 else values.double()).numpy()
    else:
        rec["tensor"] = False
        try:
            value = np.asarray(x, dtype=np.float64)
            rec["shape"] = list(value.shape)
            if value.size <= VALUE_LIMIT:
                rec["value"] = value
        except Exception:
            pass
    return rec


MEMORY_LIMIT_MB = None  # set by the grader's sandbox: the memory a part may allocate

# What to do when a function asked for a GPU the grader does not have, fitted to the function.
CUDA_ADVICE = {
    "sample_noise": N_("make the noise on the CPU (torch.rand(batch_size, dim), with no .cuda() or device='cuda'): "
                       "run_a_gan moves it to the training device itself"),
    "loss": N_("make new tensors on the device of the inputs (torch.ones_like(logits), torch.zeros_like(logits), "
               ".to(logits.device)), never with .cuda() or dtype=torch.cuda.FloatTensor"),
    "model": N_("build the model with no .cuda() or device='cuda': the notebook and the grader move it with "
                ".to(device)"),
    "get_optimizer": N_("create the optimizer from model.parameters() and move nothing to a GPU"),
}
ANY_ADVICE = N_("create tensors on the device of the inputs (.to(x.device)), never with .cuda()")
ADVICE_KIND = {"discriminator_loss": "loss", "generator_loss": "loss", "ls_discriminator_loss": "loss",
               "ls_generator_loss": "loss", "discriminator": "model", "generator": "model",
               "build_dc_classifier": "model", "build_dc_generator": "model"}


def asked_for_cuda(err):
    text = str(err)
    return "NVIDIA driver" in text or "not compiled with CUDA" in text or "no CUDA GPUs are available" in text


ERROR_TEXT = 600  # characters of an exception's own message kept in a sentence about it


def student_error(err, function=None):
    """One line on an exception raised by student code: type, message, where in gan.py,
    and, when it asked for a GPU the grader lacks, what to do instead in that function."""
    tb = traceback.extract_tb(err.__traceback__)
    # The student's own file only: the smoke test's training loop is the assignment's, which the
    # grader runs from a copy (provided_gan.py) that students never see.
    where = next((_("gan.py:{line} in {function}").format(line=f.lineno, function=f.name) for f in reversed(tb)
                  if f.filename.rsplit("/", 1)[-1] == "gan.py"), None)
    loop = next((f.name for f in reversed(tb) if f.filename.rsplit("/", 1)[-1] == "provided_gan.py"), None)
    if where and loop:
        where += _(", called from the provided run_a_gan's {function}").format(function=loop) \
            if loop != "run_a_gan" else _(", called from the provided run_a_gan")
    at = _(" (at {where})").format(where=where) if where else ""
    if loop and not where:
        at = _(" (in the provided run_a_gan's {function})").format(function=loop) if loop != "run_a_gan" else \
            _(" (in the provided run_a_gan)")
    if isinstance(err, MemoryError) and MEMORY_LIMIT_MB:
        return _("MemoryError: your code asked for more memory than a part may use ({limit:,} MB){at}: look for a "
                 "tensor far larger than the check's inputs need.").format(limit=MEMORY_LIMIT_MB, at=at)
    if asked_for_cuda(err):  # torch's own text is long and says nothing about what to change
        advice = CUDA_ADVICE.get(ADVICE_KIND.get(function, function), ANY_ADVICE)
        return _("{error}: your code asked for a CUDA GPU{at}, and the grader runs it on a CPU without one: "
                 "{advice}.").format(error=type(err).__name__, at=at, advice=_(advice))
    text = " ".join(str(err).split())
    if len(text) > ERROR_TEXT:  # cut the error's own text, at a word, so that where and what to do survive
        text = text[:ERROR_TEXT].rsplit(" ", 1)[0] + " [...]"
    try:
        reading = line_reading(err)
    except Exception:  # reading the student's line must never cost the message itself
        reading = ""
    if reading:  # what the line itself shows of the cause: an operator, a name bound by an import
        return _("{error}: {text}{at}. {reading}").format(error=type(err).__name__, text=text, at=at, reading=reading)
    inside = torch_callee(err)
    if inside:  # torch's words come from inside a torch function the student called: name it, and how it was called
        return _("{error}: {text}{at}. {reading}").format(error=type(err).__name__, text=text, at=at, reading=inside)
    return f"{type(err).__name__}: {text}{at}"


def _gan_frame(err):
    """The last frame of gan.py in an exception's traceback, or None."""
    tb, found = err.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.rsplit("/", 1)[-1] == "gan.py":
            found = tb
        tb = tb.tb_next
    return found


def line_reading(err):
    """What the line of gan.py that raised shows of the cause, read from its code and the names it
    calls, or '': `^` where torch says bitwise_xor; a built-in's name that an import at the top of
    gan.py rebinds (pow is math.pow after `from math import *`); a layer class given where a
    layer belongs (nn.ReLU for nn.ReLU())."""
    import ast
    import builtins
    import linecache

    tb = _gan_frame(err)
    if tb is None:
        return ""
    frame, lineno = tb.tb_frame, tb.tb_lineno
    code = linecache.getline(frame.f_code.co_filename, lineno).strip()
    text = str(err)
    if "^" in code and "bitwise_xor" in text:
        return _("Line {line} uses `^`, which in Python is the bitwise XOR, not a power: a square is written "
                 "`** 2`.").format(line=lineno)
    try:
        calls = [n.func.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    except SyntaxError:  # a line that continues a statement
        calls = []
    for name in dict.fromkeys(calls):
        bound = frame.f_globals.get(name) if name not in frame.f_locals else None
        home = getattr(bound, "__module__", None)
        if bound is not None and hasattr(builtins, name) and bound is not getattr(builtins, name) and home:
            return _("`{name}` on line {line} is not Python's built-in {name} but {module}.{name}, which gan.py's "
                     "imports put in its place (a `from {module} import *` at its top, say): call the built-in, or "
                     "torch's own function, and import only the names you use.").format(name=name, line=lineno,
                                                                                         module=home)
    named = re.search(r"([\w.]+) is not a Module subclass", text)
    if named:
        owner, _dot, cls = named.group(1).rpartition(".")
        found = getattr(sys.modules.get(owner), cls, None)
        if isinstance(found, type) and issubclass(found, torch.nn.Module):
            return _("The statement at line {line} gives {cls} as the class itself, not a layer made from it: "
                     "write {cls}() with the brackets.").format(line=lineno, cls=cls)
    return ""


def _without_annotations(signature):
    """(params, lr=0.001, betas=(0.9, 0.999), ...): a signature as a call reads it."""
    shown, star = [], False
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and not star:
            shown.append("*")
            star = True
        text = parameter.name if parameter.default is parameter.empty else f"{parameter.name}={parameter.default!r}"
        shown.append(("*" if parameter.kind is parameter.VAR_POSITIONAL else "**" if parameter.kind is
                      parameter.VAR_KEYWORD else "") + text)
        star = star or parameter.kind is parameter.VAR_POSITIONAL
    return f"({', '.join(shown)})"


def torch_callee(err):
    """Where an exception rose inside a function of torch that gan.py called: a sentence naming
    that function, the line of gan.py that called it, and the arguments it takes in order (a
    positional slip shows there); '' where it did not."""
    import inspect

    caller = _gan_frame(err)
    callee = caller.tb_next if caller is not None else None
    if callee is None or "torch" not in callee.tb_frame.f_globals.get("__name__", "").split("."):
        return ""
    frame, function = callee.tb_frame, None
    if frame.f_code.co_name in ("__init__", "_wrapped_call_impl", "_call_impl") and "self" in frame.f_locals:
        function = type(frame.f_locals["self"])  # a class built, or a module called (a loss, a layer)
        name = f"{function.__module__}.{function.__qualname__}"
        if frame.f_code.co_name != "__init__":
            doc = " ".join((function.__doc__ or "").strip().split("\n\n")[0].split()).split(". ")[0].rstrip(":.")
            code = " ".join((traceback.extract_tb(caller, limit=1)[0].line or "").split())
            if doc:
                return _("It rose inside the {cls} that gan.py:{line} calls in `{code}` ({name}: \"{doc}\"): check "
                         "what you give it.").format(cls=function.__qualname__, line=caller.tb_lineno, code=code[:160],
                                                     name=name, doc=doc[:200])
            return _("It rose inside the {cls} that gan.py:{line} calls in `{code}`: check what you give it.").format(
                cls=function.__qualname__, line=caller.tb_lineno, code=code[:160])
    elif not frame.f_code.co_name.startswith("_") and callable(frame.f_globals.get(frame.f_code.co_name)):
        name = f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name}"
        function = frame.f_globals.get(frame.f_code.co_name)
    else:  # torch's machinery (a module's call, a hook): the layer diagnosis says where
        return ""
    try:
        signature = _without_annotations(inspect.signature(function))
        takes = _(" It takes, in order, {signature}").format(signature=signature)
    except (TypeError, ValueError):
        takes = ""
    code = " ".join((traceback.extract_tb(caller, limit=1)[0].line or "").split())
    how = _(", which gan.py:{line} calls in `{code}`").format(line=caller.tb_lineno, code=code[:160]) if code else ""
    if takes:
        return _("It rose inside {name}{how}.{takes}: check the arguments you give it, and the position of "
                 "each.").format(name=name, how=how, takes=takes)
    return _("It rose inside {name}{how}: check the arguments you give it.").format(name=name, how=how)


def call(gan, name, *args, **kwargs):
    fn = getattr(gan, name, None)
    if fn is None:
        raise StudentError(_("gan.py has no function {name}(); keep its name and signature as given.").format(
            name=name))
    result = fn(*args, **kwargs)
    if result is None:
        raise NotImplementedPart(
            _("{name}() returned None: {not_implemented} (write your code between its START and END OF YOUR CODE "
              "markers).").format(name=name, not_implemented=_(NOT_IMPLEMENTED))
        )
    return result


def attempt(fn, function=None):
    """Run fn(), which calls the student's `function`; turn any exception into an error
    record the judges report."""
    try:
        return fn()
    except NotImplementedPart as err:
        return {"error": str(err), "not_implemented": True}
    except StudentError as err:
        return {"error": str(err)}
    except Exception as err:
        return {"error": student_error(err, function)}


def model_of(gan, builder, args):
    model = call(gan, builder, *args)
    if not isinstance(model, torch.nn.Module):
        raise StudentError(_("{builder}() should return a torch.nn.Module, got {type}.").format(
            builder=builder, type=type(model).__name__))
    lazy = [type(m).__name__ for m in model.modules() if any(
        isinstance(p, torch.nn.parameter.UninitializedParameter) for p in m.parameters(recurse=False))]
    if lazy:  # counted, initialised or given to an optimizer, they raise torch's "uninitialized parameter"
        raise StudentError(_("{builder}() returns a model whose {layers} has no weights yet: a lazy layer makes "
                             "them at its first forward pass, so the model's parameters cannot be counted, "
                             "initialised (initialize_weights) or handed to an optimizer when it is built. Give the "
                             "layer its input size, nn.Linear(in_features, out_features).").format(
            builder=builder, layers=_(", ").join(dict.fromkeys(lazy))))
    return model
