"""Grade a student's gan.py: points per part, a report, Gradescope's results.json.

The student's code runs only in the sandbox (instructor/isolation.py and
instructor/sandbox.py). This process never imports it: it hands the sandbox the
source, reads back plain data through a pipe it owns, checks every byte against
a strict schema (instructor/schema.py) and judges it with tests/checks.py against
the grader's private answer file, whose inputs and fixed weights the student
release does not contain. Whatever a submission prints, raises, writes, starts,
stops or kills, a grading ends within its time budget with a complete report.

Partial credit: a part's points are shared equally among the functions it asks
for (one function for most parts; two for the GAN and LSGAN losses, the
discriminator's and the generator's), and a function earns its share only when
every check of that function passes.
"""
import json
import os
import re
import sys
import tempfile
import threading
import time


from instructor import ROOT, budget, isolation, schema
from tests import checks

PRIVATE = os.path.join("instructor", "gan-checks-private.npz")  # the grader's answers; never shipped to students
ANSWERS = os.path.join(ROOT, PRIVATE)

# Points per part: the one place they are defined.
POINTS = {
    "noise": 1,
    "discriminator": 1,
    "generator": 1,
    "gan_loss": 2,
    "optimizer": 1,
    "lsgan_loss": 2,
    "dc_classifier": 1,
    "dc_generator": 1,
}
# Inline questions of the notebook graded by hand: points (0: not graded).
MANUAL = {"Q1": 0, "Q2": 0, "Q3": 0, "Q4": 1, "Q5": 1, "Q6": 1}

PART_TIMEOUT = 60  # seconds for each part (the training smoke test is the slowest: about a second)
IMPORT_TIMEOUT = 30  # seconds to import gan.py
MEMORY_MB = 4096  # extra memory a part may allocate on a CPU grader
# Rough cost of each part, to share the parts of one submission between two lanes.
COST = {"training": 5, "dc_generator": 3, "noise": 1.5, "generator": 1.5, "dc_classifier": 1.5}
SIGNALS = {6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 24: "SIGXCPU", 25: "SIGXFSZ"}


def load_answers(path=ANSWERS):
    return checks.load_answers(path)


class Guard:
    """The grader's own files, read once per process: the sandbox's copy of the producing
    code comes from here, and restore() puts back anything a submission changed where it
    could (the reduced mode, with students' code running as the grader's own user: the
    sealed sandbox cannot reach these files, nor can the sandbox user). One snapshot per
    root is shared by every grading in the process, so concurrent gradings never
    snapshot each other's damage."""

    _snapshots = {}
    _lock = threading.Lock()

    def __init__(self, root=ROOT):
        self.root = root
        self.dirs = [os.path.join(root, "tests"), os.path.join(root, "instructor")]
        with Guard._lock:
            if root not in Guard._snapshots:
                files = {}
                # Not in the Gradescope bundle: the public answers. gan.py there is the release's.
                extra = [os.path.join(root, name) for name in ("gan-checks.npz", "gan.py")]
                for path in [p for p in extra if os.path.exists(p)] + list(self._walk()):
                    with open(path, "rb") as f:
                        files[path] = f.read()
                Guard._snapshots[root] = files
        self.files = Guard._snapshots[root]

    def content(self, rel):
        """The snapshot's bytes of a file, by path relative to the root."""
        return self.files[os.path.join(self.root, rel)]

    def restore(self):
        changed = []
        with Guard._lock:
            for path, data in self.files.items():
                try:
                    with open(path, "rb") as f:
                        same = f.read() == data
                except OSError:
                    same = False
                if not same:
                    changed.append(path)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(data)
            for path in self._walk():
                if path not in self.files:
                    changed.append(path)
                    os.remove(path)
        return changed

    def _walk(self):
        """Files under the guarded folders; bytecode caches are left to Python."""
        for d in self.dirs:
            for base, dirs, names in os.walk(d):
                dirs[:] = [x for x in dirs if x != "__pycache__"]
                for name in names:
                    yield os.path.join(base, name)


def provided_source(guard):
    """The assignment's gan.py with every block emptied, for the training smoke test's
    provided loop (no reference solution ever enters the sandbox); None if there is none."""
    from instructor.release import strip_code

    try:
        source = guard.content("gan.py")
    except KeyError:
        return None
    return strip_code(source.decode("utf-8")).encode("utf-8")


def make_pool(answers, device="cpu", threads=None, mode="auto", root=ROOT, hidden=(), cpus=None, trust=False):
    """A sandbox for this grader's submissions; the grader's folder is hidden from it.
    cpus: the CPUs it may run on (a batch job's own), None for all. trust: grade even where
    the reduced mode cannot keep submissions from the grader (isolation.Pool.refuses)."""
    guard = Guard(root)
    code = {rel: guard.content(rel) for rel in isolation.CODE}
    provided = provided_source(guard)
    if provided is not None:
        code[isolation.PROVIDED] = provided
    return isolation.Pool(answers, code, device, threads, mode, hidden=[root] + list(hidden), cpus=cpus, trust=trust)


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
    what = "importing gan.py" if group == "import" else f"the {checks.PART_TITLES[group]} part"
    if record is None:
        return f"{what} was not run: {problem or 'the grading stopped early'}."
    if record["timed_out"]:
        return (f"{what} did not finish within {record['seconds']:.0f} s and was stopped: look for an infinite "
                "loop or very slow code.")
    tail = record["output"].strip().splitlines()[-1:] if record["output"].strip() else []
    last = f" Last output: {tail[0][:300]}" if tail else ""
    if record["signal"] is not None:
        name = SIGNALS.get(record["signal"], f"signal {record['signal']}")
        cause = {"SIGXCPU": "it used more CPU time than allowed", "SIGXFSZ": "it wrote too large a file",
                 "SIGKILL": "out of memory, or stopped"}.get(name, "a crash in native code, or out of memory")
        return f"{what} was killed by {name} ({cause}).{last}"
    if record.get("result_problem"):
        return f"{what}: {record['result_problem']}."
    return (f"{what} ended the process (exit code {record['exit_code']}) before it produced a result: do not call "
            f"sys.exit() or os._exit() in gan.py.{last}")


def _status(record):
    """How a sandboxed process ended, read strictly; None if the sandbox sent nonsense."""
    try:
        return schema.read(record, schema.STATUS, "status")
    except schema.Malformed:
        return None


def produce_all(gan_path, device="cpu", groups=checks.GROUPS, answers=None, part_timeout=PART_TIMEOUT,
                import_timeout=IMPORT_TIMEOUT, memory_mb=MEMORY_MB, root=ROOT, pool=None):
    """Run the producing half of every group in the sandbox.

    Returns (produced, status, isolation, notes): produced[group] is the plain data the
    judges read (or {'__failure__': message}); status[phase] says how each sandboxed
    process ended; isolation says how the code was isolated; notes holds what the report
    must add: 'left_out' (top-level lines of gan.py left out so that it imports) and
    'grader_error' (the sandbox itself failed, twice, under some parts).
    """
    answers = answers if answers is not None else load_answers(os.path.join(root, PRIVATE))
    try:
        with open(gan_path, "rb") as f:
            source = f.read(isolation.SOURCE_LIMIT + 1)
    except OSError:
        message = f"no gan.py was found at {gan_path}: submit the file named gan.py."
        source = None
    else:
        message = f"gan.py is larger than {isolation.SOURCE_LIMIT // 1024} KiB: submit the assignment's file."
    if source is None or len(source) > isolation.SOURCE_LIMIT:
        notes = {"left_out": None, "grader_error": None}
        return {g: {"__failure__": message} for g in groups}, {}, {"mode": "not run", "reason": None}, notes
    own = pool is None
    pool = pool or make_pool(answers, device, root=root)
    pool.reset_peak()  # the report's peak memory is this submission's
    limits = (part_timeout, import_timeout, memory_mb)
    try:
        result = _produce(pool, source, groups, *limits)
        imported, note, notes = result[1].get("import"), result[4], result[3]
        if imported is not None and imported["exit_code"] != 0 and note is None and not notes["grader_error"]:
            # The import never returned (os._exit, a signal, an endless loop), so the sandbox could not
            # try again without the top-level calls: the grader does, with their lines made blank.
            blanked, left_out = checks.without_top_level_calls(source)
            if blanked is not None:
                again = _produce(pool, blanked, groups, *limits)
                if again[4] is not None and "__failure__" not in again[4]:
                    again[3]["left_out"] = {"lines": [{"line": n, "code": c} for n, c in left_out],
                                            "why": _failure("import", imported)}
                    result = again
        return result[:4]
    finally:
        if own:
            pool.close()


def _produce(pool, source, groups, part_timeout, import_timeout, memory_mb):
    """produce_all for one source: (produced, status, isolation, notes, the import's note)."""
    notes = {"left_out": None, "grader_error": None}
    pool.over_budget = None
    # Two lanes where the sandbox has two CPUs and the memory for both: parts side by side.
    todo = lanes(groups, budget.lanes() if pool.threads >= 2 else 1)
    try:
        records, payloads, fault = _run(pool, source, todo, part_timeout, import_timeout, memory_mb)
    except isolation.Refused as err:  # no code of the student's runs where the sandbox cannot contain it
        notes["grader_error"] = str(err)
        return {g: {"__failure__": NOT_ISOLATED} for g in groups}, {}, _mode(pool), notes, None
    over = pool.over_budget
    never_ran = [g for g in groups if g not in records]
    if over and never_ran and "import" in records:  # the part over budget took its lane down with it:
        for group in never_ran:                      # the parts that never ran get a chance each, alone
            pool.close()
            again, more, fault = _run(pool, source, [[group]], part_timeout, import_timeout, memory_mb)
            if group in again:
                records[group], payloads[group] = again[group], more.get(group, b"")
            if fault:
                break
        pool.over_budget = over
    missing = [g for g in groups if not payloads.get(g)]
    if fault and missing:  # the grader's environment failed, not the student: again, fresh, one lane
        pool.close()
        again, more, fault = _run(pool, source, [missing], part_timeout, import_timeout, memory_mb)
        for phase in again:
            if more.get(phase) or phase not in payloads:
                records[phase], payloads[phase] = again[phase], more.get(phase, b"")
        ungraded = [g for g in groups if not payloads.get(g) and g in POINTS]  # the smoke test has none
        if fault and ungraded:
            notes["grader_error"] = (f"the grading sandbox failed twice ({fault}); these parts were not graded: "
                                     + ", ".join(checks.PART_TITLES[g] for g in ungraded))
        elif fault:  # only the ungraded smoke test went without a result: say so there, no grader error
            notes["smoke_fault"] = fault
    mode = _mode(pool)
    status = {phase: _status(record) for phase, record in records.items()}
    imported = status.get("import")
    try:
        note = schema.decode("import", payloads["import"])
    except (KeyError, schema.Malformed):
        note = None
    if imported is None or imported["exit_code"] != 0 or note is None or "__failure__" in note:
        if notes["grader_error"] and not payloads.get("import"):
            message = GRADER_FAULT
        else:
            message = note["__failure__"] if note and "__failure__" in note else _failure("import", imported)
        return {g: {"__failure__": message} for g in groups}, status, mode, notes, note
    if note.get("left_out"):
        notes["left_out"] = {"lines": note["left_out"], "why": note.get("why", "")}
    produced = {}
    for group in groups:
        if not payloads.get(group) and pool.over_budget:
            produced[group] = {"__failure__": f"the {checks.PART_TITLES[group]} part was stopped: your code went over "
                                              f"the {pool.over_budget:,} MB of memory that all the processes of a "
                                              "submission share (files in /tmp and /dev/shm included)"}
        elif not payloads.get(group) and (notes["grader_error"] or notes.get("smoke_fault")):
            produced[group] = {"__failure__": GRADER_FAULT}
        elif group not in records or status[group] is None:
            produced[group] = {"__failure__": _failure(group, None, "the grading sandbox failed")}
        elif not payloads[group]:
            produced[group] = {"__failure__": _failure(group, status[group])}
        else:
            try:
                produced[group] = schema.decode(group, payloads[group])
            except schema.Malformed as err:
                produced[group] = {"__failure__": f"the {checks.PART_TITLES[group]} part sent back a result the "
                                                  f"grader cannot accept: {err}."}
    return produced, status, mode, notes, note


GRADER_FAULT = ("not graded: the grading sandbox itself failed (the grader's fault, not your code's); "
                "ask for a regrade")
NOT_ISOLATED = ("not graded: the grader could not isolate submissions safely on this machine (the grader's fault, "
                "not your code's); ask for a regrade")


def _mode(pool):
    """How the pool isolated the code, for the report."""
    return {"mode": pool.isolation, "reason": pool.reason, "uid": pool.part_uid, "as_root": pool.as_root,
            "private_ipc": pool.private_ipc, "landlock": pool.landlock,
            "cgroup": pool.cgrouped, "cgroup_reason": pool.cgroup_reason, "cgroup_peak_mb": pool.peak_mb()}


def _run(pool, source, todo, part_timeout, import_timeout, memory_mb):
    """pool.run, and whether the grader's environment failed under it: (records, payloads,
    fault), fault None or a sentence. The environment failed when the sandbox stopped or
    broke (not when the submission ran out of its own time), or when the kernel's OOM
    killer took a process of the grader's cgroup (the machine's memory, not the part's
    own limit, ran out)."""
    kills, own_kills = budget.oom_kills(), pool.oom_kills()
    try:
        records, payloads, problem = pool.run(source, todo, part_timeout, import_timeout, memory_mb)
    except isolation.SandboxError as err:  # a fresh sandbox did not start
        pool.close()
        return {}, {}, f"the grading sandbox did not start: {err}"
    container, own_budget = budget.memory_limit_mb(), memory_mb + isolation.SANDBOX_MB
    killed_inside = pool.oom_kills() is not None and pool.oom_kills() > (own_kills or 0)
    if killed_inside and (container is None or own_budget < container):  # its own budget ran out: its fault
        pool.over_budget = own_budget  # (if its sandbox went with it, pool.run has closed it: the next is new)
        return records, payloads, None
    if problem and not problem.startswith("the submission did not finish"):
        return records, payloads, problem
    if killed_inside or kills is not None and (budget.oom_kills() or 0) > kills:  # the container's ran out
        return records, payloads, "the machine ran out of memory and the kernel stopped a grading process"
    return records, payloads, None


def score(produced, answers):
    """Points and check results per part, from produced data."""
    parts = []
    for part in checks.PARTS:
        results = checks.judge(part, produced.get(part, {}), answers)
        by_function = {fn: [] for fn in checks.FUNCTIONS[part]}
        for judge_fn, (name, ok, message) in zip(checks.CHECKS[part], results):
            by_function[judge_fn.function].append(ok)
        share = POINTS[part] / len(by_function)
        points = sum(share for oks in by_function.values() if all(oks))
        parts.append({"part": part, "title": checks.PART_TITLES[part], "points": round(points, 2),
                      "max_points": POINTS[part], "checks": results})
    smoke = checks.judge("training", produced.get("training", {}), answers)
    return parts, smoke


def grade(gan_path, device="cpu", part_timeout=PART_TIMEOUT, import_timeout=IMPORT_TIMEOUT, memory_mb=MEMORY_MB,
          answers=None, root=ROOT, pool=None):
    """Grade one gan.py; returns the report as a dict. Never raises: if the grader
    itself fails, the report says so and gives no points."""
    start = time.time()
    try:
        answers = answers if answers is not None else load_answers(os.path.join(root, PRIVATE))
        guard = Guard(root)
        produced, status, mode, notes = produce_all(gan_path, device, checks.GROUPS, answers, part_timeout,
                                                    import_timeout, memory_mb, root, pool)
        # Only where the submission could have written them: restoring otherwise would undo an
        # instructor's own edits made while a batch runs.
        tampered = guard.restore() if mode["mode"] == "reduced" and mode.get("uid") is None else []
        parts, smoke = score(produced, answers)
    except Exception as err:  # a failure of the grader's own: report it, never crash without a report
        return failed_report(gan_path, device, err, start)
    report = _report(gan_path, device, parts, start, training_smoke=smoke, status=status, isolation=mode,
                     tampered=[os.path.relpath(p, root) for p in tampered], left_out=notes["left_out"],
                     grader_error=notes["grader_error"])
    return report


def _report(gan_path, device, parts, start, **fields):
    report = {"gan_path": gan_path, "device": str(device), "parts": parts, "training_smoke": [], "status": {},
              "isolation": {"mode": "not run", "reason": None}, "tampered": [], "grader_error": None,
              "left_out": None,
              "total": round(sum(p["points"] for p in parts), 2), "max_total": sum(POINTS.values()),
              "manual": MANUAL}
    report.update(fields)
    report["seconds"] = round(time.time() - start, 2)
    return report


def failed_report(gan_path, device, err, start):
    """The report of a grading the grader itself could not finish: no points, and why."""
    parts = [{"part": p, "title": checks.PART_TITLES[p], "points": 0, "max_points": POINTS[p],
              "checks": [("grader", False, "not graded: the grader failed")]} for p in checks.PARTS]
    return _report(gan_path, device, parts, start,
                   grader_error=schema.clean_text(f"{type(err).__name__}: {err}", 1000))


GRADER_ERROR_EXIT = 3  # the exit status of a grading whose report has a grader error (run_autograder reads it)
UNFINISHED = RuntimeError("the grader did not finish")


GRADER_WORDS = "no points were given for what it could not grade; your code was not at fault: ask for a regrade."


def left_out_line(report):
    """What the report says when gan.py imported only without some of its top-level lines."""
    left = report["left_out"]
    lines = "; ".join(f"line {item['line']}: {' '.join(item['code'].split())[:60]}" for item in left["lines"][:5])
    return (f"gan.py did not import as it is ({' '.join(left['why'].split())[:300]}); it was graded without its "
            f"top-level statements that are not definitions ({lines}). Your instructor decides whether this grade "
            "stands.")


def _first_failure(results):
    """The first failed check's message, on one line (a report's row must stay one row)."""
    return " ".join(next((message for _, ok, message in results if not ok), "").split())


def isolation_line(report):
    mode = report["isolation"]
    if mode.get("cgroup"):
        budget_words = "; its memory, CPU and processes limited as a whole, in a cgroup of its own"
    elif mode.get("cgroup_reason"):
        budget_words = f"; no cgroup of its own ({mode['cgroup_reason']}): its limits held per process only"
    else:
        budget_words = ""
    if mode["mode"] == "sealed":
        return ("isolation: sealed (bubblewrap sandbox, its own namespaces, no access to the grader's files"
                f"{budget_words})")
    if mode["mode"] == "reduced":
        walls = (f"; behind Landlock walls (ABI {mode['landlock']}) it could open only the Python environment, the "
                 "system's files and its own folder" + (", and signal no process outside them"
                                                        if mode["landlock"] >= 6 else "")
                 if mode.get("landlock") else "")
        if mode.get("uid") is not None:
            who = (f"as uid {mode['uid']}, of its own for this job: the grader's files, the answer files and the "
                   "other submissions were unreadable to it"
                   + (walls if walls else ", but it could read the rest of the machine")
                   + (", with SysV IPC of its own" if mode.get("private_ipc") else ""))
        elif mode.get("as_root"):
            who = ("AS ROOT, since the sandbox's uid could not read the Python environment "
                   f"({' '.join(str(mode['as_root']).split())[:160]}): it could read and change every file of "
                   "the machine, the grader's included, so do not trust this score for code you have not read")
        else:
            who = ("as the grader's own user: it could read and change the grader's files and stop the grader, "
                   "so do not trust this score for code you have not read" + walls)
        if report["grader_error"] and not report["status"]:
            return f"isolation: REDUCED ({mode['reason'] or 'asked for'}): no code was run"
        return (f"isolation: REDUCED ({mode['reason'] or 'asked for'}): the submission ran in plain processes, {who}"
                f"{budget_words}; install bubblewrap for the sealed mode (see README).")
    return "isolation: no code was run"


def report_text(report, width=100):
    lines = [f"Autograder report for {report['gan_path']} (on {report['device']}, {report['seconds']:.1f} s)",
             isolation_line(report), ""]
    if report["grader_error"]:
        lines += [f"THE GRADER FAILED ({report['grader_error']}): {GRADER_WORDS}", ""]
    if report.get("left_out"):
        lines += [left_out_line(report), ""]
    lines.append(f"{'part':<16}{'points':>8}  first failure")
    for p in report["parts"]:
        failure = _first_failure(p["checks"])
        lines.append(f"{p['title']:<16}{p['points']:>4g} / {p['max_points']:<2}  {failure[:width]}"
                     + ("..." if len(failure) > width else ""))
    lines.append(f"{'total':<16}{report['total']:>4g} / {report['max_total']:<2}  (autograded)")
    lines.append("graded by hand: " + ", ".join(f"{q}: {n} point{'s' if n != 1 else ''}"
                                                for q, n in report["manual"].items() if n))
    smoke = _first_failure(report.get("training_smoke", []))
    if report.get("training_smoke"):
        lines.append("training smoke test (no points): " + ("passed" if not smoke else f"failed: {smoke}"))
    if report["tampered"]:
        lines.append("your code changed grader files, which were restored: " + ", ".join(report["tampered"]))
    for phase, record in report["status"].items():
        if record and record.get("output_bytes"):
            text = record["output"]
            more = record["output_bytes"] - len(text.encode())
            lines += ["", f"output of gan.py during {phase} ({record['output_bytes']:,} bytes"
                      + (f", first {len(text.encode()):,} shown" if more > 0 else "") + "):", text.rstrip()]
    return schema.clean_text("\n".join(lines), 200_000)


def md_text(text):
    """Text that Markdown shows as it is: the characters that would format it, or start
    HTML, escaped; letters and an underscore inside a name (sample_noise) left alone, so
    the text still reads plainly where Markdown is not rendered."""
    text = re.sub(r"([\\`*\[\]<>|])", r"\\\1", text)
    return re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)


def md_block(text):
    """`text` as a fenced code block, with a fence no line of it can close."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"{fence}\n{text}\n{fence}"


def check_lines(checks_of_part):
    """One Markdown line per check: its verdict, its name and its message."""
    return "\n".join(f"- **{'PASS' if ok else 'FAIL'}** `{name}`: {md_text(' '.join(message.split()))}"
                      for name, ok, message in checks_of_part)


def report_markdown(report):
    """The report as Markdown, for Gradescope: a table of the parts, then what else a
    student must know. Every piece of text that came from a submission is escaped."""
    lines = [f"**Autograder report** ({md_text(report['device'])}, {report['seconds']:.1f} s)", "",
             md_text(isolation_line(report)), ""]
    if report["grader_error"]:
        lines += [f"**The grader failed** ({md_text(report['grader_error'])}): {GRADER_WORDS}", ""]
    if report.get("left_out"):
        lines += [md_text(left_out_line(report)), ""]
    lines += ["| part | points | first failure |", "|---|---|---|"]
    for p in report["parts"]:
        failure = _first_failure(p["checks"])
        lines.append(f"| {p['title']} | {p['points']:g} / {p['max_points']} | "
                     f"{md_text(failure[:300] + ('...' if len(failure) > 300 else ''))} |")
    lines.append(f"| **total** | **{report['total']:g} / {report['max_total']}** | (autograded) |")
    lines += ["", "Graded by hand: " + ", ".join(f"{q}: {n} point{'s' if n != 1 else ''}"
                                                 for q, n in report["manual"].items() if n) + "."]
    smoke = _first_failure(report.get("training_smoke", []))
    if report.get("training_smoke"):
        lines.append("Training smoke test (no points): " + ("passed." if not smoke else f"failed: {md_text(smoke)}"))
    if report["tampered"]:
        lines.append("Your code changed grader files, which were restored: " + md_text(", ".join(report["tampered"])))
    for phase, record in report["status"].items():
        if record and record.get("output_bytes"):
            lines += ["", f"Output of gan.py during {md_text(phase)} ({record['output_bytes']:,} bytes):", "",
                      md_block(record["output"].rstrip())]
    return schema.clean_text("\n".join(lines), 200_000)


def gradescope_results(report):
    """Gradescope's results.json: Markdown output (the report's table, and each part's
    checks by name), which also reads as plain text where it is not rendered."""
    tests = []
    for p in report["parts"]:
        tests.append({
            "name": p["title"],
            "score": p["points"],
            "max_score": p["max_points"],
            "status": "passed" if p["points"] == p["max_points"] else "failed",
            "output": check_lines(p["checks"]),
            "output_format": "md",
            "visibility": "visible",
        })
    return {"score": report["total"], "execution_time": report["seconds"], "output": report_markdown(report),
            "output_format": "md", "test_output_format": "md", "tests": tests,
            "extra_data": {"isolation": report["isolation"], "grader_error": report["grader_error"],
                           "left_out": report.get("left_out")}}


def write_json(path, data):
    """Write JSON as valid UTF-8, atomically: readers see the old file or the whole new one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # A fresh name no one could have laid a link at (the folder may be /tmp), renamed over the file.
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(schema.clean_text(text, len(text)))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(args):
    budget.oom_order(-900)  # out of memory, the kernel takes students' code, then the sandbox, not the report
    device = args.device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    gan_path, start = os.path.abspath(args.gan), time.time()
    if args.results:  # until the grading is over, the results say it is not: a grader that dies leaves no score
        try:
            write_json(args.results, gradescope_results(failed_report(gan_path, device, UNFINISHED, start)))
        except OSError:
            pass  # the final write says what is wrong with the path
    try:
        answers = load_answers(args.answers or ANSWERS)
        pool = make_pool(answers, device, mode=args.isolation, hidden=[p for p in (args.results, args.answers) if p],
                         trust=args.trust_submissions)
    except Exception as err:  # no answer file, or no sealed sandbox where one was demanded
        report = failed_report(gan_path, device, err, start)
    else:
        with pool:
            report = grade(gan_path, device, args.part_timeout, args.import_timeout, args.memory_mb, answers,
                           pool=pool)
    if args.results:  # first: a closed terminal must not cost the student their results
        write_json(args.results, gradescope_results(report))
    try:
        print(report_text(report) + (f"\nwrote {args.results}" if args.results else ""))
    except OSError:
        pass
    if report["grader_error"]:
        sys.exit(GRADER_ERROR_EXIT)
