"""The instructor's tests. What they expect comes from the reference solution, the answer
files and POINTS, never typed a second time: FULL is what a correct submission scores."""
from autograder.course import FULL  # noqa: F401  (the tests import it from here)
