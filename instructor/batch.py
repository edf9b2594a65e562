"""Grade a folder of submissions: one sub-folder per student, each with its gan.py.

Several submissions are graded at a time; each one's code runs in its own sandbox
processes with the per-part time limit and memory limit, and the whole submission
has a wall-clock limit. Writes <out>/gradebook.csv and <out>/<student>/results.json.
"""
import csv
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from instructor import grading
from tests import checks


def find_submissions(folder):
    """{student: path to gan.py}, student being the sub-folder's name."""
    found = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            found[name] = os.path.join(path, "gan.py")  # a missing file is graded as missing
    return found


def grade_all(submissions, out, jobs=2, device="cpu", root=grading.ROOT, **limits):
    """Grade every submission; returns {student: report} and writes the gradebook."""
    answers = grading.load_answers(os.path.join(root, "gan-checks.npz"))
    os.makedirs(out, exist_ok=True)

    def one(item):
        student, path = item
        report = grading.grade(path, device, answers=answers, root=root, **limits)
        os.makedirs(os.path.join(out, student), exist_ok=True)
        with open(os.path.join(out, student, "results.json"), "w") as f:
            json.dump(grading.gradescope_results(report), f, indent=2)
        return student, report

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = dict(pool.map(one, submissions.items()))
    with open(os.path.join(out, "gradebook.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "total", "max"] + list(checks.PARTS) + ["seconds"])
        for student, report in reports.items():
            writer.writerow([student, report["total"], report["max_total"]]
                            + [p["points"] for p in report["parts"]] + [report["seconds"]])
    return reports


def main(args):
    submissions = find_submissions(args.submissions)
    start = time.time()
    reports = grade_all(submissions, args.out, args.jobs, args.device, part_timeout=args.part_timeout,
                        import_timeout=args.import_timeout, memory_mb=args.memory_mb)
    minutes = (time.time() - start) / 60
    for student, report in reports.items():
        print(f"{student:30s} {report['total']:5g} / {report['max_total']}   ({report['seconds']:.1f} s)")
    print(f"graded {len(reports)} submissions in {minutes * 60:.0f} s with {args.jobs} at a time: "
          f"{len(reports) / minutes:.1f} submissions per minute; gradebook in {args.out}/gradebook.csv")
