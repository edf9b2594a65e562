"""Every check that needs a GPU, in one command: `python -m instructor gpu-report`.

On a machine with CUDA (and MNIST, see --data-dir) it runs, one after another:
the grading suite (its CUDA copies), the instructor's CUDA tests (CUDA graphs
against plain steps, grading on the GPU), `grade --device cuda` on the reference
and on the unfilled release, the notebook at the course's full settings, a
profile of a plain GPU iteration, and the training benchmark. It writes what each printed that matters to
figures/gpu-report.md (device, torch version, pass/fail counts, seconds per
training, IS and FID) and goes on past a failing step, which the report shows.
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time

import torch

from instructor import ROOT
from instructor.grader.markers import strip_code

STEPS = []


def step(title):
    def register(fn):
        STEPS.append((title, fn))
        return fn

    return register


def _run(cmd, env=None, timeout=3600):
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                         env=dict(os.environ, **(env or {})))
    return out.returncode, out.stdout + out.stderr, time.perf_counter() - start


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip("= ") if lines else ""


@step("grading suite, CPU and CUDA: `python -m pytest tests`")
def suite(work, data_dir):
    rc, out, seconds = _run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"])
    return [f"{_last_line(out)} ({seconds:.0f} s, exit {rc})"]


@step("instructor's CUDA tests: `python -m pytest instructor/tests -k cuda`")
def cuda_tests(work, data_dir):
    rc, out, seconds = _run([sys.executable, "-m", "pytest", "instructor/tests", "-q", "-k", "cuda", "-p",
                             "no:cacheprovider"], env={"GAN_DATA_DIR": data_dir or ""})
    return [f"{_last_line(out)} ({seconds:.0f} s, exit {rc})"] + [
        line for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))][:10]


@step("`python -m instructor grade --device cuda`")
def grade(work, data_dir):
    with open(os.path.join(ROOT, "gan.py")) as f:
        reference = f.read()
    lines = []
    for kind, source in (("reference", reference), ("unfilled release", strip_code(reference))):
        path = os.path.join(work, f"{kind.split()[0]}.py")
        with open(path, "w") as f:
            f.write(source)
        rc, out, seconds = _run([sys.executable, "-m", "instructor", "grade", path, "--device", "cuda"])
        total = re.search(r"^total\s+(\S+ / \S+)", out, re.M)  # what grade printed: the points out of FULL
        mode = re.search(r"^isolation: (\w+)", out, re.M)
        lines.append(f"{kind}: {total.group(1) if total else '?'}, isolation {mode.group(1) if mode else '?'}, "
                     f"{seconds:.1f} s (exit {rc})")
        if not total:
            lines.append("    " + out[-600:].replace("\n", "\n    "))
    return lines


@step("the notebook at the course's settings, `cuda_graphs=True`")
def notebook_full(work, data_dir):
    from instructor.course import notebook

    out = os.path.join(work, "executed.ipynb")
    start = time.perf_counter()
    try:
        notebook.execute(out, data_dir=data_dir, timeout=3600, fast_training=True)  # the path to prove here
        problem = None
    except Exception as err:
        problem = f"{type(err).__name__}: {str(err)[:300]}"
    seconds = time.perf_counter() - start
    text = ""
    if os.path.exists(out):
        import nbformat

        nb = nbformat.read(out, as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    lines = [f"whole notebook: {seconds:.0f} s" + (f", stopped: {problem}" if problem else ", no cell error")]
    lines += re.findall(r"^(?:vanilla GAN|LSGAN|DCGAN): \d+ epochs? in [\d.]+ s$", text, re.M)
    lines += re.findall(r"^.*Inception Score [\d.]+, FID [\d.]+ on [\d,]+ samples", text, re.M)
    return lines


@step("where a plain GPU iteration's time goes: `python -m instructor benchmark --device cuda --profile`")
def gpu_profile(work, data_dir):
    rc, out, seconds = _run([sys.executable, "-m", "instructor", "benchmark", "--device", "cuda", "--profile"])
    lines = [line.strip() for line in out.splitlines() if " per iteration under the profiler" in line
             or "one 2048^3 product alone" in line
             or line.strip().startswith(("matrix products:", "convolutions:"))]
    return lines or [f"exit {rc}: " + out[-800:]]


@step("training benchmark on the GPU: `python -m instructor benchmark --device cuda`")
def benchmark(work, data_dir):
    rc, out, seconds = _run([sys.executable, "-m", "instructor", "benchmark", "--device", "cuda"]
                            + (["--data-dir", data_dir] if data_dir else []))
    table = [line for line in out.splitlines() if line.startswith("|")]
    return table or [f"exit {rc}: " + out[-800:]]


def main(args):
    if not torch.cuda.is_available():
        sys.exit("gpu-report needs a CUDA device; this machine has none.")
    data_dir = os.path.abspath(args.data_dir) if args.data_dir else os.environ.get("GAN_DATA_DIR")
    header = ["# GPU report", "",
              f"{torch.cuda.get_device_name()}, torch {torch.__version__} (CUDA {torch.version.cuda}), "
              f"{datetime.date.today().isoformat()}; made by `python -m instructor gpu-report`.", ""]
    body = []
    with tempfile.TemporaryDirectory(prefix="gan-gpu-report-") as work:
        for title, fn in STEPS:
            print(f"== {title}", flush=True)
            try:
                lines = fn(work, data_dir)
            except Exception as err:
                lines = [f"failed: {type(err).__name__}: {err}"]
            for line in lines:
                print(f"   {line}", flush=True)
            body += [f"## {title}", ""] + [line if line.startswith("|") else f"- {line}" for line in lines] + [""]
    path = os.path.join(ROOT, "figures", "gpu-report.md")
    with open(path, "w") as f:
        f.write("\n".join(header + body))
    print(f"wrote {path}")
