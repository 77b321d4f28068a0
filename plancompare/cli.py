"""The command line of run_all.py: render every report of a manifest, with clear exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import paths, render
from .build import Settings, run
from .manifest import ManifestError, load_manifest

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of run_all.py."""
    p = argparse.ArgumentParser(
        prog="run_all.py",
        description="Render a profile per plan and a comparison per manifest pair into HTML reports.",
        epilog="Exit codes: 0 all rendered or up to date, 1 some report or plan failed, "
        "2 the manifest or the command line is invalid.",
    )
    p.add_argument("--manifest", type=Path, default=paths.MANIFEST, help="plan manifest (YAML)")
    p.add_argument("--out", type=Path, default=paths.REPORTS, help="folder for the HTML reports")
    p.add_argument("--processed", type=Path, default=paths.PROCESSED, help="folder for tidy tables")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="reports rendered at once")
    p.add_argument("--force", action="store_true", help="re-render even when nothing changed")
    p.add_argument(
        "--only", nargs="+", default=(), metavar="ID", help="only these plans or reports"
    )
    p.add_argument("--coder", default="rules", help="sentence coder: naive, rules or classifier")
    p.add_argument(
        "--timeout", type=int, default=render.DEFAULT_TIMEOUT, help="seconds a cell may run"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the batch and return the process exit code."""
    args = parser().parse_args(argv)
    try:
        manifest = load_manifest(args.manifest)
    except ManifestError as exc:
        for problem in exc.problems:
            print(f"error: {exc.path}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = Settings(
        manifest=args.manifest,
        out=args.out,
        processed=args.processed,
        jobs=max(1, args.jobs),
        force=args.force,
        only=tuple(args.only),
        coder=args.coder,
        timeout=args.timeout,
    )
    outcomes = run(settings, manifest)
    return EXIT_FAILED if any(o.status == "failed" for o in outcomes) else EXIT_OK
