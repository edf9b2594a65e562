import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.conftest import pytest_configure, pytest_report_teststatus  # noqa: E402,F401  (the same markers and summary)
