"""Instructor tooling. One entry point: `python -m instructor --help`."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository root
