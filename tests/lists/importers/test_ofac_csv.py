"""Reading OFAC legacy CSV files: quirks accepted, damage refused with a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.ofac.legacy_rows import (
    ALT_COLUMNS,
    MAIN_COLUMNS,
    Companions,
    find_companions,
    read_rows,
)

ROW = '7,"KIM, Il","individual","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1962."'


def write(tmp_path: Path, data: bytes, name: str = "sdn.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_quirks_of_the_official_files(tmp_path: Path) -> None:
    data = (
        ROW + "\r\n" + ROW.replace("7,", "8,", 1).replace("KIM, Il", "CAFÉ Š€") + "\r\n"
    ).encode("cp1252")
    rows, notes = read_rows(write(tmp_path, data + b"\x1a"), MAIN_COLUMNS)
    assert [r.line for r in rows] == [1, 2]
    assert rows[0].fields[:3] == ("7", "KIM, Il", "individual")
    assert rows[0][4] is None  # "-0- " is null
    assert rows[1][1] == "CAFÉ Š€"  # CP1252, not Latin-1: 0x8A and 0x80 are letters
    assert notes == []


def test_quoted_field_spanning_lines_keeps_line_numbers(tmp_path: Path) -> None:
    data = (
        ROW + "\n" + ROW.replace('"DOB 1962."', '"DOB 1962;\nGender Male."') + "\n" + ROW + "\n"
    ).encode()
    rows, _ = read_rows(write(tmp_path, data), MAIN_COLUMNS)
    assert [r.line for r in rows] == [1, 2, 4]
    assert rows[1][11] == "DOB 1962;\nGender Male."


def test_raw_columns_keep_their_edge_spaces(tmp_path: Path) -> None:
    data = ROW.replace('"DOB 1962."', '"Controlled By U.S. "').encode()
    path = write(tmp_path, data)
    assert read_rows(path, MAIN_COLUMNS)[0][0][11] == "Controlled By U.S."
    raw = read_rows(path, MAIN_COLUMNS, raw=frozenset({11}))[0][0]
    assert raw[11] == "Controlled By U.S. " and raw[1] == "KIM, Il"
    assert (
        read_rows(
            write(tmp_path, ROW.replace('"DOB 1962."', "-0- ").encode()),
            MAIN_COLUMNS,
            raw=frozenset({11}),
        )[0][0][11]
        is None
    )


def test_header_row_is_skipped(tmp_path: Path) -> None:
    header = "ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks"
    rows, _ = read_rows(write(tmp_path, f"{header}\n{ROW}\n".encode()), MAIN_COLUMNS)
    assert len(rows) == 1 and rows[0].line == 2


def test_utf8_copy_is_read_as_utf8_with_a_note(tmp_path: Path) -> None:
    data = ROW.replace("KIM, Il", "JOSÉ").encode("utf-8")
    rows, notes = read_rows(write(tmp_path, data), MAIN_COLUMNS)
    assert rows[0][1] == "JOSÉ"
    assert notes and "UTF-8" in notes[0]


def test_cut_off_null_marker_at_end_is_noted(tmp_path: Path) -> None:
    data = (ROW + "\n" + ROW.replace('"DOB 1962."', "-0")).encode()
    rows, notes = read_rows(write(tmp_path, data), MAIN_COLUMNS)
    assert rows[-1][11] is None
    assert notes and "line 2" in notes[0] and "-0" in notes[0]


@pytest.mark.parametrize(
    ("data", "problem", "where"),
    [
        (b"", "file is empty", None),
        (b"\r\n\x1a", "file is empty", None),
        ((ROW + "\n" + ROW.rsplit(",", 2)[0] + "\n").encode(), "expected 12 fields", "line 2"),
        ((ROW + "\n" + ROW + ',"extra"\n').encode(), "found 13", "line 2"),
        ((ROW + "\n" + ROW[:-6]).encode(), "quoted field is never closed", "line 2"),
        (ROW.encode() + b"\n7,\x81bad" + b"\n", "byte 0x81 at offset", "line 2"),
        ("\ufeff".encode("utf-16-le") + ROW.encode("utf-16-le"), "UTF-16", None),
        (ROW.encode() + b"\n\x00\x00\x00", "NUL byte", "line 2"),
        (ROW.encode() + b"\n7,\x07beep\n", "control character 0x07", "line 2"),
        (b"x7," + ROW.encode()[2:] + b"\n", None, None),
    ],
    ids=[
        "empty",
        "only-eof",
        "short-row",
        "long-row",
        "truncated",
        "bad-cp1252",
        "utf16",
        "nul",
        "control",
        "ok",
    ],
)
def test_bad_files_give_one_line_errors(
    tmp_path: Path, data: bytes, problem: str | None, where: str | None
) -> None:
    path = write(tmp_path, data)
    if problem is None:
        rows, _ = read_rows(path, MAIN_COLUMNS)
        assert rows[0][0] == "x7"  # keys are checked by the importer, not the reader
        return
    with pytest.raises(SourceError) as info:
        read_rows(path, MAIN_COLUMNS)
    message = str(info.value)
    assert problem in message
    assert message.startswith(str(path))
    assert "\n" not in message
    if where:
        assert f":{where}:" in message


def test_companion_width_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, b'1,2,"aka","X",-0- ,-0- \r\n', "alt.csv")
    with pytest.raises(SourceError, match=r"alt\.csv:line 1: expected 5 fields"):
        read_rows(path, ALT_COLUMNS)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nope\.csv: file not found"):
        read_rows(tmp_path / "nope.csv", MAIN_COLUMNS)


def test_find_companions(tmp_path: Path) -> None:
    for name in (
        "SDN.CSV",
        "ADD.CSV",
        "alt.csv",
        "sdn_comments.csv",
        "cons_prim.csv",
        "cons_alt.csv",
    ):
        (tmp_path / name).write_bytes(b"1")
    found = find_companions(tmp_path / "SDN.CSV", "sdn")
    assert found == Companions(
        tmp_path / "ADD.CSV", tmp_path / "alt.csv", tmp_path / "sdn_comments.csv"
    )
    cons = find_companions(tmp_path / "cons_prim.csv", "cons")
    assert cons == Companions(None, tmp_path / "cons_alt.csv", None)
    assert find_companions(tmp_path / "other.csv", "sdn") == Companions()


def test_companions_follow_a_suffix(tmp_path: Path) -> None:
    for name in ("sdn_2024.csv", "add_2024.csv", "add.csv", "alt_2023.csv"):
        (tmp_path / name).write_bytes(b"1")
    found = find_companions(tmp_path / "sdn_2024.csv", "sdn")
    assert found.paths() == [tmp_path / "add_2024.csv"]
