"""Every sentence true: the claims a message makes about a student's file, checked against
that file (its source, and its models as they run).

Each CLAIMS entry finds one kind of claim in a message (a pattern) and checks it (a function
of the match and the file's Facts): a layer the message says the model runs, lacks or does
not register; a line of gan.py it quotes; a torch function or class it says an error rose
in. `false_claims(message, facts)` lists the claims that do not hold.
"""
import re
from collections import Counter, namedtuple

# source: gan.py's text; ran: {model builder: Counter of the layer types its forward pass ran};
# unregistered: {builder: how many of them the model does not register}; owned: {builder: Counter
# of the layer types the model registers}; theirs: {builder: Counter of the layer types the
# reference's model ran on the same input (from the answer file)}
Facts = namedtuple("Facts", "source ran unregistered owned theirs")
KEYS = {"discriminator": "d", "generator": "g", "build_dc_classifier": "dc_d", "build_dc_generator": "dc_g"}
BUILDERS = {"discriminator": "discriminator", "generator": "generator", "build_dc_classifier": "dc_classifier",
            "build_dc_generator": "dc_generator"}


def facts_of(module, source, answers):
    """The Facts of an imported student module: its models built as the checks build them and
    run on the checks' inputs, every layer that runs recorded (autograder.produce.models)."""
    import torch

    from autograder.answers import reference_layers
    from autograder.produce.models import run_traced

    inputs = {"discriminator": ((), "d_input"), "generator": ((answers["noise_dim"],), "g_input"),
              "build_dc_classifier": ((len(answers["dc_d_input"]),), "dc_d_input"),
              "build_dc_generator": ((answers["noise_dim"],), "dc_g_input")}
    ran, unregistered, owned = {}, {}, {}
    for builder, (args, key) in inputs.items():
        try:
            model = getattr(module, builder)(*[int(a) for a in args])
            owned[builder] = Counter(type(m).__name__ for m in model.modules())
            _, layers, _ = run_traced(model.train(), torch.as_tensor(answers[key], dtype=torch.float32))
        except Exception:
            continue
        ran[builder] = Counter(layer["type"] for layer in layers if not layer.get("raised"))
        unregistered[builder] = sum(not layer["registered"] for layer in layers)
    theirs = {builder: Counter(layer["type"] for layer in reference_layers(answers, key))
              for builder, key in KEYS.items()}
    return Facts(source, ran, unregistered, owned, theirs)


def _builder(message):
    return next((b for b in BUILDERS if message.startswith(f"{b}(")), None)


def _runs(match, facts, message):
    """'yours runs X(...)': the model ran a layer of type X."""
    builder = _builder(message)
    return builder is None or builder not in facts.ran or facts.ran[builder][match.group(1)] > 0


def _has(match, facts, message):
    """'your model has X(...)': the model holds a layer of type X."""
    builder = _builder(message)
    return builder is None or builder not in facts.owned or facts.owned[builder][match.group(1)] > 0


def _runs_none(match, facts, message):
    """'the architecture has X(...); your model runs none': the model ran fewer layers of type X
    than the reference's model ran on the same input."""
    builder = _builder(message)
    return builder is None or builder not in facts.ran or facts.ran[builder][match.group(1)] < facts.theirs[
        builder][match.group(1)]


def _unregistered(match, facts, message):
    builder = _builder(message)
    return builder is None or facts.unregistered.get(builder) == int(match.group(1))


def _line(match, facts, message):
    """'line N (`code`)': line N of gan.py is that code (or begins it)."""
    lines = facts.source.splitlines()
    n, code = int(match.group(1)), " ".join(match.group(2).split())
    return 0 < n <= len(lines) and " ".join(lines[n - 1].split()).startswith(code[:40])


def _at(match, facts, message):
    """'gan.py:N in f': line N of gan.py lies inside f's definition."""
    n, function = int(match.group(1)), match.group(2)
    lines = facts.source.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"def {function}(")), None)
    return start is not None and start < n <= len(lines)


def _rose_in(match, facts, message):
    """'It rose inside torch.optim.adam.Adam': the file names that callable."""
    return match.group(1).split(".")[-1] in facts.source


CLAIMS = [
    (re.compile(r"yours runs (?:[^;.]*?, )?([A-Z]\w+)\("), _runs),
    (re.compile(r"your model (?:has|runs) ([A-Z]\w+)\((?![^)]*\) where)"), _has),
    (re.compile(r"the architecture has ([A-Z]\w+)\([^;]*; your model runs none"), _runs_none),
    (re.compile(r"Your model runs (\d+) layers? it does not register"), _unregistered),
    (re.compile(r"line (\d+) \(`([^`]+)`\)"), _line),
    (re.compile(r"gan\.py:(\d+) in (\w+)"), _at),
    (re.compile(r"It rose inside (?:the )?([\w.]+)"), _rose_in),
]


def false_claims(message, facts):
    """The claims of `message` that do not hold of the file: [(claim, its text)]."""
    found = []
    for pattern, holds in CLAIMS:
        for match in pattern.finditer(message):
            if not holds(match, facts, message):
                found.append((holds.__name__.strip("_"), match.group(0)))
    return found
