"""Benchmark: import OFAC 2024-05-03 + UN + EU + UK, then open the active snapshots.

Targets (issue 2): the import in under 10 s on 2 cores; opening the active
snapshots for screening in under 1 s. Each measurement runs in a fresh data
directory; the median of ``--runs`` is reported, with min and max.

    python benchmarks/lists_import.py [--data ../shared/data] [--runs 3] [--markdown]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dprkwatch.lists import SnapshotStore, import_paths, parse

FILES = (
    "ofac/sdn_2024-05-03/sdn.csv",
    "un/un_consolidated_2026-02-27.xml",
    "eu/eu_fsf_ammitto_2026-05-01.yaml",
    "uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml",
)


def open_active(home: Path) -> int:
    """Read every active snapshot as the screening index does; returns entity count."""
    n = 0
    for snap in SnapshotStore(home).active().values():
        for _ in snap.iter_dicts():
            n += 1
        snap.names()
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    paths = [args.data / f for f in FILES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"missing input files: {', '.join(missing)}", file=sys.stderr)
        return 2

    per_file: dict[str, list[float]] = {p.name: [] for p in paths}
    imports: list[float] = []
    opens: list[float] = []
    entities = 0
    for _ in range(args.runs):
        for p in paths:
            t0 = time.perf_counter()
            parse(p)
            per_file[p.name].append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            t0 = time.perf_counter()
            import_paths(SnapshotStore(home), paths)
            imports.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            entities = open_active(home)
            opens.append(time.perf_counter() - t0)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def fmt(xs: list[float]) -> str:
        return f"{statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"

    rows = [(f"parse {name}", fmt(xs)) for name, xs in per_file.items()]
    rows += [
        ("import all four + write snapshots + activate", fmt(imports) + "  target < 10 s"),
        (f"open active snapshots ({entities} FtM entities)", fmt(opens) + "  target < 1 s"),
        ("peak RSS of the benchmark process", f"{rss_mb:.0f} MB"),
    ]
    if args.markdown:
        print("| step | median (min, max) |\n|---|---|")
        for k, v in rows:
            print(f"| {k} | {v} |")
    else:
        for k, v in rows:
            print(f"{k:55s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
