"""Quantitative targets and baselines: extraction from sentences, the flattened 专栏1 table,
harmonised indicator keys, implied growth and a side-by-side comparison of plans."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from plancompare import paths
from plancompare.cleaning import FULLWIDTH_ASCII, to_simplified
from plancompare.storage import read_yaml

if TYPE_CHECKING:
    from plancompare.manifest import Plan

COLUMNS: tuple[str, ...] = (
    "plan_id",
    "sentence_id",
    "indicator",
    "name_zh",
    "year",
    "value",
    "unit",
    "value_std",
    "unit_std",
    "role",
    "qualifier",
    "cumulative",
    "reference_year",
    "source_text",
)
# Extra columns, after the required ones: what kind of number it is and where it came from.
EXTRA_COLUMNS: tuple[str, ...] = (
    "measure",
    "qualitative_target",
    "aspirational",
    "value_high",
    "period",
    "year_source",
    "source",
    "table_row",
    "position",
)
ROLES = ("baseline", "target", "growth", "context")
MEASURES = ("level", "annual_growth", "change", "multiple")

# ---------------------------------------------------------------------------------------------
# Text normalisation (one character for one, so positions stay those of the input)

# Cleaning's full-width-to-ASCII table, plus the brackets, dots and dashes around numbers that
# cleaning keeps (headings need them) but number matching does not.
_WIDTH = dict(FULLWIDTH_ASCII)
_WIDTH.update(
    {
        "（": "(",
        "）": ")",
        "．": ".",
        "～": "~",
        "\u2014": "—",
        "\u2013": "—",
        "\u2015": "—",
        "\u2012": "—",
    }
)
_WIDTH_TABLE = str.maketrans(_WIDTH)
# str.translate with a dict looks every character up in Python; most sentences need no change.
_WIDTH_CHARS = re.compile("[" + "".join(_WIDTH) + "]")


def normalise(text: str) -> str:
    """Return text with full-width digits, brackets, % and dots made ASCII and traditional
    characters simplified (金融業增加值達到1000億元 → 金融业增加值达到1000亿元), at the same length."""
    if _WIDTH_CHARS.search(text):
        text = text.translate(_WIDTH_TABLE)
    simplified = to_simplified(text)
    # OpenCC converts phrase by phrase: positions must stay those of the input, so a conversion
    # that changed the length (none known in t2s) is not used.
    return simplified if len(simplified) == len(text) else text


# ---------------------------------------------------------------------------------------------
# The indicator map


@dataclass(frozen=True)
class IndicatorDef:
    """One canonical indicator: labels, standard unit and the names that denote it."""

    key: str
    label_en: str
    label_zh: str
    unit_std: str
    aliases: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    exclude_sentence: tuple[str, ...] = ()


@dataclass(frozen=True)
class AliasHit:
    """An alias found in a text: which indicator(s), the words matched and where."""

    keys: tuple[str, ...]
    surface: str
    start: int
    end: int


def _alias_regex(alias: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in normalise(alias).split("…")]
    return re.compile(r"[^，。；、,;：:()]{0,6}?".join(parts))


def _alias_anchor(alias: str) -> str:
    """Return the longest literal part of an alias: no text without it can match the alias."""
    return max(normalise(alias).split("…"), key=len)


# (indicator keys, alias pattern, its anchor, the indicator or None for a compound)
_AliasPattern = tuple[tuple[str, ...], re.Pattern[str], str, IndicatorDef | None]


@dataclass
class IndicatorMap:
    """Canonical indicators with their aliases, and compound names that stand for several."""

    version: int
    indicators: dict[str, IndicatorDef]
    compounds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _patterns: list[_AliasPattern] = field(default_factory=list, repr=False)
    # Each indicator's exclude phrases as patterns.
    _exclude: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict, repr=False)
    # Pattern numbers by their anchor's first two characters, so that find tries only the
    # patterns whose anchor may be in a text; anchors shorter than that are always tried.
    _by_prefix: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _always: list[int] = field(default_factory=list, repr=False)
    # Finds every two characters of a text that begin an anchor, overlapping ones included.
    _prefix_re: re.Pattern[str] = field(default=re.compile(""), repr=False)

    def __post_init__(self) -> None:
        pats: list[_AliasPattern] = []
        for d in self.indicators.values():
            for a in d.aliases:
                pats.append(((d.key,), _alias_regex(a), _alias_anchor(a), d))
        for name, keys in self.compounds.items():
            pats.append((tuple(keys), _alias_regex(name), _alias_anchor(name), None))
        self._patterns = pats
        self._exclude = {
            # 外币存款 (foreign-currency deposits) is a part, but 本外币存款 is the total.
            d.key: tuple(
                re.compile(("(?<!本)" if ph.startswith("外币") else "") + re.escape(ph))
                for ph in d.exclude
            )
            for d in self.indicators.values()
        }
        self._by_prefix, self._always = {}, []
        for i, (_, _, anchor, _) in enumerate(pats):
            if len(anchor) < 2:
                self._always.append(i)
            else:
                self._by_prefix.setdefault(anchor[:2], []).append(i)
        self._prefix_re = re.compile(f"(?=({'|'.join(map(re.escape, self._by_prefix))}))")

    def label(self, key: str, lang: str = "en") -> str:
        """Return the English or Chinese label of a canonical key (the key if unknown)."""
        d = self.indicators.get(key)
        if d is None:
            return key
        return d.label_zh if lang == "zh" else d.label_en

    def is_flow(self, key: str) -> bool:
        """Return whether an indicator counts what is new (an alias of it begins with 新增)."""
        d = self.indicators.get(key)
        return d is not None and any(a.startswith("新增") for a in d.aliases)

    def unit_of(self, key: str) -> str:
        """Return the standard unit of a canonical key ('' if unknown)."""
        d = self.indicators.get(key)
        return d.unit_std if d else ""

    def find(self, text: str, unit_std: str | None = None, sentence: str = "") -> AliasHit | None:
        """Return the alias ending nearest the end of text (longest on a tie), or None."""
        best: tuple[tuple[str, ...], re.Match[str]] | None = None
        best_rank = (-1, -1)
        for i in self._candidates(text):
            keys, pat, anchor, d = self._patterns[i]
            if anchor not in text:
                continue
            exclude: tuple[re.Pattern[str], ...] = ()
            if d is not None:
                if unit_std and not _units_compatible(d.unit_std, unit_std):
                    continue
                if any(x in sentence for x in d.exclude_sentence):
                    continue
                exclude = self._exclude[d.key]
            per_head = d is None or d.unit_std != "CNY/person"
            for m in pat.finditer(text):
                if exclude and _excluded(text, m.start(), m.end(), exclude):
                    continue
                if per_head and _PER_HEAD_BEFORE.search(text, max(0, m.start() - 6), m.start()):
                    continue  # 人均存款余额, 人均地区生产总值 are not the totals
                rank = (m.end(), m.end() - m.start())
                # Strictly greater: on a full tie the earlier pattern wins.
                if best is None or rank > best_rank:
                    best, best_rank = (keys, m), rank
        if best is None:
            return None
        keys, m = best
        return AliasHit(keys, m.group(0), m.start(), m.end())

    def _candidates(self, text: str) -> list[int]:
        """Return, in order, the numbers of the patterns whose anchor may occur in text."""
        found = set(self._always)
        for prefix in set(self._prefix_re.findall(text)):
            found.update(self._by_prefix[prefix])
        return sorted(found)


# Words before a name that make it an average per person or household, not a total.
_PER_HEAD = {"人均", "户均"}
# One of them right before a name, or before the words of a longer name that holds the alias
# (人均[地区]生产总值, 户均[本外币]存款余额).
_PER_HEAD_BEFORE = re.compile("(?:" + "|".join(sorted(_PER_HEAD)) + r")[^，。；、,;：:()\d]{0,4}$")


def _excluded(text: str, start: int, end: int, phrases: tuple[re.Pattern[str], ...]) -> bool:
    for ph in phrases:
        for m in ph.finditer(text):
            if m.start() < end and m.end() > start:
                return True
    return False


_MONEY = {"CNY", "USD"}


def _units_compatible(indicator_unit: str, value_unit: str) -> bool:
    if not indicator_unit or not value_unit:
        return True
    if indicator_unit in _MONEY and value_unit in _MONEY:
        return True
    if indicator_unit == "CNY/person" and value_unit in {"CNY", "CNY/person"}:
        return True
    return indicator_unit == value_unit


def load_indicator_map(path: Path | str = paths.INDICATOR_MAP) -> IndicatorMap:
    """Return the indicator map read from a YAML file (version, indicators, compounds)."""
    raw = read_yaml(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or "indicators" not in raw:
        raise ValueError(f"{path}: expected a mapping with 'version' and 'indicators'")
    defs: dict[str, IndicatorDef] = {}
    for key, d in raw["indicators"].items():
        missing = [f for f in ("label_en", "label_zh", "unit_std", "aliases") if f not in d]
        if missing:
            raise ValueError(f"{path}: indicator '{key}' lacks {', '.join(missing)}")
        defs[key] = IndicatorDef(
            key=key,
            label_en=str(d["label_en"]),
            label_zh=str(d["label_zh"]),
            unit_std=str(d["unit_std"]),
            aliases=tuple(str(a) for a in d["aliases"]),
            exclude=tuple(str(a) for a in d.get("exclude") or ()),
            exclude_sentence=tuple(str(a) for a in d.get("exclude_sentence") or ()),
        )
    compounds = {str(k): tuple(v) for k, v in (raw.get("compounds") or {}).items()}
    unknown = [k for ks in compounds.values() for k in ks if k not in defs]
    if unknown:
        raise ValueError(f"{path}: compounds name unknown indicators {unknown}")
    return IndicatorMap(int(raw.get("version", 1)), defs, compounds)


_DEFAULT_MAP: IndicatorMap | None = None


def _default_map() -> IndicatorMap:
    global _DEFAULT_MAP
    if _DEFAULT_MAP is None:
        _DEFAULT_MAP = load_indicator_map()
    return _DEFAULT_MAP


# ---------------------------------------------------------------------------------------------
# Numbers, units and qualifiers

CN_DIGITS = "零〇一二两三四五六七八九十百千"
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# 一万五千亿: a numeral may hold 万 before its scale word (1.5万亿 written out).
_CN = rf"[{CN_DIGITS}]+(?:万[{CN_DIGITS}]+)?"
SCALES: dict[str, float] = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "万": 1e4,
}
# unit as written -> (standard unit, factor)
UNITS: dict[str, tuple[str, float]] = {
    "元/人": ("CNY/person", 1.0),
    "元每人": ("CNY/person", 1.0),
    "美元": ("USD", 1.0),
    "元": ("CNY", 1.0),
    "个百分点": ("percentage points", 1.0),
    "百分点": ("percentage points", 1.0),
    "%": ("%", 1.0),
    "‰": ("%", 0.1),
    "倍": ("times", 1.0),
    "番": ("times", 1.0),
}
COUNT_UNITS = ("家", "个", "类", "项", "户", "人次", "人", "名", "只", "所", "笔", "张", "座", "支")
for _u in COUNT_UNITS:
    UNITS[_u] = ("count", 1.0)
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_SCALE_RE = "|".join(sorted(SCALES, key=len, reverse=True))
# Chinese numerals count only with these units: 一个, 两家 are usually not quantities.
_CN_UNITS = {"倍", "番", "个百分点", "百分点", "%", "元", "美元"}

_MENTION = re.compile(
    rf"(?<![\d.{CN_DIGITS}])(?P<num>{_ARABIC}|{_CN})"
    # A range: 10—12%, or with the unit or scale written twice (10%—12%, 1.2万亿—1.5万亿元).
    rf"(?:(?:(?P<unit1>%|‰)|(?P<scale1>{_SCALE_RE})(?:元|美元)?)?"
    rf"(?P<rsep>[—\-~至])(?P<num2>{_ARABIC}|{_CN}))?"
    rf"(?P<more>多|余)?(?(scale1)(?P=scale1)|(?P<scale>{_SCALE_RE})?)"
    rf"(?(unit1)(?P=unit1)|(?P<unit>{_UNIT_RE})?)"
    r"(?P<post>(?:\([^()]{0,12}\))?(?:左右|以上|以下|以内|上下|前后|多|余))?"
)
_POST_BRACKET = re.compile(r"^\([^()]*\)")
# A minus sign right before a number, after a word (增长-3.2%), not a range's dash (10-12%).
_MINUS = re.compile(r"(?:^|[^\d.%\s—\-~])[-−－]$")
_PERCENT_WORDS = re.compile(rf"百分之(?P<num>{_ARABIC}|{_CN})")
# 突破万亿元: a scale with no numeral is one of it.
_BARE_SCALE = re.compile(
    r"(?<=突破|超过|达到|迈上|跨越|跻身|迈入|实现)(?P<scale>万亿|亿)(?P<unit>元|美元)"
)
# 实现翻番: 番 with no numeral is one doubling (翻一番).
_BARE_FAN = re.compile(r"(?<=翻)番")
# What every mention find_mentions keeps contains: a numeral's last character, then perhaps
# 多/余, then a scale or unit (a mention with neither is dropped), or 百分之.
_NUMBER_CUE = re.compile(
    rf"[\d{CN_DIGITS}][多余]?(?:{_SCALE_RE}|{_UNIT_RE})|百分之|[破过到上越身入现]亿|万亿|翻番"
)

QUALIFIERS: dict[str, str] = {
    "左右": "about",
    "约": "about",
    "大约": "about",
    "近": "about",
    "接近": "about",
    "将近": "about",
    "上下": "about",
    "前后": "about",
    "以上": "at least",
    "不低于": "at least",
    "不少于": "at least",
    "至少": "at least",
    "不下于": "at least",
    "超过": "more than",
    "突破": "more than",
    "高于": "more than",
    "大于": "more than",
    "多于": "more than",
    "超": "more than",
    "逾": "more than",
    "多": "more than",
    "余": "more than",
    "以下": "at most",
    "以内": "at most",
    "不超过": "at most",
    "不高于": "at most",
    "最多": "at most",
    "低于": "less than",
    "少于": "less than",
    "小于": "less than",
    "不足": "less than",
    "力争": "aim",
    "争取": "aim",
}
_PRE_QUAL = re.compile(
    "(?:"
    + "|".join(
        sorted(
            (
                q
                for q in QUALIFIERS
                if q not in {"以上", "以下", "以内", "上下", "前后", "多", "余"}
            ),
            key=len,
            reverse=True,
        )
    )
    + ")(?:了)?$"
)
_AIM = re.compile(r"力争|争取|努力|确保")
_DIGIT = re.compile(r"\d")
_ARABIC_SCALED = re.compile(rf"(\d+(?:\.\d+)?)({_SCALE_RE})?")


# The numerals of five-year plans and small counts, as cn2an reads them (it is slow to call).
_CN_SMALL: dict[str, int] = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_CN_SMALL["两"] = 2
_CN_SMALL.update({"十" + c: 10 + i for i, c in enumerate("一二三四五六七八九", start=1)})


def _cn2an(numeral: str) -> float:
    """Return the value of a Chinese numeral (cn2an, imported on first use: reports never need it)."""
    if numeral in _CN_SMALL:
        return _CN_SMALL[numeral]
    import cn2an

    return cn2an.cn2an(numeral, "smart")


def parse_number(text: str) -> float:
    """Return the value of an Arabic, Chinese or mixed numeral (1.5万亿, 一万亿, 两, 4,477)."""
    s = normalise(text).strip().replace(",", "")
    if not _DIGIT.search(s):
        # 千亿, 百家: a leading 百 or 千 is one hundred or one thousand (cn2an wants the 一).
        return float(_cn2an("一" + s if s[:1] in ("百", "千") else s))
    m = _ARABIC_SCALED.fullmatch(s)
    if m is None:
        raise ValueError(f"not a number: {text!r}")
    return float(m.group(1)) * SCALES.get(m.group(2) or "", 1.0)


def multiple_of_fan(n: float) -> float:
    """Return the factor that n 番 means: 翻一番 doubles (×2), 翻两番 quadruples (×4)."""
    return float(2**n)


def normalise_qualifier(word: str) -> str:
    """Return the normalised qualifier (about, at least, more than, ...) of a Chinese word."""
    return QUALIFIERS.get(word, "")


# ---------------------------------------------------------------------------------------------
# Years and periods

_CN_ORD = "一二三四五六七八九十"


def five_year_period(n: int) -> tuple[int, int]:
    """Return the years of the n-th national five-year plan (n >= 3): 11 -> (2006, 2010)."""
    start = 1966 + 5 * (n - 3)
    return start, start + 4


_PERIOD = re.compile(
    rf"(?:“|\")?(?P<fyp>十[一二三四五六七八九]?五)(?:”|\")?(?=时期|期间|期末|末|初|以来|规划|计划|”|\"|中期)"
    rf"|第(?P<ord>[{_CN_ORD}]+)个五年"
    r"|(?P<future>未来五年|今后五年|规划期内|规划期)"
    r"|(?P<past>五年来|过去五年)"
)
_YEAR = re.compile(
    r"(?P<pre>截至|截止|截止到|到|至|从|于|在)?(?P<y>(?:19|20)\d{2})年(?P<part>底|末|初|前|中|上半年)?"
    r"(?P<price>\(?(?:不变)?价格|可比价)?"
)
_REF_BEFORE = re.compile(r"(?:较|比|是|为|相比于?|与|同|相当于|对比)$")


@dataclass(frozen=True)
class YearExpr:
    """A year or period stated in a sentence and how it is used."""

    start: int
    end: int
    year: int
    kind: str  # point | ref | from | period
    period: tuple[int, int] | None = None
    target_marker: bool = False
    # 由2020年的8.5%提高到10%: the year of the number where a change starts, not of the rest.
    change_start: bool = False


def _period_years(m: re.Match[str], plan: Plan | None) -> tuple[int, int] | None:
    if m.group("fyp"):
        s = m.group("fyp")
        n = 10 if s == "十五" else int(_cn2an(s[:-1]))
        return five_year_period(n)
    if m.group("ord"):
        return five_year_period(int(_cn2an(m.group("ord"))))
    if plan is None:
        return None
    if m.group("future"):
        return plan.start, plan.end
    return plan.baseline_year - 4, plan.baseline_year


def _may_state_time(text: str) -> bool:
    """Return False only for text in which neither _YEAR nor _PERIOD can match."""
    # Every year (…年) and period (十一五, 第十一个五年, 未来五年, 规划期) holds one of these.
    return "年" in text or _may_state_period(text)


def _may_state_period(text: str) -> bool:
    """Return False only for text in which _PERIOD cannot match."""
    return "五" in text or "规划期" in text


def _ref_before(text: str, pos: int) -> bool:
    """Return whether text[:pos] ends with a word of comparison (较, 比, 相当于, ...)."""
    # A match is at most four characters (相当于 before a final newline), so only those are read.
    return _REF_BEFORE.search(text, max(0, pos - 4), pos) is not None


def find_years(text: str, plan: Plan | None = None) -> list[YearExpr]:
    """Return the years and periods stated in a normalised sentence, in order."""
    if not _may_state_time(text):
        return []
    out: list[YearExpr] = []
    for m in _YEAR.finditer(text) if "年" in text else ():
        if m.group("price"):
            continue
        y = int(m.group("y"))
        pre = m.group("pre") or ""
        after = text[m.end() : m.end() + 3]
        starts_change = pre == "从" or (not pre and text[max(0, m.start() - 1) : m.start()] == "由")
        change_start = starts_change and after.startswith("的")
        if _ref_before(text, m.start()) and not pre:
            kind = "ref"
        elif pre == "从" or change_start:
            # 由2015年的1040亿元增长到…: where a change starts, as 从 says; a growth rate after
            # it is over that year, and the sentence's own year is not that one.
            kind = "from"
        elif after.startswith(("以来", "起")):
            kind = "from"
        else:
            kind = "point"
        out.append(
            YearExpr(
                m.start(), m.end(), y, kind, None, pre in {"到", "至"} and bool(pre), change_start
            )
        )
    for m in _PERIOD.finditer(text) if _may_state_period(text) else ():
        yrs = _period_years(m, plan)
        if yrs is None:
            continue
        kind = "ref" if _ref_before(text, m.start()) else "period"
        year = yrs[0] if text[m.end() : m.end() + 1] == "初" else yrs[1]
        out.append(YearExpr(m.start(), m.end(), year, kind, yrs))
    return sorted(out, key=lambda e: e.start)


# ---------------------------------------------------------------------------------------------
# Mentions of numbers in a sentence

_CLAUSE_END = re.compile(r"[，,；;。！？!?：:]|——")
_LIST_SEP = re.compile(r"^[、和及与或,，]*$")
_ANNUAL = re.compile(
    r"(?:年均|年平均|平均每年|每年|年复合)[^，。；]{0,4}?(?:增长|递增|增速|增幅|提高)"
)
_CHANGE_END = re.compile(
    r"(?:同比|(?:比|较)(?:上年末?|去年末?|年初))?(?:增长|增加|提高|上升|下降|降低|减少|新增|净增|扩大|增|降)(?:了)?"
    r"(?:约|近|超过|超|达|达到)?$"
)
# A change that is a fall (下降, 减少): its value is negative.
_DECREASE_END = re.compile(
    r"(?:下降|降低|减少|回落|收窄|缩小|降)(?:了)?(?:约|近|超过|超|达|达到)?$"
)
# 是2010年的2.9倍, also with a word of about after 的 (是2010年的近12倍).
_MULTIPLE_END = re.compile(
    r"(?:是|为|相当于|达到)[^，。；]{0,12}的(?:近|约|将近|接近|超过|逾|超)?$"
)
_NOISE_PREFIX = re.compile(
    r"^(?:[、，,；;：:。—\-\s“”\"()]|截至|截止|到|至|从|于|在(?!保)|其中|此外|另外|同时|全市|我市|全省|全区|"
    r"共有|现有|已有|共|(?:19|20)\d{2}年(?:底|末|初|前)?(?:的)?|[“\"]?十[一二三四五]?五[”\"]?(?:时期|期间|期末|末)?|"
    r"(?:未来|今后|过去|近)?[两三四五六七八九十]年(?:来|间|内)?|分别|力争|争取|确保|努力|"
    r"(?:增长|增加|提高|上升|下降)(?:到|至)|达到|达)+"
)
_NOISE_SUFFIX = re.compile(
    r"(?:达到|达|为|是|有|实现|不超过|控制在|保持在|超过|突破|增长|增加|提高|新增|合计|总计|共计|约|近|分别|了|将|已|"
    r"以上|左右|高于|低于|不低于|保持|年均|年平均|平均每年|每年|递增|同比|的|至|到|进一步|继续|累计|超|逾|"
    r"发展|扩大|提升|上升|下降|降低|减少|由|从|"
    r"(?:(?:较|比|是|为|到|至|从)?(?:19|20)\d{2}年(?:底|末)?的?)|"
    r"(?:较|比|是|为)[“\"]?十[一二三四]?五[”\"]?(?:末|期末|时期|期间)?的?|"
    r"翻了|翻|[、，,；;：:\s])+$"
)
_FROM_END = re.compile(r"(?:由|从)\s*$")
_NEW_COUNT = re.compile(r"(?:每年|年均|平均每年|累计)?新?(?:新增|新设|增设|引进|吸引|培育|招引)")
_REF_IN = re.compile(
    r"(?:较|比|是|为|从)(?:(?:19|20)\d{2}年|上年|年初|去年|[“\"]?十[一二三四五]?五[”\"]?)|翻|同比"
)
# 五年年均增长19.6%, 三年累计增长: a rate over the last (or next) few years up to its year.
_SPAN = re.compile(r"([两三四五六七八九十])年(?:来|间|内)?(?:年均|年平均|平均每年|累计)")
# 比上年, 较年初, 比去年末: the change is over the year before the stated one.
_YEAR_BEFORE = re.compile(r"同比|(?:较|比)(?:上年|去年|年初)")
_TARGET_WORDS = re.compile(
    r"力争|争取|确保|将|目标|到20\d\d|到[“\"]?十|(?:提高|提升|增长|增加|扩大|降低|下降|降)(?:到|至)|控制在|保持在"
)
# Figures about the country or the world are context, not the plan's own baseline, target or
# growth; the city's share of the country's total (占全国比重) is the city's own.
_NATIONAL = re.compile(r"(?<!占)(?:全国|我国|全球|世界)(?!性|平均)")
# The country as the subject of a figure (全国金融业增加值8.4万亿元), not as a rank or a first
# (全国首家, 居全国第5位, 全国率先): the clauses after it that name no place of their own are about
# the country too (全国金融业增加值8.4万亿元，同比增长7%，占国内生产总值比重为8.3%).
_NATIONAL_SUBJECT = re.compile(
    r"(?<!占)(?:全国|我国|全球|世界)(?!性|平均|首|第|唯一|领先|前列|排名|率先|范围|重要)"
    r"(?=[^，。；,;、\d]{2})"  # a name follows (在全国19个城市中: the country is no subject)
)
# Words that bring a figure back to the plan's own place.
_LOCAL = r"全市|我市|本市|市域|全省|我省|本省|全区|我区|本区|全县|我县|本县"
_LOCAL_RE = re.compile(_LOCAL)
# Provinces and the larger cities by name: a figure whose subject starts with one that is not
# the plan's own place (上海市金融业增加值占GDP比重超过18%, 深圳、广州金融业增加值分别为…) is that
# place's, context for the plan; an exchange named after its city (上海证券交易所) is no subject.
_PLACES = (
    "北京|天津|上海|重庆|河北|山西|内蒙古|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|广西|海南|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|香港|澳门|台湾|"
    "深圳|广州|杭州|南京|武汉|成都|西安|苏州|宁波|厦门|青岛|大连|沈阳|长沙|郑州|济南|合肥|福州|"
    "昆明|南昌|长春|哈尔滨|石家庄|太原|南宁|贵阳|兰州|乌鲁木齐|呼和浩特|银川|西宁|拉萨|海口|无锡|"
    "东莞|佛山|温州|泉州|珠海|烟台"
)
_PLACE_SUBJECT = re.compile(
    rf"^(?P<places>(?:(?:{_PLACES})(?:市|省|地区)?[、和与及]?)+)(?!证券|证交所|交易所|联合交易所|期货)"
)


# A district, new area or zone inside the place as a figure's subject (两江新区金融业增加值达到300亿元,
# 东湖高新区上市公司30家, 渝中区金融业增加值): a part of the plan's place, not the place itself. The
# place's own words (全区, 本区, 市区) and words that are no subject (占全区, 地区生产总值) do not count.
_DISTRICT_SUBJECT = re.compile(
    r"^(?!全|我|本|市|城|辖|各|地|该|山|社|园|区)[^\d\s占的在为和与及、，,()“”]{1,5}?"
    r"(?:高新区|新区|开发区|经开区|保税区|自贸区|自贸试验区|片区|示范区|集聚区|核心区|功能区|区|县)"
    r"(?![域划])(?=[^\d\s，,。；;])"
)
# Regions and whole provinces that end like a district: 西部地区, 广西壮族自治区, 主城区.
_NOT_DISTRICT = ("自治区", "地区", "城区", "特区", "行政区")


def _other_place_subject(name: str, plan: Plan) -> bool:
    """Return whether a figure's name starts with places none of which is the plan's own."""
    d = _DISTRICT_SUBJECT.match(name)
    if d is not None and len(d.group(0)) < len(name) and not d.group(0).endswith(_NOT_DISTRICT):
        own = str(getattr(plan, "city_zh", "") or "")
        return not (own and name.startswith(own))
    m = _PLACE_SUBJECT.match(name)
    if m is None or len(m.group("places")) == len(name):
        return False
    own = str(getattr(plan, "city_zh", "") or "").removesuffix("市").removesuffix("省")
    return not (len(own) >= 2 and own in m.group("places"))


@dataclass
class Mention:
    """One number with its unit in a sentence, before the indicator is resolved."""

    start: int
    end: int
    value: float
    value_high: float | None
    unit: str
    scale: str
    unit_std: str
    value_std: float
    qualifier: str
    clause: int
    lead: str
    measure: str = "level"
    bracketed: bool = False


def _clean_name(lead: str) -> str:
    s = _NOISE_PREFIX.sub("", lead)
    s = _NOISE_SUFFIX.sub("", s)
    s = _NOISE_PREFIX.sub("", s)
    return s.strip()


def _exact(x: float) -> float:
    """Return x rounded to 12 significant digits: what a plan wrote, without binary artefacts."""
    return float(f"{x:.12g}")


def _std(value: float, scale: str, unit: str) -> tuple[float, str]:
    mult = SCALES.get(scale, 1.0)
    if unit in UNITS:
        ustd, factor = UNITS[unit]
        if unit == "番":
            return multiple_of_fan(value), ustd
        return _exact(value * mult * factor), ustd
    if scale:
        # 亿 and 万亿 with no currency word are yuan in these plans (突破2万亿).
        return _exact(value * mult), "CNY" if mult >= 1e8 else ""
    return value, ""


def find_mentions(text: str) -> list[Mention]:
    """Return the numbers with units in a normalised sentence (years and list numbers skipped)."""
    masked = (
        _PERIOD.sub(lambda m: "＿" * len(m.group(0)), text) if _may_state_period(text) else text
    )
    clause_starts = [0] + [m.end() for m in _CLAUSE_END.finditer(text)]
    out: list[Mention] = []

    def clause_of(pos: int) -> int:
        return bisect.bisect_right(clause_starts, pos) - 1  # clause_starts ascend from 0

    spans = [(m, "number") for m in _MENTION.finditer(masked)]
    spans += [(m, "percent words") for m in _PERCENT_WORDS.finditer(masked)]
    spans += [(m, "bare scale") for m in _BARE_SCALE.finditer(masked)]
    spans += [(m, "bare fan") for m in _BARE_FAN.finditer(masked)]
    for m, kind in sorted(spans, key=lambda t: t[0].start()):
        num = m.group("num") if kind not in ("bare scale", "bare fan") else "一"
        is_cn = not _DIGIT.match(num)
        if kind == "percent words":
            unit, scale, post, more, num2 = "%", "", "", "", None
        elif kind == "bare fan":
            unit, scale, post, more, num2 = "番", "", "", "", None
        elif kind == "bare scale":
            unit, scale, post, more, num2 = m.group("unit"), m.group("scale"), "", "", None
        else:
            unit = m.group("unit") or m.group("unit1") or ""
            scale = m.group("scale") or m.group("scale1") or ""
            post = m.group("post") or ""
            more = m.group("more") or ""
            num2 = m.group("num2")
            if not unit and not scale:
                continue
            cn_ok = unit in _CN_UNITS or (scale and unit in {"元", "美元", ""})
            # 二十八家 is a count; a one-character numeral before a count word (一个, 两家) is not.
            if is_cn and not (cn_ok or (len(num) > 1 and UNITS.get(unit, ("",))[0] == "count")):
                continue
            # 2015年 is a year, not a number; 第1 is an ordinal.
            if text[m.end() : m.end() + 1] == "年" and not unit:
                continue
        if text[m.end() : m.end() + 1] == "级":
            continue  # 千亿级产业集群 names a class of size, not a quantity
        try:
            value = parse_number(num)
            value_high = parse_number(num2) if num2 else None
        except (ValueError, KeyError):
            continue
        start, end = m.start(), m.end()
        prev_end = out[-1].end if out else 0
        if not is_cn and _MINUS.match(text, max(0, start - 2), start) and start - 1 >= prev_end:
            # 比上年增长-3.2%: a minus sign after a word (not a dash between two numbers).
            value = -value
            value_high = -value_high if value_high is not None else None
            start -= 1
        c = clause_of(start)
        lead = text[max(clause_starts[c], prev_end) : start]
        qual = ""
        pre = _PRE_QUAL.search(text[max(0, start - 4) : start])
        if pre:
            qual = QUALIFIERS[pre.group(0).rstrip("了")]
        post_word = _POST_BRACKET.sub("", post) if post.startswith("(") else post
        if not qual and (post_word or more):
            qual = QUALIFIERS.get(post_word or more, "")
        value_std, unit_std = _std(value, scale, unit)
        bracketed = text[max(0, start - 1) : start] == "【" and text[end : end + 1] == "】"
        out.append(
            Mention(
                start,
                end,
                value,
                value_high,
                scale + unit,
                scale,
                unit_std,
                value_std,
                qual,
                c,
                lead,
                bracketed=bracketed,
            )
        )
    for i, mt in enumerate(out):
        mt.measure = _measure(mt, out[i - 1] if i and out[i - 1].clause == mt.clause else None)
    return out


def _measure(m: Mention, prev: Mention | None) -> str:
    lead = m.lead
    if prev is not None and _LIST_SEP.match(lead):
        return prev.measure
    if m.unit.endswith("番"):
        return "multiple"
    if m.unit.endswith("倍"):
        return "multiple" if _MULTIPLE_END.search(lead) else "change"
    if m.unit_std == "percentage points":
        return "change"
    if m.unit_std == "%" and _ANNUAL.search(lead):
        return "annual_growth"
    if _CHANGE_END.search(lead):
        return "change"
    if m.unit_std == "count" and _NEW_COUNT.match(_clean_name(lead)):
        # 新增上市公司30家 counts an increase; 新增地方社会融资规模 (money) is a flow level.
        return "change"
    return "level"


# ---------------------------------------------------------------------------------------------
# Qualitative targets (a comparison with no number)

_QUALITATIVE = re.compile(
    r"(?P<q>保持低于|保持高于|不低于|不高于|高于|低于|优于)"
    r"(?P<ref>(?:全国|全省|全市|同期|西部|行业)[^，。；,;]{0,12}?(?:平均水平|平均增速|平均值|增速|水平))"
)


# ---------------------------------------------------------------------------------------------
# Resolving mentions into rows


@dataclass
class _Context:
    """What a sentence says about time, for its mentions."""

    years: list[YearExpr]
    inherited: int | None


def _year_for(pos: int, ctx: _Context, lead_start: int | None = None) -> YearExpr | None:
    before = [e for e in ctx.years if e.start < pos and e.kind in {"point", "from", "period"}]
    if lead_start is not None:
        # 到2025年，…由2020年的8.5%提高到10%: 2020 is the year of 8.5% only, not of 10%.
        before = [e for e in before if not e.change_start or e.start >= lead_start]
    return before[-1] if before else None


def _year_after(pos: int, ctx: _Context) -> YearExpr | None:
    return next((e for e in ctx.years if e.start >= pos and e.kind == "point"), None)


def _ref_for(m: Mention, ctx: _Context, year: int | None) -> int | None:
    refs = [e for e in ctx.years if e.kind == "ref" and e.start < m.start]
    in_lead = [e for e in refs if e.start >= m.start - len(m.lead)]
    if in_lead:
        return in_lead[-1].year
    if year is not None and _YEAR_BEFORE.search(m.lead):
        return year - 1
    froms = [e for e in ctx.years if e.kind == "from" and e.start < m.start]
    if froms:
        return froms[-1].year
    if refs:
        return refs[-1].year
    span = _SPAN.search(m.lead)
    if year is not None and span:
        return year - _CN_SMALL[span.group(1)]
    return None


# A row's every column, with the defaults of a prose statement.
_BLANK_ROW: dict[str, Any] = dict.fromkeys(COLUMNS + EXTRA_COLUMNS)
_BLANK_ROW.update(
    indicator="",
    name_zh="",
    qualifier="",
    cumulative=False,
    aspirational=False,
    qualitative_target="",
    source="prose",
    measure="level",
)


def _row(
    plan_id: str,
    sentence_id: Any,
    source_text: str,
    position: int,
    **kw: Any,
) -> dict[str, Any]:
    row = _BLANK_ROW.copy()
    row.update(plan_id=plan_id, sentence_id=sentence_id, source_text=source_text)
    row["position"] = position
    row.update(kw)
    return row


_SECTION_TARGET = re.compile(r"目标|指标|任务|重点|举措|展望|愿景")
_SECTION_BASELINE = re.compile(r"基础|现状|回顾|成就|背景|成绩|成效|进展")


def _unit_to_match(m: Mention) -> str | None:
    """Return the unit an indicator of this number must have (None: any, as for a growth rate)."""
    if m.measure == "level":
        return m.unit_std
    if m.unit_std == "percentage points":
        return "%"  # 占全国比重提高0.5个百分点 changes a share, not the deposits themselves
    if m.measure == "change" and m.unit_std not in ("%", ""):
        return m.unit_std  # 增加2000亿元, 新增20家: an absolute change has the indicator's unit
    return None


def _local_regex(plan: Plan) -> re.Pattern[str]:
    """Return the words that name the plan's own place (全市, 我市, and its city's name)."""
    return _local_words(str(getattr(plan, "city_zh", "") or "").removesuffix("市"))


@lru_cache(maxsize=64)
def _local_words(city: str) -> re.Pattern[str]:
    return re.compile(f"{_LOCAL}|{re.escape(city)}") if len(city) >= 2 else _LOCAL_RE


def _section_hint(section: str) -> str | None:
    if _SECTION_TARGET.search(section):
        return "target"
    if _SECTION_BASELINE.search(section):
        return "baseline"
    return None


def _sentence_rows(
    text: str,
    norm: str,
    years: list[YearExpr],
    sentence_id: Any,
    plan: Plan,
    imap: IndicatorMap,
    inherited: int | None,
    section: str,
) -> list[dict[str, Any]]:
    """Return the rows of one sentence's prose, given its normalised form and stated years."""
    ctx = _Context(years, inherited)
    mentions = find_mentions(norm)
    rows: list[dict[str, Any]] = []
    aim_sentence = bool(_AIM.search(norm))
    resolved: list[tuple[str, str]] = []  # (indicator, name) per mention
    pending: list[tuple[str, str]] = []  # names handed out by 分别 or compounds
    local = _local_regex(plan)
    national_end: int | None = None  # the end of the last figure about the country
    compared_before = False  # whether the number before is that of a place compared with
    each_year: dict[int, int] = {}  # the year of each number of a run after 分别, by its start
    for i, m in enumerate(mentions):
        national = national_end is not None and not local.search(norm, national_end, m.start)
        if national or _NATIONAL_SUBJECT.search(m.lead):
            national_end = m.end
        else:
            national_end = None
        prev_same = mentions[i - 1] if i and mentions[i - 1].clause == m.clause else None
        unit_for_match = _unit_to_match(m)
        key, name = "", ""
        hit: AliasHit | None = None
        if prev_same is not None and _LIST_SEP.match(m.lead) and pending:
            key, name = pending.pop(0)
        else:
            pending = []
            hit = imap.find(m.lead, unit_for_match, norm)
            if m.unit_std == "count" and m.measure in ("level", "change"):
                # 87家证券营业部: a count before its noun names what it counts.
                name, key = _following_name(norm, m.end, imap)
                if name:
                    hit = None
            if "分别" in m.lead:
                each_year = _years_each(m, mentions, i, norm)
                pending = _respectively(m, mentions, i, resolved, norm, imap)
                if pending:
                    key, name = pending.pop(0)
            if not name and hit is not None and len(hit.keys) > 1:
                pending = [(k, hit.surface) for k in hit.keys]
                key, name = pending.pop(0)
            elif not name and hit is not None:
                key, name = hit.keys[0], hit.surface
            if not name:
                name = _clean_name(m.lead)
                if _LIST_SEP.match(name):
                    name = ""  # 分别为480亿元、…和1000亿元: 和 names nothing
            if hit is None and m.unit_std == "%" and _BARE_SHARE.fullmatch(name) and resolved:
                key, name = _share_of_subject(name, mentions[: len(resolved)], resolved, norm, imap)
            if m.measure != "level" and hit is None and _REF_IN.search(name):
                name = ""
            if not name and m.clause and not any(x.clause == m.clause - 1 for x in mentions):
                # 不良贷款率仍然偏高，2005年末为12.6%: the subject is named in the clause before,
                # which holds no figure of its own.
                key, name = _subject_before(m, norm, unit_for_match, imap)
            if hit is None and resolved and _GENERIC_NAME.fullmatch(name):
                name = ""  # 净增19家，总数达到128家: 总数 is the total of the subject before
            if not name and resolved:
                # 达到62家, 年均增长13.8%: the subject is that of the number before.
                key, name = _inherited_subject(m, mentions[: len(resolved)], resolved)
        if key and m.measure == "change" and m.lead.endswith("新增") and imap.is_flow(key):
            m.measure = "level"  # 社会融资规模累计新增1万亿元: the flow itself, not a change of it
        compared = m.measure == "level" and bool(
            _COMPARED.search(m.lead)
            or (prev_same is not None and compared_before and _COMPARED_NEXT.match(m.lead))
        )
        compared_before = compared
        if key and hit is not None and m.measure == "annual_growth":
            # 小微企业贷款年均增速不低于15%: the 年均 belongs to the name of a rate indicator.
            if _ANNUAL.search(hit.surface) and not _ANNUAL.search(m.lead[hit.end :]):
                m.measure = "level"
        gap = (
            _is_gap(m)
            or compared
            or _rate_change(m, key, imap)
            or _part_of(m, key, i, mentions, resolved, norm)
        )
        if gap:
            # 高于同期GDP增速4.2个百分点: a gap to another figure, not a change of the subject;
            # 低于深圳的13.6%和大连的6.1%: the figures of the places compared with.
            key, name = "", _clean_name(m.lead)
        shared = [] if gap else _each_before(m, mentions[:i], resolved)
        if not gap and not shared:
            shared = _shared_number(m, mentions, i, norm, imap)
        if shared:
            key, name = shared[0]
        resolved.append((key, name))
        if not gap and not key and _not_a_plan_figure(m, norm):
            continue
        # 上海市金融业增加值占GDP比重超过18%: another place's figure.
        other = (
            bool(key)
            and not gap
            and (
                _other_place_subject(_clean_name(m.lead), plan) or _other_place_subject(name, plan)
            )
        )
        m_ctx = ctx
        if m.start in each_year:
            # 2011年至2015年…分别为480亿元、…和1000亿元: each number has its own year.
            y = each_year[m.start]
            lead_start = m.start - len(m.lead)
            m_ctx = _Context([YearExpr(lead_start, lead_start, y, "point")], ctx.inherited)
        row = _mention_row(
            m, key, name, norm, text, sentence_id, plan, m_ctx, aim_sentence, national or other
        )
        if key and row["unit_std"] == "CNY" and imap.unit_of(key) == "CNY/person":
            row["unit_std"] = "CNY/person"  # 保险密度为2417元: yuan per person
        if gap:
            row["role"], row["reference_year"] = "context", None
        rows.append(row)
        for k, n in shared[1:]:
            rows.append({**row, "indicator": k, "name_zh": n})
    rows += _qualitative_rows(norm, text, sentence_id, plan, imap, ctx, section)
    hint = _section_hint(section)
    for r in rows:
        if r["year_source"] in {"plan end", "plan baseline"} and hint:
            if r["role"] not in ("growth", "context"):
                r["role"] = hint  # a national figure stays context under any heading
            r["year"] = plan.end if hint == "target" else plan.baseline_year
            r["year_source"] = "section"
            if r["role"] == "growth" and r["reference_year"] is None:
                if r["year"] > plan.baseline_year:
                    r["reference_year"] = plan.baseline_year
    return rows


_EACH = re.compile(r"^(?:均|都|同样)(?=比|较|增长|增加|提高|翻)")


def _each_before(
    m: Mention, before: list[Mention], resolved: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Return the (indicator, name) pairs a change after 均 applies to (none: empty list).

    存款余额达到3万亿元，贷款余额达到2.8万亿元，均比2015年翻一番: the doubling is of each amount
    named before it, one row each.
    """
    if m.measure == "level" or not _EACH.match(m.lead):
        return []
    out: dict[str, str] = {}  # indicator -> the name it was first given
    for b, (k, n) in zip(before, resolved, strict=True):
        if b.measure == "level" and b.unit_std != "%" and k:
            out.setdefault(k, n)
    return list(out.items()) if len(out) > 1 else []


# A name that only says which total (总数达到128家): the subject is that of the number before.
_GENERIC_NAME = re.compile(r"总数|总量|总额|总规模")
# A change of a growth rate (增速比上年提高2.3个百分点), not of the amount whose rate it is.
_RATE_CHANGE = re.compile(r"(?:增速|增幅|增长速度|增长率)(?:(?:比|较)[^，。；,;]{0,8})?$")


def _rate_change(m: Mention, key: str, imap: IndicatorMap) -> bool:
    """Return whether a change in percentage points is that of a growth rate, not of an amount."""
    if m.unit_std != "percentage points" or (key and imap.unit_of(key) == "%"):
        return False
    return bool(_RATE_CHANGE.search(_clean_name(m.lead)))


def _part_of(
    m: Mention,
    key: str,
    i: int,
    mentions: list[Mention],
    resolved: list[tuple[str, str]],
    norm: str,
) -> bool:
    """Return whether a level after 其中 is a part of the same indicator's total before it.

    贷款余额达到6万亿元以上，其中人民币贷款余额5.8万亿元: the RMB loans are a part of the loans.
    """
    if not key or m.measure != "level":
        return False
    start = _clause_span(norm, m.start)[0]
    if not norm[start : m.start].lstrip().startswith("其中"):
        return False
    return any(
        k == key and b.measure == "level" and b.clause < m.clause
        for b, (k, _) in zip(mentions[:i], resolved, strict=True)
    )


# Names before 分别 or 均 that share the one number after them (存贷款余额分别突破5万亿元).
_SHARED_END = re.compile(
    r"(?P<names>[^，。；,;]+?)(?:分别|均|都)(?:为|是|达到|达|超过|突破|跨越|保持在|控制在|在)?$"
)


def _shared_number(
    m: Mention, mentions: list[Mention], i: int, norm: str, imap: IndicatorMap
) -> list[tuple[str, str]]:
    """Return the (indicator, name) pairs that one number after 分别 or 均 applies to.

    存贷款余额分别突破5万亿元, 存款余额和贷款余额均超过7万亿元: each amount is the number.
    """
    if m.measure != "level" or m.unit_std not in ("CNY", "USD", "count", "%"):
        return []
    nxt = mentions[i + 1] if i + 1 < len(mentions) else None
    if nxt is not None and nxt.clause == m.clause and _LIST_SEP.match(nxt.lead):
        return []  # 分别为2.8万亿元和2.2万亿元: a number each
    g = _SHARED_END.search(m.lead)
    if g is None:
        return []
    out: dict[str, str] = {}
    for n in re.split(r"[、和及与]", g.group("names")):
        hit = imap.find(n, m.unit_std, norm)
        if hit is None:
            return []
        for k in hit.keys:
            out.setdefault(k, hit.surface)
    return list(out.items()) if len(out) > 1 else []


def _subject_before(m: Mention, norm: str, unit: str | None, imap: IndicatorMap) -> tuple[str, str]:
    """Return the (indicator, name) named in the clause before a number's own (none: empty)."""
    own_start = _clause_span(norm, m.start)[0]
    before_start = _clause_span(norm, m.start, 1)[0]
    before = norm[before_start:own_start]
    term = _DEFINITION.match(before)
    if term is not None:
        # 保险深度为保费收入占地区生产总值的比重，2015年为3.0%: the term a clause defines is the
        # subject, not the names in its definition.
        hit = imap.find(term.group("term"), unit, norm)
        if hit is not None and len(hit.keys) == 1 and hit.end == len(term.group("term")):
            return hit.keys[0], hit.surface
    hit = imap.find(before, unit, norm)
    if hit is None or len(hit.keys) > 1:
        return "", ""
    return hit.keys[0], hit.surface


# A clause that defines a term: 保险深度为保费收入占GDP的比重, 保险密度是指人均保费收入.
_DEFINITION = re.compile(
    r"(?:注[:：])?(?P<term>[^，。；,;：:\d]{2,12}?)(?:是指|系指|指的是|指|即|为|是)"
)


def _inherited_subject(
    m: Mention, before: list[Mention], resolved: list[tuple[str, str]]
) -> tuple[str, str]:
    """Return the (indicator, name) a number without a subject takes from the numbers before it.

    The nearest named number, except that a growth rate or multiple passes over a share:
    增加值达到821亿元，占地区生产总值的7.5%，是2010年的2.3倍 multiplies the value added.
    """
    named = [(b, r) for b, r in zip(before, resolved, strict=True) if r[1]]
    if m.measure != "level" and m.unit_std != "percentage points":
        amounts = [r for b, r in named if not (b.measure == "level" and b.unit_std == "%")]
        if amounts:
            return amounts[-1]
    if m.measure == "level":
        # 增加值达到260亿元，占生产总值的4.6%；到2015年力争达到600亿元: an amount takes the
        # subject of the nearest level in its own unit, not the share between them.
        same = [r for b, r in named if b.measure == "level" and b.unit_std == m.unit_std]
        if same:
            return same[-1]
    return named[-1][1] if named else ("", "")


# A share named without its whole (占比提高到7%, 比重达到12%).
_BARE_SHARE = re.compile(r"所?占(?:的)?比重?|比重")


def _share_of_subject(
    word: str,
    before: list[Mention],
    resolved: list[tuple[str, str]],
    norm: str,
    imap: IndicatorMap,
) -> tuple[str, str]:
    """Return the (indicator, name) of a share whose whole is the amount named before it.

    金融业增加值达到600亿元，占比提高到7%: 占比 is 金融业增加值占比, the share of GDP.
    """
    for b, (k, n) in reversed(list(zip(before, resolved, strict=True))):
        if not (k and b.measure == "level" and b.unit_std != "%"):
            continue
        hit = imap.find(n + word, "%", norm)
        if hit is not None and len(hit.keys) == 1 and hit.keys[0] != k:
            return hit.keys[0], n + word
        break
    return "", word


# Percentage points after a comparison with another figure (高于同期GDP增速, 比全国平均水平高),
# not with an earlier year (比上年提高).
_GAP = re.compile(
    r"(?:(?:高于|低于|快于|慢于|高出|低出)(?P<obj>[^，。；,;]{1,14})"
    r"|(?:比|较)(?P<obj2>[^，。；,;]{1,14}?)(?:高出|低出|高|低|快|慢))$"
)
_GAP_OBJECT = re.compile(r"全国|全省|全球|同期|平均|增速|水平|行业|地区|西部|东部|中部")
# A level after a comparison and the name of what it is compared with (低于深圳的13.6%), and the
# next ones listed with it (和大连的6.1%), are the other's figures (不低于…的 is a target).
_COMPARED = re.compile(
    r"(?<!不)(?:高于|低于|快于|慢于|不及|仅次于|领先于|落后于)[^，。；,;\d]{1,12}的$"
)
_COMPARED_NEXT = re.compile(r"^[、和及与][^，。；,;\d]{1,8}的$")


def _is_gap(m: Mention) -> bool:
    """Return whether a mention is a gap to another figure (percentage points after 高于…)."""
    if m.unit_std != "percentage points":
        return False
    g = _GAP.search(m.lead)
    return bool(g and _GAP_OBJECT.search(g.group("obj") or g.group("obj2")))


# What follows the number of people at an event.
_ATTENDANCE = re.compile(r"[^，。；,;]{0,3}(?:参加|出席|参会|与会|列席)")
# Clauses that set a policy's terms (rewards, subsidies), whose figures are no plan indicator.
_INCENTIVE = re.compile(r"奖励|补贴|补助|资助|贴息|奖补|给予")


def _not_a_plan_figure(m: Mention, norm: str) -> bool:
    """Return whether an unnamed number is an event's attendance or a policy's terms."""
    # 300余人参加会议: who came to a meeting.
    if m.unit_std == "count" and _ATTENDANCE.match(norm, m.end):
        return True
    # 按注册资本的1%给予奖励，最高不超过2000万元: the terms of a reward or subsidy.
    return bool(_INCENTIVE.search(norm, *_clause_span(norm, m.start, 1)))


def _clause_span(norm: str, pos: int, before: int = 0) -> tuple[int, int]:
    """Return the start and end of the clause of norm at pos, with `before` clauses before it."""
    starts = [0] + [c.end() for c in _CLAUSE_END.finditer(norm, 0, pos)]
    end = _CLAUSE_END.search(norm, pos)
    return starts[max(0, len(starts) - 1 - before)], end.start() if end else len(norm)


# The years of a run of numbers after 分别: a span of years (2011年至2015年, 2011—2015年) or a list
# (2016年、2020年, 2010年和2015年) right before the names.
_YEAR_SPAN = re.compile(r"((?:19|20)\d{2})年?(?:至|到|—|-|～|~)((?:19|20)\d{2})年")
_YEAR_LIST = re.compile(r"(?:19|20)\d{2}年(?:[、和及与](?:19|20)\d{2}年)+")


def _years_each(m: Mention, mentions: list[Mention], i: int, norm: str) -> dict[int, int]:
    """Return the year of each number of the 分别 run starting at mention i, by its start."""
    run = 1
    while i + run < len(mentions) and mentions[i + run].clause == m.clause:
        if not _LIST_SEP.match(mentions[i + run].lead):
            break
        run += 1
    if run < 2:
        return {}
    last_end = mentions[i - 1].end if i else 0
    text = norm[last_end : m.start]
    found = [(x.end(), x, True) for x in _YEAR_SPAN.finditer(text)]
    found += [(x.end(), x, False) for x in _YEAR_LIST.finditer(text)]
    if not found:
        return {}
    _, last, is_span = max(found, key=lambda t: t[0])
    if is_span:
        a, b = int(last.group(1)), int(last.group(2))
        years = list(range(a, b + 1)) if a < b else []
    else:
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", last.group(0))]
    if len(years) != run:
        return {}
    return {mentions[i + k].start: y for k, y in enumerate(years)}


def _respectively(
    m: Mention,
    mentions: list[Mention],
    i: int,
    resolved: list[tuple[str, str]],
    norm: str,
    imap: IndicatorMap,
) -> list[tuple[str, str]]:
    """Return the (indicator, name) pairs that 分别 distributes over this run of numbers."""
    run = 1
    while i + run < len(mentions) and mentions[i + run].clause == m.clause:
        if not _LIST_SEP.match(mentions[i + run].lead):
            break
        run += 1
    before = m.lead.split("分别")[0]
    names = [n for n in re.split(r"[、和及与]", before) if _clean_name(n)]
    if len(names) == run:
        out = []
        for n, mk in zip(names, mentions[i : i + run], strict=True):
            # Each name has its own number's unit (保险深度、保险密度分别为3.5%和3920元/人).
            unit = mk.unit_std if mk.measure == "level" else None
            hit = imap.find(n, unit, norm)
            if hit is None and n is not names[-1]:
                hit = _with_shared_head(n, _clean_name(names[-1]), unit, norm, imap)
            out.append((hit.keys[0] if hit and len(hit.keys) == 1 else "", _clean_name(n)))
        return out
    # Otherwise the names are those of the last `run` numbers of earlier clauses.
    earlier = [
        (resolved[j], mentions[j])
        for j in range(i)
        if mentions[j].clause < m.clause and mentions[j].measure == "level"
    ]
    if len(earlier) >= run:
        return [r for r, _ in earlier[-run:]]
    if m.clause and not any(x.clause == m.clause - 1 for x in mentions):
        # 存贷款余额为本外币口径，2020年末分别为29.6万亿元和20.5万亿元: the names are those of the
        # clause before, which holds no figure of its own.
        own_start = _clause_span(norm, m.start)[0]
        hit = imap.find(norm[_clause_span(norm, m.start, 1)[0] : own_start], None, norm)
        if hit is not None and len(hit.keys) == run:
            return [(k, hit.surface) for k in hit.keys]
    return []


def _with_shared_head(
    name: str, last: str, unit: str | None, norm: str, imap: IndicatorMap
) -> AliasHit | None:
    """Return the indicator of a listed name that shares the last name's head (存款、贷款余额)."""
    # 存款、贷款余额 is 存款余额 and 贷款余额: try the last name's ending (2-3 characters) after
    # this one, and keep a hit only if it needs that ending.
    for k in (2, 3):
        if len(last) <= k:
            break
        hit = imap.find(name + last[-k:], unit, norm)
        if hit is not None and hit.end > len(name):
            return hit
    return None


_FOLLOW_STOP = re.compile(
    r"[，,。；;、和及与()：:—\d“”\"]|分别|相继|在|设立|成立|的|合计|共计|总计|超过|达到|为|是|"
    r"以上|左右|迅速|已|均|全部|先后|"
    # 492家股权投资类企业管理规模合计…亿元: the firms' size belongs to the amount after it.
    r"管理规模|资产规模|注册资本|规模|余额|总额|"
    # 由48家增加到80家: a verb after the count starts no noun.
    r"增加|增长|提高|提升|上升|扩大|减少|下降|降低|突破|发展(?:到|至)"
)


_ATTRIBUTE_BEFORE = re.compile(r"^(?:以上|左右)?[^，,。；;、\d的]{2,12}的(?=[^，,。；;、\d的]{2})")


def _following_name(norm: str, pos: int, imap: IndicatorMap) -> tuple[str, str]:
    """Return (name, indicator) of the noun after a count (3家政策性银行, 87家证券营业部)."""
    # 10家具有全国影响力的金融机构总部: the noun comes after its attribute.
    tail = _ATTRIBUTE_BEFORE.sub("", norm[pos : pos + 32], count=1)
    tail = _FOLLOW_STOP.split(tail[:24])[0]
    if len(tail) < 2:
        return "", ""
    hit = imap.find(tail, "count")
    return tail, hit.keys[0] if hit and len(hit.keys) == 1 else ""


def _mention_row(
    m: Mention,
    key: str,
    name: str,
    norm: str,
    text: str,
    sentence_id: Any,
    plan: Plan,
    ctx: _Context,
    aim_sentence: bool,
    national: bool = False,
) -> dict[str, Any]:
    ye = _year_for(m.start, ctx, m.start - len(m.lead))
    if ye is None and m.measure == "annual_growth":
        # 年均增长12%，2020年末达到3万亿元: the growth runs to the year stated after it.
        ye = _year_after(m.end, ctx)
    period = ye.period if ye is not None and ye.kind == "period" else None
    own_year = ye is not None and ye.start >= m.start - len(m.lead)
    if m.measure == "level" and _FROM_END.search(m.lead) and not own_year:
        # 到2020年，由48家增加到80家: the number after 由/从 is where the change starts; after
        # 由2015年的…增长到2020年的…, a second 由10.6%提高到13.0% starts in 2015 too.
        starts = [e for e in ctx.years if e.change_start and e.start < m.start]
        # 2006年至2010年，保费收入由500亿元增加到880亿元: the change starts where the span does.
        span = next(
            (
                sp
                for sp in _YEAR_SPAN.finditer(norm, 0, m.start)
                if ye is not None and sp.end() == ye.end
            ),
            None,
        )
        if starts:
            year = starts[-1].year
        elif span is not None:
            year = int(span.group(1))
        else:
            year = period[0] - 1 if period else plan.baseline_year
        year_source, period = "start of change", None
    elif ye is not None:
        year, year_source = ye.year, "period" if period else "stated"
    elif ctx.inherited is not None:
        year, year_source = ctx.inherited, "previous sentence"
    elif _TARGET_WORDS.search(norm[: m.start]) or aim_sentence:
        year, year_source = plan.end, "plan end"
    else:
        year, year_source = plan.baseline_year, "plan baseline"
    prefix = norm[: m.start]
    aim = bool(_AIM.search(prefix))
    if national or _NATIONAL.search(m.lead):
        role = "context"  # 全国金融业增加值年均增长7.5%: the country's growth, too
    elif m.measure != "level":
        role = "growth"
    elif (
        year > plan.start
        or year_source == "plan end"
        or (year == plan.start and (aim or (ye is not None and ye.target_marker)))
    ):
        role = "target"
    else:
        role = "baseline"
    ref = _ref_for(m, ctx, year) if m.measure != "level" else None
    if (
        ref is None
        and m.measure == "change"
        and m.unit_std in {"%", "percentage points"}
        and year_source == "stated"
        and ye is not None
        and ye.kind == "point"
        and not ye.target_marker
        and not ye.change_start
        and not aim
        and "累计" not in m.lead
    ):
        # 2020年，地区生产总值增长3.9%: the rate of one stated year is over the year before.
        ref = year - 1
    if m.measure != "level" and ref is None:
        if period:
            ref = period[0] - 1
        elif year > plan.baseline_year:
            ref = plan.baseline_year
    cumulative = (
        m.bracketed
        or "累计" in m.lead
        or "累计" in prefix[-12:]
        or (period is not None and "新增" in m.lead and m.measure == "level")
    )
    qualifier = m.qualifier
    if not qualifier and aim:
        qualifier = "aim"
    value, value_high, value_std = m.value, m.value_high, m.value_std
    if m.measure == "change" and _DECREASE_END.search(m.lead):
        # 比2010年末下降0.6个百分点 is a change of −0.6: a fall keeps its sign.
        value, value_std = -value, -value_std
        value_high = -value_high if value_high is not None else None
    return _row(
        plan.id,
        sentence_id,
        text,
        m.start,
        indicator=key,
        name_zh=name,
        year=year,
        value=value,
        unit=m.unit,
        value_std=value_std,
        unit_std=m.unit_std,
        role=role,
        qualifier=qualifier,
        cumulative=bool(cumulative),
        reference_year=ref,
        measure=m.measure,
        aspirational=aim,
        value_high=value_high,
        period=f"{period[0]}-{period[1]}" if period else "",
        year_source=year_source,
    )


_NUMBER_AFTER = re.compile(rf"(?:约|近)?(?:{_ARABIC}|[{CN_DIGITS}]+)(?:个百分点|百分点|%|倍)")


def _qualitative_rows(
    norm: str,
    text: str,
    sentence_id: Any,
    plan: Plan,
    imap: IndicatorMap,
    ctx: _Context,
    section: str,
) -> list[dict[str, Any]]:
    rows = []
    for q in _QUALITATIVE.finditer(norm) if "于" in norm else ():
        if _NUMBER_AFTER.match(norm, q.end()):
            continue  # 高于同期GDP增速4.2个百分点: the gap is a number of its own
        lead = norm[_clause_span(norm, q.start())[0] : q.start()]
        hit = imap.find(lead, None, norm)
        ye = _year_for(q.start(), ctx)
        year = ye.year if ye is not None else plan.end
        role = "target" if ye is None or year > plan.start else "baseline"
        rows.append(
            _row(
                plan.id,
                sentence_id,
                text,
                q.start(),
                indicator=hit.keys[0] if hit and len(hit.keys) == 1 else "",
                name_zh=hit.surface if hit else _clean_name(lead),
                year=year,
                value=math.nan,
                unit="",
                value_std=math.nan,
                unit_std="",
                role=role,
                qualifier=normalise_qualifier(q.group("q").removeprefix("保持")),
                qualitative_target=q.group(0),
                year_source="stated" if ye is not None else "plan end",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The flattened indicator table (专栏1)

# The words a table's header puts beside a year: the baseline's column, then the target's.
_BASE_COLUMN = "基数|基期值|基期|现状值|现状|实际值|实际"
_TARGET_COLUMN = "目标值|目标|规划值|预期值"
_HEADER_BODY = (
    r"(?:指标名称|指标)\s*(?P<unit_column>单位)?\s*"
    # The year before or after the column's name, in brackets or not: 2010年基期值, 基期值(2010年).
    rf"(?:(?:{_BASE_COLUMN})\(?(?=(?:19|20)\d{{2}}年?\)))?"
    rf"(?P<y0>(?:19|20)\d{{2}})年?\)?(?:{_BASE_COLUMN})?\s*"
    rf"(?:(?:{_TARGET_COLUMN})\(?(?=(?:19|20)\d{{2}}年?\)))?"
    rf"(?P<y1>(?:19|20)\d{{2}})年?\)?(?:{_TARGET_COLUMN})?"
    # A column of the yearly growth from the first year to the second (年均增速, 年均增长(%)).
    r"(?:\s*(?P<growth_column>年均增速|年均增长率?|年均递增)(?:\(%\)|%)?)?"
    r"(?:\s*(?:指标)?属性)?"
    # A last column of remarks in words (按现价计算), not a figure of the row.
    r"(?:\s*(?P<note_column>备注|说明))?"
)
_TABLE_HEADER = re.compile(r"序号\s*" + _HEADER_BODY)
# A header with no 序号 column (指标名称 单位 2020年 2025年 属性), whose rows carry no number:
# each row then ends with its attribute (预期性) or its line.
_BARE_TABLE_HEADER = re.compile(r"(?:序号\s*)?" + _HEADER_BODY)
_TABLE_END = re.compile(r"备注|注[:：]|资料来源")
# What a row's first cell starts with: a figure, a bracketed total, a sign, 约, a word of
# comparison, or a dash for a cell with no figure (— >5: none in the first year, above 5 in the last).
_CELL_START = r"(?:[\d【\[〔≤≥<>—]|-(?=\s)|约|不|高于|低于|保持)"
# A row's name with its unit in brackets, 金融业增加值(亿元), or in a column of its own.
_ROW_NAME = re.compile(r"(?P<name>[^\d()【】%.\s]+)\((?P<unit>[^()]{1,10})\)")
_ROW_NAME_UNIT_COLUMN = re.compile(
    r"(?P<name>[^\d()【】%.\s]+?)\s*"
    r"(?P<unit>(?:万亿|亿|万)?(?:元/人|美元|元)|%|‰|个百分点|家|个|人|户|项|笔|倍)"
    rf"(?=\s*{_CELL_START})"
)
# The attribute column of Chinese plan tables (预期性 or 约束性 target).
_ATTRIBUTE = re.compile(r"\s*(?:预期性|约束性)$")
# One row of a table printed a row to a line, or ended by its attribute: an optional row
# number, the name, its unit (in brackets or a column of its own), then the cells.
_ROW_NUMBER = r"(?:\d{1,2}(?:[.、]\s*|\s+)?|\([一二三四五六七八九十]{1,3}\)\s*|[一二三四五六七八九十]{1,3}、\s*)"
_LINE_ROW = re.compile(
    rf"^\s*{_ROW_NUMBER}?(?P<name>[^\d()【】%.\s]+?)\s*"
    r"(?:\((?P<unit>[^()]{1,10})\)|(?P<unit2>(?:万亿|亿|万)?(?:元/人|美元|元)|%|‰|个百分点|家|个|人|户|项|笔|倍))"
    rf"\s*(?P<cells>{_CELL_START}[^。；;，,！？!?]*?)\s*(?:预期性|约束性)?\s*$"
)
# A row of a table whose unit is stated once above it (单位：亿元): the name, then the cells.
_LINE_ROW_NO_UNIT = re.compile(
    rf"^\s*{_ROW_NUMBER}?(?P<name>[^\d()【】%.\s]+?)\s*"
    rf"(?P<cells>{_CELL_START}[^。；;，,！？!?]*?)\s*(?:预期性|约束性)?\s*$"
)
# The unit of a whole table, stated once above it (单位：亿元).
_TABLE_UNIT = re.compile(
    r"单位[:：]\s*(?P<unit>(?:万亿|亿|万)?(?:元/人|美元|元)|%|家|个)(?=\s|\)|$)"
)
# A row that names a group of the rows below it (一、金融规模) and holds no figure.
_CATEGORY_ROW = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\))\s*"
    r"[^\d，。；;,:：！？!?()]{2,12}\s*$"
)
# The second line of a header that spans two (指标 2020年 2025年 / 基期 目标): the columns'
# roles under their years, no figure.
_SUBHEADER_ROW = re.compile(
    rf"^\s*(?:(?:{_BASE_COLUMN}|{_TARGET_COLUMN}|(?:指标)?属性)\s*){{2,4}}$"
)
# A row run together with the next one ends with its attribute.
_ATTRIBUTE_ROW = re.compile(r".*?(?:预期性|约束性)|.+$", re.S)
# A figure over the whole period is in brackets: 【2000】, [12] or 〔12〕.
_CELL = re.compile(
    r"[【\[〔](?P<br>[^】\]〕]*)[】\]〕]|(?P<num>\d[\d.]*)(?P<pct>%)?|(?P<txt>[^\d【】\[\]〔〕]+)",
)
# A cell with no figure: a dash (—, -, /).
_EMPTY_CELL = re.compile(r"[—\-/]+")
# Words of degree that follow their figure in a cell (2200以上, 4500左右).
_POST_QUALIFIERS = frozenset({"以上", "以下", "以内", "左右", "上下", "前后"})
# A sign before a cell's number: ≤2 is at most 2.
_SIGNS = {
    "≤": "at most",
    "≦": "at most",
    "<": "less than",
    "≥": "at least",
    "≧": "at least",
    ">": "more than",
}
MAX_RATIO = 10.0


def _valid_numeral(s: str) -> bool:
    if not re.fullmatch(r"\d+(?:\.\d+)?", s):
        return False
    return not (len(s) > 1 and s[0] == "0" and s[1] != ".")


def split_digit_run(
    run: str, unit: str = "", max_ratio: float = MAX_RATIO
) -> list[tuple[float, float]]:
    """Return every plausible (first, second) reading of two numbers run together, e.g. 15002000."""
    out = []
    for k in range(1, len(run)):
        a, b = run[:k], run[k:]
        if not (_valid_numeral(a) and _valid_numeral(b)):
            continue
        va, vb = float(a), float(b)
        if va <= 0 or vb <= 0:
            continue
        if not (1 / max_ratio <= vb / va <= max_ratio):
            continue
        if unit == "%" and (va > 100 or vb > 100):
            continue
        out.append((va, vb))
    return out


@dataclass
class _Cell:
    value: float | None
    qualifier: str = ""
    text: str = ""
    cumulative: bool = False
    raw: str = ""


def _cells(s: str) -> list[_Cell]:
    out: list[_Cell] = []
    pending_q = ""
    for m in _CELL.finditer(s):
        if m.group("br") is not None:
            try:
                out.append(_Cell(float(m.group("br")), "", "", True, m.group(0)))
            except ValueError:
                out.append(_Cell(None, "", m.group("br"), True, m.group(0)))
        elif m.group("num") is not None:
            run = m.group("num").rstrip(".")
            # A run with two dots is two numbers glued together: kept whole for splitting.
            value = float(run) if _valid_numeral(run) else None
            out.append(_Cell(value, pending_q, "", False, m.group(0)))
            pending_q = ""
        else:
            # Words apart are cells apart (— >5 is an empty cell, then more than 5).
            for i, t in enumerate(m.group("txt").split()):
                glued = i == 0 and not m.group("txt")[0].isspace()
                if glued and t in _POST_QUALIFIERS and out and out[-1].value is not None:
                    # 2200以上: a word of degree after its figure is that cell's, not the next's.
                    out[-1].qualifier = out[-1].qualifier or QUALIFIERS[t]
                elif _EMPTY_CELL.fullmatch(t):
                    out.append(_Cell(None, "", "", False, t))  # no figure, and no text target
                elif t in _SIGNS:
                    pending_q = _SIGNS[t]
                elif t in QUALIFIERS or t in {"保持低于", "保持高于"}:
                    pending_q = normalise_qualifier(t.removeprefix("保持"))
                else:
                    q = _QUALITATIVE.search(t) or re.match(
                        r"(保持低于|保持高于|不低于|不高于|高于|低于)", t
                    )
                    out.append(
                        _Cell(
                            None,
                            normalise_qualifier(q.group(1).removeprefix("保持")) if q else "",
                            t,
                        )
                    )
    return out


def parse_indicator_table(
    text: str, indicator_map: IndicatorMap | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Return the rows of a flattened indicator table and the rows that could not be split."""
    imap = indicator_map or _default_map()
    norm = normalise(text)
    head = _TABLE_HEADER.search(norm)
    y0, y1 = (int(head.group("y0")), int(head.group("y1"))) if head else (0, 0)
    cols = [
        "row",
        "name_zh",
        "unit",
        "indicator",
        f"value_{y0}",
        f"value_{y1}",
        f"qualifier_{y0}",
        f"qualifier_{y1}",
        "target_text",
        "cumulative",
        "unit_std",
        f"value_std_{y0}",
        f"value_std_{y1}",
        "baseline_year",
        "target_year",
        "split",
        "raw",
        "position",
    ]
    if head is None:
        return pd.DataFrame(columns=cols), ["no table header (序号 指标名称 year year) found"]
    rows, problems = _table_rows(norm, head, imap)
    return pd.DataFrame(rows, columns=cols), problems


def _table_rows(
    norm: str, head: re.Match[str], imap: IndicatorMap
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the row dicts of the table whose header is head, and the rows not split."""
    y0, y1 = int(head.group("y0")), int(head.group("y1"))
    growth = bool(head.group("growth_column"))
    note = bool(head.group("note_column"))
    body_start = head.end()
    end_m = _TABLE_END.search(norm, body_start)
    body_end = end_m.start() if end_m else len(norm)
    row_name = _ROW_NAME_UNIT_COLUMN if head.group("unit_column") else _ROW_NAME
    names = list(row_name.finditer(norm, body_start, body_end))
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for k, nm in enumerate(names, start=1):
        nxt = names[k].start() if k < len(names) else body_end
        prefix_start = names[k - 2].end() if k > 1 else body_start
        # The row number is glued to the end of the previous row's cells.
        before = norm[prefix_start : nm.start()].rstrip()
        if not before.endswith(str(k)):
            problems.append(f"row {k} {nm.group('name')}: row number {k} not found before its name")
            continue
        seg = norm[nm.end() : nxt].rstrip()
        if k < len(names):
            if not seg.endswith(str(k + 1)):
                problems.append(f"row {k} {nm.group('name')}: next row number {k + 1} not found")
                continue
            seg = seg[: -len(str(k + 1))]
        seg = _ATTRIBUTE.sub("", seg.rstrip("，。；;: "))
        unit = nm.group("unit")
        row, problem = _table_row(k, nm.group("name"), unit, seg, y0, y1, imap, growth, note)
        row["position"] = nm.start()
        rows.append(row)
        if problem:
            problems.append(problem)
    return rows, problems


def _table_row(
    k: int,
    name: str,
    unit: str,
    seg: str | list[_Cell],
    y0: int,
    y1: int,
    imap: IndicatorMap,
    growth: bool = False,
    note: bool = False,
) -> tuple[dict[str, Any], str | None]:
    cells = _cells(seg) if isinstance(seg, str) else list(seg)
    if note:
        # The remarks column holds words (按现价计算) or nothing (—): not a figure of the row.
        while len(cells) > 2 + growth and cells[-1].value is None and not cells[-1].cumulative:
            cells.pop()
    # A third cell under a growth column is the yearly growth from y0 to y1.
    rate = cells.pop() if growth and len(cells) == 3 else None
    problem = None
    split = "cells"
    if len(cells) == 1 and re.fullmatch(r"[\d.]+%?", cells[0].raw) and not cells[0].qualifier:
        run = cells[0].raw
        pct = run.endswith("%")
        cands = split_digit_run(run.rstrip("%"), "%" if pct or unit == "%" else unit)
        if len(cands) == 1:
            cells = [_Cell(cands[0][0]), _Cell(cands[0][1])]
            split = "digit run"
        else:
            readings = ", ".join(f"{a:g} | {b:g}" for a, b in cands) or "none"
            problem = (
                f"row {k} {name} ({unit}): digit run '{run}' has {len(cands)} plausible "
                f"readings ({readings}); not split"
            )
            cells = [_Cell(None), _Cell(None)]
            split = "unsplit"
    elif len(cells) != 2:
        problem = f"row {k} {name} ({unit}): {len(cells)} cells in '{seg}'; expected 2"
        cells = (cells + [_Cell(None), _Cell(None)])[:2]
        split = "unsplit"
    hit = imap.find(name, None)
    key = hit.keys[0] if hit and len(hit.keys) == 1 else ""
    scale = next((s for s in sorted(SCALES, key=len, reverse=True) if unit.startswith(s)), "")
    base_unit = unit[len(scale) :]
    _, ustd = _std(1.0, scale, base_unit)
    if key and ustd == "CNY" and imap.unit_of(key) == "CNY/person":
        ustd = "CNY/person"
    mult = SCALES.get(scale, 1.0)
    c0, c1 = cells
    row = {
        "row": k,
        "name_zh": name,
        "unit": unit,
        "indicator": key,
        f"value_{y0}": c0.value,
        f"value_{y1}": c1.value,
        f"qualifier_{y0}": c0.qualifier,
        f"qualifier_{y1}": c1.qualifier,
        "target_text": c1.text,
        "cumulative": c0.cumulative or c1.cumulative,
        "unit_std": ustd,
        f"value_std_{y0}": c0.value * mult if c0.value is not None else None,
        f"value_std_{y1}": c1.value * mult if c1.value is not None else None,
        "baseline_year": y0,
        "target_year": y1,
        "split": split,
        "raw": seg if isinstance(seg, str) else " ".join(c.raw for c in seg),
        "growth": rate.value if rate is not None else None,
        "growth_qualifier": rate.qualifier if rate is not None else "",
    }
    return row, problem


def _line_rows(
    pieces: Iterable[tuple[int, str]],
    y0: int,
    y1: int,
    first: int,
    imap: IndicatorMap,
    growth: bool = False,
    note: bool = False,
    table_unit: str = "",
) -> list[dict[str, Any]]:
    """Return the row dicts of (position, text) pieces holding a row each (a line, or up to 预期性).

    table_unit is the unit stated once above the table, for rows that give none of their own.
    """
    rows = []
    for offset, piece in pieces:
        m = _LINE_ROW.match(piece)
        if m is not None:
            unit = m.group("unit") or m.group("unit2")
        elif table_unit and (m := _LINE_ROW_NO_UNIT.match(piece)) is not None:
            unit = table_unit
        else:
            continue
        row, _ = _table_row(
            first + len(rows), m.group("name"), unit, m.group("cells"), y0, y1, imap, growth, note
        )
        row["position"] = offset + m.start("name")
        rows.append(row)
    return rows


# Where a row starts in a table run together with no attribute column: its name and unit, then
# a cell (金融业增加值亿元120 260 16.7%各项存款余额亿元4477…).
_RUN_ROW_START = re.compile(
    r"[^\d()【】\[\]〔〕%.\s≤≥<>—-]+?\s*"
    r"(?:\([^()]{1,10}\)|(?:万亿|亿|万)?(?:元/人|美元|元)|%|‰|个百分点|家|个|人|户|项|笔|倍)"
    rf"(?=\s*{_CELL_START})"
)


def _run_rows(offset: int, text: str) -> list[tuple[int, str]]:
    """Return (position, text) of each row in a piece of a table that holds one or more rows."""
    starts = [m.start() for m in _RUN_ROW_START.finditer(text)]
    if len(starts) < 2:
        return [(offset, text)]
    starts[0] = 0  # what comes before the first row's name (a 序号) stays with it
    return [(offset + a, text[a:b]) for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _row_pieces(norm: str, start: int, origin: int) -> Iterable[tuple[int, str]]:
    """Return (position from origin, text) of each row in norm from start: rows end with their
    attribute (预期性) or where the next row's name and unit begin."""
    return (
        row
        for p in _ATTRIBUTE_ROW.finditer(norm, start)
        if p.group(0)
        for row in _run_rows(p.start() - origin, p.group(0))
    )


# A transposed table: a column per indicator, named with its unit, and a row per year
# (年份 金融业增加值(亿元) 存款余额(亿元) / 2020年 3200 60000 / 2025年 4500 90000).
_TRANSPOSED_HEADER = re.compile(
    r"(?:^|\s)(?:年份|年度)\s*(?P<columns>(?:[^\d()【】%.\s]+\([^()]{1,10}\)\s*){2,})$"
)
_COLUMN = re.compile(r"(?P<name>[^\d()【】%.\s]+)\((?P<unit>[^()]{1,10})\)")
_YEAR_ROW = re.compile(
    rf"^\s*(?P<year>(?:19|20)\d{{2}})年?\s*(?P<cells>{_CELL_START}[^。；;，,！？!?]*?)\s*$"
)


def _year_row(
    norm: str, columns: list[tuple[str, str]], first: int, imap: IndicatorMap
) -> list[dict[str, Any]]:
    """Return the row dicts of one year's row of a transposed table, a dict per column."""
    m = _YEAR_ROW.match(norm)
    if m is None:
        return []
    cells = _cells(m.group("cells"))
    if len(cells) != len(columns):
        return []
    year = int(m.group("year"))
    rows = []
    for j, ((name, unit), cell) in enumerate(zip(columns, cells, strict=True)):
        row, _ = _table_row(first + j, name, unit, [cell, cell], year, year, imap)
        row["position"] = m.start("cells") + 2 * j
        rows.append(row)
    return rows


# A piece of a row's name that a PDF table wrapped onto a line of its own (金融业增加值占地区生产总
# / 值比重): a few characters with no figure and no punctuation.
_NAME_PART = re.compile(r"[^\d\s，。；：:,;！？!?()（）【】\[\]%]{1,10}")


def _complete_name(rows: list[dict[str, Any]], part: str, imap: IndicatorMap) -> None:
    """Give the last table row the name it has with `part` added, when only that name is known."""
    last = [
        r for r in rows[-3:] if r["source"] == "table" and r["table_row"] == rows[-1]["table_row"]
    ]
    if not last or last[0]["indicator"]:
        return
    name = last[0]["name_zh"] + part
    hit = imap.find(name, None)
    if hit is None or len(hit.keys) != 1:
        return
    for r in last:
        r["name_zh"], r["indicator"] = name, hit.keys[0]


def _bare_table(
    norm: str, imap: IndicatorMap, table_unit: str = ""
) -> tuple[re.Match[str], list[dict[str, Any]]] | None:
    """Return a header with no 序号 and the rows after it in the same text, ended by 预期性.

    Row positions count from the header, as those of a numbered table do.
    """
    head = _BARE_TABLE_HEADER.search(norm) if "指标" in norm else None
    if head is None:
        return None
    body = norm[head.end() :]
    if stated := _TABLE_UNIT.search(norm, 0, head.start()):
        table_unit = stated.group("unit")
    pieces = _row_pieces(norm, head.end(), head.start())
    y0, y1 = int(head.group("y0")), int(head.group("y1"))
    growth, note = bool(head.group("growth_column")), bool(head.group("note_column"))
    rows = _line_rows(pieces, y0, y1, 1, imap, growth, note, table_unit)
    if not rows and body.strip():
        return None  # prose that happens to say 指标 and two years
    return head, rows


def _table_indicator_rows(
    table: list[dict[str, Any]], offset: int, plan: Plan, sentence_id: Any, source_text: str
) -> list[dict[str, Any]]:
    """Return the extraction rows of a table's row dicts (positions shifted by offset)."""
    rows = []
    for rd in table:
        years = (("0", rd["baseline_year"]), ("1", rd["target_year"]))
        # A row of a transposed table holds one year's figure (its two years are the same).
        for col, year in years[1:] if years[0][1] == years[1][1] else years:
            value = rd.get(f"value_{year}")
            text_target = rd["target_text"] if col == "1" else ""
            if _isnan(value):
                value = None
                if not text_target:
                    continue
            role = "baseline" if year <= plan.baseline_year else "target"
            period = ""
            if rd["cumulative"]:
                period = f"{year - 4}-{year}"
            measure, ref = "level", None
            if rd["unit_std"] == "count" and _NEW_COUNT.match(rd["name_zh"]):
                # 新增上市公司 【8】: the firms added over the period (or in the year), a change
                # as in prose (累计新增上市公司45家), not the number of listed firms.
                role, measure = "growth", "change"
                ref = year - 5 if rd["cumulative"] else year - 1
            rows.append(
                _row(
                    plan.id,
                    sentence_id,
                    source_text,
                    rd["position"] + offset + (1 if col == "1" else 0),
                    indicator=rd["indicator"],
                    name_zh=rd["name_zh"],
                    year=year,
                    value=math.nan if value is None else value,
                    unit=rd["unit"],
                    value_std=math.nan if value is None else rd[f"value_std_{year}"],
                    unit_std=rd["unit_std"],
                    role=role,
                    qualifier=rd[f"qualifier_{year}"],
                    cumulative=bool(rd["cumulative"]),
                    qualitative_target=text_target if value is None else "",
                    period=period,
                    measure=measure,
                    reference_year=ref,
                    year_source="table",
                    source="table",
                    table_row=rd["row"],
                )
            )
        if rd.get("growth") is not None:
            # The growth column: the yearly rate from the table's first year to its second.
            rows.append(
                _row(
                    plan.id,
                    sentence_id,
                    source_text,
                    rd["position"] + offset + 2,
                    indicator=rd["indicator"],
                    name_zh=rd["name_zh"],
                    year=rd["target_year"],
                    value=rd["growth"],
                    unit="%",
                    value_std=rd["growth"],
                    unit_std="%",
                    role="growth",
                    qualifier=rd["growth_qualifier"],
                    reference_year=rd["baseline_year"],
                    measure="annual_growth",
                    year_source="table",
                    source="table",
                    table_row=rd["row"],
                )
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Extraction over a plan's sentences

MAX_INHERIT = 3


def extract_indicators(
    sentences: pd.DataFrame, plan: Plan, indicator_map: IndicatorMap | None = None
) -> pd.DataFrame:
    """Return one row per quantitative statement in a plan's sentences (see COLUMNS)."""
    df = sentences
    if "plan_id" in df.columns:
        df = df[df["plan_id"] == plan.id]
    return extract_from_records(_records(df), plan, indicator_map)


def extract_from_records(
    records: Iterable[tuple[Any, str, str | None, str | None]],
    plan: Plan,
    indicator_map: IndicatorMap | None = None,
) -> pd.DataFrame:
    """Return the quantitative statements of one plan's (sentence_id, text, section, kind) rows."""
    imap = indicator_map or _default_map()
    rows: list[dict[str, Any]] = []
    last_year: int | None = None
    chain = 0
    prev_id: Any = None
    # A table printed a row to a line: its years, the number of rows read so far, whether it has
    # a growth and a remarks column, and the unit stated once above it.
    line_table: tuple[int, int, int, bool, bool, str] | None = None
    # The unit the last record stated for a table below it (单位：亿元).
    table_unit = ""
    # A transposed table: its columns (name, unit) and the number of row dicts read so far.
    transposed: tuple[list[tuple[str, str]], int] | None = None
    for sid, text, section, kind in records:
        text = str(text)
        section = str(section or "")
        contiguous = prev_id is not None and _is_next(prev_id, sid) and kind != "heading"
        inherited = last_year if contiguous and chain < MAX_INHERIT else None
        norm = normalise(text)
        if transposed is not None and contiguous:
            columns, done = transposed
            if found := _year_row(norm, columns, done + 1, imap):
                rows += _table_indicator_rows(found, 0, plan, sid, text)
                transposed = (columns, done + len(found))
                prev_id = sid
                continue
        transposed = None
        if line_table is not None and contiguous:
            y0, y1, done, growth, note, unit = line_table
            # One row or several run together (a sentence holds what cleaning joined).
            pieces = _row_pieces(norm, 0, 0)
            found = _line_rows(pieces, y0, y1, done + 1, imap, growth, note, unit)
            if found:
                rows += _table_indicator_rows(found, 0, plan, sid, text)
                line_table = (y0, y1, done + len(found), growth, note, unit)
                prev_id = sid
                continue
            if (
                not norm.strip()
                or _CATEGORY_ROW.match(norm)
                or (not done and _SUBHEADER_ROW.match(norm))
            ):
                # A blank line between rows, a row naming a group of rows (一、金融规模), or
                # the second line of a two-line header (基期 目标) before the first row.
                prev_id = sid
                continue
            if done and _NAME_PART.fullmatch(norm) and rows and rows[-1]["source"] == "table":
                # The rest of a row's name wrapped onto a line of its own: the table goes on.
                _complete_name(rows, norm, imap)
                prev_id = sid
                continue
        line_table = None
        head = _TABLE_HEADER.search(norm) if "序号" in norm else None
        table: list[dict[str, Any]] = []
        if head:
            # The table read as parse_indicator_table reads it, without building its DataFrame.
            table_norm = norm[head.start() :]
            table, _ = _table_rows(table_norm, _TABLE_HEADER.match(table_norm), imap)
        if not table:
            # No numbered rows: a header with no 序号, or rows a line each after this header.
            bare = _bare_table(norm, imap, table_unit if contiguous else "")
            if bare is not None:
                head, table = bare
                y0, y1 = int(head.group("y0")), int(head.group("y1"))
                growth, note = bool(head.group("growth_column")), bool(head.group("note_column"))
                stated = _TABLE_UNIT.search(norm, 0, head.start())
                unit = stated.group("unit") if stated else table_unit if contiguous else ""
                line_table = (y0, y1, len(table), growth, note, unit)
        t_head = _TRANSPOSED_HEADER.search(norm) if head is None and "年" in norm else None
        if t_head:
            columns = [
                (c.group("name"), c.group("unit"))
                for c in _COLUMN.finditer(t_head.group("columns"))
            ]
            transposed = (columns, 0)
        stated = _TABLE_UNIT.search(norm)
        table_unit = stated.group("unit") if stated and not head else ""
        # normalise maps one character to one, so the prose's normal form is a prefix of norm.
        prose, prose_norm = (text[: head.start()], norm[: head.start()]) if head else (text, norm)
        years = find_years(prose_norm, plan)
        if prose and _may_state_quantity(prose_norm):
            new_rows = _sentence_rows(prose, prose_norm, years, sid, plan, imap, inherited, section)
            for r in new_rows:
                r["source_text"] = text
            rows += new_rows
        if head:
            rows += _table_indicator_rows(table, head.start(), plan, sid, text)
        stated = [e for e in years if e.kind in {"point", "period"}]
        if stated:
            last_year, chain = stated[-1].year, 0
        elif inherited is not None:
            chain += 1
        else:
            last_year, chain = None, 0
        prev_id = sid
    return _frame(rows)


def _records(df: pd.DataFrame) -> zip:
    """Return (sentence_id, text, section, kind) per row; a missing column gives None."""
    cols = ("sentence_id", "text", "section", "kind")
    return zip(
        *(df[c].tolist() if c in df.columns else [None] * len(df) for c in cols), strict=True
    )


def _may_state_quantity(norm: str) -> bool:
    """Return False only for normalised prose in which _sentence_rows would find no row."""
    return _NUMBER_CUE.search(norm) is not None or _may_compare(norm)


def _may_compare(norm: str) -> bool:
    """Return False only for text in which _QUALITATIVE cannot match (all its words hold 于)."""
    return "于" in norm and _QUALITATIVE.search(norm) is not None


def _is_next(prev: Any, cur: Any) -> bool:
    try:
        return int(cur) == int(prev) + 1
    except (TypeError, ValueError):
        return False


_FLOAT_COLUMNS = frozenset({"value", "value_std", "value_high"})
_INT_COLUMNS = frozenset({"year", "reference_year", "table_row"})
_BOOL_COLUMNS = frozenset({"cumulative", "aspirational"})
_STR_COLUMNS = frozenset(
    {"indicator", "name_zh", "unit", "unit_std", "role", "qualifier", "measure"}
    | {"qualitative_target", "period", "year_source", "source"}
)


_STR_DTYPE = pd.StringDtype(na_value=np.nan)  # what dtype="str" means


def _str_array(values: list[str]) -> Any:
    """Return strings as pd.array(values, dtype="str") does, built directly (several times faster)."""
    if _STR_DTYPE.storage != "pyarrow":
        return pd.array(values, dtype=_STR_DTYPE)
    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=_STR_DTYPE)


def _int_array(values: list[int | None]) -> Any:
    """Return integers as pd.array(values, dtype="Int64") does (1 under the mask, as it puts)."""
    mask = np.array([v is None for v in values], dtype=bool)
    data = np.array([1 if v is None else v for v in values], dtype="int64")
    return pd.arrays.IntegerArray(data, mask)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return the rows as a typed table ordered by plan, sentence and position (stable)."""
    rows = sorted(rows, key=lambda r: (r["plan_id"], r["sentence_id"], r["position"]))
    columns = COLUMNS + EXTRA_COLUMNS
    return pd.DataFrame({c: _column(c, [r[c] for r in rows]) for c in columns}, columns=columns)


def _column(name: str, values: list[Any]) -> Any:
    """Return one column's values in its dtype (missing numbers NaN or NA, missing text '')."""
    if name in _FLOAT_COLUMNS:
        return np.array([math.nan if v is None else v for v in values], dtype="float64")
    if name in _INT_COLUMNS:
        return _int_array([None if _isnan(v) else int(v) for v in values])
    if name in _BOOL_COLUMNS:
        return np.array([False if _isnan(v) else bool(v) for v in values], dtype=bool)
    if name in _STR_COLUMNS:
        # Nearly every value is already a str: test that first.
        return _str_array([v if type(v) is str else "" if _isnan(v) else str(v) for v in values])
    # Inferred from the values; an empty table keeps them as objects.
    return values if values else np.array([], dtype=object)


# ---------------------------------------------------------------------------------------------
# Cross-checking the table against the prose

# Same fact, same figure: only floating-point noise is forgiven (4.2万亿 vs 42000亿).
REL_TOL = 1e-6


def cross_check_table(table: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Return each table value beside the same fact in prose: agree, disagree or not stated."""
    prose = indicators[(indicators["source"] != "table") & (indicators["measure"] == "level")]
    out = []
    for r in table.to_dict("records"):
        for year in (r["baseline_year"], r["target_year"]):
            value = r.get(f"value_std_{year}")
            base = {
                "row": r["row"],
                "name_zh": r["name_zh"],
                "indicator": r["indicator"],
                "year": year,
                "table_value": r.get(f"value_{year}"),
                "table_qualifier": r.get(f"qualifier_{year}", ""),
                "unit": r["unit"],
                "prose_value": None,
                "prose_unit": "",
                "prose_qualifier": "",
                "sentence_id": None,
                "source_text": "",
            }
            if value is None or (isinstance(value, float) and math.isnan(value)):
                base["status"] = "no number in table"
                out.append(base)
                continue
            cands = prose[
                (prose["indicator"] == r["indicator"])
                & (prose["year"] == year)
                & (prose["cumulative"] == bool(r["cumulative"]))
                & (r["indicator"] != "")
            ]
            cands = cands[cands["value_std"].notna()]
            if cands.empty:
                base["status"] = "not stated"
                out.append(base)
                continue
            agree = cands[(cands["value_std"] - value).abs() <= REL_TOL * max(abs(value), 1e-12)]
            pick = agree.iloc[0] if not agree.empty else cands.iloc[0]
            base.update(
                prose_value=pick["value"],
                prose_unit=pick["unit"],
                prose_qualifier=pick["qualifier"],
                sentence_id=pick["sentence_id"],
                source_text=pick["source_text"],
                status="agree" if not agree.empty else "disagree",
            )
            out.append(base)
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# Growth


def implied_cagr(v0: float, y0: int, v1: float, y1: int) -> float:
    """Return the compound annual growth rate (a fraction) that takes v0 in y0 to v1 in y1."""
    if y1 == y0 or v0 <= 0 or v1 < 0 or any(map(_isnan, (v0, v1))):
        return math.nan
    return (v1 / v0) ** (1.0 / (y1 - y0)) - 1.0


_SCOPES = (("本外币", "all currencies (本外币)"), ("人民币", "RMB only (人民币)"))
_SCOPED_BALANCE = re.compile(r"(本外币|人民币)[^，。；、]{0,6}?余额")


def currency_scope(row: Any) -> str:
    """Return the currencies a money figure counts, as its sentence says by its name, or ''."""
    text, name = str(row["source_text"]), str(row["name_zh"])
    at = text.find(name) if name else -1
    if at < 0:
        return ""
    near = text[max(0, at - 8) : at + len(name)]  # 金融机构人民币存款余额, 存款本外币余额
    found = next((label for word, label in _SCOPES if word in near), "")
    if found or not name.endswith("余额"):
        return found
    # A scope named once before a list of balances covers each (人民币存款余额…，贷款余额…).
    listed = [m for m in _SCOPED_BALANCE.finditer(text, 0, at) if m.end() <= at]
    return next((label for word, label in _SCOPES if listed and listed[-1].group(1) == word), "")


def scope_note(base: Any, target: Any) -> str:
    """Return a note when a baseline and its target count different currencies, else ''."""
    a, b = currency_scope(base), currency_scope(target)
    return f"baseline {a}, target {b}: not the same measure" if a and b and a != b else ""


def _isnan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


GROWTH_COLUMNS = (
    "plan_id",
    "indicator",
    "label_en",
    "label_zh",
    "unit_std",
    "baseline_year",
    "baseline_value",
    "baseline_qualifier",
    "target_year",
    "target_value",
    "target_qualifier",
    "target_unit_std",
    "implied_cagr",
    "stated_growth",
    "stated_growth_qualifier",
    "change",
    "baseline_sentence",
    "target_sentence",
    "past_from_year",
    "past_to_year",
    "past_cagr",
    "past_basis",
    "past_sentence",
    "scope_note",
)


def growth_factor(row: Any) -> float:
    """Return the factor a growth statement implies (是…的2.6倍 → 2.6, 增长60% → 1.6, 翻一番 → 2)."""
    value, unit = float(row["value"]), str(row["unit"])
    if row["measure"] == "multiple":
        return multiple_of_fan(value) if unit == "番" else value if unit == "倍" else math.nan
    if row["measure"] == "change":
        # 增长2.5倍 conventionally means "grew by 2.5 times", i.e. to 3.5 times the reference.
        return 1.0 + value / 100.0 if unit == "%" else 1.0 + value if unit == "倍" else math.nan
    return math.nan


def past_growth(g: pd.DataFrame | list[dict], baseline_year: int | None) -> dict[str, Any] | None:
    """Return the annual growth a plan states or implies for the period up to its baseline."""
    records = g.to_dict("records") if isinstance(g, pd.DataFrame) else g
    rows = [r for r in records if r["role"] == "growth" and not _isnan(r["reference_year"])]
    if baseline_year is not None:
        rows = [r for r in rows if not _isnan(r["year"]) and r["year"] <= baseline_year]
    # The longest span reported is the closest to a plan's five-year review; over one span, a
    # rate the plan states (年均增长13.8%) comes before one derived from a multiple (2.6倍).
    rows.sort(
        key=lambda r: (
            _descending(r["year"] - r["reference_year"]),
            r["measure"] != "annual_growth",
            _descending(r["year"]),
            r["sentence_id"],
            r["position"],
        )
    )
    for r in rows:
        y0, y1 = int(r["reference_year"]), int(r["year"])
        if y1 <= y0:
            continue
        if r["measure"] == "annual_growth" and r["unit_std"] == "%":
            rate, basis = float(r["value_std"]) / 100.0, f"stated {r['value']:g}% a year"
        else:
            factor = growth_factor(r)
            if _isnan(factor) or factor <= 0:
                continue
            rate = factor ** (1.0 / (y1 - y0)) - 1.0
            basis = f"{r['value']:g}{r['unit']} vs {y0} (×{factor:g})"
        return _past(y0, y1, rate, basis, r["sentence_id"])
    return _past_from_levels(records, baseline_year)


def _past(y0: int, y1: int, rate: float, basis: str, sentence_id: Any) -> dict[str, Any]:
    return {
        "past_from_year": y0,
        "past_to_year": y1,
        "past_cagr": rate,
        "past_basis": basis,
        "past_sentence": sentence_id,
    }


def _past_from_levels(records: list[dict], until: int | None) -> dict[str, Any] | None:
    """Return the growth between two levels one sentence states (由1.6万亿元增加到2.8万亿元)."""
    by_sentence: dict[Any, list[dict]] = {}
    for r in records:
        if r["measure"] == "level" and not (_isnan(r["value_std"]) or _isnan(r["year"])):
            if until is None or r["year"] <= until:
                by_sentence.setdefault(r["sentence_id"], []).append(r)
    pairs = []
    for sid, rows in by_sentence.items():
        first = min(rows, key=lambda r: (r["year"], r["position"]))
        last = max(rows, key=lambda r: (r["year"], -r["position"]))
        if (
            last["year"] > first["year"]
            and first["value_std"] > 0
            and (first["unit_std"] == last["unit_std"])
        ):
            pairs.append((-(last["year"] - first["year"]), -last["year"], sid, first, last))
    if not pairs:
        return None
    *_, sid, first, last = min(pairs, key=lambda t: t[:3])
    y0, y1 = int(first["year"]), int(last["year"])
    rate = (last["value_std"] / first["value_std"]) ** (1.0 / (y1 - y0)) - 1.0
    basis = f"{first['value']:g}{first['unit']} in {y0} to {last['value']:g}{last['unit']} in {y1}"
    return _past(y0, y1, rate, basis, sid)


def _descending(x: float) -> tuple[int, float]:
    """Return a sort key putting larger numbers first and missing ones last (as pandas does)."""
    return (1, 0.0) if _isnan(x) else (0, -x)


def _pick(rows: list[dict]) -> dict | None:
    """Return the latest-year row with a value, a table's before the prose's, then the first."""
    rows = [r for r in rows if not _isnan(r["value_std"])]
    if not rows:
        return None
    years = [r["year"] for r in rows if not _isnan(r["year"])]
    at = [r for r in rows if years and r["year"] == max(years)]
    at.sort(key=lambda r: (r["source"] != "table", r["sentence_id"], r["position"]))
    return at[0]


def growth_table(
    indicators: pd.DataFrame, indicator_map: IndicatorMap | None = None
) -> pd.DataFrame:
    """Return per plan and canonical indicator: baseline, target, implied CAGR, stated growth."""
    imap = indicator_map or _default_map()
    df = indicators[(indicators["indicator"] != "") & ~indicators["cumulative"]]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in df.to_dict("records"):  # plain records: a plan has few statements per indicator
        if not (_isnan(r["plan_id"]) or _isnan(r["indicator"])):  # as groupby drops them
            groups.setdefault((r["plan_id"], r["indicator"]), []).append(r)
    out = []
    for (plan_id, key), g in sorted(groups.items(), key=lambda item: item[0]):
        levels = [r for r in g if r["measure"] == "level"]
        base = _pick([r for r in levels if r["role"] == "baseline"])
        target = _pick([r for r in levels if r["role"] == "target"])
        if base is None and target is None:
            continue
        row: dict[str, Any] = {c: None for c in GROWTH_COLUMNS}
        row.update(
            plan_id=plan_id,
            indicator=key,
            label_en=imap.label(key, "en"),
            label_zh=imap.label(key, "zh"),
            unit_std=imap.unit_of(key),
        )
        if base is not None:
            row.update(
                baseline_year=int(base["year"]),
                baseline_value=float(base["value_std"]),
                baseline_qualifier=base["qualifier"],
                baseline_sentence=base["sentence_id"],
                unit_std=base["unit_std"] or row["unit_std"],
            )
        if target is not None:
            row.update(
                target_year=int(target["year"]),
                target_value=float(target["value_std"]),
                target_qualifier=target["qualifier"],
                target_sentence=target["sentence_id"],
                # Its own unit: a baseline in yuan and a target in dollars are not one measure.
                target_unit_std=target["unit_std"] or row["unit_std"],
            )
        if base is not None and target is not None:
            row["scope_note"] = scope_note(base, target)
        if base is not None and target is not None and base["unit_std"] == target["unit_std"]:
            row["implied_cagr"] = implied_cagr(
                row["baseline_value"], row["baseline_year"], row["target_value"], row["target_year"]
            )
            row["change"] = row["target_value"] - row["baseline_value"]
        growth = [r for r in g if r["measure"] == "annual_growth" and r["unit_std"] == "%"]
        if target is not None:
            growth = [r for r in growth if r["year"] == row["target_year"]]
        elif base is not None:
            growth = [
                r for r in growth if not _isnan(r["year"]) and r["year"] > row["baseline_year"]
            ]
        if growth:
            row["stated_growth"] = float(growth[0]["value_std"]) / 100.0
            row["stated_growth_qualifier"] = growth[0]["qualifier"]
        # Past growth ends by the baseline; with only a target, before the target's year (the
        # plan's own growth to its target is not past growth).
        until = row["baseline_year"] if base is not None else row["target_year"] - 1
        past = past_growth(g, until)
        if past is not None:
            row.update(past)
        out.append(row)
    res = pd.DataFrame(out, columns=list(GROWTH_COLUMNS))
    for c in (
        "baseline_qualifier",
        "target_qualifier",
        "stated_growth_qualifier",
        "past_basis",
        "scope_note",
        "target_unit_std",
    ):
        res[c] = res[c].fillna("").astype(str)
    for c in ("baseline_year", "target_year", "past_from_year", "past_to_year"):
        res[c] = pd.to_numeric(res[c], errors="coerce").astype("Int64")
    for c in (
        "baseline_value",
        "target_value",
        "implied_cagr",
        "stated_growth",
        "change",
        "past_cagr",
    ):
        res[c] = pd.to_numeric(res[c], errors="coerce").astype("float64")
    return res


# Each plan's side of a comparison is its growth-table row without these.
_NOT_SIDE = {
    "plan_id", "indicator", "label_en", "label_zh", "unit_std", "change",
    "stated_growth_qualifier", "baseline_sentence", "target_sentence", "past_sentence",
}  # fmt: skip
_SIDE = tuple(c for c in GROWTH_COLUMNS if c not in _NOT_SIDE)


def compare_indicators(
    indicators: pd.DataFrame,
    left: str,
    right: str,
    indicator_map: IndicatorMap | None = None,
) -> pd.DataFrame:
    """Return the canonical indicators both plans state, side by side (left_*, right_* columns)."""
    g = growth_table(indicators, indicator_map)
    a = g[g["plan_id"] == left].set_index("indicator")
    b = g[g["plan_id"] == right].set_index("indicator")
    shared = sorted(set(a.index) & set(b.index))
    rows = []
    for key in shared:
        ra, rb = a.loc[key], b.loc[key]
        row: dict[str, Any] = {
            "indicator": key,
            "label_en": ra["label_en"],
            "label_zh": ra["label_zh"],
            "unit_std": ra["unit_std"],
            "left_plan": left,
            "right_plan": right,
        }
        for side, r in (("left", ra), ("right", rb)):
            for c in _SIDE:
                row[f"{side}_{c}"] = r[c]
        rows.append(row)
    cols = ["indicator", "label_en", "label_zh", "unit_std", "left_plan", "right_plan"]
    cols += [f"{s}_{c}" for s in ("left", "right") for c in _SIDE]
    out = pd.DataFrame(rows, columns=cols)
    out.attrs.update(left=left, right=right)
    return out
