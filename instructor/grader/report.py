"""The report: one model of a grading, for every way it is shown (render.py).

A report is a plain dict: the file and device, each part's points and check
results, the training smoke test's, how each sandboxed process ended, how the
code was isolated, and what else the student must know (a grader error, lines
of gan.py left out so that it imports, grader files it changed). The sentences
that say those things are written here, once, and shown as text, Markdown and
Gradescope's results.json alike.
"""
import time

from autograder.course import FULL, GRADED, MANUAL, PART_TITLES, POINTS
from autograder.i18n import N_, _, ngettext
from autograder.imports import left_out_sentence
from autograder.judge import settings_sentence
from instructor.grader import schema

UNFINISHED = RuntimeError("the grader did not finish")


def new(gan_path, device, parts, start, **fields):
    """A report of `parts` (score.score's), with what else is known in `fields`."""
    report = {"gan_path": gan_path, "device": str(device), "parts": parts, "training_smoke": [], "status": {},
              "isolation": {"mode": "not run", "reason": None}, "tampered": [], "grader_error": None,
              "left_out": None,
              "total": round(sum(p["points"] for p in parts), 2), "max_total": FULL,
              "manual": MANUAL}
    report.update(fields)
    report["seconds"] = round(time.time() - start, 2)
    return report


def failed(gan_path, device, err, start):
    """The report of a grading the grader itself could not finish: no points, and why."""
    parts = [{"part": p, "title": PART_TITLES[p], "points": 0, "max_points": POINTS[p],
              "checks": [("grader", False, _("not graded: the grader failed"))]} for p in GRADED]
    return new(gan_path, device, parts, start,
               grader_error=schema.clean_text(f"{type(err).__name__}: {err}", 1000))


GRADER_WORDS = N_("no points were given for what it could not grade; your code was not at fault: ask for a regrade.")


def settings_line(report):
    """What the report says when importing gan.py changed torch's global settings, or ''."""
    return settings_sentence(report.get("settings"), all_of_them=True)


def left_out_line(report):
    """What the report says when gan.py imported only without some of its top-level lines."""
    left = report["left_out"]
    lines = [(item["line"], item["code"]) for item in left["lines"]]
    return _("{left_out}. Your instructor decides whether this grade stands.").format(
        left_out=left_out_sentence(left["why"] or _("gan.py did not import as it is"), lines))


def row_note(part):
    """What a part's row says after its points: its first failed check's message; for a row
    with scores to show (the trained DCGAN), its first check's message, failed or not; and
    for a row worth no points, that it is shown, not scored."""
    note = first_failure(part["checks"])
    if not note and part.get("scores"):
        note = " ".join(str(part["checks"][0][2]).split())
    return _("not scored: {note}").format(note=note) if part["max_points"] == 0 and note else note


def first_failure(results):
    """The first failed check's message, on one line (a report's row must stay one row)."""
    return " ".join(next((message for _, ok, message in results if not ok), "").split())


def isolation_line(report):
    mode = report["isolation"]
    if mode.get("cgroup"):
        budget_words = _("; its memory, CPU and processes limited as a whole, in a cgroup of its own")
    elif mode.get("cgroup_reason"):
        budget_words = _("; no cgroup of its own ({why}): its limits held per process only").format(
            why=mode["cgroup_reason"])
    else:
        budget_words = ""
    if mode["mode"] == "sealed":
        return _("isolation: sealed (bubblewrap sandbox, its own namespaces, no access to the grader's "
                 "files{budget})").format(budget=budget_words)
    if mode["mode"] == "reduced":
        walls = ""
        if mode.get("landlock"):
            walls = (_("; behind Landlock walls (ABI {abi}) it could open only the Python environment, the system's "
                       "files and its own folder, and signal no process outside them") if mode["landlock"] >= 6 else
                     _("; behind Landlock walls (ABI {abi}) it could open only the Python environment, the system's "
                       "files and its own folder")).format(abi=mode["landlock"])
        if mode.get("uid") is not None:
            who = (_("as uid {uid}, of its own for this job: the grader's files, the answer files and the other "
                     "submissions were unreadable to it").format(uid=mode["uid"])
                   + (walls if walls else _(", but it could read the rest of the machine"))
                   + (_(", with SysV IPC of its own") if mode.get("private_ipc") else ""))
        elif mode.get("as_root"):
            who = _("AS ROOT, since the sandbox's uid could not read the Python environment ({why}): it could read "
                    "and change every file of the machine, the grader's included, so do not trust this score for "
                    "code you have not read").format(why=" ".join(str(mode["as_root"]).split())[:160])
        else:
            who = _("as the grader's own user: it could read and change the grader's files and stop the grader, so "
                    "do not trust this score for code you have not read") + walls
        reason = mode["reason"] or _("asked for")
        if report["grader_error"] and not report["status"]:
            return _("isolation: REDUCED ({why}): no code was run").format(why=reason)
        return _("isolation: REDUCED ({why}): the submission ran in plain processes, {who}{budget}; install "
                 "bubblewrap for the sealed mode (see README).").format(why=reason, who=who, budget=budget_words)
    return _("isolation: no code was run")


def manual_line(report):
    """The notebook's questions graded by hand, and their points."""
    return _(", ").join(ngettext("{question}: {n} point", "{question}: {n} points", n).format(question=q, n=n)
                        for q, n in report["manual"].items() if n)
