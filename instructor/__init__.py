"""Instructor tooling. One entry point: `python -m instructor --help`."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository root


def quality_files():
    """quality/'s files (the scorer of trained generators, its classifier, statistics and
    training thumbnails), relative to ROOT: the sandbox, the release and the zip take them all."""
    folder = os.path.join(ROOT, "quality")
    return [f"quality/{n}" for n in sorted(os.listdir(folder)) if os.path.isfile(os.path.join(folder, n))]
