"""The instructor's tests. What they expect comes from the reference solution, the answer
files and POINTS, never typed a second time: FULL is what a correct submission scores."""
import os

import pytest

from autograder.course import FULL  # noqa: F401  (the tests import it from here)


def mnist_root():
    """The folder gan.py reads MNIST from (gan.default_data_dir(): $GAN_DATA_DIR, else ./datasets),
    as an absolute path, where its MNIST/raw/ holds the four files (gzip'd or unpacked); else None."""
    import gan

    root = os.path.abspath(gan.default_data_dir())
    raw = os.path.join(root, "MNIST", "raw")
    found = all(os.path.isfile(os.path.join(raw, name)) or os.path.isfile(os.path.join(raw, name[:-3]))
                for name in gan.MNIST_FILES)
    return root if found else None


def no_mnist():
    import gan

    return (f"MNIST is not in {os.path.join(os.path.abspath(gan.default_data_dir()), 'MNIST', 'raw')}, where "
            "gan.py looks for it ($GAN_DATA_DIR, else ./datasets): see 'Data' on the set-up page")


# Tests that read real digits: skipped, saying where MNIST was looked for, when it is not there (CI runs them
# whatever: gan.py downloads MNIST where it is missing).
needs_mnist = pytest.mark.skipif(mnist_root() is None and not os.environ.get("CI"), reason=no_mnist())
