"""Points: how many each part is worth, and how a part earns them.

Partial credit: a part's points are shared equally among the functions it asks
for (one function for most parts; two for the GAN and LSGAN losses, the
discriminator's and the generator's), and a function earns its share only when
every check of that function passes. The checks themselves (tests/checks.py)
judge what the sandbox produced against the grader's private answer file, whose
inputs and fixed weights the student release does not contain.
"""
import os

from instructor import ROOT
from tests import checks

PRIVATE = os.path.join("instructor", "grader", "gan-checks-private.npz")  # the grader's answers; never shipped
ANSWERS = os.path.join(ROOT, PRIVATE)

# Points per part: the one place they are defined.
POINTS = {
    "noise": 1,
    "discriminator": 1,
    "generator": 1,
    "gan_loss": 2,
    "optimizer": 1,
    "lsgan_loss": 2,
    "dc_classifier": 1,
    "dc_generator": 1,
    # The DCGAN the student trained, scored by its samples (tests/checks.py: TRAINED_MIN_IS is the bar).
    # 0: the report shows the scores and the bar, and the total leaves it out; give it points to count.
    "trained": 0,
}
GRADED = checks.PARTS + ("trained",)  # the rows of a report, in order
# Inline questions of the notebook graded by hand: points (0: not graded).
MANUAL = {"Q1": 0, "Q2": 0, "Q3": 0, "Q4": 1, "Q5": 1, "Q6": 1}


def load_answers(path=ANSWERS):
    return checks.load_answers(path)


def score(produced, answers):
    """Points and check results per part, from produced data; the trained DCGAN's row also
    carries its scores (IS, FID, n) where there are some."""
    parts = []
    for part in GRADED:
        results = checks.judge(part, produced.get(part, {}), answers)
        by_function = {fn: [] for fn in checks.FUNCTIONS[part]}
        for judge_fn, (name, ok, message) in zip(checks.CHECKS[part], results):
            by_function[judge_fn.function].append(ok)
        share = POINTS[part] / len(by_function)
        points = sum(share for oks in by_function.values() if all(oks))
        parts.append({"part": part, "title": checks.PART_TITLES[part], "points": round(points, 2),
                      "max_points": POINTS[part], "checks": results})
        scores = produced.get(part, {}).get("scores") if isinstance(produced.get(part), dict) else None
        if isinstance(scores, dict) and "IS" in scores:
            parts[-1]["scores"] = scores
    smoke = checks.judge("training", produced.get("training", {}), answers)
    return parts, smoke
