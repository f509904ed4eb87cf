"""Event importers: field mapping, companion files, warnings and errors that name file and place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dprkwatch.ledger import EventSourceError, TimelineEvent, expand
from dprkwatch.ledger.importers.cns_csv import CnsCsvImporter, parse_cns_date
from dprkwatch.ledger.importers.cns_json import CnsJsonImporter
from dprkwatch.ledger.importers.csis import CsisImporter
from dprkwatch.ledger.importers.ofac_lifetimes import OfacLifetimesImporter
from dprkwatch.ledger.importing import detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ledger"


def _events(records: list[dict[str, object]]) -> list[TimelineEvent]:
    return [TimelineEvent.from_dict(r) for r in records]


def test_cns_json_with_companions() -> None:
    ds = CnsJsonImporter().load(FIXTURES / "cns_test.en.json")
    events = _events(ds.records)
    assert [e.id for e in events] == [
        "cns-2017-07-04-1",
        "cns-2017-11-28-1",
        "cns-2019-05-04-1",
        "cns-2019-05-04-2",
    ]
    first = events[0]
    assert first.kind == "missile-launch"
    assert first.attrs["missile_type"] == "ICBM"
    assert first.attrs["apogee_km"] == 2802.0
    assert first.attrs["facility"] == "Panghyon Aircraft Factory"
    assert first.title == "Hwasong-14 launch (ICBM)"
    assert events[1].attrs["apogee_km"] == 4475.0  # string apogee parsed
    assert events[2].attrs["apogee_km"] is None  # "unknown"
    assert ds.coverage == ("2017-07-04", "2019-05-04")
    assert ds.warnings == ["field 'colour' not handled (1 rows)"]
    assert {s.name for s in ds.sources} == {
        "cns_test.en.json",
        "cns_missile.en.json",
        "cns_facility.en.json",
    }


def test_cns_json_without_companions_keeps_launches_and_warns(tmp_path: Path) -> None:
    lone = tmp_path / "cns_test.en.json"
    shutil.copy(FIXTURES / "cns_test.en.json", lone)
    ds = CnsJsonImporter().load(lone)
    assert len(ds.records) == 4
    assert {r["attrs"]["missile_type"] for r in ds.records} == {"unknown"}
    assert any("no companion missile file" in w for w in ds.warnings)


def test_cns_json_errors_name_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "x_test.en.json"
    bad.write_text('{"timeBins": [{"data": [{"date": "2019-02-30", "missile": "x"}]}]}')
    with pytest.raises(
        EventSourceError, match=r"^x_test.en.json:timeBins\[0\].data\[0\]: `date`: impossible date"
    ):
        CnsJsonImporter().load(bad)
    broken = tmp_path / "y_test.en.json"
    broken.write_text('{"timeBins": [\n  {"data": [}\n]}')
    with pytest.raises(EventSourceError, match=r"^y_test.en.json:line 2: not valid JSON"):
        CnsJsonImporter().load(broken)
    wrong = tmp_path / "z_test.en.json"
    wrong.write_text(json.dumps({"bins": []}))
    with pytest.raises(EventSourceError, match="expected an object with a `timeBins` list"):
        CnsJsonImporter().load(wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9-Apr-84", "1984-04-09"),
        ("Sep-84", "1984-09"),
        ("31-Aug-98", "1998-08-31"),
        ("4-Jul-17", "2017-07-04"),
    ],
)
def test_cns_csv_dates(text: str, expected: str) -> None:
    assert str(parse_cns_date(text)) == expected


def test_cns_csv_rows() -> None:
    ds = CnsCsvImporter().load(FIXTURES / "cns_tests.csv")
    events = _events(ds.records)
    assert [str(e.date) for e in events] == ["1984-04-09", "1984-09", "1998-08-31"]
    assert events[1].confidence == "unverified"  # Unconfirmed row
    assert events[1].attrs["apogee_km"] == 200.0
    assert events[2].attrs["missile_type"] == "SLV"
    assert events[2].attrs["distance_km"] == 1646.0


def test_cns_csv_impossible_date_names_line() -> None:
    with pytest.raises(EventSourceError) as err:
        CnsCsvImporter().load(FIXTURES / "cns_bad_date.csv")
    assert str(err.value).startswith("cns_bad_date.csv:line 3: `Date`: impossible date 1998-02-31")


def test_csis_rows_and_unknown_type_warning() -> None:
    ds = CsisImporter().load(FIXTURES / "csis.csv")
    events = _events(ds.records)
    assert {e.kind for e in events} == {"provocation"}
    by_date = {str(e.date): e for e in events}
    assert by_date["2017-09-03"].attrs["provocation_type"] == "nuclear"
    assert by_date["2019-12-07"].title == "Rocket Engine Test"
    assert "https://example.org/c" in by_date["2019-12-07"].sources
    assert by_date["2010-03-26"].attrs["provocation_type"] == "other"
    assert ds.warnings == ["unknown provocation type 'Naval Clash' (1 rows) counted as 'other'"]


def test_csis_missing_column() -> None:
    with pytest.raises(
        EventSourceError,
        match=r"csis_missing_column.csv:line 1: missing column\(s\): event, resources",
    ):
        CsisImporter().load(FIXTURES / "csis_missing_column.csv")


def test_ofac_lifetimes_keeps_dprk_and_marks_baseline() -> None:
    ds = OfacLifetimesImporter().load(FIXTURES / "ofac_lifetimes.csv")
    assert ds.kind == "designations"
    by_id = {r["entity_id"]: r for r in ds.records}
    assert set(by_id) == {"ofac-1001", "ofac-1002", "ofac-1003"}
    assert by_id["ofac-1001"]["basis"] == "on_or_before"
    assert by_id["ofac-1002"]["basis"] == "first_seen"
    assert by_id["ofac-1002"]["programs"] == ["DPRK4", "NPWMD"]
    assert by_id["ofac-1002"]["schema"] == "Person"
    assert ds.coverage == ("2021-08-18", "2024-05-03")


def test_detection_by_content(tmp_path: Path) -> None:
    assert isinstance(detect(FIXTURES / "cns_test.en.json"), CnsJsonImporter)
    assert isinstance(detect(FIXTURES / "cns_tests.csv"), CnsCsvImporter)
    assert isinstance(detect(FIXTURES / "csis.csv"), CsisImporter)
    assert isinstance(detect(FIXTURES / "ofac_lifetimes.csv"), OfacLifetimesImporter)
    assert detect(FIXTURES / "cns_missile.en.json") is None
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(EventSourceError, match="not a recognised event file"):
        expand([other])
    with pytest.raises(EventSourceError, match="unknown format 'nope'"):
        detect(other, "nope")


def test_folder_expansion_skips_companions() -> None:
    chosen, skipped = expand([FIXTURES])
    names = sorted(p.name for p, _imp in chosen)
    assert "cns_test.en.json" in names and "csis.csv" in names
    assert "cns_missile.en.json" in skipped and "bad_syntax.yaml" in skipped
