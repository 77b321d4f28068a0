"""Tests of plancompare.stats against hand-computed values and scipy references."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from scipy.stats.contingency import association

from plancompare import stats
from plancompare.paths import DATA, STOPWORDS
from plancompare.style import ALL_CATEGORIES

# Plan A: 10 sentences of 50 chars; plan B: 8 sentences of 25 chars. Talent is empty in both.
A_COUNTS = {
    "institutions": 4,
    "markets": 3,
    "infrastructure": 0,
    "talent": 0,
    "risk": 2,
    "other": 1,
}
B_COUNTS = {
    "institutions": 1,
    "markets": 2,
    "infrastructure": 3,
    "talent": 0,
    "risk": 0,
    "other": 2,
}


def _rows(plan: str, counts: dict[str, int], n_chars: int, tokens: dict[str, str]) -> list[dict]:
    rows = [
        {
            "plan_id": plan,
            "sentence_id": f"{plan}-h",
            "section": "一、总则",
            "kind": "heading",
            "text": "一、总则",
            "n_chars": 4,
            "categories": "",
            "primary_category": "other",
            "matched_terms": "",
            "tokens": "总则",
        }
    ]
    i = 0
    for cat, n in counts.items():
        for _ in range(n):
            rows.append(
                {
                    "plan_id": plan,
                    "sentence_id": f"{plan}-{i:02d}",
                    "section": "一、总则",
                    "kind": "sentence",
                    "text": f"{cat}句子{i}",
                    "n_chars": n_chars,
                    "categories": cat if cat != "other" else "",
                    "primary_category": cat,
                    "matched_terms": "",
                    "tokens": tokens.get(cat, ""),
                }
            )
            i += 1
    return rows


@pytest.fixture
def table() -> pd.DataFrame:
    rows = _rows("A", A_COUNTS, 50, {"institutions": "银行 的 银行 2016", "markets": "市场"})
    rows += _rows("B", B_COUNTS, 25, {"infrastructure": "支付 结算", "markets": "市场 市场"})
    # The same sentence twice (as after a bad join) must count once.
    rows.append(dict(rows[1]))
    return pd.DataFrame(rows)


# --- shares ---------------------------------------------------------------------------------------


def test_category_shares_counts_shares_and_rates(table: pd.DataFrame) -> None:
    out = stats.category_shares(table, n_boot=500)
    assert list(out.columns) == [
        "plan_id",
        "category",
        "n",
        "n_sentences",
        "share",
        "lo",
        "hi",
        "per_1000_chars",
    ]
    assert list(out["plan_id"]) == ["A"] * 6 + ["B"] * 6
    assert list(out["category"]) == list(ALL_CATEGORIES) * 2
    a = out[out.plan_id == "A"].set_index("category")
    b = out[out.plan_id == "B"].set_index("category")
    assert a["n"].to_dict() == A_COUNTS
    assert b["n"].to_dict() == B_COUNTS
    assert set(a["n_sentences"]) == {10} and set(b["n_sentences"]) == {8}
    assert a.loc["institutions", "share"] == pytest.approx(0.4)
    assert b.loc["infrastructure", "share"] == pytest.approx(0.375)
    # 500 chars in A, 200 in B (headings excluded).
    assert a.loc["institutions", "per_1000_chars"] == pytest.approx(8.0)
    assert b.loc["infrastructure", "per_1000_chars"] == pytest.approx(15.0)
    assert a.loc["talent", "per_1000_chars"] == 0
    # Zero categories have a degenerate [0, 0] interval; others bracket the estimate.
    assert (a.loc["talent", ["lo", "hi"]] == 0).all()
    assert ((out["lo"] <= out["share"] + 1e-12) & (out["share"] <= out["hi"] + 1e-12)).all()
    assert (out["lo"] < out["hi"])[out["n"].between(1, out["n_sentences"] - 1)].all()


def test_category_shares_is_deterministic_and_per_plan(table: pd.DataFrame) -> None:
    first = stats.category_shares(table, n_boot=300)
    pd.testing.assert_frame_equal(first, stats.category_shares(table, n_boot=300))
    # A plan's interval does not depend on which other plans are in the table.
    only_a = stats.category_shares(table[table.plan_id == "A"], n_boot=300)
    pd.testing.assert_frame_equal(only_a, first[first.plan_id == "A"].reset_index(drop=True))
    other_seed = stats.category_shares(table, n_boot=300, seed=1)
    assert not np.allclose(other_seed["lo"], first["lo"])


def test_bootstrap_interval_matches_normal_approximation() -> None:
    # 400 sentences, 100 of them markets: the percentile interval's width should be close to
    # the binomial 2 * 1.96 * sqrt(p(1-p)/n) = 0.0849.
    cats = ["markets"] * 100 + ["other"] * 300
    df = pd.DataFrame(
        {
            "plan_id": "P",
            "sentence_id": range(400),
            "section": "",
            "kind": "sentence",
            "text": "x",
            "n_chars": 1,
            "categories": "",
            "primary_category": cats,
            "matched_terms": "",
            "tokens": "",
        }
    )
    row = stats.category_shares(df).set_index("category").loc["markets"]
    expected = 2 * sps.norm.ppf(0.975) * math.sqrt(0.25 * 0.75 / 400)
    assert row["hi"] - row["lo"] == pytest.approx(expected, rel=0.08)
    assert row["lo"] < 0.25 < row["hi"]


def test_share_difference_values_and_order(table: pd.DataFrame) -> None:
    out = stats.share_difference(table, "A", "B", n_boot=1000)
    # diffs: infra -0.375, inst 0.275, risk 0.2, other -0.15, markets 0.05, talent 0.
    assert list(out["category"]) == [
        "infrastructure",
        "institutions",
        "risk",
        "other",
        "markets",
        "talent",
    ]
    d = out.set_index("category")
    assert d.loc["institutions", "diff"] == pytest.approx(0.4 - 0.125)
    assert d.loc["infrastructure", "share_right"] == pytest.approx(0.375)
    assert d.loc["talent", ["lo", "hi"]].tolist() == [0, 0]
    assert ((d["lo"] <= d["diff"] + 1e-12) & (d["diff"] <= d["hi"] + 1e-12)).all()
    # risk: B has none, so every draw of the difference is A's risk share, which is >= 0.
    assert d.loc["risk", "lo"] >= 0
    with pytest.raises(KeyError, match="nowhere"):
        stats.share_difference(table, "A", "nowhere")


# --- chi-square -------------------------------------------------------------------------------


def test_chi_square_matches_scipy_and_drops_empty_categories(table: pd.DataFrame) -> None:
    res = stats.chi_square_test(table, "A", "B")
    observed = np.array([[4, 1], [3, 2], [0, 3], [2, 0], [1, 2]])
    chi2, p, dof, expected = sps.chi2_contingency(observed, correction=False)
    assert res.dropped == ("talent",)
    assert res.chi2 == pytest.approx(chi2)
    assert res.p_value == pytest.approx(p)
    assert res.dof == dof == 4
    assert res.n == 18
    assert res.cramers_v == pytest.approx(association(observed, method="cramer"))
    assert res.table["expected"].to_numpy() == pytest.approx(expected.ravel())
    assert res.table["observed"].tolist() == observed.ravel().tolist()
    assert res.n_low_expected == int((expected < 5).sum())
    cell = res.table.set_index(["category", "plan_id"])
    # Haberman: (4 - 50/18) / sqrt(50/18 * (1 - 5/18) * (1 - 10/18)), by hand = 1.29437.
    assert cell.loc[("institutions", "A"), "adj_residual"] == pytest.approx(1.2943665, abs=1e-6)
    # With two plans, the two residuals of a category are opposite.
    pairs = res.table["adj_residual"].to_numpy().reshape(-1, 2)
    assert pairs[:, 0] == pytest.approx(-pairs[:, 1])


def test_chi_square_two_by_two_residual_squared_is_chi2() -> None:
    df = pd.DataFrame(
        {
            "plan_id": ["L"] * 30 + ["R"] * 20,
            "sentence_id": range(50),
            "section": "",
            "kind": "sentence",
            "text": "",
            "n_chars": 1,
            "categories": "",
            "primary_category": ["risk"] * 20 + ["other"] * 10 + ["risk"] * 5 + ["other"] * 15,
            "matched_terms": "",
            "tokens": "",
        }
    )
    res = stats.chi_square_test(df, "L", "R")
    ref = sps.chi2_contingency(np.array([[20, 5], [10, 15]]), correction=False)
    assert res.chi2 == pytest.approx(ref.statistic)  # no Yates correction even at dof 1
    assert (res.table["adj_residual"] ** 2).to_numpy() == pytest.approx(np.full(4, res.chi2))
    assert len(res.dropped) == 4


# --- log-odds -----------------------------------------------------------------------------------


def test_log_odds_hand_computed_uniform_prior() -> None:
    # n_a = 7, n_b = 6, alpha = 1 each, alpha_0 = 3.
    out = stats.log_odds_dirichlet(
        {"x": 5, "y": 2}, {"x": 1, "y": 2, "z": 3}, prior={"x": 1, "y": 1, "z": 1}
    )
    assert list(out.columns) == ["term", "count_a", "count_b", "delta", "var", "z"]
    assert out["term"].tolist() == ["x", "y", "z"]
    r = out.set_index("term")
    # x: log(6/4) - log(2/7); var 1/6 + 1/2.
    assert r.loc["x", "delta"] == pytest.approx(1.6582281, abs=1e-6)
    assert r.loc["x", "var"] == pytest.approx(2 / 3)
    assert r.loc["x", "z"] == pytest.approx(2.0309063, abs=1e-6)
    # y: log(3/7) - log(3/6).
    assert r.loc["y", "z"] == pytest.approx(-0.1887953, abs=1e-6)
    # z: log(1/9) - log(4/5); var 1 + 1/4.
    assert r.loc["z", "delta"] == pytest.approx(-1.9740810, abs=1e-6)
    assert r.loc["z", "z"] == pytest.approx(-1.7656717, abs=1e-6)
    assert r.loc["z", ["count_a", "count_b"]].tolist() == [0, 3]


def test_log_odds_default_prior_is_half_the_pooled_counts() -> None:
    a, b = {"x": 3, "y": 1}, {"x": 1, "y": 3}
    out = stats.log_odds_dirichlet(a, b).set_index("term")
    # alpha = (2, 2): delta_x = 2 log(5/3), var = 1/5 + 1/3 -> z = 1.39895.
    assert out.loc["x", "delta"] == pytest.approx(2 * math.log(5 / 3))
    assert out.loc["x", "z"] == pytest.approx(1.3989536, abs=1e-6)
    assert out.loc["y", "z"] == pytest.approx(-1.3989536, abs=1e-6)
    explicit = stats.log_odds_dirichlet(a, b, prior={"x": 4, "y": 4}, prior_scale=4)
    pd.testing.assert_frame_equal(explicit.set_index("term"), out)
    # A flat prior of total 2: delta_x = 2 log 2, var 1/4 + 1/2.
    flat = stats.log_odds_dirichlet(a, b, prior={"x": 1, "y": 1}).set_index("term")
    assert flat.loc["x", "z"] == pytest.approx(1.6007548, abs=1e-6)


def test_log_odds_is_antisymmetric_and_rejects_bad_prior() -> None:
    a, b = {"p": 9, "q": 2, "r": 4}, {"p": 3, "q": 7, "s": 1}
    ab = stats.log_odds_dirichlet(a, b).set_index("term")["z"]
    ba = stats.log_odds_dirichlet(b, a).set_index("term")["z"]
    assert ab.sort_index().to_numpy() == pytest.approx(-ba.sort_index().to_numpy())
    with pytest.raises(ValueError, match="positive"):
        stats.log_odds_dirichlet(a, b, prior={"p": 1.0, "q": 1.0})


# --- terms ----------------------------------------------------------------------------------------


def _token_table(tokens: list[str], plan: str = "P", cats: list[str] | None = None) -> pd.DataFrame:
    n = len(tokens)
    return pd.DataFrame(
        {
            "plan_id": plan,
            "sentence_id": [f"{plan}{i}" for i in range(n)],
            "section": "",
            "kind": "sentence",
            "text": "",
            "n_chars": 1,
            "categories": "",
            "primary_category": cats or ["other"] * n,
            "matched_terms": "",
            "tokens": tokens,
        }
    )


def test_term_counts_drops_numbers_punctuation_and_stopwords() -> None:
    df = _token_table(
        [
            "银行 2016 年 十三五 ， 的 银行",
            "30% 百分之 第三 第二节 第三方 支付 \ue004 ——  一体化",
            "两 ２０ 万 亿元 IPO",
        ],
        cats=["markets", "other", "markets"],
    )
    counts = stats.term_counts(df, "P", stopwords=frozenset({"的", "年"}))
    assert counts == Counter(
        {"银行": 2, "百分之": 1, "第三方": 1, "支付": 1, "一体化": 1, "亿元": 1, "IPO": 1}
    )
    by_cat = stats.term_counts(df, "P", category="markets", stopwords=frozenset({"的", "年"}))
    assert by_cat == Counter({"银行": 2, "亿元": 1, "IPO": 1})
    assert stats.term_counts(df, "other-plan") == Counter()


def test_distinctive_terms_sides_counts_and_filter() -> None:
    left = _token_table(["银行 银行 银行 市场", "银行 银行 保险 的", "罕见 市场"], plan="L")
    right = _token_table(["支付 支付 结算 市场", "支付 结算 结算 市场", "支付 的 市场"], plan="R")
    df = pd.concat([left, right], ignore_index=True)
    out = stats.distinctive_terms(df, "L", "R", stopwords=frozenset({"的"}), top=2, min_count=3)
    assert list(out.columns) == ["side", "rank", "term", "count_left", "count_right", "delta", "z"]
    assert out[out.side == "L"]["term"].tolist() == ["银行"]  # 保险/罕见 below min_count
    assert out[out.side == "R"]["term"].tolist() == ["支付", "结算"]
    assert out[out.side == "R"]["rank"].tolist() == [1, 2]
    row = out.set_index("term").loc["支付"]
    assert (row["count_left"], row["count_right"]) == (0, 4)
    assert (out[out.side == "L"]["z"] > 0).all() and (out[out.side == "R"]["z"] < 0).all()
    # 市场 (2 vs 3) leans right but less than 支付 and 结算, so top=2 leaves it out.
    assert "市场" not in set(out["term"])
    wide = stats.distinctive_terms(df, "L", "R", stopwords=frozenset({"的"}), top=5, min_count=1)
    assert "罕见" in set(wide[wide.side == "L"]["term"])


# --- KWIC ----------------------------------------------------------------------------------------


def test_kwic_every_occurrence_in_order() -> None:
    df = _token_table(["", "", ""], plan="P")
    df["text"] = ["金融中心建设金融中心", "没有", "打造西部金融中心和结算中心"]
    df["section"] = ["s1", "s1", "s2"]
    heading = df.iloc[[0]].assign(kind="heading", sentence_id="h", text="金融中心")
    df = pd.concat([heading, df], ignore_index=True)
    out = stats.kwic(df, "金融中心", width=2)
    assert list(out.columns) == ["plan_id", "sentence_id", "section", "left", "keyword", "right"]
    assert out[["sentence_id", "left", "right"]].values.tolist() == [
        ["P0", "", "建设"],
        ["P0", "建设", ""],
        ["P2", "西部", "和结"],
    ]
    assert len(stats.kwic(df, "金融中心", limit=2)) == 2
    assert stats.kwic(df, "金融中心", plan_id="Q").empty
    assert stats.kwic(df, "金融中心", width=20).loc[2, "left"] == "打造西部"


# --- stop words -----------------------------------------------------------------------------------


def test_load_stopwords(tmp_path) -> None:
    path = tmp_path / "sw.txt"
    path.write_text("# header\n的\n\n  和  \n#comment\n的\n", encoding="utf-8")
    assert stats.load_stopwords(path) == frozenset({"的", "和"})
    real_lines = STOPWORDS.read_text(encoding="utf-8").splitlines()
    assert real_lines[0].startswith("#")
    real = stats.load_stopwords(STOPWORDS)
    assert {"的", "和", "与", "等", "加快", "推进", "进一步", "发展", "金融"} <= real
    assert not {"创新", "改革", "监管", "风险", "支付", "人才", "保险"} & real


# --- real texts ---------------------------------------------------------------------------------

_RULES = (
    ("risk", ("监管", "风险防范", "防范", "稳定")),
    ("talent", ("人才",)),
    ("infrastructure", ("支付", "结算", "征信", "信用体系")),
    ("markets", ("市场", "融资", "贷款", "上市")),
    ("institutions", ("银行", "保险", "证券", "机构")),
)


def _naive_table(plan_id: str) -> pd.DataFrame:
    import jieba

    text = (DATA / "raw" / f"{plan_id}.txt").read_text(encoding="utf-8")
    parts = [p.strip() for p in re.split(r"[。；！？\n]", text) if p.strip()]
    cats = [next((c for c, words in _RULES if any(w in p for w in words)), "other") for p in parts]
    return pd.DataFrame(
        {
            "plan_id": plan_id,
            "sentence_id": range(len(parts)),
            "section": "",
            "kind": "sentence",
            "text": parts,
            "n_chars": [len(p) for p in parts],
            "categories": "",
            "primary_category": cats,
            "matched_terms": "",
            "tokens": [" ".join(jieba.lcut(p)) for p in parts],
        }
    )


def test_real_plans_shares_intervals_and_terms() -> None:
    cq, cd = "chongqing-2016-2020", "chengdu-2006-2010"
    df = pd.concat([_naive_table(cq), _naive_table(cd)], ignore_index=True)
    shares = stats.category_shares(df, n_boot=1000)
    assert shares.groupby("plan_id")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    assert list(pd.unique(shares["plan_id"])) == [cq, cd]
    assert ((shares["lo"] <= shares["share"]) & (shares["share"] <= shares["hi"])).all()
    res = stats.chi_square_test(df, cq, cd)
    assert res.table["observed"].sum() == res.n == len(df)
    terms = stats.distinctive_terms(df, cq, cd, stopwords=stats.load_stopwords())
    assert len(terms) == 30
    assert not {"发展", "金融", "的", "重庆", "成都"} & set(terms["term"])
    assert (terms["count_left"] + terms["count_right"] >= 3).all()
    lines = stats.kwic(df, "结算", plan_id=cq)
    assert len(lines) == df[df.plan_id == cq]["text"].str.count("结算").sum()


def test_kwic_finds_a_term_in_a_traditional_sentence_and_quotes_it_as_written() -> None:
    df = pd.DataFrame(
        {
            "plan_id": ["T", "S"],
            "sentence_id": [1, 1],
            "section": "",
            "kind": "sentence",
            "text": ["支持銀行業金融機構發展。", "支持银行业发展。"],
            "text_simplified": ["支持银行业金融机构发展。", "支持银行业发展。"],
            "primary_category": "institutions",
        }
    )
    lines = stats.kwic_many(df, ["银行"], width=2)
    assert lines[["plan_id", "left", "keyword", "right"]].values.tolist() == [
        ["T", "支持", "銀行", "業金"],
        ["S", "支持", "银行", "业发"],
    ]
    assert lines["term"].tolist() == ["银行", "银行"]


def test_no_chi_square_when_the_plans_share_one_category():
    df = pd.DataFrame(
        {
            "plan_id": ["L", "L", "R"],
            "sentence_id": [1, 2, 1],
            "kind": "sentence",
            "primary_category": ["risk", "risk", "risk"],
            "text": ["加强监管。", "防范风险。", "化解风险。"],
        }
    )
    assert stats.chi_square_test(df, "L", "R") is None
    from plancompare import report

    assert report.chi_square_html(None, {"L": "L", "R": "R"}).data.startswith("<p>No χ² test")


@pytest.mark.parametrize(
    ("token", "counted"),
    [
        ("金融", True),
        ("A", False),
        ("x", False),
        ("AI", True),
        ("2020", False),
        ("第三", False),
        ("、", False),
    ],
)
def test_content_tokens_are_words(token, counted):
    assert stats.is_content_token(token) is counted


def test_log_odds_with_one_term_or_an_empty_side_is_empty_and_silent():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would reach the rendered page
        assert stats.log_odds_dirichlet({"人才": 2}, {}).empty
        assert stats.log_odds_dirichlet({"人才": 2, "培养": 1}, {}).empty
        assert stats.log_odds_dirichlet({"人才": 2}, {"人才": 3}).empty
    from plancompare import report

    df = pd.DataFrame(
        {"plan_id": ["L"], "kind": ["sentence"], "primary_category": ["talent"], "text": ["人才。"]}
    )
    reason = report._no_terms_reason(df, "talent", {"L": "Left", "R": "Right"})
    assert reason.startswith("Only Left has sentences in this category")
