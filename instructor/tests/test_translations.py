"""The translations of what a student reads (instructor/course/translations.py): every catalog
complete and current, each translation keeping the code, numbers, formulas and placeholders of
its English; a change of the English named; the release and the Gradescope zip in each language
built from them; the check cells, the hand-in command and the grader's report in the course's
language, English where a message has no translation."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import types
import zipfile

import nbformat
import pytest

from autograder import course, i18n, notebook, submit
from autograder.answers import load_answers
from instructor import ROOT
from instructor.course import answers, gradescope, release, term, translations
from instructor.grader import render, report
from instructor.tests import FULL, languages

KINDS = ("notebook", "readme", "messages")
OTHERS = translations.languages()
CJK = re.compile(r"[\u4e00-\u9fff]")


# -- the catalogs ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_text_has_a_current_translation_that_keeps_its_code_numbers_and_placeholders(kind, lang):
    """Each markdown cell, each block of the students' README and each message a student can read
    has a translation, not marked fuzzy, that keeps what it must; no entry is left over."""
    said = translations.problems(kind, lang)
    assert not said, "\n".join(said) + f"\n(run `python -m instructor translations --lang {lang}`)"


def test_the_messages_looked_for_are_the_ones_students_read():
    """The extraction finds the messages of every module that writes to a student, plural ones and
    the course table's titles included."""
    found = translations.message_units()
    where = {w.split(":")[0] for w, _ in found}
    assert {"autograder/notebook.py", "autograder/submit.py", "autograder/export.py", "instructor/grader/render.py",
            "instructor/grader/report.py", "instructor/course/release.py", "instructor/course/gradescope.py",
            "autograder/course.py"} <= where, sorted(where)
    ids = {msgid for _, msgid in found}
    for message in ("PASS  {check}: {message}", "All in order: hand it in.", "| part | what is checked | points |",
                    ("{question}: {n} point", "{question}: {n} points"), submit.ANSWER_PLACEHOLDER,
                    report.GRADER_WORDS, *course.PART_TITLES.values()):
        assert message in ids, message


# What a translation must keep, and a translation that loses it: (English, wrong translation, what it lacks).
LOSSES = [
    ("`Linear(784, 10)` has 7,850 parameters.", "`Linear(784, 10)` 有 7,851 个参数。", "7,850"),
    ("relative error at most 1e-6", "相对误差不超过 1e-5", "1e-6"),
    ("a shape `(N, 1, 28, 28)`", "形状 `(N, 28, 28)`", "`(N, 1, 28, 28)`"),
    (r"$\min_x \max_y xy = 0$", r"$\min_x xy = 0$", r"$\min_x \max_y xy = 0$"),
    ("<!-- *****START OF SOLUTION (DO NOT DELETE/MODIFY THIS LINE)***** -->\nNo.", "不能。", "START OF SOLUTION"),
    ("see [`accel/`](accel/__init__.py)", "见 `accel/`", "accel/__init__.py"),
    ("```bash\npip install jupyterlab  # if you have none\n```", "```bash\npip install jupyter  # 如果没有\n```",
     "pip install jupyterlab"),
    ("{TRAINED_SAMPLES:,} samples", "1,000 个样本", "{TRAINED_SAMPLES:,}"),
]


@pytest.mark.parametrize("english, wrong, lacking", LOSSES)
def test_a_translation_that_loses_code_a_number_or_a_formula_is_named(english, wrong, lacking):
    said = translations.differences(english, wrong)
    assert said and lacking in " ".join(said), said
    kept_all = english.replace("has", "有").replace("parameters", "个参数")  # words changed, the rest kept
    assert translations.differences(english, kept_all) == []


def test_a_message_whose_placeholders_differ_and_a_question_whose_heading_lost_its_number_are_named():
    assert translations.differences("{title}: {n} checks", "{title}：{count} 项检查", messages=True)
    assert translations.differences("{title}: {n} checks", "{n} 项检查：{title}", messages=True) == []  # reordered
    assert translations.differences("### Q4. A tiny minimax game", "### 第四题：最小最大博弈")
    assert translations.differences("### Q4. A tiny minimax game", "### Q4. 一个小小的最小最大博弈") == []


@pytest.fixture
def catalog_copy(tmp_path, monkeypatch):
    """The notebook and its translations copied into tmp_path, where translations.py reads them."""
    for rel in ("GANs-PyTorch.ipynb",) + tuple(os.path.relpath(translations.catalog_path(kind, lang), ROOT)
                                                 for kind in ("notebook", "readme") for lang in OTHERS):
        os.makedirs(tmp_path / os.path.dirname(rel), exist_ok=True)
        shutil.copyfile(os.path.join(ROOT, rel), tmp_path / rel)
    monkeypatch.setattr(translations, "ROOT", str(tmp_path))
    monkeypatch.setattr(translations, "NOTEBOOK", str(tmp_path / "GANs-PyTorch.ipynb"))
    return tmp_path


def edit_cell(path, heading, before, after):
    """The notebook at `path` with `before` replaced by `after` in the markdown cell that starts with
    `heading`; that cell's id."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown" and c["source"].startswith(heading))
    assert before in cell["source"]
    cell["source"] = cell["source"].replace(before, after)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
    return cell["id"]


@pytest.mark.parametrize("lang", OTHERS)
def test_a_cell_whose_english_changed_is_named_until_its_translation_is_reviewed(catalog_copy, lang):
    """The English of one cell edited: the cell is named, its old entry is stale, and the release
    refuses to build; `translations` keeps the old translation for review (fuzzy, the old English
    beside it); once reviewed, nothing is left to do."""
    cell = edit_cell(catalog_copy / "GANs-PyTorch.ipynb", "## Optimizer", "Radford et al. found",
                     "Radford et al. (2016) found")
    said = translations.problems("notebook", lang)
    assert len(said) == 2, said
    assert said[0].startswith(f"the markdown cell {cell} (## Optimizer) has no translation: its English changed")
    assert "matches no text any more (stale)" in said[1] and "## Optimizer" in said[1]
    with open(catalog_copy / "GANs-PyTorch.ipynb", encoding="utf-8") as f:
        nb = json.load(f)
    with pytest.raises(translations.Untranslated, match=f"the markdown cell {cell}"):
        release.release_notebook(nb, lang)

    catalog = translations.update("notebook", lang)  # what `python -m instructor translations` does first
    english = dict(translations.notebook_units())[cell]
    entry = catalog[english]
    assert entry.fuzzy and entry.previous_id and "Radford et al. found" in entry.previous_id[0]
    assert CJK.search(entry.string)  # the old translation, to review
    assert translations.problems("notebook", lang) == [
        f"the markdown cell {cell} (## Optimizer): its translation is marked fuzzy, for review after its English "
        "changed"]
    with open(translations.catalog_path("notebook", lang), encoding="utf-8") as f:
        assert "#| msgid" in f.read()  # the old English, shown to the translator
    entry.string = entry.string.replace("Radford 等人", "Radford 等人（2016）")
    entry.flags.discard("fuzzy")
    translations.save("notebook", lang, catalog)
    assert translations.problems("notebook", lang) == []
    assert "Radford 等人（2016）" in "".join(c["source"] for c in release.release_notebook(nb, lang)["cells"])


@pytest.mark.parametrize("lang", OTHERS)
def test_a_new_terms_numbers_reach_both_languages_with_one_rewrite(catalog_copy, lang):
    """What `term` does to the texts, on a copy: a wider discriminator's count and layer and a looser
    tolerance rewritten in the notebook and in both sides of its catalog's entries, which still match
    their cells; the release in `lang` says the new numbers, and none of the old."""
    # new numbers made from today's, so that the test holds in a term that has changed them already
    old = dict(term.facts(answers.PUBLIC), **term.tolerance_facts(f"LOSS_TOL = {course.LOSS_TOL!r}\n"))
    width = int(re.fullmatch(r"Linear\(784, (\d+)\)", old["d_linear_0"]).group(1))
    count = int(old["d_params_true"].replace(",", ""))
    new = dict(old, d_params_true=f"{2 * count + 1:,}", d_linear_0=f"Linear(784, {2 * width})",
               **term.tolerance_facts(f"LOSS_TOL = {course.LOSS_TOL * 10!r}\n"))
    rel = [os.path.relpath(p, catalog_copy) for p in (translations.NOTEBOOK, translations.catalog_path("notebook", lang))]
    assert term.rewrite(old, new, root=str(catalog_copy), texts=rel)[0] == rel
    assert translations.problems("notebook", lang) == []
    with open(translations.NOTEBOOK, encoding="utf-8") as f:
        text = "\n".join(c["source"] for c in release.release_notebook(json.load(f), lang)["cells"]
                         if c["cell_type"] == "markdown")
    changed = ("d_params_true", "d_linear_0", "loss_tol_" + lang)
    assert all(old[key] != new[key] for key in changed)
    assert all(new[key] in text for key in changed) and f"`{new['d_linear_0']}`" in text and CJK.search(text)
    assert not [old[key] for key in changed if old[key] in text]


def test_every_text_term_rewrites_includes_the_translations():
    for kind in KINDS:
        for lang in OTHERS:
            assert os.path.relpath(translations.catalog_path(kind, lang), ROOT) in term.TEXTS
    assert os.path.join("docs", "zh", "students.md") in term.TEXTS
    assert set(term.TOLERANCE_WORDS) == {"loss_tol"} | {f"loss_tol_{lang}" for lang in OTHERS}


# -- the release in each language -----------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The release in each language, built once: {lang: its folder}."""
    found = {}
    for lang in languages.LANGUAGES:
        found[lang] = tmp_path_factory.mktemp(f"release-{lang}") / "gan"
        release.build(str(found[lang]), lang)
    return found


def files_of(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_the_english_release_is_the_english_package_and_the_others_differ_only_in_words(built):
    """--lang en ships no catalog and the package's own course.py; another language adds its compiled
    catalog and says its language in course.py; every other file but the notebook and the README is
    the same in both."""
    en = files_of(built["en"])
    assert not any(rel.startswith("autograder/locale") for rel in en)
    assert (built["en"] / "autograder" / "course.py").read_bytes() == open(os.path.join(ROOT, "autograder", "course.py"),
                                                                          "rb").read()
    for lang in OTHERS:
        catalogs = {f"autograder/locale/{lang}/LC_MESSAGES/autograder.po",
                    f"autograder/locale/{lang}/LC_MESSAGES/autograder.mo"}
        assert set(files_of(built[lang])) == set(en) | catalogs
        for rel in en:
            if rel not in ("GANs-PyTorch.ipynb", "README.md", "autograder/course.py"):
                assert (built[lang] / rel).read_bytes() == (built["en"] / rel).read_bytes(), rel
        shipped = (built[lang] / "autograder" / "course.py").read_text(encoding="utf-8")
        assert shipped == (built["en"] / "autograder" / "course.py").read_text(encoding="utf-8").replace(
            'LANGUAGE = "en"', f'LANGUAGE = "{lang}"')


@pytest.mark.parametrize("lang", OTHERS)
def test_the_notebook_in_another_language_has_the_english_code_and_translated_markdown(built, lang):
    nb = nbformat.read(str(built[lang] / "GANs-PyTorch.ipynb"), as_version=4)
    nbformat.validate(nb)
    english = nbformat.read(str(built["en"] / "GANs-PyTorch.ipynb"), as_version=4)
    assert [c.cell_type for c in nb.cells] == [c.cell_type for c in english.cells]
    for cell, original in zip(nb.cells, english.cells):
        if cell.cell_type == "code":
            assert cell.source == original.source and cell.outputs == []
        else:
            assert CJK.search(cell.source), cell.source[:200]
            assert "SOLUTION" not in cell.source
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    placeholder = languages.in_language(lang, submit.ANSWER_PLACEHOLDER)
    assert placeholder != submit.ANSWER_PLACEHOLDER and text.count(placeholder) == 6
    assert "鞍点" not in text  # Q4's reference answer stays in the instructor's notebook


@pytest.mark.parametrize("lang", OTHERS)
def test_the_readme_in_another_language_keeps_the_english_code_and_headings(built, lang):
    english, translated = ((built[x] / "README.md").read_text(encoding="utf-8") for x in ("en", lang))
    code = [re.sub(r"\s*#.*", "", block) for block in re.findall(r"```.*?```", english, re.S)]
    assert code == [re.sub(r"\s*#.*", "", block) for block in re.findall(r"```.*?```", translated, re.S)]
    assert translations.headings(english) == translations.headings(translated)
    assert CJK.search(translated) and "In all:" not in translated


@pytest.mark.parametrize("lang", OTHERS)
def test_a_release_speaks_the_language_its_course_py_says_without_babel(built, lang, tmp_path):
    """In the release the compiled catalog is read by the standard library alone (a Babel that cannot
    be imported changes nothing); GAN_LANGUAGE overrides the course's language."""
    (tmp_path / "babel").mkdir()
    (tmp_path / "babel" / "__init__.py").write_text("raise ImportError('no Babel here')\n")
    script = ("from autograder import i18n; from autograder.i18n import _\n"
              "print(i18n.language(), _('All in order: hand it in.'), _('a message no catalog has'))")
    said = {}
    for override in (None, "en"):
        env = languages.environment(PYTHONPATH=str(tmp_path), **({"GAN_LANGUAGE": override} if override else {}))
        out = subprocess.run([sys.executable, "-c", script], cwd=built[lang], env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        said[override] = out.stdout.strip()
    assert said[None] == f"{lang} {languages.in_language(lang, 'All in order: hand it in.')} a message no catalog has"
    assert CJK.search(said[None]) and said["en"] == "en All in order: hand it in. a message no catalog has"


# -- the messages -----------------------------------------------------------------------------------

def test_the_course_language_comes_from_course_py_and_the_environment_overrides_it(monkeypatch):
    monkeypatch.delenv("GAN_LANGUAGE", raising=False)
    assert i18n.language() == course.LANGUAGE == "en"
    monkeypatch.setattr(course, "LANGUAGE", "zh")
    assert i18n.language() == "zh" and i18n._("All in order: hand it in.") != "All in order: hand it in."
    monkeypatch.setenv("GAN_LANGUAGE", "en")
    assert i18n._("All in order: hand it in.") == "All in order: hand it in."
    monkeypatch.setenv("GAN_LANGUAGE", "fr")  # no such translation: English
    assert i18n.language() == "en"


def noise_part(returns_none):
    """A gan module whose sample_noise is the reference's, or returns None."""
    import gan

    return types.SimpleNamespace(sample_noise=(lambda *a, **k: None) if returns_none else gan.sample_noise)


@pytest.mark.parametrize("lang", languages.LANGUAGES)
def test_a_check_cell_says_its_verdicts_in_the_course_language(monkeypatch, capsys, lang):
    monkeypatch.setenv("GAN_LANGUAGE", lang)
    public = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    said = {}
    for wrong in (True, False):
        notebook.run_part("noise", gan=noise_part(wrong), device="cpu", answers=public)
        said[wrong] = capsys.readouterr().out
    p = f"{course.POINTS['noise']:g}"
    words = {"en": ("FAIL  noise_shape_and_dtype: ", f"Random noise: 0/5 checks passed on cpu: 0 of {p} points.",
                    "PASS  noise_shape_and_dtype: ", f"Random noise: 5/5 checks passed on cpu: {p} of {p} points."),
             "zh": ("未通过  noise_shape_and_dtype：", f"随机噪声：在 cpu 上通过了 0/5 项检查，得 0 分（满分 {p} 分）。",
                    "通过  noise_shape_and_dtype：", f"随机噪声：在 cpu 上通过了 5/5 项检查，得 {p} 分（满分 {p} 分）。")}[lang]
    assert said[True].startswith(words[0]) and said[True].rstrip().endswith(words[1]), said[True]
    assert said[False].startswith(words[2]) and said[False].rstrip().endswith(words[3]), said[False]


def common_mistakes():
    """The first mistake of each part in the mistake set that touches only that part's functions."""
    from instructor.tests.mistakes import cases

    first = {}
    for case in cases.CASES:
        if case["kind"] == "wrong" and not case["top"] and {cases.PART_OF[f] for f in case["blocks"]} == {case["part"]}:
            first.setdefault(case["part"], case)
    return list(first.values())


IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+|[A-Za-z]\w*_\w*")  # torch.rand, sample_noise, kernel_size
ENGLISH = re.compile(r"\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b")  # three English words in a row: a sentence left untranslated


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("case", common_mistakes(), ids=lambda case: case["id"])
def test_a_common_mistake_is_named_first_in_the_course_language_with_the_same_facts(case, lang, monkeypatch,
                                                                                      tmp_path):
    """The first failed check's message of one common mistake per part, in English and in `lang`:
    the translation is in `lang`, with every number, identifier and layer of the English."""
    from autograder.judge import judge
    from autograder.produce import produce
    from autograder.produce.importing import import_student
    from instructor.tests.mistakes.run import compose

    path = tmp_path / "gan.py"
    path.write_text(compose(pathlib.Path(ROOT, "gan.py").read_text(encoding="utf-8"), case), encoding="utf-8")
    public = load_answers(os.path.join(ROOT, "gan-checks.npz"))
    module, _left_out, failure, _, changes = import_student(str(path), name=f"gan_{case['id']}")
    assert module is not None, failure
    first = {}
    for each in ("en", lang):
        monkeypatch.setenv("GAN_LANGUAGE", each)
        results = judge(case["part"], produce(case["part"], module, "cpu", public, changes=changes), public)
        first[each] = next(message for _name, ok, message in results if not ok)
    english, translated = first["en"], first[lang]
    assert CJK.search(translated) and not CJK.search(english), (english, translated)
    facts = translations.NUMBER.findall(english) + IDENTIFIER.findall(english)
    assert [f for f in facts if f not in translated] == [], (english, translated)
    rest = IDENTIFIER.sub(" ", re.sub(r"\w+\([^()]*(?:\([^()]*\)[^()]*)*\)", " ", translated))  # layers and calls
    assert not ENGLISH.search(rest), (english, translated)


@pytest.mark.parametrize("lang", OTHERS)
def test_the_hand_in_names_what_the_notebook_lacks_in_the_course_language(built, monkeypatch, lang):
    monkeypatch.setenv("GAN_LANGUAGE", lang)
    nb = nbformat.read(str(built[lang] / "GANs-PyTorch.ipynb"), as_version=4)
    problems = submit.notebook_problems(nb)
    assert len(problems) == 1 + 6 + 1 and all(CJK.search(p) for p in problems), problems
    for i in range(1, 7):
        assert languages.in_language(lang, "the answer to {question} is not written yet.").format(
            question=f"Q{i}") in problems
    assert languages.in_language(lang, "the table of {question} still has None in it.").format(question="Q4") in problems
    assert CJK.search(submit.points_line({"noise": 1.0}))


def a_report(failed=False):
    """A report as the grader makes it: every part at full points, sealed, or one the grader failed."""
    start = time.time()
    if failed:
        return report.failed("/submission/gan.py", "cpu", RuntimeError("boom"), start)
    parts = [{"part": p, "title": course.PART_TITLES[p], "points": course.POINTS[p], "max_points": course.POINTS[p],
              "checks": [(f"{p}_check", True, "right")]} for p in course.GRADED]
    return report.new("/submission/gan.py", "cpu", parts, start, training_smoke=[("smoke", True, "")],
                      isolation={"mode": "sealed", "reason": None, "cgroup": True})


ENGLISH_WORDS = ("Autograder report", "total", "graded by hand", "isolation:", "first failure", "| part |",
                 "The grader failed", "THE GRADER FAILED", "not graded:", "PASS", "FAIL")


@pytest.mark.parametrize("lang", OTHERS)
def test_the_grader_report_is_in_the_course_language(monkeypatch, lang):
    """The text (grade, batch), the Markdown and results.json (Gradescope): its fixed words and the
    parts' names in `lang`, the columns of the text aligned as a terminal shows them."""
    monkeypatch.setenv("GAN_LANGUAGE", lang)
    for failed in (False, True):
        graded = a_report(failed)
        text, markdown = render.report_text(graded), render.report_markdown(graded)
        results = render.gradescope_results(graded)
        for shown in (text, markdown, results["output"]):
            assert CJK.search(shown) and not [w for w in ENGLISH_WORDS if w in shown], shown
        names = [test["name"] for test in results["tests"]]
        assert names == [languages.in_language(lang, course.PART_TITLES[p]) for p in course.GRADED]
        assert all(CJK.search(test["output"]) and "PASS" not in test["output"] for test in results["tests"])
        rows = [line for line in text.splitlines() if re.search(r"\d+ / \d+ ", line)]
        assert len(rows) == len(course.GRADED) + 1
        assert len({i18n.width(row.split(" / ")[0]) for row in rows}) == 1, rows  # the points in one column


@pytest.mark.parametrize("lang", languages.LANGUAGES)
def test_the_gradescope_zip_ships_the_language_it_was_built_in(tmp_path, lang):
    with zipfile.ZipFile(gradescope.build(str(tmp_path / "autograder.zip"), lang)) as zf:
        names = set(zf.namelist())
        shipped = zf.read("autograder/course.py").decode("utf-8")
        catalogs = {n for n in names if n.startswith("autograder/locale/")}
        if lang == "en":
            assert not catalogs and shipped == open(os.path.join(ROOT, "autograder", "course.py"),
                                                    encoding="utf-8").read()
            return
        assert f'\nLANGUAGE = "{lang}"\n' in shipped
        assert catalogs == {f"autograder/locale/{lang}/LC_MESSAGES/autograder.po",
                            f"autograder/locale/{lang}/LC_MESSAGES/autograder.mo"}
        import gettext
        import io

        compiled = gettext.GNUTranslations(io.BytesIO(zf.read(f"autograder/locale/{lang}/LC_MESSAGES/autograder.mo")))
    assert compiled.gettext("Random noise") == languages.in_language(lang, "Random noise") != "Random noise"


# -- every path, in Chinese, for the reference ------------------------------------------------------

def filled(folder):
    """The release at `folder` with the reference's blocks pasted back, as a student finishes it."""
    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        blocks = release.solution_blocks(f.read())
    stripped = (folder / "gan.py").read_text(encoding="utf-8")
    (folder / "gan.py").write_text(release.fill_code(stripped, blocks), encoding="utf-8")
    return folder / "gan.py"


@pytest.mark.slow
@pytest.mark.parametrize("lang", OTHERS)
def test_the_release_filled_with_the_reference_gets_full_marks_in_its_language(built, tmp_path, lang):
    """The translated release, filled: `python -m autograder.submit --checks-only` predicts full marks
    in `lang`, `grade --lang` gives them with a report in `lang`, and so does the zip built in `lang`."""
    from instructor.tests.test_grading import run_gradescope

    folder = tmp_path / "gan"
    shutil.copytree(built[lang], folder)
    gan_py = filled(folder)
    out = subprocess.run([sys.executable, "-m", "autograder.submit", "--checks-only"], cwd=folder,
                         env=languages.environment(), capture_output=True, text=True, timeout=600)
    assert out.returncode == 1, out.stdout[-3000:] + out.stderr[-2000:]  # no dcgan_generator.pt: not all in order
    score = languages.in_language(lang, "Predicted autograder score: {total} / {most} points (and up to {manual} more "
                                        "for the questions graded by hand). The autograder runs these same checks on "
                                        "the CPU with inputs of its own.")
    assert score.split("{total}")[0] + f"{FULL:g} / {FULL:g}" in out.stdout, out.stdout[-3000:]
    for part in course.PARTS:
        assert languages.in_language(lang, course.PART_TITLES[part]) in out.stdout
    results = tmp_path / "results.json"
    out = subprocess.run([sys.executable, "-m", "instructor", "grade", str(gan_py), "--lang", lang, "--results",
                          str(results)], cwd=ROOT, env=languages.environment(), capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert CJK.search(out.stdout) and not [w for w in ENGLISH_WORDS[:5] if w in out.stdout], out.stdout[:3000]
    graded = json.loads(results.read_text(encoding="utf-8"))
    assert graded["score"] == FULL and CJK.search(graded["output"])
    _, gradescope_results, _ = run_gradescope(tmp_path / "zip", gan_py, lang=lang)
    assert gradescope_results["score"] == FULL
    assert [t["name"] for t in gradescope_results["tests"]] == [t["name"] for t in graded["tests"]]
