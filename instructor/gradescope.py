"""Build the Gradescope autograder zip.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once on its
Ubuntu image, then run_autograder for each submission, which finds the student's
file in /autograder/submission/ and must write /autograder/results/results.json.
The zip holds the grader (instructor/grading.py, instructor/sandbox.py), the
checks and the answer file; not the reference solution.
"""
import os
import zipfile

from instructor import ROOT

FILES = [
    "gan-checks.npz",
    "tests/__init__.py",
    "tests/checks.py",
    "instructor/__init__.py",
    "instructor/__main__.py",
    "instructor/grading.py",
    "instructor/sandbox.py",
]

SETUP_SH = """#!/usr/bin/env bash
# Runs once on Gradescope's Ubuntu image: Python, then the grader's requirements (CPU wheels).
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet --index-url https://download.pytorch.org/whl/cpu "torch>=2.1"
/autograder/venv/bin/pip install --quiet "numpy>=1.24"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Grades /autograder/submission/gan.py into /autograder/results/results.json.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON let the same script run in a local simulation.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-$root/venv/bin/python}"
[ -x "$python" ] || python=python3
mkdir -p "$root/results"
submission="$(find "$root/submission" -name gan.py -type f 2>/dev/null | head -n 1)"
cd "$root/source"
exec "$python" -m instructor grade "${submission:-$root/submission/gan.py}" --results "$root/results/results.json"
"""


def build(out):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        for rel in FILES:
            zf.write(os.path.join(ROOT, rel), rel)
    return out


def main(args):
    print(f"wrote {build(args.out)}")
