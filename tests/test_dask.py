"""The Dask path: a small corpus processed and rendered on a LocalCluster with two workers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import cloudpickle
import pytest

from plancompare import build, cli, coding, paths, pipeline
from plancompare.executors import DaskExecutor, LocalExecutor, make_executor
from plancompare.manifest import Manifest, Plan, load_manifest

pytestmark = pytest.mark.slow
# Helpers of this module travel to the workers by value (the workers cannot import tests/).
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def build_tiny_corpus(folder: Path) -> Path:
    """Write three small plans made from the shipped texts, one comparison, and their manifest."""
    spec = importlib.util.spec_from_file_location(
        "synthetic", paths.ROOT / "benchmarks" / "synthetic.py"
    )
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    return synthetic.build_corpus(folder, 3, n_comparisons=1, share=0.15)


def worker_pid(item: int, offset: int) -> tuple[int, int]:
    """Return the item plus offset and the process that ran it."""
    return item + offset, os.getpid()


def process(plan: Plan, manifest: Manifest, processed: Path) -> tuple[str, int, bool]:
    """Process one plan on a worker and return its id, distinct sentences and the reuse flag."""
    result, reused = pipeline.process_plan(manifest, plan, processed, coding.load_codebook())
    return plan.id, result.counts.distinct_sentences, reused


@pytest.fixture(scope="module")
def executor():
    """Yield a Dask executor on a LocalCluster of two single-threaded worker processes."""
    ex = DaskExecutor(None, n_workers=2)
    yield ex
    ex.close()


def test_make_executor_kinds():
    assert isinstance(make_executor("local", 3), LocalExecutor)
    with pytest.raises(ValueError, match="unknown executor"):
        make_executor("spark", 2)
    with pytest.raises(ValueError, match="--scheduler needs --executor dask"):
        make_executor("local", 2, "tcp://10.0.0.1:8786")


def test_tasks_run_in_two_worker_processes(executor):
    assert executor.n_workers == 2
    results = dict(executor.map(worker_pid, range(6), 10))
    assert sorted(results) == list(range(6))
    assert [v for v, _ in (results[i] for i in range(6))] == list(range(10, 16))
    assert os.getpid() not in {pid for _, pid in results.values()}


def test_a_failing_task_raises_its_error(executor):
    with pytest.raises(TypeError):
        list(executor.map(worker_pid, ["a"], 1))


def test_processing_and_rendering_on_the_cluster(executor, tmp_path):
    manifest = load_manifest(build_tiny_corpus(tmp_path))
    processed, out = tmp_path / "processed", tmp_path / "reports"
    done = {
        pid: (n, reused)
        for _, (pid, n, reused) in executor.map(process, manifest.plans, manifest, processed)
    }
    assert set(done) == {p.id for p in manifest.plans}
    assert all(n > 20 and not reused for n, reused in done.values())
    again = [r for _, (_, _, r) in executor.map(process, manifest.plans, manifest, processed)]
    assert again == [True, True, True]  # the workers wrote the cache where the next run reads it

    settings = build.Settings(manifest=manifest.path, out=out, processed=processed, jobs=2)
    tasks = [
        build.ReportTask(
            name="corpus-overview",
            kind="corpus",
            notebook="corpus_overview.ipynb",
            parameters={"manifest_path": str(manifest.path), "processed_dir": str(processed)},
            plan_ids=tuple(done),
            title="Corpus overview",
        )
    ]
    outcomes = {t.name: o for t, o in executor.map(build.render_report, tasks, settings)}
    assert {n: o.status for n, o in outcomes.items()} == {"corpus-overview": "ok"}, outcomes
    page = (out / "corpus-overview.html").read_text("utf-8")
    for p in manifest.plans:
        assert f'href="profile-{p.id}.html"' in page
    assert 'href="compare-beijing-2011-2015-vs-beijing-2006-2010.html"' in page
    assert 'id="pc-chart-corpus-shares"' in page
    assert "Deposit balance" in page  # the coverage table
    assert (out / "notebooks" / "corpus-overview.ipynb").is_file()


def run_all(*args: str) -> subprocess.CompletedProcess:
    """Run run_all.py with these arguments."""
    return subprocess.run(
        [sys.executable, str(paths.ROOT / "run_all.py"), *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=paths.ROOT,
    )


def test_run_all_with_the_dask_executor(tmp_path):
    if "--executor" not in cli.parser().format_help():
        pytest.skip("run_all.py has no --executor option yet")
    manifest = build_tiny_corpus(tmp_path)
    out, processed = tmp_path / "reports", tmp_path / "processed"
    args = ["--manifest", str(manifest), "--out", str(out), "--processed", str(processed)]
    first = run_all(*args, "--executor", "dask", "--jobs", "2")
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    names = [
        "profile-beijing-2006-2010",
        "profile-beijing-2011-2015",
        "profile-beijing-2016-2020",
        "compare-beijing-2011-2015-vs-beijing-2006-2010",
        "corpus-overview",
    ]
    for name in names:
        assert (out / f"{name}.html").is_file(), first.stdout
    assert (processed / "plans" / "beijing-2016-2020" / "sentences.parquet").is_file()
    second = run_all(*args, "--executor", "dask", "--jobs", "2")
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    for name in names:
        assert any(
            line.startswith("skipped") and name in line for line in second.stdout.splitlines()
        ), second.stdout
