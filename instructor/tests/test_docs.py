"""The guide (docs/, mkdocs.yml) and the README: the site builds with no broken link, and
every command they tell a user to run exists, with every option they give it."""
import functools
import glob
import os
import re
import subprocess
import sys
from html import unescape

import pytest

from instructor import ROOT
from instructor.__main__ import parser as instructor_parser

TEXTS = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "instructor", "course", "student-README.md")] + sorted(
    glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True))
# The programs the texts name, as a command line starts with them.
PROGRAMS = ("python -m instructor", "python -m autograder.submit", "python gan.py", "python -m pytest", "mkdocs")


# What a code block of the guide shows whole, in characters: at the theme's default width (a window
# 1280 px wide; the content column is at its widest from 1220 px on) a block holds 656 px of text in a
# 13.6 px monospace font, 8.18 px a character: 80 columns, of which the copy button covers the last
# three on the first two lines. Measured once in headless Chromium on the built site.
CODE_COLUMNS = 77


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The guide, built as the test command builds it: strict, so a broken link fails."""
    folder = tmp_path_factory.mktemp("guide") / "site"
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return folder


def test_the_guide_builds_with_no_broken_link(site):
    for page in ("index", "setup/index", "graders/index", "measurements/index"):
        assert (site / f"{page}.html").is_file(), page
    graders = (site / "graders" / "index.html").read_text(encoding="utf-8")
    assert "<!-- points -->" not in graders and "build_dc_generator" in graders  # the table, from POINTS
    students = (site / "zh" / "students" / "index.html").read_text(encoding="utf-8")
    assert "<!-- points" not in students and "<td>随机噪声</td>" in students  # the students' page in Chinese


def code_lines(page):
    """Every line of every code block of a built page, as the reader sees it."""
    html = page.read_text(encoding="utf-8")
    return [line for block in re.findall(r"<pre[^>]*>(.*?)</pre>", html, re.S)
            for line in unescape(re.sub(r"<[^>]+>", "", block)).splitlines()]


SHELL = r"\s*(#|\$ |python|pip|mkdocs|zensical|export|cd|git|bash|apt-get|sudo)\b"  # a command or a comment


def test_every_command_and_comment_of_the_guide_shows_whole(site):
    """No command or comment of a code block runs past what the theme shows (the reader would
    have to scroll sideways, and one who types what is shown leaves out the rest), and a comment
    has a line of its own rather than trailing a command. Program output and drawings may scroll."""
    pages = sorted(site.rglob("index.html"))
    assert len(pages) >= 8
    shown = [(page.parent.name or "index", line.rstrip(), previous.rstrip().endswith("\\"))
             for page in pages for previous, line in zip([""] + code_lines(page), code_lines(page))]
    too_long = [f"{page}: {line}" for page, line, continued in shown
                if (continued or re.match(SHELL, line)) and len(line) > CODE_COLUMNS]
    assert not too_long, "\n".join(too_long)
    trailing = [f"{page}: {line}" for page, line, _ in shown
                if re.match(r"\s*(python|pip|mkdocs|zensical|export|cd|git)\b.*\s#\s", line)]
    assert not trailing, "\n".join(trailing)


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


@pytest.mark.slow
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
