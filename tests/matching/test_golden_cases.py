"""Table-driven name pairs with expected verdicts (``golden_cases.csv``).

Reviewed whenever the algorithm or its threshold changes: a row that flips
is either a regression or a deliberate change recorded in the CSV.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dprkwatch.matching import Query, Screener

CASES = Path(__file__).resolve().parent / "golden_cases.csv"


def load_cases() -> list[tuple[str, str, str, bool, str]]:
    with CASES.open(encoding="utf-8", newline="") as fh:
        return [
            (r["schema"], r["query"], r["candidate"], r["match"] == "true", r["note"])
            for r in csv.DictReader(fh)
        ]


@pytest.mark.parametrize(("schema", "query", "candidate", "expected", "note"), load_cases())
def test_golden_case(
    screener: Screener, schema: str, query: str, candidate: str, expected: bool, note: str
) -> None:
    entity = {"id": "golden", "schema": schema, "properties": {"name": [candidate]}}
    m = screener.compare(Query(schema, {"name": [query]}), entity)
    assert m.match is expected, (
        f"{query!r} vs {candidate!r} ({note}): score {m.score}, {m.explanation}"
    )
    if expected:
        assert m.explanation, "a match must say why"


def test_the_table_is_balanced() -> None:
    verdicts = [c[3] for c in load_cases()]
    assert len(verdicts) >= 40
    assert 0.25 < sum(verdicts) / len(verdicts) < 0.8
