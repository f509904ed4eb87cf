"""The listing cache: read once per snapshot version, never trusted when damaged."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dprkwatch.forking import fork_is_safe
from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.resolution import ResolutionStore, listing_cache, run
from dprkwatch.resolution.listing_cache import cache_path, prune, read_active
from dprkwatch.resolution.records import read_snapshot
from tests.resolution.factory import RI_SU_YONG, write_lists


def test_cached_listings_equal_those_read_from_the_snapshot(tmp_path: Path) -> None:
    write_lists(tmp_path)
    snapshots = SnapshotStore(tmp_path).active()
    folder = tmp_path / "cache"
    first, hits = read_active(snapshots, folder)
    assert not any(hits.values())
    again, hits = read_active(snapshots, folder)
    assert all(hits.values())
    assert again == first
    direct = {rec.id: rec for snap in snapshots.values() for rec in read_snapshot(snap)}
    assert again == direct


def test_a_damaged_cache_file_is_read_again_from_the_snapshot(tmp_path: Path) -> None:
    write_lists(tmp_path)
    snapshots = SnapshotStore(tmp_path).active()
    folder = tmp_path / "cache"
    first, _ = read_active(snapshots, folder)
    for snap in snapshots.values():
        cache_path(folder, snap).write_bytes(b"\x00not a cache file")
    again, hits = read_active(snapshots, folder)
    assert not any(hits.values())
    assert again == first


def test_files_of_snapshots_no_longer_stored_are_pruned(tmp_path: Path) -> None:
    write_lists(tmp_path)
    lists = SnapshotStore(tmp_path)
    folder = tmp_path / "cache"
    read_active(lists.active(), folder)
    stale = folder / "listings-un-1999-01-01-0000-abc.marshal"
    stale.write_bytes(b"")
    prune(folder, lists.root)
    assert not stale.exists()
    assert len(list(folder.iterdir())) == len(lists.active())


def test_a_re_run_with_nothing_changed_loads_no_screening_index(tmp_path: Path) -> None:
    write_lists(tmp_path)
    first = run(tmp_path, workers=1)
    assert first.stats["index_loaded"] is True
    again = run(tmp_path, workers=1)
    assert again.stats["index_loaded"] is False
    assert again.stats["compared"] == 0
    assert sorted(again.stats["listings_cached"]) == sorted(RI_SU_YONG)
    assert again.listings == first.listings
    assert ResolutionStore(tmp_path).load().listings == first.listings


def test_lists_read_by_a_forked_child_while_the_index_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not fork_is_safe():
        # Threads left by earlier tests (a server, a pool) make forking unsafe
        # here, and the reader would then never fork: run this test alone in a
        # fresh interpreter instead, so that the forked path is always tested.
        _run_alone_in_a_fresh_process("test_lists_read_by_a_forked_child_while_the_index_is_built")
        return
    write_lists(tmp_path)
    alone = run(tmp_path, workers=1, full=True)
    for path in (tmp_path / "resolution" / "cache").iterdir():
        path.unlink()
    monkeypatch.setattr(listing_cache, "BACKGROUND_MIN_BYTES", 0)
    snapshots = SnapshotStore(tmp_path).active()
    pending = listing_cache.read_soon(snapshots, tmp_path / "resolution" / "cache")
    assert pending.forked
    listings, hits = pending.result()
    assert not any(hits.values())  # the child read them
    assert listings == read_active(snapshots)[0]
    for path in (tmp_path / "resolution" / "cache").iterdir():
        path.unlink()
    forked = run(tmp_path, full=True)
    assert forked.stats["seconds"].get("index", 0) > 0
    assert forked.listings == alone.listings and forked.targets == alone.targets
    assert forked.stats["listings_cached"] == []


def _run_alone_in_a_fresh_process(test_name: str) -> None:
    """Run one test of this file in a new pytest process; skip where it cannot fork at all."""
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        pytest.skip("this platform does not fork readers (no fork, or a single CPU)")
    root = Path(__file__).resolve().parents[2]
    outcome = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).resolve()}::{test_name}",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert outcome.returncode == 0, outcome.stdout[-3000:] + outcome.stderr[-2000:]
    assert "1 passed" in outcome.stdout, outcome.stdout[-3000:]


def test_a_failed_reader_child_leaves_the_reading_to_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_lists(tmp_path)
    monkeypatch.setattr(listing_cache, "BACKGROUND_MIN_BYTES", 0)
    monkeypatch.setattr(listing_cache, "_fill", lambda *_: os._exit(3))
    snapshots = SnapshotStore(tmp_path).active()
    pending = listing_cache.read_soon(snapshots, tmp_path / "cache")
    listings, hits = pending.result()
    assert listings == read_active(snapshots)[0] and not any(hits.values())
