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
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from dprkwatch.maritime.exceptions import PortsError
from dprkwatch.maritime.geo import EARTH_RADIUS_KM, KM_PER_DEG, haversine_km
from dprkwatch.sources import reading

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
        # Cells of about a quarter radius keep each cell's candidate list short
        # (most cells have one port) while the table stays small.
        deg = min(1.0, max(0.02, radius_km / KM_PER_DEG / 4.0))
        return cls(deg=deg, ncx=math.ceil(360.0 / deg))

    def keys(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        cy = np.floor((lat + 90.0) / self.deg).astype(np.int64)
        cx = np.mod(np.floor((lon + 180.0) / self.deg).astype(np.int64), self.ncx)
        return cy * self.ncx + cx


def bundled_dprk_ports() -> pl.DataFrame:
    """The package's own list of DPRK ports (name, country, lat, lon)."""
    text = (
        resources.files("dprkwatch.maritime")
        .joinpath("data/dprk_ports.csv")
        .read_text(encoding="utf-8")
    )
    return _read_rows(text, "dprk_ports.csv")


def load_ports(path: Path | None, *, include_dprk: bool = True) -> Ports:
    """Read a port list (or none) and merge in the bundled DPRK ports."""
    frames: list[pl.DataFrame] = []
    sources: list[str] = []
    if path is not None:
        try:
            with reading(path, PortsError):
                text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
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
        name_cols = [header.index("label")] + (
            [header.index("sublabel")] if "sublabel" in header else []
        )
        country_col, lat_col, lon_col = (
            header.index("iso3"),
            header.index("latitude"),
            header.index("longitude"),
        )
    elif all(c in header for c in _PLAIN_COLUMNS):
        name_cols = [header.index("name")]
        country_col, lat_col, lon_col = (
            header.index("country"),
            header.index("lat"),
            header.index("lon"),
        )
    else:
        raise PortsError(
            "expected columns iso3,label,latitude,longitude (World Port Index) or name,country,lat,lon",
            source=source,
            where="header",
        )
    names: list[str] = []
    countries: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise PortsError(
                f"expected {len(header)} fields, got {len(row)}",
                source=source,
                where=f"line {lineno}",
            )
        try:
            lat = float(row[lat_col])
            lon = float(row[lon_col])
        except ValueError:
            raise PortsError(
                f"latitude/longitude not numbers: {row[lat_col]!r}, {row[lon_col]!r}",
                source=source,
                where=f"line {lineno}",
            ) from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise PortsError(
                f"impossible coordinates {lat}, {lon}", source=source, where=f"line {lineno}"
            )
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


_PRUNE_MARGIN_KM = 0.5
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_SLICE_MIN = 250_000


def port_cells(ports: Ports, radius_km: float) -> tuple[Grid, pl.DataFrame]:
    """For each grid cell, the ports that can be the nearest port within ``radius_km`` of a point in it.

    Returns the grid and a table ``(cy, cx, port_idx, plat, plon)`` sorted by
    cell and port. Every port within ``radius_km`` of some point of a cell is
    listed for that cell, except ports that can never be the *nearest*: a port
    is dropped when even its closest approach to the cell is farther than
    another port's farthest (plus a 0.5 km margin), or farther than the radius.
    """
    grid = Grid.for_radius(radius_km)
    r_deg = radius_km * 1.01 / KM_PER_DEG
    cys: list[np.ndarray] = []
    cxs: list[np.ndarray] = []
    pidx: list[np.ndarray] = []
    for idx, lat, lon in ports.frame.select("port_idx", "lat", "lon").iter_rows():
        lat_lo = max(-90.0, lat - r_deg)
        lat_hi = min(90.0, lat + r_deg)
        edge = max(abs(lat_lo), abs(lat_hi))
        dlon = 360.0 if edge >= 89.0 else r_deg / math.cos(math.radians(edge))
        cy = np.arange(
            math.floor((lat_lo + 90.0) / grid.deg), math.floor((lat_hi + 90.0) / grid.deg) + 1
        )
        if dlon >= 180.0:
            cx = np.arange(grid.ncx)
        else:
            cx = np.unique(
                np.mod(
                    np.arange(
                        math.floor((lon - dlon + 180.0) / grid.deg),
                        math.floor((lon + dlon + 180.0) / grid.deg) + 1,
                    ),
                    grid.ncx,
                )
            )
        gy, gx = np.meshgrid(cy, cx, indexing="ij")
        cys.append(gy.ravel())
        cxs.append(gx.ravel())
        pidx.append(np.full(gy.size, idx, dtype=np.int64))
    if not cys:
        return grid, _cells_frame(np.array([]), np.array([]), np.array([]), ports)
    cy_a = np.concatenate(cys)
    cx_a = np.concatenate(cxs)
    p_a = np.concatenate(pidx)
    plat = ports.frame["lat"].to_numpy()[p_a]
    plon = ports.frame["lon"].to_numpy()[p_a]
    # Bounds of the distance from the port to any point of the cell.
    lat0 = cy_a * grid.deg - 90.0
    lon0 = cx_a * grid.deg - 180.0
    near_lat = np.clip(plat, lat0, lat0 + grid.deg)
    rel = (plon - lon0 + 180.0) % 360.0 - 180.0  # port longitude relative to the cell's west edge
    near_lon = lon0 + np.clip(rel, 0.0, grid.deg)
    dmin = haversine_km(plat, plon, near_lat, near_lon)
    corners = [
        haversine_km(plat, plon, lat0 + a * grid.deg, lon0 + b * grid.deg)
        for a in (0, 1)
        for b in (0, 1)
    ]
    dmax = np.maximum.reduce(corners)
    keys = cy_a * grid.ncx + cx_a
    order = np.argsort(keys, kind="stable")
    keys_s, dmax_s = keys[order], dmax[order]
    starts = np.flatnonzero(np.r_[True, keys_s[1:] != keys_s[:-1]])
    best_far = np.minimum.reduceat(dmax_s, starts)
    cell_best = np.empty_like(dmax)
    cell_best[order] = np.repeat(best_far, np.diff(np.r_[starts, len(keys_s)]))
    keep = (dmin <= radius_km) & (dmin <= cell_best + _PRUNE_MARGIN_KM)
    return grid, _cells_frame(cy_a[keep], cx_a[keep], p_a[keep], ports)


def _cells_frame(cy: np.ndarray, cx: np.ndarray, port: np.ndarray, ports: Ports) -> pl.DataFrame:
    plat = ports.frame["lat"].to_numpy()
    plon = ports.frame["lon"].to_numpy()
    port = port.astype(np.int64)
    table = pl.DataFrame(
        {
            "cy": cy.astype(np.int32),
            "cx": cx.astype(np.int32),
            "port_idx": port.astype(np.int32),
            "plat": plat[port] if len(port) else np.array([], dtype=np.float64),
            "plon": plon[port] if len(port) else np.array([], dtype=np.float64),
        },
    )
    return table.sort(["cy", "cx", "port_idx"])


class NearPorts:
    """Which positions may lie within ``radius_km`` of some port: a coarse, conservative mask.

    Quarter-degree cells touching any port's radius are marked. A position
    in an unmarked cell is certainly farther than the radius from every
    port, so it needs no distance at all; most positions at sea are.
    """

    DEG = 0.25

    def __init__(self, ports: Ports, radius_km: float) -> None:
        self.ncx = round(360 / self.DEG)
        self.ncy = round(180 / self.DEG)
        self.mask = np.zeros(self.ncy * self.ncx, dtype=bool)
        r_deg = radius_km * 1.01 / KM_PER_DEG
        for lat, lon in ports.frame.select("lat", "lon").iter_rows():
            lat_lo, lat_hi = max(-90.0, lat - r_deg), min(90.0, lat + r_deg)
            edge = max(abs(lat_lo), abs(lat_hi))
            dlon = 360.0 if edge >= 89.0 else r_deg / math.cos(math.radians(edge))
            cy = np.arange(self._cy(lat_lo), self._cy(lat_hi) + 1)
            if dlon >= 180.0:
                cx = np.arange(self.ncx)
            else:
                first = math.floor((lon - dlon + 180.0) / self.DEG)
                last = math.floor((lon + dlon + 180.0) / self.DEG)
                cx = np.mod(np.arange(first, last + 1), self.ncx)
            self.mask[(cy[:, None] * self.ncx + cx[None, :]).ravel()] = True

    def _cy(self, lat: float) -> int:
        return min(self.ncy - 1, max(0, math.floor((lat + 90.0) / self.DEG)))

    def __call__(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        cy = np.clip(np.floor((lat + 90.0) / self.DEG).astype(np.int64), 0, self.ncy - 1)
        cx = np.mod(np.floor((lon + 180.0) / self.DEG).astype(np.int64), self.ncx)
        marked: np.ndarray = self.mask[cy * self.ncx + cx]
        return marked


class PortLookup:
    """Nearest port within a radius for arrays of positions, in vectorised numpy.

    The candidate lists of :func:`port_cells` are packed into a matrix (one
    row per cell, padded). A dense table over the latitude rows that have
    any candidates maps every grid cell to its matrix row, so a position
    finds its candidates with one array lookup; distances are computed to
    those few candidates only.
    """

    def __init__(self, ports: Ports, radius_km: float) -> None:
        self.radius_km = radius_km
        self.grid, cells = port_cells(ports, radius_km)
        self.cells = cells
        ncx = self.grid.ncx
        if cells.height == 0:
            self.cy0 = 0
            self.dense = np.full(0, -1, dtype=np.int32)
            self.cand = np.zeros((0, 1), dtype=np.int64)
        else:
            cy = cells["cy"].to_numpy().astype(np.int64)
            keys = cy * ncx + cells["cx"].to_numpy()
            unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
            width = int(counts.max())
            self.cand = np.full((len(unique), width), -1, dtype=np.int64)
            ports_col = cells["port_idx"].to_numpy().astype(np.int64)
            for k in range(width):
                has = counts > k
                self.cand[has, k] = ports_col[first[has] + k]
            self.cy0 = int(cy.min())
            rows = int(cy.max()) - self.cy0 + 1
            self.dense = np.full(rows * ncx, -1, dtype=np.int32)
            self.dense[unique - self.cy0 * ncx] = np.arange(len(unique), dtype=np.int32)
        self.plat = ports.frame["lat"].to_numpy()
        self.plon = ports.frame["lon"].to_numpy()
        self.pcos = np.cos(np.radians(self.plat))

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(distance km, port_idx) per position; (inf, -1) when no port is within the radius.

        Large inputs are cut into one slice per core and run in threads (numpy
        releases the GIL inside its loops), so both cores work on one day.
        """
        n = len(lat)
        workers = min(_WORKERS, n // _SLICE_MIN)
        if workers > 1:
            bounds = np.linspace(0, n, workers + 1).astype(np.int64)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts = list(
                    pool.map(
                        lambda ab: self._nearest(lat[ab[0] : ab[1]], lon[ab[0] : ab[1]]),
                        itertools.pairwise(bounds),
                    )
                )
            return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        return self._nearest(lat, lon)

    def _nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(lat)
        dist = np.full(n, np.inf)
        port = np.full(n, -1, dtype=np.int32)
        if n == 0 or len(self.dense) == 0:
            return dist, port
        g = self.grid
        index = np.floor((lat + 90.0) / g.deg).astype(np.int64)
        index -= self.cy0
        index *= g.ncx
        cx = np.floor((lon + 180.0) / g.deg).astype(np.int64)
        np.mod(cx, g.ncx, out=cx)
        index += cx
        del cx
        inside = (index >= 0) & (index < len(self.dense))
        row = np.full(n, -1, dtype=np.int32)
        row[inside] = self.dense[index[inside]]
        del index, inside
        rows = np.flatnonzero(row >= 0)
        if len(rows) == 0:
            return dist, port
        cand = self.cand[row[rows]]
        la = lat[rows]
        lo = lon[rows]
        cos_la = np.cos(np.radians(la))
        # Candidates are compared by the haversine term ``a``, which grows with the
        # distance, so the arcsine is taken once, for the winner. Every listed cell has
        # at least one candidate; later columns only for some rows.
        best_p = cand[:, 0].copy()
        best = self._term(la, lo, cos_la, best_p)
        for k in range(1, cand.shape[1]):
            sub = np.flatnonzero(cand[:, k] >= 0)
            if len(sub) == 0:
                break
            p = cand[sub, k]
            a = self._term(la[sub], lo[sub], cos_la[sub], p)
            better = a < best[sub]  # candidates are in port_idx order, so ties keep the lower id
            best[sub[better]] = a[better]
            best_p[sub[better]] = p[better]
        np.sqrt(best, out=best)
        np.arcsin(best, out=best)
        best *= 2.0 * EARTH_RADIUS_KM
        within = best <= self.radius_km
        dist[rows[within]] = best[within]
        port[rows[within]] = best_p[within]
        return dist, port

    def _term(
        self, la: np.ndarray, lo: np.ndarray, cos_la: np.ndarray, p: np.ndarray
    ) -> np.ndarray:
        """The haversine term ``a`` (capped at 1) between points and ports ``p``.

        The same operations in the same order as :func:`~dprkwatch.maritime.geo.haversine_km`,
        with the cosines of the latitudes computed once instead of per candidate.
        """
        a: np.ndarray = np.radians(self.plat[p] - la)
        a *= 0.5
        np.sin(a, out=a)
        a *= a
        b = np.radians(self.plon[p] - lo)
        b *= 0.5
        np.sin(b, out=b)
        b *= b
        b *= cos_la
        b *= self.pcos[p]
        a += b
        np.minimum(a, 1.0, out=a)
        return a
