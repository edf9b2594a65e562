"""The instructor's tests. What they expect comes from the reference solution, the answer
files and POINTS, never typed a second time: FULL is what a correct submission scores."""
from tests.checks import POINTS

FULL = sum(POINTS.values())
