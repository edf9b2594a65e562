"""`python -m instructor budget`: grade a gan.py inside cgroups of given memory sizes and a
CPU quota (as root, with cgroup v1 or v2), and write the table of score, wall time and
peak memory to figures/grading-budget.md."""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from instructor import ROOT
from instructor.measure import figures
from instructor.sandbox.cgroup import Cgroup, version


def grade_in_budget(gan_path, memory_mb, cpus, keep=None):
    """Grade `gan_path` with `python -m instructor grade` inside a fresh cgroup; returns
    {memory_mb, cpus, score, grader_error, seconds, peak_mb, oom_kills}. `keep`: a folder
    to leave the results.json in."""
    with tempfile.TemporaryDirectory() as tmp, Cgroup(memory_mb, cpus) as group:
        results = os.path.join(keep or tmp, "results.json")
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "instructor", "grade", gan_path, "--results", results],
                              cwd=ROOT, capture_output=True, text=True, preexec_fn=group.join, timeout=900)
        seconds = time.monotonic() - start
        try:
            with open(results, encoding="utf-8") as f:
                data = json.load(f)
            score, error = data["score"], data["extra_data"]["grader_error"]
        except (OSError, ValueError, KeyError):
            score, error = None, f"no results.json (exit code {proc.returncode}): {proc.stderr.strip()[-300:]}"
        return {"memory_mb": memory_mb, "cpus": cpus, "score": score, "grader_error": error,
                "seconds": round(seconds, 1), "peak_mb": group.peak_mb(), "oom_kills": group.oom_kills()}


def main(args):
    gan_path = os.path.abspath(args.gan or os.path.join(ROOT, "gan.py"))
    rows = []
    for memory_mb in sorted(args.memory_mb, reverse=True):
        row = grade_in_budget(gan_path, memory_mb, args.cpus)
        rows.append(row)
        print(f"{memory_mb:5d} MB, {args.cpus:g} CPU: score {row['score']}, {row['seconds']:.1f} s, peak "
              f"{row['peak_mb'] or 0:.0f} MB, {row['oom_kills']} OOM kills"
              + (f", grader error: {row['grader_error'][:200]}" if row["grader_error"] else ""), flush=True)
    from instructor.grader.score import POINTS

    passing = [r["memory_mb"] for r in rows if r["score"] == sum(POINTS.values())]
    lines = [f"Grading {os.path.relpath(gan_path, ROOT)} inside a cgroup (cgroup v{version()}) of each memory size "
             f"and {args.cpus:g} CPU, {datetime.date.today().isoformat()} (`python -m instructor budget`).", "",
             "OOM kills: those the outer cgroup counts; a sandbox's own cgroup is removed with its counts when "
             "the grading ends (its kills show as grader errors or as retried parts).", "",
             "| memory | CPU | score | grader error | wall | peak memory | OOM kills |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['memory_mb']} MB | {r['cpus']:g} | {r['score']} | {(r['grader_error'] or '')[:80]} | "
                     f"{r['seconds']:.1f} s | {r['peak_mb'] or 0:.0f} MB | {r['oom_kills']} |")
    lines += ["", f"Smallest memory with full marks: {min(passing)} MB." if passing else "", ""]
    if args.write:
        print(f"wrote {figures.write_top('grading-budget.md', chr(10).join(lines))}")
    print("\n".join(lines))
