"""Each detector on hand-made tracks whose right answer is known by construction."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from dprkwatch.maritime import Rules
from dprkwatch.maritime.engines.tracks import jumps
from dprkwatch.maritime.geo import haversine_km
from dprkwatch.maritime.ingest.days import mmsi_order
from tests.maritime.factory import (
    HARBOUR,
    NAMPO,
    SEA,
    T0,
    detect,
    end_of,
    of_type,
    offset,
    sail,
    stay,
)


def _meeting(
    a: int, b: int, start_h: float, hours: float, at: tuple[float, float] = SEA, sep_km: float = 0.2
):
    start = T0 + timedelta(hours=start_h)
    return stay(a, start, hours, at) + stay(b, start, hours, offset(at, east_km=sep_km), sog=0.5)


def test_encounter_found_with_pair_times_and_place(tmp_path: Path) -> None:
    events = detect(tmp_path, _meeting(412000001, 412000002, 3, 3.0))
    enc = of_type(events, "encounter")
    assert enc.height == 1
    row = enc.row(0, named=True)
    assert (row["mmsi"], row["other_mmsi"]) == (412000001, 412000002)
    assert row["start"] == T0 + timedelta(hours=3)
    assert row["end"] == T0 + timedelta(hours=6)
    assert row["duration_hours"] == pytest.approx(3.0)
    assert row["lat"] == pytest.approx(SEA[0], abs=1e-3) and row["lon"] == pytest.approx(
        SEA[1] + 0.001, abs=2e-3
    )
    assert 0.15 < row["distance_km"] < 0.25
    assert row["points"] == 19  # 3 h of ten-minute buckets, both ends included


def test_encounter_thresholds_distance_duration_speed(tmp_path: Path) -> None:
    short = _meeting(412000001, 412000002, 1, 1.5)  # too short
    apart = _meeting(412000003, 412000004, 1, 3.0, at=offset(SEA, -50), sep_km=0.7)  # too far apart
    fast = [dict(r, sog=6.0) for r in _meeting(412000005, 412000006, 1, 3.0, at=offset(SEA, 50))]
    events = detect(tmp_path, short + apart + fast)
    assert of_type(events, "encounter").height == 0
    relaxed = Rules(encounter_max_km=1.0, encounter_min_hours=1.0)
    got = of_type(detect(tmp_path / "r", short + apart + fast, relaxed), "encounter")
    assert sorted(got["mmsi"].to_list()) == [412000001, 412000003]


def test_encounter_near_port_is_not_reported(tmp_path: Path) -> None:
    moored = _meeting(412000001, 412000002, 1, 6.0, at=offset(HARBOUR, 1.0))
    events = detect(tmp_path, moored)
    assert of_type(events, "encounter").height == 0
    assert of_type(events, "port_call").height == 2
    # With the port filter off the same pair is an encounter: the filter, not chance, removed it.
    got = detect(tmp_path / "nofilter", moored, Rules(encounter_port_km=0.0))
    assert of_type(got, "encounter").height == 1


def test_encounter_runs_merge_when_less_than_merge_hours_apart(tmp_path: Path) -> None:
    first = _meeting(412000001, 412000002, 1, 2.5)
    # vessel 2 steps 5 km away for 3 h, then comes back for another 2.5 h
    away = stay(412000002, T0 + timedelta(hours=3.6), 2.8, offset(SEA, 5.0), sog=0.5)
    second = _meeting(412000001, 412000002, 6.5, 2.5)
    first_a = [r for r in first if r["mmsi"] == 412000001]
    gap_a = stay(412000001, end_of(first_a) + timedelta(minutes=5), 2.8, SEA)
    rows = first + away + gap_a + second
    merged = of_type(detect(tmp_path, rows), "encounter")
    assert merged.height == 1
    assert merged["start"][0] == T0 + timedelta(hours=1) and merged["end"][0] == T0 + timedelta(
        hours=9
    )
    split = of_type(detect(tmp_path / "split", rows, Rules(encounter_merge_hours=2.0)), "encounter")
    assert split.height == 2


def test_loitering_needs_duration_and_distance_from_port(tmp_path: Path) -> None:
    long = stay(412000001, T0, 5.0, SEA)
    short = stay(412000002, T0, 3.0, offset(SEA, 30))
    near_port = stay(412000003, T0, 6.0, offset(HARBOUR, 15.0))  # 15 km: closer than 20 nm
    events = detect(tmp_path, long + short + near_port)
    loit = of_type(events, "loitering")
    assert loit["mmsi"].to_list() == [412000001]
    row = loit.row(0, named=True)
    assert row["start"] == T0 and row["end"] == T0 + timedelta(hours=5)
    assert row["detail"] == "mean speed 0.3 kn"
    assert row["distance_km"] is None  # no port within the query radius


def test_dark_gap_offshore_but_not_near_port(tmp_path: Path) -> None:
    far_a = sail(412000001, T0, SEA, offset(SEA, 0, 20))
    far_b = sail(412000001, T0 + timedelta(hours=16), offset(SEA, 0, 320), offset(SEA, 0, 340))
    near = sail(412000002, T0, offset(HARBOUR, 5), offset(HARBOUR, 25))
    near_b = sail(
        412000002, T0 + timedelta(hours=16), offset(HARBOUR, 300, 100), offset(HARBOUR, 320, 100)
    )
    short = sail(412000003, T0, offset(SEA, -100), offset(SEA, -100, 20))
    short_b = sail(
        412000003, T0 + timedelta(hours=8), offset(SEA, -100, 150), offset(SEA, -100, 170)
    )
    events = detect(tmp_path, far_a + far_b + near + near_b + short + short_b)
    gaps = of_type(events, "dark_gap")
    assert gaps["mmsi"].to_list() == [412000001]
    row = gaps.row(0, named=True)
    assert row["start"] == end_of(far_a) and row["end"] == T0 + timedelta(hours=16)
    assert row["distance_km"] == pytest.approx(300, rel=0.01)
    assert row["detail"].startswith("reappeared 300")


def test_port_call_names_port_and_flags_dprk(tmp_path: Path) -> None:
    approach = sail(445000001, T0, offset(NAMPO, -30), offset(NAMPO, -0.5), knots=10)
    moored = stay(445000001, end_of(approach) + timedelta(minutes=5), 10.0, offset(NAMPO, -0.5))
    leave = sail(
        445000001, end_of(moored) + timedelta(minutes=5), offset(NAMPO, -0.5), offset(NAMPO, -30)
    )
    passing = sail(412000009, T0, offset(HARBOUR, -2, -30), offset(HARBOUR, -2, 30), knots=14)
    events = detect(tmp_path, approach + moored + leave + passing)
    calls = of_type(events, "port_call")
    assert calls["mmsi"].to_list() == [445000001]  # passing at speed is not a call
    row = calls.row(0, named=True)
    assert row["port"] == "NAMPO" and row["port_country"] == "PRK" and row["dprk_port"] is True
    assert (row["lat"], row["lon"]) == (38.72, 125.39)
    # the call starts at the first position within 3 km and ends with the last within 4 km
    assert row["start"] < moored[0]["timestamp"] and row["end"] > moored[-1]["timestamp"]
    assert row["duration_hours"] == pytest.approx(10.0 + (2.5 + 3.5) / 1.852 / 10, abs=0.15)


def test_spoofing_needs_many_jumps_in_a_day(tmp_path: Path) -> None:
    real = sail(412000001, T0 + timedelta(hours=2), SEA, offset(SEA, 0, 60))
    ghost = [
        dict(r, timestamp=r["timestamp"] + timedelta(minutes=2))
        for r in sail(412000001, T0 + timedelta(hours=2), offset(SEA, 200), offset(SEA, 200, 60))
    ]
    glitch = sail(412000002, T0, offset(SEA, -50), offset(SEA, -50, 60))
    glitch[5] = dict(glitch[5], lat=glitch[5]["lat"] + 0.5)
    events = detect(tmp_path, real + ghost + glitch)
    spoof = of_type(events, "spoofing")
    assert spoof["mmsi"].to_list() == [412000001]
    assert spoof["points"][0] >= 2 * len(real) - 3  # nearly every alternation is a jump
    assert "impossible jumps" in spoof["detail"][0]
    # one bad fix makes exactly two jumps: reported only when the threshold allows it
    low = of_type(detect(tmp_path / "low", glitch, Rules(spoofing_min_jumps=2)), "spoofing")
    assert low["points"].to_list() == [2]


def test_runs_are_stitched_across_midnight(tmp_path: Path) -> None:
    start = T0 + timedelta(hours=21)
    rows = stay(412000001, start, 6.0, SEA) + stay(412000002, start, 6.0, offset(SEA, east_km=0.2))
    events = detect(tmp_path, rows)
    loit = of_type(events, "loitering")
    assert loit.height == 2 and set(loit["start"].to_list()) == {start}
    assert set(loit["end"].to_list()) == {start + timedelta(hours=6)}
    enc = of_type(events, "encounter")
    assert (
        enc.height == 1 and enc["start"][0] == start and enc["end"][0] == start + timedelta(hours=6)
    )


def test_identity_changes_and_mmsi_swaps(tmp_path: Path) -> None:
    a = sail(412000001, T0, SEA, offset(SEA, 0, 100))
    for i, r in enumerate(a):
        r.update(imo="9074729", flag="PA", name="KUM UN SAN" if i < len(a) // 2 else "SKY ANGEL")
    # same IMO, new MMSI after the first vessel goes quiet
    b = sail(667000001, end_of(a) + timedelta(hours=1), offset(SEA, 0, 100), offset(SEA, 0, 150))
    for r in b:
        r.update(imo="9074729", flag="SL", name="SKY ANGEL")
    # padding and case do not make a change
    c = sail(412000003, T0, offset(SEA, -80), offset(SEA, -80, 50))
    for i, r in enumerate(c):
        r.update(name="Ocean Star@@@" if i % 2 else "OCEAN  STAR")
    events = detect(tmp_path, a + b + c)
    ident = of_type(events, "identity_change").sort(["mmsi", "detail"])
    assert ident.select("mmsi", "other_mmsi", "detail").rows() == [
        (412000001, None, "name: KUM UN SAN -> SKY ANGEL"),
        (667000001, 412000001, "IMO 9074729: mmsi 412000001 -> 667000001"),
    ]
    swap = ident.row(1, named=True)
    assert swap["start"] == end_of(a) and swap["end"] == b[0]["timestamp"]


def test_segments_split_on_long_silence(tmp_path: Path) -> None:
    # 30 h of silence while loitering: two loitering runs, and a dark gap between them
    first = stay(412000001, T0, 5.0, SEA)
    second = stay(412000001, T0 + timedelta(hours=35), 5.0, SEA)
    events = detect(tmp_path, first + second)
    assert of_type(events, "loitering").height == 2
    assert of_type(events, "dark_gap").height == 1


def test_event_table_shape(tmp_path: Path) -> None:
    events = detect(tmp_path, _meeting(412000001, 412000002, 3, 3.0))
    assert events.columns[:9] == [
        "event_id",
        "event_type",
        "mmsi",
        "other_mmsi",
        "start",
        "end",
        "lat",
        "lon",
        "port",
    ]
    assert events.schema["start"] == pl.Datetime("us", "UTC")
    assert events.sort(["event_type", "mmsi"]).equals(events.sort(["event_type", "mmsi", "start"]))


def _call(mmsi: int, start: datetime, hours: float) -> list[dict[str, object]]:
    """In from 30 km out, ``hours`` at a berth 0.5 km from the port, out again."""
    approach = sail(mmsi, start, offset(HARBOUR, -30), offset(HARBOUR, -0.5), knots=10)
    moored = stay(mmsi, end_of(approach) + timedelta(minutes=5), hours, offset(HARBOUR, -0.5))
    leave = sail(
        mmsi, end_of(moored) + timedelta(minutes=5), offset(HARBOUR, -0.5), offset(HARBOUR, -30)
    )
    return approach + moored + leave


def test_port_calls_need_the_minimum_stay(tmp_path: Path) -> None:
    brief = _call(412000001, T0, 55 / 60)  # a 55-minute stop at a berth
    long = _call(412000002, T0, 2.5)
    events = detect(tmp_path, brief + long)
    calls = of_type(events, "port_call")
    assert calls["mmsi"].to_list() == [412000002]
    assert calls["duration_hours"][0] >= 2.0
    relaxed = of_type(detect(tmp_path / "r", brief + long, Rules(port_min_hours=0.5)), "port_call")
    assert sorted(relaxed["mmsi"].to_list()) == [412000001, 412000002]


def test_port_call_confidence_counts_what_was_seen(tmp_path: Path) -> None:
    full = _call(412000001, T0, 4.0)  # entry, stop, exit: 4
    # already moored when the data starts, then leaves: stop and exit, no entry: 3
    no_entry = [r for r in _call(412000002, T0, 6.0) if r["timestamp"] >= T0 + timedelta(hours=2)]
    # arrives and is still moored when the data ends: entry and stop: 3
    no_exit = [r for r in _call(412000003, T0, 20.0) if r["timestamp"] <= T0 + timedelta(hours=8)]
    # moored for the whole data: stop only: 2
    only = stay(412000004, T0, 8.0, offset(HARBOUR, 0.8))
    events = detect(tmp_path, full + no_entry + no_exit + only)
    got = dict(of_type(events, "port_call").select("mmsi", "confidence").iter_rows())
    assert got == {412000001: 4, 412000002: 3, 412000003: 3, 412000004: 2}


def test_port_call_exit_is_seen_across_midnight(tmp_path: Path) -> None:
    # in at noon, moored until 23:58, first position outside the port at 00:03 the next day
    approach = sail(
        412000001, T0 + timedelta(hours=10), offset(HARBOUR, -30), offset(HARBOUR, -0.5)
    )
    moored = stay(412000001, end_of(approach) + timedelta(minutes=2), 9.0, offset(HARBOUR, -0.5))
    moored = [r for r in moored if r["timestamp"] < T0 + timedelta(hours=24)]
    leave = sail(
        412000001, T0 + timedelta(hours=24, minutes=3), offset(HARBOUR, -4.5), offset(HARBOUR, -30)
    )
    events = detect(tmp_path, approach + moored + leave)
    call = of_type(events, "port_call").row(0, named=True)
    assert call["end"] == end_of(moored) and call["confidence"] == 4
    # without the next day the exit is not seen
    same_day = detect(tmp_path / "one", approach + moored)
    assert of_type(same_day, "port_call")["confidence"].to_list() == [3]


def test_encounter_across_the_antimeridian(tmp_path: Path) -> None:
    start = T0 + timedelta(hours=3)
    west = stay(412000001, start, 3.0, (52.0, 179.9985))
    east = stay(412000002, start, 3.0, (52.0, -179.9990), sog=0.5)  # about 180 m east
    for r in west + east:  # fold the wobble back into [-180, 180)
        r["lon"] = (r["lon"] + 540.0) % 360.0 - 180.0
    events = detect(tmp_path, west + east)
    enc = of_type(events, "encounter")
    assert enc.height == 1
    row = enc.row(0, named=True)
    assert 0.1 < row["distance_km"] < 0.3
    assert abs(row["lon"]) > 179.99  # the midpoint, not 0 degrees
    loit = of_type(events, "loitering")
    assert loit.is_empty() or (loit["lon"].abs() > 179.99).all()


def test_jump_flags_are_those_of_the_exact_distance() -> None:
    """The cheap bound only picks the rows that need the exact distance; no jump is missed.

    Steps of every length (metres to thousands of kilometres), across ±180°
    and near the poles, with limits just below, just above and far from the
    exact distance, and rows without a previous position.
    """
    rng = np.random.default_rng(3)
    n = 200_000
    lat = rng.uniform(-90.0, 90.0, n)
    lon = rng.uniform(-180.0, 180.0, n)
    scale = rng.choice([1e-4, 0.05, 5.0, 60.0], n)
    p_lat = np.clip(lat + rng.normal(0.0, 1.0, n) * scale, -90.0, 90.0)
    p_lon = (lon + rng.normal(0.0, 1.0, n) * scale + 180.0) % 360.0 - 180.0
    exact = haversine_km(p_lat, p_lon, lat, lon)
    limit = exact * rng.choice([1e-6, 0.5, 0.999, 1.001, 2.0], n)
    has_prev = rng.random(n) > 0.1
    p_lat[~has_prev] = np.nan
    p_lon[~has_prev] = np.nan
    got = jumps(p_lat, p_lon, lat, lon, limit, has_prev)
    want = (exact > limit) & has_prev
    assert want.sum() > n // 4
    assert np.array_equal(got, want)


def test_a_day_is_grouped_by_mmsi_in_arrival_order() -> None:
    rng = np.random.default_rng(5)
    mmsi = rng.choice(rng.integers(1, 999_999_999, 300), 50_000).astype(np.int32)
    order, grouped = mmsi_order(mmsi)
    assert np.array_equal(order, np.argsort(mmsi, kind="stable"))
    assert np.array_equal(grouped, mmsi[order]) and grouped.dtype == np.int32
