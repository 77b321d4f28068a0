"""Comparison statistics over coded sentence tables: shares, tests, distinctive terms, KWIC.

Every function takes the coded sentence table (one row per sentence or heading, with the columns
``plan_id, sentence_id, section, kind, text, n_chars, categories, primary_category,
matched_terms, tokens``) and uses only its ``kind == "sentence"`` rows. Tokens are read from the
already segmented ``tokens`` column and never segmented again here.
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from plancompare.paths import STOPWORDS
from plancompare.style import ALL_CATEGORIES

DEFAULT_SEED = 20240601

# Characters that make up a number written in Chinese (including financial forms and units of
# magnitude), plus percent/per-mille signs: a token made only of these is a number, not a word.
_CN_NUMERALS = frozenset("零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟萬億")
_NUMBER_MARKS = frozenset("%％‰.．,，")
# Ordinal suffixes of enumerations (第三章, 第二节, 第5条): ordinals are structure, not content.
_ORDINAL_SUFFIXES = frozenset("章节条款项点部篇期批次")


# --- the sentence rows -----------------------------------------------------------------------


def coded_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    """Return the kind == "sentence" rows, each (plan_id, sentence_id) once, in table order."""
    rows = sentences.loc[sentences["kind"] == "sentence"]
    # A sentence repeated by a merge or join must count once; duplicated *texts* with distinct
    # ids are the cleaning step's business and are kept.
    rows = rows.drop_duplicates(subset=["plan_id", "sentence_id"], keep="first")
    unknown = sorted(set(rows["primary_category"]) - set(ALL_CATEGORIES))
    if unknown:
        raise ValueError(f"primary_category has values outside ALL_CATEGORIES: {unknown}")
    return rows.reset_index(drop=True)


def plan_order(sentences: pd.DataFrame) -> list[str]:
    """Return the plan ids in their order of first appearance in the table."""
    return [str(p) for p in pd.unique(sentences["plan_id"])]


def _plan_rows(rows: pd.DataFrame, plan_id: str) -> pd.DataFrame:
    """Return one plan's sentence rows; raise KeyError naming the plan when it has none."""
    part = rows.loc[rows["plan_id"] == plan_id]
    if part.empty:
        raise KeyError(f"plan {plan_id!r} has no sentence rows (plans: {plan_order(rows)})")
    return part


def category_counts(rows: pd.DataFrame) -> np.ndarray:
    """Return the primary-category counts of some sentence rows, in ALL_CATEGORIES order."""
    counts = rows["primary_category"].value_counts()
    return np.array([int(counts.get(c, 0)) for c in ALL_CATEGORIES], dtype=np.int64)


# --- bootstrap ---------------------------------------------------------------------------------


def _plan_rng(seed: int, plan_id: str) -> np.random.Generator:
    """Return a generator seeded by (seed, plan): a plan's draws do not depend on other plans."""
    return np.random.default_rng([seed, zlib.crc32(plan_id.encode("utf-8"))])


def bootstrap_shares(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Return an (n_boot, k) array of category shares from resampling the sentences."""
    n = int(counts.sum())
    if n == 0:
        return np.full((n_boot, len(counts)), np.nan)
    # Resampling n sentences with replacement and counting their categories is exactly a
    # multinomial draw with the observed shares.
    draws = rng.multinomial(n, counts / n, size=n_boot)
    return draws / n


def _percentile_interval(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the (lo, hi) percentile interval of bootstrap draws, column by column."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(draws, [alpha, 1 - alpha], axis=0)
    return lo, hi


# --- shares --------------------------------------------------------------------------------------


def category_shares(
    sentences: pd.DataFrame,
    n_boot: int = 2000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> pd.DataFrame:
    """Return per plan and category the count, share, bootstrap interval and rate per 1000 chars."""
    rows = coded_sentences(sentences)
    frames = []
    for plan_id in plan_order(rows):
        part = rows.loc[rows["plan_id"] == plan_id]
        counts = category_counts(part)
        n_sent = int(counts.sum())
        lo, hi = _percentile_interval(
            bootstrap_shares(counts, n_boot, _plan_rng(seed, plan_id)), level
        )
        kchars = float(part["n_chars"].sum()) / 1000
        frames.append(
            pd.DataFrame(
                {
                    "plan_id": plan_id,
                    "category": list(ALL_CATEGORIES),
                    "n": counts,
                    "n_sentences": n_sent,
                    "share": counts / n_sent,
                    "lo": lo,
                    "hi": hi,
                    "per_1000_chars": counts / kchars if kchars > 0 else np.nan,
                }
            )
        )
    columns = ["plan_id", "category", "n", "n_sentences", "share", "lo", "hi", "per_1000_chars"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def share_difference(
    sentences: pd.DataFrame,
    left: str,
    right: str,
    n_boot: int = 2000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> pd.DataFrame:
    """Return per category the two plans' shares, their difference and its bootstrap interval."""
    rows = coded_sentences(sentences)
    counts_l = category_counts(_plan_rows(rows, left))
    counts_r = category_counts(_plan_rows(rows, right))
    # Independent resampling of each plan, with the same per-plan streams as category_shares.
    boot_l = bootstrap_shares(counts_l, n_boot, _plan_rng(seed, left))
    boot_r = bootstrap_shares(counts_r, n_boot, _plan_rng(seed, right))
    lo, hi = _percentile_interval(boot_l - boot_r, level)
    share_l = counts_l / counts_l.sum()
    share_r = counts_r / counts_r.sum()
    out = pd.DataFrame(
        {
            "category": list(ALL_CATEGORIES),
            "n_left": counts_l,
            "n_right": counts_r,
            "share_left": share_l,
            "share_right": share_r,
            "diff": share_l - share_r,
            "lo": lo,
            "hi": hi,
        }
    )
    out["_abs"] = out["diff"].abs().round(12)
    out["_order"] = range(len(out))
    out = out.sort_values(["_abs", "_order"], ascending=[False, True], kind="mergesort")
    return out.drop(columns=["_abs", "_order"]).reset_index(drop=True)


# --- chi-square --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson's chi-square test of category x plan, with cell-level adjusted residuals."""

    chi2: float
    dof: int
    p_value: float
    n: int
    cramers_v: float
    # Long table: category, plan_id, observed, expected, adj_residual (Haberman 1973).
    table: pd.DataFrame
    dropped: tuple[str, ...] = field(default=())
    # Cells with expected count below 5: the chi-square approximation is doubtful if many.
    n_low_expected: int = 0


def chi_square_test(sentences: pd.DataFrame, left: str, right: str) -> ChiSquareResult | None:
    """Return Pearson's chi-square (no continuity correction) of primary category by plan.

    None when the two plans' sentences fall in fewer than two categories: there is no test.
    """
    rows = coded_sentences(sentences)
    observed = np.column_stack(
        [category_counts(_plan_rows(rows, left)), category_counts(_plan_rows(rows, right))]
    ).astype(float)
    keep = observed.sum(axis=1) > 0
    dropped = tuple(c for c, k in zip(ALL_CATEGORIES, keep, strict=True) if not k)
    cats = [c for c, k in zip(ALL_CATEGORIES, keep, strict=True) if k]
    observed = observed[keep]
    if len(cats) < 2:
        return None
    n = observed.sum()
    row_tot = observed.sum(axis=1, keepdims=True)
    col_tot = observed.sum(axis=0, keepdims=True)
    expected = row_tot @ col_tot / n
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    adj = (observed - expected) / np.sqrt(expected * (1 - row_tot / n) * (1 - col_tot / n))
    plans = [left, right]
    table = pd.DataFrame(
        {
            "category": np.repeat(cats, 2),
            "plan_id": plans * len(cats),
            "observed": observed.ravel().astype(np.int64),
            "expected": expected.ravel(),
            "adj_residual": adj.ravel(),
        }
    )
    return ChiSquareResult(
        chi2=chi2,
        dof=dof,
        p_value=float(special.chdtrc(dof, chi2)),  # chi2.sf, without scipy.stats' import
        n=int(n),
        cramers_v=math.sqrt(chi2 / (n * (min(observed.shape) - 1))),
        table=table,
        dropped=dropped,
        n_low_expected=int((expected < 5).sum()),
    )


# --- distinctive terms ---------------------------------------------------------------------------


def log_odds_dirichlet(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    prior: Mapping[str, float] | None = None,
    prior_scale: float | None = None,
) -> pd.DataFrame:
    """Return Monroe et al. (2008) log-odds ratios with an informative Dirichlet prior, by term.

    delta_w = log((y_aw + a_w) / (n_a + a_0 - y_aw - a_w))
            - log((y_bw + a_w) / (n_b + a_0 - y_bw - a_w)),
    var_w ~ 1 / (y_aw + a_w) + 1 / (y_bw + a_w), z_w = delta_w / sqrt(var_w); positive z leans
    to side a. The vocabulary is every term with a positive count on either side.

    Default prior: the pooled counts y_aw + y_bw scaled to a total a_0 = prior_scale, which
    defaults to (n_a + n_b) / 2, i.e. a_w = (y_aw + y_bw) / 2: as much weight as one average
    side, so rare terms are shrunk hard while common terms keep their difference. A given
    prior is used as is, or rescaled to total prior_scale when that is given too; it must be
    positive on every term of the vocabulary.
    """
    vocab = sorted(
        {t for t, c in counts_a.items() if c > 0} | {t for t, c in counts_b.items() if c > 0}
    )
    columns = ["term", "count_a", "count_b", "delta", "var", "z"]
    if not vocab:
        return pd.DataFrame(columns=columns)
    y_a = np.array([counts_a.get(t, 0) for t in vocab], dtype=float)
    y_b = np.array([counts_b.get(t, 0) for t in vocab], dtype=float)
    if (y_a < 0).any() or (y_b < 0).any():
        raise ValueError("counts must be non-negative")
    if prior is None:
        alpha = y_a + y_b
        scale = (y_a.sum() + y_b.sum()) / 2 if prior_scale is None else prior_scale
    else:
        alpha = np.array([prior.get(t, 0.0) for t in vocab], dtype=float)
        missing = [t for t, a in zip(vocab, alpha, strict=True) if not a > 0]
        if missing:
            raise ValueError(f"prior must be positive for every term; not for {missing[:10]}")
        scale = alpha.sum() if prior_scale is None else prior_scale
    if not scale > 0:
        raise ValueError(f"prior_scale must be positive, got {prior_scale}")
    alpha = alpha / alpha.sum() * scale
    a0 = alpha.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    if len(vocab) < 2 or not n_a or not n_b:
        # One term, or one side with no words: the log-odds of a term against the rest of its
        # side's words are undefined (a division by zero), so nothing is distinctive.
        return pd.DataFrame(columns=columns)
    delta = np.log((y_a + alpha) / (n_a + a0 - y_a - alpha)) - np.log(
        (y_b + alpha) / (n_b + a0 - y_b - alpha)
    )
    var = 1 / (y_a + alpha) + 1 / (y_b + alpha)
    out = pd.DataFrame(
        {
            "term": vocab,
            "count_a": y_a.astype(np.int64),
            "count_b": y_b.astype(np.int64),
            "delta": delta,
            "var": var,
            "z": delta / np.sqrt(var),
        }
    )
    out = out.sort_values(["z", "term"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def is_content_token(token: str, stopwords: frozenset[str] = frozenset()) -> bool:
    """Return whether a token is a word to count: not a stop word, number or punctuation."""
    token = token.strip()
    if not token or token in stopwords:
        return False
    if any(ch.isdigit() for ch in token):
        return False
    if all(_is_punct(ch) or ch in _CN_NUMERALS or ch in _NUMBER_MARKS for ch in token):
        return False
    if len(token) == 1 and token.isascii():
        return False  # A and B of A&B, the x of 5x: a letter alone is no word
    # Ordinals such as 第三, 第十一, 第二节.
    if token[0] == "第" and len(token) > 1:
        body = token[1:].rstrip("".join(_ORDINAL_SUFFIXES))
        if body and all(ch in _CN_NUMERALS for ch in body):
            return False
    return True


@lru_cache(maxsize=1 << 16)
def _is_content_cached(token: str, stopwords: frozenset[str]) -> bool:
    """Return is_content_token(token, stopwords), remembered (term counts ask again and again)."""
    return is_content_token(token, stopwords)


def _is_punct(ch: str) -> bool:
    """Return whether a character is punctuation, a symbol, whitespace or a control/private-use."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZC"


def term_counts(
    sentences: pd.DataFrame,
    plan_id: str,
    category: str | None = None,
    stopwords: frozenset[str] = frozenset(),
) -> Counter[str]:
    """Return the content-token counts of a plan's sentences (of one primary category if given)."""
    rows = coded_sentences(sentences)
    rows = rows.loc[rows["plan_id"] == plan_id]
    if category is not None:
        if category not in ALL_CATEGORIES:
            raise ValueError(f"unknown category {category!r}; expected one of {ALL_CATEGORIES}")
        rows = rows.loc[rows["primary_category"] == category]
    counts: Counter[str] = Counter()
    for tokens in rows["tokens"].fillna(""):
        counts.update(str(tokens).split())
    # Each distinct token is tested once, not once per occurrence (and once per process).
    return Counter({t: n for t, n in counts.items() if _is_content_cached(t, stopwords)})


def distinctive_terms(
    sentences: pd.DataFrame,
    left: str,
    right: str,
    category: str | None = None,
    stopwords: frozenset[str] = frozenset(),
    top: int = 15,
    min_count: int = 3,
    prior_scale: float | None = None,
) -> pd.DataFrame:
    """Return the `top` terms most distinctive of each side by log-odds z, with raw counts."""
    counts_l = term_counts(sentences, left, category, stopwords)
    counts_r = term_counts(sentences, right, category, stopwords)
    columns = ["side", "rank", "term", "count_left", "count_right", "delta", "z"]
    # The model sees the whole vocabulary (so side totals are honest); min_count only filters
    # which terms may be reported.
    scored = log_odds_dirichlet(counts_l, counts_r, prior_scale=prior_scale)
    if scored.empty:
        return pd.DataFrame(columns=columns)
    scored = scored.rename(columns={"count_a": "count_left", "count_b": "count_right"})
    scored = scored.loc[scored["count_left"] + scored["count_right"] >= min_count]
    lean_l = scored.loc[scored["z"] > 0].head(top).assign(side=left)
    lean_r = (
        scored.loc[scored["z"] < 0]
        .sort_values(["z", "term"], ascending=[True, True], kind="mergesort")
        .head(top)
        .assign(side=right)
    )
    parts = []
    for part in (lean_l, lean_r):
        part = part.copy()
        part["rank"] = np.arange(1, len(part) + 1)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[columns]


# --- keyword in context --------------------------------------------------------------------------


KWIC_COLUMNS = ["plan_id", "sentence_id", "section", "left", "keyword", "right"]


def kwic(
    sentences: pd.DataFrame,
    term: str,
    width: int = 20,
    plan_id: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Return one keyword-in-context line per occurrence of `term` in the sentences' text."""
    return kwic_many(sentences, [term], width, plan_id, limit).drop(columns="term")


def kwic_many(
    sentences: pd.DataFrame,
    terms: list[str],
    width: int = 20,
    plan_id: str | None = None,
    per_plan: int | None = None,
) -> pd.DataFrame:
    """Return KWIC lines of several terms (term, then plan order), up to `per_plan` per pair."""
    if any(not t for t in terms):
        raise ValueError("term must be a non-empty string")
    if width < 0:
        raise ValueError(f"width must be non-negative, got {width}")
    rows = coded_sentences(sentences)
    if plan_id is not None:
        rows = rows.loc[rows["plan_id"] == plan_id]
    # Plain tuples, grouped by plan once: the terms are then looked up without pandas. Terms are
    # simplified (they come from the segmented simplified text): a traditional-script sentence
    # is searched in its simplified form and quoted in its own script at the same places.
    columns = ["plan_id", "sentence_id", "section", "text"]
    search = "text_simplified" if "text_simplified" in rows.columns else "text"
    by_plan: dict[str, list[tuple]] = {p: [] for p in plan_order(rows)}
    for rec in zip(*(rows[c].tolist() for c in [*columns, search]), strict=True):
        by_plan[str(rec[0])].append(rec)
    lines = []
    for term in terms:
        for records in by_plan.values():
            lines.extend(
                (term, *line) for line in islice(_kwic_lines(records, term, width), per_plan)
            )
    return pd.DataFrame(lines, columns=["term", *KWIC_COLUMNS])


def _kwic_lines(records: list[tuple], term: str, width: int) -> Iterator[tuple]:
    """Yield KWIC tuples of one plan's (plan_id, sentence_id, section, text, search) records."""
    for plan, sentence_id, section, text, search in records:
        text, search = str(text), str(search)
        if len(search) != len(text):  # the script conversion changed the length: quote it
            text = search
        start = search.find(term)
        while start >= 0:
            end = start + len(term)
            left = text[max(0, start - width) : start]
            yield plan, sentence_id, section, left, text[start:end], text[end : end + width]
            start = search.find(term, end)


# --- stop words ---------------------------------------------------------------------------------


def load_stopwords(path: Path | str = STOPWORDS) -> frozenset[str]:
    """Return the stop words of a one-per-line file, skipping blank lines and '#' comments."""
    words = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            words.add(word)
    return frozenset(words)


def top_terms_by_category(
    sentences: pd.DataFrame, plan_id: str, stopwords: frozenset[str] = frozenset(), n: int = 10
) -> pd.DataFrame:
    """Return the n most frequent content words of each category in one plan, with their counts."""
    rows = []
    for cat in ALL_CATEGORIES:
        counts = term_counts(sentences, plan_id, category=cat, stopwords=stopwords)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        rows.append({"category": cat, "top terms": "、".join(f"{t} ({c})" for t, c in top)})
    return pd.DataFrame(rows)


# --- terms of one category against the rest of a plan ------------------------------------------


def category_vs_rest_terms(
    sentences: pd.DataFrame,
    plan_id: str,
    category: str,
    stopwords: frozenset[str] = frozenset(),
    top: int = 10,
    min_count: int = 3,
) -> pd.DataFrame:
    """Return the terms most distinctive of one category against the plan's other sentences."""
    inside = term_counts(sentences, plan_id, category, stopwords)
    total = term_counts(sentences, plan_id, None, stopwords)
    rest = Counter({t: c - inside.get(t, 0) for t, c in total.items() if c - inside.get(t, 0) > 0})
    columns = ["rank", "term", "count_category", "count_rest", "delta", "z"]
    scored = log_odds_dirichlet(inside, rest)
    if scored.empty:
        return pd.DataFrame(columns=columns)
    scored = scored.rename(columns={"count_a": "count_category", "count_b": "count_rest"})
    scored = scored.loc[(scored["z"] > 0) & (scored["count_category"] >= min_count)].head(top)
    return scored.assign(rank=np.arange(1, len(scored) + 1))[columns].reset_index(drop=True)
