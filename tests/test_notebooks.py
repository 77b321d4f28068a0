"""Notebooks: paired with jupytext, committed without outputs, parameters tagged, kernel named."""

import json

import jupytext
import nbformat
import pytest

from plancompare import paths

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"plan_profile.ipynb", "compare_plans.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs_and_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata["kernelspec"]["name"] == paths.KERNEL_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_jupytext_pair_is_in_step(path):
    script = path.with_suffix(".py")
    assert script.is_file(), f"{path.name} has no py:percent pair"
    from_script = jupytext.read(script)
    from_nb = nbformat.read(path, as_version=4)
    sources = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert sources(from_script) == sources(from_nb)
    fmt = json.loads(path.read_text("utf-8"))["metadata"]["jupytext"]["formats"]
    assert fmt == "ipynb,py:percent"


def test_each_notebook_runs_top_to_bottom_with_its_defaults_as_a_student_opens_it(tmp_path):
    """A student's path: data processed, a notebook opened from notebooks/ and run as it is."""
    import shutil

    import nbclient

    from plancompare import coding, pipeline
    from plancompare.manifest import load_manifest

    project = tmp_path / "project"
    shutil.copytree(paths.DATA / "raw", project / "data" / "raw")
    shutil.copy(paths.MANIFEST, project / "data" / "plans.yml")
    shutil.copytree(paths.NOTEBOOKS, project / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    manifest = load_manifest(project / "data" / "plans.yml")
    processed = project / "data" / "processed"
    codebook = coding.load_codebook()
    for plan in manifest.plans:
        pipeline.process_plan(manifest, plan, processed, codebook)
    for path in sorted((project / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            nb,
            kernel_name=paths.KERNEL_NAME,
            timeout=300,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()  # raises CellExecutionError on the first failing cell
        errors = [
            o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "error"
        ]  # fmt: skip
        assert errors == [], f"{path.name}: {errors}"
        assert sum(len(c.outputs) for c in nb.cells if c.cell_type == "code") > 3, path.name


@pytest.mark.parametrize(
    ("name", "change", "error", "words"),
    [
        ("plan_profile.ipynb", 'plan_id = "wuhan-2011-2015"', "UnknownPlanError", "its plans:"),
        ("compare_plans.ipynb", "right = left", "SamePlanError", "two different plans"),
        ("plan_profile.ipynb", 'processed_dir = "."', "NotProcessedError", "run_all.py"),
        ("corpus_overview.ipynb", 'plan_ids = ["wuhan"]', "UnknownPlanError", "its plans:"),
    ],
)
def test_a_mistaken_parameter_is_one_line_in_the_notebook(rendered, name, change, error, words):
    """A student changes the parameters cell: a mistake is said in one line, not a traceback."""
    import nbclient

    nb = nbformat.read(paths.NOTEBOOKS / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += f'\nprocessed_dir = "{rendered.processed}"\n{change}\n'
    client = nbclient.NotebookClient(
        nb, kernel_name=paths.KERNEL_NAME, timeout=300,
        resources={"metadata": {"path": str(paths.NOTEBOOKS)}},
    )  # fmt: skip
    with pytest.raises(nbclient.exceptions.CellExecutionError):
        client.execute()
    [failed] = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert failed.ename == error and words in failed.evalue
    assert len(failed.traceback) == 1 and "\n" not in failed.traceback[0]
