"""Screening with resolution on (one hit per target) against off (one per listing), paired.

    python benchmarks/resolution_screening.py --data-dir DIR [--queries 3000] [--rounds 3]
        [--cli-runs 5] [--requests 400]

``DIR`` holds the four real lists imported and resolved (``dprkwatch lists
import ...`` then ``dprkwatch resolve run``). The target is that screening
latency does not change with resolution on. Three ways, each alternating
the two modes so that a machine getting busier affects both alike:

1. **In process**, the speed benchmark's queries (``screening_cpu.py``'s
   mix: yente's synthetic people, list names, some with a letter dropped),
   500 untimed then ``--queries`` timed, each query screened both ways in
   turn (which goes first alternates): per listing as ``dprkwatch screen
   --per-listing`` does (``Screener.screen``, hits as dicts), by target as
   ``dprkwatch screen`` does (``screen_by_target`` and ``group`` over the
   target index). CPU per query and wall p50/p99 of each, per round, each
   round a fresh process.
2. **The command line**: ``dprkwatch screen NAME --json`` and the same with
   ``--per-listing``, ``--cli-runs`` fresh processes each, alternating;
   wall time and CPU (user + system of the process and its children).
3. **The service**: ``dprkwatch serve`` over ``DIR`` (one worker, loopback),
   ``POST /match/default`` against ``?per_listing=true``, one query per
   request, in alternating blocks of 25 requests on one connection; latency
   p50/p99 per mode and the server's CPU per request.

Every difference is given with its noise: the spread (lowest to highest)
of the by-target minus per-listing difference over the rounds (in process
and service blocks) or over the runs (command line). The run stops with an
error when the lists are empty or smaller than the four real ones, when no
resolution has been run in ``DIR``, or when no query's hits were grouped
(resolution not in use). Screening writes audit records into ``DIR`` (as
the CLI and the service always do).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
TOP = 5
BLOCK = 25


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


def worker(home: Path, data: Path, n: int, seed: int, minimum: int) -> None:
    """Child process: each query both ways in turn; prints one JSON line of figures."""
    from dprkwatch.lists import SnapshotStore
    from dprkwatch.matching import Screener
    from dprkwatch.resolution.hits import group, load_targets, screen_by_target
    from screening_speed import make_queries

    screener = Screener.from_store(SnapshotStore(home))
    require_entities(len(screener), minimum, str(home))
    loaded = load_targets(home)
    if loaded is None:
        fail(f"{home}: no usable target index (run `dprkwatch resolve run` first)")
    targets = loaded
    assert targets is not None
    queries = make_queries(screener, data, WARM + n, seed)
    require_count("queries made", queries, WARM + n)

    def off(q: Any) -> list[dict[str, Any]]:
        return [m.to_dict() for m in screener.screen(q, top=TOP)]

    def on(q: Any) -> tuple[list[dict[str, Any]], int]:
        results, asked = screen_by_target(screener, q, targets, top=TOP)
        return group(results, targets, TOP), asked

    for q in queries[:WARM]:
        off(q)
        on(q)
    wall: dict[str, list[float]] = {"off": [], "on": []}
    cpu = {"off": 0.0, "on": 0.0}
    widened = folded = 0
    for i, q in enumerate(queries[WARM:]):
        for mode in ("on", "off") if i % 2 == 0 else ("off", "on"):
            c0, t0 = time.process_time(), time.perf_counter()
            if mode == "on":
                hits, asked = on(q)
            else:
                rows = off(q)
            wall[mode].append(time.perf_counter() - t0)
            cpu[mode] += time.process_time() - c0
        widened += asked > TOP
        folded += any(len(h["matched"]) > 1 for h in hits) or len(hits) < len(rows)
    out: dict[str, Any] = {
        mode: {
            "cpu_ms": 1000 * cpu[mode] / n,
            "p50_ms": 1000 * _pct(wall[mode], 0.5),
            "p99_ms": 1000 * _pct(wall[mode], 0.99),
        }
        for mode in wall
    }
    out["widened"] = widened
    out["folded"] = folded
    print(json.dumps(out))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def spread(diffs: list[float], unit: str, fmt: str = ".3f") -> str:
    """The median difference and its range over the rounds or runs."""
    return (
        f"{statistics.median(diffs):+{fmt}} {unit} "
        f"(range {min(diffs):+{fmt}} to {max(diffs):+{fmt}})"
    )


def in_process(args: argparse.Namespace) -> None:
    argv = [
        sys.executable, __file__, "--worker", str(args.data_dir), str(args.data),
        str(args.queries), str(args.seed), str(args.min_entities),
    ]  # fmt: skip
    rounds: list[dict[str, Any]] = []
    for r in range(args.rounds):
        before = load()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            fail(f"in-process round {r + 1} exited {done.returncode}: {done.stderr[-400:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rounds.append(figures)
        print(
            f"round {r + 1}: CPU per query off {figures['off']['cpu_ms']:.3f} ms, "
            f"on {figures['on']['cpu_ms']:.3f} ms; load {before}",
            file=sys.stderr,
        )
    if not any(f["folded"] for f in rounds):
        fail("no query's hits were grouped by target: is resolution in use in this directory?")
    print(f"\nIn process, {args.queries:,} queries x {args.rounds} rounds (medians of rounds):\n")
    print("| figure | per listing | by target | by target - per listing (range over rounds) |")
    print("|---|---|---|---|")
    for key, label in (("cpu_ms", "CPU per query"), ("p50_ms", "p50 wall"), ("p99_ms", "p99 wall")):
        off = statistics.median(f["off"][key] for f in rounds)
        on = statistics.median(f["on"][key] for f in rounds)
        diffs = [f["on"][key] - f["off"][key] for f in rounds]
        print(f"| {label} | {off:.3f} ms | {on:.3f} ms | {spread(diffs, 'ms')} |")
    f0 = rounds[0]
    print(
        f"(queries asked again for {4 * TOP} candidates: {f0['widened']} of {args.queries}; "
        f"queries whose hits were folded: {f0['folded']})"
    )


def cli(args: argparse.Namespace) -> None:
    exe = Path(sys.executable).with_name("dprkwatch")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "dprkwatch"]
    figures: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
    loads = []
    for i in range(args.cli_runs):
        for mode in ("on", "off") if i % 2 == 0 else ("off", "on"):
            extra = ["--per-listing"] if mode == "off" else []
            loads.append(os.getloadavg()[0])
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(
                [*command, "--data-dir", str(args.data_dir), "screen", args.name, "--json", *extra],
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                fail(f"dprkwatch screen ({mode}) exited {done.returncode}: {done.stderr[-400:]}")
            hits = json.loads(done.stdout)
            require_count(f"hits for {args.name!r}", hits, 1)
            grouped = any(h.get("target_id") for h in hits)
            if grouped != (mode == "on"):
                fail(f"dprkwatch screen ({mode}): hits {'' if grouped else 'not '}grouped")
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            figures[mode].append((wall, cpu))
    print(
        f"\nCommand line, `dprkwatch screen {args.name} --json`, {args.cli_runs} fresh processes "
        f"each (load {min(loads):.2f}-{max(loads):.2f}):\n"
    )
    print("| figure | per listing | by target | by target - per listing (range over runs) |")
    print("|---|---|---|---|")
    for k, label in ((0, "wall"), (1, "CPU")):
        off = statistics.median(x[k] for x in figures["off"])
        on = statistics.median(x[k] for x in figures["on"])
        diffs = [a[k] - b[k] for a, b in zip(figures["on"], figures["off"], strict=True)]
        print(f"| {label} | {off:.3f} s | {on:.3f} s | {spread(diffs, 's')} |")


def service(args: argparse.Namespace) -> None:
    import httpx

    from service_load import query_names, server_env, serving, tree_usage

    names = query_names(args.data_dir, args.requests, args.seed, min_listed=10_000)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(args.data_dir, Path(tmp), 1, server_env(None)) as (url, admin, pid),
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        r = client.post(
            "/keys",
            json={"name": "resolution-screening", "roles": ["screen"]},
            headers={"Authorization": f"ApiKey {admin}"},
        )
        r.raise_for_status()
        client.headers["Authorization"] = f"ApiKey {r.json()['key']}"
        paths = {"on": "/match/default", "off": "/match/default?per_listing=true"}

        def ask(mode: str, schema: str, name: str) -> tuple[float, dict[str, Any]]:
            body = {"queries": {"q": {"schema": schema, "properties": {"name": [name]}}}}
            t0 = time.perf_counter()
            resp = client.post(paths[mode], json=body)
            wall = time.perf_counter() - t0
            if resp.status_code != 200:
                fail(f"/match ({mode}) answered {resp.status_code}: {resp.text[:300]}")
            return wall, resp.json()["responses"]["q"]

        for schema, name in names[:50]:  # untimed: warm both paths
            ask("on", schema, name)
            ask("off", schema, name)
        lat: dict[str, list[float]] = {"off": [], "on": []}
        block_cpu: dict[str, list[float]] = {"off": [], "on": []}
        grouped = 0
        loads = []
        blocks = [names[i : i + BLOCK] for i in range(0, len(names), BLOCK)]
        for b, block in enumerate(blocks):
            loads.append(os.getloadavg()[0])
            for mode in ("on", "off") if b % 2 == 0 else ("off", "on"):
                c0 = tree_usage(pid)[1]
                for schema, name in block:
                    wall, answer = ask(mode, schema, name)
                    lat[mode].append(wall)
                    if mode == "on":
                        grouped += any(x.get("target_id") for x in answer["results"])
                block_cpu[mode].append(1000 * (tree_usage(pid)[1] - c0) / len(block))
    if not grouped:
        fail("/match grouped no result by target: is resolution in use in this directory?")
    print(
        f"\nService, `POST /match/default` one query per request, {len(names)} requests each "
        f"way in alternating blocks of {BLOCK} (load {min(loads):.2f}-{max(loads):.2f}; "
        f"{grouped} grouped answers named a target):\n"
    )
    print("| figure | per listing | by target | by target - per listing (range over blocks) |")
    print("|---|---|---|---|")
    for label, p in (("p50 latency", 0.5), ("p99 latency", 0.99)):
        off, on = 1000 * _pct(lat["off"], p), 1000 * _pct(lat["on"], p)
        print(f"| {label} | {off:.2f} ms | {on:.2f} ms | {on - off:+.2f} ms |")
    diffs = [a - b for a, b in zip(block_cpu["on"], block_cpu["off"], strict=True)]
    off = statistics.median(block_cpu["off"])
    on = statistics.median(block_cpu["on"])
    print(f"| server CPU per request | {off:.2f} ms | {on:.2f} ms | {spread(diffs, 'ms', '.2f')} |")


def main() -> int:
    if run_worker(worker):
        return 0
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data-dir", type=Path, required=True, help="lists imported and resolved")
    add_shared_data(ap)
    ap.add_argument("--queries", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cli-runs", type=int, default=5)
    ap.add_argument("--name", default="리수용", help="the name the command line screens")
    ap.add_argument("--requests", type=int, default=400, help="/match requests each way")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--only", choices=("process", "cli", "service"), action="append", help="run only these"
    )
    add_min_entities(ap)
    args = ap.parse_args()
    if args.rounds < 1 or args.queries < 1 or args.cli_runs < 1 or args.requests < BLOCK:
        fail(f"--rounds, --queries and --cli-runs must be at least 1, --requests {BLOCK}")
    from dprkwatch.lists import SnapshotStore
    from dprkwatch.resolution.hits import index_path
    from dprkwatch.resolution.store import ResolutionStore

    require_store(SnapshotStore(args.data_dir), args.min_entities)
    if not ResolutionStore(args.data_dir).exists() or not index_path(args.data_dir).is_file():
        fail(f"{args.data_dir}: no resolution here (run `dprkwatch resolve run` first)")
    only = set(args.only or ("process", "cli", "service"))
    print(f"load average at start {load()} on {os.cpu_count()} CPUs")
    if "process" in only:
        in_process(args)
    if "cli" in only:
        cli(args)
    if "service" in only:
        service(args)
    print(f"\nload average at end {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
