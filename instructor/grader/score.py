"""Points: a report's rows from what the sandbox produced.

How many points each part is worth and how a part earns them (partial credit per
function) are in autograder/ (course.POINTS, judge.points), which the student's own
tools share. The checks judge what the sandbox produced against the grader's
private answer file, whose inputs and fixed weights the student release does not
contain.
"""
import os

from autograder.course import GRADED, PART_TITLES, POINTS
from autograder.judge import judge, points
from instructor import ROOT

PRIVATE = os.path.join("instructor", "grader", "gan-checks-private.npz")  # the grader's answers; never shipped
ANSWERS = os.path.join(ROOT, PRIVATE)

def score(produced, answers):
    """Points and check results per part, from produced data; the trained DCGAN's row also
    carries its scores (IS, FID, n) where there are some."""
    parts = []
    for part in GRADED:
        results = judge(part, produced.get(part, {}), answers)
        parts.append({"part": part, "title": PART_TITLES[part], "points": points(part, results),
                      "max_points": POINTS[part], "checks": results})
        scores = produced.get(part, {}).get("scores") if isinstance(produced.get(part), dict) else None
        if isinstance(scores, dict) and "IS" in scores:
            parts[-1]["scores"] = scores
    smoke = judge("training", produced.get("training", {}), answers)
    return parts, smoke
