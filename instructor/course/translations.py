"""The translations of what a student reads, each a gettext catalog (a PO file) beside its English:

  autograder/locale/<lang>/LC_MESSAGES/autograder.po
      the messages, each written once in English inside `_()` (autograder/, instructor/grader/,
      instructor/course/), and the course table's part titles;
  instructor/course/<lang>/GANs-PyTorch.po
      one entry per markdown cell of the notebook: msgid the cell's English source exactly, msgstr
      its translation, the cell's id as its reference (`#:`);
  instructor/course/<lang>/student-README.md.po
      one entry per block (paragraph, list, heading, code block) of student-README.md, its line
      as its reference.

The English is the source: a cell or a block whose English changed no longer matches its entry,
and problems() names it. `python -m instructor translations` merges the catalogs with today's
English as msgmerge does (a changed text keeps its old translation, marked fuzzy, with the old
English beside it as `#| msgid`, for the translator to review) and lists what is left to do.
The release (`--lang zh`) writes each markdown cell and each block of the README as its msgstr,
and refuses to build while one has no current translation; a message with none is shown in English.
"""
import datetime
import io
import os
import re

from autograder import course, i18n
from instructor import ROOT

NOTEBOOK = os.path.join(ROOT, "GANs-PyTorch.ipynb")
README = os.path.join(ROOT, "instructor", "course", "student-README.md")
# Where the messages are looked for: every `_()`, `N_()` and `ngettext()` of these folders' modules.
MESSAGE_FOLDERS = ("autograder", os.path.join("instructor", "grader"), os.path.join("instructor", "course"))
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# The course table's words a student reads besides its part titles (the students' README quotes them).
COURSE_WORDS = ("TRAINED_TYPICAL", "NOT_IMPLEMENTED")
HEADER = "Translations of the GAN assignment and its autograder ({what}).\nThe English is the source: see " \
         "instructor/course/translations.py.\n"
DATE = datetime.datetime(2026, 12, 6, tzinfo=datetime.timezone.utc)  # fixed: a rewrite changes no header line


def catalog_path(kind, lang):
    """The PO file of `kind` ("messages", "notebook" or "readme") in `lang`."""
    if kind == "messages":
        return i18n.catalog_path(lang)
    name = {"notebook": "GANs-PyTorch.po", "readme": "student-README.md.po"}[kind]
    return os.path.join(ROOT, "instructor", "course", lang, name)


def languages():
    """The languages the package has translations for (English, the source, left out)."""
    return [lang for lang in i18n.LANGUAGES if lang != "en"]


# -- what is translated -------------------------------------------------------------------------

def notebook_units(nb=None):
    """[(cell id, English source)] of the notebook's markdown cells, in order."""
    import json

    if nb is None:
        with open(NOTEBOOK, encoding="utf-8") as f:
            nb = json.load(f)
    return [(cell.get("id", str(i)), _source(cell)) for i, cell in enumerate(nb["cells"])
            if cell["cell_type"] == "markdown" and _source(cell).strip()]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def blocks(text):
    """The Markdown text cut into its blocks, [(line of the block, block, what follows it)]: a block
    runs to the next blank line outside a code fence; joining each block and what follows it gives
    the text back."""
    found, lines, start, fence = [], text.split("\n"), 0, False
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("```"):
            fence = not fence
        if not fence and not lines[i].strip():
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            if i > start:
                found.append((start + 1, "\n".join(lines[start:i]), "\n" * (j - i + (j < len(lines)))))
            start, i = j, j
            continue
        i += 1
    if start < len(lines):
        found.append((start + 1, "\n".join(lines[start:]), ""))
    return found


def _translated_block(block):
    """Whether a README block is written for readers: an HTML comment alone is the release's marker."""
    return not re.fullmatch(r"\s*<!--.*?-->\s*", block, re.S)


def readme_units(text=None):
    """[(line, English block)] of the students' README template."""
    if text is None:
        with open(README, encoding="utf-8") as f:
            text = f.read()
    return [(f"student-README.md:{line}", block) for line, block, _after in blocks(text) if _translated_block(block)]


def message_units():
    """[(where, msgid)] of every message a student can read: the catalog's keywords in the
    modules of MESSAGE_FOLDERS, and the course table's part titles. A plural message's msgid is
    the pair (singular, plural)."""
    from babel.messages.extract import extract_from_file

    found = []
    for folder in MESSAGE_FOLDERS:
        for base, dirs, names in os.walk(os.path.join(ROOT, folder)):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "tests", "locale"))
            for name in sorted(n for n in names if n.endswith(".py")):
                path = os.path.join(base, name)
                rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
                for line, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
                    found.append((f"{rel}:{line}", message))
    found += [(f"autograder/course.py:PART_TITLES[{part!r}]", title) for part, title in course.PART_TITLES.items()]
    found += [(f"autograder/course.py:{name}", getattr(course, name)) for name in COURSE_WORDS]
    return found


def units(kind, lang=None):
    return {"messages": message_units, "notebook": notebook_units, "readme": readme_units}[kind]()


# -- catalogs -----------------------------------------------------------------------------------

def read(path, lang):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if not os.path.exists(path):
        return Catalog(locale=lang, creation_date=DATE, revision_date=DATE)
    with open(path, "rb") as f:
        return read_po(f, locale=lang)


def write(path, catalog, what, lines=True):
    """Write a catalog deterministically: no line wrapping (a count or a layer such as
    `Linear(784, 1024)` stays on one line, where `term` finds it), fixed dates, the old English of
    a fuzzy entry beside it."""
    from babel.messages.pofile import write_po

    catalog.header_comment = "# " + HEADER.format(what=what).replace("\n", "\n# ").rstrip("# ").rstrip()
    catalog.project, catalog.version = "GANs in PyTorch", "1"
    catalog.creation_date = catalog.revision_date = DATE
    catalog.last_translator = catalog.language_team = ""
    catalog.fuzzy = False
    catalog.msgid_bugs_address = ""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, include_previous=True, include_lineno=lines)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = re.sub(r'^"(Last-Translator|Language-Team|Report-Msgid-Bugs-To|Generated-By): .*\n', "",
                  buffer.getvalue().decode("utf-8"), flags=re.M)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def template(found):
    """A catalog holding the English of `found` ([(where, msgid)]), one entry per msgid."""
    from babel.messages.catalog import Catalog

    made = Catalog(creation_date=DATE)
    for where, msgid in found:
        if msgid in made:
            made[msgid].locations.append(_location(where))
        else:
            made.add(msgid, locations=[_location(where)])
    return made


def _location(where):
    name, _sep, line = where.rpartition(":")
    return (name, int(line)) if name and line.isdigit() else (where, None)


def update(kind, lang):
    """Merge the catalog of `kind` in `lang` with today's English (as msgmerge does) and write it;
    returns the catalog."""
    catalog = read(catalog_path(kind, lang), lang)
    catalog.update(template(units(kind)), no_fuzzy_matching=False, update_header_comment=False)
    for message in catalog:
        if kind != "messages":
            message.flags.discard("python-brace-format")  # their braces are TeX's and Markdown's
    for msgid in [key for key, message in catalog.obsolete.items() if not any(_strings(message))]:
        del catalog.obsolete[msgid]  # an old text no one translated: nothing to keep
    save(kind, lang, catalog)
    return catalog


def save(kind, lang, catalog):
    """Write the catalog of `kind` in `lang` (the messages' references without line numbers, which
    every edit of a module would change)."""
    write(catalog_path(kind, lang), catalog, {"messages": "the messages", "notebook": "GANs-PyTorch.ipynb",
                                              "readme": "instructor/course/student-README.md"}[kind],
          lines=kind != "messages")


# -- what a translation must keep ---------------------------------------------------------------

FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.S | re.M)
KEPT = [
    re.compile(r"`[^`\n]+`"),  # code
    re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S),  # formulas
    re.compile(r"<!--.*?-->", re.S),  # the solution markers
    re.compile(r"\]\(([^)\s]+)\)"),  # where a link or an image points
    re.compile(r"\{[A-Za-z_][\w.\[\]']*(?::[^{}\s]*)?\}"),  # a message's placeholders
    re.compile(r"https?://\S+?(?=[\s)>`]|$)"),  # an address
]
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(?:Q\d+|\d+x\d+|\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?)(?![A-Za-z0-9_])")
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*(?::[^{}]*)?\}")


def kept(text):
    """What a translation keeps exactly as the English has it: code (inline, and a code block's
    lines without their comments), formulas, the solution markers, links, placeholders and
    numbers (counts, sizes, shapes, tolerances, years, Q4)."""
    found = []
    for block in FENCE.findall(text):
        found += [line.split("#", 1)[0].rstrip() for line in block.splitlines() if line.split("#", 1)[0].strip()]
    rest = FENCE.sub(" ", text)
    for pattern in KEPT:
        found += [m.group(1) if pattern.groups else m.group(0) for m in pattern.finditer(rest)]
        rest = pattern.sub(" ", rest)
    found += NUMBER.findall(rest)
    return found


def headings(text):
    """The Markdown headings' levels, and each question's number (### Q4.), outside code."""
    outside = FENCE.sub("", text)
    return [(len(m.group(1)), m.group(2)) for m in re.finditer(r"^(#{1,6}) +(Q\d+\.)?", outside, re.M)]


def differences(english, translated, messages=False):
    """Sentences on what the translation of `english` does not keep of it ([] when it keeps all)."""
    said = []
    lacking = sorted(set(kept(english)) - set(kept(translated)))
    if lacking:
        said.append("lacks " + " ; ".join(f"<{item}>" for item in lacking[:6]) + (" ..." if len(lacking) > 6 else ""))
    if messages and sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(translated)):
        said.append(f"has the placeholders {sorted(PLACEHOLDER.findall(translated))}, the English "
                    f"{sorted(PLACEHOLDER.findall(english))}")
    if headings(english) != headings(translated):
        said.append(f"has the headings {headings(translated)}, the English {headings(english)}")
    return said


# -- what is left to do -------------------------------------------------------------------------

def _name(kind, where, english):
    first = next((line.strip() for line in english.splitlines() if line.strip()), "")
    first = first[:60] + ("..." if len(first) > 60 else "")
    return {"notebook": f"the markdown cell {where} ({first})", "readme": f"the README's block at {where} ({first})",
            "messages": f"the message of {where} ({first!r})"}[kind]


def _strings(message):
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def current(catalog, msgid):
    """The entry translating `msgid` where it is translated and not marked fuzzy, else None."""
    message = catalog.get(msgid)
    if message is None or message.fuzzy or not all(_strings(message)):
        return None
    return message


def problems(kind, lang):
    """Sentences naming each text of `kind` that has no current translation in `lang`, whose translation
    does not keep what it must (kept(), placeholders, headings), and each entry that matches no text."""
    catalog = read(catalog_path(kind, lang), lang)
    found, said = units(kind), []
    by_place = {loc: m for m in catalog if m.id for loc in m.locations}
    for where, msgid in found:
        english = msgid if isinstance(msgid, str) else msgid[0]
        message = catalog.get(msgid)
        if message is None or not any(_strings(message)):
            old = by_place.get(_location(where))
            said.append(f"{_name(kind, where, english)} has no translation"
                        + (": its English changed since it was translated" if old is not None and kind == "notebook"
                           else ""))
        elif message.fuzzy:
            said.append(f"{_name(kind, where, english)}: its translation is marked fuzzy, for review after its "
                        "English changed")
        else:
            pairs = [(msgid, message.string)] if isinstance(msgid, str) else [(msgid[-1], s) for s in _strings(message)]
            for source, translated in pairs:
                said += [f"{_name(kind, where, english)}: its translation {d}"
                         for d in differences(source, translated, messages=kind == "messages")]
    wanted = {msgid for _where, msgid in found}
    said += [f"an entry of {os.path.relpath(catalog_path(kind, lang), ROOT)} matches no text any more (stale): "
             f"{(m.id if isinstance(m.id, str) else m.id[0]).splitlines()[0][:60]!r}"
             for m in catalog if m.id and m.id not in wanted]
    return said


class Untranslated(ValueError):
    """A release in a language whose translation of the notebook or the README is not current."""


def translated(kind, lang, sources):
    """[translation of each English text of `sources`] of `kind` in `lang`; Untranslated names each
    text without a current translation."""
    catalog = read(catalog_path(kind, lang), lang)
    out, missing = [], []
    for where, english in sources:
        message = current(catalog, english)
        out.append(message.string if message else None)
        if message is None:
            missing.append(_name(kind, where, english))
    if missing:
        raise Untranslated(f"no current {lang} translation of " + "; ".join(missing)
                           + f" (in {os.path.relpath(catalog_path(kind, lang), ROOT)}): run `python -m instructor "
                           f"translations --lang {lang}`, translate what it lists, then build again")
    return out


def translate_notebook(nb, lang):
    """A copy of the notebook (a dict, as json reads it) whose markdown cells are in `lang`; code cells as they are."""
    import json

    nb = json.loads(json.dumps(nb))
    cells = [cell for cell in nb["cells"] if cell["cell_type"] == "markdown" and _source(cell).strip()]
    for cell, text in zip(cells, translated("notebook", lang, notebook_units(nb))):
        cell["source"] = text
    nb["metadata"]["language"] = lang  # read by nothing of ours; says what a reader gets
    return nb


def translate_readme(text, lang):
    """The students' README template with each block in `lang` (an HTML comment alone, the
    release's marker, kept as it is)."""
    pieces = blocks(text)
    wanted = [(f"student-README.md:{line}", block) for line, block, _after in pieces if _translated_block(block)]
    done = iter(translated("readme", lang, wanted))
    return "".join((next(done) if _translated_block(block) else block) + after for _line, block, after in pieces)


def main(args):
    langs = [args.lang] if args.lang else languages()
    left = 0
    for lang in langs:
        for kind in ("messages", "notebook", "readme"):
            update(kind, lang)
            said = problems(kind, lang)
            left += len(said)
            print(f"{os.path.relpath(catalog_path(kind, lang), ROOT)}: "
                  + ("every text translated" if not said else f"{len(said)} to do"))
            for sentence in said:
                print(f"  {sentence}")
    if left:
        raise SystemExit(1)


# -- what a release in a language ships ----------------------------------------------------------

COURSE_PY = os.path.join("autograder", "course.py")
LOCALE = os.path.relpath(i18n.LOCALE, ROOT)


def course_source(lang):
    """autograder/course.py as a release in `lang` ships it: LANGUAGE says `lang`."""
    with open(os.path.join(ROOT, COURSE_PY), encoding="utf-8") as f:
        text, n = re.subn(r'^LANGUAGE = .*$', f'LANGUAGE = "{lang}"', f.read(), count=1, flags=re.M)
    if n != 1:
        raise ValueError(f"{COURSE_PY} has no line `LANGUAGE = ...` to write the language into")
    return text


def is_catalog(rel):
    """Whether a file of the package (relative to ROOT) is one of the message catalogs."""
    return rel.replace(os.sep, "/").startswith(LOCALE.replace(os.sep, "/") + "/")


def shipped_catalogs(lang):
    """{path relative to ROOT: bytes} of the message catalogs a release in `lang` ships: its .po and
    the .mo compiled from it (none for English, the messages as written)."""
    if lang == "en":
        return {}
    po = i18n.catalog_path(lang)
    with open(po, "rb") as f:
        text = f.read()
    return {os.path.relpath(po, ROOT): text, os.path.relpath(i18n.catalog_path(lang, ".mo"), ROOT): i18n.compile_po(po)}
