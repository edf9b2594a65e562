"""`python -m instructor grade`: grade one student's gan.py, and everything a grading is.

  score.py    points per part, and the rule that gives them
  run.py      running the submission in the sandbox and reading what came back
  report.py   the report, one model; render.py shows it as text, Markdown, results.json
  guard.py    the grader's own files, snapshotted and restored
  schema.py   what the sandbox may send back, checked byte by byte

Whatever a submission prints, raises, writes, starts, stops or kills, a grading
ends within its time budget with a complete report; a grader that fails says so
and gives no points, and exits with GRADER_ERROR_EXIT (run_autograder reads it).
"""
import os
import sys
import time

from autograder import i18n
from autograder.answers import load_answers
from autograder.course import GROUPS
from instructor import ROOT
from instructor.grader import render, report, score
from instructor.grader.guard import Guard
from instructor.grader.run import make_pool, produce_all
from instructor.sandbox.limits import DEFAULT, from_args, oom_order

GRADER_ERROR_EXIT = 3  # the exit status of a grading whose report has a grader error (run_autograder reads it)


def grade(gan_path, device="cpu", limits=DEFAULT, answers=None, root=ROOT, pool=None):
    """Grade one gan.py under `limits` (Limits); returns the report as a dict. Never
    raises: if the grader itself fails, the report says so and gives no points."""
    start = time.time()
    try:
        answers = answers if answers is not None else load_answers(os.path.join(root, score.PRIVATE))
        guard = Guard(root)
        run = produce_all(gan_path, device, GROUPS, answers, limits, root, pool)
        # Only where the submission could have written them: restoring otherwise would undo an
        # instructor's own edits made while a batch runs.
        isolated = run.isolation
        tampered = guard.restore() if isolated["mode"] == "reduced" and isolated.get("uid") is None else []
        parts, smoke = score.score(run.produced, answers)
    except Exception as err:  # a failure of the grader's own: report it, never crash without a report
        return report.failed(gan_path, device, err, start)
    return report.new(gan_path, device, parts, start, training_smoke=smoke, status=run.status, isolation=isolated,
                      tampered=[os.path.relpath(p, root) for p in tampered], left_out=run.notes["left_out"],
                      settings=run.notes.get("settings"),
                      grader_error=run.notes["grader_error"])


def main(args):
    oom_order(-900)  # out of memory, the kernel takes students' code, then the sandbox, not the report
    if args.lang:  # the students' reports in this language; the class's own files stay in English
        i18n.use(args.lang)
    device = args.device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    gan_path, start = os.path.abspath(args.gan), time.time()
    if args.results:  # until the grading is over, the results say it is not: a grader that dies leaves no score
        try:
            unfinished = report.failed(gan_path, device, report.UNFINISHED, start)
            render.write_json(args.results, render.gradescope_results(unfinished))
        except OSError:
            pass  # the final write says what is wrong with the path
    try:
        answers = load_answers(args.answers or score.ANSWERS)
        pool = make_pool(answers, device, mode=args.isolation, hidden=[p for p in (args.results, args.answers) if p],
                         trust=args.trust_submissions)
    except Exception as err:  # no answer file, or no sealed sandbox where one was demanded
        graded = report.failed(gan_path, device, err, start)
    else:
        with pool:
            graded = grade(gan_path, device, from_args(args), answers, pool=pool)
    if args.results:  # first: a closed terminal must not cost the student their results
        render.write_json(args.results, render.gradescope_results(graded))
    try:
        print(render.report_text(graded) + (f"\nwrote {args.results}" if args.results else ""))
    except OSError:
        pass
    if graded["grader_error"]:
        sys.exit(GRADER_ERROR_EXIT)
