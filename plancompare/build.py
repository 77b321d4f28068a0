"""The batch run: process every plan, render every report, record what was built, write the index.

Heavy modules (pandas, jieba, papermill, nbconvert) are imported only inside the steps that need
them, so that a run with nothing to do finishes in about a second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from . import forkserver, paths
from .fingerprint import code_fingerprint, processing_fingerprint
from .manifest import Manifest, Plan
from .reading import InputError, sha256_file
from .settings import BUILD_FILE, DEFAULT_LOCK_TIMEOUT, DEFAULT_TIMEOUT, Settings  # noqa: F401
from .storage import (
    atomic_write_text,
    json_object,
    parquet_whole,
    remove_temporary_files,
    write_json,
)
from .style import count_of

SUMMARY_FILE = "run-summary.json"
LOCK_FILE = ".plancompare.lock"
BUILD_FORMAT = 1
TABLES_KEY = "tables.key"  # in --processed: the plans the tidy CSVs were last written from
OVERVIEW = "corpus-overview"
OVERVIEW_NOTEBOOK = "corpus_overview.ipynb"
MAX_REASON = 400
TEMPLATES = Path(__file__).parent / "templates"


class LockTimeout(Exception):
    """Another run holds the output folder's lock for longer than this run may wait."""


class ParameterError(ValueError):
    """A notebook parameter that is not a plain literal value."""


@dataclass(frozen=True)
class ReportTask:
    """One report to render: its name, notebook and literal parameters."""

    name: str
    kind: str  # "profile" | "comparison" | "corpus"
    notebook: str
    parameters: dict
    plan_ids: tuple[str, ...]
    title: str


@dataclass
class Outcome:
    """How one report (or plan) fared in a run."""

    name: str
    status: str  # "ok" | "skipped" | "failed"
    seconds: float = 0.0
    reason: str = ""
    plan_ids: tuple[str, ...] = field(default_factory=tuple)
    input_error: bool = False  # refused for its input (deterministic), not a crash


# --- literal parameters -----------------------------------------------------------------------


def check_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Return the parameters unchanged if every name is an identifier and every value a literal."""
    for name, value in parameters.items():
        if not (isinstance(name, str) and name.isidentifier()):
            raise ParameterError(f"parameter name {name!r} is not a Python identifier")
        _check_literal(name, value)
    return parameters


def _check_literal(name: str, value: Any) -> None:
    """Raise ParameterError unless value is a str, number, bool, None or a list/dict of them."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterError(f"parameter {name}: {value!r} is not a finite number")
        return
    if isinstance(value, str):
        if any(ord(ch) < 32 for ch in value):
            raise ParameterError(f"parameter {name}: control characters in {value!r}")
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_literal(name, item)
        return
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        for item in value.values():
            _check_literal(name, item)
        return
    raise ParameterError(f"parameter {name}: {type(value).__name__} is not a literal value")


# --- the reports of a manifest ----------------------------------------------------------------


def report_tasks(
    manifest: Manifest, settings: Settings, ok_plans: set[str] | None = None
) -> list[ReportTask]:
    """Return the manifest's reports: profiles, comparisons and, past two plans, an overview.

    With `ok_plans`, only the profiles and comparisons whose plans are all in it.
    """
    common = {
        "manifest_path": str(manifest.path),
        "processed_dir": str(Path(settings.processed).resolve()),
    }
    tasks = [
        ReportTask(
            name=f"profile-{plan.id}",
            kind="profile",
            notebook="plan_profile.ipynb",
            parameters={"plan_id": plan.id, **common},
            plan_ids=(plan.id,),
            title=f"Profile: {plan.label()}",
        )
        for plan in manifest.plans
    ]
    for left, right in manifest.comparisons:
        a, b = manifest.plan(left), manifest.plan(right)
        tasks.append(
            ReportTask(
                name=f"compare-{left}-vs-{right}",
                kind="comparison",
                notebook="compare_plans.ipynb",
                parameters={"left": left, "right": right, **common},
                plan_ids=(left, right),
                title=f"Comparison: {a.label()} vs {b.label()}",
            )
        )
    if len(manifest.plans) > 2:
        tasks.append(
            ReportTask(
                name=OVERVIEW,
                kind="corpus",
                notebook=OVERVIEW_NOTEBOOK,
                parameters=dict(common),
                plan_ids=tuple(p.id for p in manifest.plans),
                title=_overview_title(len(manifest.plans)),
            )
        )
    if ok_plans is not None:
        tasks = [t for t in tasks if t.kind == "corpus" or set(t.plan_ids) <= ok_plans]
    return tasks


def _overview_title(n_plans: int) -> str:
    return f"Corpus overview: {count_of(n_plans, 'plan')}"


def overview_of(task: ReportTask, plan_ids: tuple[str, ...]) -> ReportTask:
    """Return the corpus overview task over just these plans (those processed well this run).

    A plan that failed keeps its last good cache for its own report; the overview leaves it
    out, as the tidy tables do, and names it among the plans not shown.
    """
    return replace(
        task,
        plan_ids=plan_ids,
        parameters={**task.parameters, "plan_ids": list(plan_ids)},
        title=_overview_title(len(plan_ids)),
    )


def select(tasks: list[ReportTask], only: Iterable[str]) -> list[ReportTask]:
    """Return the tasks that --only asks for (all when empty); the overview only by its name."""
    wanted = set(only)
    if not wanted:
        return tasks
    return [
        t for t in tasks if t.name in wanted or (t.kind != "corpus" and wanted & set(t.plan_ids))
    ]


def unknown_selection(
    manifest: Manifest, tasks: list[ReportTask], only: Iterable[str]
) -> list[str]:
    """Return the --only names that are neither a plan id nor a report name."""
    known = {p.id for p in manifest.plans} | {t.name for t in tasks}
    return [name for name in only if name not in known]


# --- dependency hashes ------------------------------------------------------------------------


def _sha_text(text: str) -> str:
    """Return the hex SHA-256 of a string."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha_json(data: Any) -> str:
    """Return the hex SHA-256 of data serialised as sorted JSON."""
    return _sha_text(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))


def file_hash(path: Path) -> str:
    """Return a file's SHA-256, 'absent' when it does not exist, or why it cannot be read."""
    if not Path(path).is_file():
        return "absent"
    try:
        return sha256_file(path)
    except OSError as exc:  # processing the plan reports it, on the plan's own line
        return f"unreadable ({exc.strerror or exc})"


def _folder_hash(folder: Path) -> str:
    """Return one hash over every file under a folder (names and bytes)."""
    h = hashlib.sha256()
    for p in sorted(q for q in Path(folder).rglob("*") if q.is_file()):
        h.update(str(p.relative_to(folder)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def config_hashes() -> dict[str, str]:
    """Return the hashes of the shared inputs: codebook, glossary, maps, stop words, code, page."""
    return {
        "codebook": file_hash(paths.CODEBOOK),
        "glossary": file_hash(paths.GLOSSARY),
        "indicator map": file_hash(paths.INDICATOR_MAP),
        "stop words": file_hash(paths.STOPWORDS),
        "validation": file_hash(paths.VALIDATION),
        "second coder": file_hash(paths.SECOND_CODER),
        "code": code_fingerprint(),
        "processing code": processing_fingerprint(),
        "page template": _folder_hash(TEMPLATES),
    }


def plan_deps(manifest: Manifest, plan: Plan, config: dict[str, str], settings: Settings) -> dict:
    """Return what a plan's processed tables depend on, each as a hash or a value."""
    return {
        f"raw {plan.id}": file_hash(manifest.source_path(plan)),
        f"entry {plan.id}": _sha_json(plan.model_dump(mode="json")),
        "codebook": config["codebook"],
        "indicator map": config["indicator map"],
        "code": config["processing code"],
        "coder": settings.coder or "default",  # the default itself is covered by "code"
        "validation": config["validation"],  # the classifier coder is trained on it
        "processed": str(Path(settings.processed).resolve()),
    }


def same_texts(manifest: Manifest, plan_dep: dict[str, dict]) -> list[list[str]]:
    """Return the groups of plans whose source files hold the same bytes (by their hashes)."""
    by_hash: dict[str, list[str]] = {}
    for p in manifest.plans:
        digest = plan_dep[p.id][f"raw {p.id}"]
        if not digest.startswith(("absent", "unreadable")):
            by_hash.setdefault(digest, []).append(p.id)
    return [ids for ids in by_hash.values() if len(ids) > 1]


def report_deps(
    task: ReportTask, plan_dep: dict[str, dict], config: dict[str, str], settings: Settings
) -> dict:
    """Return what a report depends on: its plans' inputs, the shared inputs, notebook, parameters."""
    deps: dict[str, str] = {}
    for pid in task.plan_ids:
        deps.update(plan_dep[pid])
    deps.update(config)
    deps["notebook"] = file_hash(Path(settings.notebooks) / task.notebook)
    deps["parameters"] = _sha_json(task.parameters)
    deps["title"] = task.title  # it names the plans: a label changes when a namesake plan arrives
    return deps


def deps_key(deps: dict[str, str]) -> str:
    """Return one key for a set of dependencies."""
    return _sha_json(deps)


# --- the build record -------------------------------------------------------------------------


def load_state(out: Path) -> dict:
    """Return the build record of an output folder (empty when missing or unreadable)."""
    try:
        state = json.loads((Path(out) / BUILD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {"format": BUILD_FORMAT, "plans": {}, "reports": {}}
    if state.get("format") != BUILD_FORMAT:
        return {"format": BUILD_FORMAT, "plans": {}, "reports": {}}
    return state


def save_state(out: Path, state: dict) -> None:
    """Write the build record atomically."""
    write_json(Path(out) / BUILD_FILE, state)


def _now() -> str:
    """Return the current UTC time as an ISO string (seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def record(entry: dict | None, outcome: Outcome, deps: dict, extra: dict | None = None) -> dict:
    """Return a build-record entry updated with this outcome (the last good render kept)."""
    if outcome.status == "skipped" and entry and entry.get("key") == deps_key(deps):
        return entry
    # A plan found in the processing cache without a record (build.json lost) is recorded as ok.
    status = "ok" if outcome.status == "skipped" else outcome.status
    before = (entry or {}).get("deps", {})
    entry = dict(entry or {})
    entry.update(extra or {})
    # Which inputs differ from the last record: the answer to "why was this rebuilt?".
    entry["changed"] = sorted(k for k in deps if before.get(k) != deps[k]) if before else ["new"]
    entry.update(
        status=status,
        reason=outcome.reason,
        seconds=round(outcome.seconds, 3),
        at=_now(),
        deps=deps,
        key=deps_key(deps),
    )
    if status == "ok":
        entry["last_ok"] = entry["at"]
    return entry


def same_input_error(entry: dict | None, deps: dict) -> bool:
    """Return whether a plan was refused for its input last time and its inputs are unchanged."""
    return bool(
        entry
        and entry.get("status") == "failed"
        and entry.get("input_error")
        and entry.get("key") == deps_key(deps)
    )


def up_to_date(entry: dict | None, deps: dict, output: Path) -> bool:
    """Return whether a recorded success has the same dependencies and its output still exists."""
    return bool(
        entry
        and entry.get("status") == "ok"
        and entry.get("key") == deps_key(deps)
        and Path(output).is_file()
    )


# --- one-line reasons -------------------------------------------------------------------------


def one_line(text: str) -> str:
    """Return text on one line, white space collapsed and length capped."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _exception_reason(exc: BaseException) -> str:
    """Return an exception as 'Type: message' on one line."""
    return one_line(f"{type(exc).__name__}: {exc}")


# --- processing plans (module-level functions: Dask workers run them) --------------------------


def process_one(plan: Plan, manifest: Manifest, settings: Settings) -> Outcome:
    """Process one plan into its cached tables; a bad input is a failed outcome, not an exception."""
    from . import coding, pipeline

    start = time.perf_counter()
    name = f"plan {plan.id}"
    try:
        codebook = coding.load_codebook()
        coder = settings.coder or coding.DEFAULT_CODER
        reused = pipeline.ensure_processed(
            manifest, plan, settings.processed, codebook, coder, settings.force
        )
    except InputError as exc:
        reason = str(exc) if plan.id in str(exc) else f"plan '{plan.id}': {exc}"
        if manifest.lines.get(plan.id):  # where to mend it
            reason += f" (its entry: {manifest.path.name} line {manifest.lines[plan.id]})"
        seconds = time.perf_counter() - start
        return Outcome(name, "failed", seconds, one_line(reason), (plan.id,), input_error=True)
    except Exception as exc:  # a bug met on one odd text must not stop the other plans
        reason = f"plan '{plan.id}': {_exception_reason(exc)}"
        return Outcome(name, "failed", time.perf_counter() - start, one_line(reason), (plan.id,))
    status = "skipped" if reused else "ok"
    # Warnings are said once, when the plan is processed (a plan with no categorised sentence
    # is also said so in its report).
    warnings = [] if reused else pipeline.cached_warnings(settings.processed, plan.id)
    note = "; ".join(f"warning: {w}" for w in warnings)
    return Outcome(name, status, time.perf_counter() - start, note, (plan.id,))


def plan_cached(settings: Settings, plan_id: str) -> bool:
    """Return whether a plan's processed tables are whole in the processed folder.

    Its meta.json must hold a cache key and each table must be a whole Parquet file: a cache
    cut short or damaged by hand is processed again instead of failing every report that reads
    it (checked without pyarrow: a run with nothing to do stays light).
    """
    folder = Path(settings.processed) / "plans" / plan_id
    meta = json_object(folder / "meta.json")
    return bool(meta and meta.get("key")) and all(
        parquet_whole(folder / name) for name in paths.PLAN_CACHE_TABLES
    )


def write_tables(settings: Settings, plan_ids: list[str]) -> None:
    """Write the corpus-wide CSV tables from the cached tables of these plans."""
    from . import pipeline

    results = [pipeline.load_processed(settings.processed, pid) for pid in plan_ids]
    pipeline.write_tables(settings.processed, results)


# --- rendering reports (module-level functions: Dask workers run them) -------------------------


def failed_notebook_path(out: Path, name: str) -> Path:
    """Return where the executed notebook of a failed report is kept."""
    return Path(out) / "notebooks" / "failed" / f"{name}.ipynb"


def _with_failure_note(nb, reason: str):
    """Return the notebook with a first cell saying why its render failed."""
    import nbformat

    note = nbformat.v4.new_markdown_cell(f"**This render failed:** {reason}")
    note["id"] = "render-failure"
    nb.cells.insert(0, note)
    return nb


def render_report(task: ReportTask, settings: Settings) -> Outcome:
    """Render one report to HTML, keeping its executed notebook; a failure touches nothing else."""
    out = Path(settings.out)
    start = time.perf_counter()

    def failed(reason: str) -> Outcome:
        return Outcome(
            task.name, "failed", time.perf_counter() - start, one_line(reason), task.plan_ids
        )

    try:
        parameters = check_parameters(task.parameters)
        from . import render
    except (ParameterError, ImportError) as exc:
        return failed(str(exc))
    scratch = out / "notebooks" / f".{task.name}.running.ipynb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        render.check_template(Path(settings.notebooks) / task.notebook)
        nb = render.execute(
            Path(settings.notebooks) / task.notebook,
            parameters,
            scratch,
            kernel_name=settings.kernel_name,
            timeout=settings.timeout,
            warm=settings.warm_kernels,
        )
        page = render.to_html(nb, task.title)
    except render.RenderError as exc:
        reason = str(exc) or type(exc).__name__
        if exc.notebook is not None:
            nb = _with_failure_note(exc.notebook, reason)
            render.write_notebook(nb, failed_notebook_path(out, task.name))
        return failed(reason)
    except Exception as exc:  # the HTML conversion broke: still a failure of this report only
        return failed(_exception_reason(exc))
    finally:
        scratch.unlink(missing_ok=True)
    try:
        render.write_notebook(nb, out / "notebooks" / f"{task.name}.ipynb")
        atomic_write_text(out / f"{task.name}.html", page)
        failed_notebook_path(out, task.name).unlink(missing_ok=True)
    except OSError as exc:  # a full disk or a read-only folder: the previous page is kept whole
        return failed(f"cannot write the report: {exc.strerror or exc} ({exc.filename or out})")
    return Outcome(task.name, "ok", time.perf_counter() - start, "", task.plan_ids)


# --- the index page ---------------------------------------------------------------------------


def _esc(value: object) -> str:
    """Return a value as escaped HTML text."""
    import html

    return html.escape(str(value), quote=True)


def report_state(task: ReportTask, entry: dict | None, current_key: str | None, out: Path) -> str:
    """Return a report's state for the index: ok, stale, failed, outdated or missing."""
    exists = (Path(out) / f"{task.name}.html").is_file()
    if entry and entry.get("status") == "failed":
        return "stale" if exists else "failed"
    if not exists:
        return "missing"
    if entry and current_key and entry.get("key") != current_key:
        return "outdated"
    return "ok"


_STATE_TEXT = {
    "stale": "stale: the last render failed, this is the previous version",
    "failed": "failed",
    "outdated": "out of date: its inputs changed since it was rendered",
    "missing": "not rendered yet",
}


def _index_item(task: ReportTask, entry: dict | None, state: str) -> str:
    """Return one report's list item: its link (when a page exists) and its state."""
    label = _esc(task.title)
    link = (
        label if state in ("failed", "missing") else f'<a href="{_esc(task.name)}.html">{label}</a>'
    )
    if state == "ok":
        return f'<li class="ok">{link}</li>'
    reason = (entry or {}).get("reason", "")
    text = _STATE_TEXT[state] + (f" ({reason})" if reason and state in ("stale", "failed") else "")
    return f'<li class="{state}">{link} <strong class="{state}">{_esc(text)}</strong></li>'


def _anchor(city: str) -> str:
    """Return a page anchor for a city: lower-case letters, digits and hyphens (Xi'an: xian)."""
    slug = re.sub(r"[^a-z0-9]+", "-", city.lower().replace("'", "")).strip("-")
    return slug or "city-" + hashlib.sha256(city.encode()).hexdigest()[:8]


def _plan_heading(plan: Plan) -> str:
    """Return the heading of one plan's group: period and titles."""
    return (
        f"<h3>{plan.start}–{plan.end}: {_esc(plan.title_zh)}"
        f"<br><small>{_esc(plan.title_en)}</small></h3>"
    )


def index_html(manifest: Manifest, tasks: list[ReportTask], items: dict[str, str]) -> str:
    """Return the index page: the overview, then reports grouped by city and period."""
    parts = []
    if OVERVIEW in items:
        parts.append(f"<h2>Corpus 语料</h2><ul>{items[OVERVIEW]}</ul>")
    cities: dict[str, list[Plan]] = {}
    for plan in sorted(manifest.plans, key=lambda p: (p.city, p.start, p.end, p.id)):
        cities.setdefault(plan.city, []).append(plan)
    for city, plans in cities.items():
        parts.append(f'<h2 id="{_anchor(city)}">{_esc(city)} {_esc(plans[0].city_zh)}</h2>')
        for plan in plans:
            mine = [t for t in tasks if t.kind != "corpus" and plan.id in t.plan_ids]
            parts.append(
                _plan_heading(plan) + "<ul>" + "".join(items[t.name] for t in mine) + "</ul>"
            )
    style = (
        "body{font-family:sans-serif;max-width:960px;margin:2rem auto;line-height:1.5}"
        "h3{margin-bottom:.2rem}h3 small{font-weight:normal;color:#555}"
        "strong.stale,strong.failed{color:#b00}strong.outdated,strong.missing{color:#a60}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>plancompare reports</title><style>{style}</style></head>"
        "<body><h1>plancompare reports 规划比较报告</h1>" + "".join(parts) + "</body></html>\n"
    )


def write_index(
    manifest: Manifest, tasks: list[ReportTask], state: dict, keys: dict[str, str], out: Path
) -> None:
    """Write reports/index.html from the build record: every report, its link and its state."""
    reports = state.get("reports", {})
    items = {}
    for task in tasks:
        entry = reports.get(task.name)
        items[task.name] = _index_item(
            task, entry, report_state(task, entry, keys.get(task.name), out)
        )
    atomic_write_text(Path(out) / "index.html", index_html(manifest, tasks, items))


# --- the summary ------------------------------------------------------------------------------


def summary_table(outcomes: list[Outcome]) -> str:
    """Return the end-of-run table: report, status, seconds, reason."""
    width = max([len("report")] + [len(o.name) for o in outcomes])
    lines = [f"{'report':<{width}}  {'status':<7}  {'seconds':>7}  reason"]
    for o in outcomes:
        lines.append(f"{o.name:<{width}}  {o.status:<7}  {o.seconds:7.1f}  {o.reason}".rstrip())
    return "\n".join(lines)


def exit_status(outcomes: list[Outcome]) -> int:
    """Return 1 if any plan or report failed, else 0."""
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def write_summary(
    settings: Settings, outcomes: list[Outcome], started: str, seconds: float
) -> None:
    """Write reports/run-summary.json: the machine-readable outcome of this run."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ok", "skipped", "failed")}
    write_json(
        Path(settings.out) / SUMMARY_FILE,
        {
            "started": started,
            "finished": _now(),
            "seconds": round(seconds, 3),
            "exit_code": exit_status(outcomes),
            "counts": counts,
            "failed": [o.name for o in outcomes if o.status == "failed"],
            "manifest": str(Path(settings.manifest).resolve()),
            "outcomes": [asdict(o) | {"seconds": round(o.seconds, 3)} for o in outcomes],
        },
    )


# --- the run ----------------------------------------------------------------------------------


def _process_stage(
    manifest: Manifest,
    settings: Settings,
    executor,
    state: dict,
    plan_dep: dict[str, dict],
    wanted: set[str],
    progress: Callable[[str], None],
) -> tuple[list[Outcome], bool]:
    """Process the wanted plans that changed; return their outcomes and whether any was rebuilt."""
    plans_state = state.setdefault("plans", {})
    outcomes, todo = [], []
    for plan in manifest.plans:
        if plan.id not in wanted:
            continue
        entry = plans_state.get(plan.id)
        meta = Path(settings.processed) / "plans" / plan.id / "meta.json"
        whole = plan_cached(settings, plan.id)  # else processed again, whatever the record says
        if not settings.force and whole and up_to_date(entry, plan_dep[plan.id], meta):
            outcomes.append(Outcome(f"plan {plan.id}", "skipped", 0.0, "", (plan.id,)))
        elif not settings.force and same_input_error(entry, plan_dep[plan.id]):
            # The same bytes fail the same way: report the recorded reason, do not recompute.
            o = Outcome(f"plan {plan.id}", "failed", 0.0, entry["reason"], (plan.id,))
            progress(f"FAILED  {o.name}: {o.reason} (unchanged since the last run)")
            outcomes.append(o)
        else:
            todo.append(plan)
    rebuilt = False
    for plan, outcome in process_plans(todo, manifest, settings, executor):
        extra = {"input_error": outcome.input_error}
        plans_state[plan.id] = record(plans_state.get(plan.id), outcome, plan_dep[plan.id], extra)
        rebuilt = rebuilt or outcome.status == "ok"  # processed now, not found in the cache
        status = "FAILED" if outcome.status == "failed" else outcome.status
        line = f"{status:7} {outcome.name} ({outcome.seconds:.1f} s)"
        progress(line + (f": {outcome.reason}" if outcome.reason else ""))
        outcomes.append(outcome)
    return outcomes, rebuilt


def process_plans(
    plans: list[Plan], manifest: Manifest, settings: Settings, executor
) -> Iterator[tuple[Plan, Outcome]]:
    """Yield (plan, outcome) for every plan as it is processed (segmenting in helpers if any)."""
    if not plans:
        return  # before the imports: a run with nothing to process never imports pandas
    from . import coding, segment

    helpers = min(settings.segmentation_helpers(), len(plans))  # no idle helper per plan
    words = coding.load_codebook().all_terms() if helpers else ()
    with segment.helpers(helpers, words):
        yield from executor.map(process_one, plans, manifest, settings)


EVALUATION_INPUTS = ("validation", "second coder", "codebook", "code")


def _evaluation_stage(
    settings: Settings, config: dict[str, str], progress: Callable[[str], None]
) -> Outcome | None:
    """Write <processed>/evaluation.json when its inputs changed; return the outcome if it ran."""
    key = deps_key({k: config[k] for k in EVALUATION_INPUTS})
    path = Path(settings.processed) / "evaluation.json"
    # The key sits beside the figures, so runs into other --out folders reuse them.
    key_path = path.with_suffix(".key")
    fresh = key_path.is_file() and key_path.read_text("utf-8").strip() == key
    if not settings.force and fresh and path.is_file():
        return None
    from . import evaluate

    start = time.perf_counter()
    try:
        result = evaluate.run()
    except Exception as exc:  # the reports still render, saying the coding is not evaluated
        o = Outcome("evaluation", "failed", time.perf_counter() - start, _exception_reason(exc))
        progress(f"FAILED  evaluation: {o.reason}")
        return o
    write_json(path, result)
    atomic_write_text(key_path, key + "\n")
    o = Outcome("evaluation", "ok", time.perf_counter() - start)
    progress(f"ok      evaluation of the coders ({o.seconds:.1f} s)")
    return o


def _warm_up_rendering() -> None:
    """Import the renderer and build an HTML exporter before the first report needs them."""
    try:
        from . import render
    except Exception:  # a broken install: every report will say so
        return
    render.warm_up()


def _render_stage(
    tasks: list[ReportTask],
    settings: Settings,
    executor,
    state: dict,
    deps: dict[str, dict],
    ok_plans: set[str],
    progress: Callable[[str], None],
    prepare: Callable[[], Outcome | None] = lambda: None,
) -> list[Outcome]:
    """Render the tasks whose inputs changed (or failed last time); return every task's outcome.

    `prepare` runs first when anything is to be rendered (the coders' evaluation the methods
    sections read); its outcome, if any, leads the list.
    """
    reports = state.setdefault("reports", {})
    plans_state = state.get("plans", {})
    outcomes, todo = [], []
    for task in tasks:
        entry = reports.get(task.name)
        blocked = [p for p in task.plan_ids if p not in ok_plans]
        if task.kind == "corpus" and not (Path(settings.notebooks) / task.notebook).is_file():
            reason = f"{task.notebook} does not exist yet in {settings.notebooks}"
            progress(f"skipped {task.name}: {reason}")
            outcomes.append(Outcome(task.name, "skipped", 0.0, reason, task.plan_ids))
        elif task.kind == "corpus" and not task.plan_ids:
            reason = "not rendered: no plan of the manifest could be processed"
            o = Outcome(task.name, "failed", 0.0, reason, task.plan_ids)
            reports[task.name] = record(entry, o, deps[task.name], _task_info(task))
            progress(f"FAILED  {task.name}: {reason}")
            outcomes.append(o)
        elif blocked and task.kind != "corpus":
            reason = "not rendered: " + "; ".join(
                f"plan '{p}' could not be processed ({plans_state.get(p, {}).get('reason', '')})"
                for p in blocked
            )
            o = Outcome(task.name, "failed", 0.0, reason, task.plan_ids)
            reports[task.name] = record(entry, o, deps[task.name], _task_info(task))
            progress(f"FAILED  {task.name}: {reason}")
            outcomes.append(o)
        elif not settings.force and up_to_date(
            entry, deps[task.name], Path(settings.out) / f"{task.name}.html"
        ):
            progress(f"skipped {task.name}: up to date")
            outcomes.append(Outcome(task.name, "skipped", 0.0, "up to date", task.plan_ids))
        else:
            todo.append(task)
    # Longest first, so that with several jobs no long report runs alone at the end.
    todo.sort(key=lambda t: -expected_seconds(t, reports.get(t.name)))
    prepared = prepare() if todo else None
    if prepared is not None:
        outcomes.insert(0, prepared)
    for task, o in executor.map(render_report, todo, settings):
        reports[task.name] = record(reports.get(task.name), o, deps[task.name], _task_info(task))
        save_state(settings.out, state)  # a run killed later still remembers what it finished
        line = f"{'FAILED' if o.status == 'failed' else o.status:7} {task.name} ({o.seconds:.1f} s)"
        progress(line + (f": {o.reason}" if o.reason else ""))
        outcomes.append(o)
    return outcomes


# What a report costs by kind when no earlier run timed it, in seconds on two cores (see
# benchmarks/README.md); only their order matters. The overview grows with the plans it reads.
KIND_SECONDS = {"comparison": 1.0, "profile": 0.75, "corpus": 0.3}
OVERVIEW_SECONDS_PER_PLAN = 0.02


def expected_seconds(task: ReportTask, entry: dict | None) -> float:
    """Return how long a report should take: its last good render's time, else its kind's."""
    if entry and entry.get("status") == "ok" and entry.get("seconds"):
        return float(entry["seconds"])
    extra = OVERVIEW_SECONDS_PER_PLAN * len(task.plan_ids) if task.kind == "corpus" else 0.0
    return KIND_SECONDS.get(task.kind, 1.0) + extra


def _task_info(task: ReportTask) -> dict:
    """Return what the build record keeps about a report besides its outcome."""
    return {"title": task.title, "kind": task.kind, "plan_ids": list(task.plan_ids)}


def _make_executor(settings: Settings):
    """Return the executor the settings ask for."""
    from .executors import make_executor

    return make_executor(settings.executor, settings.jobs, settings.scheduler)


def _lock(settings: Settings):
    """Return the output folder's lock, acquired; raise LockTimeout after settings.lock_timeout."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(Path(settings.out) / LOCK_FILE), timeout=settings.lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        raise LockTimeout(
            f"another run is writing {settings.out} (lock {Path(settings.out) / LOCK_FILE}); "
            f"gave up after waiting {settings.lock_timeout:g} s"
        ) from None
    return lock


def run(settings: Settings, manifest: Manifest, progress=print, executor=None) -> list[Outcome]:
    """Run the whole batch under the output folder's lock and return every outcome."""
    Path(settings.out).mkdir(parents=True, exist_ok=True)
    lock = _lock(settings)
    try:
        own = executor is None
        executor = executor or _LazyExecutor(settings)
        try:
            return _run_locked(settings, manifest, progress, executor)
        finally:
            if own:
                executor.close()
    finally:
        forkserver.close_servers()
        lock.release()


class _LazyExecutor:
    """Creates the real executor on first use, so that a run with nothing to do starts none."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.inner = None

    def map(self, fn, items, *args):
        items = list(items)
        if not items:
            return iter(())
        if self.inner is None:
            self.inner = _make_executor(self.settings)
        return self.inner.map(fn, items, *args)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()


def _run_locked(settings: Settings, manifest: Manifest, progress, executor) -> list[Outcome]:
    """Run the batch (the caller holds the lock) and return every outcome."""
    started, t0 = _now(), time.perf_counter()
    remove_temporary_files(settings.out)
    for scratch in (Path(settings.out) / "notebooks").glob(".*.running.ipynb"):
        scratch.unlink(missing_ok=True)
    state = load_state(settings.out)
    config = config_hashes()
    plan_dep = {p.id: plan_deps(manifest, p, config, settings) for p in manifest.plans}
    for ids in same_texts(manifest, plan_dep):
        progress(f"warning: plans {', '.join(ids)} have the same source text: is a source wrong?")
    all_tasks = report_tasks(manifest, settings)
    tasks = select(all_tasks, settings.only)
    wanted = {p for t in tasks for p in t.plan_ids} | (set(settings.only) & set(plan_dep))
    early = {t.name: report_deps(t, plan_dep, config, settings) for t in tasks}
    if settings.forks_kernels_here():
        reports = state.get("reports", {})
        out = Path(settings.out)
        if any(not up_to_date(reports.get(n), d, out / f"{n}.html") for n, d in early.items()):
            # The kernels' fork server imports while this run processes plans and evaluates,
            # and this process readies papermill and the HTML exporter meanwhile.
            forkserver.prestart(settings.kernel_name)
            threading.Thread(target=_warm_up_rendering, daemon=True).start()

    plan_outcomes, rebuilt = _process_stage(
        manifest, settings, executor, state, plan_dep, wanted, progress
    )
    failed_now = {o.plan_ids[0] for o in plan_outcomes if o.status == "failed"}
    recorded_ok = {pid for pid, e in state["plans"].items() if e.get("status") == "ok"}
    ok_plans = {p.id for p in manifest.plans if p.id in recorded_ok and plan_cached(settings, p.id)}
    ok_plans -= failed_now
    tables = [Path(settings.processed) / f for f in paths.TABLES]
    # The tidy tables hold the plans that are ok now; rewrite them when that set or a plan changed.
    # Their key lives beside them, so a run into a new --out folder does not rewrite them.
    tables_key = deps_key({p: deps_key(plan_dep[p]) for p in sorted(ok_plans)})
    key_file = Path(settings.processed) / TABLES_KEY
    written = key_file.read_text("utf-8").strip() if key_file.is_file() else None
    if ok_plans and (rebuilt or written != tables_key or not all(t.is_file() for t in tables)):
        write_tables(settings, [p.id for p in manifest.plans if p.id in ok_plans])
        atomic_write_text(key_file, tables_key + "\n")
    state.pop("tables", None)  # kept in the output folder's record before
    state["plans"] = {p.id: state["plans"][p.id] for p in manifest.plans if p.id in state["plans"]}
    save_state(settings.out, state)

    overview_plans = tuple(p.id for p in manifest.plans if p.id in ok_plans)
    all_tasks = [overview_of(t, overview_plans) if t.kind == "corpus" else t for t in all_tasks]
    tasks = select(all_tasks, settings.only)
    deps = {
        t.name: early[t.name]
        if t.kind != "corpus" and t.name in early
        else report_deps(t, plan_dep, config, settings)
        for t in all_tasks
    }
    report_outcomes = _render_stage(
        tasks,
        settings,
        executor,
        state,
        deps,
        ok_plans,
        progress,
        prepare=lambda: _evaluation_stage(settings, config, progress),
    )

    names = {t.name for t in all_tasks}
    state["reports"] = {k: v for k, v in state["reports"].items() if k in names}
    save_state(settings.out, state)
    keys = {name: deps_key(d) for name, d in deps.items()}
    write_index(manifest, all_tasks, state, keys, settings.out)
    outcomes = plan_outcomes + report_outcomes
    write_summary(settings, outcomes, started, time.perf_counter() - t0)
    return outcomes
