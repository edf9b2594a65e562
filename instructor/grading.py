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
import threading
import time


from instructor import ROOT, isolation, schema
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
                public = os.path.join(root, "gan-checks.npz")  # not in the Gradescope bundle
                for path in ([public] if os.path.exists(public) else []) + list(self._walk()):
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


def make_pool(answers, device="cpu", threads=None, mode="auto", root=ROOT, hidden=()):
    """A sandbox for this grader's submissions; the grader's folder is hidden from it."""
    guard = Guard(root)
    code = {rel: guard.content(rel) for rel in isolation.CODE}
    return isolation.Pool(answers, code, device, threads, mode, hidden=[root] + list(hidden))


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

    Returns (produced, status, isolation): produced[group] is the plain data the
    judges read (or {'__failure__': message}); status[phase] says how each sandboxed
    process ended; isolation says how the code was isolated.
    """
    answers = answers if answers is not None else load_answers(os.path.join(root, PRIVATE))
    try:
        with open(gan_path, "rb") as f:
            source = f.read(isolation.SOURCE_LIMIT + 1)
    except OSError:
        message = f"no gan.py was found at {gan_path}: submit the file named gan.py."
        return {g: {"__failure__": message} for g in groups}, {}, {"mode": "not run", "reason": None}
    if len(source) > isolation.SOURCE_LIMIT:
        message = f"gan.py is larger than {isolation.SOURCE_LIMIT // 1024} KiB: submit the assignment's file."
        return {g: {"__failure__": message} for g in groups}, {}, {"mode": "not run", "reason": None}
    own = pool is None
    pool = pool or make_pool(answers, device, root=root)
    try:
        # Two lanes where the sandbox has two cores or more: one submission's parts side by side.
        records, payloads, problem = pool.run(source, lanes(groups, 2 if pool.threads >= 2 else 1),
                                              part_timeout, import_timeout, memory_mb)
        mode = {"mode": pool.isolation, "reason": pool.reason, "uid": pool.part_uid}
    finally:
        if own:
            pool.close()
    status = {phase: _status(record) for phase, record in records.items()}
    imported = status.get("import")
    if imported is None or imported["exit_code"] != 0 or payloads.get("import") != b"{}":
        try:
            message = schema.decode("import", payloads["import"])["__failure__"]
        except (KeyError, schema.Malformed):
            message = _failure("import", imported, problem)
        return {g: {"__failure__": message} for g in groups}, status, mode
    produced = {}
    for group in groups:
        if group not in records or status[group] is None:
            produced[group] = {"__failure__": _failure(group, None, problem or "the grading sandbox failed")}
        elif not payloads[group]:
            produced[group] = {"__failure__": _failure(group, status[group])}
        else:
            try:
                produced[group] = schema.decode(group, payloads[group])
            except schema.Malformed as err:
                produced[group] = {"__failure__": f"the {checks.PART_TITLES[group]} part sent back a result the "
                                                  f"grader cannot accept: {err}."}
    return produced, status, mode


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
        produced, status, mode = produce_all(gan_path, device, checks.GROUPS, answers, part_timeout,
                                             import_timeout, memory_mb, root, pool)
        # Only where the submission could have written them: restoring otherwise would undo an
        # instructor's own edits made while a batch runs.
        tampered = guard.restore() if mode["mode"] == "reduced" and mode.get("uid") is None else []
        parts, smoke = score(produced, answers)
    except Exception as err:  # a failure of the grader's own: report it, never crash without a report
        return failed_report(gan_path, device, err, start)
    report = _report(gan_path, device, parts, start, training_smoke=smoke, status=status, isolation=mode,
                     tampered=[os.path.relpath(p, root) for p in tampered])
    return report


def _report(gan_path, device, parts, start, **fields):
    report = {"gan_path": gan_path, "device": str(device), "parts": parts, "training_smoke": [], "status": {},
              "isolation": {"mode": "not run", "reason": None}, "tampered": [], "grader_error": None,
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


def _first_failure(results):
    return next((message for _, ok, message in results if not ok), "")


def isolation_line(report):
    mode = report["isolation"]
    if mode["mode"] == "sealed":
        return "isolation: sealed (bubblewrap sandbox, its own namespaces, no access to the grader's files)"
    if mode["mode"] == "reduced":
        who = (f"as uid {mode['uid']}, which keeps root-only files out of its reach, but it could have read "
               "every other file of the machine" if mode.get("uid") is not None else
               "as the grader's user, and could have read the grader's files")
        return (f"isolation: REDUCED ({mode['reason'] or 'asked for'}): the submission ran in plain processes, {who}; "
                "install bubblewrap for the sealed mode (see README).")
    return "isolation: no code was run"


def report_text(report, width=100):
    lines = [f"Autograder report for {report['gan_path']} (on {report['device']}, {report['seconds']:.1f} s)",
             isolation_line(report), ""]
    if report["grader_error"]:
        lines += [f"THE GRADER FAILED ({report['grader_error']}): no points were given; tell your instructor.", ""]
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


def gradescope_results(report):
    """Gradescope's results.json."""
    tests = []
    for p in report["parts"]:
        failed = [m for _, ok, m in p["checks"] if not ok]
        tests.append({
            "name": p["title"],
            "score": p["points"],
            "max_score": p["max_points"],
            "status": "passed" if p["points"] == p["max_points"] else "failed",
            "output": "\n".join(failed) if failed else "\n".join(m for _, _, m in p["checks"]),
            "visibility": "visible",
        })
    return {"score": report["total"], "execution_time": report["seconds"], "output": report_text(report),
            "tests": tests, "extra_data": {"isolation": report["isolation"], "grader_error": report["grader_error"]}}


def write_json(path, data):
    """Write JSON as valid UTF-8, atomically: readers see the old file or the whole new one."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(schema.clean_text(text, len(text)))
    os.replace(tmp, path)


def main(args):
    device = args.device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    gan_path, start = os.path.abspath(args.gan), time.time()
    try:
        answers = load_answers(args.answers or ANSWERS)
        pool = make_pool(answers, device, mode=args.isolation, hidden=[p for p in (args.results, args.answers) if p])
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
