"""The command line of run_all.py: render every report of a manifest, with clear exit codes."""

from __future__ import annotations

import argparse
import atexit
import math
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import forkserver, paths
from .settings import DEFAULT_LOCK_TIMEOUT, DEFAULT_TIMEOUT, Settings

# 75 is EX_TEMPFAIL (sysexits.h): try again later. Schedulers treat it as "not a failure of
# the reports", and systemd/cron users can tell it apart from 1.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_LOCKED = 0, 1, 2, 75
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a run stopped by Ctrl-C
EXECUTORS = ("local", "dask")


def _positive(kind: type):
    """Return an argparse type that accepts only positive values of `kind`."""

    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _non_negative_float(text: str) -> float:
    """Return a float of zero or more, or infinity (argparse type)."""
    value = float(text)
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {text}")
    return value


def folder_problems(settings: Settings) -> list[str]:
    """Return what is wrong with the run's folders before any work (empty when all is well)."""
    problems = []
    for flag, folder in (("--out", settings.out), ("--processed", settings.processed)):
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            problems.append(f"{flag} {folder} is a file, not a folder")
            continue
        # The nearest folder that exists must let this run create and write files.
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            problems.append(f"{flag} {folder}: cannot write in {existing}")
    notebooks = Path(settings.notebooks)
    if not notebooks.is_dir():
        problems.append(f"--notebooks {notebooks} is not a folder")
    return problems


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of run_all.py."""
    p = argparse.ArgumentParser(
        prog="run_all.py",
        description="Render a profile per plan and a comparison per manifest pair into HTML "
        "reports, re-rendering only what changed.",
        epilog="Exit codes: 0 every report rendered or up to date; 1 some plan or report failed "
        "(the others are rendered; see the summary table and reports/run-summary.json); "
        "2 the manifest or the command line is invalid (nothing is done); "
        "75 another run holds the output folder's lock (try again later); "
        "130 interrupted (finished reports are kept).",
    )
    p.add_argument("--manifest", type=Path, default=paths.MANIFEST, help="plan manifest (YAML)")
    p.add_argument("--out", type=Path, default=paths.REPORTS, help="folder for the HTML reports")
    p.add_argument("--processed", type=Path, default=paths.PROCESSED, help="folder for tidy tables")
    p.add_argument(
        "--notebooks", type=Path, default=paths.NOTEBOOKS, help="folder of the report notebooks"
    )
    p.add_argument(
        "--jobs",
        type=_positive(int),
        default=os.cpu_count() or 1,
        help="tasks at once (local) or workers of a local Dask cluster (default: cores)",
    )
    p.add_argument("--force", action="store_true", help="re-process and re-render everything")
    p.add_argument(
        "--only", nargs="+", default=(), metavar="ID", help="only these plans or reports"
    )
    p.add_argument(
        "--coder",
        choices=("naive", "rules", "classifier"),
        default=None,
        help="sentence coder (default: the one the evaluation measured best)",
    )
    p.add_argument(
        "--timeout",
        type=_positive(int),
        default=DEFAULT_TIMEOUT,
        help=f"seconds a notebook cell may run before its report fails (default {DEFAULT_TIMEOUT})",
    )
    p.add_argument(
        "--lock-timeout",
        type=_non_negative_float,
        default=DEFAULT_LOCK_TIMEOUT,
        help="seconds to wait for another run on the same --out before exiting with 75 "
        f"(default {DEFAULT_LOCK_TIMEOUT:g})",
    )
    p.add_argument(
        "--cold-kernels",
        action="store_true",
        help="start every report's kernel as a new interpreter instead of forking it from a "
        "warm server (slower; the same pages)",
    )
    p.add_argument("--executor", choices=EXECUTORS, default="local", help="where tasks run")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask; "
        "without it a LocalCluster is started)",
    )
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    """Return the run settings of parsed arguments."""
    return Settings(
        manifest=args.manifest,
        out=args.out,
        processed=args.processed,
        notebooks=args.notebooks,
        jobs=args.jobs,
        force=args.force,
        only=tuple(args.only),
        coder=args.coder,
        timeout=args.timeout,
        warm_kernels=not args.cold_kernels,
        executor=args.executor,
        scheduler=args.scheduler,
        lock_timeout=args.lock_timeout,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the batch and return the process exit code."""
    p = parser()
    args = p.parse_args(argv)
    if args.scheduler and args.executor != "dask":
        p.error("--scheduler needs --executor dask")
    settings = settings_from(args)
    problems = folder_problems(settings)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        start_kernels_early(settings)
        return _main(settings)
    except KeyboardInterrupt:
        print(
            "error: interrupted; reports finished before the interruption are kept, "
            "and the next run renders the rest",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        forkserver.close_servers()


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once its output is flushed and its exit handlers have run.

    Every file a run writes is closed before `main` returns, so the interpreter's teardown of
    the modules the run imported (pandas, pyarrow, jupyter_client...) would only add 0.3–0.4 s
    (measured) to every run, after its last report: `os._exit` skips that teardown.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away (`run_all.py | head`)
            pass
    atexit._run_exitfuncs()
    os._exit(code)


def start_kernels_early(settings: Settings) -> None:
    """Start the report kernels' fork server now when this run renders every report.

    Its imports then overlap the run's own (the manifest, the build, papermill). A run with a
    build record starts it later, once it knows that some report is stale (`build.run`).
    """
    if settings.forks_kernels_here() and settings.renders_everything():
        forkserver.prestart(settings.kernel_name)


def _main(settings: Settings) -> int:
    """Check the manifest and the selection, run the batch, and return the exit code."""
    from .build import LockTimeout, exit_status, report_tasks, run, summary_table, unknown_selection
    from .manifest import ManifestError, load_manifest

    try:
        manifest = load_manifest(settings.manifest)
    except ManifestError as exc:
        for problem in exc.problems:
            print(f"error: {exc.path}: {problem}", file=sys.stderr)
        print(
            f"error: {len(exc.problems)} problem(s) in the manifest; nothing done", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    unknown = unknown_selection(manifest, report_tasks(manifest, settings), settings.only)
    if unknown:
        print(f"error: --only: no plan or report named {', '.join(unknown)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        outcomes = run(settings, manifest)
    except LockTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as exc:  # the run's own records cannot be written (a full disk, say)
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"error: cannot write the run's records: {exc.strerror or exc}{where}; "
            "reports finished before are kept",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print()
    print(summary_table(outcomes))
    return exit_status(outcomes)
