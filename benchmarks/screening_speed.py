"""Speed benchmark of the screening engine with OFAC + UN + EU + UK loaded.

    python benchmarks/screening_speed.py [--data ../shared/data] [--data-dir DIR]
        [--queries 5000] [--batch 20000] [--workers 2] [--logic-v2 40]
    python benchmarks/screening_speed.py --data-dir DIR --builds 5

``--builds N`` only times N cold builds, each in a fresh process with an
empty index cache, and prints each and the medians (run it with
``PYTHONPATH=OTHER/src`` to time another checkout's build).

Measures, in this order and in one process:

1. index build from the active snapshots with a cold cache (names analysed
   from scratch), in a fresh process: the time until the screener is
   ready, the CPU of that process and of the child it forks to analyse
   names, and when the index cache file is complete (a large index's cache
   is written by a forked child while the screener is already usable);
   then a warm start from the on-disk index cache;
2. resident memory after the build (and the peak);
3. single in-process query latency, p50 and p99, over distinct queries
   (a mix of list names, Korean spelling variants and yente's synthetic
   non-listed people, with their birth dates and nationalities);
4. batch throughput through ``screen_queries`` with forked workers, in
   ``--runs`` runs on fresh queries each (the target must hold in every run);
5. nomenklatura's LogicV2 per query on the same queries, brute force over
   the DPRK subset (it has no index), and the ratio to ours;
6. the command line as users run it, each a new process over the same data
   directory (index cache warm): ``dprkwatch --version`` (interpreter and
   command start), ``dprkwatch screen NAME --json`` for single names, and
   ``dprkwatch screen --input CSV --output CSV`` over the batch queries of
   every run (reading, screening, writing the results file).

Wall-clock and CPU time are both reported: on a shared machine the wall
clock includes time spent waiting for a core. CPU is user + system time of
the whole process tree (this process and the children it waited for:
forked analyser, batch workers, each command), and every row carries the
load average (1 minute) when its phase ended. The batch rows also give
CPU per query, which says what two idle cores could reach (at most 2 /
CPU per query) when the wall clock on a busy machine cannot.

The commands are run with Python's bytecode cache allowed (a setting that
turns it off, ``PYTHONDONTWRITEBYTECODE``, is dropped for them), as on a
user's install: the first, untimed command writes it.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.matching import Query, QueryError, Screener
from dprkwatch.matching.batch_pool import screen_queries
from inputs import (
    FOUR_LISTS_MIN_ENTITIES,
    fail,
    require_count,
    require_entities,
    require_file,
    require_store,
)
from matching_eval import LIST_FILES, ftm_entity, person_props

_TEMP: dict[str, tempfile.TemporaryDirectory[str]] = {}


def mb(n: float) -> str:
    return f"{n / 2**20:.0f} MB"


def load() -> str:
    """The 1-minute load average now, for the row of the phase that just ended."""
    return f"load {os.getloadavg()[0]:.1f}"


def tree_cpu() -> float:
    """User + system CPU seconds of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + _children_cpu()


def make_store(args: argparse.Namespace) -> SnapshotStore:
    if args.data_dir is not None:
        store = SnapshotStore(args.data_dir)
        require_store(store, getattr(args, "min_entities", FOUR_LISTS_MIN_ENTITIES))
        return store
    # Removed when the process ends (the finalizer of TemporaryDirectory).
    store = SnapshotStore(
        Path(_TEMP.setdefault("home", tempfile.TemporaryDirectory(prefix="dprkwatch-speed-")).name)
    )
    for f in LIST_FILES:
        import_paths(store, [require_file(args.data / f)])
    return store


def make_queries(screener: Screener, data: Path, n: int, seed: int) -> list[Query]:
    """Distinct, realistic queries: half non-listed people, half list names and variants."""
    rng = random.Random(seed)
    out: list[Query] = []
    with require_file(data / "matching" / "yente_negatives_global.csv").open(
        encoding="utf-8"
    ) as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if i >= n // 2:
                break
            try:
                out.append(Query("Person", person_props(row)))
            except QueryError:
                continue
    records = list(screener.index.records)
    rng.shuffle(records)
    for rec in records:
        if len(out) >= n:
            break
        name = rec.caption
        if rng.random() < 0.3 and len(name) > 5:
            i = rng.randrange(1, len(name) - 1)
            name = name[:i] + name[i + 1 :]
        try:
            out.append(
                Query(rec.schema if rec.schema != "LegalEntity" else "Thing", {"name": [name]})
            )
        except QueryError:
            continue
    rng.shuffle(out)
    return out


def cold_build(home: Path, cache_dir: Path) -> None:
    """Child process: build from scratch, print wall, CPU, RSS and peak RSS."""
    store = SnapshotStore(home)
    w0, c0 = time.perf_counter(), time.process_time()
    Screener.from_snapshots(store.active(), cache_dir=cache_dir)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    # CPU of the forked name analyser (already joined), then of the cache
    # writer, which may still be writing: wait for it.
    analyser_cpu = _children_cpu()
    import psutil  # the bench extra; imported once the inputs are known to be there

    rss = psutil.Process().memory_info().rss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for writer in multiprocessing.active_children():
        writer.join()
    cached = time.perf_counter() - w0
    print(wall, cpu, rss, peak, analyser_cpu, cached, _children_cpu() - analyser_cpu)


def cold_builds(fresh_process: Callable[[], list[float]], cache_dir: Path, n: int) -> int:
    """``--builds N``: N cold builds, each in a fresh process with an empty cache."""
    walls: list[float] = []
    cpus: list[float] = []
    print("| build | ready (wall) | CPU: process + forked analyser | peak memory | load |")
    print("|---|---|---|---|---|")
    for i in range(n):
        for old in cache_dir.iterdir():
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        wall, cpu, _rss, peak, analyser_cpu, _done, _writer = fresh_process()
        walls.append(wall)
        cpus.append(cpu + analyser_cpu)
        print(
            f"| {i + 1} | {wall:.2f} s | {cpu:.2f} + {analyser_cpu:.2f} s | {mb(peak)} | {load()} |"
        )
    print(
        f"\nmedian of {n}: ready {statistics.median(walls):.2f} s wall, "
        f"{statistics.median(cpus):.2f} s CPU (target 2 s)"
    )
    return 0


def command_line(
    home: Path, singles: list[Query], batches: list[list[Query]], workers: int
) -> list[tuple[str, str, str]]:
    """Time ``dprkwatch`` as a user runs it: a new process per command."""
    exe = Path(sys.executable).with_name("dprkwatch")
    base = [str(exe), "--data-dir", str(home)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cpus: list[float] = []

    def timed(argv: list[str]) -> float:
        w0, c0 = time.perf_counter(), _children_cpu()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        cpus.append(_children_cpu() - c0)
        return time.perf_counter() - w0

    def spread(walls: list[float]) -> str:
        """Median wall and median CPU of the commands just timed."""
        return f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU"

    # The first command after an import builds the index cache of the data
    # directory (and the bytecode cache): done once here, untimed.
    timed([*base, "screen", "Kim Chol", "--json"])
    rows: list[tuple[str, str, str]] = []
    cpus.clear()
    start = [timed([str(exe), "--version"]) for _ in range(3)]
    rows.append(("command start (`dprkwatch --version`, median of 3)", spread(start), load()))
    names = [q.names[0] for q in singles if q.names]
    if names:
        cpus.clear()
        walls = [timed([*base, "screen", name, "--json"]) for name in names]
        rows.append(
            (
                f"`dprkwatch screen NAME --json`, whole command (median of {len(walls)}; "
                "slowest wall)",
                f"{spread(walls)}; {max(walls):.2f} s",
                load(),
            )
        )
    with tempfile.TemporaryDirectory(prefix="dprkwatch-cli-") as tmp:
        rates = []
        cpus.clear()
        for k, batch in enumerate(batches):
            src, out = Path(tmp) / f"in{k}.csv", Path(tmp) / f"out{k}.csv"
            write_csv(batch, src)
            wall = timed(
                [*base, "screen", "--input", str(src), "--output", str(out),
                 "--workers", str(workers)]
            )  # fmt: skip
            with out.open(encoding="utf-8") as fh:
                answered = {row["query_id"] for row in csv.DictReader(fh)}
            if len(answered) != len(batch):
                fail(f"command line batch: {len(answered):,} of {len(batch):,} queries answered")
            rates.append(len(batch) / wall)
        if rates:
            rows.append(
                (
                    f"`dprkwatch screen --input CSV --output CSV`, whole command, {len(rates)} runs",
                    f"{', '.join(f'{r:,.0f}' for r in rates)} queries/s; lowest {min(rates):,.0f}; "
                    f"CPU {1000 * sum(cpus) / sum(map(len, batches)):.2f} ms per query",
                    load(),
                )
            )
    return rows


def write_csv(queries: list[Query], path: Path) -> None:
    """The queries as a customer file: one row each, FtM property names as columns."""
    props = sorted({p for q in queries for p in q.properties})
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "schema", *props])
        for i, q in enumerate(queries):
            cells = [";".join(q.properties.get(p, [])) for p in props]
            out.writerow([f"q{i}", q.schema, *cells])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--cold-build":
        cold_build(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--queries", type=int, default=5000, help="single-query latency sample")
    ap.add_argument("--batch", type=int, default=20000, help="batch throughput sample")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--logic-v2", type=int, default=40, help="queries timed with LogicV2 (0 to skip)"
    )
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--runs", type=int, default=5, help="batch throughput runs")
    ap.add_argument(
        "--builds",
        type=int,
        default=0,
        help="only time this many cold builds, each in a fresh process, and stop",
    )
    ap.add_argument(
        "--cli", type=int, default=10, help="single names timed through the command (0 to skip)"
    )
    ap.add_argument(
        "--min-entities",
        type=int,
        default=FOUR_LISTS_MIN_ENTITIES,
        help="stop unless the index holds at least this many entities",
    )
    args = ap.parse_args()
    store = make_store(args)
    import psutil  # the bench extra; imported once the inputs are known to be there

    proc = psutil.Process()
    cache_tmp = tempfile.TemporaryDirectory(prefix="dprkwatch-cache-")
    cache_dir = Path(cache_tmp.name)
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start",
        file=sys.stderr,
    )

    # 1. build, cold, in a fresh process (nothing cached, memory measured
    #    alone); it also writes the index cache. Then a fresh process that
    #    starts from that cache (what every later command does), then a warm
    #    start here.
    def fresh_process() -> list[float]:
        run = subprocess.run(
            [sys.executable, __file__, "--cold-build", str(store.home), str(cache_dir)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return [float(x) for x in run.stdout.split()]

    if args.builds:
        return cold_builds(fresh_process, cache_dir, args.builds)
    build_wall, build_cpu, rss_built, cold_peak, analyser_cpu, cache_done, writer_cpu = (
        fresh_process()
    )
    build_load = load()
    start_wall, start_cpu, rss_started, _peak, _a, _c, _w = fresh_process()
    start_load = load()
    w0, c0 = time.perf_counter(), time.process_time()
    screener = Screener.from_snapshots(store.active(), cache_dir=cache_dir)
    warm_wall, warm_cpu = time.perf_counter() - w0, time.process_time() - c0
    rss_warm = proc.memory_info().rss
    entities = len(screener)
    require_entities(entities, args.min_entities, str(store.home))

    # 3. single-query latency over distinct queries (after a warm-up set).
    queries = make_queries(screener, args.data, args.queries + 500, args.seed)
    require_count("latency queries made", queries, args.queries + 500)
    for q in queries[:500]:
        screener.screen(q)
    lat: list[float] = []
    c0 = time.process_time()
    for q in queries[500:]:
        t0 = time.perf_counter()
        screener.screen(q)
        lat.append(time.perf_counter() - t0)
    cpu_per_query = (time.process_time() - c0) / len(lat)
    lat_load = load()
    lat.sort()
    p50 = lat[len(lat) // 2]
    p99 = lat[int(len(lat) * 0.99)]

    # 4. batch throughput with forked workers, fresh queries in every run
    #    (no warm caches of the run before); CPU of the whole tree per run.
    batches: list[list[Query]] = []
    rates: list[float] = []
    batch_cpu: list[float] = []
    for run in range(args.runs):
        batch = make_queries(screener, args.data, args.batch, args.seed + 1 + run)
        require_count("batch queries made", batch, args.batch)
        batches.append(batch)
        w0, c0 = time.perf_counter(), tree_cpu()
        n = sum(1 for _ in screen_queries(screener, batch, workers=args.workers))
        rates.append(n / (time.perf_counter() - w0))
        batch_cpu.append((tree_cpu() - c0) / max(n, 1))
        if n != len(batch):
            fail(f"batch: {n:,} answers for {len(batch):,} queries")
    batch_load = load()
    w0 = time.perf_counter()
    sum(1 for _ in screen_queries(screener, batches[0][: args.batch // 4], workers=1))
    single_wall = time.perf_counter() - w0
    rss_after = proc.memory_info().rss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    # 5. LogicV2 on the same kind of queries, brute force over the DPRK subset.
    v2_per_query = None
    if args.logic_v2:
        try:
            from followthemoney import ValueEntity
            from nomenklatura.matching import LogicV2
        except ImportError:
            print("nomenklatura not installed; skipping LogicV2", file=sys.stderr)
        else:
            targets = [
                ValueEntity.from_dict(data, cleaned=True)
                for rec in screener.index.records
                if rec.dprk and (data := screener.get(rec.id)) is not None
            ]
            config = LogicV2.default_config()
            sample = queries[500 : 500 + args.logic_v2]
            w0 = time.perf_counter()
            for q in sample:
                qe = ftm_entity(
                    q.schema if q.schema != "Thing" else "LegalEntity", dict(q.properties)
                )
                for e in targets:
                    if qe.schema.can_match(e.schema):
                        LogicV2.compare(qe, e, config)
            v2_per_query = (time.perf_counter() - w0) / len(sample)

    # 6. the command line, as users run it (new processes, warm index cache).
    cli_rows = command_line(store.home, queries[500 : 500 + args.cli], batches, args.workers)

    rows = [
        ("lists", ", ".join(f"{k} {v}" for k, v in screener.versions.items()), ""),
        ("entities indexed", f"{entities:,}", "about 28,000"),
        (
            "index build from snapshots, cold, fresh process: ready (wall / CPU of the process "
            "+ forked analyser)",
            f"{build_wall:.2f} s / {build_cpu:.2f} s + {analyser_cpu:.2f} s ({build_load})",
            "≤ 2 s",
        ),
        (
            "index cache file complete (written in line, or by a forked writer: its CPU)",
            f"{cache_done:.2f} s ({writer_cpu:.2f} s)",
            "",
        ),
        (
            "index start from the cache, fresh process: ready (wall / CPU)",
            f"{start_wall:.2f} s / {start_cpu:.2f} s ({start_load})",
            "≤ 2 s",
        ),
        (
            "index start from the cache, in this process (wall / CPU)",
            f"{warm_wall:.2f} s / {warm_cpu:.2f} s",
            "",
        ),
        (
            "resident memory, cold build: after / peak; fresh start from the cache",
            f"{mb(rss_built)} / {mb(cold_peak)}; {mb(rss_started)}",
            "≤ 500 MB",
        ),
        (
            "resident memory, warm start: after start / after all queries / peak",
            f"{mb(rss_warm)} / {mb(rss_after)} / {mb(peak)}",
            "≤ 500 MB",
        ),
        ("single query p50 (wall)", f"{1000 * p50:.2f} ms ({lat_load})", "≤ 0.5 ms"),
        ("single query p99 (wall)", f"{1000 * p99:.2f} ms ({lat_load})", "≤ 3 ms"),
        ("single query mean CPU", f"{1000 * cpu_per_query:.2f} ms ({lat_load})", ""),
        (
            f"batch throughput, {args.workers} workers, {args.runs} runs (each run; lowest)",
            f"{', '.join(f'{r:,.0f}' for r in rates)} queries/s; lowest {min(rates):,.0f} "
            f"({args.batch:,} queries a run; {batch_load})",
            "≥ 10,000 /s in every run",
        ),
        (
            "batch CPU per query, whole process tree (each run; the most)",
            f"{', '.join(f'{1000 * c:.2f}' for c in batch_cpu)} ms; "
            f"at most {args.workers / max(batch_cpu):,.0f} queries/s on {args.workers} idle cores",
            "≤ 0.2 ms (10,000 /s on 2 cores)",
        ),
        ("batch throughput, 1 process", f"{(args.batch // 4) / single_wall:,.0f} queries/s", ""),
    ]
    if v2_per_query is not None:
        rows.append(
            ("LogicV2 per query (brute force, DPRK subset)", f"{1000 * v2_per_query:.1f} ms", "")
        )
        rows.append(("speed ratio LogicV2 / ours (p50)", f"{v2_per_query / p50:,.0f}×", ""))
    rows += cli_rows
    cache_tmp.cleanup()
    print("| measure | result | target |\n|---|---|---|")
    for label, value, target in rows:
        print(f"| {label} | {value} | {target} |")
    print(
        f"\nload average at end {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; median of one run."
    )
    print(
        f"latency spread: p10 {1000 * lat[len(lat) // 10]:.2f} ms, p90 "
        f"{1000 * lat[9 * len(lat) // 10]:.2f} ms, mean "
        f"{1000 * statistics.fmean(lat):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
