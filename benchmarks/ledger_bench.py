"""Benchmark: the ledger's interactive commands on the real data.

Targets (issue 5; set for interactive use on 2 cores):

* validate the curated ledger (12 files, ~360 records)       < 1 s
* import the CNS, CSIS and OFAC first-seen files             < 2 s
* gather (ledger + events + list history), then the pressure
  index 2016 to date                                         < 5 s
* evaluate every claim, arsenal model included               < 5 s

The lists are imported once into a temporary data directory before timing
(UN 2021 and 2026, OFAC 2019/2021/2024, EU), unless ``--home`` points at a
data directory that already has them. Each step runs ``--runs`` times; the
median, min and max wall-clock seconds are reported, with the load average.

    python benchmarks/ledger_bench.py [--shared ../shared/data] [--home DIR] [--runs 5] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dprkwatch.arsenal import load_model
from dprkwatch.ledger import check_ledger, evaluate_all, gather
from dprkwatch.ledger.ingest import import_events
from dprkwatch.lists import SnapshotStore, import_paths

LIST_FILES = (
    "un/history/un_consolidated_2021-01-27.xml",
    "un/un_consolidated_2026-02-27.xml",
    "ofac/sdn_2019-01_set",
    "ofac/sdn_2021-07_set",
    "ofac/sdn_2024-05-03",
    "eu/eu_fsf_ammitto_2026-05-01.yaml",
)
EVENT_FILES = ("dprk", "ofac/derived/sdn_entry_lifetimes_2021-08_2024-05.csv")
TARGETS = {"validate": 1.0, "import events": 2.0, "gather + pressure": 5.0, "claims": 5.0}


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory() if args.home is None else None
    home = args.home or Path(tmp.name if tmp else ".")
    if tmp is not None:
        import_paths(SnapshotStore(home), [args.shared / p for p in LIST_FILES])
    event_paths = [args.shared / p for p in EVENT_FILES]
    if not all(p.exists() for p in event_paths):
        raise SystemExit(
            f"benchmark input missing: {[str(p) for p in event_paths if not p.exists()]}"
        )

    def do_import() -> None:
        report = import_events(home, event_paths)
        if not report.datasets:
            raise SystemExit("benchmark input empty: no event dataset imported")

    def do_pressure() -> None:
        gather(home).pressure(date(2016, 1, 1), date.today())

    inputs = None

    def do_claims() -> None:
        nonlocal inputs
        inputs = inputs or gather(home)
        evaluate_all(inputs.ledger, inputs, today=date.today(), arsenal=load_model)

    results = {
        "validate": timed(lambda: check_ledger(), args.runs),
        "import events": timed(do_import, args.runs),
        "gather + pressure": timed(do_pressure, args.runs),
        "claims": timed(do_claims, args.runs),
    }
    load = os.getloadavg()
    if args.markdown:
        print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.runs} runs\n")
        print("| step | target (s) | median (s) | min | max | met |")
        print("|---|---:|---:|---:|---:|---|")
        for name, times in results.items():
            med = statistics.median(times)
            print(
                f"| {name} | {TARGETS[name]:g} | {med:.3f} | {min(times):.3f} | "
                f"{max(times):.3f} | {'yes' if med < TARGETS[name] else 'NO'} |"
            )
    else:
        for name, times in results.items():
            print(
                f"{name:20s} median {statistics.median(times):.3f}s  min "
                f"{min(times):.3f}  max {max(times):.3f}  target {TARGETS[name]:g}s"
            )
        print(f"load average: {load}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
