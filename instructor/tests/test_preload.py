"""The sandbox loads the libraries a gan.py imports once, ahead of its parts
(instructor/sandbox/inside/supervisor.py, Supervisor.preload): which names it takes, which it refuses,
and that each part still starts from the same untouched state."""
import os
import subprocess
import sys
import textwrap

import pytest

from autograder import course
from autograder.imports import top_level_imports
from instructor import ROOT
from instructor.grader import grade, render
from instructor.measure.gradescope_budget import STARTER_IMPORTS
from instructor.tests import FULL
from instructor.tests.test_grading import LIMITS, grader_root, warm_pool  # noqa: F401  (fixtures)


def test_top_level_imports_are_the_statements_that_run_at_import():
    source = textwrap.dedent('''
        import os, torchvision.transforms as T
        from PIL import Image, ImageDraw
        from matplotlib import *
        from . import sibling
        try:
            import seaborn
        except ImportError:
            import scipy
        if os.environ.get("X"):
            import tqdm
        else:
            import tqdm.auto
        if __name__ == "__main__":
            import argparse
        def f():
            import pandas
        class C:
            import json
        import os
    ''')
    assert top_level_imports(source) == ["os", "torchvision.transforms", "PIL", "PIL.Image", "PIL.ImageDraw",
                                         "matplotlib", "seaborn", "scipy", "tqdm", "tqdm.auto"]
    assert top_level_imports("def broken(:\n") == []

def in_fresh_python(code, tmp_path):
    """Run `code` in `python -I` with the sandbox program's package on sys.path (as `inside`,
    its name inside the sandbox; its supervisor and part modules imported as such); its last
    line of output."""
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path[:0] = [{str(tmp_path)!r}, "
                          f"{os.path.join(ROOT, 'instructor', 'sandbox')!r}]; from inside import part, supervisor\n"
                          + textwrap.dedent(code)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]

def test_only_modules_of_the_python_environment_not_yet_loaded_are_taken(tmp_path):
    found = in_fresh_python(f'''
        code = {os.path.join(ROOT, "instructor", "sandbox")!r}
        names = ["matplotlib.pyplot", "json", "inside", "antigravity", "this", "no_such_package_here", "a-b"]
        print([n for n in names if supervisor._from_environment(n, code)])
    ''', tmp_path)
    assert found == "['matplotlib.pyplot']"  # json: loaded; inside: the grader's own; then the refused ones

def test_a_module_that_leaves_a_thread_or_an_open_file_and_what_follows_it_is_left_to_the_parts(tmp_path):
    (tmp_path / "spins.py").write_text("import threading, time\n"
                                       "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n")
    (tmp_path / "holds.py").write_text("held = open(__file__)\n")
    (tmp_path / "broken.py").write_text("raise RuntimeError('no')\n")
    (tmp_path / "plain.py").write_text("x = 1\n")
    assert in_fresh_python("print(part.trial_imports(['broken', 'plain', 'spins', 'json']))",
                           tmp_path) == "['plain']"
    assert in_fresh_python("print(part.trial_imports(['plain', 'holds', 'json']))",
                           tmp_path) == "['plain']"

PROBE = '''import sys
print("loaded before gan.py:", sorted(m for m in ("torchvision", "matplotlib.pyplot", "tqdm", "PIL.Image")
                                      if m in sys.modules))
'''
# Each part that calls sample_noise marks the loaded libraries; the others fail if they see a mark.
LEAK = '''

def _marks_seen():
    return [m for m in (torchvision, plt, tqdm) if getattr(m, "_marked_by_a_part", False)]

_sample_noise = sample_noise

def sample_noise(batch_size, dim, seed=None):
    torchvision._marked_by_a_part = plt._marked_by_a_part = tqdm._marked_by_a_part = True
    return _sample_noise(batch_size, dim, seed)

_discriminator, _generator = discriminator, generator

def discriminator(seed=None):
    assert not _marks_seen(), "a part saw what another part changed"
    return _discriminator(seed)

def generator(noise_dim=NOISE_DIM, seed=None):
    assert not _marks_seen(), "a part saw what another part changed"
    return _generator(noise_dim, seed)
'''

@pytest.mark.slow
def test_the_starter_imports_are_loaded_ahead_and_each_part_sees_them_untouched(grader_root, warm_pool, tmp_path):
    with open(os.path.join(ROOT, "gan.py")) as f:
        reference = f.read()
    path = tmp_path / "gan.py"
    path.write_text(PROBE + STARTER_IMPORTS + reference + LEAK)
    report = grade.grade(str(path), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == FULL, render.report_text(report)
    outputs = {phase: record["output"] for phase, record in report["status"].items()}
    assert set(outputs) == {"import", *course.GROUPS} - {"trained"}  # no trained generator: nothing to run
    if report["isolation"]["mode"] == "sealed" or os.geteuid() != 0:  # the reduced mode as root loads nothing ahead
        for phase, output in outputs.items():
            assert "loaded before gan.py: ['PIL.Image', 'matplotlib.pyplot', 'torchvision', 'tqdm']" in output, phase

@pytest.mark.slow
def test_a_file_whose_imports_fail_or_do_not_exist_grades_as_before(grader_root, warm_pool, tmp_path):
    with open(os.path.join(ROOT, "gan.py")) as f:
        reference = f.read()
    path = tmp_path / "gan.py"
    path.write_text("try:\n    import no_such_package_here\nexcept ImportError:\n    pass\n"
                    "from torchvision import no_such_name  # noqa\n" + reference)
    report = grade.grade(str(path), "cpu", root=grader_root, limits=LIMITS, pool=warm_pool)
    assert report["total"] == 0
    assert all("cannot import name 'no_such_name' from 'torchvision'" in c[2]
               for p in report["parts"] for c in p["checks"][:1]), render.report_text(report)
