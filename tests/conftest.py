"""Shared fixtures: one real render of the shipped manifest per test session."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from plancompare import paths

# Property tests explore a fixed sequence of examples, so a CI run is reproducible.
settings.register_profile("plancompare", derandomize=True, deadline=None)
settings.load_profile("plancompare")


@dataclass(frozen=True)
class Rendered:
    """A finished run of run_all.py: its folders, exit code and output."""

    out: Path
    processed: Path
    returncode: int
    stdout: str
    stderr: str


def run_all(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run run_all.py with these arguments and return the finished process."""
    return subprocess.run(
        [sys.executable, str(paths.ROOT / "run_all.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=paths.ROOT,
    )


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Rendered:
    """Render every report of data/plans.yml once into a temporary folder."""
    root = tmp_path_factory.mktemp("render")
    out, processed = root / "reports", root / "processed"
    proc = run_all("--out", str(out), "--processed", str(processed))
    return Rendered(out, processed, proc.returncode, proc.stdout, proc.stderr)
