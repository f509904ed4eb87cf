"""Shared MMSIs: adding day by day follows each MMSI exactly as adding all at once; the C
kernel splits as the Python loop does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl
import pytest

from dprkwatch.maritime import Rules, clones, native
from dprkwatch.maritime.clones import CANDIDATES, SharedTracks, shared_mmsi_events
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


def _scattered(seed: int) -> pl.DataFrame:
    """Many MMSIs, each with reports from several places at once and long silences."""
    rng = np.random.default_rng(seed)
    rows = []
    for mmsi in range(412000100, 412000140):
        places = rng.uniform([30.0, 120.0], [40.0, 130.0], size=(int(rng.integers(1, 12)), 2))
        t = np.cumsum(rng.integers(60, 3_600, 400)) * 1_000_000
        t[200:] += int(rng.integers(0, 2)) * 30 * 3_600 * 1_000_000  # longer than max_gap_hours
        which = rng.integers(0, len(places), 400)
        drift = rng.normal(0.0, 0.01, (400, 2))
        for ti, w, (dla, dlo) in zip(t.tolist(), which.tolist(), drift.tolist(), strict=True):
            rows.append((mmsi, ti, places[w][0] + dla, places[w][1] + dlo))
    return pl.DataFrame(rows, schema=list(CANDIDATES.items()), orient="row")


def _long_tracks(found: list[tuple[int, list[Any]]], rules: Rules) -> dict[int, list[Any]]:
    out = {}
    for mmsi, tracks in found:
        long = [
            (tr.times, tr.lats, tr.lons)
            for tr in tracks
            if len(tr.times) >= rules.shared_min_positions
        ]
        if len(long) >= 2:
            out[mmsi] = long
    return out


@pytest.mark.skipif(native.load(clones._SOURCE) is None, reason="the C kernel is not built")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_c_kernel_splits_as_the_python_loop_does(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = Rules()
    rows = _scattered(seed).sort(["mmsi", "t"])
    compiled = list(clones.split_tracks(rows, rules))
    want = shared_mmsi_events(rows, rules)
    monkeypatch.setattr(native, "load", lambda source: None)
    python = list(clones.split_tracks(rows, rules))
    assert max(len(tracks) for _, tracks in python) > clones.MAX_OPEN_TRACKS  # tracks evicted
    assert _long_tracks(compiled, rules) == _long_tracks(python, rules)
    assert len(_long_tracks(python, rules)) >= 10
    got = shared_mmsi_events(rows, rules)
    assert got.height >= 10 and got.equals(want)
