"""Coding sentences into the five categories: naive keyword count, rule codebook and classifier.

The rule coder reads everything it knows from ``data/codebook.yml``: weighted terms, phrase
overrides, exclusions, proximity rules (a verb near an object), decisive rules, heading handling
and framing. The classifier (``plancompare.classifier``) is trained on the hand-coded validation
set the first time it is asked for, once per process.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from .cleaning import to_simplified
from .storage import read_yaml
from .style import CATEGORIES, OTHER

CODED_COLUMNS = [
    "categories",
    "primary_category",
    "matched_terms",
    "evidence",
    "probability",
    "coder",
]
CODERS = ("naive", "rules", "classifier")
# The coder that measured best on the validation set (see `python -m plancompare.evaluate`).
DEFAULT_CODER = "rules"
# Phrases claimed by an exclusion count for no category.
EXCLUDED = "-"
_WORD = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class ProximityRule:
    """A verb (or other cue) followed within `window` characters by an object: adds `weight`."""

    name: str
    category: str
    cues: tuple[str, ...]
    objects: tuple[str, ...]
    window: int = 12
    weight: float = 2.0
    decisive: bool = False
    # Whether cue and object may stand on either side of a list's 、 (对A、B等的监督管理).
    spans_lists: bool = False

    @property
    def stops(self) -> str:
        """Return the characters that end the window: clause punctuation (and 、 unless lists span)."""
        return "。；，：" if self.spans_lists else "。；，、："

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Return the regex of a cue followed by an object within the window, inside one clause."""
        return self._regex(self.stops)

    @cached_property
    def joined_pattern(self) -> re.Pattern[str]:
        """Return `pattern` that also stops at a line break (for texts joined by line breaks)."""
        return self._regex(self.stops + "\n")

    def _regex(self, stops: str) -> re.Pattern[str]:
        """Return the regex of a cue, then at most `window` characters other than stops, then an object."""
        cues = "|".join(re.escape(c) for c in sorted(self.cues, key=len, reverse=True))
        objs = "|".join(re.escape(o) for o in sorted(self.objects, key=len, reverse=True))
        return re.compile(f"(?:{cues})[^{stops}]{{0,{self.window}}}?(?:{objs})")


@dataclass(frozen=True)
class Codebook:
    """The codebook as loaded from YAML: weighted terms per category, overrides and rules."""

    version: str
    sha256: str
    terms: dict[str, dict[str, float]]
    overrides: dict[str, tuple[str, float]]
    labels: dict[str, tuple[str, str]]
    definitions: dict[str, str]
    min_score: float = 1.0
    secondary_share: float = 0.5
    tie_order: tuple[str, ...] = CATEGORIES
    framing_openers: tuple[str, ...] = ()
    framing_min_score: float = 4.0
    exclusions: tuple[str, ...] = ()
    proximity: tuple[ProximityRule, ...] = ()
    heading_markers: tuple[str, ...] = ()
    heading_span: int = 0
    heading_weight: float = 1.0
    spread_categories: int = 99
    spread_markers: tuple[str, ...] = ()
    principle_closers: tuple[str, ...] = ()
    principle_min_items: int = 99
    extra: dict = field(default_factory=dict)

    @cached_property
    def term_category(self) -> dict[str, tuple[str, float]]:
        """Return every matchable phrase with the category and weight it counts for."""
        out: dict[str, tuple[str, float]] = {}
        for cat, terms in self.terms.items():
            for term, weight in terms.items():
                out[term] = (cat, float(weight))
        out.update(self.overrides)
        for phrase in self.exclusions:
            out[phrase] = (EXCLUDED, 0.0)
        return out

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Return one regex of all phrases matching the longest at each position (it claims its characters)."""
        return re.compile(longest_phrase_regex(self.term_category))

    @cached_property
    def joined_pattern(self) -> re.Pattern[str] | None:
        """Return `pattern` that also matches a line break, or None if a phrase or cue has one.

        Coding many texts joined by line breaks then finds every text's phrases in one pass.
        """
        rule_words = [w for r in self.proximity for w in (*r.cues, *r.objects)]
        if any("\n" in p for p in [*self.term_category, *rule_words]):
            return None
        return re.compile(longest_phrase_regex([*self.term_category, "\n"]))

    @cached_property
    def tie_rank(self) -> dict[str, int]:
        """Return each category's place in the tie order."""
        return {c: i for i, c in enumerate(self.tie_order)}

    @cached_property
    def heading_pattern(self) -> re.Pattern[str] | None:
        """Return the regex of a heading marker at the start of a text, or None."""
        if not self.heading_markers:
            return None
        return re.compile("|".join(f"(?:{m})" for m in self.heading_markers))

    def all_terms(self) -> list[str]:
        """Return every term, override and word-like exclusion (the words jieba must keep whole)."""
        words = [p for p in self.exclusions if _WORD.fullmatch(p)]
        return sorted(set(self.terms_flat()) | set(self.overrides) | set(words))

    def terms_flat(self) -> list[str]:
        """Return the category terms of the codebook, sorted."""
        return sorted({t for terms in self.terms.values() for t in terms})


def longest_phrase_regex(phrases: Iterable[str]) -> str:
    """Return a regex matching, at each position, the longest of these (non-empty) phrases there.

    It matches as the alternation of the phrases sorted longest first does, but as a trie
    (金融(?:机构|市场)…) so that the regex engine follows one branch per character instead of
    trying every phrase at every position.
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}  # a phrase ends here
    return _trie_regex(trie)


def _trie_regex(node: dict[str, dict]) -> str:
    """Return the regex of a trie node: its branches, optional (greedy) when a phrase ends here."""
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    # A greedy ? tries the longer phrase first and falls back to the one ending here.
    return f"{body}?" if len(body) == 1 else f"(?:{body})?"


def _proximity_rule(spec: dict) -> ProximityRule:
    return ProximityRule(
        name=str(spec["name"]),
        category=str(spec["category"]),
        cues=tuple(spec["cues"]),
        objects=tuple(spec["objects"]),
        window=int(spec.get("window", 12)),
        weight=float(spec.get("weight", 2.0)),
        decisive=bool(spec.get("decisive", False)),
        spans_lists=bool(spec.get("spans_lists", False)),
    )


def load_codebook(path: Path | str = paths.CODEBOOK) -> Codebook:
    """Return the codebook read from YAML, with the SHA-256 of its file."""
    return _parse_codebook(Path(path).read_bytes())


@lru_cache(maxsize=4)
def _parse_codebook(data: bytes) -> Codebook:
    """Return the codebook of these YAML bytes (parsed once per process; the result is frozen)."""
    raw = read_yaml(data)
    cats = raw["categories"]
    overrides = {
        phrase: (spec["category"], float(spec.get("weight", 1.0)))
        for phrase, spec in (raw.get("overrides") or {}).items()
    }
    framing = raw.get("framing") or {}
    headings = raw.get("headings") or {}
    known = {
        k: v
        for k, v in raw.items()
        if k not in {"categories", "overrides", "framing", "exclusions", "proximity", "headings"}
    }
    return Codebook(
        version=str(raw["version"]),
        sha256=hashlib.sha256(data).hexdigest(),
        terms={
            c: {str(t): float(w) for t, w in (cats[c].get("terms") or {}).items()} for c in cats
        },
        overrides=overrides,
        labels={c: (cats[c]["label_en"], cats[c]["label_zh"]) for c in cats},
        definitions={c: cats[c].get("definition", "") for c in cats},
        min_score=float(raw.get("min_score", 1.0)),
        secondary_share=float(raw.get("secondary_share", 0.5)),
        tie_order=tuple(raw.get("tie_order", CATEGORIES)),
        framing_openers=tuple(framing.get("openers", ())),
        framing_min_score=float(framing.get("framing_min_score", 4.0)),
        exclusions=tuple(str(p) for p in raw.get("exclusions") or ()),
        proximity=tuple(_proximity_rule(s) for s in raw.get("proximity") or ()),
        heading_markers=tuple(headings.get("markers", ())),
        heading_span=int(headings.get("span", 0)),
        heading_weight=float(headings.get("weight", 1.0)),
        spread_categories=int(framing.get("spread_categories", 99)),
        spread_markers=tuple(framing.get("spread_markers", ())),
        principle_closers=tuple(framing.get("principle_closers", ())),
        principle_min_items=int(framing.get("principle_min_items", 99)),
        extra=known,
    )


def match_terms(text: str, codebook: Codebook) -> list[tuple[str, str, float]]:
    """Return the (phrase, category, weight) matches in a text, left to right, longest first."""
    return [(p, c, w) for p, c, w, _ in _matches(text, codebook)]


def _matches(text: str, codebook: Codebook) -> list[tuple[str, str, float, int]]:
    """Return (phrase, category, weight, start) per match; heading-prefix matches weigh less."""
    head_end = _heading_end(text, codebook)
    return [
        (*_weighed(m.group(0), m.start() < head_end, codebook), m.start())
        for m in codebook.pattern.finditer(text)
    ]


def _weighed(phrase: str, in_heading: bool, codebook: Codebook) -> tuple[str, str, float]:
    """Return a matched phrase's (phrase, category, weight), less weight inside a glued heading."""
    cat, weight = codebook.term_category[phrase]
    return phrase, cat, weight * codebook.heading_weight if in_heading else weight


def _heading_end(text: str, codebook: Codebook) -> int:
    """Return where a glued heading probably ends (0 when the text opens with no heading marker)."""
    pattern = codebook.heading_pattern
    m = pattern.match(text) if pattern is not None else None
    return m.end() + codebook.heading_span if m else 0


def category_scores(text: str, codebook: Codebook) -> dict[str, float]:
    """Return the rule score of every category for one text (terms plus proximity rules)."""
    scores = dict.fromkeys(CATEGORIES, 0.0)
    for _, cat, weight, _ in _matches(text, codebook):
        if cat in scores:
            scores[cat] += weight
    for rule in codebook.proximity:
        if rule.pattern.search(text):
            scores[rule.category] += rule.weight
    return scores


def code_text_rules(text: str, codebook: Codebook) -> dict[str, object]:
    """Return the rule-based coding of one sentence: categories, primary, matched terms, evidence.

    A sentence in traditional script is coded by its simplified form.
    """
    text = to_simplified(text)  # the codebook's phrases are simplified (積極引進 → 积极引进)
    fired = [r for r in codebook.proximity if r.pattern.search(text)]
    return _code_rules(text, match_terms(text, codebook), fired, codebook)


def code_texts_rules(texts: list[str], codebook: Codebook) -> list[dict[str, object]]:
    """Return the rule-based coding of each text, as `code_text_rules`, in one regex pass per rule.

    The texts are joined by line breaks, which no phrase contains and no proximity window
    crosses, so every match lies inside one text and is the match the text alone would give.
    Texts in traditional script are coded by their simplified form.
    """
    texts = [to_simplified(t) for t in texts]
    joined = "\n".join(texts)
    pattern = codebook.joined_pattern
    if pattern is None or joined.count("\n") != len(texts) - 1:
        return [code_text_rules(t, codebook) for t in texts]
    starts = [0]
    for text in texts[:-1]:
        starts.append(starts[-1] + len(text) + 1)
    # Where each text's glued heading ends, as an offset into the joined string.
    head_ends = [start + _heading_end(t, codebook) for start, t in zip(starts, texts, strict=True)]
    matches: list[list[tuple[str, str, float]]] = [[] for _ in texts]
    i = 0
    for m in pattern.finditer(joined):
        phrase = m.group(0)
        if phrase == "\n":
            i += 1
        else:
            matches[i].append(_weighed(phrase, m.start() < head_ends[i], codebook))
    fired: dict[int, list[ProximityRule]] = {}  # by text, only texts where a rule fired
    for rule in codebook.proximity:
        last = -1
        for m in rule.joined_pattern.finditer(joined):
            i = bisect_right(starts, m.start()) - 1
            if i != last:
                fired.setdefault(i, []).append(rule)
                last = i
    return [
        _code_rules(text, found, fired.get(i, []), codebook)
        for i, (text, found) in enumerate(zip(texts, matches, strict=True))
    ]


def _code_rules(
    text: str,
    matches: list[tuple[str, str, float]],
    fired: list[ProximityRule],
    codebook: Codebook,
) -> dict[str, object]:
    """Return the rule-based coding of a text from its phrase matches and the proximity rules fired."""
    if not matches and not fired:
        return _coded([], OTHER, [], "no category term scores enough", None, "rules")
    scores: dict[str, float] = {}
    found: set[str] = set()
    for phrase, cat, weight in matches:
        if cat != EXCLUDED:
            found.add(phrase)
        if cat in CATEGORIES:
            scores[cat] = scores.get(cat, 0.0) + weight
    decisive = None
    for rule in fired:
        scores[rule.category] = scores.get(rule.category, 0.0) + rule.weight
        if decisive is None and rule.decisive:
            decisive = rule
    terms = sorted(found)
    if _is_principle_list(text, codebook):  # before decisive rules: what it names is a principle
        return _coded([], OTHER, terms, "a list of principles", None, "rules")
    ranked = _rank(scores, codebook)
    if decisive is not None:
        top_cat, top_score = decisive.category, scores[decisive.category]
        ranked = [(top_cat, top_score)] + [(c, s) for c, s in ranked if c != top_cat]
        reason = f"decisive rule {decisive.name}"
    else:
        if not ranked or ranked[0][1] < codebook.min_score:
            return _coded([], OTHER, terms, "no category term scores enough", None, "rules")
        top_cat, top_score = ranked[0]
        if top_score < codebook.framing_min_score and text.startswith(codebook.framing_openers):
            return _coded([], OTHER, terms, "framing opener (ideology or principle)", None, "rules")
        if _is_spread(ranked, text, codebook):
            return _coded([], OTHER, terms, "framing list spanning many categories", None, "rules")
        reason = f"{top_cat} {top_score:g}"
    cats = [top_cat]
    if len(ranked) > 1:
        secondary = max(codebook.min_score, codebook.secondary_share * top_score)
        cats += [c for c, s in ranked if c != top_cat and s >= secondary]
    decided = [t for t, c, _ in matches if c == top_cat]
    if fired:
        decided += [f"[{r.name}]" for r in fired if r.category == top_cat]
    evidence = f"{reason}: " + "、".join(dict.fromkeys(decided))
    if len(ranked) > 1:
        evidence += f" (next {ranked[1][0]} {ranked[1][1]:g})"
    return _coded(cats, top_cat, terms, evidence, None, "rules")


def _rank(scores: dict[str, float], codebook: Codebook) -> list[tuple[str, float]]:
    """Return the categories scoring above zero, highest first, ties in the tie order."""
    positive = [(c, s) for c, s in scores.items() if s > 0]
    if len(positive) < 2:
        return positive
    order = codebook.tie_rank
    return sorted(positive, key=lambda kv: (-kv[1], order.get(kv[0], 99)))


def _is_spread(ranked: list[tuple[str, float]], text: str, codebook: Codebook) -> bool:
    """Return whether a sentence names many categories around a framing marker (a goal list)."""
    if len(ranked) < codebook.spread_categories:
        return False  # too few categories score at all
    scoring = [c for c, s in ranked if s >= codebook.min_score]
    return len(scoring) >= codebook.spread_categories and any(
        m in text for m in codebook.spread_markers
    )


def _is_principle_list(text: str, codebook: Codebook) -> bool:
    """Return whether a sentence only lists principles (坚持A、坚持B、坚持C的原则。)."""
    body = text.strip().rstrip("。；;！!")
    closer = next((c for c in codebook.principle_closers if body.endswith(c)), None)
    if closer is None or "，" in body or "," in body:
        return False  # a principle followed by what to do is about what it does
    return len(body[: -len(closer)].split("、")) >= codebook.principle_min_items


def code_text_naive(text: str, codebook: Codebook) -> dict[str, object]:
    """Return the naive keyword count: the category whose plain terms occur most often."""
    counts: dict[str, int] = defaultdict(int)
    found = []
    for cat, terms in codebook.terms.items():
        for term in terms:
            n = text.count(term)
            if n:
                counts[cat] += n
                found.append(term)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], CATEGORIES.index(kv[0])))
    if not ranked:
        return _coded([], OTHER, sorted(found), "no keyword", None, "naive")
    top = ranked[0][1]
    cats = [c for c, n in ranked if n == top]
    return _coded(
        cats, ranked[0][0], sorted(found), f"{ranked[0][0]} {top} keywords", None, "naive"
    )


def _coded(cats, primary, terms, evidence, probability, coder) -> dict[str, object]:
    return {
        "categories": ";".join(cats),
        "primary_category": primary,
        "matched_terms": ";".join(terms),
        "evidence": evidence,
        "probability": probability,
        "coder": coder,
    }


def code_texts(texts: list[str], codebook: Codebook, coder: str = DEFAULT_CODER) -> list[dict]:
    """Return the coding (a dict of CODED_COLUMNS) of each text by the chosen coder."""
    if coder == "classifier":
        from .classifier import code_texts_classifier  # imported late: it imports this module

        return code_texts_classifier(texts, codebook)
    if coder == "rules":
        return code_texts_rules(texts, codebook)
    if coder == "naive":
        return [code_text_naive(t, codebook) for t in texts]
    raise ValueError(f"unknown coder {coder!r} (choose from: {', '.join(CODERS)})")


def code_sentences(
    sentences: pd.DataFrame,
    codebook: Codebook,
    coder: str = DEFAULT_CODER,
    text_column: str = "text",
) -> pd.DataFrame:
    """Return the sentence table with the coding columns of the chosen coder added."""
    rows = code_texts(sentences[text_column].astype(str).tolist(), codebook, coder)
    coded = pd.DataFrame(rows, columns=CODED_COLUMNS, index=sentences.index)
    return pd.concat([sentences.drop(columns=CODED_COLUMNS, errors="ignore"), coded], axis=1)
