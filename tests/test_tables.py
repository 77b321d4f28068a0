"""The corpus-wide CSVs are the same whether built from just-processed plans or their caches."""

import hashlib

from plancompare import build, paths, pipeline
from plancompare.manifest import load_manifest

TABLES = paths.TABLES


def _digests(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in TABLES}


def test_tables_from_memory_equal_tables_read_back(tmp_path):
    manifest = load_manifest(paths.MANIFEST)
    settings = build.Settings(manifest=paths.MANIFEST, processed=tmp_path, force=True)
    ids = [p.id for p in manifest.plans]
    pipeline._fresh.clear()  # other tests' plans
    for plan in manifest.plans:
        assert build.process_one(plan, manifest, settings).status == "ok"
    assert all(pipeline.plan_cache_dir(tmp_path, i) in pipeline._fresh for i in ids)
    build.write_tables(settings, ids)
    assert not pipeline._fresh  # each kept result is used once, then let go
    from_memory = _digests(tmp_path)
    build.write_tables(settings, ids)  # now from the Parquet caches
    assert _digests(tmp_path) == from_memory


def test_a_stale_kept_result_is_not_used(tmp_path):
    manifest = load_manifest(paths.MANIFEST)
    plan = manifest.plans[0]
    settings = build.Settings(manifest=paths.MANIFEST, processed=tmp_path, force=True)
    build.process_one(plan, manifest, settings)
    folder = pipeline.plan_cache_dir(tmp_path, plan.id)
    key, kept = pipeline._fresh[folder]
    pipeline._fresh[folder] = ("another key", kept)  # as if another process rewrote the cache
    loaded = pipeline.load_processed(tmp_path, plan.id)
    assert loaded is not kept
    assert loaded.sentences.equals(pipeline.load_sentences(tmp_path, [plan.id]))


def test_a_run_into_a_new_output_folder_keeps_current_tables(tmp_path):
    processed, notebooks = tmp_path / "processed", tmp_path / "no-notebooks"
    notebooks.mkdir()  # no reports to render: this is about the tables only
    manifest = load_manifest(paths.MANIFEST)

    def run(out):
        settings = build.Settings(
            manifest=paths.MANIFEST, out=tmp_path / out, processed=processed, notebooks=notebooks
        )
        build.run(settings, manifest, progress=lambda line: None)

    run("first")
    csv = processed / "sentences.csv"
    written = csv.stat().st_mtime_ns
    assert (processed / build.TABLES_KEY).is_file()
    run("second")
    assert csv.stat().st_mtime_ns == written  # current tables are not written again
    (processed / build.TABLES_KEY).write_text("stale\n", encoding="utf-8")
    run("third")
    assert csv.stat().st_mtime_ns != written


def test_a_cut_short_cache_record_is_processed_again(tmp_path):
    # The cache's meta.json is not synced to disk: after a crash it may be empty or cut short.
    manifest = load_manifest(paths.MANIFEST)
    plan = manifest.plans[0]
    settings = build.Settings(manifest=paths.MANIFEST, processed=tmp_path)
    assert build.process_one(plan, manifest, settings).status == "ok"
    meta = pipeline.plan_cache_dir(tmp_path, plan.id) / "meta.json"
    whole = meta.read_text("utf-8")
    assert build.process_one(plan, manifest, settings).status == "skipped"
    for damaged in ("", whole[: len(whole) // 2], "[]"):
        meta.write_text(damaged, encoding="utf-8")
        assert build.process_one(plan, manifest, settings).status == "ok", damaged
        assert meta.read_text("utf-8") == whole
    pipeline._fresh.clear()


def test_a_deleted_table_is_written_again(tmp_path):
    processed, notebooks = tmp_path / "processed", tmp_path / "no-notebooks"
    notebooks.mkdir()
    manifest = load_manifest(paths.MANIFEST)
    settings = build.Settings(
        manifest=paths.MANIFEST, out=tmp_path / "out", processed=processed, notebooks=notebooks
    )
    build.run(settings, manifest, progress=lambda line: None)
    for name in TABLES:  # a student deletes one table, e.g. after breaking it in a spreadsheet
        written = (processed / name).read_bytes()
        (processed / name).unlink()
        build.run(settings, manifest, progress=lambda line: None)
        assert (processed / name).read_bytes() == written, name


def _documented_columns(table):
    """Return the columns that data/processed/README.md lists under '## <table>'."""
    text = (paths.DATA / "processed" / "README.md").read_text("utf-8")
    section = text.split(f"## {table}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return [c.strip(" `") for row in rows for c in row.split(",")]


def test_tables_open_with_pandas_defaults_and_every_column_is_documented(rendered):
    import pandas as pd

    frames = {}
    for name in TABLES:
        path = rendered.processed / name
        assert path.read_bytes().startswith(b"plan_id,"), name  # plain UTF-8: csv module reads it
        frames[name] = df = pd.read_csv(path)
        assert df.columns[0] == "plan_id"
        assert list(df.columns) == _documented_columns(name), name
    sentences, indicators = frames["sentences.csv"], frames["indicators.csv"]
    assert sentences["sentence_id"].dtype == "int64" and indicators["year"].dtype == "int64"
    assert not sentences.duplicated(["plan_id", "sentence_id"]).any()
    joined = indicators.merge(sentences, on=["plan_id", "sentence_id"], how="left")
    assert joined["text"].notna().all()  # every figure's sentence is in sentences.csv
    assert all(s in t for s, t in zip(joined["source_text"], joined["text"], strict=True))
