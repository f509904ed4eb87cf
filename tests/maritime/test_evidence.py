"""Evidence files: the track excerpt as GeoJSON and KML, and a PNG map, for one event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import orjson
import polars as pl

from dprkwatch.maritime import load_ports
from dprkwatch.maritime.evidence import excerpt, export, to_geojson, to_kml, vessels_of
from tests.maritime.factory import PORTS_CSV, SEA, T0, frame, stay

KML = "{http://www.opengis.net/kml/2.2}"


def _day(rows: list[dict[str, object]]) -> pl.DataFrame:
    return frame(rows).rename({"timestamp": "ts"}).sort(["mmsi", "ts"])


def _event(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": "abc123abc123",
        "event_type": "encounter",
        "mmsi": 412000001,
        "other_mmsi": 412000002,
        "start": T0 + timedelta(hours=1),
        "end": T0 + timedelta(hours=3),
        "lat": SEA[0],
        "lon": SEA[1],
        "detail": "close in 13 ten-minute buckets, mean distance 200 m",
    }
    return {**base, **kw}


def test_excerpt_takes_the_vessels_around_the_event() -> None:
    rows = (
        stay(412000001, T0, 12.0, SEA)
        + stay(412000002, T0, 12.0, SEA)
        + stay(412000009, T0, 12.0, SEA)
    )
    ex = excerpt(_event(), [_day(rows)], margin=timedelta(hours=2))
    assert sorted(ex.positions["mmsi"].unique().to_list()) == [412000001, 412000002]
    assert ex.positions["ts"].max() == T0 + timedelta(hours=5)
    inside = ex.positions.filter(pl.col("in_window"))["ts"]
    assert inside.min() == T0 + timedelta(hours=1) and inside.max() == T0 + timedelta(hours=3)
    chain = _event(
        event_type="transfer_chain", detail="412000001 -> 412000005 -> 412000002 (2 encounters)"
    )
    assert vessels_of(chain) == [412000001, 412000002, 412000005]


def test_tracks_across_the_antimeridian_are_cut_in_geojson() -> None:
    west = stay(412000001, T0, 2.0, (52.0, 179.999), wobble_m=0.0)
    east = stay(412000001, T0 + timedelta(hours=2, minutes=5), 2.0, (52.0, -179.999), wobble_m=0.0)
    ex = excerpt(_event(other_mmsi=None, lon=180.0, lat=52.0), [_day(west + east)])
    doc = to_geojson(ex)
    track = doc["features"][0]
    assert track["geometry"]["type"] == "MultiLineString"
    assert [len(p) for p in track["geometry"]["coordinates"]] == [len(west), len(east)]
    assert doc["features"][1]["properties"]["start"] == "2026-01-05T01:00:00Z"


def test_kml_and_png(tmp_path: Path) -> None:
    rows = stay(412000001, T0, 4.0, SEA) + stay(412000002, T0, 4.0, SEA)
    ex = excerpt(_event(), [_day(rows)])
    root = ElementTree.fromstring(to_kml(ex))
    marks = root.findall(f".//{KML}Placemark")
    assert [m.findtext(f"{KML}name") for m in marks] == [
        "MMSI 412000001",
        "MMSI 412000002",
        "encounter",
    ]
    assert marks[2].findtext(f".//{KML}begin") == "2026-01-05T01:00:00Z"
    paths = export(ex, tmp_path / "out", load_ports(PORTS_CSV))
    assert [p.name for p in paths] == [
        "abc123abc123.geojson",
        "abc123abc123.kml",
        "abc123abc123.png",
    ]
    png = paths[2].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1753, 1240)  # A4 landscape at 150 dpi
    assert orjson.loads(paths[0].read_bytes())["type"] == "FeatureCollection"
