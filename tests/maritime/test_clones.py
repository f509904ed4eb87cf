"""Shared MMSIs: splitting day by day follows each MMSI exactly as splitting all at once."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from dprkwatch.maritime import Rules
from dprkwatch.maritime.clones import SharedTracks, shared_mmsi_events
from tests.maritime.factory import SEA, T0, offset, sail

US_PER_DAY = 86_400_000_000


def _candidates(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "mmsi": [r["mmsi"] for r in rows],
            "t": [int(r["timestamp"].timestamp()) * 1_000_000 for r in rows],  # type: ignore[attr-defined]
            "lat": [r["lat"] for r in rows],
            "lon": [r["lon"] for r in rows],
        },
        schema={"mmsi": pl.Int32, "t": pl.Int64, "lat": pl.Float64, "lon": pl.Float64},
    )


def _two_ships_across_midnight() -> pl.DataFrame:
    # Two ships broadcast one MMSI from 20:00 to 04:00, 200 km apart; a third MMSI is alone.
    start = T0 + timedelta(hours=20)
    real = sail(412000001, start, SEA, offset(SEA, 0, 150), knots=10)
    ghost = [
        dict(r, timestamp=r["timestamp"] + timedelta(minutes=2))
        for r in sail(412000001, start, offset(SEA, 200), offset(SEA, 200, 150), knots=10)
    ]
    alone = sail(412000003, start, offset(SEA, -80), offset(SEA, -80, 150), knots=10)
    return _candidates(real + ghost + alone)


def test_day_by_day_gives_the_events_of_all_at_once() -> None:
    rules = Rules()
    rows = _two_ships_across_midnight()
    whole = shared_mmsi_events(rows, rules)
    assert whole["mmsi"].to_list() == [412000001]
    midnight = (int(T0.timestamp()) * 1_000_000 // US_PER_DAY + 1) * US_PER_DAY
    before = rows.filter(pl.col("t") < midnight)
    after = rows.filter(pl.col("t") >= midnight)
    assert before.height and after.height
    tracks = SharedTracks(rules)
    tracks.add(before.sample(fraction=1.0, shuffle=True, seed=1))  # any order within a day
    tracks.add(after)
    by_day = tracks.events()
    assert by_day.equals(whole)
    # one event across midnight: a split that started afresh each day would cut it in two
    assert by_day["start_us"].item() < midnight < by_day["end_us"].item()


def test_positions_added_out_of_time_order_are_refused() -> None:
    rows = _two_ships_across_midnight()
    late = rows.filter(pl.col("t") >= pl.col("t").median())
    early = rows.filter(pl.col("t") < pl.col("t").median())
    tracks = SharedTracks(Rules())
    tracks.add(late)
    with pytest.raises(ValueError, match="out of time order"):
        tracks.add(early)
