"""Fixtures for the screening tests: a store with two small hand-written lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.matching import Screener

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "matching"
SAMPLE_FILES = (FIXTURES / "us_sample.ftm.json", FIXTURES / "eu_sample.ftm.json")


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> SnapshotStore:
    """Both sample lists imported and active (shared: tests must not write to it)."""
    store = SnapshotStore(tmp_path_factory.mktemp("matching-home"))
    import_paths(store, list(SAMPLE_FILES))
    return store


@pytest.fixture(scope="session")
def screener(sample_store: SnapshotStore) -> Screener:
    return Screener.from_store(sample_store)


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    """Both sample lists in a store of this test's own (it may write caches)."""
    store = SnapshotStore(tmp_path / "home")
    import_paths(store, list(SAMPLE_FILES))
    return store


def cache_files(store: SnapshotStore) -> list[Path]:
    """The index cache files the screener wrote into ``store``."""
    return sorted((store.home / "cache" / "matching").glob("index-*.marshal"))
