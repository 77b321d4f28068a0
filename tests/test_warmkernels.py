"""Report kernels forked from the warm server: own process, fresh namespace, same results."""

import json
import os
import sys

import nbformat
import pytest

from plancompare import render, warmkernels

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs a POSIX system")


def _probe(folder, source):
    """Write a one-parameter notebook whose last cell prints a JSON line; return its path."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "plancompare", "display_name": "p", "language": "python"}
    params = nbformat.v4.new_code_cell("tag = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    path = folder / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


PROBE = """
import json, os, sys
print(json.dumps({
    "pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(),
    "env": os.environ.get("PLANCOMPARE_PROBE"), "seen": globals().get("left_over"),
    "pandas_loaded": "pandas" in sys.modules,
    "gc_enabled": __import__("gc").isenabled(), "frozen": __import__("gc").get_freeze_count(),
    "debugger": __import__("ipykernel.debugger").debugger._is_debugpy_available,
}))
left_over = tag
"""


def _run(folder, warm=True, tag="a"):
    nb = render.execute(
        _probe(folder, PROBE), {"tag": tag}, folder / f"scratch-{tag}.ipynb", warm=warm
    )
    return json.loads(nb.cells[-1].outputs[0]["text"])


@pytest.fixture
def servers():
    yield
    warmkernels.close_servers()


def test_every_report_gets_its_own_forked_kernel_with_a_fresh_namespace(
    tmp_path, monkeypatch, servers
):
    monkeypatch.setenv("PLANCOMPARE_PROBE", "from the run")
    first, second = _run(tmp_path, tag="a"), _run(tmp_path, tag="b")
    server = next(s for s in warmkernels._servers.values() if s is not None)
    assert first["ppid"] == second["ppid"] == server.proc.pid  # forked by the server
    assert first["pid"] != second["pid"]  # one process per report
    assert first["seen"] is None and second["seen"] is None  # nothing carried over
    assert first["pandas_loaded"]  # the imports were paid once, in the server
    # The server does not collect; a kernel does, skipping the objects the server froze.
    assert first["gc_enabled"] and second["gc_enabled"]
    assert first["frozen"] > 100_000
    assert first["debugger"] is False  # batch kernels load no debugpy
    assert first["cwd"] == str(tmp_path)  # the notebook's folder, as papermill's own kernels
    assert first["env"] == "from the run"  # the run's environment, not the server's


def test_switched_off_kernels_are_ordinary_children_of_the_run(tmp_path, monkeypatch, servers):
    monkeypatch.setenv(warmkernels.ENV_SWITCH, "0")
    probe = _run(tmp_path)
    assert probe["ppid"] == os.getpid()
    assert not probe["pandas_loaded"]
    assert not any(warmkernels._servers.values())


def test_a_server_that_cannot_start_falls_back_to_an_ordinary_kernel(tmp_path, servers):
    warmkernels._servers[warmkernels.server_command("plancompare")] = None
    probe = _run(tmp_path)
    assert probe["ppid"] == os.getpid()


def test_a_dead_server_is_replaced(tmp_path, servers):
    first = _run(tmp_path, tag="a")
    python = warmkernels.server_command("plancompare")
    server = warmkernels._servers[python]
    assert first["ppid"] == server.proc.pid
    server.proc.kill()
    server.proc.wait()
    replaced = warmkernels.server_for(python)
    assert replaced is not None and replaced.proc.poll() is None
    assert replaced.proc.pid != server.proc.pid
    second = _run(tmp_path, tag="b")
    # Forked by the new server; a kernel whose port another process took meanwhile is started
    # again the ordinary way (seen once under load: 'Address already in use'), a child of the run.
    assert second["ppid"] in (replaced.proc.pid, os.getpid())


def test_forked_process_reports_an_exited_kernel():
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    gone = warmkernels.ForkedProcess(child.pid)
    assert gone.poll() == 0 and gone.wait(timeout=1) == 0
    alive = warmkernels.ForkedProcess(os.getpid())
    assert alive.poll() is None


def test_launcher_index_finds_ipykernel_after_interpreter_options():
    argv = ["/py", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert warmkernels._launcher_index(argv) == 2
    assert warmkernels._launcher_index(["/py", "-m", "other", "-f", "x"]) == 0
