"""From raw columns of any type to clean positions and static reports, counting every loss.

Readers hand over a frame whose columns already carry the canonical names
(``mmsi, ts, lat, lon, sog, cog`` and optionally ``imo, name, callsign, flag``)
plus ``_line``, the row's line number in its file. Values may be strings,
numbers or timestamps. This module parses them, checks them against what AIS
can physically report, and sorts every row into *kept* or *skipped because*.
All of it is vectorised Polars; no Python loop touches a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
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


def _epoch(seconds: pl.Expr) -> pl.Expr:
    # Epoch seconds; values above 1e11 can only be milliseconds.
    us = pl.when(seconds.abs() > 1e11).then(seconds * 1_000.0).otherwise(seconds * 1_000_000.0)
    return (
        us.round(0).cast(pl.Int64, strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    )


def _text_ts(text: pl.Expr, fmt: str) -> pl.Expr:
    return text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")


def _any_ts(text: pl.Expr) -> pl.Expr:
    """Every accepted spelling, first match wins (ISO, slashes, day first, epoch)."""
    candidates = [_text_ts(text, fmt) for fmt, _tz in _TS_FORMATS]
    candidates.append(_epoch(text.cast(pl.Float64, strict=False)))
    return pl.coalesce(candidates)


def sniff_ts_format(values: pl.Series) -> str | None:
    """The accepted format that reads the most of a sample of text timestamps."""
    sample = values.drop_nulls().str.strip_chars().head(200)
    sample = sample.filter(sample != "")
    if sample.is_empty():
        return None
    best, best_n = None, 0
    for fmt, _tz in _TS_FORMATS:
        n = sample.to_frame("t").select(_text_ts(pl.col("t"), fmt).is_not_null().sum()).item()
        if n > best_n:
            best, best_n = fmt, int(n)
    return best


def parse_ts(values: pl.Series, fmt: str | None = None) -> pl.Series:
    """UTC microsecond timestamps from any column type.

    Datetimes keep their instant (no zone means UTC); numbers are epoch
    seconds or milliseconds; text is tried with ``fmt`` first (the layout's
    own format, or the one a sample reads best) and, only for the rows that
    fail it, with every accepted spelling.
    """
    dtype = values.dtype
    frame = values.to_frame("v")
    col = pl.col("v")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            expr = col.dt.replace_time_zone("UTC").dt.cast_time_unit("us")
        else:
            expr = col.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
        return frame.select(expr).to_series()
    if isinstance(dtype, pl.Date):
        return frame.select(col.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")).to_series()
    if dtype.is_numeric():
        return frame.select(_epoch(col.cast(pl.Float64))).to_series()
    text = frame.select(col.cast(pl.String).str.strip_chars()).to_series()
    fmt = fmt or sniff_ts_format(text)
    if fmt is None:
        return text.to_frame("t").select(_any_ts(pl.col("t"))).to_series()
    first = text.to_frame("t").select(_text_ts(pl.col("t"), fmt)).to_series()
    failed = first.is_null() & text.is_not_null() & (text != "")
    if not failed.any():
        return first
    retry = text.filter(failed).to_frame("t").select(_any_ts(pl.col("t"))).to_series()
    return first.scatter(failed.arg_true(), retry)


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
    static_rows: pl.DataFrame
    """The rows that carry a static field (name, IMO, call sign, flag) with a usable MMSI and
    time, not cleaned yet: :func:`static_reports` makes them reports, a step of its own so
    that a reader can run it beside the positions."""


_MMSI_OK = (
    pl.col("_mmsi").is_not_null()
    & (pl.col("_mmsi") == pl.col("_mmsi").floor())
    & (pl.col("_mmsi") >= 1)
    & (pl.col("_mmsi") <= 999_999_999)
)


def _reason(present: list[pl.Expr]) -> pl.Expr:
    """Why a row is no position: the first problem found, in the documented order."""
    mmsi_ok = pl.col("_mmsi").is_not_null() & (pl.col("_mmsi") == pl.col("_mmsi").floor())
    unparseable = (
        ~mmsi_ok | pl.col("ts").is_null() | pl.col("lat").is_null() | pl.col("lon").is_null()
    )
    return (
        pl.when(~pl.all_horizontal(present))
        .then(pl.lit("missing_value"))
        .when(unparseable)
        .then(pl.lit("unparseable"))
        .when((pl.col("_mmsi") < 1) | (pl.col("_mmsi") > 999_999_999))
        .then(pl.lit("bad_mmsi"))
        .when(pl.col("ts").dt.epoch("us") < _MIN_TS_US)
        .then(pl.lit("bad_timestamp"))
        .when((pl.col("lat") == 91.0) | (pl.col("lon") == 181.0))
        .then(pl.lit("position_unavailable"))
        .when(_BAD_COORDS)
        .then(pl.lit("bad_coordinates"))
        .otherwise(pl.lit("bad_speed"))
    )


_BAD_COORDS = (
    (pl.col("lat").abs() > 90.0)
    | (pl.col("lon").abs() > 180.0)
    | ~pl.col("lat").is_finite()
    | ~pl.col("lon").is_finite()
)
_BAD_SPEED = (
    (pl.col("sog") < 0)
    | ((pl.col("sog") > 102.2) & (pl.col("sog") != 102.3))
    | pl.col("sog").is_nan()
)
_COURSE_NA = (pl.col("cog") >= 360.0) | (pl.col("cog") < 0) | pl.col("cog").is_nan()


def _parse(frame: pl.DataFrame, ts_format: str | None) -> pl.DataFrame:
    """Every canonical column parsed to its type (unparseable values become nulls)."""
    types = frame.schema
    static_only = (
        pl.col("_static_only").fill_null(False) if "_static_only" in types else pl.lit(False)
    )
    return frame.select(
        pl.col("_line").cast(pl.Int64),
        static_only.alias("_static_only"),
        _number(pl.col("mmsi"), types["mmsi"]).alias("_mmsi"),
        pl.lit(parse_ts(frame["ts"], ts_format)).alias("ts"),
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


_NUMERIC = ("mmsi", "lat", "lon", "sog", "cog")


def _pieces(values: pl.Series) -> list[np.ndarray]:
    """The chunks of a column without nulls as numpy arrays, read in place (no copy).

    A batch of a Parquet file is in pieces, one per row group; a whole-column
    ``to_numpy`` would first copy them into one array.
    """
    return [chunk.to_numpy() for chunk in values.get_chunks()]


def _flags(values: pl.Series, test: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
    """The rows of ``values`` (no nulls) where ``test`` is true, or None when there are none."""
    found: list[np.ndarray] = []
    offset = 0
    for piece in _pieces(values):
        hits = np.flatnonzero(test(piece))
        if len(hits):
            found.append(hits + offset)
        offset += len(piece)
    return np.concatenate(found) if found else None


def _typed(
    frame: pl.DataFrame, source: str, quality: Quality, *, count_rows: bool
) -> Normalised | None:
    """The common case of typed files (Parquet), checked with numpy masks; None otherwise.

    When the MMSI is an integer column, the time a timestamp column, the
    coordinates, speed and course float columns, none of them with nulls, and
    every row passes every check, the batch needs no parsing: one pass of
    comparisons over arrays that numpy reads in place, and the columns are
    kept as they are. Anything else (text, nulls, a rejected row, NMEA static
    messages) returns None and takes the general path, which also works out
    the reason for each rejected row; so both paths give identical results.
    Static reports are parsed for the rows that carry one only.
    """
    types = frame.schema
    if frame.height == 0 or "_static_only" in types:
        return None
    ts_type = types["ts"]
    if not (
        types["mmsi"].is_integer()
        and isinstance(ts_type, pl.Datetime)
        and all(types[c].is_float() for c in _NUMERIC[1:] if c in types)
    ):
        return None
    present = [c for c in (*REQUIRED, "sog", "cog") if c in types]
    if any(frame[c].null_count() for c in present):
        return None
    ts = frame["ts"].dt.cast_time_unit("us")
    lat, lon = frame["lat"].cast(pl.Float64), frame["lon"].cast(pl.Float64)
    sog = frame["sog"].cast(pl.Float64) if "sog" in types else None
    # Comparisons with NaN are false, so these also reject non-finite values.
    checks: list[tuple[pl.Series, Callable[[np.ndarray], np.ndarray]]] = [
        (frame["mmsi"], lambda m: (m >= 1) & (m <= 999_999_999)),
        (ts.to_physical(), lambda t: t >= _MIN_TS_US),
        (lat, lambda v: np.abs(v) <= 90.0),
        (lon, lambda v: np.abs(v) <= 180.0),
    ]
    if sog is not None:
        checks.append((sog, lambda v: ((v >= 0.0) & (v <= 102.2)) | (v == 102.3)))
    if not all(bool(ok(values).all()) for column, ok in checks for values in _pieces(column)):
        return None
    if count_rows:
        quality.rows_read += frame.height
    lines = frame["_line"].cast(pl.Int64)
    columns = [
        frame["mmsi"].cast(pl.Int32),
        ts.dt.convert_time_zone("UTC")
        if ts_type.time_zone is not None
        else ts.dt.replace_time_zone("UTC"),
        lat,
        lon,
    ]
    cog = frame["cog"].cast(pl.Float64) if "cog" in types else None
    for name, values, note in (
        ("sog", sog, "speed_unavailable"),
        ("cog", cog, "course_unavailable"),
    ):
        if values is None:
            columns.append(pl.Series(name, [], pl.Float32).extend_constant(None, frame.height))
            continue
        na = _flags(
            values,
            (lambda v: v == 102.3)
            if name == "sog"
            else (lambda v: (v >= 360.0) | (v < 0.0) | np.isnan(v)),
        )
        column = values.cast(pl.Float32)
        if na is not None:
            quality.note(note, len(na), _where(lines.gather(na[:5]).to_frame("_line"), source))
            column = column.scatter(na, None)
        columns.append(column)
    positions = pl.DataFrame([*columns, lines.alias("_line")])
    carries = [frame[c].is_not_null() for c in schema.STATIC_FIELDS if c in types]
    static = pl.DataFrame(schema=_STATIC_ROWS)
    if carries:
        mask = carries[0]
        for more in carries[1:]:
            mask |= more
        if mask.any():
            static = _static_rows(_parse(frame.filter(mask), None))
    return Normalised(positions=positions, static_rows=static)


def normalise(
    frame: pl.DataFrame,
    source: str,
    quality: Quality,
    *,
    count_rows: bool = True,
    ts_format: str | None = None,
) -> Normalised:
    """Parse and check one batch; count every dropped row in ``quality``.

    Rows flagged ``_static_only`` (NMEA static messages) feed the static
    reports only. ``count_rows=False`` when the reader has counted rows itself.
    ``ts_format`` is the layout's own timestamp format, tried first.

    Every check is one column expression over the batch. The reason for a
    rejected row is worked out only for the rejected rows, so a clean batch
    costs one pass of comparisons.
    """
    typed = _typed(frame, source, quality, count_rows=count_rows)
    if typed is not None:
        return typed
    if count_rows:
        quality.rows_read += frame.height
    if frame.height == 0:
        return Normalised(
            schema.empty(schema.POSITIONS).with_columns(pl.lit(0, pl.Int64).alias("_line")).clear(),
            pl.DataFrame(schema=_STATIC_ROWS),
        )
    types = frame.schema
    parsed = _parse(frame, ts_format)
    bad_position = (
        ~_MMSI_OK
        | pl.col("ts").is_null()
        | pl.col("lat").is_null()
        | pl.col("lon").is_null()
        | (pl.col("ts").dt.epoch("us") < _MIN_TS_US)
        | (pl.col("lat") == 91.0)
        | (pl.col("lon") == 181.0)
        | _BAD_COORDS
        | _BAD_SPEED.fill_null(False)
    ).fill_null(True)
    flags = parsed.select(
        (bad_position & ~pl.col("_static_only")).alias("bad"),
        (bad_position | pl.col("_static_only")).alias("drop"),
    )
    bad, drop = flags["bad"], flags["drop"]
    if bad.any():
        present = [_present(pl.col(f"_raw_{c}"), types[c]) for c in REQUIRED]
        rejected = parsed.filter(bad).with_columns(
            frame.select(pl.col(c).alias(f"_raw_{c}") for c in REQUIRED).filter(bad)
        )
        _count_reasons(rejected.select(_reason(present).alias("_reason"), "_line"), source, quality)

    static = _static_rows(parsed)

    good = parsed.filter(~drop) if drop.any() else parsed
    marks = good.select(
        (pl.col("sog") == 102.3).fill_null(False).alias("speed_na"),
        (pl.col("cog").is_not_null() & _COURSE_NA).fill_null(False).alias("course_na"),
    )
    for note, mask in (
        ("speed_unavailable", marks["speed_na"]),
        ("course_unavailable", marks["course_na"]),
    ):
        n = int(mask.sum())
        if n:
            quality.note(note, n, _where(good.select("_line").filter(mask), source))
    positions = good.select(
        pl.col("_mmsi").cast(pl.Int32).alias("mmsi"),
        pl.col("ts"),
        pl.col("lat"),
        pl.col("lon"),
        pl.when(pl.col("sog") == 102.3)
        .then(None)
        .otherwise(pl.col("sog"))
        .cast(pl.Float32)
        .alias("sog"),
        pl.when(_COURSE_NA).then(None).otherwise(pl.col("cog")).cast(pl.Float32).alias("cog"),
        pl.col("_line"),
    )
    return Normalised(positions=positions, static_rows=static)


def _where(frame: pl.DataFrame, source: str, limit: int = 5) -> list[str]:
    return [f"{source}:{line}" for line in frame["_line"].head(limit).to_list()]


def _count_reasons(reasons: pl.DataFrame, source: str, quality: Quality) -> None:
    for (reason,), group in reasons.group_by("_reason", maintain_order=True):
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


def _cleaned(values: pl.Series, clean: Any) -> pl.Series:
    """``clean`` applied to each distinct value once (identity fields repeat on every report)."""
    distinct = values.unique()
    cleaned = distinct.to_frame("v").select(clean(pl.col("v"))).to_series()
    return values.replace_strict(distinct, cleaned, default=None, return_dtype=pl.String)


_STATIC_ROWS: dict[str, pl.DataType] = {
    "_mmsi": pl.Float64(),
    "ts": pl.Datetime("us", "UTC"),
    **{c: pl.String() for c in ("imo", "name", "callsign", "flag")},
    "_line": pl.Int64(),
}


def _static_rows(parsed: pl.DataFrame) -> pl.DataFrame:
    """The :attr:`Normalised.static_rows` of ``parsed`` (:func:`_parse` columns)."""
    carries = pl.any_horizontal(
        [pl.col(c).is_not_null() for c in ("imo", "name", "callsign", "flag")]
    )
    return parsed.select("_mmsi", "ts", "imo", "name", "callsign", "flag", "_line").filter(
        carries & _MMSI_OK.fill_null(False) & pl.col("ts").is_not_null()
    )


def static_reports(valid_key: pl.DataFrame, quality: Quality, source: str) -> pl.DataFrame:
    """Static reports (:data:`schema.STATIC`) of a batch's :attr:`Normalised.static_rows`:
    fields cleaned, rows left with none dropped, bad IMOs noted in ``quality``."""
    if valid_key.height == 0:
        return schema.empty(schema.STATIC)
    cleaned = valid_key.select(
        pl.col("_mmsi").cast(pl.Int32).alias("mmsi"),
        pl.col("ts"),
        _cleaned(valid_key["imo"], clean_imo).alias("imo"),
        pl.col("imo").alias("_imo_raw"),
        _cleaned(valid_key["name"], clean_name).alias("name"),
        _cleaned(valid_key["callsign"], clean_name).alias("callsign"),
        _cleaned(valid_key["flag"], clean_name).alias("flag"),
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
