"""The snapshot store: content addressing, atomic activation, failures leave state intact."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from dprkwatch.datadir import DataDir
from dprkwatch.lists import SnapshotNotFound, SnapshotStore, SourceError, import_paths
from tests.conftest import FIXTURES

V1 = FIXTURES / "lists" / "watch_v1.ftm.json"
V2 = FIXTURES / "lists" / "watch_v2.ftm.json"


def test_import_writes_manifest_and_activates(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    (manifest,) = import_paths(store, [V1])
    assert manifest.list_name == "ftm_testwatch"
    assert manifest.counts["entities"] == 3
    assert manifest.counts["dprk"] == 2
    assert manifest.counts["dprk_by_schema"] == {"Person": 1, "Vessel": 1}
    assert manifest.sources[0].name == V1.name and len(manifest.sources[0].sha256) == 64
    assert store.active_versions() == {"ftm_testwatch": manifest.version}
    snap = store.active()["ftm_testwatch"]
    ids = {d["id"] for d in snap.iter_dicts()}
    assert {"tw-1", "tw-2", "tw-3", "tw-1-sanction"} <= ids
    assert any(n.value == "KIM Chol Nam" for n in snap.names())


def test_same_files_give_the_same_version(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    (a,) = import_paths(store, [V1])
    (b,) = import_paths(store, [V1])
    assert a.version == b.version
    assert len(store.versions("ftm_testwatch")) == 1


def test_newer_import_replaces_active_and_keeps_old(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    (a,) = import_paths(store, [V1])
    (b,) = import_paths(store, [V2])
    assert a.version != b.version
    assert store.active_versions()["ftm_testwatch"] == b.version
    assert [m.version for m in store.versions("ftm_testwatch")] and len(
        store.versions("ftm_testwatch")
    ) == 2
    assert store.resolve(f"ftm_testwatch@{a.version[:10]}").version in {a.version, b.version}
    assert store.resolve(a.version).version == a.version


def test_bad_file_in_batch_changes_nothing(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    import_paths(store, [V1])
    before = DataDir(tmp_path).active_lists.read_bytes()
    listing_before = sorted(p.name for p in (tmp_path / "snapshots" / "ftm_testwatch").iterdir())
    with pytest.raises(SourceError) as err:
        import_paths(store, [V2, FIXTURES / "lists" / "truncated.ftm.json"])
    assert "truncated.ftm.json" in str(err.value) and "line 2" in str(err.value)
    assert DataDir(tmp_path).active_lists.read_bytes() == before
    assert (
        sorted(p.name for p in (tmp_path / "snapshots" / "ftm_testwatch").iterdir())
        == listing_before
    )


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("dup_ids.ftm.json", "duplicate entity id 'tw-9'"),
        ("unknown_schema.ftm.json", "invalid entity"),
        ("truncated.ftm.json", "invalid JSON"),
    ],
)
def test_bad_ftm_files_name_file_and_line(tmp_path: Path, fixture: str, message: str) -> None:
    with pytest.raises(SourceError) as err:
        import_paths(SnapshotStore(tmp_path), [FIXTURES / "lists" / fixture])
    text = str(err.value)
    assert fixture in text and "line" in text and message in text
    assert "\n" not in text


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    store = SnapshotStore(tmp_path / "home")
    with pytest.raises(SourceError, match="empty"):
        import_paths(store, [empty])
    with pytest.raises(SourceError, match="file not found"):
        import_paths(store, [tmp_path / "nope.xml"])
    # Found by the API fuzzer: the operating system refuses a 300-byte file
    # name with an error of its own, which must not escape as a traceback.
    with pytest.raises(SourceError, match="cannot read: File name too long"):
        import_paths(store, [tmp_path / ("x" * 300)])
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(256) + b"\x00")
    with pytest.raises(SourceError, match="unknown format"):
        import_paths(store, [garbage])
    assert not DataDir(tmp_path / "home").active_lists.exists()


def test_unknown_snapshot_ref(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    import_paths(store, [V1])
    with pytest.raises(SnapshotNotFound):
        store.resolve("ftm_testwatch@1999")
    with pytest.raises(SnapshotNotFound):
        store.resolve("nolist")


_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import dprkwatch.lists.snapshot as snap
    from dprkwatch.lists import SnapshotStore, import_paths

    stage = sys.argv[3]
    original_write, original_activate = snap._write_bytes, snap.SnapshotStore.activate

    def write(path, data):
        if stage == "write" and path.name == snap.NAMES_FILE:
            with path.open("wb") as fh:
                fh.write(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return original_write(path, data)

    def activate(self, versions):
        if stage == "activate":
            os.kill(os.getpid(), signal.SIGKILL)
        return original_activate(self, versions)

    snap._write_bytes = write
    snap.SnapshotStore.activate = activate
    import_paths(SnapshotStore(Path(sys.argv[1])), [Path(sys.argv[2])])
    """
)


@pytest.mark.parametrize("stage", ["write", "activate"])
def test_kill_during_import_keeps_previous_active(tmp_path: Path, stage: str) -> None:
    store = SnapshotStore(tmp_path)
    (first,) = import_paths(store, [V1])
    before = DataDir(tmp_path).active_lists.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, str(tmp_path), str(V2), stage],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr.decode()
    assert DataDir(tmp_path).active_lists.read_bytes() == before
    assert store.active()["ftm_testwatch"].version == first.version
    assert sum(1 for _ in store.active()["ftm_testwatch"].iter_dicts()) == 6
    # The next import cleans up and succeeds.
    (second,) = import_paths(store, [V2])
    assert store.active_versions()["ftm_testwatch"] == second.version
    assert not list((tmp_path / "snapshots" / "ftm_testwatch").glob(".tmp-*"))
    assert orjson.loads(DataDir(tmp_path).active_lists.read_bytes()) == {
        "ftm_testwatch": second.version
    }


def _ofac_like(tmp_path: Path, name: str, rows: int) -> Path:
    """A second list in another format, so a batch has two files to parse."""
    folder = tmp_path / name
    folder.mkdir()
    lines = [
        f'{i},"NAME {i}",-0- ,"DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
        for i in range(1, rows + 1)
    ]
    (folder / "sdn.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return folder


def test_parallel_and_serial_imports_give_identical_snapshots(tmp_path: Path) -> None:
    ofac = _ofac_like(tmp_path, "sdn_2024-01-02", 50)
    serial, parallel = SnapshotStore(tmp_path / "a"), SnapshotStore(tmp_path / "b")
    ms = import_paths(serial, [V1, ofac], workers=1)
    mp = import_paths(parallel, [V1, ofac], workers=2)
    assert [m.version for m in ms] == [m.version for m in mp]
    assert serial.active_versions() == parallel.active_versions()
    for m in ms:
        a = serial.open(m.list_name, m.version).path
        b = parallel.open(m.list_name, m.version).path
        assert (a / "entities.ftm.json").read_bytes() == (b / "entities.ftm.json").read_bytes()


def test_failure_in_a_parallel_batch_removes_its_snapshots(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "home")
    import_paths(store, [V1])
    before = store.layout.active_lists.read_bytes()
    ofac = _ofac_like(tmp_path, "sdn_2024-01-02", 50)
    with pytest.raises(SourceError, match="duplicate entity id"):
        import_paths(store, [ofac, V2, FIXTURES / "lists" / "dup_ids.ftm.json"], workers=2)
    assert store.layout.active_lists.read_bytes() == before
    assert store.versions("ofac") == []
    assert len(store.versions("ftm_testwatch")) == 1


def test_workers_are_given_the_costliest_files_first(tmp_path: Path) -> None:
    from dprkwatch.lists.importing import CPU_PER_MB, estimated_cost

    # The cost follows the detected format, not the size alone: a megabyte of
    # OFAC's dense CSV costs more to parse than one of the UN's XML.
    sdn = FIXTURES / "lists" / "ofac_sdn_set"
    un = FIXTURES / "lists" / "un_sample.xml"
    sdn_main = sdn / "sdn.csv"
    assert estimated_cost(sdn, None) == pytest.approx(
        sdn_main.stat().st_size / 1e6 * CPU_PER_MB["ofac-sdn"]
    )
    assert estimated_cost(un, None) == pytest.approx(un.stat().st_size / 1e6 * CPU_PER_MB["un-xml"])
    # Unreadable or unknown inputs are left for the worker to report.
    assert estimated_cost(tmp_path / "missing.xml", None) == 0.0
    (tmp_path / "notes.txt").write_text("not a list\n")
    assert estimated_cost(tmp_path / "notes.txt", None) == 0.0


@pytest.mark.parametrize("workers", [1, 2])
def test_the_callers_preparation_runs_once_during_the_parse(tmp_path: Path, workers: int) -> None:
    store = SnapshotStore(tmp_path / "home")
    ofac = _ofac_like(tmp_path, "sdn_2024-01-02", 50)
    calls: list[int] = []
    manifests = import_paths(
        store, [V1, ofac], workers=workers, meanwhile=lambda: calls.append(os.getpid())
    )
    assert calls == [os.getpid()]  # in this process, not in a worker
    assert len(manifests) == 2


def test_a_failing_preparation_fails_the_batch_and_removes_its_snapshots(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "home")
    import_paths(store, [V1])
    before = store.layout.active_lists.read_bytes()
    ofac = _ofac_like(tmp_path, "sdn_2024-01-02", 50)

    def broken() -> None:
        raise SourceError("the database is unavailable")

    with pytest.raises(SourceError, match="database is unavailable"):
        import_paths(store, [ofac, V2], workers=2, meanwhile=broken)
    assert store.layout.active_lists.read_bytes() == before
    assert store.versions("ofac") == []
    assert len(store.versions("ftm_testwatch")) == 1
