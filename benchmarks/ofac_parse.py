"""Benchmark: parse the real OFAC legacy CSV sets into FollowTheMoney entities.

Target (issue 2): the 15k-record SDN list of 2024-05-03 well under 2 s on
one core (the whole four-list import has its own benchmark,
``lists_import.py``). Reported per set: the median, min and max of
``--runs`` warm parses in one process (wall clock, and CPU time, which
varies less on a shared machine), plus one cold parse in a fresh
process (which also pays for loading FtM's model and country tables), and,
for the SDN 2024 file, how the time splits between reading the CSV and the
Remarks grammar.

    python benchmarks/ofac_parse.py [--data ../shared/data] [--runs 5] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dprkwatch.lists import parse
from dprkwatch.lists.importers.ofac.legacy import REMARKS
from dprkwatch.lists.importers.ofac.legacy_rows import MAIN_COLUMNS, read_rows
from dprkwatch.lists.importers.ofac.remarks import REMARKS_LIMIT, parse_remarks

SETS = (
    "ofac/sdn_2024-05-03",
    "ofac/sdn_2021-07_set",
    "ofac/sdn_2019-01_set",
    "ofac/consolidated_nonsdn_2025-12",
)


def timed(fn: Callable[..., object], *args: object) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def timed_both(fn: Callable[..., object], *args: object) -> tuple[float, float]:
    """Wall and CPU seconds: on a shared machine the CPU time is the steadier figure."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - w0, time.process_time() - c0


def cold(path: Path) -> float:
    """One parse in a fresh interpreter: imports are excluded, first-use costs are not."""
    code = (
        "import time, sys; from pathlib import Path; from dprkwatch.lists import parse; "
        "t = time.perf_counter(); parse(Path(sys.argv[1])); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def split_2024(path: Path, runs: int) -> dict[str, float]:
    """Median seconds for reading sdn.csv and for the Remarks grammar alone."""
    sdn = path / "sdn.csv"
    read = [timed(read_rows, sdn, MAIN_COLUMNS) for _ in range(runs)]
    rows, _ = read_rows(sdn, MAIN_COLUMNS, raw=REMARKS)
    texts = [r[11] for r in rows if r[11]]

    def grammar() -> None:
        for text in texts:
            parse_remarks(text, truncated=len(text) >= REMARKS_LIMIT)

    gram = [timed(grammar) for _ in range(runs)]
    return {"read_csv": statistics.median(read), "remarks_grammar": statistics.median(gram)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    paths = [args.data / s for s in SETS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"missing input folders: {', '.join(missing)}", file=sys.stderr)
        return 2

    results = []
    for path in paths:
        cold_s = cold(path)
        both = [timed_both(parse, path) for _ in range(args.runs)]
        warm = [w for w, _ in both]
        cpu = [c for _, c in both]
        version, _ = parse(path)
        results.append(
            {
                "set": path.name,
                "records": sum(1 for _ in version.subjects()),
                "entities": len(version.entities),
                "cold_s": round(cold_s, 3),
                "median_s": round(statistics.median(warm), 3),
                "min_s": round(min(warm), 3),
                "max_s": round(max(warm), 3),
                "cpu_median_s": round(statistics.median(cpu), 3),
            }
        )
    split = {k: round(v, 3) for k, v in split_2024(paths[0], args.runs).items()}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.markdown:
        print(
            "| set | records | FtM entities | cold (s) | warm median (s) | min | max | warm CPU median (s) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(
                f"| {r['set']} | {r['records']:,} | {r['entities']:,} | {r['cold_s']} | "
                f"{r['median_s']} | {r['min_s']} | {r['max_s']} | {r['cpu_median_s']} |"
            )
        print()
        print(
            f"SDN 2024-05-03 parts (median): read CSV {split['read_csv']} s, "
            f"Remarks grammar {split['remarks_grammar']} s. Peak RSS {peak_mb:.0f} MiB."
        )
    else:
        print(
            json.dumps(
                {"sets": results, "sdn_2024_parts": split, "peak_rss_mib": round(peak_mb)}, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
