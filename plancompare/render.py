"""Executing a parameterised notebook with papermill and converting it to a self-contained HTML page."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nbformat

from . import paths
from .charts import vega_bundle
from .storage import atomic_write_text
from .style import CJK_FONT_STACK

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_TIMEOUT = 600
# Metadata that changes on every run (timings, ids); removed so that unchanged inputs give
# byte-identical notebooks and pages.
_VOLATILE_NB = ("papermill", "widgets")
_VOLATILE_CELL = ("papermill", "execution", "collapsed", "scrolled")


class RenderError(Exception):
    """A notebook that failed to execute or convert, with the executed notebook when there is one."""

    def __init__(self, message: str, notebook: nbformat.NotebookNode | None = None):
        super().__init__(message)
        self.notebook = notebook


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of a notebook without run timestamps, durations and execution metadata."""
    nb = copy.deepcopy(nb)
    for key in _VOLATILE_NB:
        nb.metadata.pop(key, None)
    for i, cell in enumerate(nb.cells):
        for key in _VOLATILE_CELL:
            cell.metadata.pop(key, None)
        cell["id"] = f"cell-{i}"
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
    return nb


def _started(nb: nbformat.NotebookNode | None) -> bool:
    """Return whether any code cell of a (partial) notebook ran."""
    return nb is not None and any(
        c.cell_type == "code" and c.get("execution_count") is not None for c in nb.cells
    )


def execute(
    template: Path,
    parameters: dict[str, Any],
    scratch: Path,
    kernel_name: str = paths.KERNEL_NAME,
    timeout: int = DEFAULT_TIMEOUT,
    start_retries: int = 1,
) -> nbformat.NotebookNode:
    """Return the executed notebook (volatile metadata stripped); raise RenderError on failure.

    papermill writes the notebook to `scratch` as it goes, so a failed run still has its
    executed cells and the error to keep for debugging. A kernel that fails before any cell ran
    (a port clash or start-up race when several kernels start at once) is started again
    `start_retries` times.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    def partial() -> nbformat.NotebookNode | None:
        try:
            return strip_volatile(nbformat.read(str(scratch), as_version=4))
        except Exception:
            return None

    for attempt in range(start_retries + 1):
        try:
            nb = pm.execute_notebook(
                str(template),
                str(scratch),
                parameters=parameters,
                kernel_name=kernel_name,
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                cwd=str(Path(template).parent),
            )
            return strip_volatile(nb)
        except PapermillExecutionError as exc:
            raise RenderError(f"{exc.ename}: {exc.evalue}".strip(), partial()) from None
        except TimeoutError:
            raise RenderError(f"a cell exceeded the {timeout} s timeout", partial()) from None
        except Exception as exc:  # the kernel died or could not start: this report only
            nb = partial()
            if _started(nb) or attempt == start_retries:
                raise RenderError(f"{type(exc).__name__}: {exc}".strip(), nb) from None
    raise AssertionError("unreachable")


def to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Return a notebook as a self-contained HTML page: code hidden, Vega inlined, no CDN."""
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="plancompare-report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {"vega_bundle": vega_bundle(), "cjk_font_stack": CJK_FONT_STACK}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a notebook atomically."""
    atomic_write_text(path, nbformat.writes(nb) + "\n")
