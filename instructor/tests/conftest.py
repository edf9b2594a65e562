import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.conftest import pytest_configure, pytest_report_teststatus  # noqa: E402,F401  (the same markers and summary)

# The tests read English wherever they do not ask for another language, whatever LANGUAGE the course
# chose (autograder/course.py); a test of another language's release runs it without this variable.
os.environ["GAN_LANGUAGE"] = "en"


@pytest.fixture(scope="session")
def setup_sh_python(tmp_path_factory):
    """The Python that Gradescope's setup.sh makes, built once for the whole run from its
    pip lines and removed when the run ends: a CUDA build of torch with its libraries takes
    about 5.6 GB, and a second copy once filled CI's disk."""
    from instructor.measure import gradescope_budget
    folder = tmp_path_factory.mktemp("setup-sh")
    yield gradescope_budget.setup_sh_python(str(folder))
    shutil.rmtree(folder, ignore_errors=True)
