"""The notebook's entry point: its set-up cell imports gan.py with import_gan, and each check
cell runs one part's checks with run_part, in the notebook's own process (on its GPU, if it
has one). The same producers and judges as every other path, so a check cell's verdict is
the grader's."""
import importlib
import importlib.util
import os

from autograder.answers import load_answers
from autograder.course import PART_TITLES, POINTS
from autograder.imports import left_out_sentence


def import_gan():
    """(module, sentence) for the notebook: gan.py imported as usual where it imports, else
    as the autograder imports it (autograder.produce.importing.import_student: the top-level
    statements that fail are left out), with the sentence every path says of that; (None,
    why) where it cannot be imported at all. What was left out stays said on the module."""
    from autograder.imports import import_failure
    from autograder.produce.importing import import_student

    try:
        gan = importlib.import_module("gan")
        return gan, getattr(gan, "_left_out_at_import", "")
    except BaseException as err:  # SyntaxError, an error at import, SystemExit: anything
        try:
            spec = importlib.util.find_spec("gan")
        except (ImportError, ValueError):
            spec = None
        where = os.path.abspath(spec.origin) if spec and spec.origin else os.path.abspath("gan.py")
        if not os.path.isfile(where):
            return None, import_failure(err, where)
        gan, left_out, failure, _, _ = import_student(where)
        if gan is None:
            return None, failure
        gan._left_out_at_import = left_out_sentence(failure, left_out)
        return gan, gan._left_out_at_import


def run_part(part, gan=None, device=None, answers="gan-checks.npz"):
    """Run the autograder's checks of one part in this process and print what they found.
    Never raises for a student's mistake: it prints the verdict instead, and returns nothing,
    so that a check cell shows the verdict alone."""
    import torch

    from autograder.judge import judge, points
    from autograder.produce import produce

    if gan is None:  # the notebook's check cells import it here: a gan.py that does not import costs one line
        gan, said = import_gan()
        if gan is None:
            print(f"NOT CHECKED  {PART_TITLES[part]}: {said}. Fix gan.py, then run this cell again.")
            return
        if said:
            print(f"NOTE  {said}.")
    ans = load_answers(answers) if isinstance(answers, str) else answers
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    results = judge(part, produce(part, gan, device, ans), ans)
    for name, ok, message in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {message}")
    passed = sum(ok for _, ok, _ in results)
    print(f"{PART_TITLES[part]}: {passed}/{len(results)} checks passed on {device}: "
          f"{points(part, results):g} of {POINTS[part]:g} points.")
