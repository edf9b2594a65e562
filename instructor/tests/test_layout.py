"""The house keeps its shape: four rooms, arrows that only run down, short definitions,
and a Gradescope zip that holds everything its own files import.

Rooms, lowest first: sandbox/ (runs code), grader/ (grades what it returns),
course/ (makes what students and Gradescope get), measure/ (times and scores it all).
A module may import from its own room and the rooms below it, never above.
"""
import ast
import os

import pytest

from instructor import ROOT
from instructor.course import gradescope

ROOMS = ["sandbox", "grader", "course", "measure"]  # lowest first
LONGEST = 120  # lines a function or class may take


def python_files(folder):
    for base, dirs, names in os.walk(os.path.join(ROOT, folder)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        yield from (os.path.join(base, n) for n in sorted(names) if n.endswith(".py"))


def module_name(path):
    return os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__")


def imported(path):
    """Every module an import statement of the file names, at any depth (lazy imports too),
    written out in full ("from instructor.grader import score" names instructor.grader.score)."""
    tree = ast.parse(open(path).read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def room(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "instructor" and parts[1] in ROOMS else None


def existing(module):
    """The module's file, if the name is a module or package of this repository."""
    base = os.path.join(ROOT, *module.split("."))
    return next((p for p in (base + ".py", os.path.join(base, "__init__.py")) if os.path.isfile(p)), None)


def test_instructor_holds_the_four_rooms_and_the_entry_point_only():
    top = {n for n in os.listdir(os.path.join(ROOT, "instructor")) if n != "__pycache__"}
    assert top == {"__init__.py", "__main__.py", "requirements.txt", "tests", *ROOMS}, sorted(top)


@pytest.mark.parametrize("name", ROOMS)
def test_no_import_runs_up_to_a_higher_room(name):
    upward = []
    for path in python_files(os.path.join("instructor", name)):
        for target in imported(path):
            if room(target) and ROOMS.index(room(target)) > ROOMS.index(name):
                upward.append(f"{module_name(path)} imports {target}")
    assert not upward, upward


def test_no_circle_among_the_modules():
    graph = {}
    for path in python_files("instructor"):
        if "/tests/" not in path:
            graph[module_name(path)] = {t for t in imported(path)
                                        if existing(t) and t.startswith("instructor.") and t != module_name(path)}
    done, path = set(), []

    def visit(node):
        if node in path:
            raise AssertionError("an import circle: " + " -> ".join(path[path.index(node):] + [node]))
        if node in done:
            return
        path.append(node)
        for target in graph.get(node, ()):
            if not node.startswith(target + "."):  # a module may import its own package's __init__
                visit(target)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def test_the_sandbox_program_is_self_contained():
    """It runs as `python -I` from a folder holding only itself and the producing code."""
    allowed = {"tests", "tests.checks", "tests.produce", "quality"}  # the producing code and the scorer, copied
    own = {t for t in imported(os.path.join(ROOT, "instructor", "sandbox", "program.py"))
           if t.split(".")[0] in ("instructor", "tests", "gan", "accel", "quality") and existing(t)}
    assert own <= allowed, own - allowed


def test_no_definition_is_longer_than_the_limit():
    long = []
    files = [p for folder in ("instructor", "tests", "accel", "quality") for p in python_files(folder)]
    for path in files + [os.path.join(ROOT, "gan.py")]:
        name = os.path.basename(path)
        if "instructor/tests/" in path or name.startswith("test_") or name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST:
                    long.append(f"{os.path.relpath(path, ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not long, long


def test_the_gradescope_zip_holds_every_module_its_files_import():
    shipped = set(gradescope.files())
    missing = []
    for rel in sorted(p for p in shipped if p.endswith(".py")):
        for target in imported(os.path.join(ROOT, rel)):
            path = existing(target)
            if path and os.path.relpath(path, ROOT) not in shipped and target.split(".")[0] in ("instructor", "tests"):
                missing.append(f"{rel} imports {target}")
    assert not missing, missing
    assert not any(p.startswith(("instructor/course/", "instructor/measure/")) for p in shipped)
