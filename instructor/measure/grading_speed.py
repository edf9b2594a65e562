"""How fast the grader grades: `python -m instructor grading-speed`.

Times what a grader types, each in a fresh process: `python -m instructor grade` on
one submission (the median of several runs, sandbox start-up included), and
`python -m instructor batch --jobs 2` on a folder of submissions (half the
reference, half the empty release), as submissions per minute. Writes the table to
figures/grading-speed.md with the machine, the isolation mode, the torch version
and the date.
"""
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import torch

from instructor import ROOT
from instructor.grader.markers import strip_code
from instructor.measure import figures


def _run(args, cwd=ROOT):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "instructor"] + args, cwd=cwd, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"python -m instructor {' '.join(args)} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return time.perf_counter() - start, out.stdout


def main(args):
    work = tempfile.mkdtemp(prefix="gan-grading-speed-")
    try:
        with open(os.path.join(ROOT, "gan.py")) as f:
            reference = f.read()
        sources = {"reference": reference, "empty": strip_code(reference)}
        for kind, source in sources.items():
            with open(os.path.join(work, f"{kind}.py"), "w") as f:
                f.write(source)
        single = {kind: [] for kind in sources}
        mode = None
        for _ in range(args.repeats):
            for kind in sources:
                seconds, out = _run(["grade", os.path.join(work, f"{kind}.py")])
                single[kind].append(seconds)
                mode = re.search(r"^isolation: (\w+)", out, re.M).group(1)
        for i in range(args.submissions):
            folder = os.path.join(work, "submissions", f"student{i:03d}")
            os.makedirs(folder)
            shutil.copyfile(os.path.join(work, f"{'reference' if i % 2 else 'empty'}.py"), os.path.join(folder, "gan.py"))
        rates = []
        for r in range(args.batch_repeats):
            seconds, _ = _run(["batch", os.path.join(work, "submissions"), "--out", os.path.join(work, f"book{r}"),
                               "--jobs", str(args.jobs)])
            rates.append(args.submissions / seconds * 60)
        median = {kind: statistics.median(t) for kind, t in single.items()}
        lines = [f"Grading speed on {os.cpu_count()} CPU cores, isolation {mode}, torch {torch.__version__}, "
                 f"{datetime.date.today().isoformat()} (`python -m instructor grading-speed`); every figure is the "
                 "wall time of a fresh `python -m instructor ...` process, start-up included.", "",
                 "| what | result |", "|---|---|"]
        lines += [f"| `grade`, one {kind} submission (median of {args.repeats}) | {median[kind]:.2f} s |" for kind in median]
        lines.append(f"| `batch --jobs {args.jobs}`, {args.submissions} submissions (median of {args.batch_repeats}) "
                     f"| {statistics.median(rates):.1f} submissions per minute |")
        table = "\n".join(lines)
        print(f"{table}\n\nwrote {figures.write_top('grading-speed.md', table)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
