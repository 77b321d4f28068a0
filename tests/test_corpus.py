"""The corpus overview's data: period order, share heatmap, indicator coverage, report links."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plancompare import build, coding, corpus, paths, pipeline
from plancompare.indicators import IndicatorDef, IndicatorMap
from plancompare.manifest import Manifest, Plan, load_manifest
from plancompare.settings import Settings
from plancompare.style import category_label


def load_synthetic():
    """Return benchmarks/synthetic.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "synthetic", paths.ROOT / "benchmarks" / "synthetic.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plan(pid: str, city: str, start: int, title: str = "t") -> Plan:
    """Return a minimal plan entry."""
    return Plan(
        id=pid,
        city=city,
        city_zh="城",
        title_zh=title,
        title_en=title,
        period=(start, start + 4),
        baseline_year=start - 1,
        source=f"raw/{pid}.txt",
    )


PLANS = (plan("b-2016", "B", 2016), plan("a-2006", "A", 2006), plan("c-2011", "C<x>", 2011))
MANIFEST = Manifest(Path("/tmp/m/plans.yml"), PLANS, (("b-2016", "a-2006"), ("c-2011", "a-2006")))


def sentences() -> pd.DataFrame:
    """Return coded sentences: a-2006 all markets (4), b-2016 half risk, half talent (+ a heading)."""
    rows = [("a-2006", i, "sentence", "markets", 10) for i in range(4)]
    rows += [("b-2016", i, "sentence", c, 20) for i, c in enumerate(["risk", "talent"] * 3)]
    rows += [("b-2016", 9, "heading", "other", 5)]
    return pd.DataFrame(
        rows, columns=["plan_id", "sentence_id", "kind", "primary_category", "n_chars"]
    )


def imap() -> IndicatorMap:
    """Return a two-indicator map."""
    defs = {
        k: IndicatorDef(key=k, label_en=en, label_zh=zh, unit_std="CNY", aliases=(zh,))
        for k, en, zh in [
            ("deposits", "Deposit balance", "存款"),
            ("loans", "Loan balance", "贷款"),
        ]
    }
    return IndicatorMap(version=1, indicators=defs)


def test_plans_are_ordered_by_period_then_city():
    assert [p.id for p in corpus.by_period(PLANS)] == ["a-2006", "c-2011", "b-2016"]


def test_heatmap_data_has_shares_and_intervals_per_plan_in_period_order():
    plans = corpus.by_period(PLANS[:2])
    df = corpus.heatmap_data(sentences(), plans, n_boot=500)
    assert list(dict.fromkeys(df["plan_id"])) == ["a-2006", "b-2016"]
    assert len(df) == 12  # two plans × six categories (five and "other")
    assert df.groupby("plan_id")["share"].sum().round(9).tolist() == [1.0, 1.0]
    a_markets = df[(df["plan_id"] == "a-2006") & (df["category"] == "markets")].iloc[0]
    assert (
        a_markets["n"] == 4
        and a_markets["share"] == 1.0
        and a_markets["interval"] == "100.0%–100.0%"
    )
    b_risk = df[(df["plan_id"] == "b-2016") & (df["category"] == "risk")].iloc[0]
    assert b_risk["n"] == 3 and b_risk["share"] == 0.5  # the heading is not counted
    assert b_risk["lo"] < 0.5 < b_risk["hi"]
    assert (df["lo"] <= df["share"] + 1e-12).all() and (df["share"] <= df["hi"] + 1e-12).all()
    assert b_risk["period"] == "2016–2020" and b_risk["plan"] == "B 城 2016–2020"


def test_heatmap_chart_is_a_rect_per_cell_with_its_share_written_and_interval_in_its_tooltip():
    df = corpus.heatmap_data(sentences(), corpus.by_period(PLANS[:2]), n_boot=200)
    spec = corpus.heatmap_chart(df).to_dict()
    rect, text = spec["layer"]
    assert rect["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    assert text["encoding"]["text"] == {"field": "share", "format": ".0%", "type": "quantitative"}
    encoding = rect["encoding"]
    fields = [t["field"] for t in encoding["tooltip"]]
    assert "interval" in fields and "share" in fields
    assert encoding["y"]["sort"] == ["A 城 2006–2010", "B 城 2016–2020"]
    table = corpus.shares_table(df)
    assert list(table["Plan"]) == ["A 城 2006–2010", "B 城 2016–2020"]
    first = df.iloc[0]
    cell = table.loc[0, category_label(first["category"])]
    assert cell == f"{first['share']:.1%} ({first['lo']:.1%}–{first['hi']:.1%}), n = {first['n']}"


def test_coverage_counts_statements_of_canonical_indicators_only():
    found = pd.DataFrame(
        {
            "plan_id": ["a-2006", "a-2006", "a-2006", "b-2016", "b-2016"],
            "indicator": ["deposits", "deposits", "", "loans", "unknown_key"],
        }
    )
    ids = ["a-2006", "c-2011", "b-2016"]
    m = corpus.coverage_matrix(found, ids, imap())
    assert m.index.tolist() == ids and m.columns.tolist() == ["deposits", "loans"]
    assert m.to_numpy().tolist() == [[2, 0], [0, 0], [0, 1]]
    by_plan = corpus.coverage_by_plan(m, corpus.by_period(PLANS), imap())
    assert by_plan["Indicators stated"].tolist() == ["1 of 2", "0 of 2", "1 of 2"]
    assert by_plan["Which"].tolist() == ["Deposit balance", "—", "Loan balance"]
    by_ind = corpus.coverage_by_indicator(m, imap())
    assert by_ind["Plans stating it"].tolist() == [1, 1]
    assert by_ind["Statements"].tolist() == [2, 1]
    assert by_ind["Share of plans"].tolist() == ["33%", "33%"]


def test_coverage_leaves_out_figures_of_other_places():
    """A national or another city's figure (role context) is not the plan stating the indicator."""
    found = pd.DataFrame(
        {
            "plan_id": ["a-2006", "a-2006", "b-2016"],
            "indicator": ["deposits", "loans", "loans"],
            "role": ["target", "context", "baseline"],
        }
    )
    m = corpus.coverage_matrix(found, ["a-2006", "b-2016"], imap())
    assert m.to_numpy().tolist() == [[1, 0], [0, 1]]
    by_ind = corpus.coverage_by_indicator(m, imap())
    assert by_ind["Statements"].tolist() == [1, 1]


def test_report_links_name_every_profile_and_comparison_of_processed_plans():
    links = corpus.report_links(MANIFEST, corpus.by_period(PLANS[:2]))
    assert links["href"].tolist() == [
        "profile-a-2006.html",
        "profile-b-2016.html",
        "compare-b-2016-vs-a-2006.html",  # c-2011 is not processed: its comparison is left out
    ]


def test_links_html_escapes_titles():
    page = corpus.links_html(corpus.report_links(MANIFEST, list(PLANS)))
    assert "C&lt;x&gt;" in page and "<x>" not in page
    assert page.count("<a href=") == 5


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Manifest, Path]:
    """Return a processed corpus of three small synthetic plans (one city, three periods)."""
    root = tmp_path_factory.mktemp("corpus")
    manifest = load_manifest(load_synthetic().build_corpus(root, 3, share=0.15))
    codebook = coding.load_codebook()
    for p in manifest.plans[:2]:
        pipeline.process_plan(manifest, p, root / "processed", codebook)
    return manifest, root / "processed"


def test_synthetic_plans_have_distinct_ids_periods_and_texts(tiny):
    manifest, _ = tiny
    assert [p.id for p in manifest.plans] == [
        "beijing-2006-2010",
        "beijing-2011-2015",
        "beijing-2016-2020",
    ]
    texts = {manifest.source_path(p).read_text("utf-8") for p in manifest.plans}
    assert len(texts) == 3
    assert manifest.comparisons == (
        ("beijing-2011-2015", "beijing-2006-2010"),
        ("beijing-2016-2020", "beijing-2011-2015"),
    )


def test_load_corpus_reads_only_processed_plans(tiny):
    manifest, processed = tiny
    plans, sents, found = corpus.load_corpus(manifest, processed)
    assert [p.id for p in plans] == ["beijing-2006-2010", "beijing-2011-2015"]
    assert set(sents["plan_id"]) == {p.id for p in plans}
    shares = corpus.heatmap_data(sents, plans, n_boot=200)
    assert np.allclose(shares.groupby("plan_id")["share"].sum(), 1.0)
    matrix = corpus.coverage_matrix(found, [p.id for p in plans], corpus.indicator_map())
    assert matrix.shape == (2, len(corpus.indicator_map().indicators))
    assert matrix.to_numpy().sum() == found["indicator"].isin(matrix.columns).sum()


def test_the_overview_summary_names_the_plans_it_leaves_out():
    info = {"plans": 1, "cities": 1, "periods": ["2006–2010"], "sentences": 1, "missing": []}
    assert corpus.summary_text(info) == "1 plan from 1 city, period 2006–2010; 1 distinct sentence."
    info |= {"plans": 3, "cities": 2, "periods": ["2006–2010", "2016–2020"], "sentences": 1200}
    info["missing"] = ["bin-2016-2020", "empty-2016-2020"]
    assert corpus.summary_text(info) == (
        "3 plans from 2 cities, periods 2006–2010, 2016–2020; 1,200 distinct sentences. "
        "Not shown: 2 plans of the manifest that could not be processed "
        "(bin-2016-2020, empty-2016-2020)."
    )


def test_the_overview_shows_only_the_plans_this_run_processed_well(tiny):
    manifest, processed = tiny
    # beijing-2011-2015 has a cache from an earlier run but failed in this one.
    plans, sents, _ = corpus.load_corpus(manifest, processed, ["beijing-2006-2010"])
    assert [p.id for p in plans] == ["beijing-2006-2010"]
    assert set(sents["plan_id"]) == {"beijing-2006-2010"}
    info = corpus.summary(plans, sents, manifest)
    assert info["missing"] == ["beijing-2011-2015", "beijing-2016-2020"]
    settings = Settings(manifest=manifest.path, processed=processed)
    task = next(t for t in build.report_tasks(manifest, settings) if t.kind == "corpus")
    assert task.title == "Corpus overview: 3 plans"
    narrowed = build.overview_of(task, ("beijing-2006-2010",))
    assert narrowed.title == "Corpus overview: 1 plan"
    assert narrowed.parameters["plan_ids"] == ["beijing-2006-2010"]
    assert build.check_parameters(narrowed.parameters) == narrowed.parameters
