"""The notebook is committed clean and runs top to bottom."""
import json
import os
import re

import pytest

from instructor import notebook
from tests.checks import PARTS


@pytest.fixture(scope="module")
def nb():
    with open(notebook.NOTEBOOK) as f:
        return json.load(f)


def test_notebook_is_nbformat_4_with_a_python3_kernel(nb):
    import nbformat

    nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_notebook_is_committed_without_outputs(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"][:80]


def test_notebook_has_a_parameters_cell_with_the_course_settings(nb):
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    source = "".join(tagged[0]["source"])
    for name in notebook.TINY:
        assert re.search(rf"^{name} = ", source, re.M), name
    assert "num_epochs_gan = 10" in source and "num_epochs_lsgan = 10" in source and "num_epochs_dcgan = 5" in source


def test_every_part_has_a_check_cell(nb):
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for part in PARTS:
        assert any(f"run_part('{part}'" in s for s in sources), part


def test_notebook_has_no_machine_specific_paths(nb):
    text = json.dumps(nb)
    for path in ("/work/", "/root/", "/home/", "C:\\\\"):
        assert path not in text


@pytest.mark.slow
def test_notebook_runs_top_to_bottom_with_the_tiny_setting(tmp_path):
    data_dir = os.environ.get("GAN_DATA_DIR")
    if not data_dir and not os.environ.get("CI"):
        pytest.skip("set GAN_DATA_DIR to a folder holding MNIST/raw/")
    seconds = notebook.execute(str(tmp_path / "executed.ipynb"), tiny=True, data_dir=data_dir, timeout=600)
    print(f"notebook executed in {seconds:.0f} s")
    assert seconds < 300
