"""Build the student release from the instructor package.

gan.py loses the code between every START/END OF YOUR CODE pair (the markers, the
signatures, docstrings, seed handling and return lines stay, so an unfilled
function returns None and the grader says it is not implemented yet). The notebook
loses its outputs and the reference answers between its SOLUTION markers. The
release gets the autograder, the grading tests, the answer file, the quality scorer and the
example figure, and a README written for students; nothing from instructor/.
"""
import json
import os
import re
import shutil

from autograder import course
from autograder.submit import ANSWER_PLACEHOLDER
from instructor import ROOT, package_files, quality_files
from instructor.grader.markers import (
    CODE_END,
    CODE_START,
    SOLUTION_MARKERS,
    split_blocks,
    strip_code,
)

# What a student receives, relative to the repository root.
FILES = [
    "gan.py",
    "GANs-PyTorch.ipynb",
    "gan-checks.npz",
    "requirements.txt",
    *package_files("autograder"),
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_parts.py",
    "accel/__init__.py",
    *quality_files(),
    "figures/example-outputs.png",
]
STUDENT_README = os.path.join(ROOT, "instructor", "course", "student-README.md")


def solution_blocks(source):
    return [inside for _, inside in split_blocks(source, CODE_START, CODE_END) if inside is not None]


def fill_code(stripped, blocks):
    """Put code blocks back into a stripped gan.py (what a student does)."""
    pieces = split_blocks(stripped, CODE_START, CODE_END)
    if len(pieces) - 1 != len(blocks):
        raise ValueError(f"{len(pieces) - 1} blocks to fill, {len(blocks)} given")
    return "".join(outside + (inside or "") for (outside, _), inside in zip(pieces, blocks + [None]))


def strip_solutions(source, placeholder=None):
    """`source` without its solution blocks, markers included; `placeholder` goes where
    an answer was taken out (a student writes below the question)."""
    for start, end in SOLUTION_MARKERS:
        pieces = split_blocks(source, start, end)
        if len(pieces) > 1:
            kept = "".join(re.sub(rf"^[ \t]*{re.escape(start)}[ \t]*\n?|^[ \t]*{re.escape(end)}[ \t]*\n?", "",
                                  outside, flags=re.M) for outside, _ in pieces)
            source = kept.rstrip() + ("\n\n" + placeholder if placeholder else "")
    return source


def strip_notebook(nb):
    """The notebook without outputs and without the reference answers."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell["source"] = strip_solutions(source)
        else:
            cell["source"] = strip_solutions(source, ANSWER_PLACEHOLDER)
    return nb


def checked(part):
    """What a part's row of the points table names: its functions, or for the trained DCGAN the
    weights file and the function it is loaded into."""
    names = f"`{'`, `'.join(course.FUNCTIONS[part])}`"
    return f"`{course.TRAINED_FILE}` in {names}" if part == "trained" else names


def points_table():
    """The points per part and per question (Markdown), for the student README and the graders'
    page alike. Every part has its row: one worth 0 points is still checked and shown on the
    report, and the note under the table says it adds nothing to the total."""
    rows = [f"| {course.PART_TITLES[part]} | {checked(part)} | {course.POINTS[part]:g} |" for part in course.GRADED]
    rows += [f"| {q}, graded by hand | the notebook's answer cell | {n:g} |" for q, n in course.MANUAL.items() if n]
    unscored = [course.PART_TITLES[part] for part in course.GRADED if not course.POINTS[part]]
    ungraded = [q for q, n in course.MANUAL.items() if not n]
    notes = [f"{', '.join(unscored)}: 0 points, checked and shown on the report all the same."] if unscored else []
    notes += [f"{', '.join(ungraded)}: in the notebook, not graded."] if ungraded else []
    return ("| part | what is checked | points |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
            + "".join(note + "\n" for note in notes)
            + f"\nIn all: {course.FULL:g} points from the autograder, "
            f"{sum(course.MANUAL.values()):g} by hand. A part's points are shared among the functions it asks "
            "for, and a function earns its share when every one of its checks passes.\n")


def student_readme(template):
    """The students' README from its template: the points table from POINTS and MANUAL, and the
    trained DCGAN's bar ({TRAINED_MIN_IS:g} and the like) from autograder/course.py."""
    text = re.sub(r"<!-- points:.*?-->\n", points_table(), template)
    def value(match):
        return format(getattr(course, match.group(1)), (match.group(2) or ":")[1:])

    return re.sub(r"\{(TRAINED_[A-Z_]+)(:[^}]*)?\}", value, text)


def build(out):
    """Write the release into folder `out` and `out`.zip; returns the zip's path."""
    if os.path.exists(out):
        shutil.rmtree(out)
    for rel in FILES:
        src, dst = os.path.join(ROOT, rel), os.path.join(out, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if rel == "gan.py":
            with open(src) as f, open(dst, "w") as g:
                g.write(strip_code(f.read()))
        elif rel.endswith(".ipynb"):
            with open(src) as f, open(dst, "w") as g:
                json.dump(strip_notebook(json.load(f)), g, indent=1, ensure_ascii=False)
                g.write("\n")
        else:
            shutil.copyfile(src, dst)
    with open(STUDENT_README, encoding="utf-8") as f, open(os.path.join(out, "README.md"), "w", encoding="utf-8") as g:
        g.write(student_readme(f.read()))
    return shutil.make_archive(out, "zip", root_dir=os.path.dirname(out), base_dir=os.path.basename(out))


def main(args):
    from instructor.course import answers

    answers.refuse_if_stale("the student release")
    path = build(os.path.abspath(args.out))
    print(f"wrote the student release to {args.out}/ and {path}")
