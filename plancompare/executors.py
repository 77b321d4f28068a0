"""Where tasks run: threads on this machine (each report has its own kernel process) or Dask."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Protocol


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

    def map(self, fn, items, *args):
        items = list(items)
        if self.jobs == 1 or len(items) <= 1:
            for item in items:
                yield item, fn(item, *args)
            return
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = {pool.submit(fn, item, *args): item for item in items}
            for fut in as_completed(futures):
                yield futures[fut], fut.result()

    def close(self) -> None:
        return None
