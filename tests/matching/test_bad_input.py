"""Hostile or broken names: a clear one-line error or a clean empty result, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Query, QueryError, Screener
from dprkwatch.matching.batch import screen_file
from tests.factory import run_cli

EMPTY_RESULT = [
    "!!!...---",  # only punctuation
    "·・,;:()[]",
    "Kim 정은 Иван محمد 金 Ψ",  # mixed scripts
    "Ri Su Yong" + "\u0301" * 300,  # combining marks piled on
    "\u202eKIM\u202c",  # direction overrides
    "金" * 300,
    "a " * 400,  # many one-letter words
]
ERRORS = [
    ("x" * 10_000, "value is too long"),
    ("Kim\udcffJong", "lone surrogate"),
    ("\ud800", "lone surrogate"),
    ("\x00\x00\x00", "needs a name or an identifier"),
    ("\u200b\u200b", "needs a name or an identifier"),
]


@pytest.mark.parametrize("name", EMPTY_RESULT)
@pytest.mark.parametrize("schema", ["Thing", "Person", "Organization", "Vessel"])
def test_odd_names_screen_cleanly(screener: Screener, name: str, schema: str) -> None:
    results = screener.screen(Query(schema, {"name": [name]}))
    assert isinstance(results, list)
    for m in results:
        json.dumps(m.to_dict())  # every answer can be written out


@pytest.mark.parametrize(("name", "fragment"), ERRORS)
def test_broken_names_are_a_query_error(name: str, fragment: str) -> None:
    with pytest.raises(QueryError, match=fragment) as err:
        Query("Person", {"name": [name]})
    assert err.value.where == "name" and "\n" not in str(err.value)


def test_nul_bytes_inside_a_name_are_dropped(screener: Screener) -> None:
    q = Query("Person", {"name": ["Ri\x00 Su\x00 Yong"]})
    assert q.names == ["Ri Su Yong"]
    assert screener.screen(q)[0].entity_id in {"us-1002", "eu-13"}


def test_cli_with_an_undecodable_argument_is_one_line(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore
) -> None:
    # What Python makes of a byte that is not UTF-8 in argv (surrogateescape).
    res = run_cli(capsys, "--data-dir", str(sample_store.home), "screen", "Kim\udcffJong")
    assert res.code != 0 and res.err.startswith("error: ")
    assert len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err


def test_a_batch_of_bad_rows_keeps_every_row(screener: Screener, tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "schema": "Thing", "name": n} for i, n in enumerate(EMPTY_RESULT)]
    rows += [{"id": f"e{i}", "schema": "Person", "name": n} for i, (n, _f) in enumerate(ERRORS)]
    rows.append({"id": "ok", "schema": "Person", "name": "Ri Su Yong"})
    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8", errors="surrogatepass") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")  # lone surrogates as JSON escapes
    out = tmp_path / "out.jsonl"
    summary = screen_file(screener, src, out)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # The JSON reader refuses a lone surrogate escape, so those two lines keep
    # their line numbers instead of their ids, with the reason.
    lines = {f"row-{i}": r["id"] for i, r in enumerate(rows, start=1)}
    got = {lines.get(r["query_id"], r["query_id"]) for r in written}
    assert got == {r["id"] for r in rows}
    errors = {lines.get(r["query_id"], r["query_id"]): r["error"] for r in written if r["error"]}
    assert set(errors) == {f"e{i}" for i in range(len(ERRORS))}, errors
    assert "invalid JSON" in errors["e1"] and "too long" in errors["e0"]
    assert summary.errors == len(ERRORS)
    assert any(r["query_id"] == "ok" and r["match"] for r in written)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "needs a name or an identifier"),
        ("\x01\x02\x1b", "needs a name or an identifier"),
        ("x" * 10_000, "value is too long"),
    ],
)
def test_cli_unusable_names_are_one_line(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore, name: str, fragment: str
) -> None:
    res = run_cli(capsys, "--data-dir", str(sample_store.home), "screen", name)
    assert res.code == 2 and res.out == ""
    assert res.err.startswith("error: ") and fragment in res.err
    assert len(res.err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["Kim 정은 Иван محمد 金 Ψ", "!!!...---", "Lee\x00 Soo-\x07yong"])
def test_cli_odd_names_answer_cleanly(
    capsys: pytest.CaptureFixture[str], sample_store: SnapshotStore, name: str
) -> None:
    res = run_cli(capsys, "--data-dir", str(sample_store.home), "screen", name, "--json")
    assert res.code == 0, res.err
    assert isinstance(json.loads(res.out), list)
