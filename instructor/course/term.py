"""A new term in one command: `python -m instructor term`.

After an edit of the reference solution (gan.py between its solution markers), of
POINTS or of a tolerance (autograder/course.py), everything that follows from them is
made again, in order:

1. the answer files, from the reference (course.answers);
2. the texts that quote the reference's parameter counts and layers (gan.py's docstrings,
   the notebook, both READMEs, the guide, the checks' comments): a count, a Linear's sizes,
   a convolution's or a transposed convolution's settings and a BatchNorm's size that
   changed are rewritten wherever they were quoted;
3. the student release and the Gradescope zip (course.release, course.gradescope);
4. a grading of the new reference, which must get full marks, and of last term's
   reference (gan.py as git's HEAD has it, or --last), to show which parts changed.

It says which files it rewrote, what it found and could not rewrite (file and line: a size
written as a product, 7 * 7 * 128, a shape such as (N, 128, 7, 7), words that stand for a
layer that changed and one that did not), what to measure again (the trained DCGAN's bar
after a change of the DC generator), and exits with 1 where the new reference does not get
full marks.
"""
import json
import math
import os
import re
import subprocess
import tempfile

from instructor import ROOT

def _translations():
    """The translations' catalogs (notebook, students' README, messages), in every language: a count
    is rewritten in an entry's English (msgid) and in its translation (msgstr) alike, so that the
    entry still matches its text (instructor/course/translations.py)."""
    from instructor.course import translations

    return tuple(os.path.relpath(translations.catalog_path(kind, lang), ROOT)
                 for lang in translations.languages() for kind in ("notebook", "readme", "messages"))


def _guide():
    """The guide's pages, its pages in other languages (docs/<lang>/) included."""
    return tuple(os.path.relpath(os.path.join(base, name), ROOT)
                 for base, _dirs, names in sorted(os.walk(os.path.join(ROOT, "docs")))
                 for name in sorted(names) if name.endswith(".md"))


# Where the reference's numbers are quoted in words; a changed count is rewritten there.
TEXTS = ("gan.py", "GANs-PyTorch.ipynb", "README.md", os.path.join("instructor", "course", "student-README.md"),
         os.path.join("autograder", "course.py")) + _translations() + _guide()
# The answer-file keys that hold parameter counts the texts quote, and the models whose layers they describe.
COUNTS = ("d_params_true", "g_params_true", "dc_d_params_true", "dc_g_params_true", "trained_params_true")
MODELS = ("d", "g", "dc_d", "dc_g")


CONVOLUTIONS = ("Conv2d", "ConvTranspose2d")
NORMS = ("BatchNorm1d", "BatchNorm2d")


def _square(value):
    """'(5, 5)' -> '5', as the texts write a square kernel or an even stride; other values as they are."""
    parts = value.strip("()").split(", ")
    return parts[0] if value.startswith("(") and len(set(parts)) == 1 else value


def layer_words(layer):
    """{form: words} the texts may quote a reference layer by. A Linear: Linear(784, 1024). A
    convolution in two forms, the notebook's and the docstrings': Conv2d(1, 32, kernel_size=5,
    stride=1) and Conv2d(1, 32, 5); ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1)
    and ConvTranspose2d(128, 64, 4, stride 2, padding 1). A BatchNorm: BatchNorm2d(64)."""
    from autograder.hints.layers import settings

    kind, items = layer["type"], settings(layer["spec"])
    if kind == "Linear":
        return {"": f"Linear({', '.join(item.split('=')[1] for item in items[:2])})"}
    if kind in NORMS:
        return {"": f"{kind}({items[0]})"}
    if kind not in CONVOLUTIONS:
        return {}
    named = [item.split("=", 1) for item in items[2:]]
    long = [f"{name}={_square(value)}" for name, value in named]
    short = [_square(value) if name == "kernel_size" else f"{name} {_square(value)}" for name, value in named
             if not (name == "stride" and _square(value) == "1")]
    return {"": f"{kind}({', '.join(items[:2] + long)})", "short": f"{kind}({', '.join(items[:2] + short)})"}


def facts(path):
    """What the texts quote of the reference, as the answer file at `path` holds it: {key: the
    words the texts write}: the counts with thousands separators (1,234,567) and each layer's
    words (layer_words)."""
    from autograder.answers import load_answers, reference_layers

    try:
        stored = load_answers(path)
    except (OSError, ValueError):
        return {}
    found = {key: f"{int(stored[key]):,}" for key in COUNTS if key in stored}
    for model in MODELS:
        if f"{model}_layers_true" not in stored:
            continue
        seen = {}  # layers of a kind so far: the key names the layer by its kind and place
        for layer in reference_layers(stored, model):
            words = layer_words(layer)
            i = seen[layer["type"]] = seen.get(layer["type"], -1) + 1
            for form, said in words.items():
                found[f"{model}_{layer['type'].lower()}_{i}{'_' + form if form else ''}"] = said
    return found


def shapes(path):
    """{model: the shape each of its layers produces, without the batch} of the answer file at
    `path`: what texts write as 7 * 7 * 128 or (N, 128, 7, 7)."""
    from autograder.answers import load_answers, reference_layers

    try:
        stored = load_answers(path)
    except (OSError, ValueError):
        return {}
    return {model: [tuple(layer["out"][1:]) for layer in reference_layers(stored, model) if layer.get("out")]
            for model in MODELS if f"{model}_layers_true" in stored}


def _short(number):
    """1e-06 -> '1e-6', as the texts write a tolerance."""
    return re.sub(r"e([-+])0*(\d)", r"e\1\2", f"{number:g}")


# How the texts quote the losses' tolerance, in each language of the translations.
TOLERANCE_WORDS = {"loss_tol": "relative error at most {}", "loss_tol_zh": "相对误差不超过 {}"}


def tolerance_facts(checks_source):
    """{key: words} of the tolerance the texts quote (the losses' LOSS_TOL: "relative error at most
    1e-6", and its translations), read from the source of autograder/course.py."""
    found = re.search(r"^LOSS_TOL = (\S+)", checks_source, re.M)
    return {key: words.format(_short(float(found.group(1)))) for key, words in TOLERANCE_WORDS.items()} if found else {}


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
    of `texts`. Returns the files rewritten and the old words left as they were because they
    stand for a layer that changed and one that did not (the same words, two new ones)."""
    fates = {}  # the old words: every new word they become (the same words may stand for two layers)
    for key in old:
        if key in new:
            fates.setdefault(old[key], set()).add(new[key])
    changes = {before: after.pop() for before, after in fates.items() if len(after) == 1 and before not in after}
    unsure = sorted(before for before, after in fates.items() if len(after) > 1)
    if not changes:
        return [], unsure
    pattern = re.compile("|".join(re.escape(before) for before in sorted(changes, key=len, reverse=True)))
    rewritten = []
    for rel, text in _texts(root, texts):
        edited = pattern.sub(lambda m: changes[m.group(0)], text)
        if edited != text:
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(edited)
            rewritten.append(rel)
    return rewritten, unsure


def _texts(root, texts):
    """(path relative to root, its text) of each file of `texts` that is there."""
    for rel in texts:
        path = os.path.join(root, rel)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                yield rel, f.read()


def _gone(old, new):
    """What a model's layers produced last term and no longer do: (sizes, shapes), from shapes()'s
    per-layer outputs, layer by layer where the model kept its number of layers."""
    sizes, forms = set(), set()
    for model, (before, after) in ((m, (old[m], new.get(m))) for m in old):
        if after is None or before == after:
            continue
        pairs = zip(before, after) if len(before) == len(after) else [(b, None) for b in before if b not in after]
        for was, now in pairs:
            if was != now:
                sizes.add(math.prod(was))
                forms.add(was)
    return sizes, {shape for shape in forms if len(shape) > 1}


PRODUCT = re.compile(r"(?<![\w.])\d+(?: ?\* ?\d+)+(?![\w.])")  # 7*7*128, 7 * 7 * 128, 4 * 4 * 64
SHAPE = re.compile(r"\((?:N|B|-1|batch_size|\d+), (\d+(?:, \d+)+)\)")  # (N, 128, 7, 7)


def _lines(rel, text):
    """(where, line) of each line of a text as its reader finds it: 'gan.py:389', and in a
    notebook (one JSON string per cell) 'GANs-PyTorch.ipynb, cell 33, line 3', counted from 1."""
    if not rel.endswith(".ipynb"):
        return [(f"{rel}:{n}", line) for n, line in enumerate(text.splitlines(), 1)]
    return [(f"{rel}, cell {c}, line {n}", line) for c, cell in enumerate(json.loads(text)["cells"], 1)
            for n, line in enumerate("".join(cell["source"]).splitlines(), 1)]


def left_as_they_were(unsure, gone, root=ROOT, texts=TEXTS):
    """Where the texts still quote what changed in words term cannot rewrite, one line each
    ("gan.py:389: 7*7*128 = 6,272, a size no longer made"): the unsure words, and a size written
    as a product or a shape that the changed models' layers no longer produce."""
    sizes, forms = gone
    found = []
    for rel, text in _texts(root, texts):
        for where, line in _lines(rel, text):
            why = [f"{words}, which stands for a layer that changed and one that did not" for words in unsure
                   if words in line]
            why += [f"{m.group(0)} = {math.prod(int(x) for x in m.group(0).split('*')):,}, a size no longer made"
                    for m in PRODUCT.finditer(line) if math.prod(int(x) for x in m.group(0).split("*")) in sizes]
            why += [f"{m.group(0)}, a shape no longer made" for m in SHAPE.finditer(line)
                    if tuple(int(x) for x in m.group(1).split(", ")) in forms]
            found += [f"{where}: {reason}" for reason in dict.fromkeys(why)]  # each once a line
    return found


def _model(key):
    """The model a fact's key is about ('dc_g' of 'dc_g_linear_1'), or None."""
    return next((m for m in ("dc_d", "dc_g", "trained", "d", "g") if key.startswith(m + "_")), None)


def to_measure_again(old, new):
    """The commands whose measurements were made with last term's models, where these changed."""
    changed = {_model(key) for key in set(old) | set(new) if old.get(key) != new.get(key)}
    found = []
    if changed & {"dc_g", "trained"}:
        found.append("python -m instructor trained-bar --write: TRAINED_MIN_IS and TRAINED_MAX_FID "
                     "(autograder/course.py) come from last term's DC generator; set them from its new table")
    if changed & {"d", "g", "dc_d", "dc_g"}:
        found.append("python -m instructor quality: figures/quality.md and the example figure show last "
                     "term's models")
    return found


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
    from instructor.course import answers, gradescope, release, translations
    from instructor.grader import grade, render, score
    from instructor.grader.report import row_note

    checks_file = os.path.join(ROOT, "autograder", "course.py")
    with open(checks_file, encoding="utf-8") as f:
        tolerances = tolerance_facts(f.read())
    before = dict(facts(answers.PUBLIC), **(tolerance_facts(_source_at_head("autograder/course.py")) or tolerances))
    made_before = shapes(answers.PUBLIC)
    kept = {path: _read(path) for path in (answers.PUBLIC, answers.PRIVATE)}
    answers.main(type("Args", (), {"gan": os.path.join(ROOT, "gan.py"), "out": answers.PUBLIC,
                                   "private_out": answers.PRIVATE})())
    rewritten = [os.path.relpath(path, ROOT) for path, before in kept.items() if _read(path) != before]
    after = dict(facts(answers.PUBLIC), **tolerances)
    words, unsure = rewrite(before, after)
    rewritten += words
    left = left_as_they_were(unsure, _gone(made_before, shapes(answers.PUBLIC)))
    try:
        path = release.build(os.path.abspath(args.release), args.lang)
    except translations.Untranslated as err:
        raise SystemExit(f"files rewritten: {', '.join(rewritten) or 'none'}; the release was not built: {err}")
    print(f"wrote the student release to {args.release}/ and {path}")
    print(f"wrote {gradescope.build(args.gradescope, args.lang)}")

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
    print("\nfiles rewritten (`git diff` shows how): " + (", ".join(rewritten) or "none"))
    if left:
        print("not rewritten, to edit by hand (words of a kind term does not write):")
        print("\n".join(f"  {line}" for line in left))
    again = to_measure_again(before, after)
    if again:
        print("measured with last term's models, to run again:")
        print("\n".join(f"  {line}" for line in again))
    print("then run the README's test command.")
    if new["total"] != full or new["grader_error"]:
        raise SystemExit(f"the new reference gets {new['total']:g} of {full:g}: see its report above")
