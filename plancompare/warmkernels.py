"""Report kernels forked from a warm parent, so that a run pays the reports' imports once.

Every report still runs in a kernel process of its own, with its own fresh namespace, as
papermill's default gives: only the start-up differs. A *fork server* (a child of the run,
started with the kernel spec's own interpreter) imports ipykernel, pandas, altair, scipy and
plancompare once, runs no user code, and forks one kernel per report on request. A new kernel
then skips the interpreter start and the imports that dominate a report's cost.

The server itself is `plancompare.forkserver`. `WarmKernelManager` is the jupyter_client
kernel manager that asks it for its kernel, and falls back to an ordinary launch whenever the
server cannot be used (not Linux or macOS, another interpreter, a server that died).
`PLANCOMPARE_WARM_KERNELS=0` turns it off.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Type

from .forkserver import (  # noqa: F401  (the server's handle, re-exported for callers)
    ENV_SWITCH,
    LAUNCHER,
    ForkServer,
    _launcher_index,
    _servers,
    close_servers,
    enabled,
    prestart,
    server_command,
    server_for,
)


class ForkedProcess:
    """The parts of `subprocess.Popen` a provisioner uses, for a kernel the server forked."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """Return None while the kernel runs, then 0 (its exit status belongs to the server)."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Return once the kernel has exited."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        """Send a signal to the kernel."""
        os.kill(self.pid, signum)

    def kill(self) -> None:
        """Kill the kernel."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """Ask the kernel to stop."""
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """A local provisioner that takes its kernel from the fork server when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """Fork the kernel from the warm server; launch it the ordinary way if that fails."""
        split = _launcher_index(cmd)
        server = None
        if enabled() and split:
            server = await asyncio.to_thread(server_for, tuple(cmd[:split]))
        if server is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        # The kernel stops when the server does, and the server when the run does.
        # No IPython history: report kernels running side by side would otherwise all write
        # the one history database (and wait on its lock) for cells nobody recalls.
        argv = [
            *cmd[split + 2 :],
            f"--IPKernelApp.parent_handle={server.proc.pid}",
            "--HistoryManager.enabled=False",
        ]
        try:
            pid = await asyncio.to_thread(server.fork, argv, cwd, env)
        except (OSError, RuntimeError, ValueError):
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        """Wait for the kernel to exit, looking every 10 ms (LocalProvisioner: every 100 ms)."""
        if self.process is None or not isinstance(self.process, ForkedProcess):
            return await super().wait()
        while await self.poll() is None:
            await asyncio.sleep(0.01)
        self.process = None
        return 0


class WarmKernelClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel answers on its shell and IOPub.

    jupyter_client's own `wait_for_ready` then reads IOPub until it has been silent for 0.2 s,
    a fixed fifth of a second per report; here what is already queued is drained instead (the
    notebook client ignores IOPub messages that answer requests other than its own).
    """

    def _context_default(self) -> Any:
        import zmq

        context = super()._context_default()
        # The client connects while the kernel is still binding its ports: retry a refused
        # connection after 10 ms rather than zmq's default 100 ms.
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel has replied to kernel_info and IOPub carries its messages."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return


class WarmKernelManager(AsyncKernelManager):
    """An async kernel manager whose kernels come from the fork server."""

    client_factory = Type(WarmKernelClient, klass=AsyncKernelClient)

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)

    async def _async_finish_shutdown(
        self, waittime: float | None = None, pollinterval: float = 0.1, restart: bool = False
    ) -> None:
        # A report's kernel exits within milliseconds of its shutdown request: look for that
        # every 10 ms instead of jupyter_client's 100 ms, a tenth of a second per report.
        await super()._async_finish_shutdown(waittime, min(pollinterval, 0.01), restart)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts every kernel before asking it to shut down; a report's
        # kernel is idle by then, and a forked one logs the interrupt as an error. A kernel that
        # does not stop on the shutdown request is still terminated, then killed.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()


def _new_id() -> str:
    """Return a new kernel id."""
    import uuid

    return str(uuid.uuid4())
