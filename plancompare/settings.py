"""What a run is asked to do: its settings and their defaults (light: the command line imports it first)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import paths

DEFAULT_TIMEOUT = 600  # seconds a notebook cell may run before its report fails
DEFAULT_LOCK_TIMEOUT = 120.0  # seconds a run waits for another run on the same output folder
BUILD_FILE = "build.json"  # in --out: what each plan and report was built from, and how it fared


@dataclass
class Settings:
    """What a run was asked to do."""

    manifest: Path = paths.MANIFEST
    out: Path = paths.REPORTS
    processed: Path = paths.PROCESSED
    notebooks: Path = paths.NOTEBOOKS
    jobs: int = 1
    force: bool = False
    only: tuple[str, ...] = ()
    coder: str | None = None  # None: the pipeline's default (coding.DEFAULT_CODER)
    timeout: int = DEFAULT_TIMEOUT
    kernel_name: str = paths.KERNEL_NAME
    warm_kernels: bool = True  # fork report kernels from a warm server (see warmkernels)
    executor: str = "local"
    scheduler: str | None = None
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT

    def __post_init__(self) -> None:
        # Absolute from the start: papermill runs each notebook in its own folder by changing the
        # process's working directory, so with several jobs a relative path would resolve
        # against another report's folder in the threads rendering meanwhile.
        for name in ("manifest", "out", "processed", "notebooks"):
            setattr(self, name, Path(getattr(self, name)).absolute())

    def forks_kernels_here(self) -> bool:
        """Return whether this run forks its report kernels from a fork server it starts itself."""
        return self.warm_kernels and self.executor == "local"

    def segmentation_helpers(self) -> int:
        """Return how many helper processes segment text while this run processes plans itself.

        With several jobs the run codes and extracts in threads and segments in helpers; a Dask
        worker processes a plan whole, so the Dask executor needs none.
        """
        return max(0, self.jobs - 1) if self.executor == "local" else 0

    def renders_everything(self) -> bool:
        """Return whether every selected report will render (forced, or no build record yet)."""
        return self.force or not (Path(self.out) / BUILD_FILE).is_file()
