"""List diffs and designation history on two small versions of a list."""

from __future__ import annotations

from pathlib import Path

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.lists.diff import diff_snapshots
from dprkwatch.lists.history import counts, designations
from tests.conftest import FIXTURES

V1 = FIXTURES / "lists" / "watch_v1.ftm.json"
V2 = FIXTURES / "lists" / "watch_v2.ftm.json"


def _store(tmp_path: Path) -> tuple[SnapshotStore, str, str]:
    store = SnapshotStore(tmp_path)
    (a,) = import_paths(store, [V1], activate=False)
    (b,) = import_paths(store, [V2])
    return store, a.version, b.version


def test_diff_classifies_changes(tmp_path: Path) -> None:
    store, a, b = _store(tmp_path)
    d = diff_snapshots(store.open("ftm_testwatch", a), store.open("ftm_testwatch", b))
    assert [c.entity_id for c in d.added] == ["tw-4"]
    assert [c.entity_id for c in d.removed] == ["tw-3"]
    changed = {c.entity_id: c for c in d.changed}
    assert set(changed) == {"tw-1", "tw-2"}
    assert changed["tw-1"].kinds == ["new alias"]
    assert changed["tw-1"].changes[0].added == ("김철남",)
    assert "rename" in changed["tw-2"].kinds and "new former name" in changed["tw-2"].kinds
    # The new entity's wallet is folded into it, not reported as an entity of its own.
    assert all(not c.entity_id.endswith("wallet-1") for c in d.added)
    dprk = d.only_dprk()
    assert [c.entity_id for c in dprk.removed] == []  # tw-3 is an Iran entry
    assert dprk.summary() == {"added": 1, "removed": 0, "changed": 2}


def test_history_uses_listing_dates(tmp_path: Path) -> None:
    store, _, _ = _store(tmp_path)
    items = {d.entity_id: d for d in designations(store)}
    # tw-3 was delisted in v2 but still counts in the year it was designated.
    assert set(items) == {"tw-1", "tw-2", "tw-3", "tw-4"}
    assert items["tw-2"].date == "2018-02-23" and items["tw-2"].basis == "listed"
    assert items["tw-2"].quarter == "2018-Q1"
    dprk = designations(store, dprk_only=True)
    rows = counts(dprk, by="year")
    assert {(r["period"], r["count"]) for r in rows} == {("2016", 1), ("2017", 1), ("2018", 1)}


def test_history_first_seen_without_listing_dates(tmp_path: Path) -> None:
    # Strip listing dates: the entry dates fall back to version publication dates.
    old = tmp_path / "src" / "list_2019-01-04"
    new = tmp_path / "src" / "list_2021-07-01"
    for folder, source in ((old, V1), (new, V2)):
        folder.mkdir(parents=True)
        lines = [line for line in source.read_text().splitlines() if '"Sanction"' not in line]
        (folder / "entities.ftm.json").write_text("\n".join(lines) + "\n")
    store = SnapshotStore(tmp_path / "home")
    import_paths(store, [old, new])
    items = {d.entity_id: d for d in designations(store)}
    assert items["tw-1"].basis == "on_or_before" and items["tw-1"].date == "2019-01-04"
    assert items["tw-4"].basis == "first_seen" and items["tw-4"].date == "2021-07-01"
