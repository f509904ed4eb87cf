"""Builders for maritime tests: hand-made tracks, stores and detection runs.

Tracks are placed around two fictional ports of ``fixtures/maritime/ports.csv``
(TEST HARBOUR at 35N 125E, SECOND HARBOUR at 34N 127E) and an open-sea
spot ``SEA`` (33N 123E) more than 200 km from every port, bundled DPRK
ports included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from dprkwatch.maritime import PositionStore, Rules, ingest, load_ports, run_detection
from dprkwatch.maritime.geo import KM_PER_DEG, KM_PER_NM

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "maritime"
PORTS_CSV = FIXTURES / "ports.csv"
T0 = datetime(2026, 1, 5, tzinfo=UTC)
SEA = (33.0, 123.0)
HARBOUR = (35.0, 125.0)
NAMPO = (38.72, 125.39)

Row = dict[str, Any]


def offset(
    point: tuple[float, float], north_km: float = 0.0, east_km: float = 0.0
) -> tuple[float, float]:
    lat, lon = point
    return lat + north_km / KM_PER_DEG, lon + east_km / (KM_PER_DEG * math.cos(math.radians(lat)))


def stay(
    mmsi: int,
    start: datetime,
    hours: float,
    at: tuple[float, float],
    *,
    every_min: float = 5.0,
    sog: float = 0.3,
    wobble_m: float = 15.0,
) -> list[Row]:
    """A vessel sitting (drifting slightly) at one spot, reporting every ``every_min`` minutes."""
    n = int(hours * 60 / every_min) + 1
    rows = []
    for i in range(n):
        north = wobble_m / 1000.0 * math.sin(i * 0.7)
        east = wobble_m / 1000.0 * math.cos(i * 1.3)
        lat, lon = offset(at, north, east)
        rows.append(
            {
                "mmsi": mmsi,
                "timestamp": start + timedelta(minutes=i * every_min),
                "lat": lat,
                "lon": lon,
                "sog": sog,
                "cog": 0.0,
            }
        )
    return rows


def sail(
    mmsi: int,
    start: datetime,
    a: tuple[float, float],
    b: tuple[float, float],
    knots: float = 12.0,
    *,
    every_min: float = 5.0,
    include_end: bool = True,
) -> list[Row]:
    """A straight run from ``a`` to ``b`` at ``knots``."""
    km = math.dist(
        (a[0] * KM_PER_DEG, a[1] * KM_PER_DEG * math.cos(math.radians(a[0]))),
        (b[0] * KM_PER_DEG, b[1] * KM_PER_DEG * math.cos(math.radians(a[0]))),
    )
    hours = km / (knots * KM_PER_NM)
    n = max(1, int(hours * 60 / every_min))
    rows = []
    for i in range(n + (1 if include_end else 0)):
        f = min(1.0, i / n)
        rows.append(
            {
                "mmsi": mmsi,
                "timestamp": start + timedelta(hours=hours * f),
                "lat": a[0] + f * (b[0] - a[0]),
                "lon": a[1] + f * (b[1] - a[1]),
                "sog": knots,
                "cog": 90.0,
            }
        )
    return rows


def end_of(rows: list[Row]) -> datetime:
    return max(r["timestamp"] for r in rows)


def frame(rows: Iterable[Row]) -> pl.DataFrame:
    data = list(rows)
    columns = ["mmsi", "timestamp", "lat", "lon", "sog", "cog", "imo", "name", "flag"]
    return pl.DataFrame(
        [{c: r.get(c) for c in columns} for r in data],
        schema={
            "mmsi": pl.Int64,
            "timestamp": pl.Datetime("us", "UTC"),
            "lat": pl.Float64,
            "lon": pl.Float64,
            "sog": pl.Float64,
            "cog": pl.Float64,
            "imo": pl.String,
            "name": pl.String,
            "flag": pl.String,
        },
    )


def store_of(tmp_path: Path, rows: Iterable[Row], name: str = "store") -> PositionStore:
    """A store holding ``rows`` (written as Parquet and ingested like any file)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = tmp_path / f"{name}.parquet"
    frame(rows).sort("timestamp", maintain_order=True).write_parquet(data)  # feed order
    store = PositionStore(tmp_path / name)
    ingest(store, [data])
    return store


def detect(
    tmp_path: Path,
    rows: Iterable[Row],
    rules: Rules | None = None,
    *,
    engine: str = "polars",
    ports: Path = PORTS_CSV,
) -> pl.DataFrame:
    """The published events for ``rows``."""
    store = store_of(tmp_path, rows)
    return run_detection(store, load_ports(ports), rules or Rules(), engine=engine).events


def of_type(events: pl.DataFrame, event_type: str) -> pl.DataFrame:
    return events.filter(pl.col("event_type") == event_type)
