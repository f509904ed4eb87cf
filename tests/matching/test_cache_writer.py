"""The index cache of a large index is written by a forked child; small ones, or in threads, in line."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.context import ForkProcess

import pytest

from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Query, Screener
from dprkwatch.matching import cache as index_cache
from tests.matching.conftest import cache_files


def test_a_large_index_is_cached_by_a_child_and_complete_once_it_ends(
    store: SnapshotStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_cache, "BACKGROUND_MIN_NAMES", 1)
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    assert others == [], (
        "an earlier test left threads running; the writer only forks when there are none"
    )
    # Record the writer as it starts rather than asking active_children()
    # afterwards: that forgets a child that has already ended, as a small
    # index's writer may have.
    writers: list[multiprocessing.process.BaseProcess] = []
    start = ForkProcess.start

    def record(self: ForkProcess) -> None:
        if self._target is index_cache._save_quietly:  # type: ignore[attr-defined]
            writers.append(self)
        start(self)

    monkeypatch.setattr(ForkProcess, "start", record)
    built = Screener.from_store(store)
    assert len(writers) == 1, "one forked writer"
    writers[0].join(timeout=60)
    assert writers[0].exitcode == 0
    [path] = cache_files(store)
    assert index_cache.load(path) is not None, "a complete, readable cache"
    loaded = Screener.from_store(store)
    q = Query("Person", {"name": ["Lee Soo-yong"]})
    assert loaded.screen(q) == built.screen(q)
    assert loaded.index.postings == built.index.postings


def test_with_other_threads_running_the_cache_is_written_in_line(
    store: SnapshotStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_cache, "BACKGROUND_MIN_NAMES", 1)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        before = set(multiprocessing.active_children())
        Screener.from_store(store)
        assert set(multiprocessing.active_children()) == before, "no fork with threads running"
        assert len(cache_files(store)) == 1, "written before from_store returned"
    finally:
        stop.set()
        worker.join()


def test_small_indexes_are_cached_in_line(store: SnapshotStore) -> None:
    before = set(multiprocessing.active_children())
    Screener.from_store(store)
    assert set(multiprocessing.active_children()) == before
    assert len(cache_files(store)) == 1


def test_an_unwritable_cache_folder_does_not_stop_screening(store: SnapshotStore) -> None:
    (store.home / "cache").mkdir(parents=True, exist_ok=True)
    (store.home / "cache" / "matching").write_text(
        "a file where the folder should be", encoding="utf-8"
    )
    screener = Screener.from_store(store)
    assert screener.screen(Query("Person", {"name": ["Ri Su Yong"]}))
