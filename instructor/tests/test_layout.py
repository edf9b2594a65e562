"""The house keeps its shape: rooms whose arrows only run down, two sides of the engine that
never meet, no circle, short modules and short definitions, and two packages (the sandbox's
program, the Gradescope zip) that hold everything their files import.

The rooms, lowest first (ROOMS): a module may import from its own room and the rooms below
it, never above. docs/instructors.md draws the same house; a test holds the drawing to ROOMS.
"""
import ast
import os
import re

import pytest

from instructor import ROOT
from instructor.course import gradescope
from instructor.sandbox.command import CODE, PRODUCING

ROOMS = [  # lowest first: (name, the modules and packages it holds)
    ("course table", ("autograder.course", "autograder.answers", "autograder.measures", "autograder.imports",
                      "autograder.precision", "autograder.i18n", "autograder")),
    ("hints", ("autograder.hints",)),
    ("trained scorer", ("autograder.trained",)),
    ("producers", ("autograder.produce",)),
    ("judges", ("autograder.judge",)),
    ("student entry points", ("autograder.notebook", "autograder.export", "autograder.submit")),
    ("sandbox", ("instructor.sandbox",)),
    ("grader", ("instructor.grader",)),
    ("course", ("instructor.course",)),
    ("measure", ("instructor.measure",)),
]
PACKAGES = ("autograder", "instructor", "tests", "accel", "quality")
LONGEST = 120  # lines a function or class may take
LONGEST_MODULE = 500  # lines a module may take
# The two sides of the engine: the judges never run (or import) what runs beside the student's code.
APART = ("autograder.judge", "autograder.hints", "autograder.measures", "autograder.answers", "autograder.course",
         "autograder.imports", "autograder.i18n")


def python_files(*folders):
    for folder in folders:
        for base, dirs, names in os.walk(os.path.join(ROOT, folder)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            yield from (os.path.join(base, n) for n in sorted(names) if n.endswith(".py"))


def module_name(path):
    return os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__")


def imported(path):
    """Every module an import statement of the file names, at any depth (lazy imports too),
    written out in full ("from instructor.grader import score" names instructor.grader.score;
    a relative import is resolved against the file's own package)."""
    tree = ast.parse(open(path).read())
    package = module_name(path).rsplit(".", 1)[0] if not path.endswith("__init__.py") else module_name(path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def room(module):
    """The index of the room a module of the engine or the instructor's tools is in, or None."""
    best = None
    for i, (_, members) in enumerate(ROOMS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and (best is None or len(member) > best[1]):
                best = (i, len(member))
    return best[0] if best else None


def existing(module):
    """The module's file, if the name is a module or package of this repository."""
    base = os.path.join(ROOT, *module.split("."))
    return next((p for p in (base + ".py", os.path.join(base, "__init__.py")) if os.path.isfile(p)), None)


def graph():
    """{module: the modules of this repository it imports}, for every module outside the tests."""
    found = {}
    for path in python_files(*PACKAGES):
        if "/tests/" in path.replace(os.sep, "/") or os.path.basename(path).startswith("test_"):
            continue
        found[module_name(path)] = {module_name(existing(t)) for t in imported(path) if existing(t)}
        found[module_name(path)].discard(module_name(path))
    return found


def test_instructor_holds_its_rooms_and_the_entry_point_only():
    top = {n for n in os.listdir(os.path.join(ROOT, "instructor")) if n != "__pycache__"}
    assert top == {"__init__.py", "__main__.py", "requirements.txt", "tests", "sandbox", "grader", "course",
                   "measure"}, sorted(top)


def test_tests_holds_pytest_files_only():
    """The grading suite's folder holds the pytest suite; the engine lives in autograder/."""
    names = {n for n in os.listdir(os.path.join(ROOT, "tests")) if n != "__pycache__"}
    assert all(n == "__init__.py" or n == "conftest.py" or n.startswith("test_") for n in names), sorted(names)


def test_no_import_runs_up_to_a_higher_room():
    upward = []
    for module, targets in graph().items():
        here = room(module)
        for target in targets:
            if here is not None and room(target) is not None and room(target) > here:
                upward.append(f"{module} ({ROOMS[here][0]}) imports {target} ({ROOMS[room(target)][0]})")
    assert not upward, upward


def test_the_judging_side_never_imports_torch_nor_the_producing_side():
    """The judges, their hints and what they share run where no student code has run, in the
    grader's own process, which never imports torch (autograder/__init__.py: the two sides)."""
    wrong = []
    for path in python_files("autograder"):
        module = module_name(path)
        if module == "autograder" or not module.startswith(APART):
            continue
        for target in imported(path):
            if target.split(".")[0] == "torch" or target.startswith(("autograder.produce", "autograder.trained")):
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_the_grader_never_imports_the_producing_side_nor_torch_at_its_top():
    """instructor/grader/ reads what the sandbox sent; it never calls a student's function."""
    wrong = []
    for path in python_files(os.path.join("instructor", "grader")):
        for target in imported(path):
            if target.startswith("autograder.produce"):
                wrong.append(f"{module_name(path)} imports {target}")
        for node in ast.parse(open(path).read()).body:  # torch only inside a function, where a tool needs it
            if isinstance(node, (ast.Import, ast.ImportFrom)) and "torch" in ast.unparse(node).split()[1].split("."):
                wrong.append(f"{module_name(path)} imports torch at its top")
    assert not wrong, wrong


def test_no_circle_among_the_modules():
    edges = graph()
    done, path = set(), []

    def visit(node):
        if node in path:
            raise AssertionError("an import circle: " + " -> ".join(path[path.index(node):] + [node]))
        if node in done:
            return
        path.append(node)
        for target in edges.get(node, ()):
            if not node.startswith(target + "."):  # a module may import its own package's __init__
                visit(target)
        path.pop()
        done.add(node)

    for node in sorted(edges):
        visit(node)


def test_the_sandbox_program_imports_only_itself_and_what_is_copied_beside_it():
    """It runs as `python -I` from a folder holding only its package (inside/), the producing
    side of the engine and the scorer (command.CODE): whatever it imports of this repository
    must be there, and none of it may be a judge."""
    copied = {module_name(os.path.join(ROOT, rel)) for rel in CODE if rel.endswith(".py")}
    missing = []
    for rel in CODE:
        if not rel.endswith(".py"):
            continue
        for target in imported(os.path.join(ROOT, rel)):
            found = existing(target)
            if found and target.split(".")[0] in PACKAGES and module_name(found) not in copied:
                missing.append(f"{rel} imports {target}")
    assert not missing, missing
    assert not any(rel.startswith("autograder/judge/") for rel in CODE)
    assert set(PRODUCING) <= set(CODE)


def test_the_grader_imports_only_the_message_formats_of_the_sandbox_program():
    wrong = [f"{module_name(path)} imports {target}" for path in python_files("instructor", "tests")
             if "/sandbox/inside/" not in path and "/instructor/tests/" not in path
             for target in imported(path)
             if target.startswith("instructor.sandbox.inside") and not target.startswith(
                 "instructor.sandbox.inside.frames")]
    assert not wrong, wrong


def test_no_module_and_no_definition_is_longer_than_the_limits():
    long = []
    for path in list(python_files(*PACKAGES)) + [os.path.join(ROOT, "gan.py")]:
        rel = os.path.relpath(path, ROOT)
        if "instructor/tests/" in rel.replace(os.sep, "/") or os.path.basename(path).startswith("test_"):
            continue
        text = open(path).read()
        if rel != "gan.py" and text.count("\n") > LONGEST_MODULE:  # gan.py: the student's chapter, in one file
            long.append(f"{rel}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST:
                    long.append(f"{rel}:{node.lineno} {node.name}: {lines} lines")
    assert not long, long


def test_the_drawing_of_the_house_shows_these_rooms():
    """docs/instructors.md draws the rooms, top to bottom; it names each of ROOMS, highest first."""
    with open(os.path.join(ROOT, "docs", "instructors.md"), encoding="utf-8") as f:
        drawing = re.search(r"```text\n(.*?)```", f.read(), re.S).group(1)
    named = [name for name, _ in reversed(ROOMS)]
    where = [drawing.find(f"[{name}]") for name in named]
    assert all(i >= 0 for i in where), [n for n, i in zip(named, where) if i < 0]
    assert where == sorted(where), "the drawing lists the rooms in another order than ROOMS"


@pytest.mark.parametrize("rel", ["autograder", "instructor/sandbox/inside"])
def test_each_package_of_the_engine_says_what_its_files_do(rel):
    """Its __init__.py names every module (a newcomer reads it first)."""
    with open(os.path.join(ROOT, rel, "__init__.py"), encoding="utf-8") as f:
        doc = f.read()
    names = [n for n in sorted(os.listdir(os.path.join(ROOT, rel))) if n != "__pycache__" and n != "__init__.py"]
    assert all(n.removesuffix(".py") in doc for n in names), [n for n in names if n.removesuffix(".py") not in doc]


def test_the_gradescope_zip_holds_every_module_its_files_import():
    shipped = set(gradescope.files())
    missing = []
    for rel in sorted(p for p in shipped if p.endswith(".py")):
        for target in imported(os.path.join(ROOT, rel)):
            path = existing(target)
            if path and os.path.relpath(path, ROOT) not in shipped and target.split(".")[0] in PACKAGES:
                missing.append(f"{rel} imports {target}")
    assert not missing, missing
    assert not any(p.startswith(("instructor/course/", "instructor/measure/")) for p in shipped)
