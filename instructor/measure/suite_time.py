"""How long the README's test command takes: `python -m instructor suite-time`.

Runs the README's test command exactly as the README writes it (read from it, so the
two cannot drift) in this checkout, and with --against CHECKOUT in that checkout too,
the two taking turns within each repeat so that both see the same machine; each run
gets a fresh pytest folder. Prints the passed and failed counts and the median wall
time of each, and the ratio. --write puts the table in figures/test-time.md.
"""
import datetime
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from instructor import ROOT
from instructor.measure import figures

COMMAND_START = "python -m pytest tests "  # the README's test command begins so
TITLE = "# How long the tests take\n\n"


def readme_command(checkout=ROOT):
    """The README's test command as arguments after `python` (['-m', 'pytest', ...])."""
    with open(os.path.join(checkout, "README.md"), encoding="utf-8") as f:
        line = next((line for line in f if line.strip().startswith(COMMAND_START)), None)
    if line is None:
        raise SystemExit(f"suite-time: no line starting with {COMMAND_START!r} in {checkout}/README.md")
    return shlex.split(line)[1:]


def run_suite(checkout, timeout=3600):
    """(seconds, 'N passed, M failed' as pytest's last line says it, exit status) of one run
    of the README's test command in `checkout`."""
    work = tempfile.mkdtemp(prefix="gan-suite-time-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        start = time.monotonic()
        proc = subprocess.run([sys.executable, *readme_command(checkout), "-q", "-p", "no:cacheprovider",
                               "--basetemp", os.path.join(work, "pytest")], cwd=checkout, env=env,
                              capture_output=True, text=True, timeout=timeout)
        seconds = time.monotonic() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [line for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    counts = ", ".join(re.findall(r"\d+ (?:passed|failed|error)", lines[-1])) if lines else "no summary"
    return seconds, counts, proc.returncode


def main(args):
    checkouts = {"this": ROOT}
    if args.against:
        checkouts = {"before": os.path.abspath(args.against), **checkouts}
    found = {name: [] for name in checkouts}
    for _ in range(args.repeats):
        for name, checkout in checkouts.items():
            seconds, counts, code = run_suite(checkout)
            found[name].append((seconds, counts, code))
            print(f"{name:>7}: {seconds:.0f} s, {counts}, exit {code}", flush=True)
    medians = {name: statistics.median(r[0] for r in runs) for name, runs in found.items()}
    lines = [f"The README's test command (`python {shlex.join(readme_command())}`), {args.repeats} runs each"
             + (", the two checkouts taking turns" if args.against else "")
             + f", {datetime.date.today().isoformat()}, {os.cpu_count()} cores (`python -m instructor suite-time`)"
             + (f"; 'before' is {figures.described(checkouts['before'])}, 'this' {figures.described(ROOT)}"
                if args.against else "")
             + ". Each runs the tests its own README's command selects.", "",
             "| checkout | tests | exit | wall (median) | runs |", "|---|---|---|---|---|"]
    for name, runs in found.items():
        lines.append(f"| {name} | {' / '.join(sorted({r[1] for r in runs}))} | "
                     f"{' / '.join(sorted({str(r[2]) for r in runs}))} | {medians[name]:.0f} s | "
                     f"{', '.join(f'{r[0]:.0f} s' for r in runs)} |")
    if args.against:
        lines += ["", (f"this / before: {medians['this'] / medians['before']:.2f} of the time "
                       f"({medians['before'] / medians['this']:.1f}x faster)")]
    text = "\n".join(lines)
    print("\n" + text)
    if args.write:
        print(f"wrote {figures.write_top('test-time.md', TITLE + text)}")
