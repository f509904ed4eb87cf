"""The XLSX reader: cell text as stored, sparse rows, and refusal of hostile workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.xlsx import MAX_RATIO, XlsxReader, column_index, excel_serial_date
from tests.lists.workbooks import write_xlsx


def test_column_letters() -> None:
    assert [column_index(c) for c in ("A", "Z", "AA", "AZ", "BA")] == [0, 25, 26, 51, 52]


def test_excel_serial_dates() -> None:
    assert excel_serial_date("44927") == "2023-01-01"
    assert excel_serial_date("45000.5") == "2023-03-15"
    assert excel_serial_date("DPR0001") is None
    assert excel_serial_date("0") is None


def test_rows_keep_text_numbers_gaps_and_booleans(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [
            ["Last Updated", "14/04/2025"],
            ["a", None, "c", 42, True, "량성철"],
            [],
            [None, None, None, "only D"],
        ],
    )
    reader = XlsxReader(path)
    rows = list(reader.rows())
    assert reader.sheet_name == "Data"
    assert rows[0] == (1, ["Last Updated", "14/04/2025"])
    assert rows[1] == (2, ["a", "", "c", "42", "TRUE", "량성철"])
    assert rows[-1] == (4, ["", "", "", "only D"])


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _error(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        list(XlsxReader(path).rows())
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))
    return info.value


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = _zip(
        tmp_path / "bomb.xlsx",
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b" " * (50 * 1024 * 1024)},
    )
    err = _error(bomb)
    assert f"compression ratio over {MAX_RATIO}:1" in err.problem
    assert "zip bomb" in err.problem


def test_doctype_in_a_part_is_refused(tmp_path: Path) -> None:
    book = _zip(
        tmp_path / "xxe.xlsx",
        {
            "xl/workbook.xml": b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<workbook>&x;</workbook>'
        },
    )
    assert "DOCTYPE" in _error(book).problem


def test_not_a_workbook(tmp_path: Path) -> None:
    text = tmp_path / "notes.xlsx"
    text.write_text("meeting notes")
    assert _error(text).problem.startswith("not a readable XLSX workbook")
    empty_zip = _zip(tmp_path / "empty.xlsx", {"readme.txt": b"hello"})
    assert _error(empty_zip).problem == "not an XLSX workbook: part xl/workbook.xml missing"


def test_truncated_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", [["a", "b"]] * 50)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(path.read_bytes()[:-200])
    assert _error(cut).problem.startswith("not a readable XLSX workbook")


def test_missing_shared_string(tmp_path: Path) -> None:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    book = _zip(
        tmp_path / "bad.xlsx",
        {
            "xl/workbook.xml": (
                f'<workbook xmlns="{ns}"><sheets><sheet name="S" '
                f'sheetId="1"/></sheets></workbook>'.encode()
            ),
            "xl/worksheets/sheet1.xml": (
                f'<worksheet xmlns="{ns}"><sheetData><row r="1"><c r="A1" '
                f't="s"><v>7</v></c></row></sheetData></worksheet>'.encode()
            ),
        },
    )
    err = _error(book)
    assert err.problem == "cell A1 points at shared string '7', which does not exist"
    assert err.where == "row 1"
