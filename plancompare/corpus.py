"""The corpus overview's data: shares per plan as heatmap data, indicator coverage, report links."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from . import paths, pipeline, stats
from .charts import FONT, WIDTH
from .indicators import IndicatorMap, load_indicator_map
from .manifest import Manifest, Plan
from .report import esc
from .style import ALL_CATEGORIES, category_label, count_of

COLOUR_SCHEME = "blues"


def by_period(plans: list[Plan] | tuple[Plan, ...]) -> list[Plan]:
    """Return plans ordered by period (start, then end), then city and id."""
    return sorted(plans, key=lambda p: (p.start, p.end, p.city, p.id))


def processed_plans(manifest: Manifest, processed: Path | str) -> list[Plan]:
    """Return the manifest's plans that have a processed cache, ordered by period."""
    return by_period([p for p in manifest.plans if pipeline_meta(processed, p.id).is_file()])


def pipeline_meta(processed: Path | str, plan_id: str) -> Path:
    """Return the path of a plan's cache record (it exists once the plan is processed)."""
    return pipeline.plan_cache_dir(Path(processed), plan_id) / "meta.json"


def heatmap_data(sentences: pd.DataFrame, plans: list[Plan], n_boot: int = 2000) -> pd.DataFrame:
    """Return category shares per plan with bootstrap intervals, one row per plan and category."""
    shares = stats.category_shares(sentences, n_boot=n_boot)
    meta = pd.DataFrame(
        {
            "plan_id": [p.id for p in plans],
            "plan": [p.label() for p in plans],
            "city": [p.city for p in plans],
            "period": [f"{p.start}–{p.end}" for p in plans],
            "order": range(len(plans)),
        }
    )
    df = meta.merge(shares, on="plan_id", how="inner", validate="one_to_many")
    df["category_label"] = [category_label(c) for c in df["category"]]
    df["interval"] = [f"{lo:.1%}–{hi:.1%}" for lo, hi in zip(df["lo"], df["hi"], strict=True)]
    rank = {c: i for i, c in enumerate(ALL_CATEGORIES)}
    df["_cat"] = df["category"].map(rank)
    return (
        df.sort_values(["order", "_cat"], kind="stable").drop(columns="_cat").reset_index(drop=True)
    )


def heatmap_chart(data: pd.DataFrame) -> alt.Chart:
    """Return a plan × category heatmap of shares, the 95% interval in each cell's tooltip."""
    plan_order = list(dict.fromkeys(data["plan"]))
    cat_order = [category_label(c) for c in ALL_CATEGORIES]
    tooltip = [
        alt.Tooltip("plan:N", title="Plan"),
        alt.Tooltip("category_label:N", title="Category"),
        alt.Tooltip("n:Q", title="Sentences"),
        alt.Tooltip("share:Q", title="Share", format=".1%"),
        alt.Tooltip("interval:N", title="95% bootstrap interval"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X("category_label:N", sort=cat_order, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("plan:N", sort=plan_order, title="Plan (ordered by period)"),
        tooltip=tooltip,
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share:Q",
            title="Share",
            scale=alt.Scale(scheme=COLOUR_SCHEME),
            legend=alt.Legend(format="%"),
        )
    )
    # The share is written in its cell, so the figure reads in print as well as on screen.
    dark = float(data["share"].max()) * 0.6 if len(data) else 1.0
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(alt.datum.share > dark, alt.value("white"), alt.value("black")),
    )
    chart = (cells + text).properties(width=WIDTH - 420, height=alt.Step(16))
    return chart.configure(font=FONT).configure_axis(labelFontSize=11, titleFontSize=12)


def shares_table(data: pd.DataFrame) -> pd.DataFrame:
    """Return the heatmap's figures as a table: per plan, each category's share and interval."""
    cell = [
        f"{s:.1%} ({lo:.1%}–{hi:.1%}), n = {n}"
        for s, lo, hi, n in zip(data["share"], data["lo"], data["hi"], data["n"], strict=True)
    ]
    wide = data.assign(cell=cell).pivot(index="plan", columns="category_label", values="cell")
    plans = list(dict.fromkeys(data["plan"]))
    cats = [category_label(c) for c in ALL_CATEGORIES if category_label(c) in wide.columns]
    return (
        wide.reindex(index=plans, columns=cats)
        .rename_axis(index="Plan", columns=None)
        .reset_index()
    )


def coverage_matrix(found: pd.DataFrame, plan_ids: list[str], imap: IndicatorMap) -> pd.DataFrame:
    """Return statements per plan (rows, in order) and canonical indicator (columns, map order).

    Context rows (a national figure, another city's) are left out: the plan does not state them
    as its own baseline, target or growth.
    """
    keys = list(imap.indicators)
    stated = found[found["indicator"].isin(keys) & found["plan_id"].isin(plan_ids)]
    if "role" in stated.columns:  # a national or another place's figure is not the plan's own
        stated = stated[stated["role"] != "context"]
    counts = pd.crosstab(stated["plan_id"], stated["indicator"])
    return counts.reindex(index=plan_ids, columns=keys, fill_value=0).fillna(0).astype(int)


def coverage_by_plan(matrix: pd.DataFrame, plans: list[Plan], imap: IndicatorMap) -> pd.DataFrame:
    """Return one row per plan: how many canonical indicators it states, and which."""
    rows = []
    for plan in plans:
        keys = [k for k, n in matrix.loc[plan.id].items() if n > 0]
        rows.append(
            {
                "Plan": plan.label(),
                "Period": f"{plan.start}–{plan.end}",
                "Indicators stated": f"{len(keys)} of {matrix.shape[1]}",
                "Which": "; ".join(imap.label(k) for k in keys) or "—",
            }
        )
    return pd.DataFrame(rows, columns=["Plan", "Period", "Indicators stated", "Which"])


def coverage_by_indicator(matrix: pd.DataFrame, imap: IndicatorMap) -> pd.DataFrame:
    """Return one row per canonical indicator: how many plans state it, most stated first."""
    n_plans = max(1, matrix.shape[0])
    stating = (matrix > 0).sum(axis=0)
    df = pd.DataFrame(
        {
            "key": matrix.columns,
            "Indicator": [imap.label(k) for k in matrix.columns],
            "指标": [imap.label(k, "zh") for k in matrix.columns],
            "Plans stating it": stating.to_numpy(),
            "Share of plans": [f"{n / n_plans:.0%}" for n in stating],
            "Statements": matrix.sum(axis=0).to_numpy(),
        }
    )
    df = df.sort_values(["Plans stating it", "key"], ascending=[False, True], kind="stable")
    return df.drop(columns="key").reset_index(drop=True)


def report_links(manifest: Manifest, plans: list[Plan]) -> pd.DataFrame:
    """Return every profile and comparison report of these plans: kind, city, period, title, file."""
    ids = {p.id for p in plans}
    rows = [
        (
            "profile",
            f"{p.city} {p.city_zh}",
            f"{p.start}–{p.end}",
            f"Profile: {p.label()}",
            f"profile-{p.id}.html",
        )
        for p in plans
    ]
    for left, right in manifest.comparisons:
        if left in ids and right in ids:
            a = manifest.plan(left)
            title = f"Comparison: {a.label()} vs {manifest.plan(right).label()}"
            href = f"compare-{left}-vs-{right}.html"
            rows.append(("comparison", f"{a.city} {a.city_zh}", f"{a.start}–{a.end}", title, href))
    return pd.DataFrame(rows, columns=["kind", "city", "period", "title", "href"])


def links_html(links: pd.DataFrame) -> str:
    """Return the report links as escaped HTML lists, profiles by city, then the comparisons."""
    parts = []
    profiles = links[links["kind"] == "profile"]
    for city, group in profiles.groupby("city", sort=True):
        items = "".join(
            f'<li><a href="{esc(r.href)}">{esc(r.title)}</a></li>' for r in group.itertuples()
        )
        parts.append(f"<h4>{esc(city)}</h4><ul>{items}</ul>")
    comparisons = links[links["kind"] == "comparison"]
    if not comparisons.empty:
        items = "".join(
            f'<li><a href="{esc(r.href)}">{esc(r.title)}</a></li>' for r in comparisons.itertuples()
        )
        parts.append(f"<h4>Comparisons 比较</h4><ul>{items}</ul>")
    return '<div class="pc-links">' + "".join(parts) + "</div>"


def load_corpus(
    manifest: Manifest, processed: Path | str, plan_ids: list[str] | None = None
) -> tuple[list[Plan], pd.DataFrame, pd.DataFrame]:
    """Return the processed plans (by period), their sentence tables and their indicator tables.

    `plan_ids` narrows them to these plans (a run passes the plans it processed well).
    """
    plans = processed_plans(manifest, processed)
    if plan_ids is not None:
        wanted = {plan_ids} if isinstance(plan_ids, str) else set(plan_ids)
        for plan_id in sorted(wanted):
            manifest.plan(plan_id)  # an unknown id is a mistake, not a plan left out
        plans = [p for p in plans if p.id in wanted]
    ids = [p.id for p in plans]
    if not ids:
        raise pipeline.NotProcessedError(
            f"no plan of {manifest.path} is processed under {Path(processed).resolve()}: "
            "run `python run_all.py` (or `make reports`) in the project folder first"
        )
    return plans, pipeline.load_sentences(processed, ids), pipeline.load_indicators(processed, ids)


def indicator_map() -> IndicatorMap:
    """Return the project's canonical indicator map."""
    return load_indicator_map(paths.INDICATOR_MAP)


def summary(
    plans: list[Plan], sentences: pd.DataFrame, manifest: Manifest | None = None
) -> dict[str, object]:
    """Return the corpus in numbers: plans, cities, periods, sentences and plans left out."""
    body = sentences[sentences["kind"] == "sentence"]
    shown = {p.id for p in plans}
    return {
        "plans": len(plans),
        "cities": len({p.city for p in plans}),
        "periods": sorted({f"{p.start}–{p.end}" for p in plans}),
        "sentences": int(len(body)),
        "missing": [p.id for p in manifest.plans if p.id not in shown] if manifest else [],
    }


def summary_text(info: dict[str, object]) -> str:
    """Return the corpus summary as one sentence, naming the manifest's plans it leaves out."""
    missing = info.get("missing") or []
    text = (
        f"{count_of(info['plans'], 'plan')} from {count_of(info['cities'], 'city', 'cities')}, "
        f"{'period' if len(info['periods']) == 1 else 'periods'} {', '.join(info['periods'])}; "
        f"{count_of(info['sentences'], 'distinct sentence')}."
    )
    if missing:
        text += (
            f" Not shown: {count_of(len(missing), 'plan')} of the manifest that could not be "
            f"processed ({', '.join(missing)})."
        )
    return text
