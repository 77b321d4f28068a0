"""Targets and baselines: golden sentences of both plans, the 专栏1 table, numerals, growth."""

from __future__ import annotations

import math
import re

import cn2an
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plancompare import cleaning, indicators, paths, reading, sentences
from plancompare.manifest import load_manifest

CQ = "chongqing-2016-2020"
CD = "chengdu-2006-2010"


@pytest.fixture(scope="module")
def manifest():
    return load_manifest(paths.MANIFEST)


@pytest.fixture(scope="module")
def imap():
    return indicators.load_indicator_map()


def _plan_sentences(manifest, plan_id: str) -> pd.DataFrame:
    plan = manifest.plan(plan_id)
    raw = reading.read_plan_text(manifest.source_path(plan), plan.encoding)
    df = sentences.split_sentences(cleaning.clean_text(raw.text)).sentences
    return df.assign(plan_id=plan_id)


@pytest.fixture(scope="module")
def extracted(manifest, imap) -> pd.DataFrame:
    frames = [
        indicators.extract_indicators(_plan_sentences(manifest, p.id), p, imap)
        for p in manifest.plans
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def table_text(manifest) -> str:
    raw = reading.read_plan_text(manifest.source_path(manifest.plan(CQ))).text
    start = raw.index("序号指标名称")
    return raw[start : raw.index("备注", start)]


def one(manifest, plan_id: str, text: str) -> pd.DataFrame:
    df = pd.DataFrame({"plan_id": [plan_id], "sentence_id": [7], "text": [text]})
    return indicators.extract_indicators(df, manifest.plan(plan_id))


def row_of(df: pd.DataFrame, value: float) -> pd.Series:
    hits = df[df["value"] == value]
    assert len(hits) == 1, f"expected one row with value {value}, got {len(hits)}:\n{df}"
    return hits.iloc[0]


# ---------------------------------------------------------------------------------------------
# Output shape


def test_columns_start_with_the_interface(extracted):
    assert tuple(extracted.columns[: len(indicators.COLUMNS)]) == indicators.COLUMNS


def test_sorted_by_plan_sentence_and_position(extracted):
    for _, g in extracted.groupby("plan_id"):
        keys = g[["sentence_id", "position"]].reset_index(drop=True)
        assert keys.equals(keys.sort_values(["sentence_id", "position"]).reset_index(drop=True))


# ---------------------------------------------------------------------------------------------
# Golden sentences: units and scale words


def test_wan_yi_yuan_and_cumulative_period(manifest):
    df = one(
        manifest, CQ, "“十二五”时期，全市新增地方社会融资规模2.2万亿元，债券发行总额达到3666亿元。"
    )
    r = row_of(df, 2.2)
    assert (r["unit"], r["unit_std"], r["value_std"]) == ("万亿元", "CNY", 2.2e12)
    assert r["indicator"] == "social_financing_new" and r["cumulative"]
    assert (r["year"], r["period"], r["role"]) == (2015, "2011-2015", "baseline")
    r = row_of(df, 3666)
    assert (r["unit"], r["value_std"], r["indicator"]) == ("亿元", 3.666e11, "bond_issuance")


def test_usd_and_count_units(manifest):
    df = one(
        manifest,
        CQ,
        "加快推进跨境结算，离岸金融结算总量达到3687亿美元，跨境人民币收付拓展至101个国家和地区。",
    )
    r = row_of(df, 3687)
    assert (r["unit"], r["unit_std"], r["value_std"]) == ("亿美元", "USD", 3.687e11)
    assert r["indicator"] == "offshore_settlement"
    assert row_of(df, 101)["unit_std"] == "count"


def test_yuan_per_person_percent_and_multiples(manifest):
    df = one(manifest, CQ, "保险深度达到3.3%，保险密度达到1706元/人、较2010年增长53.3%。")
    density = row_of(df, 1706)
    assert (density["indicator"], density["unit_std"]) == ("insurance_density", "CNY/person")
    depth = row_of(df, 3.3)
    assert (depth["indicator"], depth["unit_std"]) == ("insurance_depth", "%")
    growth = row_of(df, 53.3)
    assert (growth["role"], growth["measure"], growth["reference_year"]) == (
        "growth",
        "change",
        2010,
    )
    assert growth["indicator"] == "insurance_density"


def test_times_and_percentage_points_keep_reference_year(manifest):
    df = one(
        manifest,
        CQ,
        "2015年，全市金融业增加值超过1410亿元，是2010年的2.6倍，年均增长13.8%，"
        "占GDP比重达到9%，较2010年提高2.1个百分点。",
    )
    level = row_of(df, 1410)
    assert (level["year"], level["role"], level["qualifier"]) == (2015, "baseline", "more than")
    times = row_of(df, 2.6)
    assert (times["unit_std"], times["measure"], times["reference_year"]) == (
        "times",
        "multiple",
        2010,
    )
    assert times["indicator"] == "finance_value_added"
    annual = row_of(df, 13.8)
    assert (annual["measure"], annual["indicator"]) == ("annual_growth", "finance_value_added")
    share = row_of(df, 9)
    assert share["indicator"] == "finance_value_added_share_gdp"
    points = row_of(df, 2.1)
    assert (points["unit_std"], points["reference_year"], points["indicator"]) == (
        "percentage points",
        2010,
        "finance_value_added_share_gdp",
    )


def test_fan_means_doubling_relative_to_reference(manifest):
    df = one(manifest, CQ, "截至2015年底，金融业资产规模4.2万亿元，较2010年翻了一番。")
    fan = row_of(df, 1)
    assert (fan["unit"], fan["value_std"], fan["unit_std"]) == ("番", 2.0, "times")
    assert (fan["reference_year"], fan["indicator"]) == (2010, "financial_assets")
    df = one(manifest, CQ, "到2020年，金融市场交易量增长两番以上，达到5万亿元左右。")
    fan = row_of(df, 2)
    assert (fan["value_std"], fan["reference_year"], fan["qualifier"]) == (4.0, 2015, "at least")
    level = row_of(df, 5)
    assert (level["value_std"], level["qualifier"], level["role"]) == (5e12, "about", "target")


def test_chinese_numeral_with_scale_word(manifest):
    df = one(manifest, CQ, "到2020年，力争全市企业账户资金结算规模突破一万亿元。")
    r = row_of(df, 1)
    assert (r["unit"], r["value_std"], r["qualifier"], r["aspirational"]) == (
        "万亿元",
        1e12,
        "more than",
        True,
    )


def test_respectively_distributes_values_over_names(manifest):
    df = one(
        manifest,
        CQ,
        "截至2015年底，全市银行业不良率、小贷公司不良率和融资担保公司代偿率分别为0.9%、2.54%、1.3%，风险总体可控。",
    )
    assert row_of(df, 0.9)["indicator"] == "bank_npl_ratio"
    assert row_of(df, 2.54)["name_zh"] == "小贷公司不良率"
    assert row_of(df, 1.3)["name_zh"] == "融资担保公司代偿率"


def test_compound_deposits_and_loans(manifest):
    df = one(
        manifest,
        CQ,
        "金融机构人民币存贷款余额为2.8万亿元和2.2万亿元，分别是2010年底的1.8倍和2.1倍。",
    )
    assert row_of(df, 2.8)["indicator"] == "deposits"
    assert row_of(df, 2.2)["indicator"] == "loans"
    assert (row_of(df, 1.8)["indicator"], row_of(df, 2.1)["indicator"]) == ("deposits", "loans")
    assert row_of(df, 2.1)["reference_year"] == 2010


def test_count_before_its_noun(manifest):
    df = one(
        manifest,
        CD,
        "成都现有9家全国性证券公司分公司或管理总部、5家地方证券公司、87家证券营业部、5家证券咨询机构。",
    )
    r = row_of(df, 87)
    assert (r["indicator"], r["name_zh"], r["year"], r["role"]) == (
        "securities_branches",
        "证券营业部",
        2005,
        "baseline",
    )
    assert set(df.loc[df["value"] == 5, "name_zh"]) == {"地方证券公司", "证券咨询机构"}


def test_new_count_is_a_change(manifest):
    df = one(manifest, CQ, "到2020年，境内外上市公司数量达到100家以上，新增上市公司30家。")
    assert row_of(df, 100)[["role", "qualifier"]].tolist() == ["target", "at least"]
    new = row_of(df, 30)
    assert (new["role"], new["measure"], new["indicator"], new["reference_year"]) == (
        "growth",
        "change",
        "listed_companies",
        2015,
    )


# ---------------------------------------------------------------------------------------------
# Qualifiers, years and roles


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("到2010年，各银行存款本外币余额超过10000亿元。", 10000, "more than"),
        ("到2010年，各项贷款本外币余额约6000亿元。", 6000, "about"),
        ("到2010年，金融业实现增加值200亿元（2005年价格）左右。", 200, "about"),
        ("未来五年，成都的地区生产总值年均增长12%以上。", 12, "at least"),
        ("到2010年，保险业务收入突破150亿元。", 150, "more than"),
        ("到2010年，金融业增加值占全市地区生产总值的比重不低于5%。", 5, "at least"),
        ("力争到2010年保险深度达到3.75%。", 3.75, "aim"),
        ("到2010年，不良贷款率低于3%。", 3, "less than"),
    ],
)
def test_qualifiers(manifest, text, value, qualifier):
    assert row_of(one(manifest, CD, text), value)["qualifier"] == qualifier


def test_chengdu_deposits_baseline_target_and_stated_growth(manifest):
    base = one(
        manifest,
        CD,
        "截至2005年底，全市金融机构人民币存款余额达4477亿元，贷款余额达3019亿元，分别比2000年末增加136%和103%。",
    )
    r = row_of(base, 4477)
    assert (r["indicator"], r["year"], r["role"], r["value_std"]) == (
        "deposits",
        2005,
        "baseline",
        4.477e11,
    )
    assert row_of(base, 103)["indicator"] == "loans"
    assert row_of(base, 136)["reference_year"] == 2000
    target = one(
        manifest,
        CD,
        "到2010年，各银行存款本外币余额超过10000亿元，各项贷款本外币余额约6000亿元，年平均递增分别为18%和14%。",
    )
    r = row_of(target, 10000)
    assert (r["indicator"], r["year"], r["role"], r["qualifier"]) == (
        "deposits",
        2010,
        "target",
        "more than",
    )
    g = row_of(target, 18)
    assert (g["indicator"], g["measure"], g["reference_year"]) == (
        "deposits",
        "annual_growth",
        2005,
    )
    assert row_of(target, 14)["indicator"] == "loans"


def test_year_from_phrase_and_price_base_ignored(manifest):
    df = one(
        manifest, CD, "全市保险公司保费收入从2000年的24.9亿元增长到2005年的75亿元，增长2倍多。"
    )
    assert (row_of(df, 24.9)["year"], row_of(df, 75)["year"]) == (2000, 2005)
    assert row_of(df, 75)["indicator"] == "premium_income"
    more = row_of(df, 2)
    assert (more["qualifier"], more["reference_year"], more["role"]) == (
        "more than",
        2000,
        "growth",
    )
    df = one(manifest, CD, "到2010年，金融业实现增加值200亿元（2005年价格）左右，年均增长约12%。")
    assert row_of(df, 12)["year"] == 2010


@pytest.mark.parametrize(
    ("plan_id", "text", "year", "role"),
    [
        (CQ, "到2020年，金融机构数量达到2000家左右。", 2020, "target"),
        (CQ, "截至2015年底，全市金融机构达到1500家。", 2015, "baseline"),
        (CQ, "力争保险深度达到5%。", 2020, "target"),
        (CQ, "到2017年底前，力争设立10家村镇银行。", 2017, "target"),
        (CQ, "“十三五”期末，金融业增加值达到2500亿元。", 2020, "target"),
        (CD, "“十一五”期间，金融业增加值达到200亿元。", 2010, "target"),
        (CD, "“十五”期间，全市新增贷款达到1500亿元。", 2005, "baseline"),
        (CD, "保险中介市场发展较快，46家保险代理公司相继成立。", 2005, "baseline"),
        (CQ, "截至2015年底，全国金融业增加值占GDP比重为8.4%。", 2015, "context"),
        (CQ, "2016年上半年，全市保费收入达到300亿元。", 2016, "baseline"),
        (CQ, "到2016年底，全市保费收入达到600亿元。", 2016, "target"),
        (CQ, "保险深度提高到5%左右。", 2020, "target"),
    ],
)
def test_year_forms_and_roles(manifest, plan_id, text, year, role):
    df = one(manifest, plan_id, text)
    levels = df[df["measure"] == "level"]
    assert len(levels) == 1, df
    assert (levels.iloc[0]["year"], levels.iloc[0]["role"]) == (year, role)


def test_qualitative_target_kept_without_number(manifest):
    df = one(manifest, CQ, "到2020年，小微企业贷款增速不低于全市贷款平均增速。")
    assert len(df) == 1
    r = df.iloc[0]
    assert math.isnan(r["value"])
    assert (r["qualitative_target"], r["qualifier"], r["indicator"], r["role"]) == (
        "不低于全市贷款平均增速",
        "at least",
        "small_business_loan_growth",
        "target",
    )


def test_years_and_ordinals_are_not_values(manifest):
    df = one(manifest, CD, "2004年初，我市成立了市金融业发展指导委员会，第11次会议于2005年召开。")
    assert df.empty


def test_following_sentence_inherits_the_year(manifest):
    df = pd.DataFrame(
        {
            "plan_id": CD,
            "sentence_id": [123, 124, 125],
            "text": [
                "到2010年，保险业务收入超过150亿元，年均递增15%左右；",
                "保险深度达到3.75%；",
                "保险密度达到1270元/人。",
            ],
        }
    )
    out = indicators.extract_indicators(df, manifest.plan(CD))
    r = row_of(out, 1270)
    assert (r["year"], r["role"], r["unit_std"]) == (2010, "target", "CNY/person")
    assert row_of(out, 3.75)["year_source"] == "previous sentence"


@pytest.mark.parametrize(
    ("text", "key", "start", "end"),
    [
        # No year: the start is the plan's baseline, the end its target.
        ("上市公司数量从48家增加到80家。", "listed_companies", (48, 2015), (80, 2020)),
        ("存款余额由2.9万亿元增加到4.5万亿元。", "deposits", (2.9, 2015), (4.5, 2020)),
        # A target year before the change belongs to its end, not its start.
        ("到2020年，证券营业部由80家增加到120家。", "securities_branches", (80, 2015), (120, 2020)),
        ("“十三五”期间，上市公司由48家增加到80家。", "listed_companies", (48, 2015), (80, 2020)),
        # A year stated with the start still wins.
        (
            "存款余额由2014年的2.5万亿元增加到2020年的4.5万亿元。",
            "deposits",
            (2.5, 2014),
            (4.5, 2020),
        ),
    ],
)
def test_a_change_from_one_number_to_another_is_a_baseline_and_a_target(
    manifest, text, key, start, end
):
    out = one(manifest, CQ, text)
    assert len(out) == 2
    first, second = row_of(out, start[0]), row_of(out, end[0])
    assert (first["indicator"], first["year"], first["role"]) == (key, start[1], "baseline")
    assert (second["indicator"], second["year"], second["role"]) == (key, end[1], "target")


def test_a_verb_after_a_count_is_not_the_name_of_what_it_counts(manifest):
    out = one(manifest, CQ, "全市保险机构由35家增加到60家，小额贷款公司发展到300家。")
    assert set(out["name_zh"]) == {"保险机构", "小额贷款公司"}
    assert "增加到" not in set(out["name_zh"])


@pytest.mark.parametrize(
    ("text", "value", "key", "measure"),
    [
        (
            "金融业增加值占全市生产总值比重保持在18%左右。",
            18,
            "finance_value_added_share_gdp",
            "level",
        ),
        ("人民币跨境结算量年均增长20%。", 20, "cross_border_rmb_settlement", "annual_growth"),
        # The noun after an attribute ending in 的; attracting firms adds to their number.
        (
            "培育和引进10家以上具有全国影响力的金融机构总部。",
            10,
            "financial_institutions_count",
            "change",
        ),
    ],
)
def test_other_cities_wordings_find_their_indicator(manifest, text, value, key, measure):
    r = row_of(one(manifest, CQ, text), value)
    assert (r["indicator"], r["measure"]) == (key, measure)


def test_a_yearly_number_of_new_listings_is_a_change(manifest):
    r = row_of(one(manifest, CQ, "力争每年新增上市公司5家以上。"), 5)
    assert (r["indicator"], r["measure"], r["role"]) == ("listed_companies", "change", "growth")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("年均增长10%—12%。", 10, 12), ("年均增长12%~15%。", 12, 15), ("年均增长10—12%。", 10, 12)],
)
def test_a_range_is_one_number_with_its_upper_end(text, low, high):
    (m,) = indicators.find_mentions(indicators.normalise(text))
    assert (m.value, m.value_high, m.unit, m.measure) == (low, high, "%", "annual_growth")


@pytest.mark.parametrize(
    ("text", "key", "value_std"),
    [
        ("金融业增加值突破千亿元。", "finance_value_added", 1000e8),
        ("本外币存款余额突破万亿元。", "deposits", 1e12),
        ("保费收入达到五百亿元。", "premium_income", 500e8),
    ],
)
def test_a_round_figure_written_in_words_is_a_quantity(manifest, text, key, value_std):
    (r,) = one(manifest, CQ, text).itertuples()
    assert (r.indicator, r.value_std, r.unit_std) == (key, value_std, "CNY")


@pytest.mark.parametrize("text", ["打造千亿级金融产业集群。", "千方百计扩大直接融资。"])
def test_a_size_class_or_an_idiom_is_no_quantity(text):
    assert indicators.find_mentions(indicators.normalise(text)) == []


@pytest.mark.parametrize(
    ("text", "value", "key", "year", "reference_year"),
    [
        # 比上年: the subject is the number's before it, the reference the year before.
        ("2015年末，存款余额达到2万亿元，比上年末增长12.3%。", 12.3, "deposits", 2015, 2014),
        # No year before the growth: it runs to the year stated after it.
        ("本外币各项贷款余额年均增长12%左右，2020年末达到3万亿元左右。", 12, "loans", 2020, 2015),
    ],
)
def test_growth_keeps_its_subject_and_years(manifest, text, value, key, year, reference_year):
    r = row_of(one(manifest, CQ, text), value)
    assert (r["indicator"], r["role"], r["year"], r["reference_year"]) == (
        key,
        "growth",
        year,
        reference_year,
    )


@pytest.mark.parametrize(
    ("section", "role", "year"),
    [
        ("第一章 发展基础 > 一、主要成效", "baseline", 2015),
        ("第一章 “十二五”回顾", "baseline", 2015),
        ("第二章 总体要求 > 三、发展指标", "target", 2020),
        ("第二章 发展目标", "target", 2020),
    ],
)
def test_a_sentence_with_no_year_takes_its_role_from_its_section(manifest, section, role, year):
    df = pd.DataFrame(
        {"plan_id": [CQ], "sentence_id": [3], "text": ["保险深度达到4%。"], "section": [section]}
    )
    r = row_of(indicators.extract_indicators(df, manifest.plan(CQ)), 4)
    assert (r["role"], r["year"], r["year_source"]) == (role, year, "section")


UNIT_COLUMN_TABLE = (
    "专栏2“十三五”金融业发展主要指标序号指标单位2015年2020年属性1金融业增加值亿元14103000预期性"
    "2金融业增加值占GDP比重%810预期性3上市公司数量家48100预期性4银行不良贷款率%1.5低于2约束性"
    "备注：绝对数为当年数。"
)


def test_a_table_with_a_unit_column_and_an_attribute_column_is_read():
    df, problems = indicators.parse_indicator_table(UNIT_COLUMN_TABLE)
    assert problems == []
    got = [
        tuple(r) for r in df[["name_zh", "unit", "indicator", "value_2015", "value_2020"]].values
    ]
    assert got == [
        ("金融业增加值", "亿元", "finance_value_added", 1410, 3000),
        ("金融业增加值占GDP比重", "%", "finance_value_added_share_gdp", 8, 10),
        ("上市公司数量", "家", "listed_companies", 48, 100),
        ("银行不良贷款率", "%", "bank_npl_ratio", 1.5, 2),
    ]
    assert df["qualifier_2020"].tolist()[-1] == "less than"


def test_a_spaced_table_with_base_and_target_columns_is_read():
    text = (
        "序号 指标名称 2015年基数 2020年目标 属性 1 金融业增加值(亿元) 1410 3000 预期性 "
        "2 保险深度(%) 3.35 5 预期性 3 金融机构数量(家) 1500 【2000】 预期性 备注：略。"
    )
    df, problems = indicators.parse_indicator_table(text)
    assert problems == []
    assert df["value_2015"].tolist() == [1410, 3.35, 1500]
    assert df["value_2020"].tolist() == [3000, 5, 2000]
    assert df["cumulative"].tolist() == [False, False, True]


def test_a_unit_column_table_flows_into_extraction(manifest):
    out = one(manifest, CQ, "“十三五”期间主要指标如下。" + UNIT_COLUMN_TABLE)
    table = out[out["source"] == "table"]
    r = table[table["indicator"] == "listed_companies"].set_index("role")
    assert (r.loc["baseline", "value"], r.loc["baseline", "year"]) == (48, 2015)
    assert (r.loc["target", "value"], r.loc["target", "year"]) == (100, 2020)


# ---------------------------------------------------------------------------------------------
# The flattened 专栏1


EXPECTED_TABLE = {
    # row: (indicator, 2015, 2020, cumulative)
    1: ("finance_value_added_share_gdp", 9.0, 11.0, False),
    2: ("financial_assets", 4.2, 7.0, False),
    3: ("financial_institutions_count", 1500.0, 2000.0, False),
    4: ("social_financing_new", 2.2, 2.8, True),
    5: ("financial_market_turnover", 9919.0, 50000.0, False),
    6: ("small_business_loan_growth", 19.0, None, False),
    7: ("securitisation_ratio", 53.7, None, False),
    8: ("insurance_density", 1706.0, 3500.0, False),
    9: ("insurance_depth", 3.3, 5.0, False),
    10: ("return_on_assets", 1.57, None, False),
    11: ("bank_npl_ratio", 0.9, None, False),
}


def test_table_rows(table_text):
    table, problems = indicators.parse_indicator_table(table_text)
    assert problems == []
    assert list(table["row"]) == list(range(1, 12))
    for r in table.to_dict("records"):
        key, v0, v1, cum = EXPECTED_TABLE[r["row"]]
        assert r["indicator"] == key
        assert r["value_2015"] == pytest.approx(v0)
        if v1 is None:
            assert pd.isna(r["value_2020"]) and r["target_text"]
        else:
            assert r["value_2020"] == pytest.approx(v1)
        assert r["cumulative"] == cum
    first = table.iloc[0]
    assert first["qualifier_2020"] == "more than"
    assert table.loc[table["row"] == 11, "target_text"].item() == "保持低于全国平均水平"
    assert table.loc[table["row"] == 8, "unit_std"].item() == "CNY/person"


def test_ambiguous_digit_run_is_reported_not_guessed():
    text = "序号指标名称2015年2020年1测试比率（%）12.513.52金融机构数量（家）15002000"
    table, problems = indicators.parse_indicator_table(text)
    assert len(problems) == 1 and problems[0].startswith("row 1")
    assert pd.isna(table.loc[0, "value_2015"]) and table.loc[0, "split"] == "unsplit"
    assert (table.loc[1, "value_2015"], table.loc[1, "value_2020"]) == (1500.0, 2000.0)


def test_split_digit_run_uses_plausibility():
    assert indicators.split_digit_run("17063500") == [(1706.0, 3500.0)]
    assert indicators.split_digit_run("4.27") == [(4.2, 7.0)]
    assert len(indicators.split_digit_run("12.513.5", "%")) == 2


def test_table_rows_flow_into_extraction(extracted):
    t = extracted[(extracted["plan_id"] == CQ) & (extracted["source"] == "table")]
    dens = t[t["indicator"] == "insurance_density"].set_index("role")
    assert (dens.loc["baseline", "year"], dens.loc["baseline", "value"]) == (2015, 1706)
    assert (dens.loc["target", "year"], dens.loc["target", "value"]) == (2020, 3500)
    inst = t[t["indicator"] == "financial_institutions_count"].set_index("role")
    assert (inst.loc["baseline", "value"], inst.loc["target", "value"]) == (1500, 2000)
    cum = t[t["indicator"] == "social_financing_new"]
    assert cum["cumulative"].all() and set(cum["period"]) == {"2011-2015", "2016-2020"}


def test_cross_check_against_prose(table_text, extracted):
    table, _ = indicators.parse_indicator_table(table_text)
    check = indicators.cross_check_table(table, extracted[extracted["plan_id"] == CQ])
    status = {(r.row, r.year): r.status for r in check.itertuples()}
    assert status[(8, 2015)] == "agree"  # 保险密度达到1706元/人
    assert status[(3, 2020)] == "agree"  # 金融机构数量达到2000家左右
    assert status[(1, 2020)] == "agree"  # 比重达到11%以上
    assert status[(8, 2020)] == "not stated"
    assert status[(11, 2020)] == "no number in table"
    assert "disagree" not in status.values()


def test_cross_check_reports_disagreement(table_text, extracted):
    table, _ = indicators.parse_indicator_table(table_text)
    prose = extracted[extracted["plan_id"] == CQ].copy()
    is_density = (prose["indicator"] == "insurance_density") & (prose["source"] == "prose")
    prose.loc[is_density & (prose["value"] == 1706), "value_std"] = 1600.0
    check = indicators.cross_check_table(table, prose)
    row = check[(check["row"] == 8) & (check["year"] == 2015)].iloc[0]
    assert row["status"] == "disagree"


# ---------------------------------------------------------------------------------------------
# Numerals


def to_chinese(n: int) -> str:
    """Return n written in Chinese numerals by the standard rules (零 marks every gap)."""
    digits, units, big = "零一二三四五六七八九", ["", "十", "百", "千"], ["", "万", "亿", "万亿"]
    if n == 0:
        return "零"

    def section(x: int) -> str:
        out, gap = "", False
        for i in range(3, -1, -1):
            d = x // 10**i % 10
            if d == 0:
                gap = gap or bool(out)
                continue
            out += ("零" if gap else "") + digits[d] + units[i]
            gap = False
        return out

    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, gap = "", False
    for i in range(len(groups) - 1, -1, -1):
        if groups[i] == 0:
            gap = gap or bool(out)
            continue
        out += ("零" if out and (gap or groups[i] < 1000) else "") + section(groups[i]) + big[i]
        gap = False
    return out


def test_to_chinese_formats_gaps_with_zero():
    assert to_chinese(100001000) == "一亿零一千"
    assert to_chinese(10**12) == "一万亿"
    assert to_chinese(15700000) == "一千五百七十万"


# cn2an.an2cn drops the 零 that a gap across 万/亿 needs (100001000 -> 一亿一千, which reads as
# 1.1亿), so the round trip formats numbers by the standard rules instead.
@given(st.integers(min_value=0, max_value=10**12))
def test_chinese_integer_round_trip(n):
    assert indicators.parse_number(to_chinese(n)) == n


@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["万", "亿", "万亿"]))
def test_chinese_numeral_with_scale_round_trip(n, scale):
    assert indicators.parse_number(cn2an.an2cn(str(n)) + scale) == n * indicators.SCALES[scale]


@given(
    st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "万", "亿", "万亿"]),
)
def test_mixed_arabic_and_scale_round_trip(d, scale):
    text = f"{d:f}{scale}"
    expected = float(d) * indicators.SCALES.get(scale, 1.0)
    assert indicators.parse_number(text) == pytest.approx(expected, rel=1e-12)


def test_liang_and_fan():
    assert indicators.parse_number("两") == 2
    assert indicators.multiple_of_fan(1) == 2
    assert indicators.multiple_of_fan(indicators.parse_number("两")) == 4


def test_five_year_periods():
    assert indicators.five_year_period(11) == (2006, 2010)
    assert indicators.five_year_period(12) == (2011, 2015)
    assert indicators.five_year_period(13) == (2016, 2020)


# ---------------------------------------------------------------------------------------------
# Growth


def test_implied_cagr_compounds_back_to_the_target():
    r = indicators.implied_cagr(4477, 2005, 10000, 2010)
    assert 4477 * (1 + r) ** 5 == pytest.approx(10000)
    assert 0.17 < r < 0.18
    assert indicators.implied_cagr(100, 2000, 200, 2010) == pytest.approx(2 ** (1 / 10) - 1)
    assert indicators.implied_cagr(50, 2015, 50, 2020) == 0
    assert indicators.implied_cagr(200, 2015, 100, 2020) < 0


@pytest.mark.parametrize(
    ("v0", "y0", "v1", "y1"), [(100, 2015, 200, 2015), (0, 2015, 10, 2020), (-5, 2015, 10, 2020)]
)
def test_implied_cagr_undefined(v0, y0, v1, y1):
    assert math.isnan(indicators.implied_cagr(v0, y0, v1, y1))


def test_growth_table_chengdu_deposits(extracted):
    g = indicators.growth_table(extracted)
    r = g[(g["plan_id"] == CD) & (g["indicator"] == "deposits")].iloc[0]
    assert (r["baseline_year"], r["baseline_value"]) == (2005, 4.477e11)
    assert (r["target_year"], r["target_value"], r["target_qualifier"]) == (2010, 1e12, "more than")
    assert r["stated_growth"] == pytest.approx(0.18)
    assert r["implied_cagr"] == pytest.approx((1e12 / 4.477e11) ** 0.2 - 1)
    cq = g[(g["plan_id"] == CQ) & (g["indicator"] == "insurance_density")].iloc[0]
    assert (cq["baseline_value"], cq["target_value"]) == (1706, 3500)


def test_at_least_five_shared_indicators(extracted):
    cmp = indicators.compare_indicators(extracted, CQ, CD)
    shared = set(cmp["indicator"])
    assert len(shared) >= 5
    assert {"deposits", "loans", "premium_income", "insurance_density", "insurance_depth"} <= shared
    row = cmp.set_index("indicator").loc["finance_value_added_share_gdp"]
    assert (row["left_baseline_value"], row["left_target_value"]) == (9, 11)
    assert (row["right_baseline_value"], row["right_target_value"]) == (4.8, 5)
    assert row["label_zh"] == "金融业增加值占GDP比重"
    assert not cmp["label_en"].eq("").any()


# ---------------------------------------------------------------------------------------------
# The indicator map


def test_indicator_map_has_required_keys(imap):
    required = {
        "finance_value_added_share_gdp",
        "deposits",
        "loans",
        "premium_income",
        "insurance_density",
        "insurance_depth",
        "listed_companies",
        "financial_institutions_count",
        "financial_assets",
    }
    assert required <= set(imap.indicators)
    assert imap.version >= 1
    assert imap.unit_of("insurance_density") == "CNY/person"
    for d in imap.indicators.values():
        assert d.label_en and re.search(r"[\u4e00-\u9fff]", d.label_zh) and d.aliases


def test_indicator_map_rejects_missing_fields(tmp_path):
    bad = tmp_path / "indicators.yml"
    bad.write_text("version: 1\nindicators:\n  deposits:\n    label_en: Deposits\n", "utf-8")
    with pytest.raises(ValueError, match="deposits"):
        indicators.load_indicator_map(bad)


def test_alias_exclusions(imap):
    assert imap.find("外资金融机构数量", "count").keys == ("foreign_financial_institutions",)
    assert imap.find("全市金融机构", "count").keys == ("financial_institutions_count",)
    assert imap.find("全市金融机构", "CNY") is None
    assert imap.find("人民币存贷款余额", "CNY").keys == ("deposits", "loans")


# ---------------------------------------------------------------------------------------------
# Growth over the period before the baseline (the plans' reviews of the previous five years)


@pytest.fixture(scope="module")
def growth(extracted) -> pd.DataFrame:
    return indicators.growth_table(extracted)


def _growth_for(growth: pd.DataFrame, plan_id: str, key: str) -> pd.Series:
    return growth[(growth["plan_id"] == plan_id) & (growth["indicator"] == key)].iloc[0]


@pytest.mark.parametrize(
    "row, factor",
    [
        ({"measure": "multiple", "value": 2.6, "unit": "倍"}, 2.6),
        ({"measure": "multiple", "value": 1.0, "unit": "番"}, 2.0),
        ({"measure": "multiple", "value": 2.0, "unit": "番"}, 4.0),
        ({"measure": "change", "value": 60.0, "unit": "%"}, 1.6),
        ({"measure": "change", "value": 2.0, "unit": "倍"}, 3.0),
        ({"measure": "change", "value": 2.1, "unit": "个百分点"}, math.nan),
    ],
)
def test_growth_factor(row, factor):
    got = indicators.growth_factor(row)
    assert (math.isnan(got) and math.isnan(factor)) or got == pytest.approx(factor)


def test_past_growth_of_chongqing_deposits_from_the_multiple(growth):
    row = _growth_for(growth, CQ, "deposits")
    assert (row["past_from_year"], row["past_to_year"]) == (2010, 2015)
    assert row["past_cagr"] == pytest.approx(1.8 ** (1 / 5) - 1)


def test_past_growth_prefers_the_rate_a_plan_states_over_one_derived_from_a_multiple(growth):
    # 2015年，金融业增加值超过1410亿元，是2010年的2.6倍，年均增长13.8%: the plan's own rate.
    row = _growth_for(growth, CQ, "finance_value_added")
    assert (row["past_from_year"], row["past_to_year"]) == (2010, 2015)
    assert row["past_cagr"] == pytest.approx(0.138)
    assert row["past_basis"] == "stated 13.8% a year"


def test_past_growth_of_chengdu_premiums_reads_zengzhang_2bei_as_threefold(growth):
    # 保费收入从2000年的24.9亿元增长到2005年的75亿元，增长2倍多: 75 / 24.9 = 3.0.
    row = _growth_for(growth, CD, "premium_income")
    assert (row["past_from_year"], row["past_to_year"]) == (2000, 2005)
    assert row["past_cagr"] == pytest.approx(3 ** (1 / 5) - 1)


def test_the_plans_own_growth_to_its_target_is_not_past_growth(growth):
    # 未来五年，地区生产总值年均增长12%以上，到2010年…达到4000亿元: a target and its growth, no
    # baseline; the 12% is the plan's own growth, not the growth before it.
    row = _growth_for(growth, CD, "gdp")
    assert (row["target_year"], row["stated_growth"]) == (2010, pytest.approx(0.12))
    assert pd.isna(row["past_cagr"]) and pd.isna(row["past_from_year"])


def test_past_growth_from_two_levels_of_one_sentence(manifest):
    # A review that gives both ends of the last five years and no rate or multiple.
    df = pd.DataFrame(
        {
            "plan_id": CQ,
            "sentence_id": [3, 4],
            "text": [
                "“十二五”期间，全市存款余额由1.6万亿元增加到2.8万亿元。",
                "到2020年，存款余额达到4.5万亿元。",
            ],
        }
    )
    found = indicators.extract_indicators(df, manifest.plan(CQ))
    row = _growth_for(indicators.growth_table(found), CQ, "deposits")
    assert (row["baseline_year"], row["baseline_value"]) == (2015, 2.8e12)
    assert (row["past_from_year"], row["past_to_year"]) == (2010, 2015)
    assert row["past_cagr"] == pytest.approx((2.8 / 1.6) ** (1 / 5) - 1)
    assert row["past_basis"] == "1.6万亿元 in 2010 to 2.8万亿元 in 2015"


def test_microcredit_loan_book_is_not_the_banking_loans(extracted, growth):
    loans = extracted[(extracted["plan_id"] == CQ) & (extracted["indicator"] == "loans")]
    assert not loans["source_text"].str.contains("小额贷款公司").any()
    row = _growth_for(growth, CQ, "loans")
    assert row["past_cagr"] == pytest.approx(2.1 ** (1 / 5) - 1)


# --- The shortcuts of extraction never skip what the full matching would find ---------------

# Characters the number, year and qualifier patterns are made of, plus ordinary text.
_PATTERN_ALPHABET = (
    "0123456789.,%年五十一二两百千万亿元个倍人家项于低高不保持全国平均水平规划期末“”，。、"
)


def _shipped_norms(manifest) -> list[str]:
    texts = []
    for plan in manifest.plans:
        texts += _plan_sentences(manifest, plan.id)["text"].tolist()
    return [indicators.normalise(t) for t in texts]


def _assert_shortcuts_exact(norm: str) -> None:
    if not indicators._may_state_quantity(norm):
        assert indicators.find_mentions(norm) == []
        assert indicators._QUALITATIVE.search(norm) is None
    if not indicators._may_state_time(norm):
        assert indicators._YEAR.search(norm) is None
        assert indicators._PERIOD.search(norm) is None


def test_prefilters_keep_every_sentence_with_a_number_or_year(manifest):
    norms = _shipped_norms(manifest)
    assert sum(not indicators._may_state_quantity(n) for n in norms) > len(norms) / 2
    for norm in norms:
        _assert_shortcuts_exact(norm)


@given(st.text(alphabet=_PATTERN_ALPHABET, max_size=30))
def test_prefilters_are_exact_on_random_text(text):
    _assert_shortcuts_exact(text)


def test_alias_anchor_is_in_every_match(manifest, imap):
    for norm in _shipped_norms(manifest):
        for _, pattern, anchor, _ in imap._patterns:
            m = pattern.search(norm)
            assert m is None or anchor in m.group(0)


def test_normalise_fast_path_equals_full_translation():
    for text in ("２０１５年（约）", "金融业增加值", "—～．％", ""):
        assert indicators.normalise(text) == text.translate(indicators._WIDTH_TABLE)


# --- wordings of other plans, found by a probe of held-out sentences -------------------------


def test_a_change_over_the_start_of_the_year_refers_to_the_year_before(manifest):
    out = one(manifest, CQ, "2015年末，全市银行业不良贷款率为1.2%，比年初下降0.5个百分点。")
    r = row_of(out, -0.5)  # a fall keeps its sign
    assert (r["indicator"], r["role"], r["reference_year"]) == ("bank_npl_ratio", "growth", 2014)
    assert r["name_zh"] != "比年初"


def test_a_range_with_the_scale_written_twice_is_one_value(manifest):
    out = one(manifest, CQ, "到2020年，全市存款余额达到1.2万亿—1.5万亿元。")
    assert len(out) == 1
    r = out.iloc[0]
    assert (r["indicator"], r["value"], r["value_high"], r["unit"]) == (
        "deposits",
        1.2,
        1.5,
        "万亿元",
    )
    assert r["value_std"] == pytest.approx(1.2e12)


def test_a_figure_per_person_is_not_the_total(manifest):
    r = one(manifest, CQ, "到2020年，全市人均存款余额达到10万元。").iloc[0]
    assert r["indicator"] == ""
    # Yuan per person where the indicator is per person: the standard unit says so.
    d = one(manifest, CQ, "2015年，全市保险密度为2417元。").iloc[0]
    assert (d["indicator"], d["unit_std"]) == ("insurance_density", "CNY/person")


def test_other_names_of_the_share_and_of_market_turnover(manifest):
    out = one(manifest, CQ, "2015年，全市地区生产总值达到1.57万亿元，金融业增加值占比达到9.1%。")
    assert row_of(out, 9.1)["indicator"] == "finance_value_added_share_gdp"
    out = one(manifest, CQ, "到2020年，金融市场交易总额达到1500万亿元左右。")
    assert row_of(out, 1500)["indicator"] == "financial_market_turnover"


def test_a_gap_to_another_figure_is_context_not_a_change_of_the_subject(manifest):
    text = "“十二五”时期，全市金融业增加值年均增长16.5%，高于同期GDP增速4.2个百分点。"
    out = one(manifest, CQ, text)
    gap = row_of(out, 4.2)
    assert (gap["indicator"], gap["role"]) == ("", "context")
    assert row_of(out, 16.5)["indicator"] == "finance_value_added"
    # The comparison has its number: no qualitative row besides it.
    assert (out["qualitative_target"].fillna("") == "").all()
    # A change over an earlier year stays a change of the subject.
    r = row_of(one(manifest, CQ, "2015年，不良贷款率比上年提高0.3个百分点。"), 0.3)
    assert (r["indicator"], r["role"]) == ("bank_npl_ratio", "growth")


def test_a_comparison_stated_for_a_past_year_is_no_target(manifest):
    out = one(manifest, CQ, "2014年，全市金融业增加值增速高于全国平均水平。")
    r = out[out["qualitative_target"].fillna("") != ""].iloc[0]
    assert (r["year"], r["role"]) == (2014, "baseline")


def test_a_change_under_a_goals_heading_keeps_its_reference_year(manifest):
    plan = manifest.plan(CQ)
    out = indicators.extract_from_records(
        [(1, "新增上市公司100家。", "第二章 发展目标", "sentence")], plan
    )
    r = out.iloc[0]
    assert (r["indicator"], r["year"], r["role"], r["reference_year"]) == (
        "listed_companies",
        2020,
        "growth",
        2015,
    )


def test_a_new_flow_added_up_is_its_level(manifest):
    r = one(manifest, CQ, "到2020年，全市社会融资规模累计新增1万亿元。").iloc[0]
    assert (r["indicator"], r["measure"], r["role"]) == ("social_financing_new", "level", "target")
    assert bool(r["cumulative"])


def test_one_board_s_listed_companies_are_not_the_total(manifest):
    out = one(manifest, CQ, "到2020年，境内外上市公司达到600家，其中科创板上市公司60家。")
    assert row_of(out, 600)["indicator"] == "listed_companies"
    assert row_of(out, 60)["indicator"] == ""


def test_a_policy_s_reward_terms_are_no_indicator(manifest):
    text = "对新引进的金融机构总部，按注册资本的1%给予一次性奖励，最高不超过2000万元。"
    assert one(manifest, CQ, text).empty


# --- a second probe of 70 held-out sentences -------------------------------------------------


def test_a_province_s_share_of_gdp(manifest):
    out = one(manifest, CQ, "到2020年，全省金融业增加值达到5000亿元，占全省GDP比重达到10%左右。")
    assert row_of(out, 10)["indicator"] == "finance_value_added_share_gdp"


def test_a_multiple_of_an_earlier_plan_period_keeps_the_subject(manifest):
    text = "“十三五”时期，全市社会融资规模累计新增4.2万亿元，是“十二五”时期的1.8倍。"
    r = row_of(one(manifest, CQ, text), 1.8)
    assert (r["indicator"], r["measure"]) == ("social_financing_new", "multiple")


def test_legal_person_institutions_and_the_stock_of_financing_are_not_the_totals(manifest):
    out = one(manifest, CQ, "2015年末，全市共有各类金融机构1286家，其中法人金融机构126家。")
    assert row_of(out, 1286)["indicator"] == "financial_institutions_count"
    assert row_of(out, 126)["indicator"] == ""
    r = one(manifest, CQ, "力争到2020年，全市社会融资规模存量达到10万亿元。").iloc[0]
    assert r["indicator"] == ""


def test_a_count_in_chinese_numerals(manifest):
    out = one(
        manifest, CQ, "“十二五”期间，全市新增上市公司二十八家，累计实现首发融资一百二十亿元。"
    )
    r = row_of(out, 28)
    assert (r["indicator"], r["measure"], r["reference_year"]) == (
        "listed_companies",
        "change",
        2010,
    )
    assert row_of(out, 120)["value_std"] == 1.2e10
    # One character before a count word is no quantity (一个, 两家).
    assert one(manifest, CQ, "支持两家银行设立一个金融服务中心。").empty


def test_the_attendance_of_a_meeting_is_no_indicator(manifest):
    assert one(manifest, CQ, "2015年3月15日，市政府召开全市金融工作会议，300余人参加会议。").empty


def test_a_fall_is_a_negative_change_and_its_growth_factor_is_below_one(manifest):
    r = row_of(one(manifest, CQ, "2015年末，全市贷款余额比2010年末下降20%。"), -20)
    assert (r["measure"], r["reference_year"]) == ("change", 2010)
    assert indicators.growth_factor(r) == pytest.approx(0.8)


def test_standard_values_carry_no_binary_artefacts(manifest):
    r = one(manifest, CQ, "2015年，全市资本规模621.8亿元。").iloc[0]
    assert r["value_std"] == 62180000000.0
    r = one(manifest, CQ, "到2020年，拨备覆盖率保持在150%以上。").iloc[0]
    assert r["name_zh"] == "拨备覆盖率"


def test_the_end_of_a_change_from_a_stated_year_takes_the_sentence_s_target_year(manifest):
    out = one(manifest, CQ, "到2020年，金融业增加值占GDP比重由2015年的9%提高到11%。")
    assert (row_of(out, 9)["role"], row_of(out, 9)["year"]) == ("baseline", 2015)
    assert (row_of(out, 11)["role"], row_of(out, 11)["year"]) == ("target", 2020)
    out = one(manifest, CQ, "全市存款余额由2015年末的2.5万亿元增加到4万亿元左右。")
    assert (row_of(out, 4)["role"], row_of(out, 4)["year"]) == ("target", 2020)


def test_a_rate_stated_for_one_year_is_over_the_year_before(manifest):
    r = row_of(one(manifest, CQ, "2015年，全市实现地区生产总值1.57万亿元，增长11%。"), 11)
    assert (r["role"], r["year"], r["reference_year"]) == ("growth", 2015, 2014)
    r = one(manifest, CQ, "到2020年，金融业增加值增长60%。").iloc[0]
    assert r["reference_year"] == 2015  # a target's change is over the plan's baseline


def test_the_country_s_growth_is_context_but_a_share_of_the_country_is_the_city_s(manifest):
    out = one(manifest, CQ, "“十二五”时期，全国存款余额年均增长13%，全市存款余额年均增长18%。")
    assert row_of(out, 13)["role"] == "context"
    assert (row_of(out, 18)["role"], row_of(out, 18)["reference_year"]) == ("growth", 2010)
    assert (
        one(manifest, CQ, "2015年，全市存款余额占全国的比重为2.1%。").iloc[0]["role"] == "baseline"
    )


def test_listed_names_share_their_head(manifest):
    out = one(manifest, CQ, "2015年，全市存款、贷款余额分别为2.2万亿元、1.9万亿元。")
    assert row_of(out, 2.2)["indicator"] == "deposits"
    assert row_of(out, 1.9)["indicator"] == "loans"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2015年，全国金融业增加值占国内生产总值的比重为8.4%。", "finance_value_added_share_gdp"),
        ("2015年，金融业对全市经济增长的贡献率达到13%。", "finance_contribution_growth"),
        ("到2020年，全市金融要素市场年交易额突破5万亿元。", "financial_market_turnover"),
        # Parts of the loans and deposits are not their totals.
        ("到2020年，全市普惠小微贷款余额达到2000亿元。", ""),
        ("2015年，全市城乡居民储蓄存款余额为9000亿元。", ""),
        # From the fourth probe: securities turnover, bond issuance and the sector's assets.
        ("2015年，全市证券市场交易额达到12.6万亿元。", "securities_turnover"),
        ("“十三五”期间，全市企业债券发行额累计达到4600亿元。", "bond_issuance"),
        ("到2020年，全市金融机构总资产达到10万亿元。", "financial_assets"),
        # The banks' assets are a part of the sector's.
        ("2015年末，全市银行业金融机构资产总额达到1.36万亿元。", ""),
    ],
)
def test_more_names_of_indicators_and_parts_that_are_not_totals(manifest, text, key):
    assert one(manifest, CQ, text).iloc[0]["indicator"] == key


def test_a_change_in_percentage_points_belongs_to_a_share_not_to_a_money_total(manifest):
    share = one(manifest, CQ, "2015年，全市存款余额占全国比重提高0.5个百分点。").iloc[0]
    assert (share["indicator"], share["unit_std"]) == ("", "percentage points")
    gdp_share = one(manifest, CQ, "“十三五”期间，金融业增加值占地区生产总值比重提高2个百分点。")
    assert gdp_share.iloc[0]["indicator"] == "finance_value_added_share_gdp"
    money = one(manifest, CQ, "2015年末，全市存款余额比上年末增加2000亿元。").iloc[0]
    assert (money["indicator"], money["role"]) == ("deposits", "growth")


def test_a_growth_rate_after_a_share_belongs_to_the_amount(manifest):
    out = one(
        manifest, CQ, "2015年，全市金融业增加值达到821亿元，占地区生产总值的7.5%，是2010年的2.3倍。"
    )
    assert (row_of(out, 2.3)["indicator"], row_of(out, 2.3)["reference_year"]) == (
        "finance_value_added",
        2010,
    )
    assert row_of(out, 7.5)["indicator"] == "finance_value_added_share_gdp"
    out = one(manifest, CQ, "2015年，保险深度达到3.5%，比2010年提高0.5个百分点。")
    assert row_of(out, 0.5)["indicator"] == "insurance_depth"  # a change of the share itself


def _records(manifest, texts: list[str], section: str = "", plan_id: str = CQ) -> pd.DataFrame:
    """Return the indicator rows of consecutive sentences of one shipped plan."""
    df = pd.DataFrame(
        {
            "plan_id": plan_id,
            "sentence_id": range(1, len(texts) + 1),
            "text": texts,
            "section": section,
        }
    )
    return indicators.extract_indicators(df, manifest.plan(plan_id))


def test_the_country_stays_the_subject_of_the_clauses_after_it(manifest):
    out = one(
        manifest, CQ, "2015年，全国金融业增加值5.8万亿元，同比增长16%，占国内生产总值比重为8.4%。"
    )
    assert set(out["role"]) == {"context"}
    out = one(manifest, CQ, "2015年，我国国内生产总值增长6.9%，全市金融业增加值增长12%。")
    assert (row_of(out, 6.9)["role"], row_of(out, 12)["role"]) == ("context", "growth")
    out = one(manifest, CQ, "2015年，全国存款余额139万亿元，重庆存款余额2.8万亿元。")
    assert row_of(out, 2.8)["role"] == "baseline"  # the plan's own city by name
    out = one(manifest, CQ, "获批全国首批试点，2015年新增上市公司12家。")
    assert row_of(out, 12)["role"] == "growth"  # a national first is no national figure
    out = one(manifest, CQ, "在全国15个副省级城市中位居第3，金融业增加值占比达到9%。")
    assert row_of(out, 9)["role"] == "baseline"  # a count of cities names no national subject


def test_a_national_figure_stays_context_under_a_goals_or_review_heading(manifest):
    out = _records(
        manifest, ["同期，全国金融业增加值占国内生产总值的比重为8.4%。"], "第一章 发展基础"
    )
    assert (out.iloc[0]["role"], out.iloc[0]["year"]) == ("context", 2015)


def test_a_change_from_a_year_stated_with_you_starts_there(manifest):
    # 由2010年的…增长到2015年的…, 年均增长: the rate is over 2010-2015, as after 从.
    out = one(
        manifest,
        CQ,
        "“十二五”期间，金融业增加值由2010年的480亿元增长到2015年的1410亿元，年均增长24%，"
        "占地区生产总值比重由6.1%提高到9.0%。",
    )
    assert (row_of(out, 24)["reference_year"], row_of(out, 24)["year"]) == (2010, 2015)
    assert row_of(out, 6.1)["year"] == 2010  # starts where the sentence's first change starts
    assert row_of(out, 9.0)["year"] == 2015
    # The next sentence's year is the sentence's own (2015), not where its change started.
    out = _records(
        manifest,
        [
            "2015年，全市金融业增加值1410亿元，年均增长24%，占比由2010年的6.1%提高到9.0%。",
            "存款余额2.8万亿元，比2010年增长1.1倍。",
        ],
    )
    assert row_of(out, 2.8)["year"] == 2015
    assert (row_of(out, 1.1)["year"], row_of(out, 1.1)["reference_year"]) == (2015, 2010)


def test_a_span_of_years_is_no_name_and_the_rate_runs_over_it(manifest):
    out = _records(manifest, ["2015年，全市金融业增加值1410亿元，五年年均增长24%。"])
    r = row_of(out, 24)
    assert (r["indicator"], r["year"], r["reference_year"]) == ("finance_value_added", 2015, 2010)


def test_a_figure_per_head_before_a_longer_name_is_not_the_total(manifest):
    out = one(manifest, CQ, "2015年，全市人均地区生产总值5.2万元，户均本外币存款余额20万元。")
    assert list(out["indicator"]) == ["", ""]


def test_one_line_of_insurance_is_a_part_of_the_premiums(manifest):
    out = one(
        manifest,
        CQ,
        "2015年，全市保费收入515亿元，其中财产险保费收入150亿元，人身险保费收入365亿元。",
    )
    assert list(out["indicator"]) == ["premium_income", "", ""]


def test_newly_introduced_and_cultivated_counts_are_changes(manifest):
    out = one(manifest, CQ, "到2020年，新引进各类金融机构50家以上，培育上市公司30家。")
    assert list(out["role"]) == ["growth", "growth"]
    assert list(out["indicator"]) == ["financial_institutions_count", "listed_companies"]
    assert list(out["reference_year"]) == [2015, 2015]


def test_a_table_printed_a_row_to_a_line_with_or_without_row_numbers(manifest):
    rows = [
        "金融业增加值亿元1410 2000预期性",
        "金融业增加值占地区生产总值比重% 9.0 11预期性",
        "境内外上市公司家50 80预期性",
        "到2020年，全市金融业增加值力争达到2000亿元。",
    ]
    for header, numbered in (
        ("指标名称单位2015年2020年属性", False),
        ("序号指标名称单位2015年2020年属性", True),
    ):
        lines = [f"{k}{r}" if numbered and k < 4 else r for k, r in enumerate(rows, start=1)]
        out = _records(manifest, [header, *lines])
        table = out[out["source"] == "table"]
        assert len(table) == 6, header
        got = set(
            zip(table["indicator"], table["year"], table["value_std"], table["role"], strict=True)
        )
        assert ("finance_value_added", 2015, 1410e8, "baseline") in got
        assert ("finance_value_added_share_gdp", 2020, 11.0, "target") in got
        assert ("listed_companies", 2020, 80.0, "target") in got
        assert len(out[out["source"] == "prose"]) == 1  # the sentence after the table is prose
    # With no 序号 and the rows run together, each row ends with its attribute.
    glued = "指标名称单位2015年2020年属性金融业增加值亿元1410 2000预期性境内外上市公司家50 80预期性"
    table = _records(manifest, [glued])
    assert sorted(table["value"]) == [50, 80, 1410, 2000]
    assert set(table["indicator"]) == {"finance_value_added", "listed_companies"}


def test_a_multiple_with_a_word_of_about_is_still_a_multiple(manifest):
    r = one(manifest, CQ, "2015年，全市跨境人民币结算金额1420亿元，是2010年的近12倍。").iloc[1]
    assert (r["measure"], r["qualifier"], r["reference_year"]) == ("multiple", "about", 2010)
    assert indicators.growth_factor(r) == 12  # 12 times 2010's, not 13


def test_names_keep_zai_bao_and_a_count_names_its_firms_not_their_size(manifest):
    out = one(manifest, CQ, "融资担保公司161家，在保余额2045.8亿元。")
    assert row_of(out, 2045.8)["name_zh"] == "在保余额"
    out = one(manifest, CQ, "492家股权投资类企业管理规模合计超过2000亿元。")
    assert row_of(out, 492)["name_zh"] == "股权投资类企业"
    assert row_of(out, 2000)["name_zh"] == "股权投资类企业管理规模"


def test_a_growth_between_rmb_only_and_all_currencies_is_flagged(manifest):
    texts = [
        "截至2005年底，全市金融机构人民币存款余额达4477亿元。",
        "到2010年，各银行存款本外币余额超过10000亿元。",
    ]
    growth = indicators.growth_table(_records(manifest, texts, plan_id=CD))
    row = growth.set_index("indicator").loc["deposits"]
    assert row["scope_note"] == (
        "baseline RMB only (人民币), target all currencies (本外币): not the same measure"
    )
    assert row["implied_cagr"] == pytest.approx((10000 / 4477) ** (1 / 5) - 1)
    same = [t.replace("各银行存款本外币余额", "人民币存款余额") for t in texts]
    assert indicators.growth_table(_records(manifest, same, plan_id=CD))["scope_note"].eq("").all()


def test_a_minus_sign_after_a_word_makes_a_negative_figure_a_dash_between_numbers_does_not(
    manifest,
):
    r = one(manifest, CQ, "2015年存款余额比上年增长-3.2%。").iloc[0]
    assert (r["indicator"], r["role"], r["value"], r["value_std"]) == (
        "deposits",
        "growth",
        -3.2,
        -3.2,
    )
    r = one(manifest, CQ, "上市公司达到10-12家。").iloc[0]
    assert (r["value"], r["value_high"]) == (10, 12)
    assert one(manifest, CQ, "发布日期:2016-12-26，金融业增加值1410亿元。").iloc[0]["value"] == 1410


# --- a fourth probe of 80 held-out sentences and 5 tables ------------------------------------


def test_a_numeral_written_out_may_hold_wan_before_its_scale(manifest):
    out = one(manifest, CQ, "“十三五”期间，全市社会融资规模累计新增一万五千亿元。")
    r = out.iloc[0]
    assert len(out) == 1
    assert (r["indicator"], r["value"], r["unit"], r["value_std"]) == (
        "social_financing_new",
        15000,
        "亿元",
        1.5e12,
    )
    assert row_of(one(manifest, CQ, "到2020年，存款余额达到两万亿元。"), 2)["value_std"] == 2e12


def test_each_name_shared_out_by_fenbie_takes_its_own_number_s_unit(manifest):
    out = one(manifest, CQ, "2015年，全市保险深度、保险密度分别为3.5%和3920元/人。")
    assert row_of(out, 3.5)["indicator"] == "insurance_depth"
    assert (row_of(out, 3920)["indicator"], row_of(out, 3920)["unit_std"]) == (
        "insurance_density",
        "CNY/person",
    )


def test_listed_companies_added_up_over_a_period_are_a_change(manifest):
    out = one(manifest, CQ, "“十二五”期间，全市累计新增上市公司45家，其中创业板上市公司21家。")
    r = row_of(out, 45)
    assert (r["indicator"], r["role"], r["measure"], r["year"], r["reference_year"]) == (
        "listed_companies",
        "growth",
        "change",
        2015,
        2010,
    )
    assert row_of(out, 21)["indicator"] == ""


def test_the_figures_of_places_compared_with_are_context(manifest):
    out = one(
        manifest, CQ, "2015年，全市金融业增加值占GDP比重为4.3%，低于深圳的13.6%和大连的6.1%。"
    )
    assert (row_of(out, 4.3)["indicator"], row_of(out, 4.3)["role"]) == (
        "finance_value_added_share_gdp",
        "baseline",
    )
    for value in (13.6, 6.1):
        assert (row_of(out, value)["indicator"], row_of(out, value)["role"]) == ("", "context")


def test_a_subject_named_in_the_clause_before_its_figure(manifest):
    # From a whole-pipeline probe of prose texts: the clause with the figure names no subject.
    out = one(
        manifest,
        CD,
        "一是金融机构不良贷款率仍然偏高，2005年末为12.6%，高于全国平均水平3.9个百分点；",
    )
    r = row_of(out, 12.6)
    assert (r["indicator"], r["role"], r["year"]) == ("bank_npl_ratio", "baseline", 2005)
    assert (row_of(out, 3.9)["indicator"], row_of(out, 3.9)["role"]) == ("", "context")


def test_a_table_a_row_to_a_line_with_a_growth_column(manifest):
    lines = [
        "指标\t单位\t2015年基数\t2020年目标\t年均增速",
        "金融业增加值\t亿元\t210\t450\t16.5%",
        "各项存款余额\t亿元\t5600\t10000\t12.3%",
    ]
    out = _records(manifest, lines)
    assert (out["source"] == "table").all() and len(out) == 6
    fva = out[out["indicator"] == "finance_value_added"].set_index("role")
    assert (fva.loc["baseline", "year"], fva.loc["baseline", "value_std"]) == (2015, 210e8)
    assert (fva.loc["target", "year"], fva.loc["target", "value_std"]) == (2020, 450e8)
    g = fva.loc["growth"]
    assert (g["value"], g["unit_std"], g["measure"], g["year"], g["reference_year"]) == (
        16.5,
        "%",
        "annual_growth",
        2020,
        2015,
    )
    assert row_of(out, 12.3)["indicator"] == "deposits"


def test_table_cells_in_square_brackets_and_with_comparison_signs(manifest):
    lines = [
        "序号 指标 单位 2015年 2020年 指标属性",
        "1 金融业增加值 亿元 9907 15000 预期性",
        "2 社会融资规模增量 万亿元 [12] 〔15〕 预期性",
        "3 上市公司总数 家 724 1000 预期性",
        "4 银行业不良贷款率 % 1.98 ≤2 约束性",
    ]
    out = _records(manifest, lines)
    assert len(out) == 8
    flow = out[out["indicator"] == "social_financing_new"].set_index("role")
    assert (flow.loc["baseline", "value_std"], flow.loc["target", "value_std"]) == (12e12, 15e12)
    assert flow["cumulative"].all()
    assert row_of(out, 1000)["indicator"] == "listed_companies"
    npl = row_of(out, 2)
    assert (npl["indicator"], npl["role"], npl["qualifier"]) == (
        "bank_npl_ratio",
        "target",
        "at most",
    )
    # A numbered table in one sentence reads a growth column too.
    text = (
        "序号 指标名称 单位 2015年 2020年 年均增长(%) 属性 1 金融业增加值 亿元 800 1300 10.2 预期性 "
        "2 保费收入 亿元 300 500 10.8 预期性 备注：略。"
    )
    table = one(manifest, CQ, text)
    r = row_of(table, 10.8)
    assert (r["indicator"], r["measure"], r["reference_year"]) == (
        "premium_income",
        "annual_growth",
        2015,
    )


def test_a_table_without_numbers_or_attributes_run_together_into_one_sentence(manifest):
    # What cleaning makes of a table printed a row to a line (line breaks inside a paragraph
    # are joined): no 序号 and no 预期性 to end a row, so a row ends where the next name begins.
    text = (
        "指标单位2015年基数2020年目标年均增速金融业增加值亿元120 260 16.7%"
        "各项存款余额亿元4477 10000 17.4%银行业不良贷款率% 8.5 ≤5 —"
    )
    out = one(manifest, CQ, text)
    assert (out["source"] == "table").all() and len(out) == 8
    deposits = out[out["indicator"] == "deposits"].set_index("role")
    assert (deposits.loc["baseline", "value_std"], deposits.loc["target", "value_std"]) == (
        4477e8,
        10000e8,
    )
    assert (deposits.loc["growth", "value"], deposits.loc["growth", "reference_year"]) == (
        17.4,
        2015,
    )
    npl = out[(out["indicator"] == "bank_npl_ratio") & (out["role"] == "target")].iloc[0]
    assert (npl["value"], npl["qualifier"]) == (5, "at most")


# --- whole raw texts through cleaning, splitting and extraction (a fifth probe) ---------------


def _text_rows(manifest, raw: str, plan_id: str = CQ) -> pd.DataFrame:
    """Return the indicator rows of a raw text cleaned and split as the pipeline does."""
    df = sentences.split_sentences(cleaning.clean_text(raw)).sentences
    return indicators.extract_indicators(df.assign(plan_id=plan_id), manifest.plan(plan_id))


def _facts(out: pd.DataFrame) -> set:
    return set(zip(out["indicator"], out["role"], out["year"], out["value_std"], strict=True))


def test_a_pdf_table_with_a_name_wrapped_onto_the_next_line_is_read_whole(manifest):
    raw = (
        "专栏1  主要指标\n"
        "序号  指标名称                    单位     2015年   2020年   属性\n"
        " 1    金融业增加值                亿元      1410     2000    预期性\n"
        " 2    金融业增加值占地区生产总    %         9        11      预期性\n"
        "      值比重\n"
        " 3    保费收入                    亿元      515      1000    预期性\n"
    )
    out = _text_rows(manifest, raw)
    assert (out["source"] == "table").all()
    assert _facts(out) == {
        ("finance_value_added", "baseline", 2015, 1410e8),
        ("finance_value_added", "target", 2020, 2000e8),
        ("finance_value_added_share_gdp", "baseline", 2015, 9.0),
        ("finance_value_added_share_gdp", "target", 2020, 11.0),
        ("premium_income", "baseline", 2015, 515e8),  # the rows after the wrapped name
        ("premium_income", "target", 2020, 1000e8),
    }
    assert set(out.loc[out["table_row"] == 2, "name_zh"]) == {"金融业增加值占地区生产总值比重"}


def test_a_web_page_table_and_one_aligned_with_full_width_spaces(manifest):
    cells = [
        ("指标名称", "单位", "2015年", "2020年", "年均增速"),
        ("金融业增加值", "亿元", "1150", "2000", "11.7%"),
        ("金融业增加值占地区生产总值比重", "%", "11.7", "13", "—"),
    ]
    page = "<table>" + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells
    )
    out = _text_rows(manifest, page + "</table>")
    assert _facts(out) == {
        ("finance_value_added", "baseline", 2015, 1150e8),
        ("finance_value_added", "target", 2020, 2000e8),
        ("finance_value_added", "growth", 2020, 11.7),
        ("finance_value_added_share_gdp", "baseline", 2015, 11.7),  # not 11.713
        ("finance_value_added_share_gdp", "target", 2020, 13.0),
    }
    s = "\u3000"
    typed = "\n".join(s * 2 + (s * 3).join(row[:4]) for row in cells)
    assert _facts(_text_rows(manifest, typed)) == _facts(out) - {
        ("finance_value_added", "growth", 2020, 11.7)
    }


def test_a_cell_with_no_figure_and_a_count_of_new_firms_over_the_period(manifest):
    lines = [
        "序号\t指标\t单位\t2015年\t2020年\t属性",
        "1\t金融业增加值占GDP比重\t%\t—\t>5\t预期性",
        "2\t新增上市公司\t家\t—\t【8】\t预期性",
        "3\t保费收入\t亿元\t23\t50\t预期性",
    ]
    out = _records(manifest, lines)
    share = row_of(out, 5)
    assert (share["indicator"], share["role"], share["qualifier"]) == (
        "finance_value_added_share_gdp",
        "target",
        "more than",
    )
    assert not out["qualitative_target"].eq("—").any()  # a dash is no text target
    new = row_of(out, 8)
    assert (new["indicator"], new["role"], new["measure"], new["reference_year"]) == (
        "listed_companies",
        "growth",
        "change",
        2015,
    )
    assert new["cumulative"] and row_of(out, 50)["indicator"] == "premium_income"


def test_rows_run_together_after_a_header_sentence_are_each_read(manifest):
    lines = [
        "指标名称单位2015年2020年属性",
        "1金融业增加值亿元1410 2000预期性2保费收入亿元515 1000预期性3境内外上市公司家50 80预期性",
    ]
    assert _facts(_records(manifest, lines)) == {
        ("finance_value_added", "baseline", 2015, 1410e8),
        ("finance_value_added", "target", 2020, 2000e8),
        ("premium_income", "baseline", 2015, 515e8),
        ("premium_income", "target", 2020, 1000e8),
        ("listed_companies", "baseline", 2015, 50.0),
        ("listed_companies", "target", 2020, 80.0),
    }


def test_another_places_figure_is_context(manifest):
    out = one(manifest, CQ, "2015年，上海市金融业增加值占GDP比重已超过16%，深圳达到14%。")
    assert row_of(out, 16)["role"] == "context"
    out = one(
        manifest, CQ, "2015年，深圳、广州金融业增加值分别为2500亿元和1400亿元，我市为821亿元。"
    )
    assert (row_of(out, 1400)["indicator"], row_of(out, 1400)["role"]) == (
        "finance_value_added",
        "context",
    )
    # The plan's own city by name, and a city's exchange, are no other place's figure.
    assert one(manifest, CQ, "2015年，重庆金融业增加值达到1410亿元。").iloc[0]["role"] == "baseline"


def test_each_change_after_jun_applies_to_every_amount_before(manifest):
    text = "到2020年，全市存款余额达到3万亿元，贷款余额达到2.8万亿元，均比2015年翻一番。"
    out = one(manifest, CQ, text)
    fan = out[out["measure"] == "multiple"]
    assert sorted(fan["indicator"]) == ["deposits", "loans"]
    assert set(fan["reference_year"]) == {2015}


def test_each_year_is_no_name(manifest):
    text = "2015年，金融业增加值占GDP比重为9%，“十三五”期间力争每年提高0.4个百分点以上。"
    r = row_of(one(manifest, CQ, text), 0.4)
    assert (r["indicator"], r["role"], r["year"]) == (
        "finance_value_added_share_gdp",
        "growth",
        2020,
    )


# --- a harder probe of held-out sentences (traditional script, elided subjects) -------------


def test_traditional_script_is_read_as_simplified(manifest):
    text = "2015年，全市金融業增加值達到1,000億元，佔地區生產總值的比重為9.4%。"
    assert len(indicators.normalise(text)) == len(text)  # positions stay those of the input
    out = one(manifest, CQ, text)
    r = row_of(out, 1000)
    assert (r["indicator"], r["role"], r["year"], r["value_std"]) == (
        "finance_value_added",
        "baseline",
        2015,
        1e11,
    )
    assert row_of(out, 9.4)["indicator"] == "finance_value_added_share_gdp"
    assert row_of(out, 1000)["source_text"] == text  # quoted as the plan wrote it


def test_an_amount_takes_the_subject_in_its_own_unit_not_the_share_between(manifest):
    out = one(
        manifest,
        CQ,
        "2015年，全市金融业增加值达到1000亿元，占全市生产总值的6.1%；到2020年，力争达到1800亿元。",
    )
    r = row_of(out, 1800)
    assert (r["indicator"], r["role"], r["year"]) == ("finance_value_added", "target", 2020)


def test_a_share_without_its_whole_is_that_of_the_amount_before(manifest):
    out = one(manifest, CQ, "到2020年，全市金融业增加值达到1800亿元，占比提高到9%。")
    r = row_of(out, 9)
    assert (r["indicator"], r["role"], r["year"]) == (
        "finance_value_added_share_gdp",
        "target",
        2020,
    )
    # A share of something else named in full stays unmapped.
    out = one(manifest, CQ, "到2020年，全市存款余额达到1.5万亿元，直接融资占比提高到25%。")
    assert row_of(out, 25)["indicator"] == ""


# --- found by a third whole-text probe (half-width punctuation) -------------------------------


def test_a_five_year_period_in_ascii_quotes_reads_as_one_in_chinese_quotes(manifest):
    # A copy typed with a Western keyboard writes "十二五" for “十二五”: 新增 after it is still a
    # change, and a comparison with the period's end still has its reference year.
    df = one(manifest, CQ, '2015年,全市境内外上市公司达到50家,"十二五"期间新增上市公司20家.')
    new = row_of(df, 20)
    assert (new["role"], new["measure"], new["indicator"]) == (
        "growth",
        "change",
        "listed_companies",
    )
    assert row_of(df, 50)["role"] == "baseline"
    fan = one(manifest, CQ, '到2020年,金融业增加值达到2800亿元,比"十二五"末翻一番.')
    assert (row_of(fan, 2800)["role"], row_of(fan, 1)["reference_year"]) == ("target", 2015)


# --- found by a probe of indicator-table layouts ----------------------------------------------


def _table_facts(out: pd.DataFrame) -> set[tuple[str, int, float, str]]:
    table = out[out["source"] == "table"]
    return set(
        zip(table["indicator"], table["year"], table["value_std"], table["role"], strict=True)
    )


def test_a_header_with_the_year_in_brackets_after_base_and_target(manifest):
    out = _records(
        manifest,
        [
            "指标名称 单位 基期值（2015年） 目标值（2020年） 属性",
            "金融业增加值 亿元 1000 1800 预期性",
            "保险深度 % 3.2 4 预期性",
        ],
    )
    assert _table_facts(out) == {
        ("finance_value_added", 2015, 1000e8, "baseline"),
        ("finance_value_added", 2020, 1800e8, "target"),
        ("insurance_depth", 2015, 3.2, "baseline"),
        ("insurance_depth", 2020, 4.0, "target"),
    }


def test_a_remarks_column_in_words_is_not_a_figure(manifest):
    out = _records(
        manifest,
        [
            "指标 单位 2015年 2020年 备注",
            "金融业增加值 亿元 1000 1800 按现价计算",
            "境内外上市公司 家 40 60 —",
        ],
    )
    assert _table_facts(out) == {
        ("finance_value_added", 2015, 1000e8, "baseline"),
        ("finance_value_added", 2020, 1800e8, "target"),
        ("listed_companies", 2015, 40.0, "baseline"),
        ("listed_companies", 2020, 60.0, "target"),
    }


def test_a_unit_stated_once_above_the_table_is_each_rows_unit(manifest):
    out = _records(
        manifest,
        [
            "表2 主要指标",
            "单位：亿元",
            "指标 2015年 2020年",
            "金融业增加值 1000 1800",
            "存款余额 9000 15000",
        ],
    )
    assert _table_facts(out) == {
        ("finance_value_added", 2015, 1000e8, "baseline"),
        ("finance_value_added", 2020, 1800e8, "target"),
        ("deposits", 2015, 9000e8, "baseline"),
        ("deposits", 2020, 15000e8, "target"),
    }
    assert row_of(out, 1800)["unit"] == "亿元"


def test_table_rows_numbered_with_chinese_numerals(manifest):
    out = _records(
        manifest,
        [
            "指标 2015年 2020年 属性",
            "（一）金融业增加值（亿元） 1000 1800 预期性",
            "二、境内外上市公司（家） 40 60 预期性",
        ],
    )
    assert ("finance_value_added", 2020, 1800e8, "target") in _table_facts(out)
    assert ("listed_companies", 2015, 40.0, "baseline") in _table_facts(out)


def test_a_blank_line_or_a_group_row_does_not_end_a_table(manifest):
    out = _records(
        manifest,
        [
            "指标 单位 2015年 2020年 属性",
            "一、金融规模",
            "金融业增加值 亿元 1000 1800 预期性",
            "",
            "二、金融市场",
            "境内外上市公司 家 40 60 预期性",
        ],
    )
    assert len(_table_facts(out)) == 4
    assert ("listed_companies", 2020, 60.0, "target") in _table_facts(out)
    assert ("finance_value_added", 2015, 1000e8, "baseline") in _table_facts(out)


def test_a_transposed_table_with_a_row_per_year(manifest):
    out = _records(
        manifest,
        [
            "年份 金融业增加值（亿元） 存款余额（万亿元） 保险深度（%）",
            "2015年 1000 1.2 3.2",
            "2020年 1800 2 4以上",
            "到2020年，全市金融业增加值力争达到1800亿元。",
        ],
    )
    assert _table_facts(out) == {
        ("finance_value_added", 2015, 1000e8, "baseline"),
        ("finance_value_added", 2020, 1800e8, "target"),
        ("deposits", 2015, 1.2e12, "baseline"),
        ("deposits", 2020, 2e12, "target"),
        ("insurance_depth", 2015, 3.2, "baseline"),
        ("insurance_depth", 2020, 4.0, "target"),
    }
    assert out[out["value_std"] == 4.0]["qualifier"].tolist() == ["at least"]
    assert len(out[out["source"] == "prose"]) == 1


def test_a_word_of_degree_after_a_cells_figure_is_that_cells(manifest):
    out = _records(
        manifest,
        [
            "指标 单位 2015年 2020年 年均增长",
            "金融业增加值 亿元 1000 1800左右 12%",
            "保费收入 亿元 300 500以上 10.8%",
        ],
    )
    assert row_of(out, 1800)["qualifier"] == "about"
    assert row_of(out, 12)["qualifier"] == ""  # not the 左右 of the cell before
    assert row_of(out, 500)["qualifier"] == "at least"
    assert row_of(out, 1000)["qualifier"] == ""


# ---------------------------------------------------------------------------------------------
# Phrasings of probe 4: 翻番, a growth rate's change, a shared number, parts, 总数


def test_fan_without_numeral_is_a_doubling(manifest):
    df = one(manifest, CQ, "到2020年，全市境内外上市公司数量实现翻番，达到150家以上。")
    r = df[(df["indicator"] == "listed_companies") & (df["role"] == "growth")]
    assert len(r) == 1
    assert (r.iloc[0]["value_std"], r.iloc[0]["measure"]) == (2.0, "multiple")
    assert row_of(df, 150)["role"] == "target"


def test_change_of_a_growth_rate_is_not_a_change_of_the_amount(manifest):
    df = one(
        manifest, CQ, "2015年，全市保费收入达到500亿元，同比增长12%，增速比上年提高2.3个百分点。"
    )
    assert row_of(df, 12)[["indicator", "role"]].tolist() == ["premium_income", "growth"]
    assert row_of(df, 2.3)["role"] == "context"


def test_rate_indicator_change_in_points_is_kept(manifest):
    df = one(manifest, CQ, "2015年，全市小微企业贷款增速为19%，比上年提高2个百分点。")
    r = row_of(df, 2)
    assert (r["indicator"], r["role"]) == ("small_business_loan_growth", "growth")


@pytest.mark.parametrize(
    "text",
    [
        "到2020年，全市存贷款余额分别突破3万亿元。",
        "到2020年，全市存款余额和贷款余额均超过3万亿元。",
    ],
)
def test_one_number_shared_by_two_names(manifest, text):
    df = one(manifest, CQ, text)
    got = sorted(df.loc[df["role"] == "target", "indicator"].tolist())
    assert got == ["deposits", "loans"]
    assert (df.loc[df["role"] == "target", "value_std"] == 3e12).all()


def test_part_after_qizhong_of_the_same_indicator_is_context(manifest):
    df = one(
        manifest, CQ, "到2020年，全市各项贷款余额达到3万亿元以上，其中人民币贷款余额2.8万亿元。"
    )
    assert row_of(df, 3)[["indicator", "role"]].tolist() == ["loans", "target"]
    assert row_of(df, 2.8)["role"] == "context"


def test_total_named_only_as_zongshu_takes_the_subject_before(manifest):
    df = one(manifest, CQ, "2015年，全市境内外上市公司净增10家，总数达到50家。")
    r = row_of(df, 50)
    assert (r["indicator"], r["role"], r["year"]) == ("listed_companies", "baseline", 2015)
    assert row_of(df, 10)[["indicator", "role"]].tolist() == ["listed_companies", "growth"]


def test_annual_word_inside_a_rate_indicators_name(manifest):
    df = one(manifest, CQ, "到2020年，全市小微企业贷款年均增速不低于15%。")
    r = row_of(df, 15)
    assert (r["indicator"], r["role"], r["measure"]) == (
        "small_business_loan_growth",
        "target",
        "level",
    )


def test_a_currency_scope_named_once_covers_every_balance_listed_after_it(manifest):
    """人民币存款余额达4477亿元，贷款余额达3019亿元: both balances count RMB only."""
    texts = [
        "截至2005年底，全市金融机构人民币存款余额达4477亿元，贷款余额达3019亿元。",
        "到2010年，各银行存款本外币余额超过10000亿元，各项贷款本外币余额约6000亿元。",
    ]
    growth = indicators.growth_table(_records(manifest, texts, plan_id=CD)).set_index("indicator")
    note = "baseline RMB only (人民币), target all currencies (本外币): not the same measure"
    assert growth.loc["deposits", "scope_note"] == note
    assert growth.loc["loans", "scope_note"] == note
    # A scope word that names no balance (跨境人民币结算) says nothing of a balance after it.
    texts[0] = "截至2005年底，跨境人民币结算金额达100亿元，贷款余额达3019亿元。"
    growth = indicators.growth_table(_records(manifest, texts, plan_id=CD)).set_index("indicator")
    assert growth.loc["loans", "scope_note"] == ""


def test_a_table_whose_header_spans_two_lines_is_read(manifest):
    # 指标 | 2015年 | 2020年 on one line, 基期 | 目标 under the years on the next.
    lines = [
        "专栏1“十三五”金融业发展主要指标",
        "指标\t2015年\t2020年",
        "\t基期\t目标",
        "金融业增加值（亿元）\t1957\t3000",
        "境内外上市公司数（家）\t250\t400",
    ]
    df = pd.DataFrame(
        {"plan_id": CQ, "sentence_id": range(1, len(lines) + 1), "text": lines, "kind": "sentence"}
    )
    out = indicators.extract_indicators(df, manifest.plan(CQ))
    table = out[out["source"] == "table"].set_index(["indicator", "role"])
    assert table.loc[("finance_value_added", "baseline"), "value"] == 1957
    assert table.loc[("finance_value_added", "target"), "value"] == 3000
    assert table.loc[("listed_companies", "target"), "value"] == 400


def _claims(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["indicator"] != "") & (df["role"] != "context")]


def test_the_term_a_clause_defines_is_the_subject_of_the_figure_after_it(manifest):
    df = one(manifest, CQ, "保险深度为保费收入占GDP的比重，2015年为3.2%。")
    r = row_of(df, 3.2)
    assert (r["indicator"], r["role"], r["year"]) == ("insurance_depth", "baseline", 2015)


def test_a_compound_named_in_the_clause_before_is_distributed_by_fenbie(manifest):
    df = one(manifest, CQ, "注：存贷款余额为人民币口径，2015年末分别为2.2万亿元和1.9万亿元。")
    assert row_of(df, 2.2)["indicator"] == "deposits"
    assert row_of(df, 1.9)["indicator"] == "loans"


def test_a_span_or_list_of_years_gives_each_number_after_fenbie_its_year(manifest):
    df = one(manifest, CQ, "2013年至2015年，全市保费收入分别为400亿元、450亿元和515亿元。")
    got = [(r["indicator"], r["role"], r["year"]) for _, r in _claims(df).iterrows()]
    assert got == [("premium_income", "baseline", y) for y in (2013, 2014, 2015)]
    df = one(manifest, CQ, "2010年和2015年，全市金融业增加值分别为700亿元和1400亿元。")
    assert (row_of(df, 700)["year"], row_of(df, 1400)["year"]) == (2010, 2015)
    # Numbers that do not match the years in count keep the sentence's year.
    df = one(manifest, CQ, "2015年，全市存款余额、贷款余额分别为2.6万亿元和2.3万亿元。")
    assert (row_of(df, 2.6)["year"], row_of(df, 2.3)["year"]) == (2015, 2015)


def test_a_change_after_a_span_of_years_starts_in_its_first_year(manifest):
    df = one(manifest, CQ, "2011年至2015年，全市存款余额由1.3万亿元增加到2.6万亿元。")
    assert (row_of(df, 1.3)["year"], row_of(df, 1.3)["role"]) == (2011, "baseline")
    assert row_of(df, 2.6)["year"] == 2015


def test_a_district_or_new_area_inside_the_place_is_not_the_place(manifest):
    df = one(
        manifest, CQ, "2015年，两江新区金融业增加值达到300亿元，全市金融业增加值达到1410亿元。"
    )
    assert row_of(df, 300)["role"] == "context"
    assert row_of(df, 1410)["role"] == "baseline"
    df = one(manifest, CQ, "2015年，渝中区境内外上市公司达到12家。")
    assert row_of(df, 12)["role"] == "context"
    # The place's own words are no district.
    df = one(manifest, CQ, "2015年，全区金融业增加值达到1410亿元。")
    assert row_of(df, 1410)["role"] == "baseline"
    df = one(manifest, CQ, "2015年，自治区金融业增加值达到1410亿元，重点区域金融机构达到90家。")
    assert (row_of(df, 1410)["role"], row_of(df, 90)["role"]) == ("baseline", "baseline")


def test_foreign_currency_balances_are_a_part_but_domestic_and_foreign_the_total(manifest):
    df = one(manifest, CQ, "2015年末，全市外币贷款余额120亿美元，本外币贷款余额2.3万亿元。")
    assert row_of(df, 120)["role"] == "context" or row_of(df, 120)["indicator"] != "loans"
    assert row_of(df, 2.3)["indicator"] == "loans"
