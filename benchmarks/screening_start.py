"""How fast a new process is ready to screen, paired against another checkout.

    python benchmarks/screening_start.py --data-dir DIR [--compare-src REF/src]
        [--rounds 5] [--name "KORYOO BANK"]

Every ``dprkwatch screen`` command, batch worker start and service worker
is a new process that loads the index of the active lists from its on-disk
cache (the cold build from the snapshots happens once per set of active
snapshots). This times, in fresh processes over the lists of ``DIR``:

* **ready**: Python start, ``import dprkwatch.matching`` and
  ``Screener.from_store`` (the index read from its cache), the process
  ending at once;
* **command**: ``dprkwatch screen NAME --json``, the whole command as a
  user runs it (imports, index, the screening, the audit record, output).

Each figure is the wall time and the CPU (user + system) of the whole
process, measured from outside. With ``--compare-src`` (the ``src`` folder
of another checkout, e.g. ``git worktree add --detach ../ref <commit>``)
the other code is timed the same way and rounds alternate (A B, then B A)
so that a machine getting busier affects both alike; the summary gives the
medians of each and their ratio. Each side first runs one untimed command,
which writes its own index cache (the cache key includes a hash of the
matching code) and Python's bytecode cache (``PYTHONDONTWRITEBYTECODE`` is
dropped, as on a user's install). The load average is printed per round.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dprkwatch.lists import SnapshotStore
from inputs import add_min_entities, fail, require_store

READY = (
    "import sys; from pathlib import Path; from dprkwatch.lists import SnapshotStore; "
    "from dprkwatch.matching import Screener; "
    "s = Screener.from_store(SnapshotStore(Path(sys.argv[1]))); "
    "assert len(s) >= int(sys.argv[2]), len(s)"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process; it must succeed."""
    w0, c0 = time.perf_counter(), _children_cpu()
    run = subprocess.run(argv, capture_output=True, env=env, check=False)
    wall, cpu = time.perf_counter() - w0, _children_cpu() - c0
    if run.returncode != 0:
        fail(f"{' '.join(argv[:4])} ... exited {run.returncode}: {run.stderr.decode()[-300:]}")
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data-dir", type=Path, required=True, help="lists already imported")
    ap.add_argument("--compare-src", type=Path, default=None, help="src folder of other code")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--name", default="KORYOO BANK")
    add_min_entities(ap)
    args = ap.parse_args()
    if args.rounds < 1:
        fail("--rounds must be at least 1")
    store = SnapshotStore(args.data_dir)
    require_store(store, args.min_entities)
    here = Path(__file__).resolve().parents[1] / "src"
    sides = {"this": here}
    if args.compare_src is not None:
        if not (args.compare_src / "dprkwatch" / "__init__.py").is_file():
            fail(f"{args.compare_src}: not a src folder with the dprkwatch package")
        sides["ref"] = args.compare_src.resolve()
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = {side: {**base, "PYTHONPATH": str(src)} for side, src in sides.items()}
    py = sys.executable
    ready = [py, "-c", READY, str(store.home), str(args.min_entities)]
    command = [py, "-m", "dprkwatch", "--data-dir", str(store.home), "screen", args.name, "--json"]
    for side in sides:  # untimed: index cache and bytecode of each side
        timed(command, envs[side])
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    order = list(sides)
    for r in range(args.rounds):
        for side in order if r % 2 == 0 else order[::-1]:
            figures.setdefault((side, "ready"), []).append(timed(ready, envs[side]))
            figures.setdefault((side, "command"), []).append(timed(command, envs[side]))
        print(f"round {r + 1}: load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(f"| fresh process ({args.rounds} rounds, medians) | " + " | ".join(sides) + " |")
    print("|---|" + "---|" * len(sides))
    for what, label in (
        ("ready", "ready to screen: import + index from its cache"),
        ("command", f"`dprkwatch screen {args.name!r} --json`, whole command"),
    ):
        cells = []
        for side in sides:
            walls, cpus = zip(*figures[(side, what)], strict=True)
            cells.append(
                f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU"
            )
        print(f"| {label} | " + " | ".join(cells) + " |")
    if "ref" in sides:
        for what in ("ready", "command"):
            mine = statistics.median(c for _w, c in figures[("this", what)])
            ref = statistics.median(c for _w, c in figures[("ref", what)])
            print(f"CPU ratio this / ref, {what}: {mine / ref:.2f}")
    print(f"load average at end {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
