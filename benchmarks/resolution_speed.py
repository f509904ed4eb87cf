"""Benchmark: how long ``dprkwatch resolve run`` takes, the way users run it.

Every step is a fresh ``dprkwatch`` process in a temporary data directory:

1. ``lists import`` of every real list file except the newest UN list
   (untimed setup: the UN list then active is the previous one);
2. ``resolve run --full`` (the first resolution of all the lists);
3. ``resolve run`` with nothing changed;
4. ``lists import`` of the newest UN list (the list update; untimed);
5. ``resolve run`` after the update (incremental: only new or changed
   entries are screened). Repeated ``--repeat`` times, each from the state
   left by step 3 (the resolution folder is restored before each run).

Each figure is wall time with the CPU time of the process beside it, and the
load average before it (the machine may be shared: wall time on a loaded
machine overstates what an idle one takes, CPU time does not depend on the
load as much). A step that finds no lists, or fewer listings than expected,
fails the run.

    python benchmarks/resolution_speed.py [--data ../shared/data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dprkwatch.lists.seed import local_sources
from resolution_eval import add_data_option

HERE = Path(__file__).resolve().parent

MIN_LISTINGS = 20_000
TARGET_FULL = 30.0
TARGET_INCREMENTAL = 5.0


def load_average() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "?"


def cli(home: Path, *args: str) -> tuple[float, float, str]:
    """Run ``dprkwatch ARGS`` in a fresh process: wall seconds, CPU seconds, stdout."""
    exe = Path(sys.executable).with_name("dprkwatch")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "dprkwatch"]
    env = {**os.environ, "DPRKWATCH_HOME": str(home)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([*command, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"dprkwatch {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return wall, cpu, done.stdout


def timed_run(home: Path, *args: str) -> dict[str, Any]:
    load = load_average()
    wall, cpu, out = cli(home, "resolve", "run", "--json", *args)
    stats = json.loads(out)
    if stats["listings"] < MIN_LISTINGS:
        raise SystemExit(f"only {stats['listings']} listings resolved")
    return {"wall": wall, "cpu": cpu, "load": load, "stats": stats}


def describe(label: str, runs: list[dict[str, Any]], target: float) -> str:
    walls = [r["wall"] for r in runs]
    cpus = [r["cpu"] for r in runs]
    s = runs[0]["stats"]
    return (
        f"| {label} | {statistics.median(walls):.1f} s | {statistics.median(cpus):.1f} s | "
        f"{len(runs)} | {', '.join(r['load'] for r in runs)} | {s['changed']} changed, "
        f"{s['screened']} screened | {target:.0f} s |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_option(ap)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the incremental steps")
    ap.add_argument("--home", type=Path, default=None, help="data directory to use (emptied)")
    args = ap.parse_args()
    sources = [p for p in local_sources(args.data) if "truncated" not in p.name]
    update = sorted(p for p in sources if p.parent == args.data / "un")
    base = [p for p in sources if p not in update]
    if not update or len(base) < 4:
        print(f"{args.data}: the real lists are missing", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        shutil.rmtree(home, ignore_errors=True)
        cli(home, "lists", "import", *map(str, base))
        full = [timed_run(home, "--full")]
        unchanged = [timed_run(home) for _ in range(args.repeat)]
        saved = Path(tmp) / "resolution-before-update"
        shutil.copytree(home / "resolution", saved)
        cli(home, "lists", "import", *map(str, update))
        updated: list[dict[str, Any]] = []
        for _ in range(args.repeat):
            shutil.rmtree(home / "resolution")
            shutil.copytree(saved, home / "resolution")
            updated.append(timed_run(home))
    print(
        "| step | wall (median) | CPU (median) | runs | load average (1, 5, 15 min) "
        "| work | target |"
    )
    print("|---|---|---|---|---|---|---|")
    print(describe("full run, all lists", full, TARGET_FULL))
    print(describe("re-run, nothing changed", unchanged, TARGET_INCREMENTAL))
    print(describe(f"re-run after the {update[-1].name} update", updated, TARGET_INCREMENTAL))
    seconds = {k: r["stats"]["seconds"] for k, r in (("full", full[0]), ("update", updated[0]))}
    print(f"inner timings (seconds, first run of each): {json.dumps(seconds)}")
    ok = (
        statistics.median(r["wall"] for r in full) <= TARGET_FULL
        and statistics.median(r["wall"] for r in updated) <= TARGET_INCREMENTAL
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
