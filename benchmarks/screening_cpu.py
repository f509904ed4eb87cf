"""CPU per query of the screening engine, paired: this code against other code, or pure Python.

    python benchmarks/screening_cpu.py --data-dir DIR [--compare-src REF/src] [--pure]
        [--queries 3000] [--rounds 3] [--seed 11]

``screening_speed.py`` measures every target once; this measures the one
figure a speed change moves, CPU per query, so that two versions of the
engine can be told apart on a shared machine. Each side screens the same
queries (the speed benchmark's mix: yente's synthetic non-listed people
with their qualifiers, list names, 30% with a letter dropped) in a fresh
process that loads the index of ``DIR``'s active lists from its cache:
first 500 untimed queries (as the speed benchmark warms up), then
``--queries`` timed ones, one ``screen()`` each. It reports CPU (user +
system of that process, over the timed queries only) per query and the
wall-clock p50 and p99.

Sides: ``this`` (this checkout, its compiled modules when built);
``--pure`` adds this checkout with the compiled modules turned off
(``DPRKWATCH_COMPILED=0``); ``--compare-src`` adds another checkout's
``src`` folder (``git worktree add --detach ../ref <commit>``). Rounds
alternate the order of the sides (A B C, then C B A), so a machine
getting busier affects all alike; the summary gives the median of each
side and its ratio to ``this``. Each side first runs once untimed, which
writes its index cache (the cache key includes a hash of the matching
code) and Python's bytecode cache. The load average is printed per round.

With ``--workers W`` (2 or more) each side screens the timed queries as
the batch target is measured, through ``screen_queries`` with ``W`` forked
workers, and the figures are CPU per query of the whole process tree
(the side's process and its workers) and queries per second (wall); the
batch target's figure, 0.2 ms of CPU per query for 10,000 queries/s on
two cores, is this one. The parent screens the 500 warm-up queries
first, as the speed benchmark's parent has screened before its batches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inputs import (
    add_min_entities,
    add_shared_data,
    fail,
    require_count,
    require_entities,
    require_store,
    run_worker,
)

WARM = 500


def worker(home: Path, data: Path, n: int, seed: int, minimum: int, workers: int = 1) -> None:
    """Child process: screen the queries, print CPU ms per query, p50 and p99 ms (one at a
    time), or CPU ms per query of the process tree and queries per second (``workers`` >= 2)."""
    from dprkwatch.lists import SnapshotStore
    from dprkwatch.matching import Screener
    from screening_speed import make_queries, tree_cpu

    try:
        from dprkwatch.matching.compiled import state
    except ImportError:  # code from before the compiled modules
        state = lambda: "pure Python"  # noqa: E731

    screener = Screener.from_store(SnapshotStore(home))
    require_entities(len(screener), minimum, str(home))
    queries = make_queries(screener, data, WARM + n, seed)
    require_count("queries made", queries, WARM + n)
    for q in queries[:WARM]:
        screener.screen(q)
    if workers >= 2:
        from dprkwatch.matching.batch_pool import screen_queries

        c0, w0 = tree_cpu(), time.perf_counter()
        done = sum(1 for _ in screen_queries(screener, queries[WARM:], workers=workers))
        wall = time.perf_counter() - w0
        require_count("answers", range(done), n)
        print(1000 * (tree_cpu() - c0) / done, done / wall, 0.0)
        print(state())
        return
    lat: list[float] = []
    c0 = time.process_time()
    for q in queries[WARM:]:
        t0 = time.perf_counter()
        screener.screen(q)
        lat.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / len(lat)
    lat.sort()
    print(1000 * cpu, 1000 * lat[len(lat) // 2], 1000 * lat[int(len(lat) * 0.99)])
    print(state())


def main() -> int:
    if run_worker(worker):
        return 0
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data-dir", type=Path, required=True, help="lists already imported")
    add_shared_data(ap)
    ap.add_argument("--compare-src", type=Path, default=None, help="src folder of other code")
    ap.add_argument("--pure", action="store_true", help="also this code without compiled modules")
    ap.add_argument("--queries", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--workers", type=int, default=1, help="2 or more: screen as a batch with forked workers"
    )
    add_min_entities(ap)
    args = ap.parse_args()
    if args.rounds < 1 or args.queries < 1 or args.workers < 1:
        fail("--rounds, --queries and --workers must be at least 1")
    from dprkwatch.matching.batch_pool import PARALLEL_MIN_ROWS

    if args.workers >= 2 and args.queries < PARALLEL_MIN_ROWS:
        fail(
            f"--workers {args.workers} needs --queries {PARALLEL_MIN_ROWS} or more (fewer are screened in one process)"
        )
    from dprkwatch.lists import SnapshotStore

    require_store(SnapshotStore(args.data_dir), args.min_entities)
    here = Path(__file__).resolve().parents[1] / "src"
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = {"this": {**base, "PYTHONPATH": str(here)}}
    if args.pure:
        envs["pure"] = {**base, "PYTHONPATH": str(here), "DPRKWATCH_COMPILED": "0"}
    if args.compare_src is not None:
        if not (args.compare_src / "dprkwatch" / "__init__.py").is_file():
            fail(f"{args.compare_src}: not a src folder with the dprkwatch package")
        envs["ref"] = {**base, "PYTHONPATH": str(args.compare_src.resolve())}
    argv = [
        sys.executable, __file__, "--worker", str(args.data_dir), str(args.data),
        str(args.queries), str(args.seed), str(args.min_entities), str(args.workers),
    ]  # fmt: skip

    def run(side: str, queries: int) -> list[float]:
        cmd = [*argv]
        cmd[5] = str(queries)
        done = subprocess.run(cmd, capture_output=True, text=True, env=envs[side], check=False)
        if done.returncode != 0:
            fail(f"{side}: worker exited {done.returncode}: {done.stderr[-400:]}")
        figures, how = done.stdout.split("\n", 1)
        states[side] = how.strip()
        return [float(x) for x in figures.split()]

    states: dict[str, str] = {}
    for side in envs:  # untimed: index cache and bytecode of each side
        run(side, 1)
    figures: dict[str, list[list[float]]] = {side: [] for side in envs}
    order = list(envs)
    for r in range(args.rounds):
        for side in order if r % 2 == 0 else order[::-1]:
            figures[side].append(run(side, args.queries))
        cells = ", ".join(f"{side} {figures[side][-1][0]:.3f} ms" for side in order)
        print(
            f"round {r + 1}: CPU per query {cells}; load {os.getloadavg()[0]:.2f}", file=sys.stderr
        )
    batch = args.workers >= 2
    how = f"a batch, {args.workers} workers" if batch else "one at a time"
    print(
        f"| {args.queries:,} queries ({how}), {args.rounds} rounds, medians | CPU per query | "
        + ("queries/s (wall) | CPU vs this |" if batch else "p50 wall | p99 wall | CPU vs this |")
    )
    print("|---|---|---|---|" if batch else "|---|---|---|---|---|")
    mine = statistics.median(f[0] for f in figures["this"])
    for side in order:
        cpu, p50, p99 = (statistics.median(f[k] for f in figures[side]) for k in range(3))
        if batch:
            print(f"| {side} | {cpu:.3f} ms | {p50:,.0f} | {cpu / mine:.2f}× |")
        else:
            print(f"| {side} | {cpu:.3f} ms | {p50:.3f} ms | {p99:.3f} ms | {cpu / mine:.2f}× |")
    print(f"(matching modules: {'; '.join(f'{side} {how}' for side, how in states.items())})")
    print(f"load average at end {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
