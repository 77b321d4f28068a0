"""Executing a parameterised notebook with papermill and converting it to a self-contained HTML page."""

from __future__ import annotations

import copy
import functools
import os
import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

from . import paths, warmkernels
from .settings import DEFAULT_TIMEOUT
from .storage import atomic_write_text
from .style import CJK_FONT_STACK

TEMPLATES = Path(__file__).parent / "templates"
ENGINE = "plancompare"
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
    return _strip_volatile_in_place(copy.deepcopy(nb))


def _strip_volatile_in_place(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run timestamps, durations and execution metadata from a notebook; return it."""
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


@functools.cache
def _engine() -> str:
    """Return the name of the papermill engine that writes the notebook only when a run fails."""
    from papermill.engines import NBClientEngine, papermill_engines

    class SaveOnFailureEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, failure_path=None, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except BaseException:
                if failure_path:
                    nbformat.write(nb_man.nb, failure_path)
                raise

    papermill_engines.register(ENGINE, SaveOnFailureEngine)
    return ENGINE


def _started(nb: nbformat.NotebookNode | None) -> bool:
    """Return whether any code cell of a (partial) notebook ran."""
    return nb is not None and any(
        c.cell_type == "code" and c.get("execution_count") is not None for c in nb.cells
    )


def check_template(template: Path) -> None:
    """Raise RenderError, naming the file, when a report's notebook is missing or not a notebook."""
    if not Path(template).is_file():
        raise RenderError(f"{template}: notebook not found")
    try:
        nbformat.read(str(template), as_version=4)
    except (OSError, ValueError) as exc:  # NotJSONError is a ValueError
        raise RenderError(f"{template}: not a readable notebook ({exc})") from None


def execute(
    template: Path,
    parameters: dict[str, Any],
    scratch: Path,
    kernel_name: str = paths.KERNEL_NAME,
    timeout: int = DEFAULT_TIMEOUT,
    start_retries: int = 1,
    warm: bool = True,
) -> nbformat.NotebookNode:
    """Return the executed notebook (volatile metadata stripped); raise RenderError on failure.

    A failed run writes the notebook to `scratch` with its executed cells and the error, to
    keep for debugging (papermill's own engine writes it after every cell instead). A kernel that fails before any cell ran
    (a port clash or start-up race when several kernels start at once) is started again
    `start_retries` times. With `warm`, the kernel is forked from the run's warm fork server
    (see `warmkernels`); a retry starts an ordinary kernel.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    def partial() -> nbformat.NotebookNode | None:
        try:
            return strip_volatile(nbformat.read(str(scratch), as_version=4))
        except Exception:
            return None

    for attempt in range(start_retries + 1):
        client = {}
        if warm and attempt == 0 and warmkernels.enabled():
            client["kernel_manager_class"] = warmkernels.WarmKernelManager
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
                engine_name=_engine(),
                request_save_on_cell_execute=False,
                failure_path=str(scratch),
                **client,
            )
            return _strip_volatile_in_place(nb)  # papermill's own copy
        except PapermillExecutionError as exc:
            raise RenderError(f"{exc.ename}: {exc.evalue}".strip(), partial()) from None
        except TimeoutError:
            raise RenderError(f"a cell exceeded the {timeout} s timeout", partial()) from None
        except Exception as exc:  # the kernel died or could not start: this report only
            nb = partial()
            if _started(nb) or attempt == start_retries:
                raise RenderError(f"{type(exc).__name__}: {exc}".strip(), nb) from None
    raise AssertionError("unreachable")


# Built exporters, each used by one report at a time (building one compiles its template).
_idle_exporters: queue.SimpleQueue = queue.SimpleQueue()
_OUTPUT_DIV = re.compile(r'<div class="([^"<>]*\bjp-OutputArea-output\b[^"<>]*)"')


@contextmanager
def _exporter() -> Iterator[Any]:
    """Lend an HTML exporter (its compiled template is reused across reports and threads)."""
    try:
        exporter = _idle_exporters.get_nowait()
    except queue.Empty:
        exporter = _new_exporter()
    try:
        yield exporter
    finally:
        _idle_exporters.put(exporter)


def _new_exporter() -> Any:
    """Return a new HTML exporter for report pages."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup pass over the whole page.

        That pass only adds alt texts to images (the reports have none) and tabindex to
        output areas (done by `to_html`), and it re-parses every page with its ~1.2 MB of
        inlined Vega: most of a conversion's time.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name", None))
            self.register_filter(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter(
        template_name="plancompare-report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,  # validate once, not after each of a dozen preprocessors
    )


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Return the Vega, Vega-Lite and vega-embed libraries as one script, safe inside <script>.

    Bundling takes seconds, so the result is kept on disk per vl-convert version.
    """
    import vl_convert

    cache = _cache_dir() / f"vega-bundle-{vl_convert.__version__}.js"
    if cache.is_file():
        return cache.read_text("utf-8")
    bundle = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    try:
        atomic_write_text(cache, bundle)
    except OSError:
        pass  # a read-only home: bundle again next time
    return bundle


def _cache_dir() -> Path:
    """Return the user's cache folder for plancompare (XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plancompare"


def to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Return a notebook as a self-contained HTML page: code hidden, Vega inlined, no CDN."""
    # nbconvert copies the notebook before converting it: a shallow copy carries the title.
    nb = nbformat.NotebookNode({**nb, "metadata": nbformat.NotebookNode({**nb.metadata})})
    nb.metadata["title"] = title
    resources = {"vega_bundle": vega_bundle(), "cjk_font_stack": CJK_FONT_STACK}
    with _exporter() as exporter:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    # Output areas are focusable, as nbconvert's own HTML exporter makes them.
    return _OUTPUT_DIV.sub(r'<div class="\1" tabindex="0"', body)


def warm_up() -> None:
    """Import papermill and make an HTML exporter before the first report needs them.

    A run calls this in a thread while the kernels' fork server starts, when it would wait.
    """
    try:
        import papermill  # noqa: F401

        _engine()
        to_html(nbformat.v4.new_notebook(), "warm-up")
    except Exception:  # the reports themselves will meet and report any real problem
        pass


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a notebook atomically."""
    atomic_write_text(path, nbformat.writes(nb) + "\n")
