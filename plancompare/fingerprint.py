"""Hashes of the package's own source, so that cached results are rebuilt when the code changes."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import __version__

PACKAGE = Path(__file__).parent
# The modules whose code decides a plan's processed tables; editing any other module (rendering,
# the batch runner, executors) leaves the per-plan caches valid.
PROCESSING_MODULES = (
    "__init__",
    "classifier",
    "cleaning",
    "coding",
    "fingerprint",
    "indicators",
    "manifest",
    "paths",
    "pipeline",
    "reading",
    "segment",
    "sentences",
    "style",
)


@lru_cache(maxsize=4)
def code_fingerprint(modules: tuple[str, ...] | None = None) -> str:
    """Return a hash of the package version and the source of these modules (all when None)."""
    files = (
        sorted(PACKAGE.glob("*.py"))
        if modules is None
        else [PACKAGE / f"{m}.py" for m in sorted(modules)]
    )
    h = hashlib.sha256(__version__.encode())
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def processing_fingerprint() -> str:
    """Return the hash of the code that turns a raw text into a plan's tables."""
    return code_fingerprint(PROCESSING_MODULES)
