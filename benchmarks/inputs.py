"""Input checks for the benchmarks: an empty or short input stops the run.

A benchmark that finds no lists, or fewer queries than it was asked to
time, would otherwise print latency and throughput figures that look like
targets met ("entities indexed 0" beside a fine p50). Every check here
ends the process with exit code 2 and one line naming what is missing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sized
from pathlib import Path

from dprkwatch.lists import SnapshotStore

# All four lists loaded index about 28,000 entities; a run over far fewer
# measures something else.
FOUR_LISTS_MIN_ENTITIES = 20_000


def fail(message: str) -> None:
    """Stop the benchmark with one line on stderr and exit code 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def require_lists(store: SnapshotStore) -> None:
    """The data directory has at least one active list."""
    if not store.active_versions():
        fail(f"no lists are active in {store.home} (import them first, or omit --data-dir)")


def require_store(store: SnapshotStore, minimum: int) -> None:
    """Active lists holding at least ``minimum`` entities between them (by their manifests)."""
    require_lists(store)
    listed = sum(int(snap.manifest.counts.get("entities", 0)) for snap in store.active().values())
    require_entities(listed, minimum, str(store.home))


def require_entities(indexed: int, minimum: int, where: str) -> None:
    """The index holds at least ``minimum`` entities (``--min-entities 0`` to allow any)."""
    if indexed == 0 or indexed < minimum:
        fail(
            f"{where}: {indexed:,} entities indexed, expected at least {minimum:,} "
            "(load OFAC, UN, EU and UK, or pass a lower --min-entities)"
        )


def require_count(what: str, items: Sized, expected: int) -> None:
    """``items`` has at least ``expected`` members (and is never empty)."""
    if len(items) == 0 or len(items) < expected:
        fail(f"{what}: {len(items):,}, expected at least {expected:,}")


def require_file(path: Path) -> Path:
    """A data file the benchmark reads exists and is not empty."""
    if not path.is_file() or path.stat().st_size == 0:
        fail(f"{path}: missing or empty (see SOURCES.md of the shared data)")
    return path


def add_min_entities(ap: argparse.ArgumentParser) -> None:
    """The ``--min-entities`` option of the scripts that need the four real lists loaded."""
    ap.add_argument(
        "--min-entities",
        type=int,
        default=FOUR_LISTS_MIN_ENTITIES,
        help="stop unless the lists hold at least this many entities",
    )


def add_shared_data(ap: argparse.ArgumentParser) -> None:
    """The ``--data`` option: the shared real-data folder beside the repository."""
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )


def run_worker(worker: Callable[..., None]) -> bool:
    """Serve ``--worker DATA_DIR DATA N N N [N ...]``, the form a script re-invokes itself in.

    True when this process was such a worker (the caller then returns),
    so each fresh measuring process runs the same code as its parent.
    """
    if len(sys.argv) >= 7 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]), Path(sys.argv[3]), *map(int, sys.argv[4:]))
        return True
    return False
