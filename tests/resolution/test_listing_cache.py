"""The listing cache: read once per snapshot version, never trusted when damaged."""

from __future__ import annotations

from pathlib import Path

from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.resolution import ResolutionStore, run
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
