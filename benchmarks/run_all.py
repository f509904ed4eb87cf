"""Run every benchmark that has a target, one after the other, and print their tables.

    python benchmarks/run_all.py [--quick] [--only NAME ...]

Each benchmark is its own script (run it alone for its options); this runs
them in sequence on a machine that should otherwise be idle, since they
measure wall-clock time on 2 cores. ``--quick`` shortens the slow ones
(fewer runs, 5M instead of 20M AIS positions, no Spark). The accuracy
evaluation of the matcher (``matching_eval.py``, about 15 minutes with its
brute-force baselines) runs only when named with ``--only matching_eval``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (arguments, arguments with --quick)
SUITE: dict[str, tuple[list[str], list[str]]] = {
    "lists_import": (["--runs", "3", "--markdown"], ["--runs", "1", "--markdown"]),
    "screening_speed": ([], ["--queries", "2000", "--batch", "5000", "--logic-v2", "10"]),
    "service_load": ([], []),
    "arsenal_mc": (["--runs", "5", "--markdown"], ["--runs", "2", "--markdown"]),
    "roadmap_evaluate": (["--runs", "5", "--markdown"], ["--runs", "2", "--markdown"]),
    "maritime_detect": (
        ["--runs", "3", "--spark", "--markdown"],
        ["--positions", "5000000", "--runs", "1", "--markdown"],
    ),
    # reads the data maritime_detect wrote
    "maritime_steps": (["--runs", "3"], ["--positions", "5000000", "--runs", "1"]),
    "ledger_bench": (["--markdown"], ["--runs", "1", "--markdown"]),
    "web_workbench": (["--markdown"], ["--runs", "1", "--markdown"]),
}
ON_REQUEST = {
    "matching_eval": ([], []),
    # 1M subjects through both engines, a full re-screen and a delta: long; on an idle machine.
    "spark_screening": (["--markdown"], ["--subjects", "20000", "--markdown"]),
}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--only", nargs="*", default=None, help="benchmark names (script names without .py)"
    )
    args = ap.parse_args()
    chosen = {**SUITE, **ON_REQUEST} if args.only else SUITE
    names = args.only or list(SUITE)
    unknown = [n for n in names if n not in chosen]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join([*SUITE, *ON_REQUEST])}",
            file=sys.stderr,
        )
        return 2
    failed = []
    for name in names:
        full, quick = chosen[name]
        cmd = [sys.executable, str(HERE / f"{name}.py"), *(quick if args.quick else full)]
        print(f"\n## {name}\n", flush=True)
        started = time.perf_counter()
        rc = subprocess.run(cmd, check=False).returncode
        print(f"\n({name}: exit {rc}, {time.perf_counter() - started:.0f} s)", flush=True)
        if rc != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
