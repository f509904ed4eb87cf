"""Port lists and the spatial grid that finds the nearest port of millions of positions.

Two file layouts are read:

* the World Port Index extract used by Global Fishing Watch
  (``iso3,label,sublabel,latitude,longitude``), and
* a plain ``name,country,lat,lon`` table (the layout of the bundled list).

A short list of North Korean ports ships with the package
(``data/dprk_ports.csv``, written for this project from public coordinates,
accurate to a few kilometres). It is merged into every port list so that calls
at DPRK ports are flagged even when no World Port Index file is at hand; a
bundled port is skipped when the given file already has a port within 5 km.

Nearest-port queries never compare every position with every port. The
globe is cut into square-degree cells; :func:`port_cells` lists, for each
cell, the ports that could lie within a radius of *some* point in it. An
engine then equi-joins positions to that small table on the cell key and
computes exact haversine distances only to those candidates.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from dprkwatch.maritime.exceptions import PortsError
from dprkwatch.maritime.geo import KM_PER_DEG, haversine_km

DPRK_ISO3 = "PRK"
_MERGE_KM = 5.0
_WPI_COLUMNS = ("iso3", "label", "latitude", "longitude")
_PLAIN_COLUMNS = ("name", "country", "lat", "lon")

PORTS_SCHEMA: dict[str, pl.DataType] = {
    "port_idx": pl.Int32(),
    "port": pl.String(),
    "country": pl.String(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "dprk": pl.Boolean(),
}


@dataclass(frozen=True)
class Ports:
    """A port list with stable integer ids (``port_idx``) used inside the engines."""

    frame: pl.DataFrame
    sources: tuple[str, ...]

    def __len__(self) -> int:
        return self.frame.height

    @property
    def dprk_count(self) -> int:
        return int(self.frame["dprk"].sum())


@dataclass(frozen=True)
class Grid:
    """A square-degree grid: ``cy = floor((lat+90)/deg)``, ``cx = floor((lon+180)/deg) mod ncx``."""

    deg: float
    ncx: int

    @classmethod
    def for_radius(cls, radius_km: float) -> Grid:
        # Cells of about one radius keep the candidate lists short without making the table big.
        deg = min(2.0, max(0.05, radius_km / KM_PER_DEG))
        return cls(deg=deg, ncx=math.ceil(360.0 / deg))


def bundled_dprk_ports() -> pl.DataFrame:
    """The package's own list of DPRK ports (name, country, lat, lon)."""
    text = resources.files("dprkwatch.maritime").joinpath("data/dprk_ports.csv").read_text(encoding="utf-8")
    return _read_rows(text, "dprk_ports.csv")


def load_ports(path: Path | None, *, include_dprk: bool = True) -> Ports:
    """Read a port list (or none) and merge in the bundled DPRK ports."""
    frames: list[pl.DataFrame] = []
    sources: list[str] = []
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise PortsError("file not found", source=str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PortsError(f"cannot read: {exc}", source=str(path)) from None
        frames.append(_read_rows(text, str(path)))
        sources.append(str(path))
    if include_dprk:
        bundled = bundled_dprk_ports()
        if frames:
            bundled = _not_near(bundled, frames[0], _MERGE_KM)
        if bundled.height:
            frames.append(bundled)
            sources.append("bundled DPRK ports")
    if not frames:
        raise PortsError("no ports: give a port list or keep the bundled DPRK ports")
    merged = pl.concat(frames).sort(["country", "port", "lat", "lon"])
    merged = merged.with_columns(
        pl.int_range(0, merged.height, dtype=pl.Int32).alias("port_idx"),
        (pl.col("country") == DPRK_ISO3).alias("dprk"),
    )
    return Ports(frame=merged.select(list(PORTS_SCHEMA)), sources=tuple(sources))


def _read_rows(text: str, source: str) -> pl.DataFrame:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise PortsError("empty file", source=source) from None
    if all(c in header for c in _WPI_COLUMNS):
        name_cols = [header.index("label")] + ([header.index("sublabel")] if "sublabel" in header else [])
        country_col, lat_col, lon_col = header.index("iso3"), header.index("latitude"), header.index("longitude")
    elif all(c in header for c in _PLAIN_COLUMNS):
        name_cols = [header.index("name")]
        country_col, lat_col, lon_col = header.index("country"), header.index("lat"), header.index("lon")
    else:
        raise PortsError(
            "expected columns iso3,label,latitude,longitude (World Port Index) or name,country,lat,lon",
            source=source, where="header",
        )
    names: list[str] = []
    countries: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise PortsError(f"expected {len(header)} fields, got {len(row)}", source=source, where=f"line {lineno}")
        try:
            lat = float(row[lat_col])
            lon = float(row[lon_col])
        except ValueError:
            raise PortsError(
                f"latitude/longitude not numbers: {row[lat_col]!r}, {row[lon_col]!r}", source=source, where=f"line {lineno}"
            ) from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise PortsError(f"impossible coordinates {lat}, {lon}", source=source, where=f"line {lineno}")
        name = " / ".join(row[i].strip() for i in name_cols if row[i].strip())
        if not name:
            raise PortsError("port has no name", source=source, where=f"line {lineno}")
        names.append(name)
        countries.append(row[country_col].strip().upper())
        lats.append(lat)
        lons.append(lon)
    if not names:
        raise PortsError("no ports in file", source=source)
    return pl.DataFrame(
        {"port": names, "country": countries, "lat": lats, "lon": lons},
        schema={"port": pl.String, "country": pl.String, "lat": pl.Float64, "lon": pl.Float64},
    )


def _not_near(extra: pl.DataFrame, base: pl.DataFrame, km: float) -> pl.DataFrame:
    keep = []
    blat = base["lat"].to_numpy()
    blon = base["lon"].to_numpy()
    for lat, lon in zip(extra["lat"].to_list(), extra["lon"].to_list(), strict=True):
        keep.append(bool(np.all(haversine_km(lat, lon, blat, blon) > km)))
    return extra.filter(pl.Series(keep, dtype=pl.Boolean))


def port_cells(ports: Ports, radius_km: float) -> tuple[Grid, pl.DataFrame]:
    """For each grid cell, the ports that may lie within ``radius_km`` of a point in it.

    Returns the grid and a table ``(cy, cx, port_idx, plat, plon)``. The cover
    is conservative (a superset); engines filter candidates by exact distance.
    """
    grid = Grid.for_radius(radius_km)
    r_deg = radius_km * 1.01 / KM_PER_DEG
    rows_cy: list[int] = []
    rows_cx: list[int] = []
    rows_port: list[int] = []
    plats: list[float] = []
    plons: list[float] = []
    for idx, lat, lon in ports.frame.select("port_idx", "lat", "lon").iter_rows():
        lat_lo = max(-90.0, lat - r_deg)
        lat_hi = min(90.0, lat + r_deg)
        edge = max(abs(lat_lo), abs(lat_hi))
        dlon = 360.0 if edge >= 89.0 else r_deg / math.cos(math.radians(edge))
        cy_lo = math.floor((lat_lo + 90.0) / grid.deg)
        cy_hi = math.floor((lat_hi + 90.0) / grid.deg)
        if dlon >= 180.0:
            cxs = range(grid.ncx)
        else:
            cx_lo = math.floor((lon - dlon + 180.0) / grid.deg)
            cx_hi = math.floor((lon + dlon + 180.0) / grid.deg)
            cxs = range(cx_lo, cx_hi + 1)
        for cy in range(cy_lo, cy_hi + 1):
            for cx in {c % grid.ncx for c in cxs}:
                rows_cy.append(cy)
                rows_cx.append(cx)
                rows_port.append(idx)
                plats.append(lat)
                plons.append(lon)
    table = pl.DataFrame(
        {"cy": rows_cy, "cx": rows_cx, "port_idx": rows_port, "plat": plats, "plon": plons},
        schema={"cy": pl.Int32, "cx": pl.Int32, "port_idx": pl.Int32, "plat": pl.Float64, "plon": pl.Float64},
    )
    return grid, table.sort(["cy", "cx", "port_idx"])
