"""HTML fragments that notebooks display: every piece of plan text escaped on the way in."""

from __future__ import annotations

import html
import importlib.metadata as md
import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML

from . import paths, style
from .manifest import Manifest, Plan
from .pipeline import PlanCounts
from .reading import sha256_file
from .storage import read_yaml
from .style import count_of

# The two-sided 5% point of a standard normal: a residual or term z beyond it is distinctive.
Z_95 = 1.96
_SEARCH_SCRIPT = r"""<script type="text/javascript">
(function () {
  var input = document.getElementById("%(id)s-search");
  var table = document.getElementById("%(id)s");
  var count = document.getElementById("%(id)s-count");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  function filter() {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    rows.forEach(function (r) {
      var t = (r.textContent + " " + (r.getAttribute("data-search") || "")).toLowerCase();
      var hit = words.every(function (w) { return t.indexOf(w) >= 0; });
      r.style.display = hit ? "" : "none"; if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  input.addEventListener("input", filter);
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.pc-find") : null;
    if (!a || a.getAttribute("data-target") !== "%(id)s") { return; }
    ev.preventDefault();
    input.value = a.getAttribute("data-q");
    filter();
    input.scrollIntoView({block: "start"});
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("data-sort") !== "asc";
      th.setAttribute("data-sort", asc ? "asc" : "desc");
      rows.sort(function (a, b) {
        var x = a.cells[i].textContent, y = b.cells[i].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh");
        return asc ? c : -c;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
  filter();
})();
</script>"""

# The length of a plan's text that rates per 1,000 characters are taken over (not a count of
# different characters).
CHARS_LABEL = "Characters in distinct sentences (headings excluded)"


def esc(value: object) -> str:
    """Return a value as HTML-escaped text (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def para(text: str, cls: str | None = None) -> HTML:
    """Return a paragraph of escaped text for display."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return HTML(f"<p{attr}>{esc(text)}</p>")


def heading(text: str, level: int = 3, anchor: str | None = None) -> HTML:
    """Return a heading of escaped text, with an optional anchor id."""
    attr = f' id="{esc(anchor)}"' if anchor else ""
    return HTML(f"<h{level}{attr}>{esc(text)}</h{level}>")


def table_html(
    df: pd.DataFrame,
    table_id: str | None = None,
    cls: str = "pc-table",
    find: dict[str, str] | None = None,
    search: list[str] | None = None,
) -> str:
    """Return a table as HTML with every cell escaped; `find` maps columns to a table to search.

    `search` gives each row more text its search box matches (not shown), e.g. the simplified
    form of a sentence quoted in traditional script.
    """
    attr = f' id="{esc(table_id)}"' if table_id else ""
    find = find or {}
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    cols = list(df.columns)
    extra = search if search is not None else [""] * len(df)
    body = "".join(
        (f'<tr data-search="{esc(more)}">' if more else "<tr>")
        + "".join(
            f"<td>{find_link(v, find[c]) if c in find else esc(v)}</td>"
            for c, v in zip(cols, row, strict=True)
        )
        + "</tr>"
        for row, more in zip(df.itertuples(index=False, name=None), extra, strict=True)
    )
    return f'<table class="{esc(cls)}"{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def find_link(text: object, target: str) -> str:
    """Return a link that filters the searchable table `target` for this text (drill-down)."""
    t = esc(text)
    return (
        f'<a class="pc-find" href="#{esc(target)}-search" data-target="{esc(target)}" '
        f'data-q="{t}" title="Show the sentences containing this">{t}</a>'
    )


def table(df: pd.DataFrame) -> HTML:
    """Return a displayable escaped table."""
    return HTML(table_html(df))


def searchable_table(df: pd.DataFrame, table_id: str, search: list[str] | None = None) -> HTML:
    """Return an escaped table with a search box and click-to-sort headers that work offline."""
    tid = esc(table_id)
    return HTML(
        f'<input type="search" class="pc-search" id="{tid}-search" '
        f'placeholder="Search sentences 搜索…" aria-label="Search the table">'
        f' <span class="pc-muted" id="{tid}-count"></span>'
        f'<div class="pc-scroll">{table_html(df, table_id, search=search)}</div>'
        + _SEARCH_SCRIPT
        % {"id": tid}
    )


def plan_title(plan: Plan) -> str:
    """Return the one-line title of a plan: city, period and English title."""
    return f"{plan.city} ({plan.city_zh}), {plan.start}–{plan.end}: {plan.title_en}"


def plan_metadata(plan: Plan) -> pd.DataFrame:
    """Return a plan's manifest entry as a two-column table."""
    rows = [
        ("Title (中文)", plan.title_zh),
        ("Title (English)", plan.title_en),
        ("City", f"{plan.city} {plan.city_zh}"),
        ("Plan period", f"{plan.start}–{plan.end}"),
        ("Baseline year", plan.baseline_year),
        ("Issued", plan.issued or "not given in the manifest"),
        ("Issuer", plan.issuer_zh or "not given in the manifest"),
        ("Document number", plan.doc_number or "not given in the manifest"),
        ("Source file", plan.source),
    ]
    return pd.DataFrame(rows, columns=["Field", "Value"])


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return out.stdout.strip() if out.returncode == 0 else "not a git checkout"


PROVENANCE_PACKAGES = (
    "plancompare",
    "jieba",
    "pandas",
    "scikit-learn",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbconvert",
    "opencc",
    "cn2an",
)


def provenance(manifest: Manifest, plan_ids: list[str], parameters: dict, inputs: dict) -> HTML:
    """Return the provenance footer: input hashes, manifest entries, parameters, versions, commit."""
    rows = []
    for pid in plan_ids:
        plan = manifest.plan(pid)
        rows.append((f"raw text {pid}", sha256_file(manifest.source_path(plan))))
    for name, path in sorted(inputs.items()):
        rows.append((name, sha256_file(Path(path))))
    versions = []
    for pkg in PROVENANCE_PACKAGES:
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            continue
    entries = "".join(
        f"<li><code>{esc(pid)}</code>: <code>{esc(manifest.entry(pid))}</code></li>"
        for pid in plan_ids
    )
    params = "; ".join(f"{k} = {v!r}" for k, v in sorted(parameters.items()))
    hashes = "".join(f"<li>{esc(k)}: SHA-256 <code>{esc(v)}</code></li>" for k, v in rows)
    commit = _git_commit(manifest.base_dir)
    return HTML(
        '<footer class="pc-provenance"><h2 id="provenance">Provenance</h2>'
        f"<p>Inputs:</p><ul>{hashes}</ul>"
        f"<p>Manifest entries ({esc(manifest.path.name)}):</p><ul>{entries}</ul>"
        f"<p>Notebook parameters: <code>{esc(params)}</code></p>"
        f"<p>Package versions: {esc(', '.join(versions))}</p>"
        f"<p>Project commit: <code>{esc(commit)}</code></p></footer>"
    )


def plan_colour(manifest: Manifest, plan_id: str) -> str:
    """Return the plan's colour, fixed by its position in the manifest."""
    return style.plan_colour(manifest.plan_index(plan_id))


def config_inputs() -> dict[str, Path]:
    """Return the configuration files whose hashes the provenance footer lists."""
    files = {
        "codebook": paths.CODEBOOK,
        "glossary": paths.GLOSSARY,
        "indicator map": paths.INDICATOR_MAP,
        "stop words": paths.STOPWORDS,
    }
    return {k: v for k, v in files.items() if v.is_file()}


def cleaning_table(counts: PlanCounts, declared_encoding: str | None = None) -> pd.DataFrame:
    """Return what cleaning did to a plan as a two-column table."""
    how = "declared in the manifest" if declared_encoding else "detected"
    rows = [
        ("Encoding", f"{counts.encoding} ({how})"),
        ("Script", counts.script),
        ("Sentences and headings in the raw text", counts.raw_sentences),
        ("Repeated copies dropped", counts.duplicates_dropped),
        ("Distinct sentences and headings kept", counts.distinct_sentences),
        ("of which headings (kept as section paths)", counts.headings),
        ("Table-of-contents characters removed", counts.toc_chars_removed),
        (CHARS_LABEL, counts.distinct_chars),
    ]
    return pd.DataFrame(rows, columns=["Step", "Value"])


def with_examples(shares: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Return the shares table with the shortest example sentence of each plan and category."""
    body = sentences[sentences["kind"] == "sentence"]
    body = body.assign(_len=body["n_chars"]).sort_values(["_len", "sentence_id"], kind="stable")
    first = body.groupby(["plan_id", "primary_category"], sort=False)["text"].first()
    ex = [first.get((p, c), "") for p, c in zip(shares["plan_id"], shares["category"], strict=True)]
    return shares.assign(example=ex)


def shares_table(shares: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Return category shares formatted for reading: counts, share with interval, rate per 1,000."""
    return pd.DataFrame(
        {
            "Plan": shares["plan_id"].map(labels),
            "Category": [style.category_label(c) for c in shares["category"]],
            "Sentences": shares["n"],
            "Share": [f"{s:.1%}" for s in shares["share"]],
            "95% interval": [
                f"{lo:.1%}–{hi:.1%}" for lo, hi in zip(shares["lo"], shares["hi"], strict=True)
            ],
            "Per 1,000 characters": [f"{r:.2f}" for r in shares["per_1000_chars"]],
        }
    )


def _where(row: Any) -> str:
    """Return a quoted sentence's id and section, to trace it in the sentence table (escaped)."""
    return f"sentence {esc(row.sentence_id)} · § {esc(row.section or '—')}"


def examples_html(sentences: pd.DataFrame, plan_id: str, n: int = 3) -> HTML:
    """Return up to n example sentences per category of one plan, quoted in their section."""
    body = sentences[(sentences["kind"] == "sentence") & (sentences["plan_id"] == plan_id)]
    parts = []
    for cat in style.ALL_CATEGORIES:
        rows = body[body["primary_category"] == cat].head(n)
        parts.append(f"<h3>{esc(style.category_label(cat))}</h3>")
        if rows.empty:
            parts.append('<p class="pc-muted">No sentence has this primary category.</p>')
            continue
        items = "".join(
            f'<li><span class="pc-quote">{esc(r.text)}</span><br><span class="pc-muted">'
            f"{_where(r)} · terms: {esc(r.matched_terms or '—')}</span></li>"
            for r in rows.itertuples()
        )
        parts.append(f"<ul>{items}</ul>")
    return HTML("".join(parts))


def examples_side_by_side(sentences: pd.DataFrame, left: str, right: str, n: int = 2) -> HTML:
    """Return a table with, per category, example sentences of the left and right plans."""
    body = sentences[sentences["kind"] == "sentence"]
    rows = []
    for cat in style.ALL_CATEGORIES:
        cells = []
        for pid in (left, right):
            ex = body[(body["plan_id"] == pid) & (body["primary_category"] == cat)].head(n)
            cells.append("<br><br>".join(esc(t) for t in ex["text"]) or "—")
        rows.append(
            f"<tr><th>{esc(style.category_label(cat))}</th><td>{cells[0]}</td><td>{cells[1]}</td></tr>"
        )
    head = f"<tr><th>Category</th><th>{esc(left)}</th><th>{esc(right)}</th></tr>"
    return HTML(
        f'<table class="pc-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )


def period_text(plan: Plan) -> str:
    """Return a plan's period as written in a sentence: '2016–2020', or '2020' for one year."""
    return str(plan.start) if plan.start == plan.end else f"{plan.start}–{plan.end}"


def period_note(a: Plan, b: Plan) -> HTML:
    """Return a plain statement of whether the two plans' periods differ."""
    if a.period == b.period:
        text = f"Both plans cover {period_text(a)}."
    else:
        gap = abs(a.start - b.start)
        apart = f"starting {count_of(gap, 'year')} apart" if gap else "starting in the same year"
        text = (
            f"The plan periods differ: {a.city} {period_text(a)} and {b.city} {period_text(b)} "
            f"({apart}). Levels (money amounts, counts) are not comparable across eras; "
            "shares, rates per 1,000 characters and growth rates are the fair comparison."
        )
    return HTML(f"<p><strong>{esc(text)}</strong></p>")


def side_by_side_metadata(plans: list[Plan], counts: list[PlanCounts]) -> pd.DataFrame:
    """Return the two plans' metadata and cleaning counts in adjacent columns."""
    fields = [
        ("Title", lambda p, c: p.title_zh),
        ("English title", lambda p, c: p.title_en),
        ("Period", lambda p, c: f"{p.start}–{p.end}"),
        ("Baseline year", lambda p, c: p.baseline_year),
        ("Sentences and headings in the raw text", lambda p, c: c.raw_sentences),
        ("Repeated copies dropped", lambda p, c: c.duplicates_dropped),
        ("Distinct sentences and headings kept", lambda p, c: c.distinct_sentences),
        ("of which headings", lambda p, c: c.headings),
        ("Distinct sentences", lambda p, c: c.distinct_sentences - c.headings),
        (CHARS_LABEL, lambda p, c: c.distinct_chars),
    ]
    data = {"": [f for f, _ in fields]}
    for p, c in zip(plans, counts, strict=True):
        data[p.label()] = [str(fn(p, c)) for _, fn in fields]
    return pd.DataFrame(data)


def chi_square_html(result, labels: dict[str, str]) -> HTML:
    """Return the chi-squared test with its adjusted standardised residuals per category."""
    if result is None:
        return para(
            "No χ² test: the two plans' coded sentences fall in fewer than two categories, so "
            "there is no difference in their mix to test."
        )
    t = result.table.pivot(index="category", columns="plan_id", values=["observed", "adj_residual"])
    rows = []
    for cat in [c for c in style.ALL_CATEGORIES if c in t.index]:
        cells = "".join(
            f"<td>{int(t.loc[cat, ('observed', pid)])}</td><td>{t.loc[cat, ('adj_residual', pid)]:+.2f}</td>"
            for pid in labels
        )
        rows.append(f"<tr><th>{esc(style.category_label(cat))}</th>{cells}</tr>")
    head = "".join(f"<th>{esc(labels[p])}: n</th><th>adj. residual</th>" for p in labels)
    p = "< 0.001" if result.p_value < 0.001 else f"= {result.p_value:.3f}"
    summary = (
        f"χ² = {result.chi2:.1f}, df = {result.dof}, p {p}, Cramér's V = {result.cramers_v:.2f} "
        f"(n = {result.n} sentences). Residuals beyond ±{Z_95} mark the categories that drive the difference."
    )
    low, cells = result.n_low_expected, len(result.table)
    if low and low > cells / 5:
        summary += (
            f" {low} of the {cells} cells have an expected count below 5, more than a fifth, so "
            "the χ² p-value is unreliable (Cochran's rule): read the shares and their intervals "
            "instead."
        )
    elif low:
        summary += (
            f" {low} of the {cells} cells {'has' if low == 1 else 'have'} an expected count "
            "below 5: the χ² p-value is approximate."
        )
    return HTML(
        f"<p>{esc(summary)}</p>"
        f'<table class="pc-table"><thead><tr><th>Category</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# --- page structure ----------------------------------------------------------------------------


def category_anchor(category: str) -> str:
    """Return the anchor id of a category's section."""
    return f"cat-{category}"


def section(anchor: str, title: str, level: int = 2) -> HTML:
    """Return a section heading with a stable anchor id (listed in the table of contents)."""
    return heading(title, level, anchor)


def toc(entries: list[tuple[str, str, int]]) -> HTML:
    """Return a table of contents from (anchor, title, level) entries; level 3 entries nest."""
    items, open_sub = [], False
    for anchor, title, level in entries:
        link = f'<a href="#{esc(anchor)}">{esc(title)}</a>'
        if level > 2 and not open_sub:
            items.append("<ul>")
            open_sub = True
        elif level <= 2 and open_sub:
            items.append("</ul></li>")
            open_sub = False
        elif items and level <= 2:
            items.append("</li>")
        items.append(f"<li>{link}" + ("</li>" if level > 2 else ""))
    items.append("</ul></li>" if open_sub else "</li>")
    return HTML(
        '<nav class="pc-toc" aria-label="Contents"><h2 id="contents">Contents 目录</h2><ol>'
        + "".join(items)
        + "</ol></nav>"
    )


def category_toc_entries() -> list[tuple[str, str, int]]:
    """Return the table-of-contents entries of the per-category sections."""
    return [(category_anchor(c), style.category_label(c), 3) for c in style.ALL_CATEGORIES]


def title_block(plans: list[Plan], kind: str) -> HTML:
    """Return the report title with the plans' names, cities and periods (English and Chinese)."""
    if kind == "comparison":
        title = " vs ".join(f"{p.city} {p.start}–{p.end}" for p in plans)
        title = f"{title}: two financial-development plans compared"
    else:
        p = plans[0]
        title = f"{p.city} {p.start}–{p.end}: profile of a financial-development plan"
    lines = "".join(
        f"<li><strong>{esc(p.city)} {esc(p.city_zh)}</strong>, {esc(p.start)}–{esc(p.end)}: "
        f'<span lang="zh">{esc(p.title_zh)}</span> — <em>{esc(p.title_en)}</em></li>'
        for p in plans
    )
    lede = (
        "A research note generated from the plans' texts: a summary written from the figures, "
        "category shares with 95% intervals, distinctive terms, each category with its evidence, "
        "targets and implied growth, every coded sentence, the methods and the provenance. "
        "Quotations are in the original Chinese; glosses are in English."
    )
    return HTML(
        f'<h1 id="top">{esc(title)}</h1><ul class="pc-plans">{lines}</ul>'
        f'<p class="pc-muted">{esc(lede)}</p>'
    )


# --- glossary ------------------------------------------------------------------------------------


def load_glossary(path: Path | str = paths.GLOSSARY) -> dict[str, str]:
    """Return the English glosses of Chinese terms (empty when the glossary file is missing)."""
    path = Path(path)
    if not path.is_file():
        return {}
    raw = read_yaml(path.read_text(encoding="utf-8")) or {}
    terms = raw.get("terms", raw)
    return {str(k): str(v) for k, v in sorted(terms.items())}


def glossed(term: str, glossary: dict[str, str]) -> str:
    """Return `term (gloss)` when the glossary has the term, else the term alone."""
    gloss = glossary.get(term)
    return f"{term} ({gloss})" if gloss else term


# --- number formatting ---------------------------------------------------------------------------

_QUALIFIER_WORDS = {
    "more than": "more than",
    "at least": "at least",
    "about": "about",
    "aim": "aim:",
}


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def format_value(value: object, unit: str, qualifier: str = "") -> str:
    """Return a standardised value in readable English units (CNY bn/tn, %, counts)."""
    if _missing(value):
        return "—"
    v = float(value)
    money = {"CNY": "CNY", "USD": "USD"}
    if unit in money:
        if abs(v) >= 1e12:
            text = f"{money[unit]} {v / 1e12:,.2f} tn"
        elif abs(v) >= 1e8:
            text = f"{money[unit]} {v / 1e9:,.1f} bn"
        else:
            text = f"{money[unit]} {v:,.0f}"
    elif unit == "%":
        text = f"{plain_number(v)}%"
    elif unit == "count":
        text = f"{v:,.0f}"
    elif unit == "CNY/person":
        text = f"CNY {v:,.0f} per person"
    elif unit == "times":
        text = f"{plain_number(v)} times"
    elif unit == "percentage points":
        text = f"{plain_number(v)} pp"
    else:
        text = f"{plain_number(v)} {unit}".strip()
    q = _QUALIFIER_WORDS.get(str(qualifier or ""), "")
    return f"{q} {text}".strip()


def format_rate(rate: object) -> str:
    """Return an annual growth rate (a fraction) as a signed percentage, or a dash."""
    return "—" if _missing(rate) else f"{float(rate) * 100:+.1f}%"


def plain_number(value: object) -> str:
    """Return a number as a plan writes it, in full: 1234567 → '1,234,567', 3.25 → '3.25'."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:,.12g}" if abs(v) < 1e15 else f"{v:.6g}"


def format_points_change(unit: object, baseline: object, target: object, sep: str = " (") -> str:
    """Return ' (+2.0 percentage points)' for a share's change from baseline to target, else ''.

    A growth rate of a share (9% → 11% is +4.1% a year) reads less plainly than its change.
    `sep` opens the note: " (" on its own, "; " inside a parenthesis already open.
    """
    if unit != "%" or _missing(baseline) or _missing(target):
        return ""
    return _aside(f"{float(target) - float(baseline):+.1f} percentage points", sep)


def _aside(text: str, sep: str) -> str:
    """Return text as a note after a figure: ' (text)' with sep ' (', or '; text' inside one."""
    return f"{sep}{text}{')' if sep.endswith('(') else ''}" if text else ""


def format_point(year: object, value: object, unit: str, qualifier: str = "") -> str:
    """Return `year: value` of a baseline or target, or a dash when the plan states neither."""
    if _missing(value):
        return "—"
    return f"{format_year(year)}: {format_value(value, unit, qualifier)}"


def format_year(year: object) -> str:
    """Return a year or a dash."""
    return "—" if _missing(year) else str(int(year))


# --- summary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One generated sentence of the summary and the figures it states."""

    kind: str  # "top_category" | "no_category" | "share_difference" | "indicator_growth" | ...
    text: str
    figures: dict


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _pp(x: float) -> str:
    return f"{x * 100:+.1f}"


def top_category_statements(shares: pd.DataFrame, labels: dict[str, str]) -> list[Statement]:
    """Return, per plan, the substantive category (not `other`) with the largest share."""
    out = []
    for pid in labels:
        part = shares[(shares["plan_id"] == pid) & (shares["category"] != style.OTHER)]
        if part.empty:
            continue
        part = part.assign(_o=range(len(part))).sort_values(
            ["share", "_o"], ascending=[False, True], kind="mergesort"
        )
        r = part.iloc[0]
        n_sentences = int(r["n_sentences"])
        if r["n"] == 0:
            text = (
                f"None of the {count_of(n_sentences, 'sentence')} of {labels[pid]} is coded into "
                f"the five categories: {'it is' if n_sentences == 1 else 'all are'} "
                f"{style.category_label(style.OTHER)}."
            )
            figures = {"plan_id": pid, "n_sentences": n_sentences}
            out.append(Statement("no_category", text, figures))
            continue
        top = part[part["n"] == r["n"]]
        tied = top["category"].tolist()
        if len(tied) == 1:
            text = (
                f"{labels[pid]} gives most weight to {style.category_label(r['category'])}: "
                f"{_pct(r['share'])} of its {count_of(n_sentences, 'sentence')} "
                f"(95% interval {_pct(r['lo'])}–{_pct(r['hi'])})."
            )
        else:
            each = " and ".join(
                f"{style.category_label(t.category)} (95% interval {_pct(t.lo)}–{_pct(t.hi)})"
                for t in top.itertuples()
            )
            text = (
                f"{labels[pid]} gives equal most weight to {each}: "
                f"{_pct(r['share'])} of its {count_of(n_sentences, 'sentence')} each."
            )
        figures = {
            "plan_id": pid,
            "category": r["category"],
            "share": float(r["share"]),
            "lo": float(r["lo"]),
            "hi": float(r["hi"]),
            "n": int(r["n"]),
            "n_sentences": n_sentences,
            "tied": tied[1:],
        }
        out.append(Statement("top_category", text, figures))
    return out


def difference_statements(
    diff: pd.DataFrame, labels: dict[str, str], n: int = 2
) -> list[Statement]:
    """Return the n largest share differences whose 95% interval excludes zero (or say none)."""
    left, right = list(labels)
    clear = diff[(diff["lo"] > 0) | (diff["hi"] < 0)].head(n)
    out = []
    for r in clear.itertuples():
        # Stated from the plan with the larger share, so that its figure and the difference
        # come first and positive (the figures below keep the left-minus-right sign).
        if r.diff > 0:
            more, less, share_more, share_less = left, right, r.share_left, r.share_right
            d, lo, hi = r.diff, r.lo, r.hi
        else:
            more, less, share_more, share_less = right, left, r.share_right, r.share_left
            d, lo, hi = -r.diff, -r.hi, -r.lo
        text = (
            f"{style.category_label(r.category)} takes a larger share in {labels[more]} than in "
            f"{labels[less]}: {_pct(share_more)} vs {_pct(share_less)}, a difference of "
            f"{_pp(d)} percentage points (95% interval {_pp(lo)} to {_pp(hi)})."
        )
        figures = {
            "category": r.category,
            "share_left": float(r.share_left),
            "share_right": float(r.share_right),
            "diff": float(r.diff),
            "lo": float(r.lo),
            "hi": float(r.hi),
            "more": more,
        }
        out.append(Statement("share_difference", text, figures))
    if not out:
        text = "No category's share differs between the plans by more than its 95% interval."
        out.append(Statement("no_difference", text, {"n_clear": 0}))
    return out


def indicator_statements(
    comparison: pd.DataFrame, labels: dict[str, str], n: int = 3
) -> list[Statement]:
    """Return the shared indicators whose implied annual growth differs most between the plans."""
    left, right = list(labels)
    both = comparison[
        comparison["left_implied_cagr"].notna() & comparison["right_implied_cagr"].notna()
    ]
    both = both.assign(
        _gap=(both["left_implied_cagr"] - both["right_implied_cagr"]).abs().round(12)
    ).sort_values(["_gap", "indicator"], ascending=[False, True], kind="mergesort")
    out = []
    for r in both.head(n).itertuples():
        text = (
            f"{r.label_en} ({r.label_zh}): {labels[left]} implies {format_rate(r.left_implied_cagr)} "
            f"a year ({format_year(r.left_baseline_year)}–{format_year(r.left_target_year)}"
            f"{_points(r, 'left', '; ')}), "
            f"{labels[right]} {format_rate(r.right_implied_cagr)} a year "
            f"({format_year(r.right_baseline_year)}–{format_year(r.right_target_year)}"
            f"{_points(r, 'right', '; ')})."
        )
        figures = {
            "indicator": r.indicator,
            "left_implied_cagr": float(r.left_implied_cagr),
            "right_implied_cagr": float(r.right_implied_cagr),
            "gap": float(r.left_implied_cagr - r.right_implied_cagr),
        }
        out.append(Statement("indicator_growth", text, figures))
    past = comparison[
        comparison["left_past_cagr"].notna() & comparison["right_past_cagr"].notna()
    ].sort_values("indicator", kind="mergesort")
    for r in past.itertuples():
        text = (
            f"Before the plans, {r.label_en} ({r.label_zh}) grew "
            f"{format_rate(r.left_past_cagr)} a year in {labels[left]} "
            f"({format_year(r.left_past_from_year)}–{format_year(r.left_past_to_year)}) and "
            f"{format_rate(r.right_past_cagr)} a year in {labels[right]} "
            f"({format_year(r.right_past_from_year)}–{format_year(r.right_past_to_year)}), "
            "as each plan reports it."
        )
        figures = {
            "indicator": r.indicator,
            "left_past_cagr": float(r.left_past_cagr),
            "right_past_cagr": float(r.right_past_cagr),
        }
        out.append(Statement("indicator_past_growth", text, figures))
    n_shared = len(comparison)
    only = n_shared - len(both)
    if n_shared == 0:
        text = "The plans state no indicator in common, so no growth can be compared between them."
    elif len(both) == 0:
        text = (
            f"The plans state {count_of(n_shared, 'indicator')} in common, but implied growth can "
            "be computed for none of them in both plans: that needs a baseline above zero and a "
            "later target in the same unit."
        )
    else:
        text = (
            f"The plans state {count_of(n_shared, 'indicator')} in common; implied growth can be "
            f"compared for {len(both):,} of them, which {'has' if len(both) == 1 else 'have'} a "
            "baseline and a target in both plans"
            + (
                f" (for the other {only:,}, one plan lacks a baseline or a target, or its two "
                "ends give no rate)."
                if only
                else "."
            )
        )
    out.insert(0, Statement("indicator_overlap", text, {"n_shared": n_shared, "n_both": len(both)}))
    return out


def scope_warning(note: object, sep: str = " (") -> str:
    """Return a growth figure's note that its two ends count different currencies, or ''."""
    return "" if _missing(note) else _aside(str(note), sep)


def _points(r: Any, side: str, sep: str = " (") -> str:
    """Return the change in percentage points of one side of a shared share indicator, or ''."""
    row = r._asdict() if hasattr(r, "_asdict") else r
    return format_points_change(
        row["unit_std"], row[f"{side}_baseline_value"], row[f"{side}_target_value"], sep
    ) + scope_warning(row.get(f"{side}_scope_note"), sep)


def comparison_summary(
    shares: pd.DataFrame,
    diff: pd.DataFrame,
    comparison: pd.DataFrame,
    labels: dict[str, str],
) -> list[Statement]:
    """Return the comparison's summary: top category per plan, clear differences, growth gaps."""
    return (
        top_category_statements(shares, labels)
        + difference_statements(diff, labels)
        + indicator_statements(comparison, labels)
    )


def profile_summary(
    shares: pd.DataFrame, growth: pd.DataFrame, label: str, plan_id: str, n: int = 3
) -> list[Statement]:
    """Return a profile's summary: top categories and the fastest implied growth it targets."""
    out = top_category_statements(shares, {plan_id: label})
    part = shares[(shares["plan_id"] == plan_id) & (shares["category"] != style.OTHER)]
    second = part.assign(_o=range(len(part))).sort_values(
        ["share", "_o"], ascending=[False, True], kind="mergesort"
    )
    # The next largest: below the first (a tie is stated with it) and with sentences of its own.
    below = second[(second["n"] > 0) & (second["n"] < second["n"].max())]
    if len(below):
        r = below.iloc[0]
        text = (
            f"The next largest of the five categories is {style.category_label(r['category'])}: "
            f"{_pct(r['share'])} "
            f"(95% interval {_pct(r['lo'])}–{_pct(r['hi'])})."
        )
        out.append(
            Statement(
                "second_category",
                text,
                {
                    "category": r["category"],
                    "share": float(r["share"]),
                    "lo": float(r["lo"]),
                    "hi": float(r["hi"]),
                },
            )
        )
    g = growth[(growth["plan_id"] == plan_id) & growth["implied_cagr"].notna()]
    g = g.sort_values(["implied_cagr", "indicator"], ascending=[False, True], kind="mergesort")
    for r in g.head(n).itertuples():
        text = (
            f"{r.label_en} ({r.label_zh}): from {format_value(r.baseline_value, r.unit_std)} in "
            f"{format_year(r.baseline_year)} to "
            f"{format_value(r.target_value, r.unit_std, r.target_qualifier)} in "
            f"{format_year(r.target_year)}, an implied {format_rate(r.implied_cagr)} a year"
            f"{format_points_change(r.unit_std, r.baseline_value, r.target_value)}"
            f"{scope_warning(r.scope_note)}."
        )
        out.append(
            Statement(
                "indicator_growth",
                text,
                {"indicator": r.indicator, "implied_cagr": float(r.implied_cagr)},
            )
        )
    return out


def summary_html(statements: list[Statement]) -> HTML:
    """Return the summary statements as a bulleted list of escaped text."""
    items = "".join(f"<li>{esc(s.text)}</li>" for s in statements)
    return HTML(
        f'<ul class="pc-summary">{items}</ul><p class="pc-muted">Generated from the figures below '
        "by fixed templates; every number is repeated, with its source, in the sections that "
        "follow.</p>"
    )


# --- distinctive terms and KWIC --------------------------------------------------------------------


def _no_terms_reason(sentences: pd.DataFrame, category: str, labels: dict[str, str]) -> str:
    """Return why a category's words cannot be compared between the two plans."""
    body = sentences[
        (sentences["kind"] == "sentence") & (sentences["primary_category"] == category)
    ]
    have = [p for p in labels if (body["plan_id"] == p).any()]
    if len(have) == 1:
        return f"Only {labels[have[0]]} has sentences in this category: its words have nothing to be compared with."
    if not have:
        return "Neither plan has sentences in this category."
    return "Too few words in this category to compare."


def distinctive_table(
    terms: pd.DataFrame, labels: dict[str, str], glossary: dict[str, str], find: str | None = None
) -> HTML:
    """Return distinctive terms with gloss, z-score and raw counts of both plans."""
    left, right = list(labels)
    if terms.empty:
        return para(
            "No term leans to either plan: the two plans use their words at the same rates "
            "(or too few words occur often enough to be compared)."
        )
    df = pd.DataFrame(
        {
            "Leans to": terms["side"].map(labels),
            "Rank": terms["rank"],
            "Term 词": terms["term"],
            "Gloss": [glossary.get(t, "") for t in terms["term"]],
            "z": [f"{z:+.2f}" for z in terms["z"]],
            # The table ranks the terms that lean to each side; only some lean clearly.
            "Distinctive (|z| > 1.96)": ["yes" if abs(z) > Z_95 else "no" for z in terms["z"]],
            f"Count in {labels[left]}": terms["count_left"],
            f"Count in {labels[right]}": terms["count_right"],
        }
    )
    links = {"Term 词": find} if find else None
    return HTML(table_html(df, find=links))


def kwic_lines(
    sentences: pd.DataFrame, terms: list[str], per_plan: int = 3, width: int = 18
) -> pd.DataFrame:
    """Return up to `per_plan` KWIC lines per term and plan, in term order."""
    from . import stats

    return stats.kwic_many(sentences, terms, width=width, per_plan=per_plan)


def short_section(section: object) -> str:
    """Return the innermost heading of a section path (the full path goes in a tooltip)."""
    text = "" if _missing(section) else str(section)
    return text.rsplit(" > ", 1)[-1] or "—"


def kwic_html(kw: pd.DataFrame, labels: dict[str, str], glossary: dict[str, str]) -> HTML:
    """Return keyword-in-context lines: the term centred, with its plan and section."""
    if kw.empty:
        return HTML('<p class="pc-muted">No occurrences.</p>')
    many = len(labels) > 1
    rows = "".join(
        f'<tr><td class="pc-muted" title="{esc(r.section or "")}">'
        + (f"{esc(labels.get(r.plan_id, r.plan_id))}<br>" if many else "")
        + f'§ {esc(short_section(r.section))}</td><td class="l">{esc(r.left)}</td>'
        # The gloss is looked up by the (simplified) term; the keyword is quoted as written.
        f'<td class="k" title="{esc(glossary.get(getattr(r, "term", r.keyword), ""))}">'
        f"{esc(r.keyword)}</td>"
        f'<td class="r">{esc(r.right)}</td></tr>'
        for r in kw.itertuples()
    )
    return HTML(
        '<table class="pc-kwic"><thead><tr><th>Plan and section</th><th>Left context</th>'
        f"<th>Term</th><th>Right context</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def top_terms_per_side(terms: pd.DataFrame, n: int = 2) -> list[str]:
    """Return the n top distinctive terms of each side, left side first."""
    out = []
    for side in pd.unique(terms["side"]):
        out += terms[terms["side"] == side].head(n)["term"].tolist()
    return out


# --- per-category sections ----------------------------------------------------------------------


def _share_phrase(shares: pd.DataFrame, pid: str, cat: str, label: str) -> str:
    r = shares[(shares["plan_id"] == pid) & (shares["category"] == cat)].iloc[0]
    return (
        f"{label}: {int(r['n'])} of {count_of(int(r['n_sentences']), 'sentence')}, "
        f"{_pct(r['share'])} "
        f"(95% interval {_pct(r['lo'])}–{_pct(r['hi'])}; {r['per_1000_chars']:.2f} per 1,000 "
        "characters)"
    )


def _examples(sentences: pd.DataFrame, pid: str, cat: str, n: int) -> str:
    body = sentences[
        (sentences["kind"] == "sentence")
        & (sentences["plan_id"] == pid)
        & (sentences["primary_category"] == cat)
    ]
    if body.empty:
        return '<p class="pc-muted">No sentence has this primary category.</p>'
    items = "".join(
        f'<li><span class="pc-quote" lang="zh">{esc(r.text)}</span><br><span class="pc-muted">'
        f"{_where(r)} · matched: {esc(r.matched_terms or '—')} · "
        f"{esc(r.evidence or '')}</span></li>"
        for r in body.head(n).itertuples()
    )
    return f"<ul>{items}</ul>"


def category_section_compare(
    sentences: pd.DataFrame,
    shares: pd.DataFrame,
    diff: pd.DataFrame,
    category: str,
    labels: dict[str, str],
    glossary: dict[str, str],
    stopwords: frozenset[str],
    find: str | None = None,
) -> HTML:
    """Return one category's section of a comparison: shares, terms, KWIC and examples."""
    from . import stats

    left, right = list(labels)
    d = diff[diff["category"] == category].iloc[0]
    parts = [
        heading(style.category_label(category), 3, category_anchor(category)).data,
        "<ul>"
        + "".join(f"<li>{esc(_share_phrase(shares, p, category, labels[p]))}</li>" for p in labels)
        + f"<li>Difference ({esc(labels[left])} minus {esc(labels[right])}): {_pp(d['diff'])} "
        f"percentage points, 95% interval {_pp(d['lo'])} to {_pp(d['hi'])}"
        + (" — clear." if d["lo"] > 0 or d["hi"] < 0 else " — the interval includes zero.")
        + "</li></ul>",
    ]
    terms = stats.distinctive_terms(
        sentences, left, right, category=category, stopwords=stopwords, top=6, min_count=3
    )
    parts.append("<h4>Terms that lean to each plan within this category</h4>")
    if terms.empty:
        parts.append(
            f'<p class="pc-muted">{esc(_no_terms_reason(sentences, category, labels))}</p>'
        )
    else:
        parts.append(distinctive_table(terms, labels, glossary, find).data)
        kw = kwic_lines(
            sentences[sentences["primary_category"] == category], top_terms_per_side(terms)
        )
        parts.append("<h4>The top terms in context</h4>" + kwic_html(kw, labels, glossary).data)
    parts.append("<h4>Example sentences</h4>")
    parts.append(
        '<div class="pc-cols">'
        + "".join(
            f"<div><h5>{esc(labels[p])}</h5>{_examples(sentences, p, category, 2)}</div>"
            for p in labels
        )
        + "</div>"
    )
    return HTML("".join(parts))


def category_section_profile(
    sentences: pd.DataFrame,
    shares: pd.DataFrame,
    category: str,
    plan_id: str,
    label: str,
    glossary: dict[str, str],
    stopwords: frozenset[str],
    find: str | None = None,
) -> HTML:
    """Return one category's section of a profile: share, top and distinctive terms, KWIC, examples."""
    from . import stats

    parts = [
        heading(style.category_label(category), 3, category_anchor(category)).data,
        f"<p>{esc(_share_phrase(shares, plan_id, category, label))}.</p>",
    ]
    counts = stats.term_counts(sentences, plan_id, category, stopwords)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    if top:
        parts.append(
            "<p><strong>Most frequent words:</strong> "
            + "; ".join(
                f"{find_link(t, find) if find else esc(t)} "
                f'<span class="pc-muted">{esc(glossary.get(t, ""))}</span> ({c})'
                for t, c in top
            )
            + "</p>"
        )
    terms = stats.category_vs_rest_terms(sentences, plan_id, category, stopwords, top=8)
    if not terms.empty:
        df = pd.DataFrame(
            {
                "Term 词": terms["term"],
                "Gloss": [glossary.get(t, "") for t in terms["term"]],
                "z": [f"{z:+.2f}" for z in terms["z"]],
                "Count in this category": terms["count_category"],
                "Count in the rest of the plan": terms["count_rest"],
            }
        )
        parts.append(
            "<h4>Distinctive of this category (against the plan's other sentences)</h4>"
            + table_html(df, find={"Term 词": find} if find else None)
        )
        body = sentences[sentences["primary_category"] == category]
        kw = kwic_lines(body, terms["term"].head(3).tolist(), per_plan=3)
        parts.append(
            "<h4>The top terms in context</h4>" + kwic_html(kw, {plan_id: label}, glossary).data
        )
    parts.append("<h4>Example sentences</h4>" + _examples(sentences, plan_id, category, 3))
    return HTML("".join(parts))


# --- all coded sentences -------------------------------------------------------------------------


def sentences_frame(sentences: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Return every coded sentence for the drill-down table (plan, section, category, evidence)."""
    body = sentences[sentences["kind"] == "sentence"]
    return pd.DataFrame(
        {
            "Plan": body["plan_id"].map(labels),
            "#": body["sentence_id"],
            "Section": body["section"].fillna(""),
            "Category": [style.category_label(c) for c in body["primary_category"]],
            "Matched terms": body["matched_terms"].fillna("").str.replace(";", "; "),
            "Evidence": body["evidence"].fillna(""),
            "Text 原文": body["text"],
        }
    )


def sentences_table(sentences: pd.DataFrame, labels: dict[str, str], table_id: str) -> HTML:
    """Return the searchable, sortable table of all coded sentences.

    A sentence quoted in traditional script is also found by its simplified form, which is how
    terms and glossary links name it.
    """
    body = sentences[sentences["kind"] == "sentence"]
    simplified = body["text_simplified"] if "text_simplified" in body else body["text"]
    search = [s if s != t else "" for t, s in zip(body["text"], simplified, strict=True)]
    return searchable_table(sentences_frame(sentences, labels), table_id, search)


# --- indicators ----------------------------------------------------------------------------------


def _side_point(r: dict, side: str, role: str) -> str:
    unit = r.get(f"{side}_target_unit_std") if role == "target" else None
    return format_point(
        r[f"{side}_{role}_year"],
        r[f"{side}_{role}_value"],
        unit or r["unit_std"],
        r[f"{side}_{role}_qualifier"],
    )


def indicator_comparison_table(comparison: pd.DataFrame, labels: dict[str, str]) -> HTML:
    """Return the shared indicators side by side: baseline, target and implied annual growth."""
    left, right = list(labels)
    if comparison.empty:
        return para("The two plans state no canonical indicator in common.")
    head = (
        "<tr><th rowspan=2>Indicator</th>"
        + "".join(f'<th colspan=5 class="pc-side">{esc(labels[p])}</th>' for p in (left, right))
        + "</tr><tr>"
        + (
            "<th>Baseline</th><th>Target</th><th>Implied growth a year</th><th>Stated growth</th>"
            "<th>Growth before the plan</th>"
        )
        * 2
        + "</tr>"
    )
    rows = []
    for r in comparison.to_dict("records"):
        cells = [f'<th>{esc(r["label_en"])}<br><span lang="zh">{esc(r["label_zh"])}</span></th>']
        for side in ("left", "right"):
            cells += [
                f"<td>{esc(_side_point(r, side, 'baseline'))}</td>",
                f"<td>{esc(_side_point(r, side, 'target'))}</td>",
                f"<td>{esc(format_rate(r[f'{side}_implied_cagr']) + _points(r, side))}</td>",
                f"<td>{esc(format_rate(r[f'{side}_stated_growth']))}</td>",
                f"<td>{esc(past_growth_text(r, side))}</td>",
            ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return HTML(
        f'<div class="pc-scroll-x"><table class="pc-table pc-ind"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="pc-muted">Implied growth is the compound annual rate that takes the baseline to '
        "the target; a dash means the plan states only one end, or that its ends give no rate (a "
        "baseline of zero, a target in another unit or of the same year). For indicators in % "
        "(shares of GDP, insurance depth) the change in percentage points is easier to read than a "
        "growth rate of a share. Growth before the plan is what the plan itself reports for the "
        "years up to its baseline (年均增长13.8%, 是2010年的1.8倍, 增长60%, 翻一番, or both ends: "
        "由1.6万亿元增加到2.8万亿元), as an annual rate: an achieved rate, not a target, and the "
        "fairest like-for-like comparison between plans of different periods.</p>"
    )


def past_growth_text(r: dict, side: str) -> str:
    """Return a plan's reported growth before its baseline as 'rate a year (years; basis)'."""
    rate = r.get(f"{side}_past_cagr")
    if _missing(rate):
        return "—"
    years = f"{format_year(r[f'{side}_past_from_year'])}–{format_year(r[f'{side}_past_to_year'])}"
    return f"{format_rate(rate)} a year ({years}; {r[f'{side}_past_basis']})"


_ROLE_ORDER = {"baseline": 0, "target": 1}


def indicator_item(r, names: dict[str, str]) -> str:
    """Return one extracted baseline or target as a list item: as written, then standardised."""
    if _missing(r.value):
        stated = f"{esc(r.name_zh)}: no number" + (
            f" (qualitative: {esc(r.qualitative_target)})" if r.qualitative_target else ""
        )
    else:
        high = getattr(r, "value_high", None)
        span = plain_number(r.value) + ("" if _missing(high) else f"–{plain_number(high)}")
        stated = f"{esc(r.name_zh)} {esc(span)}{esc(r.unit)}"
    extra = [f"{esc(r.qualifier)}"] if r.qualifier else []
    if not _missing(getattr(r, "value_high", None)):
        extra.append("a range: its low end is used")
    if bool(r.cumulative):
        extra.append("cumulative over the period")
    canon = names.get(r.indicator, "") if r.indicator else ""
    std = "" if _missing(r.value_std) else format_value(r.value_std, r.unit_std)
    tail = " = ".join(x for x in (esc(canon), esc(std)) if x)
    return (
        f"<li><strong>{esc(r.role)}</strong> {esc(format_year(r.year))}: {stated}"
        + (f" ({', '.join(extra)})" if extra else "")
        + (f" → {tail}" if tail else "")
        + "</li>"
    )


def plan_indicators_html(indicators: pd.DataFrame, sentences: pd.DataFrame, plan_id: str) -> HTML:
    """Return every baseline and target of a plan, grouped by category, each with its sentence."""
    ind = indicators[
        (indicators["plan_id"] == plan_id) & indicators["role"].isin(list(_ROLE_ORDER))
    ]
    sent = sentences[sentences["plan_id"] == plan_id].set_index("sentence_id")
    ind = ind.assign(
        category=[
            sent["primary_category"].get(s, style.OTHER) if s in sent.index else style.OTHER
            for s in ind["sentence_id"]
        ]
    )
    from .indicators import load_indicator_map

    imap = load_indicator_map()
    names = {k: imap.label(k) for k in sorted(set(ind["indicator"]) - {""})}
    parts = []
    for cat in style.ALL_CATEGORIES:
        part = ind[ind["category"] == cat]
        if part.empty:
            continue
        n_t = int((part["role"] == "target").sum())
        n_b = int((part["role"] == "baseline").sum())
        parts.append(
            f"<h3>{esc(style.category_label(cat))}</h3>"
            f'<p class="pc-muted">{count_of(n_b, "baseline")} and {count_of(n_t, "target")} in '
            f'{count_of(part["sentence_id"].nunique(), "sentence")}.</p><ol class="pc-ind-list">'
        )
        for sid, rows in part.groupby("sentence_id", sort=True):
            rows = rows.sort_values(["position", "role"], kind="stable")
            items = "".join(indicator_item(r, names) for r in rows.itertuples())
            text = str(sent["text"].get(sid, rows.iloc[0]["source_text"]))
            if len(text) > 320:
                text = text[:320] + "…"
            section_path = sent["section"].get(sid, "") if sid in sent.index else ""
            origin = "indicator table (专栏)" if (rows["source"] == "table").any() else "prose"
            parts.append(
                f'<li><ul>{items}</ul><blockquote class="pc-quote" lang="zh">{esc(text)}</blockquote>'
                f'<span class="pc-muted">sentence {esc(sid)} · § {esc(section_path or "—")} · '
                f"from the {esc(origin)}</span></li>"
            )
        parts.append("</ol>")
    if not parts:
        return HTML('<p class="pc-muted">The plan states no baseline or target.</p>')
    return HTML("".join(parts))


def growth_table_html(growth: pd.DataFrame, plan_id: str) -> HTML:
    """Return a plan's canonical indicators with baseline, target and implied growth."""
    g = growth[growth["plan_id"] == plan_id]
    if g.empty:
        return para("The plan states no figure of a canonical indicator (see the list below).")
    df = pd.DataFrame(
        {
            "Indicator": g["label_en"] + " " + g["label_zh"],
            "Baseline": [
                format_point(y, v, u, q)
                for y, v, u, q in zip(
                    g["baseline_year"],
                    g["baseline_value"],
                    g["unit_std"],
                    g["baseline_qualifier"],
                    strict=True,
                )
            ],
            "Target": [
                format_point(y, v, tu or u, q)
                for y, v, u, tu, q in zip(
                    g["target_year"],
                    g["target_value"],
                    g["unit_std"],
                    g["target_unit_std"],
                    g["target_qualifier"],
                    strict=True,
                )
            ],
            "Implied growth a year": [
                format_rate(x) + format_points_change(u, b, t) + scope_warning(n)
                for x, u, b, t, n in zip(
                    g["implied_cagr"],
                    g["unit_std"],
                    g["baseline_value"],
                    g["target_value"],
                    g["scope_note"],
                    strict=True,
                )
            ],
            "Stated growth a year": [format_rate(x) for x in g["stated_growth"]],
        }
    )
    return HTML(table_html(df))


# --- methods appendix ----------------------------------------------------------------------------


def coding_rules_table(codebook, n_terms: int = 8) -> pd.DataFrame:
    """Return the codebook as a readable table: category, definition, top terms, overrides."""
    rows = []
    for cat in style.CATEGORIES:
        terms = codebook.terms.get(cat, {})
        top = sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:n_terms]
        over = sorted(p for p, (c, _) in codebook.overrides.items() if c == cat)
        rows.append(
            {
                "Category": style.category_label(cat),
                "Definition": codebook.definitions.get(cat, ""),
                "Terms": len(terms),
                "Highest-weighted terms": "、".join(f"{t} ({w:g})" for t, w in top),
                "Phrases re-assigned here (overrides)": "、".join(over) or "—",
            }
        )
    return pd.DataFrame(rows)


def _validation_source(validation: dict, plan_ids: Collection[str]) -> str:
    """Return which plans the validation sentences come from, and whether these plans are among them."""
    drawn = [str(p) for p in validation.get("plans", [])]
    if not drawn:
        return ""
    named = [f"<code>{esc(p)}</code>" for p in drawn]
    text = " from " + (", ".join(named[:-1]) + " and " if len(named) > 1 else "") + named[-1]
    outside = [p for p in plan_ids if p not in drawn]
    if outside:
        text += (
            f", so {', '.join(f'<code>{esc(p)}</code>' for p in outside)} "
            f"{'is' if len(outside) == 1 else 'are'} not among them: the figures below measure "
            "the coder on those plans' sentences, not on this report's"
        )
    return text


def _evaluation_html(evaluation: dict | None, coder: str, plan_ids: Collection[str] = ()) -> str:
    if not evaluation:
        return "<p>Validation: <strong>not yet evaluated</strong> (no evaluation.json).</p>"
    v = evaluation.get("validation", {})
    coders = evaluation.get("coders", {})
    rows = []
    for name in sorted(coders):
        c = coders[name]
        a, h = c.get("all", {}), c.get("holdout", {})
        per = a.get("per_category", {})
        min_rec = min((x.get("recall", 0.0) for x in per.values()), default=float("nan"))
        rows.append(
            {
                "Coder": name + (" (used in this report)" if name == coder else ""),
                "Scored on": c.get("scored_on", ""),
                "Primary accuracy": f"{a.get('accuracy', float('nan')):.3f}",
                "Held-out accuracy": f"{h.get('accuracy', float('nan')):.3f}",
                "Macro-F1": f"{a.get('macro_f1', float('nan')):.3f}",
                "Lowest category recall": f"{min_rec:.3f}",
            }
        )
    parts = [
        f"<p>Validation set: {esc(v.get('n', '?'))} hand-coded sentences "
        f"({esc(v.get('n_holdout', '?'))} held out){_validation_source(v, plan_ids)}; SHA-256 <code>{esc(v.get('sha256', ''))}</code>. "
        f"A prediction counts as right when it is the hand-coded primary category or one of the "
        f"acceptable alternatives.</p>",
        table_html(pd.DataFrame(rows)),
    ]
    used = coders.get(coder, {}).get("all", {}).get("per_category", {})
    if used:
        df = pd.DataFrame(
            [
                {
                    "Category": style.category_label(k),
                    "Precision": f"{x.get('precision', 0):.3f}",
                    "Recall": f"{x.get('recall', 0):.3f}",
                    "F1": f"{x.get('f1', 0):.3f}",
                    "Support": x.get("support", ""),
                }
                for k, x in sorted(
                    used.items(),
                    key=lambda kv: (
                        style.ALL_CATEGORIES.index(kv[0]) if kv[0] in style.ALL_CATEGORIES else 99
                    ),
                )
            ]
        )
        parts.append(f"<p>Per category, coder <code>{esc(coder)}</code>:</p>" + table_html(df))
    ag = evaluation.get("agreement", {})
    if ag.get("available"):
        parts.append(
            f"<p>Inter-coder agreement (independent second coding of {esc(ag.get('n'))} sentences): "
            f"Cohen's κ {ag.get('cohen_kappa_primary', float('nan')):.3f} and Krippendorff's α "
            f"{ag.get('krippendorff_alpha_primary_nominal', float('nan')):.3f} on the primary "
            f"category; Krippendorff's α with MASI distance on the label sets "
            f"{ag.get('krippendorff_alpha_sets_masi', float('nan')):.3f}; raw agreement "
            f"{ag.get('percent_agreement_primary', float('nan')):.1%}.</p>"
        )
    else:
        parts.append(f"<p>Inter-coder agreement: {esc(ag.get('reason', 'not available'))}.</p>")
    return "".join(parts)


# The statistics only a comparison uses (a profile has one plan).
COMPARISON_TOOLS = (
    "<li>Difference of distributions: Pearson's χ² with adjusted standardised residuals.</li>"
    "<li>Distinctive terms: weighted log-odds ratio with an informative Dirichlet prior "
    "(Monroe, Colaresi and Quinn 2008; prior = pooled counts of both plans), z-scores, over "
    "jieba words with stop words, numbers and ordinals removed; terms with fewer than 3 "
    "occurrences are not reported.</li>"
)


def limitations(
    plans: list[Plan], counts: list[PlanCounts], table_plans: Collection[str] = ()
) -> list[str]:
    """Return the limitations that hold for these plans, from their periods and cleaning counts."""
    out = []
    by_id = {c.plan_id: c for c in counts}
    if len(plans) > 1 and len({p.period for p in plans}) > 1:
        periods = " and ".join(f"{p.start}–{p.end}" for p in plans)
        out.append(
            f"The plans cover different periods ({periods}): money amounts and counts are not "
            "comparable across eras; shares of sentences, rates per 1,000 characters and growth "
            "rates are."
        )
    sized = [(by_id[p.id].distinct_chars, p) for p in plans if p.id in by_id]
    if len(sized) > 1:
        n_small, small = min(sized, key=lambda t: t[0])
        n_large, large = max(sized, key=lambda t: t[0])
        if n_small and n_large / n_small >= 1.25:
            out.append(
                f"The plans differ in length ({large.label()} has {n_large / n_small:.1f} times "
                f"the distinct characters of {small.label()}): every comparison is normalised by "
                "the number of sentences or characters."
            )
    for p in plans:
        c = by_id.get(p.id)
        if c is None:
            continue
        damage = []
        if c.duplicates_dropped:
            n = c.duplicates_dropped
            damage.append(
                f"{count_of(n, 'repeated sentence')} {'was' if n == 1 else 'were'} dropped "
                "(first copy kept)"
            )
        if c.toc_chars_removed:
            damage.append(f"a table of contents of {c.toc_chars_removed} characters was removed")
        if damage:
            out.append(
                f"Cleaning changed the text of {p.label()}: {' and '.join(damage)}. Section paths "
                "follow the headings in the order the text gives them, so where its sections are "
                "out of order they are approximate."
            )
        if c.script == "traditional":
            out.append(
                f"The text of {p.label()} is in traditional characters: it was converted to "
                "simplified (OpenCC) for coding, segmentation and extraction; quotations keep its "
                "own script."
            )
        if p.id in table_plans:
            out.append(
                f"The indicator table of {p.label()} is flattened into the text: its rows were split "
                "by row numbers and units and cross-checked against the prose where possible."
            )
    return [
        *out,
        "Headings are kept as section paths and excluded from every share, count and term "
        "statistic.",
        "Coding assigns one primary category per sentence; sentences about several subjects "
        "count only for their main one.",
    ]


def methods_html(
    codebook,
    evaluation: dict | None,
    plans: list[Plan],
    counts: list[PlanCounts],
    coder: str,
    jieba_version: str,
    table_plans: Collection[str] = (),
) -> HTML:
    """Return the methods appendix: codebook, rules, validation, cleaning, tools, limitations.

    `table_plans` names the plans whose indicator table was read from the text.
    """
    from . import __version__

    clean = pd.DataFrame(
        {
            "": [
                "Sentences and headings in the raw text",
                "Repeated copies dropped",
                "Distinct sentences (coded)",
                "Headings (kept as section paths)",
                "Table-of-contents characters removed",
                CHARS_LABEL,
            ],
            **{
                p.label(): [
                    c.raw_sentences,
                    c.duplicates_dropped,
                    c.distinct_sentences - c.headings,
                    c.headings,
                    c.toc_chars_removed,
                    c.distinct_chars,
                ]
                for p, c in zip(plans, counts, strict=True)
            },
        }
    )
    parts = [
        heading("Coding 编码", 3, "methods-coding").data,
        f"<p>Codebook version <code>{esc(codebook.version)}</code>, SHA-256 "
        f"<code>{esc(codebook.sha256)}</code> (<code>data/codebook.yml</code>). Sentences in this "
        f"report were coded by the <code>{esc(coder)}</code> coder. The rule coder matches weighted "
        "terms longest first (a longer phrase claims its characters, so 风险投资 is venture capital, "
        "not risk), applies phrase overrides and exclusions, discounts headings glued to a sentence, "
        "adds weight for verb–object rules (设立…公司, 防范…风险, 培养…人才) and assigns the "
        f"highest-scoring category; a sentence scoring below {codebook.min_score:g} is "
        "<em>other</em>.</p>",
        table_html(coding_rules_table(codebook)),
        # Each phrase quoted on its own: some contain the list comma (、教育、).
        "<p>Exclusions (phrases that count for nothing): "
        f"{' '.join(f'「{esc(x)}」' for x in codebook.exclusions) or '—'}."
        f" Verb–object rules: {esc(', '.join(r.name for r in codebook.proximity) or '—')}.</p>",
        heading("Validation 验证", 3, "methods-validation").data,
        _evaluation_html(evaluation, coder, [p.id for p in plans]),
        heading("Cleaning 文本清理", 3, "methods-cleaning").data,
        "<p>Full-width digits, letters and spaces were normalised without changing the Chinese; "
        "the text was split into sentences at 。！？； and paragraph breaks (the line breaks of a "
        "hard-wrapped text, as copied out of a PDF, were joined first and its page numbers "
        "dropped); headings glued to the "
        "next sentence (第X章, 第X节, 一、, （一）, 1．, （1）, 专栏N) were detached and kept as each "
        "sentence's section path; the table of contents was dropped; repeated sentences were "
        "removed, keeping the first copy.</p>",
        table_html(clean),
        heading("Tools and statistics 工具与统计", 3, "methods-tools").data,
        f"<ul><li>Sentence splitter and heading detection: <code>plancompare.sentences</code> "
        f"(plancompare {esc(__version__)}).</li>"
        f"<li>Word segmentation: jieba {esc(jieba_version)}, its bundled dictionary, with the "
        f"{len(codebook.all_terms())} codebook terms loaded as user words so they stay whole.</li>"
        "<li>Category shares: share of distinct sentences by primary category; 95% percentile "
        "intervals from 2,000 bootstrap resamples of sentences (fixed seed).</li>"
        + (COMPARISON_TOOLS if len(plans) > 1 else "")
        + "<li>Implied growth: compound annual rate (target / baseline)^(1 / years) − 1.</li></ul>",
        heading("Limitations 局限", 3, "methods-limitations").data,
        "<ul>"
        + "".join(f"<li>{esc(t)}</li>" for t in limitations(plans, counts, table_plans))
        + "</ul>",
    ]
    return HTML("".join(parts))


def load_evaluation_for(processed_dir: Path | str) -> tuple[dict | None, Path | None]:
    """Return the evaluation figures (from the processed folder, else the project's) and their path."""
    from . import evaluate  # light: it imports scikit-learn only where it scores

    for path in (Path(processed_dir) / "evaluation.json", paths.PROCESSED / "evaluation.json"):
        if path.is_file():
            return evaluate.load_evaluation(path), path
    return None, None


def comparison_toc() -> HTML:
    """Return the table of contents of a comparison report."""
    return toc(
        [
            ("summary", "Summary of the main differences", 2),
            ("plans", "The plans", 2),
            ("shares", "Category shares", 2),
            ("terms", "Distinctive terms", 2),
            ("categories", "Category by category", 2),
            *category_toc_entries(),
            ("indicators", "Targets and baselines", 2),
            ("sentences", "All coded sentences", 2),
            ("methods", "Methods", 2),
            ("provenance", "Provenance", 2),
        ]
    )


def profile_toc() -> HTML:
    """Return the table of contents of a plan profile."""
    return toc(
        [
            ("summary", "Summary", 2),
            ("plan", "The plan", 2),
            ("shares", "Category shares", 2),
            ("categories", "Category by category", 2),
            *category_toc_entries(),
            ("indicators", "Targets and baselines", 2),
            ("sentences", "All coded sentences", 2),
            ("methods", "Methods", 2),
            ("provenance", "Provenance", 2),
        ]
    )


def methods_section(
    processed_dir: Path | str,
    plans: list[Plan],
    counts: list[PlanCounts],
    sentences: pd.DataFrame,
    found: pd.DataFrame,
) -> HTML:
    """Return the methods appendix for these plans, with the evaluation found for processed_dir.

    `found` is the plans' indicator table as the notebook loaded it (it shows which plans had a
    flattened indicator table).
    """
    from . import coding, segment

    evaluation, _ = load_evaluation_for(processed_dir)
    coder = str(sentences["coder"].iloc[0])
    table_plans = set(found.loc[found["source"] == "table", "plan_id"])
    return methods_html(
        coding.load_codebook(),
        evaluation,
        plans,
        counts,
        coder,
        segment.jieba_version(),
        table_plans,
    )


def provenance_section(
    manifest: Manifest, plan_ids: list[str], parameters: dict, processed_dir: Path | str
) -> HTML:
    """Return the provenance footer, listing the evaluation the methods section used."""
    _, evaluation_path = load_evaluation_for(processed_dir)
    inputs = config_inputs() | ({"evaluation": evaluation_path} if evaluation_path else {})
    return provenance(manifest, plan_ids, parameters, inputs)
