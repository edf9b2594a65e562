"""Instructor tooling. One entry point: `python -m instructor --help`."""
