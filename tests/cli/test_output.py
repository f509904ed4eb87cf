"""render(): one value, printed as a table, JSON or CSV."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from dprkwatch.cli.output import output_format, render


class Row(BaseModel):
    name: str
    roles: frozenset[str]
    score: float | None


ROWS = [
    Row(name="a", roles=frozenset({"y", "x"}), score=0.5),
    Row(name="b", roles=frozenset(), score=None),
]


def test_json_prints_the_whole_value(capsys: pytest.CaptureFixture[str]) -> None:
    render({"rows": ROWS, "total": 2}, "json", rows=ROWS, columns=["name"])
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2 and data["rows"][0]["name"] == "a"
    assert sorted(data["rows"][0]["roles"]) == ["x", "y"]


def test_csv_and_table_print_the_rows(capsys: pytest.CaptureFixture[str]) -> None:
    render(ROWS, "csv", columns=["name", "score"], csv_columns=["name", "roles", "score"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "name,roles,score" and lines[2] == "b,,"
    render(ROWS, "table", columns=["name", "score"], title="Rows", summary="two rows")
    out = capsys.readouterr().out
    assert out.startswith("two rows\n") and "Rows" in out and "0.5" in out


def test_text_and_empty(capsys: pytest.CaptureFixture[str]) -> None:
    render({"ok": True}, "table", text="all good")
    assert capsys.readouterr().out == "all good\n"
    render([], "table", columns=["name"], empty="nothing here")
    assert capsys.readouterr().out == "nothing here\n"
    render([], "table", columns=["name"], summary="run 1", empty="")
    assert capsys.readouterr().out == "run 1\n"


def test_flags_choose_the_format() -> None:
    assert output_format() == "table"
    assert output_format(csv_out=True) == "csv"
    assert output_format(json_out=True, csv_out=True) == "json"
