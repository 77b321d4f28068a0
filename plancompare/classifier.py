"""The supervised coder: character n-gram TF-IDF plus the codebook's rule scores, logistic regression.

It is trained on the hand-coded validation set (``data/annotations/validation.csv``) the first
time it is needed and cached for the process; no fitted model is stored. Training is
deterministic (lbfgs, fixed seed), so every process gets the same model from the same files.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from . import paths
from .coding import Codebook, _coded, category_scores, code_text_rules
from .style import ALL_CATEGORIES, CATEGORIES

SEED = 20261122
# Rule scores are on a scale of a few points; this brings them near the TF-IDF feature scale
# (unit-length rows) while letting them carry real weight in the linear model.
RULE_FEATURE_SCALE = 0.5
# A category other than the primary is listed when its probability is at least this.
SECONDARY_PROBABILITY = 0.25


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyper-parameters of the classifier (fixed, not tuned on the validation set)."""

    ngram_range: tuple[int, int] = (1, 3)
    C: float = 1.0
    use_rule_features: bool = True
    max_iter: int = 5000


def rule_features(texts: Sequence[str], codebook: Codebook) -> np.ndarray:
    """Return the codebook's category scores and rule primary (one-hot) for each text."""
    rows = []
    for text in texts:
        scores = category_scores(text, codebook)
        primary = code_text_rules(text, codebook)["primary_category"]
        rows.append(
            [scores[c] * RULE_FEATURE_SCALE for c in CATEGORIES]
            + [1.0 if primary == c else 0.0 for c in ALL_CATEGORIES]
        )
    return np.asarray(rows, dtype=float)


def build_model(codebook: Codebook, config: ClassifierConfig = ClassifierConfig()) -> Pipeline:
    """Return the unfitted scikit-learn pipeline of the classifier."""
    parts = [
        (
            "chars",
            TfidfVectorizer(analyzer="char", ngram_range=config.ngram_range, sublinear_tf=True),
        )
    ]
    if config.use_rule_features:
        parts.append(("rules", FunctionTransformer(lambda xs: rule_features(list(xs), codebook))))
    return Pipeline(
        [
            ("features", FeatureUnion(parts)),
            (
                "model",
                LogisticRegression(
                    C=config.C,
                    class_weight="balanced",
                    max_iter=config.max_iter,
                    random_state=SEED,
                ),
            ),
        ]
    )


def fit_model(
    texts: Sequence[str],
    labels: Sequence[str],
    codebook: Codebook,
    config: ClassifierConfig = ClassifierConfig(),
) -> Pipeline:
    """Return the classifier fitted on these texts and primary labels."""
    # One BLAS thread: on a small problem, thread start-up and contention cost seconds.
    with threadpool_limits(1):
        return build_model(codebook, config).fit(list(texts), list(labels))


# Models trained in this process, by (validation file, its SHA-256, codebook SHA-256).
_MODELS: dict[tuple[str, str, str], Pipeline] = {}


def default_model(codebook: Codebook, validation: Path | str = paths.VALIDATION) -> Pipeline:
    """Return the classifier trained on the validation set with this codebook (once per process)."""
    path = Path(validation)
    data = path.read_bytes()
    key = (str(path.resolve()), hashlib.sha256(data).hexdigest(), codebook.sha256)
    if key not in _MODELS:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        _MODELS[key] = fit_model(table["text"], table["primary"], codebook)
    return _MODELS[key]


def code_texts_with(model: Pipeline, texts: Sequence[str], codebook: Codebook) -> list[dict]:
    """Return the coded rows of these texts by a fitted classifier (probability and evidence)."""
    if not texts:
        return []
    with threadpool_limits(1):
        proba = model.predict_proba(list(texts))
    classes = list(model.classes_)
    out = []
    for text, p in zip(texts, proba, strict=True):
        order = np.argsort(-p, kind="stable")
        top = classes[order[0]]
        rules = code_text_rules(text, codebook)
        cats = [
            classes[i]
            for i in order
            if classes[i] != "other" and (classes[i] == top or p[i] >= SECONDARY_PROBABILITY)
        ]
        evidence = f"classifier {top} p={p[order[0]]:.2f}; rules: {rules['evidence']}"
        out.append(
            _coded(
                cats,
                top,
                rules["matched_terms"].split(";") if rules["matched_terms"] else [],
                evidence,
                round(float(p[order[0]]), 4),
                "classifier",
            )
        )
    return out


def code_texts_classifier(texts: Sequence[str], codebook: Codebook) -> list[dict]:
    """Return the coded rows of these texts by the classifier trained on the validation set."""
    return code_texts_with(default_model(codebook), texts, codebook)
