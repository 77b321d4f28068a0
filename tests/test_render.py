"""Kernel start-up failures are retried once; failures after a cell ran are not."""

import subprocess
import sys

import nbformat
import papermill
import pytest

from plancompare import render


def _notebook(executed: bool) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.execution_count = 1 if executed else None
    nb.cells.append(cell)
    return nb


def _fake(monkeypatch, outcomes):
    """Make papermill play the given outcomes in turn (an exception or a notebook to write)."""
    calls = []

    def execute_notebook(template, output, **kwargs):
        item = outcomes[len(calls)]
        calls.append(kwargs)
        nb, exc = item if isinstance(item, tuple) else (item, None)
        nbformat.write(nb, output)
        if exc is not None:
            raise exc
        return nb

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    return calls


def test_a_kernel_that_fails_to_start_is_started_again(monkeypatch, tmp_path):
    start_failure = (_notebook(False), RuntimeError("Kernel died before replying to kernel_info"))
    calls = _fake(monkeypatch, [start_failure, _notebook(True)])
    nb = render.execute(tmp_path / "t.ipynb", {}, tmp_path / "scratch.ipynb")
    assert len(calls) == 2
    assert nb.cells[0].execution_count == 1
    assert calls[0]["kernel_name"] == "plancompare"


def test_start_failures_are_retried_only_once(monkeypatch, tmp_path):
    start_failure = (_notebook(False), RuntimeError("Address already in use"))
    calls = _fake(monkeypatch, [start_failure, start_failure, _notebook(True)])
    with pytest.raises(render.RenderError, match="Address already in use"):
        render.execute(tmp_path / "t.ipynb", {}, tmp_path / "scratch.ipynb")
    assert len(calls) == 2


def test_a_kernel_that_dies_after_cells_ran_is_not_retried(monkeypatch, tmp_path):
    died = (_notebook(True), RuntimeError("Kernel died"))
    calls = _fake(monkeypatch, [died, _notebook(True)])
    with pytest.raises(render.RenderError) as err:
        render.execute(tmp_path / "t.ipynb", {}, tmp_path / "scratch.ipynb")
    assert len(calls) == 1
    assert err.value.notebook is not None and err.value.notebook.cells[0].execution_count == 1


def test_the_run_renders_html_without_importing_the_chart_libraries():
    # The run's own process only converts finished notebooks: altair is the kernels' to import.
    code = (
        "import sys, nbformat; from plancompare import render; "
        "render.to_html(nbformat.v4.new_notebook(), 't'); "
        "print(sorted(m for m in ('altair', 'plancompare.charts') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
