"""From raw columns of any type to clean positions and static reports, counting every loss.

Readers hand over a frame whose columns already carry the canonical names
(``mmsi, ts, lat, lon, sog, cog`` and optionally ``imo, name, callsign, flag``)
plus ``_line``, the row's line number in its file. Values may be strings,
numbers or timestamps. This module parses them, checks them against what AIS
can physically report, and sorts every row into *kept* or *skipped because*.
All of it is vectorised Polars; no Python loop touches a row.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.ingest.quality import Quality

REQUIRED = ("mmsi", "ts", "lat", "lon")

# Column names seen in the wild, lower-cased, mapped to ours.
ALIASES: dict[str, str] = {
    "mmsi": "mmsi",
    "userid": "mmsi",
    "ssvid": "mmsi",
    "timestamp": "ts",
    "time": "ts",
    "ts": "ts",
    "datetime": "ts",
    "basedatetime": "ts",
    "date_time_utc": "ts",
    "timestamp_utc": "ts",
    "# timestamp": "ts",
    "lat": "lat",
    "latitude": "lat",
    "latitude_degrees": "lat",
    "y": "lat",
    "lon": "lon",
    "lng": "lon",
    "long": "lon",
    "longitude": "lon",
    "longitude_degrees": "lon",
    "x": "lon",
    "sog": "sog",
    "speed": "sog",
    "sog_knots": "sog",
    "speed_knots": "sog",
    "cog": "cog",
    "course": "cog",
    "cog_degrees": "cog",
    "imo": "imo",
    "imo_number": "imo",
    "imonumber": "imo",
    "name": "name",
    "vesselname": "name",
    "vessel_name": "name",
    "shipname": "name",
    "ship_name": "name",
    "callsign": "callsign",
    "call_sign": "callsign",
    "flag": "flag",
    "flag_state": "flag",
}

_TS_FORMATS = (
    ("%Y-%m-%d %H:%M:%S%.f", False),
    ("%Y-%m-%dT%H:%M:%S%.f", False),
    ("%Y-%m-%dT%H:%M:%S%.f%#z", True),
    ("%Y-%m-%d %H:%M:%S%.f%#z", True),
    ("%Y/%m/%d %H:%M:%S%.f", False),
    ("%d/%m/%Y %H:%M:%S%.f", False),
)
_MIN_TS_US = 788_918_400_000_000  # 1995-01-01T00:00:00Z


def map_columns(names: list[str]) -> dict[str, str]:
    """``{source column: canonical column}`` for the columns we recognise (first wins)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        canon = ALIASES.get(name.strip().lower())
        if canon and canon not in taken:
            mapping[name] = canon
            taken.add(canon)
    return mapping


def _parse_ts(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return col.dt.replace_time_zone("UTC").dt.cast_time_unit("us")
        return col.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if isinstance(dtype, pl.Date):
        return col.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if dtype.is_numeric():
        return _epoch(col.cast(pl.Float64))
    text = col.cast(pl.String).str.strip_chars()
    candidates = [
        text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
        for fmt, _tz in _TS_FORMATS
    ]
    numeric = text.cast(pl.Float64, strict=False)
    candidates.append(_epoch(numeric))
    return pl.coalesce(candidates)


def _epoch(seconds: pl.Expr) -> pl.Expr:
    # Epoch seconds; values above 1e11 can only be milliseconds.
    us = pl.when(seconds.abs() > 1e11).then(seconds * 1_000.0).otherwise(seconds * 1_000_000.0)
    return (
        us.round(0).cast(pl.Int64, strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    )


def _number(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_numeric():
        return col.cast(pl.Float64)
    return col.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


def _present(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        return col.is_not_null() & (col.str.strip_chars() != "")
    return col.is_not_null()


@dataclass
class Normalised:
    positions: pl.DataFrame
    """Clean positions: :data:`schema.POSITIONS` plus ``_line``."""
    static: pl.DataFrame
    """Static reports: :data:`schema.STATIC`."""


def normalise(
    frame: pl.DataFrame, source: str, quality: Quality, *, count_rows: bool = True
) -> Normalised:
    """Parse and check one batch; count every dropped row in ``quality``.

    Rows flagged ``_static_only`` (NMEA static messages) feed the static
    reports only. ``count_rows=False`` when the reader has counted rows itself.
    """
    if count_rows:
        quality.rows_read += frame.height
    if frame.height == 0:
        return Normalised(
            schema.empty(schema.POSITIONS).with_columns(pl.lit(0, pl.Int64).alias("_line")).clear(),
            schema.empty(schema.STATIC),
        )
    types = frame.schema
    static_only = (
        pl.col("_static_only").fill_null(False) if "_static_only" in types else pl.lit(False)
    )
    parsed = frame.select(
        pl.col("_line").cast(pl.Int64),
        static_only.alias("_static_only"),
        *[_present(pl.col(c), types[c]).alias(f"_has_{c}") for c in REQUIRED],
        _number(pl.col("mmsi"), types["mmsi"]).alias("_mmsi_f"),
        _parse_ts(pl.col("ts"), types["ts"]).alias("ts"),
        _number(pl.col("lat"), types["lat"]).alias("lat"),
        _number(pl.col("lon"), types["lon"]).alias("lon"),
        (
            _number(pl.col("sog"), types["sog"]) if "sog" in types else pl.lit(None, pl.Float64)
        ).alias("sog"),
        (
            _number(pl.col("cog"), types["cog"]) if "cog" in types else pl.lit(None, pl.Float64)
        ).alias("cog"),
        *[
            (pl.col(c).cast(pl.String) if c in types else pl.lit(None, pl.String)).alias(c)
            for c in ("imo", "name", "callsign", "flag")
        ],
    )
    mmsi_ok = pl.col("_mmsi_f").is_not_null() & (pl.col("_mmsi_f") == pl.col("_mmsi_f").floor())
    missing = ~pl.all_horizontal([pl.col(f"_has_{c}") for c in REQUIRED])
    unparseable = (
        ~mmsi_ok | pl.col("ts").is_null() | pl.col("lat").is_null() | pl.col("lon").is_null()
    )
    bad_mmsi = (pl.col("_mmsi_f") < 1) | (pl.col("_mmsi_f") > 999_999_999)
    bad_ts = pl.col("ts").dt.epoch("us") < _MIN_TS_US
    unavailable = (pl.col("lat") == 91.0) | (pl.col("lon") == 181.0)
    bad_coords = (
        (pl.col("lat").abs() > 90.0)
        | (pl.col("lon").abs() > 180.0)
        | ~pl.col("lat").is_finite()
        | ~pl.col("lon").is_finite()
    )
    bad_speed = (
        (pl.col("sog") < 0)
        | ((pl.col("sog") > 102.2) & (pl.col("sog") != 102.3))
        | pl.col("sog").is_nan()
    )
    reason = (
        pl.when(missing)
        .then(pl.lit("missing_value"))
        .when(unparseable)
        .then(pl.lit("unparseable"))
        .when(bad_mmsi)
        .then(pl.lit("bad_mmsi"))
        .when(bad_ts)
        .then(pl.lit("bad_timestamp"))
        .when(unavailable)
        .then(pl.lit("position_unavailable"))
        .when(bad_coords)
        .then(pl.lit("bad_coordinates"))
        .when(bad_speed)
        .then(pl.lit("bad_speed"))
        .otherwise(pl.lit(None, pl.String))
    )
    reason = pl.when(pl.col("_static_only")).then(pl.lit("_static")).otherwise(reason)
    parsed = parsed.with_columns(reason.alias("_reason"))
    _count_reasons(parsed, source, quality)

    # Static data: any row with a valid MMSI and time that carries identity fields.
    static = _static_reports(parsed, quality, source)

    good = parsed.filter(pl.col("_reason").is_null())
    speed_na = good.filter(pl.col("sog") == 102.3)
    quality.note("speed_unavailable", speed_na.height, _where(speed_na, source))
    course_na = good.filter(
        pl.col("cog").is_not_null()
        & ((pl.col("cog") >= 360.0) | (pl.col("cog") < 0) | pl.col("cog").is_nan())
    )
    quality.note("course_unavailable", course_na.height, _where(course_na, source))
    positions = good.select(
        pl.col("_mmsi_f").cast(pl.Int32).alias("mmsi"),
        pl.col("ts"),
        pl.col("lat"),
        pl.col("lon"),
        pl.when(pl.col("sog") == 102.3)
        .then(None)
        .otherwise(pl.col("sog"))
        .cast(pl.Float32)
        .alias("sog"),
        pl.when((pl.col("cog") >= 360.0) | (pl.col("cog") < 0) | pl.col("cog").is_nan())
        .then(None)
        .otherwise(pl.col("cog"))
        .cast(pl.Float32)
        .alias("cog"),
        pl.col("_line"),
    )
    return Normalised(positions=positions, static=static)


def _where(frame: pl.DataFrame, source: str, limit: int = 5) -> list[str]:
    return [f"{source}:{line}" for line in frame["_line"].head(limit).to_list()]


def _count_reasons(parsed: pl.DataFrame, source: str, quality: Quality) -> None:
    bad = parsed.filter(pl.col("_reason").is_not_null() & (pl.col("_reason") != "_static")).select(
        "_reason", "_line"
    )
    if bad.height == 0:
        return
    for (reason,), group in bad.group_by("_reason", maintain_order=True):
        quality.skip(str(reason), group.height, _where(group, source))


def clean_name(col: pl.Expr) -> pl.Expr:
    """AIS text fields: '@' padding removed, upper case, single spaces, empty as null."""
    cleaned = (
        col.str.replace_all("@", " ", literal=True)
        .str.to_uppercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def clean_imo(col: pl.Expr) -> pl.Expr:
    """Digits of an IMO field; ``None`` unless exactly seven digits and not all zero."""
    digits = col.str.replace_all(r"(?i)^\s*imo\s*", "").str.strip_chars().str.replace(r"\.0+$", "")
    ok = digits.str.contains(r"^[0-9]{7}$") & (digits != "0000000")
    return pl.when(ok).then(digits).otherwise(None)


def _static_reports(parsed: pl.DataFrame, quality: Quality, source: str) -> pl.DataFrame:
    valid_key = parsed.filter(
        pl.col("_mmsi_f").is_not_null()
        & (pl.col("_mmsi_f") >= 1)
        & (pl.col("_mmsi_f") <= 999_999_999)
        & (pl.col("_mmsi_f") == pl.col("_mmsi_f").floor())
        & pl.col("ts").is_not_null()
    )
    if valid_key.height == 0:
        return schema.empty(schema.STATIC)
    cleaned = valid_key.select(
        pl.col("_mmsi_f").cast(pl.Int32).alias("mmsi"),
        pl.col("ts"),
        clean_imo(pl.col("imo")).alias("imo"),
        pl.col("imo").alias("_imo_raw"),
        clean_name(pl.col("name")).alias("name"),
        clean_name(pl.col("callsign")).alias("callsign"),
        clean_name(pl.col("flag")).alias("flag"),
        pl.col("_line"),
    )
    raw_imo_present = (
        pl.col("_imo_raw").is_not_null()
        & (pl.col("_imo_raw").str.strip_chars() != "")
        & ~pl.col("_imo_raw").str.strip_chars().is_in(["0", "0.0"])
    )
    bad_imo = cleaned.filter(raw_imo_present & pl.col("imo").is_null())
    quality.note("bad_imo", bad_imo.height, _where(bad_imo, source))
    reports = cleaned.filter(
        pl.any_horizontal([pl.col(c).is_not_null() for c in schema.STATIC_FIELDS])
    )
    quality.static_reports += reports.height
    return schema.conform(reports, schema.STATIC)
