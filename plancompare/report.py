"""HTML fragments that notebooks display: every piece of plan text escaped on the way in."""

from __future__ import annotations

import html
import importlib.metadata as md
import subprocess
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from . import paths, style
from .manifest import Manifest, Plan
from .pipeline import PlanCounts
from .reading import sha256_file

_SEARCH_SCRIPT = """<script type="text/javascript">
(function () {
  var input = document.getElementById("%(id)s-search");
  var table = document.getElementById("%(id)s");
  var count = document.getElementById("%(id)s-count");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  function filter() {
    var q = input.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.style.display = hit ? "" : "none"; if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  input.addEventListener("input", filter);
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


def table_html(df: pd.DataFrame, table_id: str | None = None, cls: str = "pc-table") -> str:
    """Return a table as HTML with every cell escaped."""
    attr = f' id="{esc(table_id)}"' if table_id else ""
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False, name=None)
    )
    return f'<table class="{esc(cls)}"{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def table(df: pd.DataFrame) -> HTML:
    """Return a displayable escaped table."""
    return HTML(table_html(df))


def searchable_table(df: pd.DataFrame, table_id: str) -> HTML:
    """Return an escaped table with a search box and click-to-sort headers that work offline."""
    tid = esc(table_id)
    return HTML(
        f'<input type="search" class="pc-search" id="{tid}-search" '
        f'placeholder="Search sentences 搜索…" aria-label="Search the table">'
        f' <span class="pc-muted" id="{tid}-count"></span>'
        f'<div class="pc-scroll">{table_html(df, table_id)}</div>' + _SEARCH_SCRIPT % {"id": tid}
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
        ("Issued", plan.issued or "not stated in the text"),
        ("Issuer", plan.issuer_zh or "not stated in the text"),
        ("Document number", plan.doc_number or "—"),
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


def cleaning_table(counts: PlanCounts) -> pd.DataFrame:
    """Return what cleaning did to a plan as a two-column table."""
    rows = [
        ("Encoding detected", counts.encoding),
        ("Script", counts.script),
        ("Sentences and headings in the raw text", counts.raw_sentences),
        ("Repeated copies dropped", counts.duplicates_dropped),
        ("Distinct sentences and headings kept", counts.distinct_sentences),
        ("of which headings (kept as section paths)", counts.headings),
        ("Table-of-contents characters removed", counts.toc_chars_removed),
        ("Distinct characters in sentences", counts.distinct_chars),
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
            f"§ {esc(r.section or '—')} · terms: {esc(r.matched_terms or '—')}</span></li>"
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


def period_note(a: Plan, b: Plan) -> HTML:
    """Return a plain statement of whether the two plans' periods differ."""
    if a.period == b.period:
        text = f"Both plans cover {a.start}–{a.end}."
    else:
        gap = abs(a.start - b.start)
        text = (
            f"The plan periods differ: {a.city} {a.start}–{a.end} and {b.city} {b.start}–{b.end} "
            f"({gap} years apart). Levels (money amounts, counts) are not comparable across eras; "
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
        ("Raw sentences", lambda p, c: c.raw_sentences),
        ("Repeated copies dropped", lambda p, c: c.duplicates_dropped),
        ("Distinct sentences", lambda p, c: c.distinct_sentences - c.headings),
        ("Distinct characters", lambda p, c: c.distinct_chars),
    ]
    data = {"": [f for f, _ in fields]}
    for p, c in zip(plans, counts, strict=True):
        data[p.label()] = [str(fn(p, c)) for _, fn in fields]
    return pd.DataFrame(data)


def chi_square_html(result, labels: dict[str, str]) -> HTML:
    """Return the chi-squared test with its adjusted standardised residuals per category."""
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
        f"(n = {result.n} sentences). Residuals beyond ±1.96 mark the categories that drive the difference."
    )
    return HTML(
        f"<p>{esc(summary)}</p>"
        f'<table class="pc-table"><thead><tr><th>Category</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
