"""The batch run: process every plan, render every report, write the index and the run summary."""

from __future__ import annotations

import html
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import coding, paths, pipeline, render
from .executors import Executor, LocalExecutor
from .manifest import Manifest
from .reading import InputError
from .storage import atomic_write_text, write_json
from .style import CJK_FONT_STACK


@dataclass(frozen=True)
class ReportTask:
    """One report to render: its name, notebook and literal parameters."""

    name: str
    kind: str  # "profile" | "comparison"
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


@dataclass
class Settings:
    """What a run was asked to do."""

    manifest: Path = paths.MANIFEST
    out: Path = paths.REPORTS
    processed: Path = paths.PROCESSED
    jobs: int = 1
    force: bool = False
    only: tuple[str, ...] = ()
    coder: str = "rules"
    timeout: int = render.DEFAULT_TIMEOUT
    kernel_name: str = paths.KERNEL_NAME


def report_tasks(manifest: Manifest, settings: Settings, ok_plans: set[str]) -> list[ReportTask]:
    """Return the reports to render: a profile per plan and a comparison per manifest pair."""
    common = {
        "manifest_path": str(manifest.path),
        "processed_dir": str(Path(settings.processed).resolve()),
    }
    tasks = []
    for plan in manifest.plans:
        if plan.id in ok_plans:
            tasks.append(
                ReportTask(
                    name=f"profile-{plan.id}",
                    kind="profile",
                    notebook="plan_profile.ipynb",
                    parameters={"plan_id": plan.id, **common},
                    plan_ids=(plan.id,),
                    title=f"Profile: {plan.label()}",
                )
            )
    for left, right in manifest.comparisons:
        if left in ok_plans and right in ok_plans:
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
    if settings.only:
        wanted = set(settings.only)
        tasks = [t for t in tasks if wanted & set(t.plan_ids) or t.name in wanted]
    return tasks


def render_report(task: ReportTask, settings: Settings) -> Outcome:
    """Render one report to HTML, keeping its executed notebook; a failure touches nothing else."""
    out = Path(settings.out)
    start = time.perf_counter()
    scratch = out / "notebooks" / f".{task.name}.running.ipynb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        nb = render.execute(
            paths.NOTEBOOKS / task.notebook,
            task.parameters,
            scratch,
            kernel_name=settings.kernel_name,
            timeout=settings.timeout,
        )
        page = render.to_html(nb, task.title)
    except render.RenderError as exc:
        if exc.notebook is not None:
            render.write_notebook(exc.notebook, out / "notebooks" / "failed" / f"{task.name}.ipynb")
        return Outcome(task.name, "failed", time.perf_counter() - start, str(exc), task.plan_ids)
    finally:
        scratch.unlink(missing_ok=True)
    render.write_notebook(nb, out / "notebooks" / f"{task.name}.ipynb")
    atomic_write_text(out / f"{task.name}.html", page)
    (out / "notebooks" / "failed" / f"{task.name}.ipynb").unlink(missing_ok=True)
    return Outcome(task.name, "ok", time.perf_counter() - start, "", task.plan_ids)


def process_all(
    manifest: Manifest, settings: Settings
) -> tuple[list[pipeline.ProcessedPlan], list[Outcome]]:
    """Return the processed plans and an outcome per plan; a bad plan is reported, not fatal."""
    codebook = coding.load_codebook()
    results, outcomes = [], []
    for plan in manifest.plans:
        start = time.perf_counter()
        try:
            result, reused = pipeline.process_plan(
                manifest, plan, settings.processed, codebook, settings.coder, settings.force
            )
        except InputError as exc:
            outcomes.append(
                Outcome(
                    f"plan {plan.id}", "failed", time.perf_counter() - start, str(exc), (plan.id,)
                )
            )
            continue
        results.append(result)
        status = "skipped" if reused else "ok"
        outcomes.append(
            Outcome(f"plan {plan.id}", status, time.perf_counter() - start, "", (plan.id,))
        )
    pipeline.write_tables(settings.processed, results)
    return results, outcomes


def write_index(
    manifest: Manifest, tasks: list[ReportTask], outcomes: dict[str, Outcome], out: Path
) -> None:
    """Write reports/index.html linking every report with its plans' titles and periods."""
    items = []
    for task in tasks:
        o = outcomes.get(task.name)
        exists = (Path(out) / f"{task.name}.html").is_file()
        plans = "; ".join(
            f"{manifest.plan(p).title_zh} ({manifest.plan(p).title_en}, {manifest.plan(p).start}–{manifest.plan(p).end})"
            for p in task.plan_ids
        )
        state = ""
        if o is not None and o.status == "failed":
            state = (
                f' <strong class="stale">stale: the last render failed ({html.escape(o.reason)})</strong>'
                if exists
                else f' <strong class="failed">failed: {html.escape(o.reason)}</strong>'
            )
        link = (
            f'<a href="{html.escape(task.name)}.html">{html.escape(task.title)}</a>'
            if exists
            else html.escape(task.title)
        )
        items.append(f"<li>{link}{state}<br><small>{html.escape(plans)}</small></li>")
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>plancompare reports</title><style>body{font-family:"
        + html.escape(CJK_FONT_STACK, quote=False)
        + ";max-width:900px;margin:2rem auto;line-height:1.5}.stale,.failed{color:#b00}</style></head>"
        "<body><h1>plancompare reports 规划比较报告</h1><ul>"
        + "".join(items)
        + "</ul></body></html>\n"
    )
    atomic_write_text(Path(out) / "index.html", page)


def run(
    settings: Settings, manifest: Manifest, progress=print, executor: Executor | None = None
) -> list[Outcome]:
    """Run the whole batch and return every outcome (plans first, then reports)."""
    executor = executor or LocalExecutor(settings.jobs)
    Path(settings.out).mkdir(parents=True, exist_ok=True)
    results, plan_outcomes = process_all(manifest, settings)
    for o in plan_outcomes:
        if o.status == "failed":
            progress(f"FAILED {o.name}: {o.reason}")
    ok_plans = {r.counts.plan_id for r in results}
    tasks = report_tasks(manifest, settings, ok_plans)
    outcomes: dict[str, Outcome] = {}
    for task, o in executor.map(render_report, tasks, settings):
        outcomes[task.name] = o
        line = f"{o.status:7} {task.name} ({o.seconds:.1f} s)"
        progress(line + (f": {o.reason}" if o.reason else ""))
    write_index(
        manifest,
        report_tasks(manifest, settings, {p.id for p in manifest.plans}),
        outcomes,
        settings.out,
    )
    all_outcomes = plan_outcomes + list(outcomes.values())
    write_json(
        Path(settings.out) / "run-summary.json",
        {"outcomes": [asdict(o) | {"seconds": round(o.seconds, 3)} for o in all_outcomes]},
    )
    return all_outcomes
