"""Grade a folder of submissions: one sub-folder per student, each with its gan.py.

`jobs` submissions are graded at a time, each job with a sandbox of its own that
grades its submissions one after another (instructor/sandbox/: each
submission gets fresh namespaces and mounts in it, so nothing one leaves behind
reaches the next). Writes <out>/students/<student>/results.json and <out>/gradebook.csv,
which has a row for every submission: a grader-error row, with no points, if the
grader itself failed on one; <out>/checks.csv, every check's verdict; and, from the
command line, the class at a glance (summary.py: summary.html and summary.md) and,
with --compare, what changed against an older gradebook.
"""
import csv
import os
import queue
import sys
import threading
import time

from autograder import i18n
from autograder.answers import load_answers
from autograder.course import GRADED
from instructor import ROOT
from instructor.grader import render, score, summary
from instructor.grader.grade import GRADER_ERROR_EXIT, grade
from instructor.grader.report import failed as failed_report
from instructor.grader.run import make_pool
from instructor.grader.schema import inert
from instructor.sandbox.limits import DEFAULT, cpu_shares, from_args, oom_order, usable_threads

JOBS = 2  # submissions graded at a time: one per CPU of this package's 2-core graders
# Where the students' results go, under --out: a folder of their own, so that no student folder's name
# (gradebook.csv, summary, ...) can be the name of a file the batch writes for the class.
STUDENTS = "students"


def results_path(out, student):
    """Where batch writes a student's results.json, under `out`."""
    return os.path.join(out, STUDENTS, student, "results.json")


def find_submissions(folder):
    """{student: path to gan.py}, student being the sub-folder's name."""
    found = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            found[name] = os.path.join(path, "gan.py")  # a missing file is graded as missing
    return found


def grade_all(submissions, out, jobs=JOBS, device="cpu", root=ROOT, answers=None, isolation="auto",
              answers_path=None, trust=False, limits=DEFAULT):
    """Grade every submission under `limits` (Limits); returns {student: report} and
    writes the gradebook."""
    answers = answers if answers is not None else load_answers(
        answers_path or os.path.join(root, score.PRIVATE))
    os.makedirs(out, exist_ok=True)
    jobs = max(1, min(jobs, len(submissions) or 1))
    threads = max(1, usable_threads() // jobs)  # the CPUs this grader may use, shared among the jobs
    shares = cpu_shares(jobs)  # each job's own CPUs, where there are enough for one each
    # Hidden from the sandboxes: the gradebook and the folders holding the submissions.
    hidden = [os.path.abspath(out)] + sorted({os.path.dirname(os.path.dirname(os.path.abspath(p))) for p in submissions.values()})
    todo = queue.Queue()
    for item in submissions.items():
        todo.put(item)
    reports = {}

    def worker(cpus):
        start = time.time()
        try:
            pool = make_pool(answers, device, threads, isolation, root, hidden, cpus, trust)
        except Exception as err:
            pool = None
            problem = err
        try:
            while True:
                try:
                    student, path = todo.get_nowait()
                except queue.Empty:
                    return
                start = time.time()
                try:
                    if pool is None:
                        raise problem
                    report = grade(path, device, limits, answers=answers, root=root, pool=pool)
                    render.write_json(results_path(out, student), render.gradescope_results(report))
                except Exception as err:  # the grader's own failure: a grader-error row, never a missing one
                    report = failed_report(path, device, err, start)
                reports[student] = report
        finally:
            if pool is not None:
                pool.close()

    workers = [threading.Thread(target=worker, args=(shares[j],)) for j in range(jobs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    write_gradebook(reports, submissions, out, device)
    summary.write_checks_csv(reports, out)  # every check's verdict: what batch --compare reads back
    return reports


def write_gradebook(reports, submissions, out, device):
    """gradebook.csv in `out` (made if missing): a row for every submission, a grader-error row (no points) for
    one without a report; fills `reports` in for those."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "gradebook.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "total", "max"] + list(GRADED) + ["seconds", "isolation", "grader_error"])
        for student in submissions:
            report = reports.get(student) or failed_report(submissions[student], device, RuntimeError("not graded"),
                                                           time.time())
            reports[student] = report
            writer.writerow(render.csv_row([student, report["total"], report["max_total"]]
                                           + [p["points"] for p in report["parts"]]
                                           + [report["seconds"], report["isolation"]["mode"],
                                              report["grader_error"] or ""]))


def main(args):
    oom_order(-900)  # as in grade: the gradebook outlives any grading
    if args.lang:  # the students' reports in this language; the class's own files stay in English
        i18n.use(args.lang)
    submissions = find_submissions(args.submissions)
    old = summary.read_old(args.compare) if args.compare else None  # before --out, which may be the same, is rewritten
    start = time.time()
    reports = grade_all(submissions, args.out, args.jobs, args.device, isolation=args.isolation,
                        answers_path=args.answers, trust=args.trust_submissions, limits=from_args(args))
    minutes = (time.time() - start) / 60
    for student, report in reports.items():
        flag = f"   GRADER ERROR: {report['grader_error']}" if report["grader_error"] else ""
        print(inert(f"{inert(student, lines=False):30s} {report['total']:5g} / {report['max_total']}   "
                    f"({report['seconds']:.1f} s){flag}"))
    modes = sorted({r["isolation"]["mode"] for r in reports.values()})
    print(f"graded {len(reports)} submissions in {minutes * 60:.0f} s with {args.jobs} at a time: "
          f"{len(reports) / max(minutes, 1e-9):.1f} submissions per minute; isolation: {', '.join(modes)}; "
          f"gradebook in {args.out}/gradebook.csv")
    page, _, _ = summary.write(reports, args.out)
    print(f"the class at a glance: {page} (and summary.md)")
    if old is not None:
        changes = summary.compare(old, reports)
        for student, part, before, after, why in changes:
            show = lambda v: "-" if v is None else f"{v:g}"
            print(f"  {student:24s} {part:16s} {show(before):>5} -> {show(after):<5} {why[:120]}")
        print(f"{len({c[0] for c in changes})} students' points changed against {args.compare}: "
              f"{summary.write_compare(changes, args.compare, args.out)}")
    if any(r["grader_error"] for r in reports.values()):
        sys.exit(GRADER_ERROR_EXIT)
