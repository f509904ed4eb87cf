"""Polars expressions shared by the embedded engine's detectors."""

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
