"""Run a submission in the sandbox and read back what it produced, strictly.

This process never imports the student's code: it hands the sandbox the source
(instructor/sandbox/), reads back plain data through a pipe it owns and checks
every byte against a strict schema (schema.py). What cannot be read becomes one
sentence a student can act on; what failed because of the grader's own
environment (a sandbox that died, a machine out of memory) is tried again, fresh,
and otherwise said to be the grader's fault, never the student's.
"""
import os
from collections import namedtuple

from autograder.answers import load_answers
from autograder.course import (
    GROUPS,
    PART_TITLES,
    POINTS,
    TRAINED_FILE,
    TRAINED_LIMIT,
    trained_beside,
)
from autograder.i18n import N_, _
from autograder.imports import not_kept
from autograder.trained import trained_missing, trained_too_large
from instructor import ROOT
from instructor.grader import handin, schema, score
from instructor.grader.guard import Guard, provided_source
from instructor.sandbox.limits import DEFAULT, lane_count
from instructor.sandbox.command import CODE, PROVIDED
from instructor.sandbox.inside.frames import SOURCE_LIMIT
from instructor.sandbox.pool import Pool, Refused

# Rough cost of each part, to share the parts of one submission between two lanes.
COST = {"training": 5, "dc_generator": 3, "trained": 3, "noise": 1.5, "generator": 1.5, "dc_classifier": 1.5}
SIGNALS = {6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 24: "SIGXCPU", 25: "SIGXFSZ"}
GRADER_FAULT = N_("not graded: the grading sandbox itself failed (the grader's fault, not your code's); ask for a "
                  "regrade")
NOT_ISOLATED = N_("not graded: the grader could not isolate submissions safely on this machine (the grader's fault, "
                  "not your code's); ask for a regrade")
# Why a signal ended a sandboxed process, as the report says it.
SIGNAL_CAUSES = {"SIGXCPU": N_("it used more CPU time than allowed"), "SIGXFSZ": N_("it wrote too large a file"),
                 "SIGKILL": N_("out of memory, or stopped")}
ANY_SIGNAL_CAUSE = N_("a crash in native code, or out of memory")

# What running one submission gave: produced[group] is the plain data the judges read (or
# {'__failure__': message}); status[phase] says how each sandboxed process ended; isolation
# says how the code was isolated; notes holds what the report must add: 'left_out' (top-level
# lines of gan.py left out so that it imports) and 'grader_error' (the sandbox itself failed,
# twice, under some parts); import_note is what the import itself sent back (None if nothing).
Produced = namedtuple("Produced", "produced status isolation notes import_note")


def make_pool(answers, device="cpu", threads=None, mode="auto", root=ROOT, hidden=(), cpus=None, trust=False):
    """A sandbox for this grader's submissions; the grader's folder is hidden from it.
    cpus: the CPUs it may run on (a batch job's own), None for all. trust: grade even where
    the reduced mode cannot keep submissions from the grader (Pool.refuses)."""
    guard = Guard(root)
    code = {rel: guard.content(rel) for rel in CODE}
    provided = provided_source(guard)
    if provided is not None:
        code[PROVIDED] = provided
    return Pool(answers, code, device, threads, mode, hidden=[root] + list(hidden), cpus=cpus, trust=trust)


def lanes(groups, n):
    """The groups shared among n lanes of about equal cost, each lane in the usual order."""
    loads = [[0.0, []] for _ in range(max(1, min(n, len(groups))))]
    for group in sorted(groups, key=lambda g: -COST.get(g, 1)):
        lane = min(loads, key=lambda load: load[0])
        lane[0] += COST.get(group, 1)
        lane[1].append(group)
    return [sorted(lane, key=list(groups).index) for _, lane in loads]


def _failure(group, record, problem=None):
    """A student-readable sentence on how a sandboxed process ended without a result."""
    what = _("importing gan.py") if group == "import" else _("the {part} part").format(part=_(PART_TITLES[group]))
    if record is None:
        return _("{what} was not run: {problem}.").format(what=what, problem=problem or _("the grading stopped early"))
    if record["timed_out"]:
        return _("{what} did not finish within {seconds:.0f} s and was stopped: look for an infinite loop or very "
                 "slow code.").format(what=what, seconds=record["seconds"])
    tail = record["output"].strip().splitlines()[-1:] if record["output"].strip() else []
    last = _(" Last output: {output}").format(output=tail[0][:300]) if tail else ""
    if record["signal"] is not None:
        name = SIGNALS.get(record["signal"])
        cause = _(SIGNAL_CAUSES.get(name, ANY_SIGNAL_CAUSE))
        return _("{what} was killed by {signal} ({cause}).{last}").format(
            what=what, signal=name or _("signal {number}").format(number=record["signal"]), cause=cause, last=last)
    if record.get("result_problem"):
        return _("{what}: {problem}.").format(what=what, problem=record["result_problem"])
    return _("{what} ended the process (exit code {code}) before it produced a result: do not call sys.exit() or "
             "os._exit() in gan.py.{last}").format(what=what, code=record["exit_code"], last=last)


def _status(record):
    """How a sandboxed process ended, read strictly; None if the sandbox sent nonsense."""
    try:
        return schema.read(record, schema.STATUS, "status")
    except schema.Malformed:
        return None


def produce_all(gan_path, device="cpu", groups=GROUPS, answers=None, limits=DEFAULT, root=ROOT, pool=None):
    """Run the producing half of every group in the sandbox; returns a Produced. Where the
    import never returned (os._exit, a signal, an endless loop), the sandbox could not try
    again without gan.py's top-level calls: this does, asking it to skip those statements."""
    answers = answers if answers is not None else load_answers(os.path.join(root, score.PRIVATE))
    try:
        source, message = handin.read(gan_path, SOURCE_LIMIT, "gan.py"), None
    except handin.NotAFile as err:
        source, message = None, (_("gan.py is larger than {size} KiB: submit the assignment's file.").format(
            size=SOURCE_LIMIT // 1024) if err.size else str(err))
    except OSError:
        source, message = None, schema.inert(_("no gan.py was found at {path}: submit the file named gan.py.").format(
            path=gan_path))
    if source is None:
        return Produced({g: {"__failure__": message} for g in groups}, {}, {"mode": "not run", "reason": None},
                        {"left_out": None, "grader_error": None}, None)
    weights, no_weights = trained_weights(gan_path) if "trained" in groups else (None, None)
    if no_weights:  # said here, without a part to run
        groups = [g for g in groups if g != "trained"]
    own = pool is None
    pool = pool or make_pool(answers, device, root=root)
    pool.memory.reset_peak()  # the report's peak memory is this submission's
    try:
        result = _produce(pool, source, groups, limits, weights)
        imported = result.status.get("import")
        if (imported is not None and imported["exit_code"] != 0 and result.import_note is None
                and not result.notes["grader_error"]):
            left_out = not_kept(source)
            if left_out:
                again = _produce(pool, source, groups, limits, weights, skip_calls=True)
                if again.import_note is not None and "__failure__" not in again.import_note:
                    again.notes["left_out"] = {"lines": [{"line": n, "code": schema.inert(c)} for n, c in left_out],
                                               "why": _failure("import", imported)}
                    result = again
        if no_weights:  # said on its row, unless nothing could be graded (an import that failed, a refusal)
            first = next(iter(result.produced.values()), {})
            same = "__failure__" in first and all(v == first for v in result.produced.values())
            result.produced["trained"] = dict(first) if same else {"scores": {"error": no_weights}}
        return result
    finally:
        if own:
            pool.close()


def trained_weights(gan_path):
    """(HandedWeights, None): the trained generator's weights handed in beside gan.py; or
    (None, a sentence) where there are none, or too many bytes to read."""
    path = trained_beside(gan_path)
    try:
        return HandedWeights(path, handin.read(path, TRAINED_LIMIT, TRAINED_FILE)), None
    except handin.NotAFile as err:
        return None, trained_too_large(err.size) if err.size else str(err)
    except OSError:
        return None, trained_missing()


class HandedWeights:
    """The trained generator's file, as the sandbox is sent it: called, it gives the bytes
    read first, then (a retry's sandbox) reads them again, so that the grader holds no copy
    while the parts run (27 MB of Gradescope's 768 MB, where torch's libraries are read back
    from disk once memory runs short). A file gone by then is sent as none (b"")."""

    def __init__(self, path, data):
        self.path, self.data = path, data

    def __call__(self):
        data, self.data = self.data, None
        if data is None:
            try:
                data = handin.read(self.path, TRAINED_LIMIT, TRAINED_FILE)
            except (handin.NotAFile, OSError):
                data = b""
        return data


def _produce(pool, source, groups, limits, weights=None, skip_calls=False):
    """produce_all for one source: runs, retries where the grader's environment failed, reads."""
    notes = {"left_out": None, "grader_error": None}
    try:  # the first start, or a retry's: either may find that this machine cannot isolate the code
        records, payloads, over = _run_with_retries(pool, source, groups, notes, limits, weights, skip_calls)
    except Refused as err:  # no code of the student's runs where the sandbox cannot contain it
        notes["grader_error"] = str(err)
        return Produced({g: {"__failure__": _(NOT_ISOLATED)} for g in groups}, {}, pool.describe(), notes, None)
    return _read(pool.describe(), records, payloads, groups, notes, over)


def _run_with_retries(pool, source, groups, notes, limits, weights, skip_calls):
    """(records, payloads, over) of one source's run: where the grader's environment failed
    under some parts (a sandbox that did not start, or died), those parts again, once, in a
    fresh sandbox; what failed twice goes into notes. Raises Refused (the pool will not run it)."""
    # Two lanes where the sandbox has two CPUs and the memory for both: parts side by side.
    todo = lanes(groups, lane_count() if pool.threads >= 2 else 1)
    records, payloads, fault, over = pool.run(source, todo, limits, weights, skip_calls)
    never_ran = [g for g in groups if g not in records]
    if over and never_ran and "import" in records:  # the part over budget took its lane down with it:
        for group in never_ran:                      # the parts that never ran get a chance each, alone
            pool.close()
            again = pool.run(source, [[group]], limits, weights, skip_calls)
            if group in again.records:
                records[group], payloads[group] = again.records[group], again.payloads.get(group, b"")
            fault = again.fault
            if fault:
                break
    missing = [g for g in groups if not payloads.get(g)]
    if fault and missing:  # the grader's environment failed, not the student: again, fresh, one lane
        pool.close()
        again = pool.run(source, [missing], limits, weights, skip_calls)
        for phase in again.records:
            if again.payloads.get(phase) or phase not in payloads:
                records[phase], payloads[phase] = again.records[phase], again.payloads.get(phase, b"")
        fault, over = again.fault, again.over_budget or over
        ungraded = [g for g in groups if not payloads.get(g) and POINTS.get(g)]  # the smoke test has none
        if fault and ungraded:
            notes["grader_error"] = _("the grading sandbox failed twice ({fault}); these parts were not graded: "
                                      "{parts}").format(fault=fault, parts=_(", ").join(_(PART_TITLES[g])
                                                                                         for g in ungraded))
        elif fault:  # only the ungraded smoke test went without a result: say so there, no grader error
            notes["smoke_fault"] = fault
    return records, payloads, over


def _read(mode, records, payloads, groups, notes, over):
    """The Produced of a run: every record and payload read strictly, every gap a sentence."""
    status = {phase: _status(record) for phase, record in records.items()}
    imported = status.get("import")
    try:
        note = schema.decode("import", payloads["import"])
    except (KeyError, schema.Malformed):
        note = None
    if imported is None or imported["exit_code"] != 0 or note is None or "__failure__" in note:
        if notes["grader_error"] and not payloads.get("import"):
            message = _(GRADER_FAULT)
        else:
            message = note["__failure__"] if note and "__failure__" in note else _failure("import", imported)
        return Produced({g: {"__failure__": message} for g in groups}, status, mode, notes, note)
    if note.get("left_out"):
        notes["left_out"] = {"lines": note["left_out"], "why": note.get("why", "")}
    if note.get("changes"):
        notes["settings"] = note["changes"]
    produced = {}
    for group in groups:
        if not payloads.get(group) and over:
            produced[group] = {"__failure__": _("the {part} part was stopped: your code went over the {memory:,} MB "
                                                "of memory that all the processes of a submission share (files in "
                                                "/tmp and /dev/shm included)").format(part=_(PART_TITLES[group]),
                                                                                     memory=over)}
        elif not payloads.get(group) and (notes["grader_error"] or notes.get("smoke_fault")):
            produced[group] = {"__failure__": _(GRADER_FAULT)}
        elif group not in records or status[group] is None:
            produced[group] = {"__failure__": _failure(group, None, _("the grading sandbox failed"))}
        elif not payloads[group]:
            produced[group] = {"__failure__": _failure(group, status[group])}
        else:
            try:
                produced[group] = schema.decode(group, payloads[group])
            except schema.Malformed as err:
                produced[group] = {"__failure__": _("the {part} part sent back a result the grader cannot accept: "
                                                    "{error}.").format(part=_(PART_TITLES[group]), error=err)}
    return Produced(produced, status, mode, notes, note)
