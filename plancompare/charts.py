"""Charts (Altair) and how they are shown: native Vega-Lite in JupyterLab, inline vegaEmbed in HTML."""

from __future__ import annotations

import html
import json
from pathlib import Path

import altair as alt
import pandas as pd

from .style import (
    ALL_CATEGORIES,
    CATEGORY_COLOURS,
    CJK_FONT_STACK,
    NEUTRAL_COLOUR,
    category_label,
)

WIDTH = 760
FONT = CJK_FONT_STACK.split(",")[0].strip('" ')


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_axis(labelFontSize=12, titleFontSize=13)


def category_scale() -> alt.Scale:
    """Return the colour scale that gives each category its one colour."""
    return alt.Scale(
        domain=[category_label(c) for c in ALL_CATEGORIES],
        range=[CATEGORY_COLOURS[c] for c in ALL_CATEGORIES],
    )


NEITHER = "neither (equal shares)"


def plan_scale(plan_labels: list[str], colours: list[str]) -> alt.Scale:
    """Return the colour scale that keeps each plan's colour in every chart."""
    return alt.Scale(domain=plan_labels, range=colours)


def shares_chart(
    shares: pd.DataFrame, plan_labels: dict[str, str], plan_colours: dict[str, str]
) -> alt.Chart:
    """Return grouped horizontal bars of category shares per plan with their 95% intervals."""
    df = shares.copy()
    df["category_label"] = [category_label(c) for c in df["category"]]
    df["plan"] = df["plan_id"].map(plan_labels)
    order = [category_label(c) for c in ALL_CATEGORIES]
    labels = [plan_labels[p] for p in plan_labels]
    colours = [plan_colours[p] for p in plan_labels]
    tooltip = [
        alt.Tooltip("plan:N", title="Plan"),
        alt.Tooltip("category_label:N", title="Category"),
        alt.Tooltip("n:Q", title="Sentences"),
        alt.Tooltip("share:Q", title="Share", format=".1%"),
        alt.Tooltip("lo:Q", title="95% CI low", format=".1%"),
        alt.Tooltip("hi:Q", title="95% CI high", format=".1%"),
    ]
    if "example" in df.columns:
        tooltip.append(alt.Tooltip("example:N", title="Example sentence"))
    base = alt.Chart(df).encode(
        y=alt.Y("category_label:N", sort=order, title=None),
        yOffset=alt.YOffset("plan:N", sort=labels),
    )
    bars = base.mark_bar().encode(
        x=alt.X(
            "share:Q",
            title="Share of distinct sentences (primary category)",
            axis=alt.Axis(format="%"),
        ),
        color=alt.Color("plan:N", scale=plan_scale(labels, colours), title="Plan", sort=labels),
        tooltip=tooltip,
    )
    # A thin bar of fixed thickness is centred in its plan's offset band (a band-relative height
    # or a rule is not, in this Vega-Lite), so the interval sits on its bar.
    errors = base.mark_bar(color="#222", height=3).encode(x="lo:Q", x2="hi:Q", tooltip=tooltip)
    chart = (bars + errors).properties(width=WIDTH - 200, height=alt.Step(14))
    return _config(chart)


def bar_chart(
    df: pd.DataFrame, x: str, y: str, x_title: str, y_title: str | None, colour: str
) -> alt.Chart:
    """Return a plain horizontal bar chart (for counts of terms and the like)."""
    chart = (
        alt.Chart(df)
        .mark_bar(color=colour)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:N", sort="-x", title=y_title),
            tooltip=[alt.Tooltip(f"{y}:N"), alt.Tooltip(f"{x}:Q")],
        )
        .properties(width=WIDTH - 260, height=alt.Step(16))
    )
    return _config(chart)


def distinctive_chart(
    terms: pd.DataFrame,
    plan_labels: dict[str, str],
    plan_colours: dict[str, str],
    glossary: dict[str, str],
) -> alt.Chart | NoChart:
    """Return diverging bars of log-odds z-scores: `term (gloss)`, coloured by the plan it leans to."""
    if terms.empty:
        return NoChart("No term leans to either plan, so there are no bars to draw.")
    left, right = list(plan_labels)
    df = terms.copy()
    df["label"] = [f"{t} ({glossary[t]})" if t in glossary else t for t in df["term"]]
    df["gloss"] = [glossary.get(t, "") for t in df["term"]]
    df["plan"] = df["side"].map(plan_labels)
    labels = [plan_labels[p] for p in plan_labels]
    colours = [plan_colours[p] for p in plan_labels]
    order = df.sort_values(["z", "term"], ascending=[False, True])["label"].tolist()
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("z:Q", title=f"log-odds z-score (← {labels[1]} · {labels[0]} →)"),
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("plan:N", scale=plan_scale(labels, colours), title="Leans to"),
            tooltip=[
                alt.Tooltip("term:N", title="Term"),
                alt.Tooltip("gloss:N", title="Gloss"),
                alt.Tooltip("z:Q", title="z", format="+.2f"),
                alt.Tooltip("count_left:Q", title=f"Count in {labels[0]}"),
                alt.Tooltip("count_right:Q", title=f"Count in {labels[1]}"),
            ],
        )
        .properties(width=WIDTH - 340, height=alt.Step(16))
    )
    rule = alt.Chart(pd.DataFrame({"z": [0]})).mark_rule(color="#444").encode(x="z:Q")
    return _config(chart + rule)


def share_difference_chart(
    diff: pd.DataFrame, plan_labels: dict[str, str], plan_colours: dict[str, str]
) -> alt.Chart:
    """Return the per-category share difference (left minus right) with its 95% interval."""
    left, right = list(plan_labels)
    df = diff.copy()
    df["category_label"] = [category_label(c) for c in df["category"]]
    df["leans"] = [
        plan_labels[left] if d > 0 else plan_labels[right] if d < 0 else NEITHER for d in df["diff"]
    ]
    for col in ("diff", "lo", "hi"):
        df[col] = df[col] * 100  # percentage points
    labels = [plan_labels[p] for p in plan_labels]
    colours = [plan_colours[p] for p in plan_labels]
    if (df["leans"] == NEITHER).any():  # an equal share is neither plan's colour
        labels, colours = labels + [NEITHER], colours + [NEUTRAL_COLOUR]
    order = [category_label(c) for c in ALL_CATEGORIES]
    base = alt.Chart(df).encode(y=alt.Y("category_label:N", sort=order, title=None))
    tooltip = [
        alt.Tooltip("category_label:N", title="Category"),
        alt.Tooltip("diff:Q", title="Difference (points)", format="+.1f"),
        alt.Tooltip("lo:Q", title="95% CI low", format="+.1f"),
        alt.Tooltip("hi:Q", title="95% CI high", format="+.1f"),
    ]
    ci = base.mark_rule(strokeWidth=2, color="#555").encode(x="lo:Q", x2="hi:Q", tooltip=tooltip)
    pts = base.mark_point(filled=True, size=90, opacity=1).encode(
        x=alt.X(
            "diff:Q",
            title=f"Share difference, {labels[0]} minus {labels[1]} (percentage points)",
            axis=alt.Axis(format="+d"),
        ),
        color=alt.Color("leans:N", scale=plan_scale(labels, colours), title="Larger in"),
        tooltip=tooltip,
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#999").encode(x="x:Q")
    return _config((zero + ci + pts).properties(width=WIDTH - 260, height=alt.Step(28)))


PLANNED = "planned (baseline → target)"
ACHIEVED = "reported before the plan"


def growth_dumbbell_chart(
    comparison: pd.DataFrame, plan_labels: dict[str, str], plan_colours: dict[str, str]
) -> alt.Chart | NoChart:
    """Return a dumbbell chart of the implied annual growth of the shared indicators."""
    labels = [plan_labels[p] for p in plan_labels]
    colours = [plan_colours[p] for p in plan_labels]
    rows = []
    for r in comparison.to_dict("records"):
        name = f"{r['label_en']} ({r['label_zh']})"
        for side, pid in zip(("left", "right"), plan_labels, strict=True):
            for kind, col, y0, y1 in (
                (PLANNED, "implied_cagr", "baseline_year", "target_year"),
                (ACHIEVED, "past_cagr", "past_from_year", "past_to_year"),
            ):
                rate = r.get(f"{side}_{col}")
                if rate is None or rate != rate:
                    continue
                rows.append(
                    {
                        "indicator": name,
                        "plan": plan_labels[pid],
                        "kind": kind,
                        "rate": float(rate),
                        "years": f"{r[f'{side}_{y0}']}–{r[f'{side}_{y1}']}",
                    }
                )
    df = pd.DataFrame(rows, columns=["indicator", "plan", "kind", "rate", "years"])
    if df.empty:
        return NoChart("No shared indicator has a growth rate in either plan: nothing to draw.")
    planned = df[df["kind"] == PLANNED]
    span = (
        planned.groupby("indicator", sort=True)["rate"].agg(["min", "max"]).reset_index()
        if not df.empty
        else pd.DataFrame(columns=["indicator", "min", "max"])
    )
    y = alt.Y(
        "indicator:N",
        title=None,
        sort=sorted(df["indicator"].unique()),
        axis=alt.Axis(labelLimit=360),
    )
    line = alt.Chart(span).mark_rule(color="#888", strokeWidth=2).encode(y=y, x="min:Q", x2="max:Q")
    pts = (
        alt.Chart(df)
        .mark_point(filled=True, size=120, opacity=1, strokeWidth=2)
        .encode(
            y=y,
            x=alt.X("rate:Q", title="Growth a year", axis=alt.Axis(format="%")),
            color=alt.Color("plan:N", scale=plan_scale(labels, colours), title="Plan"),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=[PLANNED, ACHIEVED], range=["circle", "diamond"]),
                title="Growth",
            ),
            fillOpacity=alt.FillOpacity(
                "kind:N", scale=alt.Scale(domain=[PLANNED, ACHIEVED], range=[1.0, 0.0]), legend=None
            ),
            tooltip=[
                alt.Tooltip("indicator:N", title="Indicator"),
                alt.Tooltip("plan:N", title="Plan"),
                alt.Tooltip("kind:N", title="Growth"),
                alt.Tooltip("years:N", title="Years"),
                alt.Tooltip("rate:Q", title="Growth a year", format=".1%"),
            ],
        )
    )
    return _config((line + pts).properties(width=WIDTH - 360, height=alt.Step(30)))


def growth_bar_chart(growth: pd.DataFrame, colour: str) -> alt.Chart | NoChart:
    """Return one plan's implied annual growth per canonical indicator as bars."""
    df = growth[growth["implied_cagr"].notna()].copy()
    if df.empty:
        return NoChart("No indicator has both a baseline and a target: no implied growth to draw.")
    df["name"] = df["label_en"] + " (" + df["label_zh"] + ")"
    df["years"] = [f"{a}–{b}" for a, b in zip(df["baseline_year"], df["target_year"], strict=True)]
    df = df[["name", "implied_cagr", "years", "stated_growth"]]
    chart = (
        alt.Chart(df)
        .mark_bar(color=colour)
        .encode(
            x=alt.X(
                "implied_cagr:Q",
                title="Implied growth a year (baseline → target)",
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
            tooltip=[
                alt.Tooltip("name:N", title="Indicator"),
                alt.Tooltip("years:N", title="Years"),
                alt.Tooltip("implied_cagr:Q", title="Implied growth a year", format=".1%"),
                alt.Tooltip("stated_growth:Q", title="Stated growth a year", format=".1%"),
            ],
        )
        .properties(width=WIDTH - 360, height=alt.Step(22))
    )
    return _config(chart)


class NoChart:
    """What a chart function gives back when it has nothing to draw: a sentence saying why."""

    def __init__(self, message: str):
        self.message = message

    def _repr_html_(self) -> str:
        return f'<p class="pc-muted">{html.escape(self.message)}</p>'


class ShownChart:
    """A chart with a stable id: Vega-Lite for JupyterLab, an inline vegaEmbed div for HTML."""

    def __init__(self, chart: alt.TopLevelMixin, chart_id: str):
        self.spec = chart.to_dict()
        self.chart_id = chart_id

    def html(self) -> str:
        """Return the div and script that draw the chart in a page with vegaEmbed loaded."""
        spec = json.dumps(self.spec, ensure_ascii=False, sort_keys=True)
        spec = spec.replace("</", "<\\/").replace("<!--", "<\\!--")
        div_id = "pc-chart-" + html.escape(self.chart_id, quote=True)
        return (
            f'<div class="pc-chart" id="{div_id}" data-chart="{html.escape(self.chart_id)}"></div>\n'
            f'<script type="text/javascript">vegaEmbed("#{div_id}", {spec}, '
            '{"actions": false, "renderer": "svg"}).catch(function (e) { console.error(e); });'
            "</script>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        schema = self.spec.get("$schema", "")
        version = "v6" if "/v6" in schema else "v5"
        return {
            f"application/vnd.vegalite.{version}+json": self.spec,
            "text/html": self.html(),
        }


def show(chart: alt.TopLevelMixin | NoChart, chart_id: str) -> ShownChart | NoChart:
    """Return a displayable chart with a stable id (display it as a cell's last expression)."""
    return chart if isinstance(chart, NoChart) else ShownChart(chart, chart_id)


def save_static(chart: alt.TopLevelMixin, path: Path, font_dirs: tuple[str, ...] = ()) -> Path:
    """Write a chart as SVG or PNG with vl-convert, CJK fonts registered so labels are not boxes."""
    import vl_convert

    for d in font_dirs or ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype"):
        if Path(d).is_dir():
            vl_convert.register_font_directory(d)
    spec = chart.to_dict()
    path = Path(path)
    if path.suffix == ".png":
        path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
    else:
        path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
    return path
