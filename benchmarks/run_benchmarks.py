#!/usr/bin/env python3
"""Benchmarks of plancompare against its floors, as ratios measured in one run.

`make bench` runs this script; `--quick` tries it small. Timings stay here, out of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402
import yaml  # noqa: E402

from plancompare import paths  # noqa: E402

GOALS = {
    "processing / jieba": ("<=", 1.5),
    "cold render / empty notebooks": ("<=", 1.5),
    "jobs 1 / jobs 2, whole corpus": (">=", 1.6),
    "no-change rerun, s": ("<", 2.0),
    "peak memory of processing, MB": ("<", 1024.0),
}
EMPTY_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "parameters",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": 'plan_id = ""\nmanifest_path = ""\nprocessed_dir = ""',
        }
    ],
    "metadata": {
        "kernelspec": {
            "display_name": "Python (plancompare)",
            "language": "python",
            "name": "plancompare",
        },
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def machine() -> dict[str, object]:
    """Return a description of the machine the figures were taken on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def child(stage: str, *args: str) -> dict:
    """Run a stage of this script in a fresh process and return its JSON result."""
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", stage, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stage_process(manifest_path: str, processed: str, jobs: str) -> dict:
    """Process every plan (cold) as a run with `jobs` does; then segment them with plain jieba."""
    import logging

    import jieba

    from plancompare import build, coding, segment
    from plancompare.executors import LocalExecutor
    from plancompare.manifest import load_manifest

    jieba.setLogLevel(logging.WARNING)
    manifest = load_manifest(manifest_path)
    codebook = coding.load_codebook()
    words = codebook.all_terms()
    settings = build.Settings(
        manifest=Path(manifest_path), processed=Path(processed), force=True, jobs=int(jobs)
    )
    helpers = settings.segmentation_helpers()
    with segment.helpers(helpers, words):
        # Dictionary loading is a once-per-process cost of both sides: taken out of both.
        helper_start_cpu = sum(segment.wait_for_helpers())
        if not helpers:
            segment.tokenizer(tuple(sorted(set(words))))
        jieba.initialize()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start, cpu_start = time.perf_counter(), time.process_time()
        # What a run's processing stage does: every plan, then the corpus-wide tables.
        plans = list(manifest.plans)
        outcomes = [
            o for _, o in build.process_plans(plans, manifest, settings, LocalExecutor(int(jobs)))
        ]
        done = [
            p.id
            for p in plans
            if p.id not in {o.plan_ids[0] for o in outcomes if o.status == "failed"}
        ]
        build.write_tables(settings, done)
        t_process, cpu_main = time.perf_counter() - start, time.process_time() - cpu_start
    # The helpers have exited (and been waited for): their CPU time and peak memory are known.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_helpers = (
        children.ru_utime
        + children.ru_stime
        - children_before.ru_utime
        - children_before.ru_stime
        - helper_start_cpu
    )
    failed = [o.name for o in outcomes if o.status == "failed"]
    texts = [manifest.source_path(p).read_text("utf-8-sig") for p in manifest.plans]
    start = time.perf_counter()
    n_words = sum(len(jieba.lcut(t)) for t in texts)
    t_jieba = time.perf_counter() - start
    return {
        "jobs": int(jobs),
        "helpers": helpers,
        "t_process": t_process,
        "cpu_process": cpu_main + cpu_helpers,
        "t_jieba": t_jieba,
        "plans": len(done),
        "failed": failed,
        "chars": sum(len(t) for t in texts),
        "words": n_words,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_helpers_mb": children.ru_maxrss / 1024 if helpers else 0.0,
    }


def stage_empty(n: str, folder: str) -> dict:
    """Execute the empty parameterised notebook n times with papermill, one after another."""
    import papermill as pm

    src = Path(folder) / "empty.ipynb"
    src.write_text(json.dumps(EMPTY_NOTEBOOK), encoding="utf-8")
    start = time.perf_counter()
    for i in range(int(n)):
        pm.execute_notebook(
            str(src),
            str(Path(folder) / f"empty-{i}.ipynb"),
            parameters={"plan_id": f"p{i}", "manifest_path": "m", "processed_dir": "d"},
            kernel_name=paths.KERNEL_NAME,
            progress_bar=False,
            log_output=False,
        )
    return {"t": time.perf_counter() - start}


def run_all(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run run_all.py with these arguments; return its wall time and the finished process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_all.py"), *args], capture_output=True, text=True, cwd=ROOT
    )
    return time.perf_counter() - start, proc


def rendered_count(out: Path) -> int:
    """Return how many HTML reports the last run into `out` rendered (from run-summary.json)."""
    summary = json.loads((Path(out) / "run-summary.json").read_text("utf-8"))
    return sum(
        o["status"] == "ok" and (Path(out) / f"{o['name']}.html").is_file()
        for o in summary["outcomes"]
    )


def cold_render(manifest: Path, processed: Path, out: Path, jobs: int) -> tuple[float, int]:
    """Render every report of a manifest into an empty folder; return seconds and reports."""
    shutil.rmtree(out, ignore_errors=True)
    args = ["--manifest", str(manifest), "--processed", str(processed), "--out", str(out)]
    seconds, proc = run_all(*args, "--jobs", str(jobs))
    if proc.returncode != 0:
        raise SystemExit(f"render failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, rendered_count(out)


def _spread(values: list[float]) -> str:
    """Return 'median (min–max)' of a few measurements."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def bench_processing(corpus: Path, repeat: int, jobs: int) -> dict:
    """Processing against jieba with one job and with `jobs`, and peak memory, `repeat` times.

    Each measure is a fresh process that processes every plan (cold) and then segments the same
    texts with jieba, so the two sides of a ratio meet the same machine conditions. With more
    than one job the run segments in helper processes while it codes and extracts: the wall
    time falls, the CPU time does not, and both are reported.
    """
    args = (str(corpus / "plans.yml"), str(corpus / "processed"))
    kinds = sorted({1, jobs})
    rounds = {j: [] for j in kinds}
    for _ in range(repeat):
        for j in kinds:
            rounds[j].append(child("process", *args, str(j)))
    r = rounds[jobs][0]
    figures: dict[str, object] = {"plans": r["plans"], "characters": r["chars"], "rounds": repeat}
    for j in kinds:
        runs = rounds[j]
        wall = [x["t_process"] / x["t_jieba"] for x in runs]
        cpu = [x["cpu_process"] / x["t_jieba"] for x in runs]
        label = f"--jobs {j}" + (f" ({r['helpers']} segmentation helper)" if j > 1 else "")
        figures |= {
            f"processing {label}, s": _spread([x["t_process"] for x in runs]),
            f"jieba.lcut of the same texts (round of --jobs {j}), s": _spread(
                [x["t_jieba"] for x in runs]
            ),
            f"processing --jobs {j} / jieba, each round": [round(x, 2) for x in wall],
            f"processing --jobs {j} / jieba": round(statistics.median(wall), 2),
            f"processing --jobs {j}, CPU seconds / jieba": round(statistics.median(cpu), 2),
        }
    # The goal is the run as it starts by default: one job per core.
    figures["processing / jieba"] = figures[f"processing --jobs {jobs} / jieba"]
    peaks = [x["peak_rss_mb"] + x["peak_rss_helpers_mb"] for j in kinds for x in rounds[j]]
    figures["peak memory of processing, MB"] = round(max(peaks), 1)
    return figures


def bench_rendering(folder: Path, n_plans: int, n_comparisons: int, repeat: int) -> dict:
    """Cold render against empty notebooks, and --jobs 2 against --jobs 1, `repeat` rounds.

    A round renders with one job, with two jobs, then runs the empty notebooks, one after
    another, so that each ratio compares measurements taken under the same conditions.
    """
    manifest = synthetic.build_corpus(folder, n_plans, n_comparisons=n_comparisons)
    processed, out = folder / "processed", folder / "reports"
    _, n = cold_render(manifest, processed, out, 1)  # processes the plans; warms the disk cache
    t1s, t2s, empties = [], [], []
    for _ in range(repeat):
        t1s.append(cold_render(manifest, processed, out, 1)[0])
        t2s.append(cold_render(manifest, processed, out, 2)[0])
        empties.append(child("empty", str(n), str(folder))["t"])
    floor = [t / e for t, e in zip(t1s, empties, strict=True)]
    speedup = [a / b for a, b in zip(t1s, t2s, strict=True)]
    return {
        "reports rendered": n,
        "rounds": repeat,
        "cold render --jobs 1, s": _spread(t1s),
        f"{n} empty notebooks, s": _spread(empties),
        "cold render --jobs 2, s": _spread(t2s),
        "cold render / empty notebooks, each round": [round(x, 2) for x in floor],
        "cold render / empty notebooks": round(statistics.median(floor), 2),
        f"jobs 1 / jobs 2, {n} reports, each round": [round(x, 2) for x in speedup],
        f"jobs 1 / jobs 2, {n} reports": round(statistics.median(speedup), 2),
    }


def bench_corpus(corpus: Path, jobs: int, repeat: int) -> dict:
    """Render the whole corpus with `jobs` and with one job, `repeat` rounds; then rerun it.

    This is the render the suite exists for (a profile of every plan, the comparisons and the
    overview), so the speed-up of `--jobs` is judged here: the run's fixed start (the kernels'
    imports, paid once) weighs little against a hundred reports. A round renders into two
    empty folders, one per job count, in alternating order. A first run renders one profile
    into a scratch folder, so that the coders' evaluation and the disk cache are ready before
    any timed run. The no-change rerun then runs over the last full render.
    """
    manifest = corpus / "plans.yml"
    base = ["--manifest", str(manifest), "--processed", str(corpus / "processed")]
    first_plan = yaml.safe_load(manifest.read_text("utf-8"))["plans"][0]["id"]
    run_all(*base, "--out", str(corpus / "scratch"), "--only", first_plan, "--jobs", "1")
    out = {jobs: corpus / "reports", 1: corpus / "reports-jobs-1"}
    times: dict[int, list[float]] = {jobs: [], 1: []}
    codes, counts = set(), set()
    for r in range(repeat):
        for j in (jobs, 1) if r % 2 == 0 else (1, jobs):
            shutil.rmtree(out[j], ignore_errors=True)
            seconds, proc = run_all(*base, "--out", str(out[j]), "--jobs", str(j))
            times[j].append(seconds)
            codes.add(proc.returncode)
            counts.add(rendered_count(out[j]))
    figures: dict[str, object] = {
        "full render: rounds": repeat,
        "full render: reports rendered": sorted(counts),
        "full render exit codes": sorted(codes),
        "corpus overview rendered": (out[jobs] / "corpus-overview.html").is_file(),
        f"full render --jobs {jobs}, s": _spread(times[jobs]),
    }
    if jobs > 1:
        speedup = [a / b for a, b in zip(times[1], times[jobs], strict=True)]
        figures |= {
            "full render --jobs 1, s": _spread(times[1]),
            f"jobs 1 / jobs {jobs}, whole corpus, each round": [round(x, 2) for x in speedup],
            f"jobs 1 / jobs {jobs}, whole corpus": round(statistics.median(speedup), 2),
        }
    reruns, rerun_counts, rerun_codes = [], set(), set()
    for _ in range(repeat):
        seconds, proc = run_all(*base, "--out", str(out[jobs]), "--jobs", str(jobs))
        reruns.append(seconds)
        rerun_codes.add(proc.returncode)
        lines = proc.stdout.splitlines()
        rerun_counts.add(sum(line.startswith("skipped") for line in lines))
    return figures | {
        "no-change rerun, s, each round": [round(x, 2) for x in reruns],
        "no-change rerun, s": round(statistics.median(reruns), 2),
        "rerun exit codes": sorted(rerun_codes),
        "rerun: reports skipped": sorted(rerun_counts),
    }


def verdicts(results: dict) -> list[tuple[str, object, str, str]]:
    """Return (measure, value, goal, met) for every goal that was measured."""
    rows = []
    for name, (op, bound) in GOALS.items():
        value = results.get(name)
        if value is None:
            rows.append((name, "not measured", f"{op} {bound}", "—"))
            continue
        met = {"<=": value <= bound, ">=": value >= bound, "<": value < bound}[op]
        rows.append((name, value, f"{op} {bound}", "yes" if met else "NO"))
    return rows


def print_goals(results: dict) -> None:
    """Print the goals and whether each was met."""
    print("Goals (a ratio is the median of its rounds; each round pairs measures taken together):")
    for name, value, goal, met in verdicts(results):
        print(f"  {name:35} {str(value):>12}  goal {goal:8}  met: {met}")


def parser() -> argparse.ArgumentParser:
    """Return the command line of the benchmark script."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plans", type=int, default=100, help="plans in the synthetic corpus")
    p.add_argument("--comparisons", type=int, default=10, help="comparisons in that corpus")
    p.add_argument("--render-plans", type=int, default=4, help="plans of the render benchmark")
    p.add_argument("--quick", action="store_true", help="small: 10 plans, 3 render plans")
    p.add_argument("--skip-rerun", action="store_true", help="skip the full renders and the rerun")
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="jobs of the processing and full render measures (default: cores)",
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="rounds of the processing and render measures"
    )
    p.add_argument("--keep", type=Path, help="keep the corpora in this folder")
    p.add_argument("--json", type=Path, help="also write the results to this JSON file")
    p.add_argument("--stage", help=argparse.SUPPRESS)
    p.add_argument("stage_args", nargs="*", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    """Build the corpora, run every benchmark, print the ratios and the goals."""
    args = parser().parse_args(argv)
    if args.stage:
        stage = {"process": stage_process, "empty": stage_empty}[args.stage]
        print(json.dumps(stage(*args.stage_args)))
        return 0
    if args.quick:
        args.plans, args.comparisons, args.render_plans, args.repeat = 10, 2, 3, 1
    root = args.keep or Path(tempfile.mkdtemp(prefix="plancompare-bench-"))
    results: dict[str, object] = {"machine": machine()}
    print(f"Machine: {results['machine']}\nCorpora under {root}\n")
    corpus = root / "corpus"
    synthetic.build_corpus(corpus, args.plans, n_comparisons=args.comparisons)
    sections = [lambda: bench_processing(corpus, args.repeat, args.jobs)]
    sections.append(
        lambda: bench_rendering(
            root / "render", args.render_plans, args.render_plans - 1, args.repeat
        )
    )
    if not args.skip_rerun:
        sections.append(lambda: bench_corpus(corpus, args.jobs, args.repeat))
    for section in sections:
        figures = section()
        for key, value in figures.items():
            print(f"  {key:45} {value}", flush=True)
        results |= figures
    print()
    results["load average at the end"] = [round(x, 2) for x in os.getloadavg()]
    print_goals(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
