"""Instructor tooling. One entry point: `python -m instructor --help`."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository root


def package_files(folder):
    """The files of a package of this repository (`folder`, relative to ROOT), its sub-packages
    included, caches left out: relative to ROOT, sorted."""
    found = []
    for base, dirs, names in os.walk(os.path.join(ROOT, folder)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += sorted(os.path.relpath(os.path.join(base, n), ROOT) for n in names if not n.endswith(".pyc"))
    return found


def quality_files():
    """quality/'s files (the scorer of trained generators, its classifier, statistics and
    training thumbnails), relative to ROOT: the sandbox, the release and the zip take them all."""
    return package_files("quality")
