"""Check your work and pack it for handing in: `python -m autograder.submit`.

1. Runs the autograder's checks on your gan.py and prints a summary per part.
2. Checks that GANs-PyTorch.ipynb has been run (every code cell has run, and none
   ended in an error) and that every answer cell has been written.
3. Checks that dcgan_generator.pt, the DCGAN generator the notebook trained and saved
   beside gan.py, is there and loads into the grader's copy of the DC generator, and scores
   it as the autograder does, against its bar; and names any top-level import of gan.py that the
   autograder's environment lacks. Everything runs on the CPU, as the autograder does.
4. Writes submission.zip: gan.py, dcgan_generator.pt, the notebook, and the notebook as
   a PDF (through LaTeX, or a headless browser) or, where neither is installed, as a
   self-contained HTML file, which it says.

It exits with status 0 when all is in order and 1 otherwise; the zip is written
either way. Save the notebook before you run it: it reads the file, not the
notebook open in your browser.
"""
import argparse
import os
import re
import sys
import textwrap
import zipfile

from autograder import course
from autograder.answers import load_answers
from autograder.export import render
from autograder.i18n import N_, _, padded
from autograder.imports import calls_at_import, left_out_sentence, top_level_imports
from autograder.judge import settings_sentence

ANSWER_PLACEHOLDER = N_("*Write your answer here.*")  # what an unanswered answer cell holds (in the release's language)


def answer_placeholders():
    """What an unanswered answer cell may hold: the placeholder in English and in the course's language."""
    return {ANSWER_PLACEHOLDER, _(ANSWER_PLACEHOLDER)}


# The settings the assignment's results are asked at (the notebook's parameters cell).
COURSE_SETTINGS = {"num_epochs_gan": course.EPOCHS["vanilla"], "num_epochs_lsgan": course.EPOCHS["lsgan"],
                   "num_epochs_dcgan": course.EPOCHS["dcgan"], "num_train": course.NUM_TRAIN}


def run_checks(gan, answers, device, changes=()):
    """{part: (checks passed, checks run, first failure, points)}, running gan's code in this
    process; the points as the autograder counts them (autograder.judge.points)."""
    from autograder.judge import judge, points
    from autograder.produce import produce

    summary = {}
    for part in course.PARTS:
        results = judge(part, produce(part, gan, device, answers, changes=changes), answers)
        first = next((message for _, ok, message in results if not ok), "")
        summary[part] = (sum(ok for _, ok, _ in results), len(results), first, points(part, results))
    return summary


def points_line(earned, trained_points=0.0):
    """The grade the autograder will give, from the points per part found here."""
    total = sum(earned.values()) + trained_points
    most = course.FULL
    manual = sum(course.MANUAL.values())
    if manual:
        line = _("Predicted autograder score: {total} / {most} points (and up to {manual} more for the questions "
                 "graded by hand). The autograder runs these same checks on the CPU with inputs of its own.")
    else:
        line = _("Predicted autograder score: {total} / {most} points. The autograder runs these same checks on "
                 "the CPU with inputs of its own.")
    return line.format(total=f"{total:g}", most=f"{most:g}", manual=f"{manual:g}")


def import_gan(path):
    """(module, problem, changes): the gan.py at `path` imported as the grader imports it, None
    or a sentence on what the grader will say of its import, and what importing it changed of
    torch's settings (importing.Imported.changes)."""
    from autograder.produce.importing import import_student

    module, left_out, failure, _source, changes = import_student(path)
    return _import_problem(path, module, left_out, failure) + (changes,)


def _import_problem(path, module, left_out, failure):
    if module is None:
        return None, _("{failure}. No check can run until gan.py imports.").format(failure=failure)
    if left_out:
        return module, _("{left_out}. Fix it before you hand in.").format(left_out=left_out_sentence(failure, left_out))
    left_out, failure = left_out_where_graded(path)
    if left_out:  # it imports here, where MNIST, a GPU or the network is; not where it is graded
        return module, _("where the autograder runs (no GPU, no MNIST, no network) {failure}. {left_out}. Fix it "
                         "before you hand in.").format(failure=failure,
                                                      left_out=left_out_sentence("", left_out).lstrip(". "))
    with open(path, "rb") as f:
        calls = calls_at_import(f.read())
    if calls:  # it worked here; the autograder has no MNIST, no GPU and no network, and may not get so far
        lines = _(", ").join(_("line {line} (`{code}`)").format(line=n, code=code[:40]) for n, code in calls[:5])
        return module, _("{lines} of gan.py run code when it is imported. The autograder has no MNIST, no GPU and "
                         "no network: whatever of it fails there is left out and named on your report. Put "
                         "experiments under `if __name__ == \"__main__\":` or in the notebook before you hand "
                         "in.").format(lines=lines)
    return module, None


def left_out_where_graded(path, timeout=120):
    """([(line, code)], why) of the top-level statements of the gan.py at `path` that the
    autograder would leave out: it is imported, as the grader imports it, in a process that
    sees no GPU, no MNIST and no network, as the autograder's; ([], None) where none would."""
    import json
    import subprocess
    import tempfile

    script = ("import json, sys\nfrom autograder.produce.importing import import_student\n"
              "module, left_out, why, _, _ = import_student(sys.argv[1])\n"
              "print('\\n' + json.dumps([left_out, why, module is not None]))\n")
    with tempfile.TemporaryDirectory() as empty:
        env = dict(os.environ, CUDA_VISIBLE_DEVICES="", GAN_DATA_DIR=empty, http_proxy="http://127.0.0.1:9",
                   https_proxy="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
                   HTTPS_PROXY="http://127.0.0.1:9", no_proxy="", NO_PROXY="", MPLBACKEND="Agg")
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograder/ and quality/ come from here
        env["PYTHONPATH"] = os.pathsep.join([here] + [p for p in [os.environ.get("PYTHONPATH")] if p])
        try:
            out = subprocess.run([sys.executable, "-c", script, path], cwd=empty, env=env, capture_output=True,
                                 text=True, timeout=timeout)
            left_out, why, _imported = json.loads(out.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            return [(0, _("(the import did not finish)"))], _(
                "importing gan.py took over {seconds} s, which the autograder does not wait for").format(seconds=timeout)
        except (ValueError, IndexError):  # it crashed the interpreter: the grader's own import says the rest
            return [], None
    return [tuple(item) for item in left_out], why


def trained_verdict(path, answers, answers_path):
    """(whether the file is in order, the sentence the grader would say of the trained DCGAN
    at `path`, the points it earns): loaded into the grader's copy of the generator and scored as
    the grader scores it (autograder.trained, in a process of its own), on the CPU, against the
    bar. A file that does not load is not in order; one below the bar is, and the sentence says
    where it stands (the course decides what that costs). The grader samples with noise of its
    own, so its scores differ a little from these (see the sentence)."""
    from autograder.judge import judge, points
    from autograder.trained import score_apart

    scored = score_apart(path, answers_path)
    results = judge("trained", scored, answers)
    error = scored.get("scores", {}).get("error") or scored.get("__failure__")
    if error:
        return False, error, points("trained", results)
    (_name, passed, message), = results
    verdict = _("clears the bar: {message}") if passed else _("below the bar: {message}")
    return True, verdict.format(message=message), points("trained", results)


# Where the autograder runs, only the packages of requirements.txt (and what they need) are
# installed, as Gradescope's setup.sh installs them; gan.py may also import these, shipped with it.
SHIPPED = {"autograder", "tests", "quality"}


def missing_on_the_grader(source, requirements="requirements.txt"):
    """The modules gan.py's top level imports that the autograder's environment lacks: not
    the standard library, not a package of `requirements` or one they depend on."""
    import importlib.metadata as metadata

    if not hasattr(metadata, "packages_distributions") or not hasattr(sys, "stdlib_module_names"):
        return []  # Python 3.9: no way to tell; the autograder's own report will say
    def project(requirement):  # "torchvision>=0.16" -> "torchvision", as pip compares names
        return re.split(r"[<>=!~;\[ (]", requirement.split("#")[0].strip(), maxsplit=1)[0].lower().replace("_", "-")

    try:
        with open(requirements) as f:
            todo = [project(line) for line in f if project(line) and not line.startswith("-")]
    except OSError:
        return []
    installed = set()
    while todo:  # the requirements, and everything they require, as this machine has them
        name = todo.pop()
        if name in installed:
            continue
        installed.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [project(r) for r in requires if "extra ==" not in r]
    owners = metadata.packages_distributions()
    missing = []
    for module in top_level_imports(source):
        top = module.partition(".")[0]
        if top in sys.stdlib_module_names or top in SHIPPED or top == "__future__":
            continue
        if not {project(d) for d in owners.get(top, [])} & installed:
            missing.append(top)
    return sorted(set(missing))


def describe_cell(cell):
    """A cell as a student finds it: by its first line (Jupyter numbers no markdown cell)."""
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return _("the cell that starts `{line}`").format(line=first[:60] + ("..." if len(first) > 60 else ""))


def _setting(text):
    """A setting's value as the parameters cell writes it: a literal, or the course table's
    own (EPOCHS['dcgan'], NUM_TRAIN); ValueError for anything else."""
    import ast

    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "EPOCHS":
        return course.EPOCHS[ast.literal_eval(node.slice)]
    if isinstance(node, ast.Name) and node.id == "NUM_TRAIN":
        return course.NUM_TRAIN
    return ast.literal_eval(node)


def settings_run(nb):
    """{name: value} of the assignment's settings as the notebook last ran them."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.execution_count is None:
            continue
        for name, value in re.findall(r"^(\w+) = ([^#\n]+)", cell.source, re.M):
            if name in COURSE_SETTINGS:
                try:
                    found[name] = _setting(value.strip())
                except (ValueError, SyntaxError, KeyError):
                    pass
    return found


def notebook_problems(nb):
    """Sentences on what is missing from a notebook before it can be handed in."""
    problems, question = [], None
    unrun = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()
             and cell.execution_count is None and "autograder.submit" not in cell.source]
    if unrun:
        problems.append(_("the notebook has not been run through: {n} code cell(s) never ran (the first is {cell}); "
                          "run all cells and save the notebook.").format(n=len(unrun), cell=describe_cell(unrun[0])))
    ran = settings_run(nb)
    off = {name: value for name, value in ran.items() if value != COURSE_SETTINGS[name]}
    if off:
        problems.append(_("the notebook ran with trial settings ({trial}), not the assignment's ({course}): set them "
                          "back in the parameters cell and run all cells again.").format(
            trial=", ".join(f"{k} = {v!r}" for k, v in off.items()),
            course=", ".join(f"{k} = {COURSE_SETTINGS[k]!r}" for k in off)))
    placeholders = answer_placeholders()
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                problems.append(_("{cell} ended with an error ({error}: {message}).").format(
                    cell=describe_cell(cell), error=output.get("ename"), message=str(output.get("evalue"))[:120]))
        headings = re.findall(r"^### (Q\d+)\.", cell.source, re.M) if cell.cell_type == "markdown" else []
        if headings:
            question = headings[-1]
        elif cell.cell_type == "markdown" and any(p in cell.source for p in placeholders):
            problems.append(_("the answer to {question} is not written yet.").format(
                question=question or _("a question")))
        elif cell.cell_type == "code" and re.search(r"^[xy]_table = \[.*\bNone\b", cell.source, re.M):
            problems.append(_("the table of {question} still has None in it.").format(question=question or "Q4"))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.submit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gan", default="gan.py", help="your gan.py (default: gan.py)")
    parser.add_argument("--notebook", default="GANs-PyTorch.ipynb",
                        help="the notebook, run and saved (default: GANs-PyTorch.ipynb)")
    parser.add_argument("--answers", default="gan-checks.npz", help="the checks' answer file (default: gan-checks.npz)")
    parser.add_argument("--out", default="submission.zip", help="the zip to write (default: submission.zip)")
    parser.add_argument("--device", default="cpu",
                        help="cpu (default: the autograder has no GPU, and its verdicts are the CPU's) or cuda")
    parser.add_argument("--checks-only", action="store_true",
                        help="check gan.py and predict its grade; leave the notebook and the zip alone")
    args = parser.parse_args(argv)

    import nbformat

    ok = True
    print(_("Checking {gan} with the autograder's checks ...").format(gan=args.gan))
    gan, problem, changes = import_gan(os.path.abspath(args.gan))
    if problem:
        ok = False
        print(f"  {problem}")
    if settings_sentence([{"line": n, "code": c, "what": w} for n, c, w in changes], all_of_them=True):
        ok = False
        print(f"  {settings_sentence([{'line': n, 'code': c, 'what': w} for n, c, w in changes], True)}.")
    with open(args.gan, "rb") as f:
        missing = missing_on_the_grader(f.read())
    if missing:
        ok = False
        print("  " + _("gan.py imports {modules}, which the autograder's environment does not have (it installs "
                     "requirements.txt alone): the import fails there and every part gets 0. Remove the import, or "
                     "move it into the function that needs it.").format(modules=", ".join(missing)))
    earned = {part: 0.0 for part in course.PARTS}
    trained, trained_points = course.trained_beside(args.gan), 0.0
    if gan is not None:
        answers = load_answers(args.answers)
        for part, (passed, total, first, got) in run_checks(gan, answers, args.device, changes).items():
            ok &= passed == total
            earned[part] = got
            print(f"  {padded(_(course.PART_TITLES[part]), 14)} "
                  + _("{earned}/{most} points  {passed}/{total} checks pass").format(
                      earned=f"{got:g}", most=f"{course.POINTS[part]:g}", passed=passed, total=total)
                  + (f"\n{textwrap.fill(first, 100, initial_indent=' ' * 6, subsequent_indent=' ' * 6)}"
                     if first else ""))
        in_order, verdict, trained_points = trained_verdict(trained, answers, args.answers)
        ok &= in_order
        shown = (_("{earned}/{most} points").format(earned=f"{trained_points:g}", most=f"{course.POINTS['trained']:g}")
                 if course.POINTS["trained"] else _("(shown, not scored)"))
        print(f"  {padded(_(course.PART_TITLES['trained']), 14)} {shown}  {verdict}")
    if missing:  # the import fails on the grader: nothing is checked there
        earned, trained_points = {part: 0.0 for part in course.PARTS}, 0.0
    print(f"  {points_line(earned, trained_points)}")
    if args.checks_only:
        return 0 if ok else 1

    nb = nbformat.read(args.notebook, as_version=4)
    problems = notebook_problems(nb)
    ok &= not problems
    print("\n" + _("Checking {notebook} ...").format(notebook=args.notebook))
    for problem in problems or [_("it has been run, and every answer is written.")]:
        print(f"  {problem}")

    rendered, body, note = render(nb, os.path.splitext(os.path.basename(args.notebook))[0])
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in (args.gan, trained, args.notebook):
            if os.path.exists(path):
                zf.write(path, os.path.basename(path))
        zf.writestr(rendered, body)  # only in the zip: the folder keeps no copy
    handed = [os.path.basename(p) for p in (args.gan, trained, args.notebook) if os.path.exists(p)]
    print("\n" + _("Wrote {zip}: {files} and {rendered}.").format(zip=args.out, files=", ".join(handed), rendered=note))
    print(_("All in order: hand it in.") if ok else _("Some things above are not in order yet; the zip is written "
                                                      "anyway, but fix them before you hand it in."))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
