"""The languages a release is built in, for the tests that run in each: English everywhere, the
other languages where it costs little and under `slow` where it costs a training or a grading."""
import json
import os

import pytest

from autograder import i18n
from instructor.course import notebook, translations

LANGUAGES = ["en"] + translations.languages()

# How each language's notebook words what the tests read in it.
COLAB = {  # the set-up cell for Colab: a phrase that finds it, and the list of what to upload
    "en": ("On Google Colab", r"upload the whole assignment folder \((.*?)\)"),
    "zh": ("在 Google Colab 上", r"整个作业文件夹（(.*?)）"),
}
QUESTION_POINTS = {  # a question's heading, and how it gives its points: (question, label)
    "en": (r"^### (Q\d)\..*\*\((not graded|\d+ points?, graded by hand)\)\*$", "not graded"),
    "zh": (r"^### (Q\d)\..*\*（(不计分|\d+ 分，人工评分)）\*$", "不计分"),
}

FAIL = {"en": "FAIL  ", "zh": "未通过  "}  # how a check cell starts the line of a check that failed


def each(slow=True):
    """pytest parameters, one per language: English as it is, the others marked slow where `slow`."""
    return [pytest.param(lang, marks=[pytest.mark.slow] if slow and lang != "en" else [], id=lang)
            for lang in LANGUAGES]


def instructor_notebook(lang):
    """The instructor's notebook (a dict, as json reads it), its markdown in `lang`."""
    with open(notebook.NOTEBOOK, encoding="utf-8") as f:
        nb = json.load(f)
    return nb if lang == "en" else translations.translate_notebook(nb, lang)


def in_language(lang, message):
    """A message of the catalog as `lang` shows it."""
    return i18n.translation(lang).gettext(message)


def environment(**more):
    """This process's environment for a command run in a release: without GAN_LANGUAGE, so that the
    release speaks the language its own course.py says."""
    env = {k: v for k, v in os.environ.items() if k != i18n.ENVIRONMENT}
    env.update(more)
    return env
