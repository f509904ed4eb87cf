"""Subject files: one set of rules, a strict mode for books and a lenient one for batches."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from dprkwatch.exceptions import InputError
from dprkwatch.matching.subjects import Reading, SubjectRow, read, read_path

CSV = b"id,schema,name,birth_date,imo\na,Person,Kim Jong Un; Kim Jong-un,1984,\nb,Vessel,CHON MA SAN,,8660313\n"


def _read(data: bytes, name: str, mode: str = "lenient") -> list[SubjectRow]:
    return list(read(io.BytesIO(data), name, Reading(mode, 100)))  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_both_modes_read_aliases_and_multi_values_alike(mode: str) -> None:
    rows = _read(CSV, "book.csv", mode)
    assert [r.subject_id for r in rows] == ["a", "b"]
    a, b = (r.query for r in rows)
    assert a is not None and b is not None
    assert a.get("name") == ["Kim Jong Un", "Kim Jong-un"]
    assert a.get("birthDate") == ["1984"]
    assert b.schema == "Vessel" and b.get("imoNumber") == ["8660313"]


def _xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "name", "imo"])
    ws.append(["v1", "CHON MA SAN", 8660313.0])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parquet() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([{"id": "v1", "name": "CHON MA SAN", "imo": 8660313}]), buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ships.xlsx", _xlsx()),
        ("ships.bin", _parquet()),  # recognised by its first bytes, whatever the name
        (
            "ships.jsonl",
            json.dumps({"id": "v1", "properties": {"name": ["CHON MA SAN"], "imoNumber": [8660313]}}).encode(),
        ),
        ("ships.tsv", b"id\tname\timo\nv1\tCHON MA SAN\t8660313\n"),
    ],
)  # fmt: skip
def test_every_format_reads_in_strict_mode(name: str, data: bytes) -> None:
    (row,) = _read(data, name, "strict")
    assert row.subject_id == "v1" and row.query is not None
    assert row.query.get("imoNumber") == ["8660313"]  # a whole float loses its ".0"


def test_lenient_mode_keeps_going_and_strict_mode_stops() -> None:
    data = b"id,name,shoeSize\n,Kim,44\nx,,\ny,Lee,45\n"
    rows = _read(data, "in.csv")
    assert [r.subject_id for r in rows] == ["row-2", "x", "y"]  # unknown column ignored
    assert rows[0].query is not None and rows[2].query is not None
    assert rows[1].query is None and "needs a name or an identifier" in (rows[1].error or "")
    with pytest.raises(InputError, match=r"^in.csv:row 2: empty id$"):
        _read(data, "in.csv", "strict")
    with pytest.raises(InputError, match=r"^in.csv:row 2, shoeSize: unknown property 'shoeSize'"):
        _read(b"id,name,shoeSize\na,Kim,44\n", "in.csv", "strict")


def test_unreadable_paths_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        list(read_path(tmp_path / "nope.csv", Reading("strict", 10)))
    with pytest.raises(InputError, match="is a directory"):
        list(read_path(tmp_path, Reading("strict", 10)))
    with pytest.raises(InputError, match="more than 1 rows"):
        list(read(io.BytesIO(CSV), "in.csv", Reading("lenient", 1)))
