"""OFSI's ConList.xlsx (2022 format): same entities as the CSV, real files, renamed columns."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.csv_lists import OfsiCsvImporter
from dprkwatch.lists.importers.uk.ofsi_xlsx import OfsiXlsxImporter
from dprkwatch.lists.importers.uk.record import designation_source
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.programs import any_dprk
from dprkwatch.lists.registry import detect
from dprkwatch.lists.snapshot import count_version
from tests.conftest import FIXTURES, SHARED_DATA
from tests.lists.workbooks import csv_rows, write_xlsx

CONLIST = FIXTURES / "lists" / "uk_conlist_sample.csv"


def _workbook(tmp_path: Path, rows: list[list[str]] | None = None) -> Path:
    """The hand-written ConList CSV fixture, cell for cell, as OFSI's workbook."""
    return write_xlsx(tmp_path / "ConList.xlsx", rows or csv_rows(CONLIST))


def test_detected_by_content(tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    renamed = book.rename(tmp_path / "list.bin")
    assert detect(renamed).format == "ofsi-xlsx"


def test_workbook_and_csv_give_the_same_entities(tmp_path: Path) -> None:
    from_xlsx = OfsiXlsxImporter().load(_workbook(tmp_path))
    from_csv = OfsiCsvImporter().load(CONLIST)
    assert from_xlsx.published == from_csv.published
    assert {k: e.to_dict() for k, e in from_xlsx.entities.items()} == {
        k: e.to_dict() for k, e in from_csv.entities.items()
    }
    assert [n.to_row() for n in from_xlsx.names] == [n.to_row() for n in from_csv.names]


def test_serial_number_dates_are_converted(tmp_path: Path) -> None:
    rows = csv_rows(CONLIST)
    listed = rows[1].index("Listed On")
    original = rows[2][listed]
    rows[2][listed] = "42704"  # 30/11/2016 as Excel stores a date cell
    assert original == "30/11/2016"
    version = OfsiXlsxImporter().load(_workbook(tmp_path, rows))
    sanction = version.entities["uk-90001-sanction"]
    assert sanction.get("listingDate") == ["2016-11-30"]


def _load_error(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        OfsiXlsxImporter().load(path)
    assert "\n" not in str(info.value)
    return info.value


def test_renamed_column_is_an_error_naming_both_names(tmp_path: Path) -> None:
    rows = csv_rows(CONLIST)
    rows[1][rows[1].index("Group ID")] = "Group Identifier"
    err = _load_error(_workbook(tmp_path, rows))
    assert err.source.endswith("ConList.xlsx")
    assert err.where == "row 2"
    assert err.problem == (
        "1 column(s) of the OFSI Consolidated List (retired 2026-01-28) layout missing: "
        "'Group ID'; unknown column(s) 'Group Identifier' (renamed?)"
    )


def test_uk_sanctions_list_workbook_is_not_taken_for_ofsi(tmp_path: Path) -> None:
    rows = csv_rows(FIXTURES / "lists" / "uk_sanctions_list_sample.csv")
    err = _load_error(_workbook(tmp_path, rows))
    assert err.problem.startswith("this is the UK Sanctions List layout")


# -- real data ---------------------------------------------------------------


def _real(day: str) -> ListVersion:
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return OfsiXlsxImporter().load(SHARED_DATA / "uk" / f"ofsi_conlist_2022format_{day}.xlsx")


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("day", "groups", "by_schema", "dprk", "dprk_by_schema", "uk_only", "last_ref"),
    [
        (
            "2022-05-04",
            3430,
            {"Organization": 644, "Person": 2771, "Vessel": 15},
            236,
            {"Organization": 84, "Person": 137, "Vessel": 15},
            66,
            "DPR0278",
        ),
        (
            "2025-04-14",
            4688,
            {"Organization": 1010, "Person": 3663, "Vessel": 15},
            239,
            {"Organization": 86, "Person": 138, "Vessel": 15},
            69,
            "DPR0291",
        ),
    ],
)
def test_real_ofsi_workbooks(
    day: str,
    groups: int,
    by_schema: dict[str, int],
    dprk: int,
    dprk_by_schema: dict[str, int],
    uk_only: int,
    last_ref: str,
) -> None:
    version = _real(day)
    counts = count_version(version)
    # The figures of the data folder's SOURCES.md, counted there from the workbooks.
    assert str(version.published) == day
    assert counts["entities"] == groups
    assert counts["by_schema"] == by_schema
    assert counts["dprk"] == dprk
    assert counts["dprk_by_schema"] == dprk_by_schema
    dprk_subjects = [e for e in version.subjects() if any_dprk("uk", e.get("programId"))]
    sanctions = [version.entities[f"{e.id}-sanction"] for e in dprk_subjects]
    # 170 DPRK targets carry a UN reference in Other Information: UN-derived designations.
    assert Counter(designation_source(s) for s in sanctions) == {"UN": 170, "UK": uk_only}
    refs = sorted(r for s in sanctions for r in s.get("authorityId"))
    assert len(refs) == dprk and refs[0] == "DPR0001" and refs[-1] == last_ref
    assert not [w for w in version.warnings if w.startswith("column ")]
