"""Identity intervals: runs of one value per MMSI and field, whatever order the reports come in."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.store import intervals_from_reports
from tests.maritime.factory import T0


def _reports(rows: list[tuple[int, int, str | None, str | None]]) -> pl.DataFrame:
    """(mmsi, minute, imo, name) rows as static reports."""
    return pl.DataFrame(
        {
            "mmsi": [r[0] for r in rows],
            "ts": [T0 + timedelta(minutes=r[1]) for r in rows],
            "imo": [r[2] for r in rows],
            "name": [r[3] for r in rows],
            "callsign": [None] * len(rows),
            "flag": [None] * len(rows),
        },
        schema=schema.STATIC,
    )


ROWS = [
    (2, 0, "9074729", "SEA STAR"),
    (1, 0, "9074729", None),
    (1, 5, "9074729", "SEA STAR"),
    (2, 6, "9074729", "SEA STAR"),
    (1, 10, "9999999", "SEA STAR"),
    (1, 15, "9074729", None),
    (2, 20, None, "SEA MOON"),
]


def test_runs_of_one_value_become_one_interval() -> None:
    got = intervals_from_reports(_reports(ROWS)).sort(["mmsi", "field", "first_ts"])
    minutes = [
        (m, f, v, int((a - T0).total_seconds() // 60), int((b - T0).total_seconds() // 60), n)
        for m, f, v, a, b, n in got.iter_rows()
    ]
    assert minutes == [
        (1, "imo", "9074729", 0, 5, 2),
        (1, "imo", "9999999", 10, 10, 1),
        (1, "imo", "9074729", 15, 15, 1),
        (1, "name", "SEA STAR", 5, 10, 2),
        (2, "imo", "9074729", 0, 6, 2),
        (2, "name", "SEA STAR", 0, 6, 2),
        (2, "name", "SEA MOON", 20, 20, 1),
    ]


def test_time_ordered_and_shuffled_reports_give_the_same_intervals() -> None:
    ordered = _reports(ROWS)
    assert ordered["ts"].is_sorted()
    shuffled = ordered.sample(fraction=1.0, shuffle=True, seed=5)
    assert not shuffled["ts"].is_sorted()
    key = ["mmsi", "field", "first_ts"]
    assert (
        intervals_from_reports(ordered).sort(key).equals(intervals_from_reports(shuffled).sort(key))
    )
