"""How far a result is from the reference's: the two measures the tolerances of
autograder/course.py are written in. numpy only."""
import numpy as np


def course_rel_error(x, y):
    """The course's relative error, element-wise, its largest value (the same formula as
    gan.rel_error, kept here so that no judge calls into a student's module)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def scale_error(got, expected):
    """The largest absolute difference relative to the largest reference magnitude."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected)) / (np.max(np.abs(expected)) + 1e-8))
