"""run_all.py on both shipped plans: reports, index and tidy tables."""

import re

import pandas as pd
import pytest

from plancompare import paths
from plancompare.manifest import load_manifest
from plancompare.style import ALL_CATEGORIES

pytestmark = pytest.mark.slow

REPORTS = [
    "profile-chongqing-2016-2020",
    "profile-chengdu-2006-2010",
    "compare-chongqing-2016-2020-vs-chengdu-2006-2010",
]


def test_run_succeeds_with_a_line_per_report(rendered):
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    for name in REPORTS:
        assert re.search(rf"^ok\s+{re.escape(name)}\b", rendered.stdout, re.M), rendered.stdout


def test_reports_and_executed_notebooks_exist(rendered):
    for name in REPORTS:
        page = rendered.out / f"{name}.html"
        assert page.is_file()
        assert page.stat().st_size < 3 * 1024 * 1024
        assert (rendered.out / "notebooks" / f"{name}.ipynb").is_file()


def test_index_links_every_report_with_titles_and_periods(rendered):
    index = (rendered.out / "index.html").read_text("utf-8")
    for name in REPORTS:
        assert f'href="{name}.html"' in index
    manifest = load_manifest(paths.MANIFEST)
    for plan in manifest.plans:
        assert plan.title_zh in index
        assert f"{plan.start}–{plan.end}" in index


def test_reports_load_nothing_from_the_network(rendered):
    for name in REPORTS:
        page = (rendered.out / f"{name}.html").read_text("utf-8")
        assert not re.search(r"<script[^>]+src=", page)
        assert not re.search(r"<link[^>]+href=[\"']https?:", page)
        assert "cdn.jsdelivr" not in page and "cdnjs" not in page
        assert "window.vegaEmbed" in page  # the Vega libraries are inlined
        assert page.count('class="pc-chart"') >= 1


def test_code_is_hidden(rendered):
    page = (rendered.out / f"{REPORTS[0]}.html").read_text("utf-8")
    assert "load_manifest(" not in page
    assert 'class="highlight hl-ipython3"' not in page and 'class="jp-CodeMirrorEditor' not in page


def test_sentence_table(rendered):
    df = pd.read_csv(rendered.processed / "sentences.csv", keep_default_na=False)
    needed = {
        "plan_id",
        "sentence_id",
        "section",
        "text",
        "n_chars",
        "categories",
        "primary_category",
        "matched_terms",
    }
    assert needed <= set(df.columns)
    assert set(df["plan_id"]) == {"chongqing-2016-2020", "chengdu-2006-2010"}
    assert set(df["primary_category"]) <= set(ALL_CATEGORIES)
    # A sentence is kept once; a heading once under the same parents (its section path).
    key = df["text"].where(df["kind"] == "sentence", df["section"])
    assert not df.assign(key=key).duplicated(["plan_id", "kind", "key"]).any()
    assert (df["n_chars"] == df["text"].str.len()).all()
    cq = df[(df["plan_id"] == "chongqing-2016-2020") & (df["kind"] == "sentence")]
    assert 380 <= len(cq) <= 430
    # Categories and matched terms are ';'-joined and the primary is among the categories.
    coded = df[df["primary_category"] != "other"]
    assert all(
        p in c.split(";")
        for p, c in zip(coded["primary_category"], coded["categories"], strict=True)
    )


def test_plan_table_counts(rendered):
    plans = pd.read_csv(rendered.processed / "plans.csv").set_index("plan_id")
    cq = plans.loc["chongqing-2016-2020"]
    assert cq["duplicates_dropped"] == cq["raw_sentences"] - cq["distinct_sentences"]
    assert cq["duplicates_dropped"] > 100
    assert plans.loc["chengdu-2006-2010", "duplicates_dropped"] == 0
    assert 9000 < plans.loc["chengdu-2006-2010", "distinct_chars"] < 12000


def test_the_shipped_plans_raise_no_warning(rendered):
    # Chengdu's review says 到2005年底 seven times: its baseline year, not a wrong period.
    assert "warning:" not in rendered.stdout
