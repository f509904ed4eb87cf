"""Events out: from an engine's raw numbers to the published table, CSV, Parquet, GeoJSON.

:func:`finalise` is the single place where port ids become names, detail
text is written, floats are rounded and rows are sorted. Engines only
produce raw numbers, so the embedded and Spark engines print identical
tables when their numbers agree to the rounding below (coordinates to
1e-5 degrees, about a metre; hours and km to 1e-3).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from dprkwatch import durable
from dprkwatch.maritime import schema
from dprkwatch.maritime.exceptions import AisInputError, InvalidEvents
from dprkwatch.maritime.ports import Ports
from dprkwatch.sources import unreadable

SORT_KEYS = ["event_type", "mmsi", "start", "other_mmsi", "end", "port", "detail"]
OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".geojson": "geojson", ".json": "geojson"}


def _us_to_ts(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _fmt(value: pl.Expr, decimals: int) -> pl.Expr:
    return value.round(decimals).cast(pl.String)


def finalise(raw: pl.DataFrame, ports: Ports) -> pl.DataFrame:
    """Raw engine rows to the published event table (:data:`schema.EVENTS`), sorted.

    Raises :class:`InvalidEvents` when a row ends before it starts: no
    detector may produce one, so such a row is a bug to stop at, not a
    number to publish.
    """
    backwards = raw.filter(pl.col("end_us") < pl.col("start_us"))
    if backwards.height:
        first = backwards.row(0, named=True)
        raise InvalidEvents(
            f"{backwards.height} event(s) end before they start, e.g. {first['event_type']} "
            f"of mmsi {first['mmsi']} ({first['start_us']} > {first['end_us']} us)"
        )
    port_names = ports.frame.select(
        pl.col("port_idx"),
        pl.col("port"),
        pl.col("country").alias("port_country"),
        pl.col("dprk").alias("dprk_port"),
        pl.col("lat").alias("_plat"),
        pl.col("lon").alias("_plon"),
    )
    df = raw.join(port_names, on="port_idx", how="left", maintain_order="left")
    is_port = pl.col("event_type") == "port_call"
    has_port_flag = is_port | (pl.col("event_type") == "transfer_chain")
    duration = ((pl.col("end_us") - pl.col("start_us")).cast(pl.Float64) / 3.6e9).round(3)
    detail = (
        pl.when(pl.col("event_type") == "encounter")
        .then(
            pl.format(
                "close in {} ten-minute buckets, mean distance {} m",
                pl.col("points"),
                (pl.col("distance_km") * 1000.0).round(0).cast(pl.Int64),
            )
        )
        .when(pl.col("event_type") == "loitering")
        .then(pl.format("mean speed {} kn", _fmt(pl.col("mean_sog"), 2)))
        .when(pl.col("event_type") == "dark_gap")
        .then(
            pl.format(
                "reappeared {} km away at {}, {}",
                _fmt(pl.col("distance_km"), 1),
                _fmt(pl.col("end_lat"), 5),
                _fmt(pl.col("end_lon"), 5),
            )
        )
        .when(is_port)
        .then(pl.when(pl.col("dprk_port")).then(pl.lit("DPRK port")).otherwise(pl.lit("")))
        .when(pl.col("event_type") == "spoofing")
        .then(
            pl.format(
                "{} impossible jumps, up to {} kn",
                pl.col("points"),
                pl.col("max_speed_kn").round(0).cast(pl.Int64),
            )
        )
        .when((pl.col("event_type") == "identity_change") & (pl.col("field") == "mmsi"))
        .then(
            pl.format(
                "IMO {}: mmsi {} -> {}", pl.col("imo"), pl.col("old_value"), pl.col("new_value")
            )
        )
        .when(pl.col("event_type") == "identity_change")
        .then(pl.format("{}: {} -> {}", pl.col("field"), pl.col("old_value"), pl.col("new_value")))
        .when((pl.col("event_type") == "identity_shared") & (pl.col("field") == "imo"))
        .then(
            pl.format(
                "IMO {}: broadcast by mmsi {} and {} at the same time",
                pl.col("imo"),
                pl.col("mmsi"),
                pl.col("other_mmsi"),
            )
        )
        .when(pl.col("event_type") == "identity_shared")
        .then(
            pl.format(
                "mmsi used by {} transmitters at once, {} km apart",
                pl.col("points"),
                _fmt(pl.col("distance_km"), 1),
            )
        )
        .when((pl.col("event_type") == "transfer_chain") & pl.col("port").is_not_null())
        .then(
            pl.format(
                "{} ({} encounters); DPRK port call at {} by {}",
                pl.col("new_value"),
                pl.col("points"),
                pl.col("port"),
                pl.col("old_value"),
            )
        )
        .when(pl.col("event_type") == "transfer_chain")
        .then(pl.format("{} ({} encounters)", pl.col("new_value"), pl.col("points")))
        .otherwise(pl.lit(""))
    )
    out = df.select(
        "event_type",
        "mmsi",
        "other_mmsi",
        _us_to_ts("start_us").alias("start"),
        _us_to_ts("end_us").alias("end"),
        pl.when(is_port).then(pl.col("_plat")).otherwise(pl.col("lat")).round(5).alias("lat"),
        pl.when(is_port).then(pl.col("_plon")).otherwise(pl.col("lon")).round(5).alias("lon"),
        "port",
        "port_country",
        pl.when(is_port)
        .then(pl.col("dprk_port"))
        .when(has_port_flag)
        .then(pl.col("dprk_port").fill_null(False))
        .otherwise(None)
        .alias("dprk_port"),
        "confidence",
        duration.alias("duration_hours"),
        pl.col("distance_km").round(3),
        "points",
        detail.alias("detail"),
    )
    out = out.with_columns(_event_ids(out))
    return schema.conform(out, schema.EVENTS).sort(SORT_KEYS, nulls_last=True)


def _event_ids(events: pl.DataFrame) -> pl.Series:
    """A short digest of what identifies an event: type, vessels, times, port and detail kind.

    Computed with hashlib, not Polars' hash, so the id stays the same across
    Polars versions and machines (events are few; this loop is not per position).
    """
    keys = events.select(
        pl.concat_str(
            [
                pl.col("event_type"),
                pl.col("mmsi").cast(pl.String),
                pl.col("other_mmsi").cast(pl.String),
                pl.col("start").dt.epoch("us").cast(pl.String),
                pl.col("end").dt.epoch("us").cast(pl.String),
                pl.col("port"),
                pl.col("detail").str.extract(r"^([^:]*):", 1),
            ],
            separator="|",
            ignore_nulls=True,
        )
    ).to_series()
    return pl.Series(
        "event_id",
        [hashlib.blake2b(k.encode(), digest_size=6).hexdigest() for k in keys],
        dtype=pl.String,
    )


def output_format(path: Path) -> str:
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise AisInputError(
            f"unknown output type {path.suffix or '(none)'!r}; use .csv, .parquet or .geojson",
            source=str(path),
            where="--output",
        )
    return fmt


def to_csv_frame(events: pl.DataFrame) -> pl.DataFrame:
    """Events with ISO-8601 UTC times, ready for CSV."""
    return events.with_columns(
        pl.col("start").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("end").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def to_geojson(events: pl.DataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the events that have a position (for the web map)."""
    features = []
    for row in to_csv_frame(events).filter(pl.col("lat").is_not_null()).iter_rows(named=True):
        props = {k: v for k, v in row.items() if k not in ("lat", "lon")}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_events(events: pl.DataFrame, path: Path) -> None:
    """Write events atomically in the format the suffix names."""
    fmt = output_format(path)
    try:
        with durable.replacing(path) as tmp:
            if fmt == "csv":
                to_csv_frame(events).write_csv(tmp)
            elif fmt == "parquet":
                events.write_parquet(tmp)
            else:
                tmp.write_bytes(orjson.dumps(to_geojson(events)))
    except OSError as exc:
        raise unreadable(path, exc, AisInputError, verb="write") from None


def read_events(path: Path) -> pl.DataFrame:
    """Read an events CSV or Parquet written by :func:`write_events` (e.g. for the web map)."""
    fmt = output_format(path)
    if fmt == "parquet":
        return pl.read_parquet(path)
    if fmt != "csv":
        raise AisInputError("read events from .csv or .parquet", source=str(path))
    frame = pl.read_csv(path, infer_schema=False)
    return schema.conform(
        frame.with_columns(
            pl.col("start").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC", time_unit="us"),
            pl.col("end").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC", time_unit="us"),
            pl.col("dprk_port").replace_strict(
                {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
            ),
        ),
        schema.EVENTS,
    )
