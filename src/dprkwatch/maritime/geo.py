"""Distances on the sphere, in one place so every engine uses the same numbers.

The engines compute great-circle distances with the haversine formula on a
sphere of the mean Earth radius (IUGG, 6371.0088 km). The constants here are
also what the spatial grids are sized with, so a grid cell and a distance
threshold always agree.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
KM_PER_NM = 1.852
KM_PER_DEG = math.pi * EARTH_RADIUS_KM / 180.0
"""Length of one degree of latitude (and of longitude at the equator)."""

FloatArray = npt.NDArray[np.float64]


def haversine_km(
    lat1: FloatArray | float,
    lon1: FloatArray | float,
    lat2: FloatArray | float,
    lon2: FloatArray | float,
) -> FloatArray:
    """Great-circle distance in km between arrays of points (degrees).

    The operation order (differences first, then radians) is the one the
    Polars and Spark engines use too, so all three agree to the last bits
    wherever their maths libraries do.
    """
    la1 = np.asarray(lat1, dtype=np.float64)
    la2 = np.asarray(lat2, dtype=np.float64)
    a = np.radians(la2 - la1)
    a *= 0.5
    np.sin(a, out=a)
    a *= a
    b = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    b *= 0.5
    np.sin(b, out=b)
    b *= b
    b *= np.cos(np.radians(la1))
    b *= np.cos(np.radians(la2))
    a += b
    np.minimum(a, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2.0 * EARTH_RADIUS_KM
    return a


def destination(
    lat: FloatArray, lon: FloatArray, bearing_deg: FloatArray, dist_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The point ``dist_km`` from (lat, lon) along ``bearing_deg``; used by the synthetic generator."""
    d = np.asarray(dist_km) / EARTH_RADIUS_KM
    b = np.radians(bearing_deg)
    p1 = np.radians(lat)
    l1 = np.radians(lon)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    lon2 = (np.degrees(l2) + 540.0) % 360.0 - 180.0
    return np.degrees(p2).astype(np.float64), lon2.astype(np.float64)


def bearing_deg(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Initial great-circle bearing from point 1 to point 2, degrees in [0, 360)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    x = np.sin(dl) * np.cos(p2)
    y = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray((np.degrees(np.arctan2(x, y)) + 360.0) % 360.0, dtype=np.float64)
