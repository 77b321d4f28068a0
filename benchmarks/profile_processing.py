#!/usr/bin/env python3
"""Where processing time goes: each pipeline step's seconds against jieba.lcut of the same texts.

Usage: .venv/bin/python benchmarks/profile_processing.py [--plans N] [--cprofile FILE]
Builds a synthetic corpus, processes it as a run does (build.process_one per plan, then
build.write_tables) with every step timed, and optionally writes cProfile statistics.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import synthetic  # noqa: E402

from plancompare import (  # noqa: E402
    build,
    cleaning,
    coding,
    indicators,
    pipeline,
    reading,
    segment,
    sentences,
)
from plancompare.manifest import load_manifest  # noqa: E402

STEPS: tuple[tuple[ModuleType, str, str], ...] = (
    (coding, "load_codebook", "load the codebook (YAML)"),
    (reading, "read_plan_text", "read and decode"),
    (cleaning, "clean_text", "clean"),
    (cleaning, "traditional_share", "detect the script"),
    (sentences, "split_sentences", "split sentences"),
    (coding, "code_texts", "code sentences"),
    (segment, "segment_all", "segment (jieba, per sentence)"),
    (indicators, "extract_from_records", "extract indicators"),
    (pipeline, "write_parquet", "write parquet"),
    (pipeline, "write_json", "write meta.json"),
    (build, "write_tables", "corpus tables (CSV; kept tables, else read back)"),
)


def timed(fn: Callable, label: str, totals: dict[str, float]) -> Callable:
    """Return fn wrapped so that its seconds add up under label."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.perf_counter() - start

    return wrapper


def instrument(totals: dict[str, float]) -> None:
    """Wrap every pipeline step in place (this process only)."""
    for module, name, label in STEPS:
        setattr(module, name, timed(getattr(module, name), label, totals))


def breakdown(manifest_path: Path, processed: Path, profile: Path | None) -> dict[str, float]:
    """Process every plan of a manifest with each step timed; return seconds per step."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    manifest = load_manifest(manifest_path)
    codebook = coding.load_codebook()
    segment.tokenizer(tuple(sorted(set(codebook.all_terms()))))
    jieba.initialize()
    settings = build.Settings(manifest=manifest_path, processed=processed, force=True)
    build.process_one(manifest.plans[0], manifest, settings)  # once-per-process costs
    totals: dict[str, float] = {}
    instrument(totals)
    prof = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if prof:
        prof.enable()
    for plan in manifest.plans:
        build.process_one(plan, manifest, settings)
    build.write_tables(settings, [p.id for p in manifest.plans])
    if prof:
        prof.disable()
        prof.dump_stats(str(profile))
    totals["processing, all steps"] = time.perf_counter() - start
    texts = [manifest.source_path(p).read_text("utf-8-sig") for p in manifest.plans]
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    totals["jieba.lcut of the same texts"] = time.perf_counter() - start
    return totals


def main() -> int:
    """Print each step's seconds and its ratio to jieba."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plans", type=int, default=30)
    p.add_argument("--cprofile", type=Path, help="also write cProfile statistics here")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="plancompare-profile-") as tmp:
        manifest = synthetic.build_corpus(Path(tmp), args.plans, n_comparisons=0)
        totals = breakdown(manifest, Path(tmp) / "processed", args.cprofile)
    floor = totals["jieba.lcut of the same texts"]
    for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{label:32} {seconds:7.2f} s  {seconds / floor:5.2f}× jieba")
    return 0


if __name__ == "__main__":
    sys.exit(main())
