"""Writing events: CSV, Parquet, GeoJSON, atomically; reading them back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
import polars as pl
import pytest

from dprkwatch.maritime import AisInputError, read_events, to_geojson, write_events
from tests.maritime.factory import SEA, T0, detect, offset, stay


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    start = T0 + timedelta(hours=2)
    rows = stay(412000001, start, 5.0, SEA) + stay(412000002, start, 5.0, offset(SEA, east_km=0.2))
    return detect(tmp_path_factory.mktemp("ev"), rows)


def test_csv_round_trip(events: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "out" / "events.csv"
    write_events(events, path)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("event_id,event_type,mmsi,other_mmsi,start,end,lat,lon,port,")
    assert ",2026-01-05T02:00:00Z," in path.read_text(encoding="utf-8")
    back = read_events(path)
    assert back.select("event_type", "mmsi", "other_mmsi", "start", "end").equals(
        events.select("event_type", "mmsi", "other_mmsi", "start", "end")
    )
    assert not list(path.parent.glob(".*.tmp"))


def test_parquet_and_geojson(events: pl.DataFrame, tmp_path: Path) -> None:
    write_events(events, tmp_path / "e.parquet")
    assert read_events(tmp_path / "e.parquet").equals(events)
    write_events(events, tmp_path / "e.geojson")
    doc = orjson.loads((tmp_path / "e.geojson").read_bytes())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == events.height
    first = doc["features"][0]
    assert first["geometry"]["coordinates"] == [events["lon"][0], events["lat"][0]]
    assert first["properties"]["event_type"] == events["event_type"][0]
    assert to_geojson(events.clear())["features"] == []


def test_unknown_output_type(events: pl.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(AisInputError, match=r"events\.xlsx:--output: unknown output type '\.xlsx'"):
        write_events(events, tmp_path / "events.xlsx")


def test_finalise_refuses_an_event_that_ends_before_it_starts() -> None:
    from dprkwatch.maritime import load_ports
    from dprkwatch.maritime.engines.base import RAW_EVENTS
    from dprkwatch.maritime.events import finalise
    from dprkwatch.maritime.exceptions import InvalidEvents
    from dprkwatch.maritime.schema import conform

    raw = conform(
        pl.DataFrame(
            {
                "event_type": ["loitering", "identity_change"],
                "mmsi": [412000001, 667000002],
                "start_us": [0, 120 * 3_600_000_000],
                "end_us": [3_600_000_000, 1 * 3_600_000_000],
            }
        ),
        RAW_EVENTS,
    )
    ports = load_ports(None)
    with pytest.raises(InvalidEvents, match=r"1 event\(s\) end before they start.*identity_change"):
        finalise(raw, ports)
    assert finalise(raw.head(1), ports).height == 1


def test_event_ids_are_stable_and_distinct(events: pl.DataFrame, tmp_path: Path) -> None:
    ids = events["event_id"].to_list()
    assert len(set(ids)) == len(ids) and all(len(i) == 12 for i in ids)
    start = T0 + timedelta(hours=2)
    rows = stay(412000001, start, 5.0, SEA) + stay(412000002, start, 5.0, offset(SEA, east_km=0.2))
    assert detect(tmp_path, rows)["event_id"].to_list() == ids  # same events, same ids
