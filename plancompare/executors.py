"""Where tasks run: threads on this machine (each report has its own kernel process) or Dask.

Both executors write nothing themselves: the tasks write to the run's `--out` and `--processed`
folders, so with Dask every worker must be able to reach those folders at the same path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Protocol

EXECUTOR_KINDS = ("local", "dask")


class Executor(Protocol):
    """Runs a function over items and yields (item, result) pairs as they finish."""

    def map(
        self, fn: Callable[..., Any], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, Any]]:
        """Yield (item, fn(item, *args)) for every item, in completion order."""
        ...

    def close(self) -> None:
        """Release the executor's resources."""
        ...


class LocalExecutor:
    """Runs up to `jobs` tasks at once in threads; a report's kernel is its own process."""

    def __init__(self, jobs: int = 1):
        self.jobs = max(1, jobs)

    def map(
        self, fn: Callable[..., Any], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, Any]]:
        """Yield (item, fn(item, *args)) for every item, in completion order."""
        items = list(items)
        if self.jobs == 1 or len(items) <= 1:
            for item in items:
                yield item, fn(item, *args)
            return
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {pool.submit(fn, item, *args): item for item in items}
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        except BaseException:
            # Ctrl-C or an error: start nothing more; the run's clean-up stops what is running.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def close(self) -> None:
        """Nothing to release: the thread pool lives only during a map."""
        return None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """Runs tasks on a Dask distributed cluster: the one at `scheduler`, or a local one.

    Without a scheduler address it starts a LocalCluster of `n_workers` processes with one
    thread each (a task holds the GIL while it segments text; a report's kernel is a process of
    its own either way). Functions and their arguments are pickled to the workers, so the
    workers need the same plancompare installed, its Jupyter kernel, and the same paths.
    """

    def __init__(self, scheduler: str | None = None, n_workers: int = 2):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=max(1, n_workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.WARNING,
            )
            self.client = Client(self.cluster)

    @property
    def n_workers(self) -> int:
        """Return how many workers the cluster has now."""
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def map(
        self, fn: Callable[..., Any], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, Any]]:
        """Yield (item, fn(item, *args)) for every item, in completion order.

        Every call is a new task (pure=False): a rerun must run again, not reuse a result.
        A task that raises re-raises here, as with LocalExecutor.
        """
        from dask.distributed import as_completed as dask_completed

        items = list(items)
        if not items:
            return
        repeated = [[a] * len(items) for a in args]
        futures = self.client.map(fn, items, *repeated, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in dask_completed(futures):
                yield items[index[fut.key]], fut.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Close the client and, when this executor started it, the local cluster."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(kind: str = "local", jobs: int = 1, scheduler: str | None = None) -> Executor:
    """Return a run's executor: local threads, or Dask (a LocalCluster of `jobs` workers)."""
    if kind == "local":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return LocalExecutor(jobs)
    if kind == "dask":
        return DaskExecutor(scheduler, n_workers=jobs)
    raise ValueError(f"unknown executor {kind!r} (choose from {', '.join(EXECUTOR_KINDS)})")
