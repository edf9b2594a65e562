"""Points: a report's rows from what the sandbox produced.

How many points each part is worth and how a part earns them (partial credit per
function) are in tests/checks.py (POINTS, points()), which the student's own
tools share. The checks judge what the sandbox produced against the grader's
private answer file, whose inputs and fixed weights the student release does not
contain.
"""
import os

from instructor import ROOT
from tests import checks

PRIVATE = os.path.join("instructor", "grader", "gan-checks-private.npz")  # the grader's answers; never shipped
ANSWERS = os.path.join(ROOT, PRIVATE)

# Points per part and of the questions graded by hand: defined in tests/checks.py (POINTS, MANUAL),
# the one place, which the student's own tools read too (python -m tests.submit predicts the grade).
POINTS, MANUAL = checks.POINTS, checks.MANUAL
GRADED = checks.PARTS + ("trained",)  # the rows of a report, in order


def load_answers(path=ANSWERS):
    return checks.load_answers(path)


def score(produced, answers):
    """Points and check results per part, from produced data; the trained DCGAN's row also
    carries its scores (IS, FID, n) where there are some."""
    parts = []
    for part in GRADED:
        results = checks.judge(part, produced.get(part, {}), answers)
        parts.append({"part": part, "title": checks.PART_TITLES[part], "points": checks.points(part, results),
                      "max_points": POINTS[part], "checks": results})
        scores = produced.get(part, {}).get("scores") if isinstance(produced.get(part), dict) else None
        if isinstance(scores, dict) and "IS" in scores:
            parts[-1]["scores"] = scores
    smoke = checks.judge("training", produced.get("training", {}), answers)
    return parts, smoke
