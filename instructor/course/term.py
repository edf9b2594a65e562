"""A new term in one command: `python -m instructor term`.

After an edit of the reference solution (gan.py between its solution markers), of
POINTS or of a tolerance (autograder/course.py), everything that follows from them is
made again, in order:

1. the answer files, from the reference (course.answers);
2. the texts that quote the reference's parameter counts and Linear layers (gan.py's
   docstrings, the notebook, both READMEs, the guide, the checks' comments): a count or a
   layer's sizes that changed are rewritten wherever they were quoted;
3. the student release and the Gradescope zip (course.release, course.gradescope);
4. a grading of the new reference, which must get full marks, and of last term's
   reference (gan.py as git's HEAD has it, or --last), to show which parts changed.

It says which files it rewrote, and exits with 1 where the new reference does not
get full marks.
"""
import os
import re
import subprocess
import tempfile

from instructor import ROOT

# Where the reference's numbers are quoted in words; a changed count is rewritten there.
TEXTS = ("gan.py", "GANs-PyTorch.ipynb", "README.md", os.path.join("instructor", "course", "student-README.md"),
         os.path.join("autograder", "course.py")) + tuple(
    os.path.join("docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs"))) if name.endswith(".md"))
# The answer-file keys that hold parameter counts the texts quote, and the models whose layers they describe.
COUNTS = ("d_params_true", "g_params_true", "dc_d_params_true", "dc_g_params_true", "trained_params_true")
MODELS = ("d", "g", "dc_d", "dc_g")


def facts(path):
    """What the texts quote of the reference, as the answer file at `path` holds it: {key: the
    words the texts write}, the counts with thousands separators (1,234,567) and each Linear
    layer as the texts write it (Linear(784, 123))."""
    from autograder.answers import load_answers, reference_layers
    from autograder.hints.layers import settings

    try:
        stored = load_answers(path)
    except (OSError, ValueError):
        return {}
    found = {key: f"{int(stored[key]):,}" for key in COUNTS if key in stored}
    for model in MODELS:
        if f"{model}_layers_true" not in stored:
            continue
        linear = [layer for layer in reference_layers(stored, model) if layer["type"] == "Linear"]
        for i, layer in enumerate(linear):
            sizes = [item.split("=")[1] for item in settings(layer["spec"])[:2]]
            found[f"{model}_linear_{i}"] = f"Linear({', '.join(sizes)})"
    return found


def _short(number):
    """1e-06 -> '1e-6', as the texts write a tolerance."""
    return re.sub(r"e([-+])0*(\d)", r"e\1\2", f"{number:g}")


def tolerance_facts(checks_source):
    """{key: words} of the tolerance the texts quote (the losses' LOSS_TOL: "relative error at most
    1e-6"), read from the source of autograder/course.py."""
    found = re.search(r"^LOSS_TOL = (\S+)", checks_source, re.M)
    return {"loss_tol": f"relative error at most {_short(float(found.group(1)))}"} if found else {}


def _source_at_head(rel):
    """A file as git's HEAD has it, or '' where there is no such history."""
    try:
        return subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def rewrite(old, new, root=ROOT, texts=TEXTS):
    """Write the new words of every fact that changed from `old` to `new` ({key: words}) in place
    of the old ones, in one pass (so that no rewritten fact is rewritten again), in every file
    of `texts`; the files rewritten."""
    fates = {}  # the old words: every new word they become (the same words may stand for two layers)
    for key in old:
        if key in new:
            fates.setdefault(old[key], set()).add(new[key])
    changes = {before: after.pop() for before, after in fates.items() if len(after) == 1 and before not in after}
    unsure = sorted(before for before, after in fates.items() if len(after) > 1)
    if unsure:
        print("not rewritten, as they stand for layers that changed and layers that did not: " + ", ".join(unsure)
              + "; edit the texts that quote them by hand")
    if not changes:
        return []
    pattern = re.compile("|".join(re.escape(before) for before in sorted(changes, key=len, reverse=True)))
    rewritten = []
    for rel in texts:
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        edited = pattern.sub(lambda m: changes[m.group(0)], text)
        if edited != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(edited)
            rewritten.append(rel)
    return rewritten


def last_reference(path=None):
    """The path of last term's reference: `path`, or gan.py as git's HEAD has it (None where
    there is no git history, or HEAD's gan.py is today's)."""
    if path:
        return path
    source = _source_at_head("gan.py")
    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        if not source or f.read() == source:
            return None
    folder = tempfile.mkdtemp(prefix="last-term-")
    with open(os.path.join(folder, "gan.py"), "w", encoding="utf-8") as f:
        f.write(source)
    return os.path.join(folder, "gan.py")


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _points(report):
    return {p["part"]: p["points"] for p in report["parts"]}


def main(args):
    from instructor.course import answers, gradescope, release
    from instructor.grader import grade, render, score
    from instructor.grader.report import row_note

    checks_file = os.path.join(ROOT, "autograder", "course.py")
    with open(checks_file, encoding="utf-8") as f:
        tolerances = tolerance_facts(f.read())
    before = dict(facts(answers.PUBLIC), **(tolerance_facts(_source_at_head("autograder/course.py")) or tolerances))
    kept = {path: _read(path) for path in (answers.PUBLIC, answers.PRIVATE)}
    answers.main(type("Args", (), {"gan": os.path.join(ROOT, "gan.py"), "out": answers.PUBLIC,
                                   "private_out": answers.PRIVATE})())
    rewritten = [os.path.relpath(path, ROOT) for path, before in kept.items() if _read(path) != before]
    rewritten += rewrite(before, dict(facts(answers.PUBLIC), **tolerances))
    path = release.build(os.path.abspath(args.release))
    print(f"wrote the student release to {args.release}/ and {path}")
    print(f"wrote {gradescope.build(args.gradescope)}")

    full = sum(score.POINTS.values())
    new = grade.grade(os.path.join(ROOT, "gan.py"), "cpu")
    print(f"\nthe new reference: {new['total']:g} / {full:g}")
    if new["total"] != full or new["grader_error"]:
        print(render.report_text(new))
    last = last_reference(args.last)
    if last:
        old = grade.grade(last, "cpu")
        changed = {part: got for part, got in _points(old).items() if got != score.POINTS[part]}
        print(f"last term's reference ({last}): {old['total']:g} / {full:g}"
              + ("" if not changed else "; it loses " + ", ".join(
                  f"{part} ({got:g} of {score.POINTS[part]:g}: {row_note(p)})"
                  for part, got in changed.items() for p in old["parts"] if p["part"] == part)))
    print("\nfiles rewritten: " + (", ".join(rewritten) or "none"))
    print("review them with `git diff`, then run the README's test command.")
    if new["total"] != full or new["grader_error"]:
        raise SystemExit(f"the new reference gets {new['total']:g} of {full:g}: see its report above")
