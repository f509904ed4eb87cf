"""Benchmark: CPU seconds of each step of ``maritime detect --input``, one step after the other.

``maritime_detect.py`` times the whole command against the reference. The
command overlaps reading with detection (a read-ahead thread), so the
wall seconds of its steps say little about what each step costs. This
script runs the same library calls in one fresh process, *without* the
overlap, and reports for every step the CPU seconds (user + system, all
threads, from ``getrusage``), the wall seconds and the page faults (fresh
memory touched; on a virtual machine each costs kernel time):

1. start-up: ``dprkwatch maritime --help`` as its own process (imports);
2. read: the Parquet file into complete days sorted by (mmsi, ts), every
   row checked (:class:`~dprkwatch.maritime.ingest.PositionReader`);
3. identity: the identity intervals of the static reports;
4. prepare: each day's tracks (previous positions, steps, segments, nearest ports);
5. detect: the six detectors on each day;
6. finish: runs stitched across days and judged;
7. events: identity events, transfer chains, finalised events, written as Parquet.

The load average is printed beside every figure. A file with fewer
positions than ``--positions`` x 0.95 fails the run.

    python benchmarks/maritime_steps.py --data FOLDER [--positions 20000000] [--runs 3]

``FOLDER`` holds ``positions.parquet`` and ``ports.csv`` as written by
``maritime_detect.py`` (its ``--out``/data folder); without ``--data`` the
same synthetic data are generated first.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DPRKWATCH = Path(sys.executable).with_name("dprkwatch")


def _usage(who: int) -> tuple[float, int]:
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime, u.ru_minflt


class Steps:
    """CPU seconds, wall seconds and page faults per named step, summed over calls."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.faults: dict[str, int] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        cpu0, flt0 = _usage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        out = fn()
        cpu1, flt1 = _usage(resource.RUSAGE_SELF)
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - t0
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu1 - cpu0
        self.faults[name] = self.faults.get(name, 0) + flt1 - flt0
        return out


def start_up(steps: Steps) -> None:
    cpu0, flt0 = _usage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(DPRKWATCH), "maritime", "--help"], capture_output=True, check=True)
    cpu1, flt1 = _usage(resource.RUSAGE_CHILDREN)
    steps.wall["start-up"] = time.perf_counter() - t0
    steps.cpu["start-up"] = cpu1 - cpu0
    steps.faults["start-up"] = flt1 - flt0


def one_run(data: Path, expected: int) -> tuple[Steps, int]:
    """Every step once over ``data``; the number of positions read."""
    import polars as pl

    from dprkwatch.maritime import schema
    from dprkwatch.maritime.detect import derive
    from dprkwatch.maritime.engines.base import RAW_EVENTS
    from dprkwatch.maritime.engines.embedded import (
        CARRY_SCHEMA,
        DAY_COLUMNS,
        Context,
        Segmenter,
        all_detectors,
    )
    from dprkwatch.maritime.events import finalise
    from dprkwatch.maritime.ingest import PositionReader
    from dprkwatch.maritime.ports import load_ports
    from dprkwatch.maritime.rules import Rules

    steps = Steps()
    start_up(steps)
    ports = load_ports(data / "ports.csv")
    rules = Rules()
    with tempfile.TemporaryDirectory() as work:
        reader = PositionReader(
            [data / "positions.parquet"], staging=Path(work), columns=DAY_COLUMNS
        )
        days = steps.run("read", lambda: [d.positions for d in reader.days()])
        identity = steps.run("identity", lambda: reader.identity)
        positions = sum(d.height for d in days)
        if positions < expected:
            raise SystemExit(f"only {positions:,} positions read; expected at least {expected:,}")
        ctx = Context.build(ports, rules)
        segmenter = Segmenter(ctx)
        detectors = all_detectors(ctx)
        parts: dict[str, list[pl.DataFrame]] = {d.name: [] for d in detectors}
        carry = pl.DataFrame(schema=CARRY_SCHEMA)
        while days:
            day = days.pop(0)
            track = steps.run("prepare", lambda: segmenter.prepare(day, carry))  # noqa: B023
            carry = steps.run("prepare", lambda: segmenter.carry(track, carry))  # noqa: B023
            for det in detectors:
                parts[det.name].append(steps.run("detect", lambda: det.detect(track)))  # noqa: B023
            del day, track
        raw = steps.run(
            "finish",
            lambda: pl.concat(
                [schema.conform(d.finish(parts[d.name]), RAW_EVENTS) for d in detectors]
            ),
        )

        def events() -> int:
            ev = finalise(derive(raw, identity, ports, rules), ports)
            ev.write_parquet(Path(work) / "events.parquet")
            return ev.height

        count = steps.run("events", events)
        if count == 0:
            raise SystemExit("no events detected: the data are not the benchmark's")
    return steps, positions


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, help="folder with positions.parquet and ports.csv")
    ap.add_argument("--positions", type=int, default=20_000_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=1, help="fresh processes; medians are printed")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "maritime", help="work folder")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data: Path = args.data or args.out / "data"
    expected = int(0.95 * args.positions)
    if args.child:
        # As the command does, before Polars is imported (see dprkwatch.cli.allocator).
        from dprkwatch.cli.allocator import keep_freed_pages

        keep_freed_pages()
        steps, positions = one_run(data, expected)
        import json

        print(
            json.dumps(
                {
                    "positions": positions,
                    "cpu": steps.cpu,
                    "wall": steps.wall,
                    "faults": steps.faults,
                }
            )
        )
        return
    if not (data / "positions.parquet").exists():
        from dprkwatch.maritime.synthetic import SynthConfig, generate
        from maritime_detect import POSITIONS_PER_VESSEL_DAY

        vessels = max(10, round(args.positions / (args.days * POSITIONS_PER_VESSEL_DAY)))
        generate(SynthConfig.scaled(vessels, args.days, seed=args.seed)).write(data)
    import json

    runs: list[dict[str, Any]] = []
    for i in range(args.runs):
        load = os.getloadavg()[0]
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--data",
                str(data),
                "--positions",
                str(args.positions),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"run {i + 1} failed: {out.stderr.strip()[-2000:]}")
        run = json.loads(out.stdout.strip().splitlines()[-1])
        run["load"] = (round(load, 2), round(os.getloadavg()[0], 2))
        runs.append(run)
        total = sum(run["cpu"].values())
        print(
            f"run {i + 1}: {run['positions']:,} positions, {total:.2f} CPU s in all steps "
            f"(load {run['load'][0]} -> {run['load'][1]})",
            flush=True,
        )
    print("\n| step | CPU s (median) | wall s (median) | page faults (median) |")
    print("|---|---:|---:|---:|")
    for name in runs[0]["cpu"]:
        cpu = statistics.median(r["cpu"][name] for r in runs)
        wall = statistics.median(r["wall"][name] for r in runs)
        faults = statistics.median(r["faults"][name] for r in runs)
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {faults:,.0f} |")
    cpu_all = statistics.median(sum(r["cpu"].values()) for r in runs)
    print(f"| **all steps** | **{cpu_all:.2f}** | | |")
    print("load average before -> after each run:", [r["load"] for r in runs])


if __name__ == "__main__":
    main()
