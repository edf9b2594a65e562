"""The language a student reads: every message of the check cells, the hand-in command and
the grader's report is written once in English, inside `_()`, and translated in a gettext
catalog beside this module (locale/<language>/LC_MESSAGES/autograder.po).

The course's language is course.LANGUAGE ("en" here; the release and the Gradescope zip built
with `--lang zh` ship a course.py that says "zh"); the environment variable GAN_LANGUAGE
overrides it. A message with no translation is shown in English.

The standard library's gettext reads compiled catalogs (.mo). The release and the Gradescope
zip compile them from the .po files when they are built; the instructor's package keeps only
the .po files, and compiles one in memory here when Babel is installed (the instructor's
requirements have it); without either, every message is shown in English.

Write a message with named placeholders and format it after translating it, so that a
translation may put them in its own order:

    _("{title}: {passed}/{total} checks passed").format(title=..., passed=..., total=...)
"""
import gettext
import io
import os

from autograder import course

DOMAIN = "autograder"
LOCALE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
LANGUAGES = ("en", "zh")  # English first: the language every message is written in
ENVIRONMENT = "GAN_LANGUAGE"


def language():
    """The language messages are shown in: GAN_LANGUAGE if it names one of LANGUAGES, else the
    course's (course.LANGUAGE)."""
    chosen = os.environ.get(ENVIRONMENT) or getattr(course, "LANGUAGE", "en")
    return chosen if chosen in LANGUAGES else "en"


def use(lang):
    """Show messages in `lang` from now on, in this process and the processes it starts."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    os.environ[ENVIRONMENT] = lang


def catalog_path(lang, suffix=".po", locale=LOCALE):
    return os.path.join(locale, lang, "LC_MESSAGES", DOMAIN + suffix)


def compile_po(po_path):
    """The .mo bytes of a .po file (Babel), leaving out fuzzy and untranslated entries."""
    from babel.messages import mofile, pofile

    with open(po_path, "rb") as f:
        catalog = pofile.read_po(f)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


_cache = {}


def _read(path):
    """The translations in the catalog at `path`: a compiled .mo, or a .po compiled in memory (Babel)."""
    if path.endswith(".mo"):
        with open(path, "rb") as f:
            return gettext.GNUTranslations(f)
    return gettext.GNUTranslations(io.BytesIO(compile_po(path)))


def translation(lang=None):
    """The gettext translations of `lang` (default: language()): from the newer of its compiled
    catalog and its .po, the other where that one cannot be read (a .po without Babel, as in a
    release whose files carry any times); English (the messages as written) where neither can.
    A catalog read once is kept when its files vanish (the sandbox's parts see no files)."""
    lang = lang or language()
    if lang == "en":
        return gettext.NullTranslations()
    po, mo = catalog_path(lang), catalog_path(lang, ".mo")
    stamps = tuple(os.stat(p).st_mtime_ns if os.path.exists(p) else None for p in (po, mo))
    if _cache.get(lang, (None,))[0] != stamps and not (stamps == (None, None) and lang in _cache):
        found = gettext.NullTranslations()
        newer_mo = stamps[1] is not None and (stamps[0] is None or stamps[1] >= stamps[0])
        pairs = [(po, stamps[0]), (mo, stamps[1])]
        for path, stamp in pairs[::-1] if newer_mo else pairs:
            if stamp is None:
                continue
            try:
                found = _read(path)
                break
            except Exception:  # no Babel, or a damaged catalog (a cut .mo raises struct.error): the other, or English
                continue
        _cache[lang] = (stamps, found)
    return _cache[lang][1]


def _(message):
    """`message` in the course's language (itself where it has no translation)."""
    return translation().gettext(message)


def ngettext(singular, plural, n):
    """The form of a message that goes with the number n, in the course's language."""
    return translation().ngettext(singular, plural, n)


def N_(message):
    """Marks a message for the catalog where it is defined; `_()` translates it where it is shown."""
    return message


def width(text):
    """The columns `text` takes in a terminal: two for each wide character (Chinese), one for the rest."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text, columns, right=False):
    """`text` padded with spaces to `columns` columns as a terminal shows them (str.ljust counts
    characters, and a Chinese character takes two columns)."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill
