"""The fork server of report kernels (`python -m plancompare.forkserver`; see warmkernels).

It imports what report notebooks import, then forks one ipykernel process per request line on
stdin and answers with the new kernel's pid. It runs no notebook code itself. Only the standard
library is imported at the top, so that the server loads nothing the kernels do not need.
"""

from __future__ import annotations

import json
import os
import signal
import sys

# What a report notebook imports; importing them in the server is the whole point.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "debugpy.server.api",  # with pydevd: what a kernel's debugger imports as it starts
    "IPython.display",
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "scipy.special",
    "altair",
    "plancompare.charts",
    "plancompare.corpus",
    "plancompare.indicators",
    "plancompare.manifest",
    "plancompare.pipeline",
    "plancompare.report",
    "plancompare.stats",
)
LAUNCHER = "ipykernel_launcher"


def _child(argv: list[str], cwd: str, env: dict[str, str]) -> None:
    """Become a kernel: own session, the report's folder and environment, then ipykernel."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.close(devnull)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [LAUNCHER, *argv]
        from ipykernel import kernelapp

        kernelapp.IPKernelApp.launch_instance(argv=argv)
        code = 0
    except BaseException:  # a kernel that cannot start is seen by its manager as dead
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def serve() -> None:
    """Import the reports' modules, then fork a kernel for every request line on stdin."""
    import importlib

    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does: the kernel's cwd is the report's
    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel processes are reaped on exit
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request["argv"], request["cwd"], request["env"])
        out.write(f"{pid}\n")
        out.flush()


if __name__ == "__main__":
    serve()
