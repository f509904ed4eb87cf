"""Column names and types of the three tables the maritime layer passes around.

* **positions**: one AIS position report per row, sorted by ``(mmsi, ts)``
  within each UTC day partition of the store;
* **static**: identity reports (name, IMO, call sign, flag) with their time;
* **events**: what the detectors found (the ``detect --output`` CSV).

Readers turn any input into these columns; engines read and write nothing
else. Keeping the types fixed (Int32 MMSI, microsecond UTC timestamps,
Float64 coordinates, Float32 speed/course) is what lets two engines produce
byte-identical event tables.
"""

from __future__ import annotations

from typing import Final

import polars as pl

TS_TYPE: Final = pl.Datetime("us", "UTC")

POSITIONS: Final[dict[str, pl.DataType]] = {
    "mmsi": pl.Int32(),
    "ts": TS_TYPE,
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "sog": pl.Float32(),
    "cog": pl.Float32(),
}

STATIC: Final[dict[str, pl.DataType]] = {
    "mmsi": pl.Int32(),
    "ts": TS_TYPE,
    "imo": pl.String(),
    "name": pl.String(),
    "callsign": pl.String(),
    "flag": pl.String(),
}
STATIC_FIELDS: Final = ("imo", "name", "callsign", "flag")

EVENT_TYPES: Final = (
    "encounter",
    "loitering",
    "dark_gap",
    "port_call",
    "spoofing",
    "identity_change",
    "identity_shared",
    "transfer_chain",
)

EVENTS: Final[dict[str, pl.DataType]] = {
    "event_id": pl.String(),
    "event_type": pl.String(),
    "mmsi": pl.Int32(),
    "other_mmsi": pl.Int32(),
    "start": TS_TYPE,
    "end": TS_TYPE,
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "port": pl.String(),
    # --- details ---
    "port_country": pl.String(),
    "dprk_port": pl.Boolean(),
    "confidence": pl.Int8(),
    "duration_hours": pl.Float64(),
    "distance_km": pl.Float64(),
    "points": pl.Int64(),
    "detail": pl.String(),
}
"""Event columns in output order. ``event_id`` is stable for the same event
(a digest of its type, vessels, times and port), so evidence can be asked for
by id. ``detail`` is a short human-readable note (e.g. ``name: KUM UN SAN ->
SKY ANGEL``); the numeric details have columns."""


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast ``frame`` to exactly the columns of ``schema`` (missing ones as nulls)."""
    cols = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(cols)
