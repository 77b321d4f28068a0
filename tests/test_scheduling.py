"""How a run schedules its work: longest reports first, the kernels' server started early."""

from __future__ import annotations

import json
import os

import pytest
from test_batch import fake_process_one, write_manifest

from plancompare import build, cli, forkserver, paths
from plancompare.manifest import load_manifest


def _task(kind: str, name: str, plans: int = 1) -> build.ReportTask:
    ids = tuple(f"p{i}" for i in range(plans))
    return build.ReportTask(name, kind, "x.ipynb", {}, ids, name)


def test_expected_seconds_prefer_the_last_good_render_and_fall_back_to_the_kind():
    compare, profile = _task("comparison", "c"), _task("profile", "p")
    assert build.expected_seconds(compare, None) > build.expected_seconds(profile, None)
    # A recorded good render decides; a failed one (it may have stopped early) does not.
    assert build.expected_seconds(profile, {"status": "ok", "seconds": 4.2}) == 4.2
    failed = {"status": "failed", "seconds": 0.1}
    assert build.expected_seconds(profile, failed) == build.expected_seconds(profile, None)
    # The overview reads every plan: over a hundred plans it outlasts any one comparison.
    small, large = _task("corpus", "o", plans=3), _task("corpus", "o", plans=100)
    assert build.expected_seconds(small, None) < build.expected_seconds(profile, None)
    assert build.expected_seconds(large, None) > build.expected_seconds(compare, None)


def _render_order(tmp_path, monkeypatch, record: dict | None = None) -> list[str]:
    """Run a three-plan manifest with stubbed work; return the reports in the order started."""
    monkeypatch.setattr(build, "process_one", fake_process_one)
    monkeypatch.setattr(build, "write_tables", lambda settings, plan_ids: None)
    monkeypatch.setattr(build, "_evaluation_stage", lambda *a: None)
    started: list[str] = []

    def fake_render(task, settings):
        started.append(task.name)
        (settings.out / f"{task.name}.html").write_text("ok")
        return build.Outcome(task.name, "ok", 0.0, "", task.plan_ids)

    monkeypatch.setattr(build, "render_report", fake_render)
    manifest = write_manifest(tmp_path, {"a": b"", "b": b"", "c": b""}, [("a", "b")])
    (tmp_path / build.OVERVIEW_NOTEBOOK).write_text("{}")
    settings = build.Settings(
        manifest=manifest, out=tmp_path / "r", processed=tmp_path / "p", notebooks=tmp_path,
        warm_kernels=False, force=record is not None,
    )  # fmt: skip
    if record is not None:
        settings.out.mkdir()
        state = {"format": build.BUILD_FORMAT, "plans": {}, "reports": record}
        (settings.out / build.BUILD_FILE).write_text(json.dumps(state))
    build.run(settings, load_manifest(manifest), progress=lambda line: None)
    return started


def test_a_cold_run_starts_the_comparisons_first(tmp_path, monkeypatch):
    order = _render_order(tmp_path, monkeypatch)
    assert order[0] == "compare-a-vs-b"
    assert order[-1] == build.OVERVIEW  # three plans: the cheapest report
    assert set(order[1:-1]) == {"profile-a", "profile-b", "profile-c"}


def test_recorded_times_order_the_next_run(tmp_path, monkeypatch):
    record = {
        "profile-b": {"status": "ok", "seconds": 9.0},
        build.OVERVIEW: {"status": "ok", "seconds": 5.0},
        "compare-a-vs-b": {"status": "ok", "seconds": 2.0},
        "profile-a": {"status": "failed", "seconds": 0.2},  # unknown: a profile's default
    }
    order = _render_order(tmp_path, monkeypatch, record)
    assert order[:3] == ["profile-b", build.OVERVIEW, "compare-a-vs-b"]
    # Equal estimates keep the manifest's order (the sort is stable).
    assert order[3:] == ["profile-a", "profile-c"]


@pytest.mark.parametrize(
    ("argv", "record", "started"),
    [
        ([], False, True),  # a new output folder: every report renders
        ([], True, False),  # a record: the run decides once it knows what is stale
        (["--force"], True, True),
        (["--cold-kernels"], False, False),
        (["--executor", "dask"], False, False),
    ],
)
def test_the_fork_server_starts_before_the_manifest_is_read_only_when_all_will_render(
    tmp_path, monkeypatch, argv, record, started
):
    calls: list[str] = []
    monkeypatch.setattr(forkserver, "prestart", calls.append)
    out = tmp_path / "r"
    if record:
        out.mkdir()
        (out / build.BUILD_FILE).write_text("{}")
    settings = cli.settings_from(cli.parser().parse_args(["--out", str(out), *argv]))
    cli.start_kernels_early(settings)
    assert calls == ([paths.KERNEL_NAME] if started else [])


def test_an_early_server_is_stopped_when_the_manifest_is_refused(tmp_path, capsys):
    bad = tmp_path / "plans.yml"
    bad.write_text("plans: [nonsense\n", encoding="utf-8")
    code = cli.main(["--manifest", str(bad), "--out", str(tmp_path / "r")])
    assert code == cli.EXIT_BAD_INPUT
    assert "plans.yml" in capsys.readouterr().err
    assert forkserver._servers == {} and forkserver._starting == set()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs a POSIX system")
def test_the_kernel_spec_read_directly_matches_jupyter_clients_lookup():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(paths.KERNEL_NAME).argv
    python = forkserver.server_command(paths.KERNEL_NAME)
    assert python is not None and list(python) == spec[: len(python)]
    assert spec[len(python) : len(python) + 2] == ["-m", forkserver.LAUNCHER]
    assert forkserver.server_command("no-such-kernel-here") is None
