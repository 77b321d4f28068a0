"""The fork server of report kernels, and the run's handle on it (see warmkernels).

`python -m plancompare.forkserver` imports what report notebooks import, then forks one
ipykernel process per request line on stdin and answers with the new kernel's pid. It runs no
notebook code itself. The run's side (`ForkServer`, `prestart`, `close_servers`) lives here too.
Only the standard library is imported at the top, so that the server loads nothing the kernels
do not need and a run can start the server before it imports jupyter_client.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading

# What a report notebook imports; importing them in the server is the whole point.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
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


# --- the run's side ------------------------------------------------------------------------

ENV_SWITCH = "PLANCOMPARE_WARM_KERNELS"


def enabled() -> bool:
    """Return whether report kernels may be forked (a POSIX system, not switched off)."""
    return hasattr(os, "fork") and os.environ.get(ENV_SWITCH, "1") != "0"


class ForkServer:
    """A running fork server for one interpreter; `fork` returns a new kernel's pid."""

    def __init__(self, python: tuple[str, ...]):
        self.python = python
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [*python, "-m", "plancompare.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        _starting.add(self.proc)  # close_servers may stop it before it is ready
        try:
            ready = self.proc.stdout.readline().strip() == "ready"
        finally:
            _starting.discard(self.proc)
        if not ready:
            self.proc.kill()
            raise RuntimeError("the kernel fork server did not start")

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """Return the pid of a new kernel process started with ipykernel's `argv`."""
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env})
        with self.lock:
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
        if not answer.strip().isdigit():
            raise RuntimeError("the kernel fork server stopped")
        return int(answer)

    def close(self) -> None:
        """Stop the server (its kernels have been shut down by their managers).

        It holds nothing to save, so it is killed rather than left to tear down its imports
        (a third of a second at the end of every run).
        """
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()


_servers: dict[tuple[str, ...], ForkServer | None] = {}
_starting: set[subprocess.Popen] = set()
_servers_lock = threading.Lock()


def server_for(python: tuple[str, ...]) -> ForkServer | None:
    """Return this process's fork server for an interpreter and its options; None if it fails."""
    with _servers_lock:
        server = _servers.get(python)
        if server is not None and server.proc.poll() is not None:
            del _servers[python]  # it died (killed from outside): start another
        if python not in _servers:
            try:
                _servers[python] = ForkServer(python)
            except (OSError, RuntimeError):
                _servers[python] = None  # this run launches its kernels the ordinary way
        return _servers[python]


def close_servers() -> None:
    """Stop every fork server this process started, and any still starting."""
    for proc in list(_starting):
        proc.kill()
    with _servers_lock:
        for server in _servers.values():
            if server is not None:
                server.close()
        _servers.clear()


def _launcher_index(cmd: list[str]) -> int:
    """Return where `-m ipykernel_launcher` starts in a kernel command (0: not such a kernel)."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == LAUNCHER:
            return i
    return 0


def server_command(kernel_name: str) -> tuple[str, ...] | None:
    """Return the interpreter and options of an ipykernel kernel spec (None: not one)."""
    cmd = _kernel_argv(kernel_name)
    # As jupyter_client's kernel manager does: a bare "python" is the run's own interpreter.
    if cmd and cmd[0] in {
        "python",
        f"python{sys.version_info[0]}",
        "python{}.{}".format(*sys.version_info[:2]),
    }:
        cmd[0] = sys.executable
    split = _launcher_index(cmd)
    return tuple(cmd[:split]) if split else None


def _kernel_argv(kernel_name: str) -> list[str]:
    """Return a kernel spec's command, read from its kernel.json (jupyter_client's search order).

    Reading the file directly spares a run jupyter_client's import before the server starts;
    a spec found only by jupyter_client's own rules is looked up through it.
    """
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("kernels"):
        spec = os.path.join(folder, kernel_name.lower(), "kernel.json")
        if os.path.isfile(spec):
            try:
                with open(spec, encoding="utf-8") as fh:
                    return list(json.load(fh)["argv"])
            except (OSError, ValueError, KeyError, TypeError):
                break
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        return list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
    except Exception:  # no such kernel: the render reports that, per report
        return []


def prestart(kernel_name: str) -> threading.Thread | None:
    """Start the fork server for a kernel spec in the background; return the starting thread."""
    python = server_command(kernel_name) if enabled() else None
    if python is None:
        return None
    thread = threading.Thread(target=server_for, args=(python,), daemon=True)
    thread.start()
    return thread


# --- the server -------------------------------------------------------------------------------


def _child(argv: list[str], cwd: str, env: dict[str, str]) -> None:
    """Become a kernel: own session, the report's folder and environment, then ipykernel."""
    code = 1
    try:
        gc.enable()  # the server never collects; a kernel does, except what the server froze
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

    # Python's recipe for fork without exec (see gc.freeze): no collections while importing
    # (they would only find the imports' short-lived cycles: 0.15 s of the server's 1.1 s
    # start, measured), and what exists at a fork is frozen, so that the kernels' collections
    # skip the preloaded modules and leave their shared memory pages untouched.
    gc.disable()
    # A report kernel is never attached to a debugger: without debugpy, ipykernel starts none
    # (kernel_info then says so), and the server skips its import (0.1 s of every run, measured).
    sys.modules["debugpy"] = None
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
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            _child(request["argv"], request["cwd"], request["env"])
        out.write(f"{pid}\n")
        out.flush()


if __name__ == "__main__":
    serve()
