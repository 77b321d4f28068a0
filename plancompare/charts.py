"""Charts (Altair) and how they are shown: native Vega-Lite in JupyterLab, inline vegaEmbed in HTML."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from .style import (
    ALL_CATEGORIES,
    CATEGORY_COLOURS,
    CJK_FONT_STACK,
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
    errors = base.mark_rule(color="#222").encode(x="lo:Q", x2="hi:Q", tooltip=tooltip)
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


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Return the Vega, Vega-Lite and vega-embed libraries as one script, safe inside <script>."""
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


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


def show(chart: alt.TopLevelMixin, chart_id: str) -> ShownChart:
    """Return a displayable chart with a stable id (display it as a cell's last expression)."""
    return ShownChart(chart, chart_id)


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
