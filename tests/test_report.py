"""Report building blocks: the generated summary agrees with its figures, escaping, glossary,
number formatting, and static chart export that draws Chinese glyphs rather than boxes."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
import yaml

from plancompare import charts, coding, indicators, paths, pipeline, report, stats
from plancompare.manifest import load_manifest
from plancompare.style import ALL_CATEGORIES, OTHER

LEFT, RIGHT = "chongqing-2016-2020", "chengdu-2006-2010"


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    """Process both shipped plans into a temporary folder; return (sentences, indicators)."""
    manifest = load_manifest(paths.MANIFEST)
    folder = tmp_path_factory.mktemp("processed")
    codebook = coding.load_codebook()
    for pid in (LEFT, RIGHT):
        pipeline.process_plan(manifest, manifest.plan(pid), folder, codebook)
    sentences = pipeline.load_sentences(folder, [LEFT, RIGHT])
    found = pipeline.load_indicators(folder, [LEFT, RIGHT])
    labels = {pid: manifest.plan(pid).label() for pid in (LEFT, RIGHT)}
    return sentences, found, labels


@pytest.fixture(scope="module")
def figures(processed):
    sentences, found, labels = processed
    shares = stats.category_shares(sentences)
    diff = stats.share_difference(sentences, LEFT, RIGHT)
    shared = indicators.compare_indicators(found, LEFT, RIGHT)
    return shares, diff, shared, labels


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def test_top_category_statements_agree_with_shares(figures):
    shares, diff, shared, labels = figures
    found = [s for s in report.comparison_summary(shares, diff, shared, labels)]
    tops = [s for s in found if s.kind == "top_category"]
    assert [s.figures["plan_id"] for s in tops] == [LEFT, RIGHT]
    for s in tops:
        part = shares[(shares["plan_id"] == s.figures["plan_id"]) & (shares["category"] != OTHER)]
        best = part.loc[part["share"].idxmax()]
        assert s.figures["category"] == best["category"]
        assert s.figures["share"] == pytest.approx(best["share"])
        assert (s.figures["lo"], s.figures["hi"]) == pytest.approx((best["lo"], best["hi"]))
        assert s.figures["share"] == pytest.approx(s.figures["n"] / s.figures["n_sentences"])
        for value in (best["share"], best["lo"], best["hi"]):
            assert _pct(value) in s.text
        assert labels[s.figures["plan_id"]] in s.text


def _shares(counts: dict[str, int]) -> pd.DataFrame:
    n = sum(counts.values())
    return pd.DataFrame(
        [
            {"plan_id": "p", "category": c, "n": k, "n_sentences": n, "share": k / n,
             "lo": k / n / 2, "hi": min(1.0, k / n * 1.5), "per_1000_chars": 0.0}
            for c, k in counts.items()
        ]
    )  # fmt: skip


NO_GROWTH = pd.DataFrame(columns=["plan_id", "implied_cagr", "indicator"])


def test_a_plan_with_no_categorised_sentence_says_so_instead_of_naming_a_top_category():
    shares = _shares({c: 0 for c in ALL_CATEGORIES if c != OTHER} | {OTHER: 5})
    (statement,) = report.profile_summary(shares, NO_GROWTH, "Plan P", "p")
    assert statement.kind == "no_category"
    assert statement.text.startswith("None of the 5 sentences of Plan P")
    assert "most weight" not in statement.text


def test_tied_top_categories_are_named_together_and_the_next_is_below_them():
    counts = {"institutions": 3, "markets": 3, "infrastructure": 1, "talent": 0, "risk": 0}
    shares = _shares(counts | {OTHER: 3})
    top, second = report.profile_summary(shares, NO_GROWTH, "Plan P", "p")
    assert top.kind == "top_category" and top.figures["tied"] == ["markets"]
    assert "equal most weight to Institutions" in top.text and "Markets" in top.text
    assert second.kind == "second_category" and second.figures["category"] == "infrastructure"


def test_a_difference_in_the_right_plans_favour_is_stated_from_that_plan():
    diff = pd.DataFrame(
        [{"category": "markets", "share_left": 0.0, "share_right": 0.292,
          "diff": -0.292, "lo": -0.359, "hi": -0.236}]
    )  # fmt: skip
    (s,) = report.difference_statements(diff, {"l": "Left 2016", "r": "Right 2006"})
    assert "a larger share in Right 2006 than in Left 2016: 29.2% vs 0.0%" in s.text
    assert "a difference of +29.2 percentage points (95% interval +23.6 to +35.9)" in s.text
    assert (s.figures["diff"], s.figures["more"]) == (-0.292, "r")


def test_difference_statements_agree_with_share_difference(figures):
    shares, diff, shared, labels = figures
    stated = [
        s
        for s in report.comparison_summary(shares, diff, shared, labels)
        if s.kind == "share_difference"
    ]
    clear = diff[(diff["lo"] > 0) | (diff["hi"] < 0)]
    assert len(stated) == min(2, len(clear)) and stated
    # The stated differences are the largest clear ones, in order.
    assert [s.figures["category"] for s in stated] == clear["category"].head(2).tolist()
    for s in stated:
        row = diff[diff["category"] == s.figures["category"]].iloc[0]
        assert s.figures["diff"] == pytest.approx(row["diff"])
        assert s.figures["diff"] == pytest.approx(row["share_left"] - row["share_right"])
        assert s.figures["lo"] <= s.figures["diff"] <= s.figures["hi"]
        assert s.figures["lo"] > 0 or s.figures["hi"] < 0
        assert s.figures["more"] == (LEFT if row["diff"] > 0 else RIGHT)
        # The text speaks from the plan with the larger share: its figure first, the
        # difference positive, the interval turned round when that plan is the right one.
        sign = 1 if row["diff"] > 0 else -1
        lo, hi = sorted((sign * row["lo"], sign * row["hi"]))
        assert f"{sign * row['diff'] * 100:+.1f} percentage points" in s.text
        assert f"{lo * 100:+.1f} to {hi * 100:+.1f}" in s.text
        larger, smaller = sorted((row["share_left"], row["share_right"]), reverse=True)
        assert f"{larger * 100:.1f}% vs {smaller * 100:.1f}%" in s.text
        # The shares quoted agree with category_shares.
        for pid, key in ((LEFT, "share_left"), (RIGHT, "share_right")):
            sh = shares[(shares["plan_id"] == pid) & (shares["category"] == row["category"])]
            assert s.figures[key] == pytest.approx(float(sh["share"].iloc[0]))
    # Chongqing's infrastructure share is clearly larger (80 of 403 vs 11 of 195 sentences).
    assert stated[0].figures["category"] == "infrastructure"
    assert stated[0].figures["more"] == LEFT


def test_indicator_statements_agree_with_compare_indicators(figures):
    shares, diff, shared, labels = figures
    found = report.comparison_summary(shares, diff, shared, labels)
    overlap = next(s for s in found if s.kind == "indicator_overlap")
    both = shared[shared["left_implied_cagr"].notna() & shared["right_implied_cagr"].notna()]
    assert overlap.figures == {"n_shared": len(shared), "n_both": len(both)}
    assert f"The plans state {len(shared)} indicators in common" in overlap.text
    verb = "has" if len(both) == 1 else "have"
    assert f"for {len(both)} of them, which {verb} a baseline and a target in both" in overlap.text
    none = report.comparison_summary(
        shares, diff, shared.assign(left_implied_cagr=float("nan")), labels
    )
    text = next(s for s in none if s.kind == "indicator_overlap").text
    assert "but implied growth can be computed for none of them in both plans" in text
    assert " 0 " not in text
    none = report.indicator_statements(shared.iloc[0:0], labels)
    assert [s.text for s in none] == [
        "The plans state no indicator in common, so no growth can be compared between them."
    ]
    growth = [s for s in found if s.kind == "indicator_growth"]
    assert len(growth) == min(3, len(both))
    gaps = (
        (both["left_implied_cagr"] - both["right_implied_cagr"]).abs().sort_values(ascending=False)
    )
    for s, gap in zip(growth, gaps, strict=False):
        row = shared[shared["indicator"] == s.figures["indicator"]].iloc[0]
        assert s.figures["left_implied_cagr"] == pytest.approx(row["left_implied_cagr"])
        assert s.figures["right_implied_cagr"] == pytest.approx(row["right_implied_cagr"])
        assert abs(s.figures["gap"]) == pytest.approx(gap)
        assert report.format_rate(row["left_implied_cagr"]) in s.text
        assert report.format_rate(row["right_implied_cagr"]) in s.text


def test_no_clear_difference_is_said_plainly():
    diff = pd.DataFrame(
        {
            "category": list(ALL_CATEGORIES),
            "share_left": [0.2] * 6,
            "share_right": [0.2] * 6,
            "diff": [0.0] * 6,
            "lo": [-0.05] * 6,
            "hi": [0.05] * 6,
        }
    )
    out = report.difference_statements(diff, {"a": "A", "b": "B"})
    assert [s.kind for s in out] == ["no_difference"]


def test_profile_summary_agrees_with_growth_table(processed):
    sentences, found, labels = processed
    shares = stats.category_shares(sentences)
    growth = indicators.growth_table(found)
    out = report.profile_summary(shares, growth, labels[LEFT], LEFT)
    rates = [s.figures["implied_cagr"] for s in out if s.kind == "indicator_growth"]
    mine = growth[(growth["plan_id"] == LEFT) & growth["implied_cagr"].notna()]
    assert rates == pytest.approx(sorted(mine["implied_cagr"], reverse=True)[: len(rates)])
    # Chongqing's insurance density: 1706 -> 3500 CNY per person, 2015 -> 2020.
    dens = next(s for s in out if s.figures.get("indicator") == "insurance_density")
    assert dens.figures["implied_cagr"] == pytest.approx((3500 / 1706) ** (1 / 5) - 1)


def test_plan_text_is_escaped_everywhere():
    evil = '<script>alert("x")</script>'
    df = pd.DataFrame({"text": [evil]})
    assert "<script>" not in report.table_html(df)
    assert "<script>" not in report.table_html(df, find={"text": "t"})
    sentences = pd.DataFrame(
        {
            "plan_id": ["p"],
            "sentence_id": [1],
            "section": [evil],
            "kind": ["sentence"],
            "text": [evil],
            "primary_category": ["risk"],
            "matched_terms": [evil],
            "evidence": [evil],
        }
    )
    page = report.sentences_table(sentences, {"p": "P"}, "t").data
    assert page.count("<script") == 1  # only the table's own search script
    assert "&lt;script&gt;" in page
    kw = pd.DataFrame(
        {
            "term": ["x"],
            "plan_id": ["p"],
            "sentence_id": [1],
            "section": [evil],
            "left": [evil],
            "keyword": [evil],
            "right": [evil],
        }
    )
    assert "<script>" not in report.kwic_html(kw, {"p": "P"}, {}).data


def test_glossary_covers_the_codebook_and_means_something():
    glossary = report.load_glossary()
    terms = coding.load_codebook().all_terms()
    assert not [t for t in terms if not glossary.get(t, "").strip()]
    assert glossary["征信"] == "credit reporting"
    assert glossary["风险投资"] == "venture capital"
    assert report.glossed("征信", glossary) == "征信 (credit reporting)"
    assert report.glossed("未收录词", glossary) == "未收录词"
    raw = yaml.safe_load(paths.GLOSSARY.read_text("utf-8"))
    assert all(isinstance(v, str) for v in raw["terms"].values())


def test_glossary_covers_the_top_distinctive_terms(processed):
    sentences, _, _ = processed
    glossary = report.load_glossary()
    terms = stats.distinctive_terms(
        sentences, LEFT, RIGHT, stopwords=stats.load_stopwords(), top=15
    )
    missing = sorted(set(terms["term"]) - set(glossary))
    assert not missing, f"no gloss for {missing}"


def test_number_formatting():
    assert report.format_value(4.477e11, "CNY") == "CNY 447.7 bn"
    assert report.format_value(1e12, "CNY", "more than") == "more than CNY 1.00 tn"
    assert report.format_value(1706.0, "CNY/person") == "CNY 1,706 per person"
    assert report.format_value(9.0, "%") == "9%"
    assert report.format_value(float("nan"), "%") == "—"
    assert report.format_rate(0.174364) == "+17.4%"
    assert report.format_point(2010, float("nan"), "CNY") == "—"
    assert report.format_point(2005, 87.0, "count") == "2005: 87"


def test_toc_anchors_match_section_ids():
    toc = report.comparison_toc().data
    for cat in ALL_CATEGORIES:
        anchor = report.category_anchor(cat)
        assert f'href="#{anchor}"' in toc
        assert f'id="{anchor}"' in report.heading("x", 3, anchor).data


def _label_png(text: str, tmp_path, name: str) -> bytes:
    chart = (
        alt.Chart(pd.DataFrame({"t": [text], "v": [1]}))
        .mark_bar()
        .encode(x="v:Q", y=alt.Y("t:N", title=None))
        .properties(width=120, height=40, title=text)
    )
    return charts.save_static(chart, tmp_path / f"{name}.png").read_bytes()


def test_static_export_draws_chinese_glyphs_not_boxes(tmp_path):
    png_a = _label_png("征信体系", tmp_path, "a")
    png_b = _label_png("金融市场", tmp_path, "b")
    # Characters the font cannot have (private use area) are drawn as .notdef boxes.
    tofu_a = _label_png("\ue000\ue001\ue002\ue003", tmp_path, "c")
    tofu_b = _label_png("\ue010\ue011\ue012\ue013", tmp_path, "d")
    assert png_a[:8] == b"\x89PNG\r\n\x1a\n"
    assert tofu_a == tofu_b, "missing glyphs should all draw as the same box"
    # Were the Chinese labels drawn as boxes, they would be identical to each other and to tofu.
    assert png_a != png_b
    assert png_a != tofu_a and png_b != tofu_a


def test_static_svg_names_the_cjk_font(tmp_path):
    chart = charts._config(
        alt.Chart(pd.DataFrame({"t": ["征信"], "v": [1]})).mark_bar().encode(x="v:Q", y="t:N")
    )
    svg = charts.save_static(chart, tmp_path / "c.svg").read_text("utf-8")
    assert ">征信<" in svg
    assert 'font-family="Noto Sans CJK SC"' in svg


def test_the_methods_quote_each_exclusion_phrase_on_its_own(tmp_path):
    manifest = load_manifest(paths.MANIFEST)
    plan = manifest.plan(LEFT)
    codebook = coding.load_codebook()
    pipeline.process_plan(manifest, plan, tmp_path, codebook)
    counts = pipeline.load_counts(tmp_path, LEFT)
    page = report.methods_html(codebook, None, [plan], [counts], "rules", "0.42.1").data
    assert "「、教育、」" in page and "「人才梯次」" in page
    assert "、、" not in page.split("Exclusions")[1].split("</p>")[0]
    # A profile's methods leave out the statistics only a comparison uses.
    assert "Distinctive terms" not in page and "χ²" not in page
    other = load_manifest(paths.MANIFEST).plan(RIGHT)
    both = report.methods_html(codebook, None, [plan, other], [counts, counts], "rules", "0.42.1")
    assert "Distinctive terms" in both.data and "χ²" in both.data


def _counts(plan_id: str, chars: int, dropped: int = 0, toc: int = 0, script: str = "simplified"):
    return pipeline.PlanCounts(
        plan_id, "utf-8", script, 100 + dropped, 100, dropped, 5, toc, chars, "0" * 64
    )


def test_limitations_state_what_holds_for_the_plans_compared():
    manifest = load_manifest(paths.MANIFEST)
    cq, cd = manifest.plan(LEFT), manifest.plan(RIGHT)
    found = report.limitations(
        [cq, cd], [_counts(LEFT, 20944, 137, 702), _counts(RIGHT, 10185)], {LEFT}
    )
    text = " ".join(found)
    assert "different periods (2016–2020 and 2006–2010)" in text
    assert f"{cq.label()} has 2.1 times the distinct characters of {cd.label()}" in text
    assert "137 repeated sentences were dropped" in text and "702 characters" in text
    assert f"The indicator table of {cq.label()}" in text
    assert f"text of {cd.label()}" not in text  # Chengdu's text lost nothing
    assert f"The indicator table of {cd.label()}" not in text


def test_limitations_of_one_plan_or_of_alike_plans_name_no_difference():
    manifest = load_manifest(paths.MANIFEST)
    cd = manifest.plan(RIGHT)
    twin = cd.model_copy(update={"id": "twin"})
    for plans, counts in (
        ([cd], [_counts(RIGHT, 10185)]),
        ([cd, twin], [_counts(RIGHT, 10185), _counts("twin", 11000, script="traditional")]),
    ):
        text = " ".join(report.limitations(plans, counts))
        assert "different periods" not in text and "differ in length" not in text
        assert "Cleaning changed" not in text and "indicator table" not in text
    assert "traditional characters" in text  # the twin's script is said


def test_the_chi_square_text_warns_when_expected_counts_are_small():
    def sentences(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
        rows = [
            {"plan_id": pid, "sentence_id": i, "kind": "sentence", "primary_category": cat}
            for pid, by_cat in counts.items()
            for cat, k in by_cat.items()
            for i in range(k)
        ]
        return pd.DataFrame(rows)

    small = stats.chi_square_test(
        sentences({"L": {"risk": 3, "other": 2}, "R": {"risk": 40, "other": 60}}), "L", "R"
    )
    text = report.chi_square_html(small, {"L": "Left", "R": "Right"}).data
    assert "2 of the 4 cells have an expected count below 5, more than a fifth" in text
    big = stats.chi_square_test(
        sentences({"L": {"risk": 30, "other": 20}, "R": {"risk": 40, "other": 60}}), "L", "R"
    )
    assert "expected count below 5" not in report.chi_square_html(big, {"L": "L", "R": "R"}).data


def test_no_distinctive_term_is_said_in_words():
    empty = pd.DataFrame(columns=["side", "rank", "term", "z", "count_left", "count_right"])
    page = report.distinctive_table(empty, {"l": "Left", "r": "Right"}, {}).data
    assert "No term leans to either plan" in page and "<table" not in page


def test_profile_wording_says_what_it_counts(processed):
    sentences, found, labels = processed
    shares = stats.category_shares(sentences)
    out = report.profile_summary(shares, indicators.growth_table(found), labels[LEFT], LEFT)
    second = next(s for s in out if s.kind == "second_category")
    assert second.text.startswith("The next largest of the five categories is ")
    assert second.figures["category"] != OTHER
    page = report.plan_indicators_html(found, sentences, LEFT).data
    assert "1 targets" not in page and "1 sentences" not in page and "1 baselines" not in page


def test_tables_of_plans_add_up_and_say_where_a_value_comes_from(tmp_path):
    manifest = load_manifest(paths.MANIFEST)
    plans = [manifest.plan(LEFT), manifest.plan(RIGHT)]
    codebook = coding.load_codebook()
    for p in plans:
        pipeline.process_plan(manifest, p, tmp_path, codebook)
    counts = [pipeline.load_processed(tmp_path, p.id).counts for p in plans]
    table = report.side_by_side_metadata(plans, counts).set_index("")
    for p, c in zip(plans, counts, strict=True):
        col = table[p.label()]
        raw, dropped = (
            int(col["Sentences and headings in the raw text"]),
            int(col["Repeated copies dropped"]),
        )
        kept, heads = (
            int(col["Distinct sentences and headings kept"]),
            int(col["of which headings"]),
        )
        assert raw - dropped == kept == c.distinct_sentences
        assert kept - heads == int(col["Distinct sentences"])
    detected = report.cleaning_table(counts[0]).set_index("Step").loc["Encoding", "Value"]
    assert detected == f"{counts[0].encoding} (detected)"
    declared = report.cleaning_table(counts[0], "utf-8").set_index("Step").loc["Encoding", "Value"]
    assert declared.endswith("(declared in the manifest)")
    meta = report.plan_metadata(plans[0].model_copy(update={"doc_number": None})).set_index("Field")
    assert meta.loc["Document number", "Value"] == "not given in the manifest"


def test_a_share_s_implied_growth_also_gives_its_change_in_percentage_points(figures):
    shares, diff, shared, labels = figures
    assert report.format_points_change("%", 9.0, 11.0) == " (+2.0 percentage points)"
    assert report.format_points_change("%", 4.8, 5.0, "; ") == "; +0.2 percentage points"
    assert report.format_points_change("CNY", 9.0, 11.0) == ""
    assert report.format_points_change("%", float("nan"), 11.0) == ""
    found = report.indicator_statements(shared, labels)
    share = next(s for s in found if s.figures.get("indicator") == "finance_value_added_share_gdp")
    row = shared.set_index("indicator").loc["finance_value_added_share_gdp"]
    change = row["left_target_value"] - row["left_baseline_value"]
    assert f"; {change:+.1f} percentage points)" in share.text


def test_the_term_table_marks_which_leaning_terms_are_distinctive():
    terms = pd.DataFrame(
        {
            "side": ["a", "a", "b"],
            "rank": [1, 2, 1],
            "term": ["金融", "水平", "设立"],
            "count_left": [30, 9, 1],
            "count_right": [5, 3, 4],
            "delta": [1.0, 0.5, -0.2],
            "z": [3.2, 1.94, -0.27],
        }
    )
    page = report.distinctive_table(terms, {"a": "A", "b": "B"}, {}).data
    assert "Distinctive (|z| &gt; 1.96)" in page
    cells = [row.split("</td>")[5] for row in page.split("<tr>")[2:]]
    assert [c.rsplit(">", 1)[-1] for c in cells] == ["yes", "no", "no"]


def test_a_range_is_shown_whole_and_says_which_end_is_used():
    row = pd.Series(
        {
            "value": 1.0,
            "value_high": 2.0,
            "unit": "家",
            "name_zh": "保险公司法人机构",
            "qualifier": "aim",
            "cumulative": False,
            "indicator": "",
            "value_std": 1.0,
            "unit_std": "count",
            "role": "target",
            "year": 2010,
        }
    )
    item = report.indicator_item(row, {})
    assert "保险公司法人机构 1–2家" in item and "a range: its low end is used" in item
    single = report.indicator_item(row.drop("value_high"), {})
    assert "1家" in single and "range" not in single


def test_numbers_periods_and_counts_read_as_written():
    assert report.plain_number(1234567.0) == "1,234,567"
    assert report.plain_number(3.25) == "3.25"
    assert report.format_value(1234567.0, "万元") == "1,234,567 万元"
    manifest = load_manifest(paths.MANIFEST)
    cq = manifest.plan(LEFT)
    later = cq.model_copy(update={"period": (2016, 2025)})
    note = report.period_note(cq, later).data
    assert "starting in the same year" in note and "0 years" not in note
    one_year = cq.model_copy(update={"period": (2020, 2020)})
    assert report.period_text(one_year) == "2020"
    assert "starting 4 years apart" in report.period_note(later, one_year).data


def test_a_target_in_another_currency_keeps_its_unit():
    found = pd.DataFrame(
        {
            "plan_id": "p",
            "sentence_id": [1, 2],
            "text": [
                "2015年跨境人民币结算量达到500亿元。",
                "到2020年，跨境人民币结算量达到200亿美元。",
            ],
            "section": "",
        }
    )
    manifest = load_manifest(paths.MANIFEST)
    plan = manifest.plan(LEFT).model_copy(update={"id": "p"})
    growth = indicators.growth_table(indicators.extract_indicators(found, plan))
    row = growth.iloc[0]
    assert (row["unit_std"], row["target_unit_std"]) == ("CNY", "USD")
    assert pd.isna(row["implied_cagr"])
    page = report.growth_table_html(growth, "p").data
    assert "USD 20.0 bn" in page and "CNY 20.0 bn" not in page


def test_an_equal_share_is_coloured_as_neither_plan():
    diff = pd.DataFrame(
        {"category": ["risk", "talent"], "diff": [0.0, 0.1], "lo": [-0.1, 0.02], "hi": [0.1, 0.2]}
    )
    spec = charts.share_difference_chart(diff, {"a": "A", "b": "B"}, {"a": "#111", "b": "#222"})
    spec = spec.to_dict()
    rows = next(d for d in spec["datasets"].values() if "leans" in d[0])
    assert [r["leans"] for r in rows] == [charts.NEITHER, "A"]
    scale = spec["layer"][2]["encoding"]["color"]["scale"]
    assert scale["domain"][-1] == charts.NEITHER


def test_nothing_to_draw_or_list_is_said_in_a_sentence():
    empty_growth = indicators.growth_table(pd.DataFrame(columns=list(indicators.COLUMNS)))
    for chart in (
        charts.growth_bar_chart(empty_growth, "#000"),
        charts.distinctive_chart(pd.DataFrame(columns=["side", "term", "z"]), {"a": "A"}, {}, {}),
    ):
        shown = charts.show(chart, "x")
        assert isinstance(shown, charts.NoChart) and shown._repr_html_().startswith("<p")
    assert "states no figure" in report.growth_table_html(empty_growth, "p").data
    empty = pd.DataFrame(columns=["indicator"])
    assert "no canonical indicator in common" in (
        report.indicator_comparison_table(empty, {"a": "A", "b": "B"}).data
    )


def _evaluation(plans: list[str]) -> dict:
    return {
        "validation": {"n": 323, "n_holdout": 99, "sha256": "0" * 64, "plans": plans},
        "coders": {},
        "agreement": {"available": False, "reason": "none"},
    }


def test_the_validation_names_the_plans_it_was_drawn_from():
    """The validation set is of the shipped plans: a report of other plans must not say 'both'."""
    manifest = load_manifest(paths.MANIFEST)
    plan, other = manifest.plan(LEFT), manifest.plan(RIGHT)
    codebook = coding.load_codebook()
    counts = _counts(LEFT, 1000)
    page = report.methods_html(
        codebook, _evaluation([RIGHT, LEFT]), [plan, other], [counts, counts], "rules", "0.42.1"
    ).data
    text = page.split("Validation set:")[1].split("</p>")[0]
    assert "both plans" not in text
    assert LEFT in text and RIGHT in text
    assert "not among them" not in text
    foreign = plan.model_copy(update={"id": "wuhan-2011-2015", "city": "Wuhan"})
    page = report.methods_html(
        codebook, _evaluation([RIGHT, LEFT]), [foreign], [counts], "rules", "0.42.1"
    ).data
    text = page.split("Validation set:")[1].split("</p>")[0]
    assert "both plans" not in text and RIGHT in text and LEFT in text
    assert "not among them" in text


def test_example_sentences_carry_their_sentence_ids(processed):
    sentences, _, _ = processed
    page = report._examples(sentences, LEFT, "institutions", 3)
    first = sentences[
        (sentences["plan_id"] == LEFT)
        & (sentences["kind"] == "sentence")
        & (sentences["primary_category"] == "institutions")
    ].iloc[0]
    assert f"sentence {first['sentence_id']} · §" in page


def test_the_character_count_is_named_as_a_length_not_a_count_of_distinct_characters():
    """distinct_chars is the length of the distinct sentences (the shares' per-1,000 base)."""
    manifest = load_manifest(paths.MANIFEST)
    counts = _counts(LEFT, 1234)
    label = "Characters in distinct sentences (headings excluded)"
    profile = report.cleaning_table(counts).set_index("Step")
    assert profile.loc[label, "Value"] == 1234
    side = report.side_by_side_metadata([manifest.plan(LEFT)], [counts]).set_index("")
    assert side.loc[label].tolist() == ["1234"]
    assert not any("Distinct characters" in str(x) for x in (*profile.index, *side.index))
