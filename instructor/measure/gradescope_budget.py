"""What a student waits for on Gradescope: `python -m instructor gradescope-budget`.

Grades as Gradescope does: the zip of `python -m instructor gradescope`, unpacked
into a simulated /autograder tree, run by its own run_autograder with a Python
made from exactly setup.sh's pip lines (--python, or one built here), inside a
fresh cgroup of Gradescope's size (768 MB and 1/2 CPU by default). Two files: the
bare reference, and the reference with the CS231n starter's top-level imports
(torchvision, torchvision.transforms, PIL, matplotlib.pyplot, tqdm), which real
submissions carry.

--against CHECKOUT grades with that checkout's zip too (the grader before a
change), alternating with this one's in the same run; figures are medians. Needs
root and cgroups (v1 or v2). --write puts the rows in figures/grading-budget.md
and figures/grading-speed.md, in a section of their own.

--cold empties the machine's page cache before every grading, so that each starts
as a fresh container does. Without it, the figures depend on which earlier run read
torch's libraries first: the kernel counts a cached page of a file against the cgroup
that read it first, so a grading that finds them read by an earlier one runs with
400 MB of them counted nowhere, and one that reads them itself counts them all, and
reads them back from disk each time its memory runs short.
"""
import datetime
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

from autograder.course import TRAINED_FILE
from instructor import ROOT
from instructor.course import gradescope
from instructor.measure import figures
from instructor.sandbox import cgroup

# The imports at the top of every gan.py built on the CS231n starter (and those students add).
STARTER_IMPORTS = ("import torchvision\nimport torchvision.transforms as T\nfrom PIL import Image\n"
                   "import matplotlib.pyplot as plt\nimport tqdm\n")
SECTION = "Through the Gradescope zip's run_autograder"
TRAINED_SECTION = "With a trained DCGAN, through the Gradescope zip's run_autograder"  # runs with --weights


def with_starter_imports(gan_path, out_path):
    """Write the gan.py at gan_path, with STARTER_IMPORTS on top, to out_path."""
    with open(gan_path, encoding="utf-8") as f:
        source = f.read()
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(STARTER_IMPORTS + source)
    return out_path


def setup_sh_python(folder, timeout=1800):
    """A virtual environment under `folder` made from exactly the pip commands of the
    Gradescope setup.sh (this machine's package index in place of their --index-url);
    returns its python."""
    venv = os.path.join(folder, "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    commands = [shlex.split(line)[1:] for line in gradescope.SETUP_SH.splitlines()
                if line.startswith("/autograder/venv/bin/pip install")]
    for args in commands:
        if "--index-url" in args:
            i = args.index("--index-url")
            args = args[:i] + args[i + 2:]
        out = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", *args], capture_output=True,
                             text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"pip {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return os.path.join(venv, "bin", "python")


def autograder_tree(folder, checkout=ROOT):
    """Unpack the Gradescope zip of `checkout` into folder/source, as Gradescope does; the
    zip is built by that checkout's own code."""
    bundle = os.path.join(folder, "autograder.zip")
    subprocess.run([sys.executable, "-m", "instructor", "gradescope", "--out", bundle], cwd=checkout, check=True,
                   capture_output=True, timeout=300)
    zipfile.ZipFile(bundle).extractall(os.path.join(folder, "source"))
    return folder


def drop_page_cache():
    """Empty the machine's page cache (root): the next grading reads every file from disk,
    as in a fresh container, and its cgroup counts every page it reads."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("1\n")


def run_autograder(tree, gan_path, python, memory_mb=None, cpus=None, timeout=900, weights=None, cold=False):
    """Grade gan_path (and the trained generator's `weights`, if given, uploaded beside it) with
    the tree's run_autograder (in a fresh cgroup of memory_mb and cpus where memory_mb is
    given; after emptying the page cache where `cold`); returns (results.json, seconds, peak
    MB, OOM kills)."""
    submission = os.path.join(tree, "submission")
    shutil.rmtree(submission, ignore_errors=True)
    os.makedirs(submission)
    if gan_path:
        shutil.copyfile(gan_path, os.path.join(submission, "gan.py"))
    if weights:
        shutil.copyfile(weights, os.path.join(submission, TRAINED_FILE))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(AUTOGRADER_ROOT=tree, AUTOGRADER_PYTHON=python)
    group = cgroup.Cgroup(memory_mb, cpus) if memory_mb else None
    try:
        if cold:
            drop_page_cache()
        start = time.monotonic()
        proc = subprocess.run(["bash", os.path.join(tree, "source", "run_autograder")], env=env,
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=group.join if group else None)
        seconds = time.monotonic() - start
        peak, kills = (group.peak_mb(), group.oom_kills()) if group else (None, None)
    finally:
        if group:
            group.remove()
    with open(os.path.join(tree, "results", "results.json"), encoding="utf-8") as f:
        results = json.load(f)
    results["_stderr"] = proc.stderr[-2000:]
    return results, seconds, peak, kills


def measure(trees, files, python, memory_sizes, cpus, repeats, cold=False):
    """{(grader, file, memory_mb): [(score, grader_error, seconds, peak, kills, trained IS)]}, the
    graders taking turns within each repeat so that both see the same machine. files:
    {name: gan.py path, or (gan.py path, the trained generator's weights)}."""
    found = {}
    for _ in range(repeats):
        for memory_mb in memory_sizes:
            for file_name, handed in files.items():
                gan_path, weights = handed if isinstance(handed, tuple) else (handed, None)
                for grader, tree in trees.items():
                    results, seconds, peak, kills = run_autograder(tree, gan_path, python, memory_mb, cpus,
                                                                   weights=weights, cold=cold)
                    error = results.get("extra_data", {}).get("grader_error")
                    trained = next((e["value"] for e in results.get("leaderboard", []) if e["name"] == "Inception Score"),
                                   None)  # None: no trained DCGAN scored
                    found.setdefault((grader, file_name, memory_mb), []).append(
                        (results["score"], error, seconds, peak, kills, trained))
                    print(f"{grader:>7} {file_name:<16} {memory_mb} MB: {results['score']:g} points, {seconds:.1f} s, "
                          f"peak {peak or 0:.0f} MB, {kills} OOM kills" + (f", grader error: {error[:160]}" if error
                                                                         else ""), flush=True)
    return found


def table(found, cpus):
    lines = ["| grader | file | memory, CPU | score | trained DCGAN's IS | grader error | wall (median) | peak (median) "
             "| OOM kills |", "|---|---|---|---|---|---|---|---|---|"]
    for (grader, file_name, memory_mb), runs in found.items():
        scores = sorted({f"{r[0]:g}" for r in runs})
        errors = sum(1 for r in runs if r[1])
        trained = sorted({f"{r[5]:.2f}" if r[5] is not None else "none" for r in runs})
        lines.append(f"| {grader} | {file_name} | {memory_mb} MB, {cpus:g} | {' / '.join(scores)} | {' / '.join(trained)} | "
                     f"{f'{errors} of {len(runs)}' if errors else 'none'} | "
                     f"{statistics.median(r[2] for r in runs):.1f} s | "
                     f"{statistics.median(r[3] or 0 for r in runs):.0f} MB | {sum(r[4] or 0 for r in runs)} |")
    return lines


def main(args):
    reason = cgroup.available()
    if reason:
        sys.exit(f"gradescope-budget: {reason}")
    work = tempfile.mkdtemp(prefix="gan-gradescope-budget-")
    try:
        python = args.python or setup_sh_python(work)
        reference = os.path.abspath(args.gan or os.path.join(ROOT, "gan.py"))
        files = {"bare reference": reference,
                 "starter imports": with_starter_imports(reference, os.path.join(work, "imports", "gan.py"))}
        if args.weights:  # what scoring the trained DCGAN adds: the same files, with its weights beside them
            files["bare reference + trained DCGAN"] = (reference, os.path.abspath(args.weights))
            files["starter imports + trained DCGAN"] = (files["starter imports"], os.path.abspath(args.weights))
        trees = {"this": autograder_tree(os.path.join(work, "this"))}
        if args.against:
            trees = {"before": autograder_tree(os.path.join(work, "before"), os.path.abspath(args.against)), **trees}
        found = measure(trees, files, python, args.memory_mb, args.cpus, args.repeats, args.cold)
        version = subprocess.run([python, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                                 text=True).stdout.strip()
        head = (f"Each file graded by the zip's run_autograder in a simulated /autograder tree, its Python made from "
                f"setup.sh's pip lines (torch {version}), inside a fresh cgroup (v{cgroup.version()}) of the memory "
                f"and CPU quota shown, {args.repeats} runs each"
                + (", each after the page cache was emptied (a fresh container: every file read from disk and "
                   "counted)" if args.cold else "") + f", {datetime.date.today().isoformat()} "
                f"(`python -m instructor gradescope-budget`)"
                + (f"; 'before' is the grader of {figures.described(args.against)}, 'this' of "
                   f"{figures.described(ROOT)}, run alternately in the same hour" if args.against else "")
                + ". The peak counts page cache.")
        text = "\n".join([head, ""] + table(found, args.cpus))
        print("\n" + text)
        if args.write:
            for name in ("grading-budget.md", "grading-speed.md"):
                print(f"wrote {figures.write_section(name, TRAINED_SECTION if args.weights else SECTION, text)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
