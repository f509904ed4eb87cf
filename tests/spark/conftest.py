"""A local[2] Spark session shared by the Spark screening tests, and their subjects."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dprkwatch.matching import Screener
from tests.matching.conftest import sample_store, screener, store

__all__ = ["sample_store", "screener", "store"]  # the sample lists' store and screener, shared

# Rows that exercise what the local batch does with a row: Korean and Latin
# spellings, Hangul, identifiers only, qualifiers, typos, and bad rows.
SUBJECTS: list[dict[str, str]] = [
    {"id": "s1", "name": "Lee Soo-yong", "nationality": "kp"},
    {"id": "s2", "name": "리수용"},
    {"id": "s3", "name": ""},
    {"id": "s4", "name": "Vladimir Putin"},
    {"id": "s5", "name": "Kim Jong Un", "birth_date": "1984", "nationality": "kp"},
    {"id": "s6", "name": "Some Ship", "imo": "IMO 8660313"},
    {"id": "s7", "name": "Choe Ryong-hae", "birth_date": "1950-01-15"},
    {"id": "s8", "name": "Kim Jong Unn"},
    {"id": "s9", "name": "Ri Chol", "schema": "Person"},
    {"id": "s10", "name": "Chon Ma San", "schema": "Vessel"},
    {"id": "s11", "name": "Korea Mining Development Trading Corporation"},
    {"id": "s12", "name": "Nobody In Particular"},
    {"id": "s13", "name": "Kim", "schema": "NotASchema"},
    {"id": "s14", "name": "x" * 600},
    {"id": "  s15  ", "name": "KIM Yo Jong"},
]


def write_subjects(path: Path, rows: list[dict[str, str]]) -> Path:
    """Rows as a CSV with the columns of the local batch (missing cells empty)."""
    columns = ["id", "name", "schema", "birth_date", "nationality", "imo"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def synthetic_subjects(screener: Screener, n: int) -> list[dict[str, str]]:
    """``n`` subjects made from the listed names: exact, reordered, a letter dropped, unrelated."""
    names = sorted({screener.index.forms[i].text for i in range(len(screener.index.forms))})
    assert names, "the index has no names to build subjects from"
    rows = []
    for i in range(n):
        base = names[i % len(names)]
        variant = i // len(names) % 4
        if variant == 1:
            base = " ".join(reversed(base.split()))
        elif variant == 2 and len(base) > 4:
            base = base[:2] + base[3:]
        elif variant == 3:
            base = f"Unrelated Person {i}"
        rows.append({"id": f"syn-{i}", "name": base})
    return rows


def sort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Output rows in one order: by subject, then rank (no-hit and error rows first)."""
    return sorted(rows, key=lambda r: (r["query_id"] or "", r["rank"] or 0))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local[2] session this module owns; stopped (with its JVM) at the end."""
    pytest.importorskip("pyspark")
    from dprkwatch.spark import SparkUnavailable, start_session, stop_session

    try:
        session = start_session("dprkwatch-tests", SparkUnavailable, master="local[2]")
    except SparkUnavailable as exc:
        pytest.skip(str(exc))
    yield session
    stop_session(session)
