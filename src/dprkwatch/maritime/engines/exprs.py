"""Polars expressions shared by the embedded engine's detectors and the shared event code."""

from __future__ import annotations

import polars as pl

from dprkwatch.maritime.geo import EARTH_RADIUS_KM


def haversine(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle km; the same operation order as the Spark engine's version."""
    dphi = (lat2 - lat1).radians()
    dlmb = (lon2 - lon1).radians()
    a = (dphi / 2.0).sin().pow(2) + lat1.radians().cos() * lat2.radians().cos() * (
        dlmb / 2.0
    ).sin().pow(2)
    return a.clip(upper_bound=1.0).sqrt().arcsin() * (2.0 * EARTH_RADIUS_KM)


def same_as_previous(*cols: str) -> pl.Expr:
    """True where every column equals the row above (False on the first row)."""
    parts = [pl.col(c) == pl.col(c).shift(1) for c in cols]
    return pl.all_horizontal(parts).fill_null(False)


def wrap_lon(lon: pl.Expr) -> pl.Expr:
    """Longitude folded into [-180, 180) (the same formula as the Spark engine)."""
    return lon - 360.0 * ((lon + 180.0) / 360.0).floor()


def lon360(lon: pl.Expr) -> pl.Expr:
    """Longitude in [0, 360): continuous across the antimeridian, cut at Greenwich instead."""
    return lon - 360.0 * (lon / 360.0).floor()


def mean_lon() -> pl.Expr:
    """Mean longitude of a run from its ``sum_lon``, ``sum_lon360``, ``min_lon``, ``max_lon``, ``n``.

    Points of one event lie within a few kilometres of each other, so when
    their longitudes span more than 180 degrees they straddle ±180; their
    mean is then taken in [0, 360) and folded back. Sums, minimum and
    maximum add up across days, so runs stitched over midnight agree.
    """
    n = pl.col("n").cast(pl.Float64)
    return (
        pl.when((pl.col("max_lon") - pl.col("min_lon")) > 180.0)
        .then(wrap_lon(pl.col("sum_lon360") / n))
        .otherwise(pl.col("sum_lon") / n)
    )


def port_confidence(entered: pl.Expr, exited: pl.Expr) -> pl.Expr:
    """GFW's port-visit confidence for a call with a stop: 2, plus one each for a seen entry and exit."""
    return (2 + entered.cast(pl.Int8) + exited.cast(pl.Int8)).cast(pl.Int8).alias("confidence")
