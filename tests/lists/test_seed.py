"""Finding local list files and the first-run import behind ``make run``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dprkwatch.cli.run import ensure_lists
from dprkwatch.lists import Manifest, SnapshotStore, import_paths
from dprkwatch.lists.exceptions import SourceError
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
    (data / "ofac" / "cons_enhanced").mkdir()
    (data / "ofac" / "cons_enhanced" / "CONS_ENHANCED.XML").write_text("<x/>")
    (data / "ofac" / "cons_enhanced" / "CONS_ENHANCED.ZIP").write_text("PK")
    (data / "uk").mkdir()
    (data / "uk" / "conlist.xlsx").write_text("PK")
    return data


def test_local_sources_finds_list_files_only(tmp_path: Path) -> None:
    data = _folder(tmp_path)
    found = [p.relative_to(data).as_posix() for p in local_sources(data)]
    assert found == [
        "ofac/sdn_2024-05-03/sdn.csv",
        "ofac/cons_enhanced/CONS_ENHANCED.XML",
        "un/new.xml",
        "un/history/old.xml",
        "uk/conlist.xlsx",
    ]


def _cut(source: Path, target: Path) -> None:
    """A download that stopped part-way: the first 70% of a list file."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * 0.7)])


def test_ensure_lists_leaves_out_a_refused_file_and_imports_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    (data / "un").mkdir(parents=True)
    (data / "eu").mkdir()
    shutil.copy(FIXTURES / "lists" / "un_sample.xml", data / "un" / "un.xml")
    shutil.copy(FIXTURES / "lists" / "eu_sample.yaml", data / "eu" / "eu.yaml")
    _cut(FIXTURES / "lists" / "eu_fsf_sample.xml", data / "eu" / "cut.xml")
    settings = Settings(home=tmp_path / "home", shared_data=data)
    ensure_lists(settings)
    # The EU's YAML copy lands; its cut-off XML download is left out.
    assert sorted(SnapshotStore(settings.home).active_versions()) == ["eu", "un"]
    err = capsys.readouterr().err
    left_out = [line for line in err.splitlines() if line.startswith("lists: left out")]
    assert len(left_out) == 1, err
    assert "cut.xml" in left_out[0] and "truncated" in left_out[0]


@pytest.mark.parametrize("workers", [1, 2])
def test_import_paths_reports_refused_files_in_and_out_of_workers(
    tmp_path: Path, workers: int
) -> None:
    cut = tmp_path / "cut.xml"
    _cut(FIXTURES / "lists" / "un_sample.xml", cut)
    good = FIXTURES / "lists" / "eu_fsf_sample.xml"
    store = SnapshotStore(tmp_path / "home")
    refused: list[tuple[Path, str]] = []
    manifests = import_paths(
        store, [cut, good], workers=workers, on_refused=lambda p, e: refused.append((p, str(e)))
    )
    assert [m.list_name for m in manifests] == ["eu"]
    assert list(store.active_versions()) == ["eu"]
    assert [p for p, _ in refused] == [cut]
    assert refused[0][1].startswith(f"{cut}:") and "truncated" in refused[0][1]


def test_import_paths_without_on_refused_stays_all_or_nothing(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml"
    _cut(FIXTURES / "lists" / "un_sample.xml", cut)
    store = SnapshotStore(tmp_path / "home")
    with pytest.raises(SourceError, match="truncated"):
        import_paths(store, [FIXTURES / "lists" / "eu_fsf_sample.xml", cut], workers=1)
    assert store.active_versions() == {}
    assert not (store.root / "eu").exists() or not any((store.root / "eu").iterdir())


@pytest.mark.shared_data
def test_ensure_lists_with_the_real_cut_off_eu_download(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``make run`` beside the real folder: its EU FSF XML is a download cut off after
    1,044 entities; it is refused in one line and the service starts with the rest."""
    data = tmp_path / "data"
    (data / "un").mkdir(parents=True)
    (data / "eu").mkdir()
    real_eu = shared_data / "eu" / "eu_fsf_xml_1_1_2022-03-18_truncated.xml"
    (data / "eu" / real_eu.name).symlink_to(real_eu)
    real_un = shared_data / "un" / "un_consolidated_2026-02-27.xml"
    (data / "un" / real_un.name).symlink_to(real_un)
    settings = Settings(home=tmp_path / "home", shared_data=data)
    ensure_lists(settings)
    store = SnapshotStore(settings.home)
    assert list(store.active_versions()) == ["un"]
    assert store.active()["un"].manifest.counts["dprk"] == 155
    err = capsys.readouterr().err
    assert "lists: left out" in err and "after 1,044 complete records" in err


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

    def offline(home: Path) -> list[Manifest]:
        raise DownloadError(
            "cannot download consolidated.xml from scsanctions.un.org; are you offline?"
        )

    monkeypatch.setattr(run_mod, "fetch", offline)
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
