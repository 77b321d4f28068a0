"""Coding sentences into the five categories: the naive keyword count and the rule-based codebook."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from . import paths
from .style import CATEGORIES, OTHER

CODED_COLUMNS = [
    "categories",
    "primary_category",
    "matched_terms",
    "evidence",
    "probability",
    "coder",
]


@dataclass(frozen=True)
class Codebook:
    """The codebook as loaded from YAML: weighted terms per category and phrase overrides."""

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
    extra: dict = field(default_factory=dict)

    @cached_property
    def term_category(self) -> dict[str, tuple[str, float]]:
        """Return every matchable phrase with the category and weight it counts for."""
        out: dict[str, tuple[str, float]] = {}
        for cat, terms in self.terms.items():
            for term, weight in terms.items():
                out[term] = (cat, float(weight))
        out.update(self.overrides)
        return out

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Return one regex of all phrases, longest first, so a longer phrase claims its characters."""
        phrases = sorted(self.term_category, key=lambda t: (-len(t), t))
        return re.compile("|".join(re.escape(p) for p in phrases))

    def all_terms(self) -> list[str]:
        """Return every term and override phrase of the codebook, sorted."""
        return sorted(self.term_category)


def load_codebook(path: Path | str = paths.CODEBOOK) -> Codebook:
    """Return the codebook read from YAML, with the SHA-256 of its file."""
    path = Path(path)
    data = path.read_bytes()
    raw = yaml.safe_load(data)
    cats = raw["categories"]
    overrides = {
        phrase: (spec["category"], float(spec.get("weight", 1.0)))
        for phrase, spec in (raw.get("overrides") or {}).items()
    }
    framing = raw.get("framing") or {}
    known = {k: v for k, v in raw.items() if k not in {"categories", "overrides", "framing"}}
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
        extra=known,
    )


def match_terms(text: str, codebook: Codebook) -> list[tuple[str, str, float]]:
    """Return the (phrase, category, weight) matches in a text, left to right, longest phrase first."""
    out = []
    for m in codebook.pattern.finditer(text):
        cat, weight = codebook.term_category[m.group(0)]
        out.append((m.group(0), cat, weight))
    return out


def _rank(scores: dict[str, float], codebook: Codebook) -> list[tuple[str, float]]:
    order = {c: i for i, c in enumerate(codebook.tie_order)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99)))


def code_text_rules(text: str, codebook: Codebook) -> dict[str, object]:
    """Return the rule-based coding of one sentence: categories, primary, matched terms, evidence."""
    matches = match_terms(text, codebook)
    scores: dict[str, float] = defaultdict(float)
    for _, cat, weight in matches:
        if cat in CATEGORIES:
            scores[cat] += weight
    ranked = [(c, s) for c, s in _rank(scores, codebook) if s > 0]
    terms = sorted({t for t, _, _ in matches})
    if not ranked or ranked[0][1] < codebook.min_score:
        return _coded([], OTHER, terms, "no category term scores enough", None, "rules")
    top_cat, top_score = ranked[0]
    if top_score < codebook.framing_min_score and text.startswith(codebook.framing_openers):
        return _coded(
            [], OTHER, terms, "framing sentence (guiding ideology or principle)", None, "rules"
        )
    cats = [
        c for c, s in ranked if s >= max(codebook.min_score, codebook.secondary_share * top_score)
    ]
    decided = [t for t, c, _ in matches if c == top_cat]
    evidence = f"{top_cat} {top_score:g}: " + "、".join(dict.fromkeys(decided))
    if len(ranked) > 1:
        evidence += f" (next {ranked[1][0]} {ranked[1][1]:g})"
    return _coded(cats, top_cat, terms, evidence, None, "rules")


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


def code_sentences(
    sentences: pd.DataFrame, codebook: Codebook, coder: str = "rules", text_column: str = "text"
) -> pd.DataFrame:
    """Return the sentence table with the coding columns of the chosen coder added."""
    fn = {"rules": code_text_rules, "naive": code_text_naive}.get(coder)
    if fn is None:
        raise ValueError(f"unknown coder {coder!r} (choose from: naive, rules)")
    coded = pd.DataFrame([fn(t, codebook) for t in sentences[text_column]], columns=CODED_COLUMNS)
    coded.index = sentences.index
    return pd.concat([sentences.drop(columns=CODED_COLUMNS, errors="ignore"), coded], axis=1)
