"""Segmentation in helper processes gives the same tokens and tables as segmenting in the run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from plancompare import build, segment
from plancompare.coding import load_codebook
from plancompare.executors import LocalExecutor
from plancompare.manifest import load_manifest
from plancompare.settings import Settings

WORDS = load_codebook().all_terms()
TEXTS = [
    "加快建设国内重要功能性金融中心，完善多层次资本市场体系。",
    "到2020年，金融业增加值达到2000亿元左右，占全市生产总值的比重达到9%。",
    "防范和化解区域性金融风险，守住不发生系统性金融风险的底线。",
    "引进和培养高层次金融人才，建设金融人才高地。",
    "",
]


def test_helpers_count_follows_jobs_and_executor():
    assert Settings(jobs=1).segmentation_helpers() == 0
    assert Settings(jobs=2).segmentation_helpers() == 1
    assert Settings(jobs=4).segmentation_helpers() == 3
    # A Dask worker processes a plan whole: no helpers beside it.
    assert Settings(jobs=2, executor="dask").segmentation_helpers() == 0


def test_joined_tokens_are_the_words_with_single_spaces():
    joined = segment.joined_tokens(TEXTS[:1], WORDS)
    assert joined == [" ".join(segment.segment(TEXTS[0], WORDS))]
    # The codebook's terms stay whole (资本市场 is a term).
    assert "资本市场" in joined[0].split(" ")
    assert segment.joined_tokens([""], WORDS) == [""]


def test_a_helper_segments_exactly_as_this_process_does():
    here = segment.joined_tokens(TEXTS, WORDS)
    with segment.helpers(1, WORDS):
        assert len(segment.wait_for_helpers()) == 1
        pending = [segment.submit([t], WORDS) for t in TEXTS]
        there = [p()[0] for p in pending]
    assert there == here
    assert "系统性" in there[2].split(" ") and "金融风险" in there[2].split(" ")


def test_without_helpers_submit_segments_here():
    assert segment._helpers is None
    assert segment.submit(TEXTS, WORDS)() == segment.joined_tokens(TEXTS, WORDS)


def test_a_helper_that_dies_is_replaced_by_segmenting_here(caplog):
    here = segment.joined_tokens(TEXTS, WORDS)
    with segment.helpers(1, WORDS):
        segment.wait_for_helpers()
        for pid in list(segment._helpers.pool._processes):
            os.kill(pid, signal.SIGKILL)
        with caplog.at_level("WARNING", logger="plancompare.segment"):
            got = segment.submit(TEXTS, WORDS)()
    assert got == here
    assert "segmenting here" in caplog.text
    assert segment._helpers is None  # the context closed the broken pool


def test_helpers_start_only_when_there_is_text_to_segment():
    # A run whose plans are all cached opens the context but segments nothing: no process.
    with segment.helpers(1, WORDS):
        assert segment._helpers.pool is None
    assert segment._helpers is None


@pytest.fixture(scope="module")
def processed_both_ways(tmp_path_factory) -> tuple[Path, Path]:
    """Process the shipped plans with one job and with two (one segmentation helper)."""
    manifest = load_manifest(Path(build.paths.MANIFEST))
    folders = []
    for jobs in (1, 2):
        folder = tmp_path_factory.mktemp(f"jobs-{jobs}")
        settings = Settings(processed=folder, force=True, jobs=jobs)
        outcomes = list(
            build.process_plans(list(manifest.plans), manifest, settings, LocalExecutor(jobs))
        )
        assert sorted(o.status for _, o in outcomes) == ["ok"] * len(manifest.plans)
        folders.append(folder)
    return folders[0], folders[1]


def test_processing_with_helpers_writes_the_same_bytes(processed_both_ways):
    one, two = processed_both_ways
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert any(f.name == "sentences.parquet" for f in files)
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for f in files:
        assert (one / f).read_bytes() == (two / f).read_bytes(), f


_ORPHAN_SCRIPT = """
import sys, time
from plancompare import segment
with segment.helpers(1, ["资本市场"]):
    segment.wait_for_helpers()
    print(*segment._helpers.pool._processes, flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for this purpose: it runs nothing and its parent will reap it.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.is_file() and stat.read_text().split(") ", 1)[-1].startswith("Z"))


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_helpers_exit_when_the_run_is_killed():
    import subprocess
    import sys
    import time

    run = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    try:
        pids = [int(p) for p in run.stdout.readline().split()]
        assert len(pids) == 1 and _alive(pids[0])
        run.kill()  # no clean-up runs: as a scheduler's SIGKILL
        run.wait()
        deadline = time.monotonic() + 10
        while _alive(pids[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pids[0])
    finally:
        run.kill()


def test_a_run_starts_no_more_helpers_than_plans_to_process(monkeypatch, tmp_path):
    asked = []
    real = segment.helpers

    def recording(n, words=()):
        asked.append(n)
        return real(n, words)

    monkeypatch.setattr(segment, "helpers", recording)
    manifest = load_manifest(Path(build.paths.MANIFEST))
    settings = Settings(processed=tmp_path, force=True, jobs=4)
    one_plan = list(manifest.plans)[:1]
    outcomes = list(build.process_plans(one_plan, manifest, settings, LocalExecutor(4)))
    assert [o.status for _, o in outcomes] == ["ok"]
    assert asked == [1]
    assert list(build.process_plans([], manifest, settings, LocalExecutor(4))) == []
    assert asked == [1]  # nothing to process: no helper asked for
