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

from autograder import course, i18n
from autograder.submit import ANSWER_PLACEHOLDER
from instructor import ROOT, package_files, quality_files
from instructor.course import translations
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


def strip_notebook(nb, placeholder=ANSWER_PLACEHOLDER):
    """The notebook without outputs and without the reference answers; `placeholder` where an answer was."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell["source"] = strip_solutions(source)
        else:
            cell["source"] = strip_solutions(source, placeholder)
    return nb


def checked(part, _=str):
    """What a part's row of the points table names: its functions, or for the trained DCGAN the
    weights file and the function it is loaded into."""
    names = f"`{'`, `'.join(course.FUNCTIONS[part])}`"
    return _("`{file}` in {functions}").format(file=course.TRAINED_FILE, functions=names) if part == "trained" \
        else names


def points_table(lang="en"):
    """The points per part and per question (Markdown), in `lang`, for the student README and the
    graders' page alike. Every part has its row: one worth 0 points is still checked and shown on
    the report, and the note under the table says it adds nothing to the total."""
    _ = i18n.translation(lang).gettext
    rows = [f"| {_(course.PART_TITLES[part])} | {checked(part, _)} | {course.POINTS[part]:g} |"
            for part in course.GRADED]
    rows += [_("| {question}, graded by hand | the notebook's answer cell | {points} |").format(
        question=q, points=f"{n:g}") for q, n in course.MANUAL.items() if n]
    unscored = [_(course.PART_TITLES[part]) for part in course.GRADED if not course.POINTS[part]]
    ungraded = [q for q, n in course.MANUAL.items() if not n]
    notes = [_("{parts}: 0 points, checked and shown on the report all the same.").format(
        parts=_(", ").join(unscored))] if unscored else []
    notes += [_("{questions}: in the notebook, not graded.").format(questions=_(", ").join(ungraded))] \
        if ungraded else []
    return (_("| part | what is checked | points |") + "\n| --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
            + "".join(note + "\n" for note in notes)
            + "\n" + _("In all: {autograded} points from the autograder, {manual} by hand. A part's points are "
                       "shared among the functions it asks for, and a function earns its share when every one of "
                       "its checks passes.").format(autograded=f"{course.FULL:g}",
                                                    manual=f"{sum(course.MANUAL.values()):g}")
            + "\n")


def student_readme(template, lang="en"):
    """The students' README from its template, in `lang`: the points table from POINTS and MANUAL, and the
    trained DCGAN's bar ({TRAINED_MIN_IS:g} and the like) from autograder/course.py."""
    if lang != "en":
        template = translations.translate_readme(template, lang)
    text = re.sub(r"<!-- points:.*?-->\n", points_table(lang), template)
    def value(match):
        found = getattr(course, match.group(1))  # words (TRAINED_TYPICAL) in lang, numbers as they are
        return format(i18n.translation(lang).gettext(found) if isinstance(found, str) else found,
                      (match.group(2) or ":")[1:])

    return re.sub(r"\{(TRAINED_[A-Z_]+)(:[^}]*)?\}", value, text)


def release_notebook(nb, lang="en"):
    """The notebook a student receives, in `lang`: its markdown translated (translations.py; code
    cells as they are), no outputs, no reference answers, the answer cells' placeholder in `lang`."""
    if lang != "en":
        nb = translations.translate_notebook(nb, lang)
    return strip_notebook(nb, i18n.translation(lang).gettext(ANSWER_PLACEHOLDER))


def build(out, lang=None):
    """Write the release in `lang` (default: the course's, i18n.language()) into folder `out` and
    `out`.zip; returns the zip's path. translations.Untranslated where a text has no current translation."""
    lang = lang or i18n.language()
    with open(os.path.join(ROOT, "GANs-PyTorch.ipynb"), encoding="utf-8") as f:
        notebook = release_notebook(json.load(f), lang)  # first: an untranslated text stops the build before it writes
    with open(STUDENT_README, encoding="utf-8") as f:
        readme = student_readme(f.read(), lang)
    if os.path.exists(out):
        shutil.rmtree(out)
    for rel in [rel for rel in FILES if not translations.is_catalog(rel)]:
        src, dst = os.path.join(ROOT, rel), os.path.join(out, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if rel == "gan.py":
            with open(src) as f, open(dst, "w") as g:
                g.write(strip_code(f.read()))
        elif rel.endswith(".ipynb"):
            with open(dst, "w", encoding="utf-8") as g:
                json.dump(notebook, g, indent=1, ensure_ascii=False)
                g.write("\n")
        elif rel == translations.COURSE_PY and lang != "en":
            with open(dst, "w", encoding="utf-8") as g:
                g.write(translations.course_source(lang))
        else:
            shutil.copyfile(src, dst)
    for rel, data in translations.shipped_catalogs(lang).items():
        os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
        with open(os.path.join(out, rel), "wb") as g:
            g.write(data)
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as g:
        g.write(readme)
    return shutil.make_archive(out, "zip", root_dir=os.path.dirname(out), base_dir=os.path.basename(out))


def main(args):
    from instructor.course import answers

    answers.refuse_if_stale("the student release")
    try:
        path = build(os.path.abspath(args.out), args.lang)
    except translations.Untranslated as err:
        raise SystemExit(f"the release was not built: {err}")
    print(f"wrote the student release ({args.lang or i18n.language()}) to {args.out}/ and {path}")
