"""The notebook's entry point: its set-up cell imports gan.py with import_gan, and each check
cell runs one part's checks with run_part, in the notebook's own process (on its GPU, if it
has one). The same producers and judges as every other path, so a check cell's verdict is
the grader's."""
import importlib
import importlib.util
import os

from autograder.answers import load_answers
from autograder.course import PART_TITLES, POINTS
from autograder.i18n import _
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


_checked = {}  # the gan.py a check cell checked last: (its path, size and time) -> what importing it gave


def checked_import(path):
    """(module, sentence, changes): the gan.py at `path` imported as the grader imports it, under
    a name of its own (the notebook's own `gan` stays as it is), again only when the file changed:
    what importing it said (left out lines, or why it does not import) and what it changed of
    torch's settings."""
    from autograder.produce.importing import import_student

    stat = os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _checked:
        module, left_out, failure, _, changes = import_student(path, name="gan_checked")
        said = left_out_sentence(failure, left_out) if left_out else (failure if module is None else "")
        _checked.clear()
        _checked[key] = (module, said, changes)
    return _checked[key]


def run_part(part, gan=None, device=None, answers="gan-checks.npz"):
    """Run the autograder's checks of one part in this process and print what they found: of
    `gan`, or of the gan.py on disk, imported as the grader imports it. Never raises for a
    student's mistake: it prints the verdict instead, and returns nothing, so that a check cell
    shows the verdict alone."""
    import torch

    from autograder.judge import judge, points, settings_sentence
    from autograder.produce import produce

    changes = ()
    if gan is None:  # the notebook's check cells import it here: a gan.py that does not import costs one line
        try:
            spec = importlib.util.find_spec("gan")
        except (ImportError, ValueError):
            spec = None
        path = os.path.abspath(spec.origin if spec and spec.origin else "gan.py")
        if not os.path.isfile(path):
            print(_("NOT CHECKED  {title}: there is no gan.py at {path}. Run this notebook from the assignment's "
                    "folder, then run this cell again.").format(title=_(PART_TITLES[part]), path=path))
            return
        gan, said, changes = checked_import(path)
        if gan is None:
            print(_("NOT CHECKED  {title}: {why}. Fix gan.py, then run this cell again.").format(
                title=_(PART_TITLES[part]), why=said))
            return
        if said:
            print(_("NOTE  {note}.").format(note=said))
        everything = settings_sentence([{"line": n, "code": c, "what": w} for n, c, w in changes], True)
        if everything:
            print(_("NOTE  {note}.").format(note=everything))
    ans = load_answers(answers) if isinstance(answers, str) else answers
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    results = judge(part, produce(part, gan, device, ans, changes=changes), ans)
    for name, ok, message in results:
        print((_("PASS  {check}: {message}") if ok else _("FAIL  {check}: {message}")).format(check=name,
                                                                                          message=message))
    passed = sum(ok for _name, ok, _message in results)
    print(_("{title}: {passed}/{total} checks passed on {device}: {earned} of {most} points.").format(
        title=_(PART_TITLES[part]), passed=passed, total=len(results), device=device,
        earned=f"{points(part, results):g}", most=f"{POINTS[part]:g}"))
