"""F10: command-line screenings, command-line imports and ``GET /search`` left no audit record.

Now a CLI screening is a screening record (actor ``cli``) committed before
anything is printed, a batch is one ``screening.batch`` record holding the
SHA-256 of its input and output, a CLI import is a ``lists.import`` record
by ``cli``, and a search is a ``search`` record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dprkwatch import durable
from tests.factory import run_cli as run_cli_result
from tests.security.conftest import Guarded
from tests.service.factory import OFAC_V1

Capsys = pytest.CaptureFixture[str]


def run_cli(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    result = run_cli_result(capsys, *args)
    return result.code, result.out, result.err


def _records(capsys: Capsys, home: Path) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "--data-dir", str(home), "audit", "export", "-f", "jsonl")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_cli_imports_and_screenings_are_recorded(capsys: Capsys, tmp_path: Path) -> None:
    home = tmp_path / "home"
    base = ("--data-dir", str(home))
    code, _, err = run_cli(capsys, *base, "lists", "import", str(OFAC_V1))
    assert code == 0, err
    code, out, err = run_cli(capsys, *base, "screen", "Ryang Chol Min", "--json")
    assert code == 0, err
    shown = [m["entity_id"] for m in json.loads(out)]
    book = tmp_path / "in.csv"
    book.write_text("id,name\na,Ryang Chol Min\nb,Anna Lindqvist\n")
    output = tmp_path / "out.csv"
    code, _, err = run_cli(capsys, *base, "screen", "--input", str(book), "--output", str(output))
    assert code == 0, err

    records = _records(capsys, home)
    kinds = [(r["kind"], r["actor"]) for r in records]
    assert ("lists.import", "cli") in kinds
    screening = next(r for r in records if r["kind"] == "screening")
    assert screening["actor"] == "cli"
    assert screening["payload"]["query"]["properties"]["name"] == ["Ryang Chol Min"]
    assert [x["id"] for x in screening["payload"]["results"]] == shown
    assert set(screening["payload"]["versions"]) == {"ofac"}
    batch = next(r for r in records if r["kind"] == "screening.batch")
    assert batch["actor"] == "cli" and batch["payload"]["rows"] == 2
    assert batch["payload"]["output"]["sha256"] == durable.sha256_file(output)[0]
    assert batch["payload"]["input"]["sha256"] == durable.sha256_file(book)[0]
    assert batch["payload"]["software"] == screening["payload"]["software"]
    assert batch["payload"]["software"]["calibration"]


def test_search_is_recorded(guarded: Guarded) -> None:
    svc = guarded.service
    key = svc.key("screen", name="searcher")
    r = svc.client(key).get("/search/default", params={"q": "Ryang Chol Min"})
    assert r.status_code == 200, r.text
    found = [x["id"] for x in r.json()["results"]]
    exported = svc.admin.get("/audit/export", params={"format": "jsonl", "kind": "search"})
    records = [json.loads(line) for line in exported.text.splitlines()]
    assert len(records) == 1, exported.text
    payload = records[0]["payload"]
    assert payload["q"] == "Ryang Chol Min" and payload["results"] == found
    assert payload["software"]["matching_code"]
    assert records[0]["actor"] == f"key:{key.split('_')[1]}"
