"""The tables in figures/: each command writes its own part of a file and leaves the rest.

A file's first part (up to its first `## ` heading) belongs to the command named in
it; further parts are sections, `## title` and what follows up to the next one,
each written by another command. write_top and write_section replace only theirs.
"""
import os
import subprocess

from instructor import ROOT

FOLDER = os.path.join(ROOT, "figures")


def _parts(path):
    """(top, [(title, text)]) of a figures file ('' and [] where there is none)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return "", []
    chunks = ("\n" + text).split("\n## ")
    sections = []
    for chunk in chunks[1:]:
        title, _, body = chunk.partition("\n")
        sections.append((title.strip(), body.strip("\n")))
    return chunks[0].lstrip("\n"), sections


def _write(path, top, sections):
    text = top.strip("\n") + "\n" + "".join(f"\n## {title}\n\n{body.strip()}\n" for title, body in sections)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def write_top(name, text):
    """Replace the first part of figures/<name>, keeping its sections; returns its path."""
    path = os.path.join(FOLDER, name)
    _, sections = _parts(path)
    return _write(path, text, sections)


def write_section(name, title, text):
    """Replace (or add at the end) the section `title` of figures/<name>; returns its path."""
    path = os.path.join(FOLDER, name)
    top, sections = _parts(path)
    sections = [(t, b) for t, b in sections if t != title] + [(title, text)]
    return _write(path, top, sections)


def described(checkout):
    """A checkout as the tables name it: its commit, and '+ changes' where its tracked files differ."""
    git = lambda *a: subprocess.run(["git", "-C", checkout, *a], capture_output=True, text=True).stdout.strip()  # noqa
    commit = git("rev-parse", "--short", "HEAD") or os.path.abspath(checkout)
    return f"commit {commit}" + (" + changes" if git("status", "--porcelain", "--untracked-files=no") else "")
