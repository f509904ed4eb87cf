"""Identity changes are sequential; two transmitters at once are a shared identity."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from dprkwatch.maritime import Rules, schema
from dprkwatch.maritime.identity import identity_events
from dprkwatch.maritime.store import IDENTITY_SCHEMA
from tests.maritime.factory import SEA, T0, detect, end_of, of_type, offset, sail


def _tag(rows: list[dict[str, object]], **fields: object) -> list[dict[str, object]]:
    for r in rows:
        r.update(fields)
    return rows


def test_one_imo_on_two_mmsis_at_once_is_shared_not_a_change(tmp_path: Path) -> None:
    # The hull sails all day; a second transmitter broadcasts its IMO 300 km away for 8 h.
    real = _tag(sail(412000001, T0, SEA, offset(SEA, 0, 250), knots=10), imo="9074729")
    clone_start = T0 + timedelta(hours=3)
    clone = _tag(
        sail(667000002, clone_start, offset(SEA, 300), offset(SEA, 300, 150), knots=10),
        imo="9074729",
    )
    events = detect(tmp_path, real + clone)
    assert of_type(events, "identity_change").is_empty()
    shared = of_type(events, "identity_shared")
    assert shared.select("mmsi", "other_mmsi").rows() == [(412000001, 667000002)]
    row = shared.row(0, named=True)
    assert row["start"] == clone_start and row["end"] == end_of(clone)
    assert (
        row["detail"] == "IMO 9074729: broadcast by mmsi 412000001 and 667000002 at the same time"
    )
    assert row["start"] <= row["end"]


def test_a_handover_with_a_short_overlap_stays_a_change(tmp_path: Path) -> None:
    old = _tag(sail(412000001, T0, SEA, offset(SEA, 0, 150), knots=10), imo="9074729")
    change = T0 + timedelta(hours=5)
    new = _tag(
        sail(667000002, change, offset(SEA, 0, 92), offset(SEA, 0, 200), knots=10), imo="9074729"
    )
    old = [r for r in old if r["timestamp"] <= change + timedelta(minutes=20)]  # 20 min overlap
    events = detect(tmp_path, old + new)
    assert of_type(events, "identity_shared").is_empty()
    change_ev = of_type(events, "identity_change")
    assert change_ev.select("mmsi", "other_mmsi").rows() == [(667000002, 412000001)]
    row = change_ev.row(0, named=True)
    # The span runs from the first report of the new MMSI to the last of the old: never backwards.
    assert row["start"] == change and row["end"] == end_of(old)


def test_overlapping_intervals_never_make_a_backwards_change() -> None:
    # The shape of the reported bug: B's first report 33 h before A's last one.
    rows = [
        (412000001, "imo", "9074729", T0, T0 + timedelta(hours=40)),
        (667000002, "imo", "9074729", T0 + timedelta(hours=7), T0 + timedelta(hours=50)),
        (412000003, "name", "SEA STAR", T0, T0 + timedelta(hours=5)),
        (412000003, "name", "SKY STAR", T0 + timedelta(hours=4), T0 + timedelta(hours=9)),
    ]
    intervals = schema.conform(
        pl.DataFrame(
            [
                {"mmsi": m, "field": f, "value": v, "first_ts": a, "last_ts": b, "reports": 5}
                for m, f, v, a, b in rows
            ]
        ),
        IDENTITY_SCHEMA,
    )
    raw = identity_events(intervals, Rules())
    assert (raw["end_us"] >= raw["start_us"]).all()
    kinds = raw.sort("event_type").select("event_type", "field").rows()
    assert kinds == [("identity_change", "name"), ("identity_shared", "imo")]
    shared = raw.filter(pl.col("event_type") == "identity_shared").row(0, named=True)
    assert shared["end_us"] - shared["start_us"] == 33 * 3600 * 1_000_000
    # Below the overlap threshold the same pair is a handover.
    strict = identity_events(intervals, Rules(shared_min_hours=40.0))
    assert set(strict["event_type"].to_list()) == {"identity_change"}


def test_one_mmsi_on_two_ships_is_followed_as_two_transmitters(tmp_path: Path) -> None:
    real = sail(412000001, T0 + timedelta(hours=2), SEA, offset(SEA, 0, 60))
    ghost = [
        dict(r, timestamp=r["timestamp"] + timedelta(minutes=2))
        for r in sail(412000001, T0 + timedelta(hours=2), offset(SEA, 200), offset(SEA, 200, 60))
    ]
    glitch = sail(412000002, T0, offset(SEA, -50), offset(SEA, -50, 60))
    glitch[5] = dict(glitch[5], lat=glitch[5]["lat"] + 0.5)
    events = detect(tmp_path, real + ghost + glitch)
    shared = of_type(events, "identity_shared")
    assert shared["mmsi"].to_list() == [412000001]
    row = shared.row(0, named=True)
    assert row["other_mmsi"] is None and row["points"] == 2
    assert row["distance_km"] == pytest.approx(200, rel=0.05)
    assert row["start"] == ghost[0]["timestamp"]
    assert row["end"] == min(end_of(real), end_of(ghost))
    assert row["detail"].startswith("mmsi used by 2 transmitters at once, ")
    # one bad fix is two jumps, never a second transmitter, however low the thresholds
    loose = detect(tmp_path / "loose", glitch, Rules(spoofing_min_jumps=2, shared_min_hours=0.0))
    assert of_type(loose, "spoofing").height == 1 and of_type(loose, "identity_shared").is_empty()
