"""The corpus pipeline: a plan's raw text to its tidy tables, run once per plan and cached."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from . import cleaning, coding, indicators, paths, reading, segment, sentences, style
from .fingerprint import processing_fingerprint
from .manifest import Manifest, OneLineError, Plan
from .reading import sha256_file
from .storage import parquet_whole, write_csv, write_json, write_parquet

MIN_CHARS = 200
TRADITIONAL_THRESHOLD = 0.02
SENTENCE_COLUMNS = [
    "plan_id",
    "sentence_id",
    "section",
    "kind",
    "text",
    "text_simplified",
    "n_chars",
    *coding.CODED_COLUMNS,
    "tokens",
]


@dataclass(frozen=True)
class PlanCounts:
    """What cleaning did to one plan."""

    plan_id: str
    encoding: str
    script: str
    raw_sentences: int
    distinct_sentences: int
    duplicates_dropped: int
    headings: int
    toc_chars_removed: int
    distinct_chars: int
    raw_sha256: str


@dataclass(frozen=True)
class ProcessedPlan:
    """One plan's tidy tables and counts."""

    sentences: pd.DataFrame
    counts: PlanCounts
    indicators: pd.DataFrame
    # The sentence table as Arrow, when it was just built: what the cache writes.
    sentence_table: pa.Table | None = field(default=None, repr=False, compare=False)


def cache_key(plan: Plan, raw_sha256: str, codebook: coding.Codebook, coder: str) -> str:
    """Return the key under which a plan's processed tables are cached."""
    parts = {
        "raw": raw_sha256,
        "entry": plan.model_dump(mode="json"),
        "codebook": codebook.sha256,
        "indicator_map": hashlib.sha256(paths.INDICATOR_MAP.read_bytes()).hexdigest(),
        "coder": coder,
        "code": processing_fingerprint(),
        # The classifier is trained on the validation set when a process first uses it.
        "validation": sha256_file(paths.VALIDATION) if coder == "classifier" else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def process_text(
    plan: Plan, raw: reading.RawText, codebook: coding.Codebook, coder: str = coding.DEFAULT_CODER
) -> ProcessedPlan:
    """Return the coded sentence table and counts of one plan's decoded text."""
    where = f"plan '{plan.id}' ({plan.source})"
    text = cleaning.clean_text(raw.text)
    if len(text) < MIN_CHARS:
        raise reading.InputError(
            f"{where}: only {len(text)} characters after cleaning (at least {MIN_CHARS} needed)"
        )
    if not any(p in text for p in sentences.TERMINATORS):
        hint = ""
        if plan.encoding and not cleaning.has_chinese(text):
            hint = f"; no Chinese characters either: is the manifest's encoding '{plan.encoding}' right?"
        raise reading.InputError(f"{where}: no sentence punctuation (。！？；) in the text{hint}")
    traditional = cleaning.traditional_share(text) > TRADITIONAL_THRESHOLD
    split = sentences.split_sentences(text)
    table = split.sentences
    kinds = table["kind"].tolist()
    if "sentence" not in kinds:
        raise reading.InputError(f"{where}: no sentences found after cleaning")
    ids, sections = table["sentence_id"].tolist(), table["section"].tolist()
    texts, n_chars = table["text"].tolist(), table["n_chars"].tolist()
    # Coding and segmentation read the simplified form; quotes keep the plan's own script.
    simplified = [cleaning.to_simplified(t) for t in texts] if traditional else texts
    # Segmentation starts first: in a helper process (segment.helpers) it runs meanwhile.
    tokens = segment.submit(simplified, codebook.all_terms())
    coded = coding.code_texts(simplified, codebook, coder)
    records = zip(ids, simplified, sections, kinds, strict=True)
    found = indicators.extract_from_records(records, plan, _indicator_map())
    if traditional and len(found):
        # Figures are read from the simplified form; their evidence is quoted as the plan wrote it.
        own = dict(zip(ids, texts, strict=True))
        quoted = [own[sid] for sid in found["sentence_id"]]
        found["source_text"] = pd.array(quoted, dtype=found["source_text"].dtype)
    # Built as an Arrow table from the column lists: written to Parquet as it is, and turned
    # into a DataFrame in one conversion (several times cheaper than pandas' own constructor).
    table = pa.table(
        {
            "plan_id": [plan.id] * len(texts),
            "sentence_id": ids,
            "section": sections,
            "kind": kinds,
            "text": texts,
            "text_simplified": simplified,
            "n_chars": n_chars,
            **{c: [row[c] for row in coded] for c in coding.CODED_COLUMNS},
            "tokens": tokens(),
        }
    ).select(SENTENCE_COLUMNS)
    df = table.to_pandas()
    counts = PlanCounts(
        plan_id=plan.id,
        encoding=raw.encoding,
        script="traditional" if traditional else "simplified",
        raw_sentences=split.n_raw,
        distinct_sentences=len(df),
        duplicates_dropped=split.n_duplicates,
        headings=kinds.count("heading"),
        toc_chars_removed=split.toc_removed,
        distinct_chars=sum(n for n, k in zip(n_chars, kinds, strict=True) if k == "sentence"),
        raw_sha256=raw.sha256,
    )
    return ProcessedPlan(df, counts, found, table)


@lru_cache(maxsize=1)
def _indicator_map() -> indicators.IndicatorMap:
    return indicators.load_indicator_map(paths.INDICATOR_MAP)


class NotProcessedError(OneLineError, FileNotFoundError):
    """A plan whose tables are not (yet) under the processed folder."""


def _processed_file(processed: Path, plan_id: str, name: str) -> Path:
    """Return a file of a processed plan's cache, or say how to make it when there is none."""
    path = plan_cache_dir(processed, plan_id) / name
    if not path.is_file():
        raise NotProcessedError(
            f"plan {plan_id!r} is not processed under {Path(processed).resolve()}: "
            "run `python run_all.py` (or `make reports`) in the project folder first"
        )
    return path


def plan_cache_dir(processed: Path, plan_id: str) -> Path:
    """Return the folder of a plan's cached tables."""
    return Path(processed) / "plans" / plan_id


def process_plan(
    manifest: Manifest,
    plan: Plan,
    processed: Path,
    codebook: coding.Codebook,
    coder: str = coding.DEFAULT_CODER,
    force: bool = False,
) -> tuple[ProcessedPlan, bool]:
    """Return a plan's processed tables, from its cache when nothing changed; the flag says if reused."""
    reused = ensure_processed(manifest, plan, processed, codebook, coder, force)
    return load_processed(processed, plan.id), reused


def ensure_processed(
    manifest: Manifest,
    plan: Plan,
    processed: Path,
    codebook: coding.Codebook,
    coder: str = coding.DEFAULT_CODER,
    force: bool = False,
) -> bool:
    """Process a plan into its cache unless the cache is current; return whether it was reused.

    Unlike `process_plan`, a current cache is not read (a run only needs to know it is there).
    """
    raw = reading.read_plan_text(manifest.source_path(plan), plan.encoding)
    key = cache_key(plan, raw.sha256, codebook, coder)
    folder = plan_cache_dir(processed, plan.id)
    whole = all(parquet_whole(folder / name) for name in paths.PLAN_CACHE_TABLES)
    if not force and whole and _cached_meta(folder).get("key") == key:
        return True
    _process_and_cache(plan, raw, key, folder, codebook, coder)
    return False


_AIMED_YEAR = re.compile(r"(?:到|至)((?:19|20)\d\d)年")


def plan_warnings(plan: Plan, result: ProcessedPlan) -> list[str]:
    """Return what looks wrong in a processed plan that is not an error (one line each).

    A text with no sentence in the five categories is probably not a financial plan; a text
    that mostly aims at a year after the manifest's period (or before its baseline year)
    probably has the wrong period.
    """
    out = []
    body = result.sentences[result.sentences["kind"] == "sentence"]
    if len(body) and (body["primary_category"] == style.OTHER).all():
        out.append(
            f"none of its {len(body)} sentences falls in the five categories: "
            "is it a financial plan?"
        )
    aimed = Counter(
        int(y) for text in body["text"] for y in _AIMED_YEAR.findall(str(text))
    ).most_common(1)
    # 到2005年底 in a review reaches the baseline year; a text aiming past its period's end (or
    # short of its baseline) was given the wrong period.
    if aimed and aimed[0][1] >= 2 and not plan.baseline_year <= aimed[0][0] <= plan.end:
        year, n = aimed[0]
        out.append(
            f"its text aims at {year} (到{year}年, {n} times), outside the manifest's period "
            f"{plan.start}–{plan.end}: is the period right?"
        )
    return out


def cached_warnings(processed: Path, plan_id: str) -> list[str]:
    """Return the warnings recorded with a plan's cache (none when there is no cache)."""
    return list(_cached_meta(plan_cache_dir(processed, plan_id)).get("warnings", []))


def _read_meta(folder: Path) -> dict:
    """Return a plan cache's meta.json: its key and cleaning counts."""
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def _cached_meta(folder: Path) -> dict:
    """Return a plan cache's meta.json (empty when there is none or it cannot be read)."""
    try:
        meta = _read_meta(folder)
    except (OSError, ValueError):  # none yet, or cut short by a crash
        return {}
    return meta if isinstance(meta, dict) else {}


def _process_and_cache(
    plan: Plan,
    raw: reading.RawText,
    key: str,
    folder: Path,
    codebook: coding.Codebook,
    coder: str,
) -> None:
    """Process a plan's text and write its cache (the meta file last: it marks the cache whole)."""
    result = process_text(plan, raw, codebook, coder)
    table = result.sentences if result.sentence_table is None else result.sentence_table
    write_parquet(folder / paths.SENTENCES_TABLE, table)
    write_parquet(folder / paths.INDICATORS_TABLE, result.indicators)
    # Not synced to disk (nor are the Parquet files): an unreadable cache is processed again.
    meta = {"key": key, "counts": result.counts.__dict__, "warnings": plan_warnings(plan, result)}
    write_json(folder / "meta.json", meta, durable=False)
    _remember(folder, key, result)


# Plans this process has just processed, by cache folder: a run's corpus-wide tables are built
# from them instead of reading every Parquet file back (bounded, and each is used once).
_FRESH_MAX = 256
_fresh: OrderedDict[Path, tuple[str, ProcessedPlan]] = OrderedDict()


def _remember(folder: Path, key: str, result: ProcessedPlan) -> None:
    """Keep a just-written plan's tables for `load_processed`."""
    _fresh[folder] = (key, result)
    _fresh.move_to_end(folder)
    while len(_fresh) > _FRESH_MAX:
        _fresh.popitem(last=False)


def load_processed(processed: Path, plan_id: str) -> ProcessedPlan:
    """Return one plan's processed tables: as this process just wrote them, else from its cache."""
    folder = plan_cache_dir(processed, plan_id)
    meta = _read_meta(folder)
    key, fresh = _fresh.pop(folder, (None, None))
    if fresh is not None and key == meta.get("key"):
        return fresh
    return ProcessedPlan(
        load_sentences(processed, [plan_id]),
        PlanCounts(**meta["counts"]),
        load_indicators(processed, [plan_id]),
    )


def load_sentences(
    processed: Path, plan_ids: list[str] | None = None, coder: str | None = None
) -> pd.DataFrame:
    """Return the coded sentence tables of the given plans (all cached plans when None).

    With `coder`, sentences coded by another coder are coded again from their cached simplified
    text (segmentation and everything else are reused).
    """
    root = Path(processed) / "plans"
    ids = plan_ids if plan_ids is not None else sorted(p.name for p in root.iterdir() if p.is_dir())
    df = pd.concat(
        [pd.read_parquet(_processed_file(processed, i, paths.SENTENCES_TABLE)) for i in ids],
        ignore_index=True,
    )
    if coder is not None and not (df["coder"] == coder).all():
        recoded = coding.code_sentences(
            df, coding.load_codebook(), coder=coder, text_column="text_simplified"
        )
        df = recoded[SENTENCE_COLUMNS]
    return df


def load_indicators(processed: Path, plan_ids: list[str]) -> pd.DataFrame:
    """Return the quantitative statements extracted from the given plans."""
    return pd.concat(
        [pd.read_parquet(_processed_file(processed, i, paths.INDICATORS_TABLE)) for i in plan_ids],
        ignore_index=True,
    )


def load_counts(processed: Path, plan_id: str) -> PlanCounts:
    """Return the cleaning counts of one processed plan."""
    meta = _processed_file(processed, plan_id, "meta.json")
    return PlanCounts(**json.loads(meta.read_text(encoding="utf-8"))["counts"])


def write_tables(processed: Path, results: list[ProcessedPlan]) -> None:
    """Write the corpus-wide tidy CSV tables (sentences, plans, indicators) from processed plans."""
    processed = Path(processed)
    if not results:
        return
    sentences_df = pd.concat([r.sentences for r in results], ignore_index=True)
    sentences_df = sentences_df.sort_values(["plan_id", "sentence_id"], kind="stable")
    write_csv(processed / "sentences.csv", sentences_df)
    plans_df = pd.DataFrame([r.counts.__dict__ for r in results]).sort_values("plan_id")
    write_csv(processed / "plans.csv", plans_df)
    found = pd.concat([r.indicators for r in results], ignore_index=True)
    write_csv(
        processed / "indicators.csv", found.sort_values(["plan_id", "sentence_id"], kind="stable")
    )
