"""A new term in one command: `python -m instructor term`.

After an edit of the reference solution (gan.py between its solution markers), of
POINTS or of a tolerance (tests/checks.py), everything that follows from them is
made again, in order:

1. the answer files, from the reference (course.answers);
2. the texts that quote the reference's parameter counts (gan.py's docstrings, the
   notebook, both READMEs, the guide, the checks' comments): a count that changed is rewritten
   wherever it was quoted;
3. the student release and the Gradescope zip (course.release, course.gradescope);
4. a grading of the new reference, which must get full marks, and of last term's
   reference (gan.py as git's HEAD has it, or --last), to show which parts changed.

It says which files it rewrote, and exits with 1 where the new reference does not
get full marks.
"""
import os
import subprocess
import tempfile

from instructor import ROOT

# Where the reference's numbers are quoted in words; a changed count is rewritten there.
TEXTS = ("gan.py", "GANs-PyTorch.ipynb", "README.md", os.path.join("instructor", "course", "student-README.md"),
         os.path.join("tests", "checks.py")) + tuple(
    os.path.join("docs", name) for name in sorted(os.listdir(os.path.join(ROOT, "docs"))) if name.endswith(".md"))
# The answer-file keys that hold parameter counts the texts quote.
COUNTS = ("d_params_true", "g_params_true", "dc_d_params_true", "dc_g_params_true", "trained_params_true")


def _counts(path):
    from tests import checks

    try:
        stored = checks.load_answers(path)
    except (OSError, ValueError):
        return {}
    return {key: int(stored[key]) for key in COUNTS if key in stored}


def rewrite_counts(old, new, root=ROOT, texts=TEXTS):
    """Rewrite each count of `old` that differs in `new` ({key: count}), written with thousands
    separators (267,009) as the texts quote them, in every file of `texts`; the files rewritten."""
    changes = [(f"{old[k]:,}", f"{new[k]:,}") for k in COUNTS if k in old and k in new and old[k] != new[k]]
    rewritten = []
    for rel in texts:
        path = os.path.join(root, rel)
        if not changes or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        edited = text
        for before, after in changes:
            edited = edited.replace(before, after)
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
    try:
        source = subprocess.run(["git", "show", "HEAD:gan.py"], cwd=ROOT, capture_output=True, text=True,
                                check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        if f.read() == source:
            return None
    folder = tempfile.mkdtemp(prefix="last-term-")
    with open(os.path.join(folder, "gan.py"), "w", encoding="utf-8") as f:
        f.write(source)
    return os.path.join(folder, "gan.py")


def _points(report):
    return {p["part"]: p["points"] for p in report["parts"]}


def main(args):
    from instructor.course import answers, gradescope, release
    from instructor.grader import grade, render, score
    from instructor.grader.report import row_note

    before = _counts(answers.PUBLIC)
    answers.main(type("Args", (), {"gan": os.path.join(ROOT, "gan.py"), "out": answers.PUBLIC,
                                   "private_out": answers.PRIVATE})())
    rewritten = [os.path.relpath(answers.PUBLIC, ROOT), os.path.relpath(answers.PRIVATE, ROOT)]
    rewritten += rewrite_counts(before, _counts(answers.PUBLIC))
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
    print("\nfiles rewritten: " + ", ".join(rewritten))
    print("review them with `git diff`, then run the README's test command.")
    if new["total"] != full or new["grader_error"]:
        raise SystemExit(f"the new reference gets {new['total']:g} of {full:g}: see its report above")
