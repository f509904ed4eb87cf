"""Benchmark: Monte Carlo draws per second of the arsenal model.

Target (issue 6): at least 1,000,000 draws/s on 2 cores, with quantiles per year.

Each run builds a fresh model (nothing cached) and times, on the wall clock:

* ``draw``   sampling every parameter for N draws;
* ``band``   sampling plus the stock at every year-end 1986-2035 (50 dates)
             plus five quantiles per year - the full "quantiles per year" job;
* ``stock``  sampling plus the stock at one date plus its quantiles.

Draws/s = N / wall time. The median of ``--runs`` is reported with min and
max, and the machine's load average is printed so noisy runs can be spotted.
Draws per CPU-second (N / process CPU time, all threads) is printed too: it
does not depend on what else the machine is running, and on two idle cores
the wall-clock rate approaches up to twice that figure.

    python benchmarks/arsenal_mc.py [--draws 1000000] [--runs 5] [--workers 2] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

from dprkwatch.arsenal import load_model

YEARS = range(1986, 2036)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def run_once(draws: int, workers: int, job: str) -> tuple[float, float]:
    model = load_model(draws=draws, workers=workers)
    if job == "draw":
        return timed(lambda: model.draws)
    if job == "band":
        return timed(lambda: model.band(YEARS))
    return timed(lambda: model.stock("2019-07-02"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()

    run_once(20_000, args.workers, "band")  # warm-up: imports, plan caches, BLAS start-up
    load_before = os.getloadavg()
    rows = []
    for job in ("draw", "band", "stock"):
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = run_once(args.draws, args.workers, job)
            walls.append(wall)
            cpus.append(cpu)
        med = statistics.median(walls)
        rows.append(
            {
                "job": job,
                "median_s": med,
                "min_s": min(walls),
                "max_s": max(walls),
                "cpu_s": statistics.median(cpus),
                "draws_per_s": args.draws / med,
                "draws_per_cpu_s": args.draws / statistics.median(cpus),
                "best_draws_per_s": args.draws / min(walls),
            }
        )
    load_after = os.getloadavg()

    conditions = (
        f"{args.draws:,} draws, {args.workers} worker threads, {os.cpu_count()} CPUs, "
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"load average {load_before[0]:.2f} before / {load_after[0]:.2f} after"
    )
    if args.markdown:
        print(f"Conditions: {conditions}\n")
        print(
            "| job | median s | min s | max s | CPU s | draws/s (median) | draws/s "
            "(best) | draws per CPU-s | target 1M/s (median wall) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            ok = "met" if r["draws_per_s"] >= 1_000_000 else "not met"
            print(
                f"| {r['job']} | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_s']:.3f} | {r['cpu_s']:.3f} "
                f"| {r['draws_per_s']:,.0f} | {r['best_draws_per_s']:,.0f} | {r['draws_per_cpu_s']:,.0f} | {ok} |"
            )
    else:
        print(conditions)
        for r in rows:
            print(
                f"{r['job']:6} median {r['median_s']:.3f}s (min {r['min_s']:.3f}, max {r['max_s']:.3f}, "
                f"cpu {r['cpu_s']:.3f}) -> {r['draws_per_s']:,.0f} draws/s (best {r['best_draws_per_s']:,.0f}; "
                f"{r['draws_per_cpu_s']:,.0f} per CPU-second)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
