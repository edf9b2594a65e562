"""A student's gan.py imported statement by statement: the one way every path imports it.

What a module is for (imports, definitions, docstrings, the main guard) must run; any other
top-level statement that raises is left out (autograder/imports.py holds the rule), and
left out means without effect: what it changed before it raised (a module's attribute, a
module in sys.modules, torch's global settings) is put back as it was. The grader's sandbox
goes further: its parts never run a statement the import left out (`skip`).

A statement that runs and changes torch's global settings (its default dtype or device, grad
mode, its seed) is recorded, so that every path can name the line that did it.
"""
import ast
import sys
import types
from collections import namedtuple

import torch

from autograder.imports import (
    binds_a_literal,
    code_of,
    defines,
    import_failure,
    keeps_at_import,
)
from autograder.precision import default_device
from autograder.produce.student import _

# module: the imported module, or None; left_out: [(line, code)] of the statements left out;
# failure: why the first of them (or the import) failed; skipped: the indexes in the file's
# body of the statements left out, which the sandbox's parts skip; changes: [(line, code,
# what)] of the statements that changed torch's global settings.
Imported = namedtuple("Imported", "module left_out failure skipped changes")

# Where a failing statement's changes are looked for and undone: the grader's code, and the
# libraries whose functions it calls.
WATCHED = ("autograder", "quality", "numpy", "math", "builtins", "torch", "json", "base64", "struct")
CLASSES = (torch.Tensor, torch.nn.Module)


def torch_settings():
    """torch's global settings that change what a check computes, as words: {name: value}."""
    found = {"the default dtype": str(torch.get_default_dtype()).replace("torch.", ""),
             "grad mode": "on" if torch.is_grad_enabled() else "off",
             "the random seed": str(torch.initial_seed()),
             "deterministic algorithms": "on" if torch.are_deterministic_algorithms_enabled() else "off"}
    if hasattr(torch, "get_default_device"):
        found["the default device"] = str(default_device())
    return found



def _restore_settings(settings):
    """torch's settings back as `settings` (torch_settings') has them; only those that differ
    are set (setting some costs time, or every later call a mode)."""
    now = torch_settings()
    if now["the default dtype"] != settings["the default dtype"]:
        torch.set_default_dtype(getattr(torch, settings["the default dtype"]))
    if now["grad mode"] != settings["grad mode"]:
        torch.set_grad_enabled(settings["grad mode"] == "on")
    if now["deterministic algorithms"] != settings["deterministic algorithms"]:
        torch.use_deterministic_algorithms(settings["deterministic algorithms"] == "on")
    if now.get("the default device") != settings.get("the default device"):
        torch.set_default_device(None if settings["the default device"] == "cpu" else settings["the default device"])


class Undo:
    """What a statement may change, as it was before it ran: sys.modules, the namespaces of
    the watched modules and classes, the student's module and torch's settings."""

    def __init__(self, module):
        self.module, self.own = module, dict(vars(module))
        self.modules = dict(sys.modules)
        self.spaces = {name: (m, dict(vars(m))) for name, m in self.modules.items()
                       if name.split(".")[0] in WATCHED and isinstance(m, types.ModuleType)}
        self.classes = {cls: dict(vars(cls)) for cls in CLASSES}
        self.settings, self.rng = torch_settings(), torch.get_rng_state()

    def restore(self):
        for name in [n for n in sys.modules if n not in self.modules and not _imported(sys.modules[n])]:
            del sys.modules[name]  # a module made up in place of one (a real import stays: others may hold it)
        sys.modules.update(self.modules)
        for name, (m, space) in self.spaces.items():
            _put_back(m, space, vars(m))
        for cls, space in self.classes.items():
            for key in [k for k in vars(cls) if k not in space]:
                delattr(cls, key)
            for key, value in space.items():
                if vars(cls).get(key, _MISSING) is not value:
                    try:
                        setattr(cls, key, value)
                    except (AttributeError, TypeError):
                        pass
        _put_back(self.module, self.own, vars(self.module))
        _restore_settings(self.settings)
        torch.set_rng_state(self.rng)


_MISSING = object()


def _imported(value):
    """Whether `value` is a module Python imported from its files, and still holds as such."""
    spec = getattr(value, "__spec__", None) if isinstance(value, types.ModuleType) else None
    return spec is not None and sys.modules.get(spec.name) is value


def _put_back(module, before, now):
    for key in [k for k in now if k not in before and not _imported(now[k])]:
        del now[key]
    for key, value in before.items():
        if now.get(key, _MISSING) is not value:
            now[key] = value


def _changed(before, after):
    """What changed in torch's settings, as words, or '': in English, which the judges read
    (autograder.imports.settings_said says it in the course's language)."""
    return "; ".join(f"{name} from {before[name]} to {after[name]}" for name in after
                     if after[name] != before.get(name))


def import_student(path, name="gan", skip=(), strict=False, skip_calls=False):
    """Imported(...) for the gan.py at `path`. Its top-level statements run one by one, in
    order, in one module. A statement that runs code (a call, an assignment, a loop) and
    raises, a training run at the bottom that finds no MNIST say, is left out, without
    effect, and the import goes on. A failing import, definition or docstring, or a syntax
    error, fails the import: module is None.

    skip: the indexes of statements not to run (the sandbox's parts skip what its import
    left out); strict: a statement that raises and is not in `skip` fails the import (it
    ran differently than when gan.py was first imported); skip_calls: run only what
    imports.keeps_at_import keeps (the grader's retry of an import that never returned)."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        source = f.read()
    try:
        tree = ast.parse(source, path)
    except SyntaxError as err:
        return Imported(None, [], import_failure(err, path), [], [])
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    flags, left_out, skipped, changes, failure = 0, [], [], [], None
    for index, node in enumerate(tree.body):
        if index in skip or skip_calls and not keeps_at_import(node):
            left_out.append((node.lineno, code_of(source, node)))
            skipped.append(index)
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            import __future__

            for alias in node.names:
                flags |= getattr(getattr(__future__, alias.name, None), "compiler_flag", 0)
        runs_code = not defines(node)
        # Strict (a part), a statement that raises fails the import and nothing is undone: no
        # snapshot to take (each takes milliseconds, the namespaces of torch's modules); nor for
        # `NOISE_DIM = 96`, which runs no code.
        undo = Undo(module) if runs_code and not strict and not binds_a_literal(node) else None
        before = torch_settings()
        try:
            exec(compile(ast.Module([node], type_ignores=[]), path, "exec", flags=flags, dont_inherit=True),
                 module.__dict__)
        except BaseException as err:  # an exception, SystemExit, KeyboardInterrupt, anything at import
            if not runs_code or strict:
                sys.modules.pop(name, None)
                said = import_failure(err, path, tree, source)
                return Imported(None, [], _ran_otherwise(node, said) if runs_code else said, [], [])
            if undo is not None:
                undo.restore()
            failure = failure or import_failure(err, path, tree, source)
            left_out.append((node.lineno, code_of(source, node)))
            skipped.append(index)
            continue
        what = _changed(before, torch_settings())
        if what:
            changes.append((node.lineno, code_of(source, node, 80), what))
    return Imported(module, left_out, failure, skipped, changes)


def _ran_otherwise(node, said):
    return _("line {line} of gan.py raised in this part although it ran when gan.py was first imported, so this "
             "part cannot be graded as the others were ({failure})").format(line=node.lineno, failure=said)
