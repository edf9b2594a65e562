"""The rule for importing a student's gan.py, and the sentences every path says of it.

A gan.py is imported statement by statement (autograder/produce/student.py). What a module
is for (imports, definitions, docstrings, an `if __name__ == "__main__":` block) must run;
any other top-level statement (an assignment, a call, a loop) that fails is left out, and the
import goes on. This module holds the rule and the words, reads the file's syntax only, and
runs none of its code: the grader, which never imports torch or the student's code, uses it too.
"""
import ast
import re
import traceback

from autograder.i18n import N_, _


def keeps_at_import(node):
    """Whether a top-level statement belongs in a module that is imported: imports,
    definitions, assignments, docstrings and `if __name__ == "__main__":` blocks."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                         ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def defines(node):
    """Whether a top-level statement defines what the module is for: an import, a function
    or class definition, a docstring, or an `if __name__ == "__main__":` block. Anything
    else (assignments included) is code that runs at import, and may be left out."""
    return keeps_at_import(node) and not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))


# What a literal may hold: the value of `NOISE_DIM = 96` or `GANS = ("vanilla", "lsgan")`.
LITERAL_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Load, ast.UnaryOp, ast.USub, ast.UAdd)


def binds_a_literal(node):
    """Whether a top-level statement only binds names to literals (numbers, strings and
    tuples, lists, dicts and sets of them), and so runs no code: it changes nothing but the
    names it binds, and has nothing to undo."""
    return (isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)
            and all(isinstance(n, LITERAL_NODES) for n in ast.walk(node.value))
            and all(isinstance(n.operand, ast.Constant) for n in ast.walk(node.value) if isinstance(n, ast.UnaryOp)))


def decoded(source):
    """gan.py's text, from its bytes or its text."""
    return source.decode("utf-8-sig", "replace") if isinstance(source, bytes) else source


def code_of(source, node, width=120):
    """A statement's code on one line, cut to `width` characters."""
    return " ".join((ast.get_source_segment(source, node) or "").split())[:width]


def top_level_imports(source):
    """The absolute module names a gan.py's top level imports, in order, without
    repeats: `import a.b` gives a.b, `from a import b` gives a and a.b (b may be a
    submodule). Statements in functions, classes and `if __name__ == "__main__":`
    blocks do not run at import and are not counted; those under a module-level
    if/try/with are. The grader's sandbox loads these ahead of the parts (its
    supervisor's preload); [] for a file that does not parse."""
    try:
        tree = ast.parse(decoded(source))
    except (SyntaxError, ValueError):
        return []
    names = []

    def visit(body):
        for node in body:
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names.extend(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
            elif isinstance(node, ast.If) and not keeps_at_import(node):  # a main-guard does not run
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                for block in [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]:
                    visit(block)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                visit(node.body)

    visit(tree.body)
    return list(dict.fromkeys(names))


def not_kept(source):
    """[(line, code)] of gan.py's top-level statements that keeps_at_import does not keep (the
    calls, loops and the like): what the grader's retry of an import that never returned (an
    os._exit, a signal, a loop that never ends) runs without, statement by statement, never
    by editing the text. [] where there are none, or the file does not parse."""
    text = decoded(source)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [(node.lineno, code_of(text, node)) for node in tree.body if not keeps_at_import(node)]


def calls_at_import(source):
    """[(line, code)] of gan.py's top-level statements that call one of gan.py's own functions
    when it is imported (a training run, a test, loading MNIST), outside definitions and the
    `if __name__ == "__main__":` block: the experiments left at the bottom of a file."""
    text = decoded(source)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    own = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

    def calls_own(node):
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in own
                   for n in ast.walk(node))

    return [(node.lineno, code_of(text, node, 10 ** 6)) for node in tree.body if not defines(node) and calls_own(node)]


def import_failure(err, path, tree=None, source=""):
    """One line on why gan.py did not import: the error, the line of gan.py it came from,
    and, where a top-level statement raised, what to do with it."""
    if isinstance(err, SyntaxError):
        return _("importing gan.py failed: SyntaxError at line {line}: {error}").format(line=err.lineno, error=err.msg)
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == path]
    line = frames[0].lineno if frames else None  # the top-level statement that ran, in gan.py
    detail = " ".join(f"{type(err).__name__}: {err}".split())
    statement = next((n for n in (tree.body if tree else []) if n.lineno <= (line or 0) <= (n.end_lineno or 0)), None)
    if statement is not None and not defines(statement):  # the cause is the line, not what it met
        code = code_of(source, statement, 60)
        brief = detail if len(detail) <= 160 else detail[:160].rsplit(" ", 1)[0] + " [...]"
        return _("line {line} of gan.py runs `{code}` when gan.py is imported, and it failed ({error}): the "
                 "autograder leaves such lines out; put experiments under `if __name__ == \"__main__\":` or in the "
                 "notebook").format(line=line, code=code, error=brief)
    detail = detail if len(detail) <= 300 else detail[:300].rsplit(" ", 1)[0] + " [...]"
    if line:
        return _("importing gan.py failed at line {line}: {error}").format(line=line, error=detail)
    return _("importing gan.py failed: {error}").format(error=detail)


def left_out_sentence(failure, left_out):
    """What every path (the notebook's check cells, pytest, autograder.submit, the grader's report)
    says of a gan.py that imports only without some of its top-level statements: why the
    first failed, what to do, and each line left out. `left_out`: [(line, code)]."""
    named = _("; ").join(_("line {line}: `{code}`").format(line=n, code=" ".join(code.split())[:60])
                         for n, code in left_out[:5])
    more = _(" and {n} more").format(n=len(left_out) - 5) if len(left_out) > 5 else ""
    lines = _("Left out, wherever gan.py is checked or graded: {lines}{more}").format(lines=named, more=more)
    failure = " ".join(str(failure).split())[:600]
    if not failure:  # the lines alone, after the ". " that callers strip (autograder.submit)
        return f". {lines}"
    return _("{failure}. {left_out}").format(failure=failure, left_out=lines)


# torch's global settings that a statement of gan.py may change when it is imported, as the
# records of autograder/produce/importing.py name them, and the values it writes as words. The
# records keep the English, which the judges read (autograder.judge.settings_sentence looks for
# words in it); settings_said says a record in the course's language.
SETTING_WORDS = (N_("the default dtype"), N_("grad mode"), N_("the random seed"), N_("deterministic algorithms"),
                 N_("the default device"))
SWITCH_WORDS = (N_("on"), N_("off"))
CHANGE = re.compile(r"(?P<name>.+?) from (?P<before>.*) to (?P<after>.*)")


def settings_said(what):
    """A record's `what` ('grad mode from on to off; the random seed from 0 to 7', as
    produce/importing.py writes it) in the course's language; a part it does not recognise, as
    it is."""
    def word(value):
        return _(value) if value in SWITCH_WORDS else value

    said = []
    for piece in str(what).split("; "):
        change = CHANGE.fullmatch(piece)
        if change is None or change["name"] not in SETTING_WORDS:
            said.append(piece)
            continue
        said.append(_("{setting} from {before} to {after}").format(
            setting=_(change["name"]), before=word(change["before"]), after=word(change["after"])))
    return _("; ").join(said)
