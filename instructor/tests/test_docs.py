"""The guide (docs/, mkdocs.yml) and the README: the site builds with no broken link, and
every command they tell a user to run exists, with every option they give it."""
import functools
import glob
import os
import re
import subprocess
import sys

import pytest

from instructor import ROOT
from instructor.__main__ import parser as instructor_parser

TEXTS = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "instructor", "course", "student-README.md")] + sorted(
    glob.glob(os.path.join(ROOT, "docs", "*.md")))
# The programs the texts name, as a command line starts with them.
PROGRAMS = ("python -m instructor", "python -m autograder.submit", "python gan.py", "python -m pytest", "mkdocs")


def test_the_guide_builds_with_no_broken_link(tmp_path):
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for page in ("index", "setup/index", "graders/index", "measurements/index"):
        assert (tmp_path / "site" / f"{page}.html").is_file(), page
    graders = (tmp_path / "site" / "graders" / "index.html").read_text(encoding="utf-8")
    assert "<!-- points -->" not in graders and "build_dc_generator" in graders  # the table, from POINTS


def commands(text):
    """Every command line of a Markdown text that starts with one of PROGRAMS: in shell code
    blocks, line by line (comments dropped, `&&` chains split), and in inline code."""
    found = []
    for block in re.findall(r"```(?:bash|sh)?\n(.*?)```", text, re.S):
        for line in block.splitlines():
            found += [part.strip() for part in line.split("#")[0].split("&&")]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    found += [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]
    found = [command.lstrip("!") for command in found]
    return sorted({c for c in found if any(c == p or c.startswith(p + " ") for p in PROGRAMS)})


ALL = sorted({c for path in TEXTS for c in commands(open(path, encoding="utf-8").read())})


def options(command):
    return [token.split("=")[0] for token in command.split() if token.startswith("--")]


@functools.lru_cache(maxsize=None)
def help_of(*argv):
    out = subprocess.run([sys.executable, *argv, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_texts_give_commands_to_check():
    assert len(ALL) >= 20 and any(c.startswith("python -m instructor term") for c in ALL), ALL


@pytest.mark.parametrize("command", ALL)
def test_every_command_the_texts_give_exists_with_its_options(command):
    if command.startswith("python -m instructor"):
        words = command.split()[3:]
        sub = instructor_parser()._subparsers._group_actions[0].choices  # sub-command: its parser
        if not words or words[0].startswith("-"):
            assert all(o == "--help" for o in options(command)), command
            return
        assert words[0] in sub, f"{command}: `{words[0]}` is not a command of python -m instructor"
        known = set(sub[words[0]]._option_string_actions)
        unknown = [o for o in options(command) if o not in known]
        assert not unknown, f"{command}: {unknown} are not options of `python -m instructor {words[0]}`"
        return
    program = {"python -m autograder.submit": ("-m", "autograder.submit"), "python gan.py": ("gan.py",),
               "python -m pytest": ("-m", "pytest", "tests"), "mkdocs": ("-m", "mkdocs")}
    argv = next(v for k, v in program.items() if command.startswith(k))
    if argv[-1] == "mkdocs":
        assert command.split()[1] in help_of(*argv), command
        return
    unknown = [o for o in options(command) if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", help_of(*argv))]
    assert not unknown, f"{command}: {unknown} are not in `{' '.join(argv)} --help`"
