"""Evaluation of the three coders on the hand-coded validation set, and inter-coder agreement.

Run ``python -m plancompare.evaluate``: prints a table and writes ``data/processed/evaluation.json``.

How the figures are computed:

* A predicted primary category is *accepted* when it equals the hand-coded primary or is one of
  the hand-coded `also` categories. Primary accuracy is the share of accepted predictions.
* Per-category precision, recall and F1 compare the prediction with the *accepted label*: the
  prediction itself when it is accepted, the hand-coded primary otherwise (so a sentence coded
  `markets` with `also` = `institutions` counts as right for either). Macro-F1 averages the six
  categories (with `other`). The confusion matrix has accepted labels as rows, predictions as
  columns. The bar of the issue ("no category below 85%") is checked on recall.
* The naive and rule coders are scored on every row. The rule codebook was written with the set in
  view, so it is also scored on a fixed-seed stratified 30% *held-out* part whose errors were not
  inspected while tuning (the rows had been read while hand-coding them).
* The classifier is fitted on the validation set, so it is scored only by stratified 5-fold
  cross-validation with a fixed seed: every row is predicted by a model that did not see it.
* Agreement with the independent second coder (when ``validation_second_coder.csv`` exists):
  Cohen's kappa and Krippendorff's alpha (nominal) on the primary category, and on the label set
  primary+also Krippendorff's alpha with the MASI distance (headline) and the mean over the six
  categories of a binary (nominal) alpha of "category in the set".
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .coding import CODERS, DEFAULT_CODER, Codebook, code_sentences, load_codebook
from .style import ALL_CATEGORIES

SEED = 20261122
HOLDOUT_SEED = SEED + 1
HOLDOUT_FRAC = 0.3
N_FOLDS = 5
BAR_ACCURACY = 0.95
BAR_CATEGORY = 0.85
VALIDATION_COLUMNS = ["plan_id", "text", "primary", "also", "note"]
EVALUATION_JSON = paths.PROCESSED / "evaluation.json"


def load_validation(path: Path | str = paths.VALIDATION) -> pd.DataFrame:
    """Return the hand-coded validation set, with `also` as a tuple of categories per row."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(VALIDATION_COLUMNS[:3]) - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    for col in ("also", "note"):
        if col not in df.columns:
            df[col] = ""
    df["primary"] = df["primary"].str.strip()
    bad = sorted(set(df["primary"]) - set(ALL_CATEGORIES))
    if bad:
        raise ValueError(f"{path}: unknown primary categories {bad}")
    df["also"] = [
        tuple(c for c in _split_also(a) if c != p)
        for a, p in zip(df["also"], df["primary"], strict=True)
    ]
    return df[VALIDATION_COLUMNS].reset_index(drop=True)


def _split_also(value: str) -> tuple[str, ...]:
    return tuple(sorted({v.strip() for v in str(value).split(";") if v.strip()}))


def second_pass_sample(
    validation: pd.DataFrame, frac: float = 0.3, min_per_category: int = 12, seed: int = SEED
) -> pd.DataFrame:
    """Return a fixed-seed sample stratified by primary category (plan_id and text only)."""
    parts = [
        group.sample(
            n=min(len(group), max(min_per_category, round(frac * len(group)))),
            random_state=seed,
        )
        for _, group in validation.groupby("primary", sort=True)
    ]
    out = pd.concat(parts)[["plan_id", "text"]]
    return out.sort_values(["plan_id", "text"]).reset_index(drop=True)


def holdout_mask(validation: pd.DataFrame, frac: float = HOLDOUT_FRAC) -> np.ndarray:
    """Return a boolean mask of the fixed-seed stratified held-out rows (not inspected in tuning)."""
    held = pd.concat(
        g.sample(frac=frac, random_state=HOLDOUT_SEED)
        for _, g in validation.groupby("primary", sort=True)
    ).index
    return validation.index.isin(held)


@dataclass(frozen=True)
class Scores:
    """The figures of one coder on one set of rows."""

    n: int
    accuracy: float
    strict_accuracy: float
    macro_f1: float
    per_category: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]

    def as_dict(self) -> dict:
        """Return the figures as a JSON-ready dict."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "strict_accuracy": self.strict_accuracy,
            "macro_f1": self.macro_f1,
            "per_category": self.per_category,
            "confusion": self.confusion,
        }

    def min_recall(self) -> float:
        """Return the lowest per-category recall."""
        return min(v["recall"] for v in self.per_category.values())

    def min_f1(self) -> float:
        """Return the lowest per-category F1."""
        return min(v["f1"] for v in self.per_category.values())


def accepted(pred: Sequence[str], primary: Sequence[str], also: Sequence[tuple]) -> np.ndarray:
    """Return per row whether the prediction is the primary or one of the `also` categories."""
    return np.array([p == t or p in a for p, t, a in zip(pred, primary, also, strict=True)])


def score(pred: Sequence[str], primary: Sequence[str], also: Sequence[tuple]) -> Scores:
    """Return accuracy, per-category precision/recall/F1, macro-F1 and confusion of predictions."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    pred = list(pred)
    ok = accepted(pred, primary, also)
    truth = [p if good else t for p, t, good in zip(pred, primary, ok, strict=True)]
    labels = list(ALL_CATEGORIES)
    prec, rec, f1, support = precision_recall_fscore_support(
        truth, pred, labels=labels, zero_division=0
    )
    cm = confusion_matrix(truth, pred, labels=labels)
    return Scores(
        n=len(pred),
        accuracy=_r(ok.mean()),
        strict_accuracy=_r(np.mean([p == t for p, t in zip(pred, primary, strict=True)])),
        macro_f1=_r(np.mean(f1)),
        per_category={
            c: {
                "precision": _r(prec[i]),
                "recall": _r(rec[i]),
                "f1": _r(f1[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(labels)
        },
        confusion={
            c: {d: int(cm[i, j]) for j, d in enumerate(labels)} for i, c in enumerate(labels)
        },
    )


def _subset(values: Sequence, mask: np.ndarray) -> list:
    return [v for v, keep in zip(values, mask, strict=True) if keep]


def _r(x: float) -> float:
    return round(float(x), 4)


def predict(validation: pd.DataFrame, codebook: Codebook, coder: str) -> list[str]:
    """Return the primary category the naive or the rule coder gives every validation row."""
    return code_sentences(validation, codebook, coder=coder)["primary_category"].tolist()


def cross_validated_predictions(
    validation: pd.DataFrame, codebook: Codebook, n_folds: int = N_FOLDS, seed: int = SEED
) -> list[str]:
    """Return the classifier's primary per row, each predicted by a model that did not see it."""
    from sklearn.model_selection import StratifiedKFold

    from .classifier import code_texts_with, fit_model

    pred: list[str] = [""] * len(validation)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    texts, labels = validation["text"], validation["primary"]
    for train, test in folds.split(texts, labels):
        model = fit_model(texts.iloc[train], labels.iloc[train], codebook)
        rows = code_texts_with(model, texts.iloc[test].tolist(), codebook)
        for i, row in zip(test, rows, strict=True):
            pred[i] = str(row["primary_category"])
    return pred


def masi_distance(a: frozenset, b: frozenset) -> float:
    """Return the MASI distance between two label sets (0 identical, 1 disjoint)."""
    if not a and not b:
        return 0.0
    jaccard = len(a & b) / len(a | b)
    if a == b:
        monotonicity = 1.0
    elif a <= b or b <= a:
        monotonicity = 2 / 3
    elif a & b:
        monotonicity = 1 / 3
    else:
        monotonicity = 0.0
    return 1.0 - jaccard * monotonicity


def alpha_with_distance(
    first: Sequence, second: Sequence, distance: Callable[[object, object], float]
) -> float:
    """Return Krippendorff's alpha of two coders (no missing values) under any distance."""
    values = list(first) + list(second)
    n = len(first)
    observed = np.mean([distance(a, b) for a, b in zip(first, second, strict=True)])
    pairs = [distance(values[i], values[j]) for i in range(2 * n) for j in range(2 * n) if i != j]
    expected = np.mean(pairs)
    return 1.0 if expected == 0 else float(1.0 - observed / expected)


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> dict:
    """Return kappa and alpha between two codings of the same sentences (joined on plan and text)."""
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    both = first.merge(second, on=["plan_id", "text"], suffixes=("_1", "_2"))
    if both.empty:
        return {"available": False, "reason": "no sentences in common"}
    cats = {c: i for i, c in enumerate(ALL_CATEGORIES)}
    p1, p2 = both["primary_1"].tolist(), both["primary_2"].tolist()
    sets1 = [frozenset((p,) + tuple(a)) for p, a in zip(p1, both["also_1"], strict=True)]
    sets2 = [frozenset((p,) + tuple(a)) for p, a in zip(p2, both["also_2"], strict=True)]
    binary = []
    for c in ALL_CATEGORIES:
        data = [[float(c in s) for s in sets1], [float(c in s) for s in sets2]]
        if len({v for row in data for v in row}) > 1:
            binary.append(krippendorff.alpha(data, level_of_measurement="nominal"))
    return {
        "available": True,
        "n": int(len(both)),
        "percent_agreement_primary": _r(np.mean([a == b for a, b in zip(p1, p2, strict=True)])),
        "cohen_kappa_primary": _r(cohen_kappa_score(p1, p2)),
        "krippendorff_alpha_primary_nominal": _r(
            krippendorff.alpha(
                [[cats[p] for p in p1], [cats[p] for p in p2]], level_of_measurement="nominal"
            )
        ),
        "krippendorff_alpha_sets_masi": _r(alpha_with_distance(sets1, sets2, masi_distance)),
        "krippendorff_alpha_sets_binary_mean": _r(np.mean(binary)),
        "second_accepts_first_primary": _r(
            np.mean([a in s for a, s in zip(p1, sets2, strict=True)])
        ),
    }


def agreement_summary(validation: pd.DataFrame, second: pd.DataFrame | None) -> dict:
    """Return the agreement figures, or a note that the second coding is not available."""
    if second is None:
        return {"available": False, "reason": "second coding not available"}
    return agreement(validation, second)


def load_second_coder(path: Path | str = paths.SECOND_CODER) -> pd.DataFrame | None:
    """Return the second coder's codes (same columns as the validation set), or None if absent."""
    path = Path(path)
    return load_validation(path) if path.exists() else None


def evaluate(
    validation: pd.DataFrame,
    codebook: Codebook,
    second: pd.DataFrame | None = None,
    validation_sha256: str = "",
) -> dict:
    """Return every figure of the evaluation as a JSON-ready dict."""
    primary, also = validation["primary"].tolist(), validation["also"].tolist()
    held = holdout_mask(validation)
    coders: dict[str, dict] = {}
    for coder in ("naive", "rules"):
        pred = predict(validation, codebook, coder)
        coders[coder] = {
            "scored_on": "all rows (no fitting)",
            "all": score(pred, primary, also).as_dict(),
            "holdout": score(
                _subset(pred, held), _subset(primary, held), _subset(also, held)
            ).as_dict(),
        }
    coders["rules"]["scored_on"] = (
        "all rows; the codebook was written with the set in view, so 'holdout' is the honest figure"
    )
    cv = cross_validated_predictions(validation, codebook)
    coders["classifier"] = {
        "scored_on": f"stratified {N_FOLDS}-fold cross-validation, seed {SEED}",
        "all": score(cv, primary, also).as_dict(),
        "holdout": score(_subset(cv, held), _subset(primary, held), _subset(also, held)).as_dict(),
    }
    result = {
        "validation": {
            "n": int(len(validation)),
            "n_per_category": {c: int((validation["primary"] == c).sum()) for c in ALL_CATEGORIES},
            "n_holdout": int(held.sum()),
            "sha256": validation_sha256,
            "plans": sorted(validation["plan_id"].unique().tolist()),
        },
        "codebook": {"version": codebook.version, "sha256": codebook.sha256},
        "coders": coders,
        "default_coder": DEFAULT_CODER,
        "best_coder": best_coder(coders),
        "bar": {"accuracy": BAR_ACCURACY, "category_recall": BAR_CATEGORY},
        "seeds": {"cv": SEED, "holdout": HOLDOUT_SEED},
        "method": {
            "accepted": "prediction equals the primary or is one of the also categories",
            "per_category": "precision/recall/F1 against the accepted label",
            "bar_category_metric": "recall",
            "classifier": "char 1-3-gram TF-IDF + codebook rule scores, logistic regression",
            "agreement_sets": "Krippendorff alpha with MASI distance on primary+also "
            "(and mean per-category binary alpha)",
        },
        "agreement": agreement_summary(validation, second),
    }
    return result


def best_coder(coders: dict[str, dict]) -> str:
    """Return the coder with the best honest accuracy: on the held-out rows, then on all rows.

    The held-out rows are the one set on which every coder is scored without having seen it
    (the rules were not tuned on them, the classifier predicts them by cross-validation); ties go
    to the simpler coder (rules, then classifier, then naive).
    """
    order = ("rules", "classifier", "naive")
    return min(
        order,
        key=lambda c: (
            -coders[c]["holdout"]["accuracy"],
            -coders[c]["all"]["accuracy"],
            order.index(c),
        ),
    )


def load_evaluation(path: Path | str = EVALUATION_JSON) -> dict | None:
    """Return the evaluation written by `python -m plancompare.evaluate`, or None if absent."""
    path = Path(path)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def format_table(result: dict) -> str:
    """Return a readable plain-text table of the evaluation."""
    lines = []
    v = result["validation"]
    lines.append(
        f"Validation set: {v['n']} sentences ({v['n_holdout']} held out); per category: "
        + ", ".join(f"{c} {n}" for c, n in v["n_per_category"].items())
    )
    cb = result["codebook"]
    lines.append(f"Codebook {cb['version']} sha256 {cb['sha256'][:12]}")
    for coder in CODERS:
        info = result["coders"][coder]
        for part in ("all", "holdout"):
            s = info[part]
            lines.append("")
            lines.append(
                f"{coder} [{part}, n={s['n']}] ({info['scored_on']}): accuracy {s['accuracy']:.3f}"
                f"  strict {s['strict_accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}"
            )
            lines.append(f"  {'category':<15}{'prec':>7}{'recall':>8}{'F1':>7}{'n':>5}")
            for c, m in s["per_category"].items():
                lines.append(
                    f"  {c:<15}{m['precision']:>7.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}"
                    f"{m['support']:>5}"
                )
        s = info["all"]
        lines.append("  confusion (rows accepted label, columns predicted):")
        lines.append("  " + " " * 15 + "".join(f"{c[:6]:>8}" for c in ALL_CATEGORIES))
        for c in ALL_CATEGORIES:
            lines.append(
                f"  {c:<15}" + "".join(f"{s['confusion'][c][d]:>8}" for d in ALL_CATEGORIES)
            )
    lines.append("")
    ag = result["agreement"]
    if ag.get("available"):
        lines.append(
            f"Agreement with the second coder (n={ag['n']}): kappa {ag['cohen_kappa_primary']:.3f}, "
            f"alpha primary {ag['krippendorff_alpha_primary_nominal']:.3f}, "
            f"alpha sets (MASI) {ag['krippendorff_alpha_sets_masi']:.3f}, "
            f"alpha sets (binary mean) {ag['krippendorff_alpha_sets_binary_mean']:.3f}"
        )
    else:
        lines.append(f"Agreement: {ag['reason']}")
    lines.append(
        f"Default coder: {result['default_coder']} (best measured: {result['best_coder']})"
    )
    return "\n".join(lines)


def run(
    validation_path: Path | str = paths.VALIDATION,
    codebook_path: Path | str = paths.CODEBOOK,
    second_path: Path | str = paths.SECOND_CODER,
) -> dict:
    """Return the evaluation of the project's validation set and codebook."""
    validation_path = Path(validation_path)
    return evaluate(
        load_validation(validation_path),
        load_codebook(codebook_path),
        load_second_coder(second_path),
        hashlib.sha256(validation_path.read_bytes()).hexdigest(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation table and write the JSON; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EVALUATION_JSON)
    args = parser.parse_args(argv)
    result = run()
    print(format_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(result, sort_keys=True, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
