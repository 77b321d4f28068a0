"""Notebooks: paired with jupytext, committed without outputs, parameters tagged, kernel named."""

import json

import jupytext
import nbformat
import pytest

from plancompare import paths

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"plan_profile.ipynb", "compare_plans.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs_and_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata["kernelspec"]["name"] == paths.KERNEL_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_jupytext_pair_is_in_step(path):
    script = path.with_suffix(".py")
    assert script.is_file(), f"{path.name} has no py:percent pair"
    from_script = jupytext.read(script)
    from_nb = nbformat.read(path, as_version=4)
    sources = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert sources(from_script) == sources(from_nb)
    fmt = json.loads(path.read_text("utf-8"))["metadata"]["jupytext"]["formats"]
    assert fmt == "ipynb,py:percent"
