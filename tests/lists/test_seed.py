"""Finding local list files and the first-run import behind ``make run``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dprkwatch.cli.run import ensure_lists
from dprkwatch.lists import Manifest, SnapshotStore
from dprkwatch.lists.seed import local_sources
from dprkwatch.settings import Settings
from tests.conftest import FIXTURES


def _folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "ofac" / "sdn_2024-05-03").mkdir(parents=True)
    (data / "ofac" / "supplementary").mkdir(parents=True)
    (data / "un" / "history").mkdir(parents=True)
    (data / "ofac" / "sdn_2024-05-03" / "sdn.csv").write_text("1,x\n")
    (data / "ofac" / "supplementary" / "add.csv").write_text("1,2\n")
    (data / "un" / "history" / "old.xml").write_text("<x/>")
    (data / "un" / "new.xml").write_text("<x/>")
    (data / "un" / "empty.xml").write_text("")
    return data


def test_local_sources_finds_list_files_only(tmp_path: Path) -> None:
    data = _folder(tmp_path)
    found = [p.relative_to(data).as_posix() for p in local_sources(data)]
    assert found == ["ofac/sdn_2024-05-03/sdn.csv", "un/new.xml", "un/history/old.xml"]


def test_ensure_lists_imports_once(tmp_path: Path) -> None:
    data = tmp_path / "data" / "eu"
    data.mkdir(parents=True)
    # Any importable list file works; the FtM fixture stands in for a real list here.
    shutil.copy(FIXTURES / "lists" / "watch_v1.ftm.json", data / "watch.yaml")
    settings = Settings(home=tmp_path / "home", shared_data=tmp_path / "data")
    ensure_lists(settings)
    store = SnapshotStore(settings.home)
    assert list(store.active_versions()) == ["ftm_testwatch"]
    version = store.active_versions()["ftm_testwatch"]
    ensure_lists(settings)  # already active: nothing re-imported
    assert store.active_versions()["ftm_testwatch"] == version


def test_ensure_lists_offline_without_local_copies_starts_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dprkwatch.cli import run as run_mod
    from dprkwatch.lists.download import DownloadError

    def offline(store: SnapshotStore) -> list[Manifest]:
        raise DownloadError(
            "cannot download consolidated.xml from scsanctions.un.org; are you offline?"
        )

    monkeypatch.setattr(run_mod, "update", offline)
    settings = Settings(home=tmp_path / "home", shared_data=None)
    ensure_lists(settings)  # prints a clear message, does not raise
    assert SnapshotStore(settings.home).active_versions() == {}


def test_folder_resolves_main_file_case_insensitively(tmp_path: Path) -> None:
    from dprkwatch.lists.importing import resolve_path

    (tmp_path / "ADD.CSV").write_text("1,2\n")
    (tmp_path / "SDN.CSV").write_text("1,x\n")
    assert resolve_path(tmp_path).name == "SDN.CSV"


def test_ensure_events_imports_event_files_once(tmp_path: Path) -> None:
    from dprkwatch.cli.run import ensure_events
    from dprkwatch.ledger.store import LedgerStore

    sources = [
        FIXTURES / "ledger" / f"cns_{kind}.en.json" for kind in ("test", "missile", "facility")
    ]
    data = tmp_path / "data" / "dprk"
    data.mkdir(parents=True)
    for src in sources:
        shutil.copy(src, data / src.name)
    settings = Settings(home=tmp_path / "home", shared_data=tmp_path / "data")
    ensure_events(settings)
    first = [d.manifest for d in LedgerStore(settings.home).datasets()]
    assert [m["name"] for m in first] == ["cns"]
    ensure_events(settings)  # already imported: nothing new
    assert [d.manifest for d in LedgerStore(settings.home).datasets()] == first
