"""The store of imported datasets: round trip, family preference, atomic replacement."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from dprkwatch.ledger import EventSourceError, LedgerStore
from dprkwatch.ledger.importers.cns_csv import CnsCsvImporter
from dprkwatch.ledger.importers.cns_json import CnsJsonImporter
from dprkwatch.ledger.importers.ofac_lifetimes import OfacLifetimesImporter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ledger"


def test_round_trip_and_family_preference(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path)
    store.save(CnsCsvImporter().load(FIXTURES / "cns_tests.csv"))
    events, notes = store.events()
    assert len(events) == 3 and notes == []
    store.save(CnsJsonImporter().load(FIXTURES / "cns_test.en.json"))
    events, notes = store.events()
    # The JSON reaches 2019, the CSV only 1998: the JSON is used, the CSV reported.
    assert {e.dataset for e in events} == {"cns"}
    assert len(events) == 4
    assert notes == [
        "cns-csv (1984-04-09 to 1998-08-31) superseded by cns (2017-07-04 to 2019-05-04) for family cns"
    ]


def test_designations_round_trip(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path)
    store.save(OfacLifetimesImporter().load(FIXTURES / "ofac_lifetimes.csv"))
    ds = store.designations()
    assert sorted((d.entity_id, d.basis) for d in ds) == [
        ("ofac-1001", "on_or_before"),
        ("ofac-1002", "first_seen"),
        ("ofac-1003", "first_seen"),
    ]
    assert store.has("ofac-first-seen")


def test_replacement_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LedgerStore(tmp_path)
    path = store.save(CnsCsvImporter().load(FIXTURES / "cns_tests.csv"))
    before = path.read_bytes()

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    emptied = replace(CnsCsvImporter().load(FIXTURES / "cns_tests.csv"), records=[])
    with pytest.raises(OSError, match="disk full"):
        store.save(emptied)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_corrupt_store_file_is_named(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path)
    path = store.save(CnsCsvImporter().load(FIXTURES / "cns_tests.csv"))
    path.write_text("{not json")
    with pytest.raises(EventSourceError, match="stored dataset is unreadable; re-import"):
        store.datasets()
