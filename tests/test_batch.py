"""Unattended batch runs: failure isolation, stale reports, escaping, incremental and locked runs."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import opencc
import pytest
from papermill.translators import translate_parameters

from plancompare import build, cli, fingerprint, paths, storage
from plancompare.manifest import load_manifest

CHENGDU = paths.DATA / "raw" / "chengdu-2006-2010.txt"
HOSTILE_STRINGS = ("alert(1)", "onerror=", "javascript:")


def run_all(*args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    """Run run_all.py in a fresh interpreter and return the finished process."""
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, str(paths.ROOT / "run_all.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=paths.ROOT,
    )


def entry(plan_id: str, source: str, extra: str = "") -> str:
    """Return a manifest entry for a copy of the Chengdu plan."""
    return (
        f"  - id: {plan_id}\n    city: Chengdu\n    city_zh: 成都\n"
        f"    title_zh: 成都市金融业发展第十一个五年规划\n    title_en: Chengdu copy {plan_id}\n"
        f"    period: [2006, 2010]\n    baseline_year: 2005\n    source: {source}\n{extra}"
    )


def write_manifest(
    folder: Path, plans: dict[str, bytes], comparisons: list[tuple[str, str]]
) -> Path:
    """Write raw texts and a manifest naming them; return the manifest's path."""
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    for plan_id, data in plans.items():
        (folder / "raw" / f"{plan_id}.txt").write_bytes(data)
    text = "plans:\n" + "".join(entry(p, f"raw/{p}.txt") for p in plans)
    text += "comparisons:\n" + "".join(f"  - [{a}, {b}]\n" for a, b in comparisons)
    path = folder / "plans.yml"
    path.write_text(text, encoding="utf-8")
    return path


def hostile_chengdu() -> bytes:
    """Return the Chengdu text with live and entity-escaped hostile markup pasted in."""
    text = CHENGDU.read_text("utf-8-sig")
    cut = text.index("\n", len(text) // 2)
    pasted = (
        '\n<script>alert(1)</script><p onclick="alert(1)">本段<img src=x onerror=alert(1)>完。</p>'
        '\n<a href="javascript:alert(1)">链接</a>\n'
        "发展金融市场&lt;script&gt;alert(1)&lt;/script&gt;。"
        "培育金融机构&lt;img src=x onerror=alert(1)&gt;。"
        '完善金融服务&lt;a href="javascript:alert(1)"&gt;链接&lt;/a&gt;。\n'
    )
    return (text[:cut] + pasted + text[cut:]).encode("utf-8")


# --- one real run over good and bad plans, shared by the tests below ---------------------------

MIXED = {
    "chengdu": lambda: CHENGDU.read_bytes(),
    "chengdu-gb": lambda: CHENGDU.read_text("utf-8-sig").encode("gb18030"),
    "chengdu-hant": lambda: (
        opencc.OpenCC("s2tw")
        .convert(CHENGDU.read_text("utf-8-sig"))
        .translate({0xE003: "\n", 0xE004: "\n"})
        .encode("big5")
    ),
    "chengdu-hostile": hostile_chengdu,
    "chengdu-empty": lambda: b"",
}
MIXED_COMPARISONS = [("chengdu", "chengdu-hostile"), ("chengdu-gb", "chengdu-empty")]


GOOD_REPORTS = [
    "profile-chengdu-gb",
    "profile-chengdu-hant",
    "profile-chengdu-hostile",
    "compare-chengdu-vs-chengdu-hostile",
]


class Mixed:
    """The folders and processes of the mixed run and its no-change rerun."""

    def __init__(self, root: Path):
        self.root = root
        self.manifest = write_manifest(
            root, {k: make() for k, make in MIXED.items()}, MIXED_COMPARISONS
        )
        self.out, self.processed = root / "reports", root / "processed"
        # --only keeps the corpus overview (another engineer's notebook and test) and the
        # original's profile out, to keep this to four renders; every plan is still processed.
        self.args = [
            "--manifest", str(self.manifest), "--out", str(self.out),
            "--processed", str(self.processed), "--jobs", "2", "--only", *GOOD_REPORTS,
            "chengdu-empty",
        ]  # fmt: skip
        self.code_before = fingerprint.code_fingerprint()
        self.first = run_all(*self.args)
        started = time.perf_counter()
        self.second = run_all(*self.args, importtime=True)
        self.second_seconds = time.perf_counter() - started
        self.code_after = subprocess.run(
            [sys.executable, "-c", "from plancompare import fingerprint; print(fingerprint.code_fingerprint())"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    def summary(self) -> dict:
        return json.loads((self.out / build.SUMMARY_FILE).read_text("utf-8"))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Mixed:
    return Mixed(tmp_path_factory.mktemp("mixed"))


@pytest.mark.slow
def test_good_plans_render_and_the_bad_one_is_named_in_one_line(mixed):
    first = mixed.first
    assert first.returncode == 1, first.stdout + first.stderr[-2000:]
    assert "Traceback" not in first.stdout and "Traceback" not in first.stderr
    for name in GOOD_REPORTS:
        assert (mixed.out / f"{name}.html").is_file(), first.stdout
    assert not (mixed.out / "profile-chengdu-empty.html").exists()
    lines = [
        line for line in first.stdout.splitlines() if line.startswith("FAILED  plan chengdu-empty")
    ]
    assert lines == [
        "FAILED  plan chengdu-empty (0.0 s): plan 'chengdu-empty' (raw/chengdu-empty.txt): "
        "only 0 characters after cleaning (at least 200 needed)"
    ] or (len(lines) == 1 and "only 0 characters after cleaning" in lines[0]), lines
    # The summary table lists every plan and report with its status.
    table = first.stdout[first.stdout.index("\nreport ") :]
    assert "compare-chengdu-gb-vs-chengdu-empty" in table and "could not be processed" in table
    summary = json.loads((mixed.out / build.SUMMARY_FILE).read_text("utf-8"))
    assert summary["exit_code"] == 1
    assert set(summary["failed"]) == {
        "plan chengdu-empty",
        "compare-chengdu-gb-vs-chengdu-empty",
        "profile-chengdu-empty",
    }


@pytest.mark.slow
def test_encoded_and_traditional_copies_code_like_the_original(mixed):
    import pandas as pd

    df = pd.read_csv(mixed.processed / "sentences.csv", keep_default_na=False)
    df = df[df["kind"] == "sentence"]
    counts = df.groupby(["plan_id", "primary_category"]).size().unstack(fill_value=0)
    for copy in ("chengdu-gb", "chengdu-hant"):
        gap = (counts.loc[copy] - counts.loc["chengdu"]).abs().sum()
        assert gap <= 3, counts
    plans = pd.read_csv(mixed.processed / "plans.csv").set_index("plan_id")
    assert plans.loc["chengdu-gb", "encoding"] == "gb18030"
    assert plans.loc["chengdu-hant", "encoding"] == "big5"
    assert plans.loc["chengdu-hant", "script"] == "traditional"
    assert "chengdu-empty" not in plans.index


class Page(HTMLParser):
    """What a browser would run in a page: script bodies, event handlers and link targets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")
        self.attrs += [(tag, k, v or "") for k, v in attrs]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def outside_js_strings(script: str) -> str:
    """Return a script's code with the contents of its string literals removed."""
    code, quote, i = [], None, 0
    while i < len(script):
        ch = script[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
        else:
            code.append(ch)
        i += 1
    return "".join(code)


def test_outside_js_strings_keeps_code_and_drops_data():
    assert outside_js_strings("f(\"<script>alert(1)<\\/script>\"); g('x')") == "f(); g()"


@pytest.mark.slow
def test_no_report_runs_the_plans_hostile_markup(mixed):
    pages = sorted(mixed.out.glob("*.html"))
    assert len(pages) == len(GOOD_REPORTS) + 1  # and index.html
    shown = False
    for path in pages:
        page = Page()
        page.feed(path.read_text("utf-8"))
        for script in page.scripts:
            assert "alert(1)" not in outside_js_strings(script), path.name
        for tag, name, value in page.attrs:
            assert not (name.startswith("on") and "alert" in value), (path.name, tag, name)
            assert not value.strip().lower().startswith("javascript:"), (path.name, tag, name)
            assert tag != "img" or "onerror" not in name, path.name
        shown = shown or any("<script>alert(1)</script>" in t for t in page.text)
    # The escaped markup is plan text, so a report shows it as text.
    assert shown
    # Quotes keep the plan's own script.
    assert "發展" in (mixed.out / "profile-chengdu-hant.html").read_text("utf-8")


@pytest.mark.slow
def test_a_rerun_with_no_change_skips_everything_without_heavy_imports(mixed):
    if mixed.code_after != mixed.code_before:
        pytest.skip("the package source changed between the two runs (shared working tree)")
    second = mixed.second
    assert second.returncode == 1  # the empty plan is still refused, from the record
    assert "Traceback" not in second.stdout
    outcomes = {o["name"]: o for o in mixed.summary()["outcomes"]}
    for name in GOOD_REPORTS:
        assert outcomes[name]["status"] == "skipped", outcomes[name]
    assert outcomes["plan chengdu-empty"]["status"] == "failed"
    assert "unchanged since the last run" in second.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in second.stderr.splitlines()}
    for heavy in ("pandas", "papermill", "jieba", "nbconvert", "plancompare.pipeline"):
        assert heavy not in imported, heavy
    print(f"no-change rerun of {len(MIXED)} plans: {mixed.second_seconds:.2f} s wall")


@pytest.mark.slow
def test_index_groups_by_city_and_period_and_marks_the_failed_report(mixed):
    page = (mixed.out / "index.html").read_text("utf-8")
    assert page.count('<h2 id="chengdu">Chengdu 成都</h2>') == 1
    assert page.count("<h3>2006–2010: ") == len(MIXED)
    assert 'href="profile-chengdu-hostile.html"' in page
    # The plans share city and period, so their labels name their ids.
    assert '<li class="failed">Profile: Chengdu 成都 2006–2010 (chengdu-empty) <strong' in page
    assert "only 0 characters after cleaning" in page


# --- failing notebooks: tiny notebooks, processing stubbed --------------------------------------


def tiny_notebook(path: Path, parameters: str, body: str) -> None:
    """Write a notebook with a parameters cell and one code cell."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {
        "name": paths.KERNEL_NAME,
        "display_name": "p",
        "language": "python",
    }
    nbformat.write(nb, str(path))


PROFILE_PARAMS = 'plan_id = "x"\nmanifest_path = ""\nprocessed_dir = ""'
COMPARE_PARAMS = 'left = "x"\nright = "y"\nmanifest_path = ""\nprocessed_dir = ""'


def fake_process_one(plan, manifest, settings) -> build.Outcome:
    """Stand in for processing: write an empty cache entry and report success."""
    folder = Path(settings.processed) / "plans" / plan.id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text('{"key": "fake"}')
    for name in paths.PLAN_CACHE_TABLES:  # whole to the run's check: magic bytes at both ends
        (folder / name).write_bytes(b"PAR1" + bytes(8) + b"PAR1")
    return build.Outcome(f"plan {plan.id}", "ok", 0.0, "", (plan.id,))


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """Return settings for a two-plan manifest with tiny notebooks and stubbed processing."""
    monkeypatch.setattr(build, "process_one", fake_process_one)
    monkeypatch.setattr(build, "write_tables", lambda settings, plan_ids: None)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    tiny_notebook(notebooks / "plan_profile.ipynb", PROFILE_PARAMS, "print('profile', plan_id)")
    tiny_notebook(notebooks / "compare_plans.ipynb", COMPARE_PARAMS, "print(left, 'vs', right)")
    manifest = write_manifest(tmp_path, {"a": b"x", "b": b"y"}, [("a", "b")])
    return build.Settings(
        manifest=manifest,
        out=tmp_path / "reports",
        processed=tmp_path / "processed",
        notebooks=notebooks,
        jobs=3,
        timeout=3,
    )


def run_quietly(settings: build.Settings) -> dict[str, build.Outcome]:
    """Run the batch in this process and return its outcomes by name."""
    outcomes = build.run(settings, load_manifest(settings.manifest), progress=lambda line: None)
    return {o.name: o for o in outcomes}


@pytest.mark.slow
def test_a_failing_notebook_keeps_the_previous_report_and_marks_it_stale(tiny):
    first = run_quietly(tiny)
    assert {n: o.status for n, o in first.items() if n.startswith(("profile", "compare"))} == {
        "profile-a": "ok",
        "profile-b": "ok",
        "compare-a-vs-b": "ok",
    }
    page = tiny.out / "compare-a-vs-b.html"
    before = page.read_bytes()
    assert b"a vs b" in before
    first_record = json.loads((tiny.out / build.BUILD_FILE).read_text("utf-8"))["reports"]

    tiny_notebook(
        tiny.notebooks / "compare_plans.ipynb", COMPARE_PARAMS, "raise RuntimeError('boom')"
    )
    second = run_quietly(tiny)
    assert second["compare-a-vs-b"].status == "failed"
    assert second["compare-a-vs-b"].reason == "RuntimeError: boom"
    assert second["profile-a"].status == second["profile-b"].status == "skipped"
    assert build.exit_status(list(second.values())) == 1
    assert page.read_bytes() == before  # the previous good report stays
    index = (tiny.out / "index.html").read_text("utf-8")
    assert '<li class="stale"><a href="compare-a-vs-b.html">' in index
    assert (
        "stale: the last render failed, this is the previous version (RuntimeError: boom)" in index
    )
    kept = nbformat.read(str(build.failed_notebook_path(tiny.out, "compare-a-vs-b")), 4)
    assert "This render failed" in kept.cells[0].source
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells for o in c.get("outputs", []))
    record = json.loads((tiny.out / build.BUILD_FILE).read_text("utf-8"))["reports"]
    assert record["compare-a-vs-b"]["status"] == "failed"
    assert record["compare-a-vs-b"]["changed"] == ["notebook"]
    # The last good render is the first run's (reports of one run finish seconds apart).
    assert record["compare-a-vs-b"]["last_ok"] == first_record["compare-a-vs-b"]["last_ok"]
    assert record["profile-a"]["last_ok"] == first_record["profile-a"]["last_ok"]


@pytest.mark.slow
def test_a_dead_kernel_and_a_timeout_fail_only_their_reports(tiny):
    tiny_notebook(
        tiny.notebooks / "plan_profile.ipynb",
        PROFILE_PARAMS,
        "import os, time\nif plan_id == 'a':\n    os._exit(1)\ntime.sleep(60)",
    )
    outcomes = run_quietly(tiny)
    assert (
        outcomes["profile-a"].status == "failed"
        and "DeadKernelError" in outcomes["profile-a"].reason
    )
    assert outcomes["profile-b"].status == "failed"
    assert outcomes["profile-b"].reason == "a cell exceeded the 3 s timeout"
    assert outcomes["compare-a-vs-b"].status == "ok"
    assert (tiny.out / "compare-a-vs-b.html").is_file()
    for name in ("profile-a", "profile-b"):
        assert build.failed_notebook_path(tiny.out, name).is_file()
        assert not (tiny.out / f"{name}.html").exists()
    assert not list((tiny.out / "notebooks").glob(".*running*"))


def test_summary_table_lists_report_status_seconds_reason():
    table = build.summary_table(
        [
            build.Outcome("profile-a", "ok", 5.04),
            build.Outcome("compare-a-vs-b", "failed", 1.0, "RuntimeError: boom"),
        ]
    ).splitlines()
    assert table[0].split() == ["report", "status", "seconds", "reason"]
    assert table[1].split() == ["profile-a", "ok", "5.0"]
    assert table[2].split() == ["compare-a-vs-b", "failed", "1.0", "RuntimeError:", "boom"]


# --- locks and concurrent runs ------------------------------------------------------------------


@pytest.mark.slow
def test_two_runs_started_together_do_not_corrupt_each_other(tmp_path):
    text = CHENGDU.read_text("utf-8-sig")[:4000].encode("utf-8")
    manifest = write_manifest(tmp_path, {"small": text}, [])
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    tiny_notebook(notebooks / "plan_profile.ipynb", PROFILE_PARAMS, "print('profile', plan_id)")
    out = tmp_path / "reports"
    args = [
        sys.executable, str(paths.ROOT / "run_all.py"), "--manifest", str(manifest),
        "--out", str(out), "--processed", str(tmp_path / "processed"),
        "--notebooks", str(notebooks), "--lock-timeout", "300",
    ]  # fmt: skip
    procs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _, _ in results] == [0, 0], results
    rendered = [out for _, out, _ in results if "ok      profile-small" in out]
    skipped = [out for _, out, _ in results if "skipped profile-small: up to date" in out]
    assert len(rendered) == 1 and len(skipped) == 1, results
    state = json.loads((out / build.BUILD_FILE).read_text("utf-8"))
    assert state["reports"]["profile-small"]["status"] == "ok"
    assert json.loads((out / build.SUMMARY_FILE).read_text("utf-8"))["exit_code"] == 0
    Page().feed((out / "index.html").read_text("utf-8"))
    assert "profile small" in (out / "profile-small.html").read_text("utf-8")
    assert not [p for p in out.rglob("*") if p.name.endswith(storage.TMP_SUFFIX)]


def test_a_second_run_gives_up_on_the_lock_with_exit_75(tmp_path, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, filelock\n"
         f"lock = filelock.FileLock({str(out / build.LOCK_FILE)!r}); lock.acquire()\n"
         "print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        code = cli.main(["--out", str(out), "--lock-timeout", "0.5"])
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert code == cli.EXIT_LOCKED == 75
    err = capsys.readouterr().err
    assert err.startswith(f"error: another run is writing {out}") and "0.5 s" in err
    assert not (out / build.SUMMARY_FILE).exists()


# --- safe writes and literal parameters ---------------------------------------------------------


def test_a_failed_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    storage.atomic_write_text(target, "old page")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        storage.atomic_write_text(target, "new page, half written")
    assert target.read_text("utf-8") == "old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_leftover_temporary_files_are_removed(tmp_path):
    (tmp_path / "notebooks").mkdir()
    left = tmp_path / "notebooks" / ".x.ipynb.abc.tmp"
    left.write_text("half")
    (tmp_path / "keep.html").write_text("page")
    assert storage.remove_temporary_files(tmp_path) == [left]
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["keep.html"]


HOSTILE_PARAMETERS = {
    "plan_id": 'x"; import os; os.system("touch /tmp/pwned") #',
    "manifest_path": "C:\\plans\\\\\"'''.yml",
    "processed_dir": "数据/processed",
    "n": 3,
    "share": 0.5,
    "flag": True,
    "nothing": None,
    "ids": ["a", "b"],
}


def test_parameters_reach_the_notebook_as_literal_values():
    params = build.check_parameters(dict(HOSTILE_PARAMETERS))
    source = translate_parameters("python3", "python", params, "Parameters")
    tree = ast.parse(source)
    values = {}
    for stmt in tree.body:
        assert isinstance(stmt, ast.Assign), ast.dump(stmt)  # no call, no import: only assignments
        values[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    assert values == HOSTILE_PARAMETERS


@pytest.mark.parametrize(
    "bad",
    [
        {"plan_id": "a\nimport os"},
        {"n": float("nan")},
        {"path": Path("/tmp")},
        {"f": print},
        {"not an identifier": 1},
        {"nested": {"k": object()}},
    ],
)
def test_non_literal_parameters_are_refused(bad):
    with pytest.raises(build.ParameterError):
        build.check_parameters(bad)


def test_report_tasks_of_a_corpus_add_an_overview(tmp_path):
    manifest = load_manifest(write_manifest(tmp_path, {"a": b"", "b": b"", "c": b""}, [("a", "b")]))
    settings = build.Settings(manifest=manifest.path, processed=tmp_path / "p")
    tasks = {t.name: t for t in build.report_tasks(manifest, settings)}
    assert list(tasks) == ["profile-a", "profile-b", "profile-c", "compare-a-vs-b", build.OVERVIEW]
    assert tasks[build.OVERVIEW].parameters == {
        "manifest_path": str(manifest.path),
        "processed_dir": str((tmp_path / "p").resolve()),
    }
    assert [t.name for t in build.select(list(tasks.values()), ["a"])] == [
        "profile-a",
        "compare-a-vs-b",
    ]
    for task in tasks.values():
        build.check_parameters(task.parameters)


def test_a_missing_overview_notebook_is_skipped_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "process_one", fake_process_one)
    monkeypatch.setattr(build, "write_tables", lambda settings, plan_ids: None)
    manifest = write_manifest(tmp_path, {"a": b"", "b": b"", "c": b""}, [])
    settings = build.Settings(
        manifest=manifest, out=tmp_path / "r", processed=tmp_path / "p", notebooks=tmp_path,
        only=(build.OVERVIEW,),
    )  # fmt: skip
    lines: list[str] = []
    outcomes = build.run(settings, load_manifest(manifest), progress=lines.append)
    assert [(o.name, o.status) for o in outcomes] == [
        ("plan a", "ok"), ("plan b", "ok"), ("plan c", "ok"), (build.OVERVIEW, "skipped")
    ]  # fmt: skip
    assert any("corpus_overview.ipynb does not exist yet" in line for line in lines)


def test_an_overview_with_no_processed_plan_is_not_rendered(tmp_path, monkeypatch):
    def failing(plan, manifest, settings):
        return build.Outcome(f"plan {plan.id}", "failed", 0.0, f"plan '{plan.id}': bad", (plan.id,))

    monkeypatch.setattr(build, "process_one", failing)
    manifest = write_manifest(tmp_path, {"a": b"", "b": b"", "c": b""}, [])
    (tmp_path / build.OVERVIEW_NOTEBOOK).write_text("{}")
    settings = build.Settings(
        manifest=manifest, out=tmp_path / "r", processed=tmp_path / "p", notebooks=tmp_path,
        only=(build.OVERVIEW,),
    )  # fmt: skip
    outcomes = {o.name: o for o in build.run(settings, load_manifest(manifest), progress=print)}
    overview = outcomes[build.OVERVIEW]
    assert (overview.status, overview.reason) == (
        "failed",
        "not rendered: no plan of the manifest could be processed",
    )
    assert not (tmp_path / "r" / f"{build.OVERVIEW}.html").exists()


def test_cli_options_for_executors():
    args = cli.parser().parse_args(["--executor", "dask", "--scheduler", "tcp://10.0.0.5:8786"])
    settings = cli.settings_from(args)
    assert (settings.executor, settings.scheduler) == ("dask", "tcp://10.0.0.5:8786")
    with pytest.raises(SystemExit) as err:
        cli.main(["--scheduler", "tcp://10.0.0.5:8786"])
    assert err.value.code == 2


def test_no_leftover_processed_copy(tmp_path):
    # Guard for the fixtures above: they never write into the project's data folder.
    assert not (paths.PROCESSED / "plans" / "chengdu-hostile").exists()
    shutil.rmtree(tmp_path)


def test_the_evaluation_is_reused_by_runs_into_other_output_folders(tmp_path, monkeypatch):
    from plancompare import evaluate

    calls = []
    monkeypatch.setattr(evaluate, "run", lambda: calls.append(1) or {"coders": {}})
    settings = build.Settings(processed=tmp_path / "p", out=tmp_path / "a")
    config = build.config_hashes()
    lines: list[str] = []
    first = build._evaluation_stage(settings, config, lines.append)
    again = build._evaluation_stage(
        dataclasses.replace(settings, out=tmp_path / "b"), config, lines.append
    )
    assert first is not None and first.status == "ok" and again is None
    assert len(calls) == 1
    assert json.loads((tmp_path / "p" / "evaluation.json").read_text("utf-8")) == {"coders": {}}
    changed = dict(config, codebook="another codebook")
    assert build._evaluation_stage(settings, changed, lines.append) is not None
    assert len(calls) == 2


def test_ctrl_c_ends_the_run_with_one_line_and_exit_130(tmp_path, monkeypatch, capsys):
    from plancompare import cli

    def interrupted(settings):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_main", interrupted)
    code = cli.main(["--out", str(tmp_path / "out"), "--processed", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 130
    assert err.strip().splitlines() == [
        "error: interrupted; reports finished before the interruption are kept, "
        "and the next run renders the rest"
    ]


def test_a_stopped_map_starts_no_more_tasks():
    import threading
    import time

    from plancompare.executors import LocalExecutor

    started = []
    lock = threading.Lock()

    def task(i):
        with lock:
            started.append(i)
        time.sleep(0.2)
        return i

    results = LocalExecutor(2).map(task, range(12))
    next(results)
    results.close()  # as when the run's loop is left by Ctrl-C or an error
    time.sleep(1.0)
    assert len(started) < 12


def test_exit_now_flushes_output_runs_exit_handlers_and_keeps_the_code():
    code = (
        "import atexit, sys\n"
        "from plancompare.cli import exit_now\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('last line', end='')\n"
        "sys.stderr.write('an error line')\n"
        "exit_now(3)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=paths.ROOT
    )
    assert proc.returncode == 3
    assert proc.stdout == "last linehandler ran\n"
    assert proc.stderr == "an error line"


def test_run_all_ends_with_its_exit_code_and_every_line_written(tmp_path):
    manifest = tmp_path / "plans.yml"
    manifest.write_text("plans: [\n", encoding="utf-8")
    proc = run_all("--manifest", str(manifest), "--out", str(tmp_path / "out"))
    assert proc.returncode == cli.EXIT_BAD_INPUT
    assert proc.stderr.rstrip().splitlines()[-1].endswith("nothing done")


def test_suspicious_plans_are_warned_about_in_one_line_each(tmp_path):
    """A recipe, a period the text contradicts, and two plans sharing a text: exit 0, warnings."""
    recipe = "".join(
        f"第{i}步，把五花肉切成{i}厘米见方的块，加酱油和冰糖慢炖。" for i in range(1, 13)
    )
    aims = "到2020年，金融业增加值达到2000亿元。到2020年，存款余额达到3万亿元。" + "".join(
        f"支持第{i}批金融机构设立分支机构，加强金融风险监测预警。" for i in range(1, 9)
    )
    (tmp_path / "recipe.txt").write_text(recipe, encoding="utf-8")
    (tmp_path / "aims.txt").write_text(aims, encoding="utf-8")
    entries = [
        ("recipe-2016-2020", "recipe.txt", 2016),
        ("aims-2011-2015", "aims.txt", 2011),
        ("aims-copy-2011-2015", "aims.txt", 2011),
    ]
    text = "plans:\n" + "".join(
        f"  - {{id: {pid}, city: City{i}, city_zh: 城{i}, title_zh: 规划, title_en: Plan, "
        f"period: [{a}, {a + 4}], baseline_year: {a - 1}, source: {src}}}\n"
        for i, (pid, src, a) in enumerate(entries)
    )
    (tmp_path / "plans.yml").write_text(text, encoding="utf-8")
    proc = run_all(
        "--manifest",
        str(tmp_path / "plans.yml"),
        "--out",
        str(tmp_path / "out"),
        "--processed",
        str(tmp_path / "processed"),
        "--only",
        *[e[0] for e in entries],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    recipe_line = next(x for x in lines if x.startswith("ok") and "recipe-2016-2020" in x)
    assert "warning: none of its 12 sentences falls in the five categories" in recipe_line
    aims_line = next(x for x in lines if x.startswith("ok") and "plan aims-2011-2015" in x)
    assert (
        "its text aims at 2020 (到2020年, 2 times), outside the manifest's period 2011–2015"
        in aims_line
    )
    assert (
        "warning: plans aims-2011-2015, aims-copy-2011-2015 have the same source text"
        in proc.stdout
    )
    assert "Traceback" not in proc.stdout + proc.stderr


def test_city_anchors_are_plain_slugs():
    assert build._anchor("Xi'an") == "xian"
    assert build._anchor("Hong Kong SAR") == "hong-kong-sar"
    assert build._anchor("Chengdu") == "chengdu"
    assert build._anchor("成都").startswith("city-")


def _stubbed_run(tmp_path, monkeypatch, processed_by: list[str]):
    """Return a function running a two-plan manifest with stubbed processing and rendering."""

    def process(plan, manifest, settings):
        processed_by.append(plan.id)
        return fake_process_one(plan, manifest, settings)

    monkeypatch.setattr(build, "process_one", process)
    monkeypatch.setattr(build, "write_tables", lambda settings, plan_ids: None)
    monkeypatch.setattr(build, "_evaluation_stage", lambda *a: None)

    def fake_render(task, settings):
        (Path(settings.out) / f"{task.name}.html").write_text("ok")
        return build.Outcome(task.name, "ok", 0.0, "", task.plan_ids)

    monkeypatch.setattr(build, "render_report", fake_render)
    manifest = write_manifest(tmp_path, {"a": b"x", "b": b"y"}, [("a", "b")])
    settings = build.Settings(
        manifest=manifest, out=tmp_path / "r", processed=tmp_path / "p", notebooks=tmp_path,
        warm_kernels=False, jobs=1,
    )  # fmt: skip
    return lambda: build.run(settings, load_manifest(manifest), progress=lambda line: None)


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "sentences.parquet").unlink(),
        lambda folder: (folder / "indicators.parquet").write_bytes(b"PAR1 cut sh"),
        lambda folder: (folder / "sentences.parquet").write_bytes(b"PAR1" + bytes(20)),
        lambda folder: (folder / "meta.json").write_text('{"key": "x", "cou'),
        lambda folder: (folder / "meta.json").write_text("[]"),
    ],
    ids=["table missing", "table cut short", "table footer lost", "meta cut short", "meta a list"],
)
def test_a_damaged_plan_cache_is_processed_again_not_failed(tmp_path, monkeypatch, damage):
    processed_by: list[str] = []
    run = _stubbed_run(tmp_path, monkeypatch, processed_by)
    run()
    assert sorted(processed_by) == ["a", "b"]
    damage(tmp_path / "p" / "plans" / "b")
    processed_by.clear()
    outcomes = run()
    # Only the damaged plan is processed again, and every report stays good.
    assert processed_by == ["b"]
    assert not [o.name for o in outcomes if o.status == "failed"]


def test_a_plan_cache_whose_tables_are_not_whole_is_not_reused(tmp_path):
    manifest = load_manifest(paths.MANIFEST)
    plan = manifest.plans[0]
    settings = build.Settings(manifest=paths.MANIFEST, processed=tmp_path)
    assert build.process_one(plan, manifest, settings).status == "ok"
    table = tmp_path / "plans" / plan.id / "sentences.parquet"
    whole = table.read_bytes()
    table.write_bytes(whole[: len(whole) // 2])  # meta.json and its key intact
    assert build.process_one(plan, manifest, settings).status == "ok"
    assert table.read_bytes() == whole
    from plancompare import pipeline

    pipeline._fresh.clear()


def test_settings_paths_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    # papermill changes the process's working directory while a notebook runs: with several
    # jobs, a relative --out would be written (or a notebook read) in another report's folder.
    monkeypatch.chdir(tmp_path)
    settings = build.Settings(
        manifest=Path("plans.yml"), out=Path("r"), processed=Path("p"), notebooks=Path("n")
    )
    monkeypatch.chdir("/")
    assert settings.manifest == tmp_path / "plans.yml"
    assert settings.out == tmp_path / "r"
    assert settings.processed == tmp_path / "p"
    assert settings.notebooks == tmp_path / "n"


def test_a_report_that_cannot_be_written_fails_alone_and_keeps_its_last_page(tiny, monkeypatch):
    first = build.run(tiny, load_manifest(tiny.manifest), progress=lambda line: None)
    assert build.exit_status(first) == 0
    page = tiny.out / "profile-a.html"
    before = page.read_text("utf-8")
    real = storage.atomic_write_bytes

    def full_disk(path, data, durable=True):
        if Path(path).suffix == ".html" and Path(path).name != "index.html":
            raise OSError(28, "No space left on device", str(path))
        return real(path, data, durable)

    monkeypatch.setattr(storage, "atomic_write_bytes", full_disk)
    outcomes = build.run(dataclasses.replace(tiny, force=True), load_manifest(tiny.manifest),
                         progress=lambda line: None)  # fmt: skip
    failed = [o for o in outcomes if o.status == "failed"]
    assert failed and all(o.name.startswith(("profile-", "compare-")) for o in failed)
    assert all("No space left on device" in o.reason and "\n" not in o.reason for o in failed)
    assert page.read_text("utf-8") == before


def test_a_run_whose_records_cannot_be_written_ends_in_one_line(tmp_path, monkeypatch, capsys):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "r" / "build.json"))

    monkeypatch.setattr(build, "run", full_disk)
    manifest = write_manifest(tmp_path, {"a": b"x", "b": b"y"}, [("a", "b")])
    code = cli.main(["--manifest", str(manifest), "--out", str(tmp_path / "r"),
                     "--processed", str(tmp_path / "p"), "--cold-kernels"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert err.count("\n") == 1 and "No space left on device" in err and "build.json" in err
