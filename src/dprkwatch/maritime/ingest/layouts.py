"""The AIS file layouts people actually have, recognised from their first bytes and header.

==================  ===========================================================================
layout              recognised by
==================  ===========================================================================
``marinecadastre``  CSV whose header has ``MMSI, BaseDateTime, LAT, LON`` (US MarineCadastre /
                    NOAA AIS: ``MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,...``)
``dma``             CSV whose header starts ``# Timestamp`` and has ``Type of mobile, MMSI,
                    Latitude, Longitude`` (Danish Maritime Authority, ``aisdk-*.csv``)
``nmea``            ``!AIVDM``/``!AIVDO`` sentences, with or without NMEA 4.0 tag blocks
``geoparquet``      Parquet with GeoParquet ``geo`` metadata: positions from the geometry column
``parquet``         other Parquet, columns by their common names (``mmsi, timestamp, lat, ...``)
``csv``             other CSV, columns by their common names
==================  ===========================================================================

Any CSV may come zipped (``.zip``, as both publishers distribute it); every
CSV member of the archive is read, in name order. ``--format NAME`` skips
recognition and reads every file in that layout.

A layout is a small record: which source column is which of ours, how its
timestamps are written, and what its own conventions mean (the DMA's
``Unknown`` for a missing IMO, its base-station rows that are no vessel).
Readers in :mod:`.tabular` and :mod:`.nmea` use it; everything after that is
shared.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from dprkwatch.maritime.exceptions import AisInputError
from dprkwatch.sources import read_head, unreadable

SNIFF_BYTES: Final = 4096


@dataclass(frozen=True)
class Layout:
    """One publisher's file layout."""

    name: str
    title: str
    container: str
    """``csv``, ``parquet`` or ``nmea``: which reader."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """Exact source column -> ours; empty for the generic layouts (names matched by alias)."""
    signature: tuple[str, ...] = ()
    """Source columns whose presence identifies the layout."""
    ts_format: str | None = None
    """The layout's own timestamp format (others are still tried for odd rows)."""
    missing: tuple[str, ...] = ()
    """Text the publisher writes for 'no value' in identity fields."""
    kind_column: str | None = None
    """Column naming the transmitter type; rows of :attr:`not_vessels` are not positions."""
    not_vessels: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.signature:
            return f"{self.title} ({', '.join(self.signature)}, ...)"
        return self.title


MARINECADASTRE = Layout(
    name="marinecadastre",
    title="MarineCadastre/NOAA AIS CSV",
    container="csv",
    columns={
        "MMSI": "mmsi",
        "BaseDateTime": "ts",
        "LAT": "lat",
        "LON": "lon",
        "SOG": "sog",
        "COG": "cog",
        "VesselName": "name",
        "IMO": "imo",
        "CallSign": "callsign",
    },
    signature=("MMSI", "BaseDateTime", "LAT", "LON"),
    ts_format="%Y-%m-%dT%H:%M:%S",
)

DMA = Layout(
    name="dma",
    title="Danish Maritime Authority AIS CSV",
    container="csv",
    columns={
        "# Timestamp": "ts",
        "MMSI": "mmsi",
        "Latitude": "lat",
        "Longitude": "lon",
        "SOG": "sog",
        "COG": "cog",
        "IMO": "imo",
        "Callsign": "callsign",
        "Name": "name",
        "Type of mobile": "_kind",
    },
    signature=("# Timestamp", "Type of mobile", "MMSI", "Latitude", "Longitude"),
    ts_format="%d/%m/%Y %H:%M:%S",
    missing=("Unknown", "Undefined"),
    kind_column="_kind",
    not_vessels=("Base Station", "AtoN"),
)

NMEA = Layout(name="nmea", title="NMEA 0183 AIVDM/AIVDO sentences", container="nmea")
GEOPARQUET = Layout(name="geoparquet", title="GeoParquet (point geometry)", container="parquet")
PARQUET = Layout(
    name="parquet", title="Parquet with columns mmsi, timestamp, lat, lon", container="parquet"
)
CSV = Layout(name="csv", title="CSV with columns mmsi, timestamp, lat, lon", container="csv")

LAYOUTS: Final[dict[str, Layout]] = {
    lay.name: lay for lay in (MARINECADASTRE, DMA, NMEA, GEOPARQUET, PARQUET, CSV)
}
FORMATS: Final = tuple(LAYOUTS)


@dataclass(frozen=True)
class Source:
    """One readable stream: a file, or one CSV member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """How the source is named in messages and quality examples."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    def head(self, size: int = SNIFF_BYTES) -> bytes:
        if self.member is None:
            with self.path.open("rb") as fh:
                return fh.read(size)
        with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
            return fh.read(size)


@dataclass(frozen=True)
class Detected:
    layout: Layout
    sources: tuple[Source, ...]


def _read_head(path: Path) -> bytes:
    return read_head(path, SNIFF_BYTES, AisInputError)


def zip_members(path: Path) -> tuple[Source, ...]:
    """The CSV members of a zip archive (a truncated or damaged archive is one clear error)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise AisInputError(
            f"not a complete zip archive ({exc}); it may be truncated: download it again",
            source=str(path),
        ) from None
    except OSError as exc:
        raise unreadable(path, exc, AisInputError) from None
    csvs = sorted(n for n in names if n.lower().endswith((".csv", ".txt")))
    if not csvs:
        raise AisInputError(
            f"no CSV file in the archive (found: {', '.join(names[:5]) or 'nothing'})",
            source=str(path),
        )
    return tuple(Source(path, n) for n in csvs)


def header_of(head: bytes) -> list[str]:
    """The header line's column names (no CSV quoting games: names are plain in every layout)."""
    line = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
    return [c.strip().strip('"') for c in line.split(",")]


def csv_layout(header: list[str]) -> Layout:
    """MarineCadastre, DMA or the generic CSV, from the header's column names."""
    names = set(header)
    for layout in (DMA, MARINECADASTRE):
        if all(c in names for c in layout.signature):
            return layout
    return CSV


def _is_geoparquet(path: Path) -> bool:
    pq: Any = importlib.import_module("pyarrow.parquet")  # its stubs mark members private
    try:
        meta = pq.read_metadata(path).metadata or {}
    except (OSError, ValueError) as exc:
        raise AisInputError(
            f"cannot read as Parquet: {str(exc).splitlines()[0]}", source=str(path)
        ) from None
    return b"geo" in meta


def detect(path: Path, forced: str | None = None) -> Detected:
    """The layout of ``path`` (or ``forced``) and the sources to read."""
    if forced is not None and forced not in LAYOUTS:
        raise AisInputError(
            f"unknown format {forced!r} (choose from {', '.join(FORMATS)})", where="--format"
        )
    head = _read_head(path)
    sources: tuple[Source, ...] = (Source(path),)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        sources = zip_members(path)
        head = sources[0].head()
    if forced is not None:
        return Detected(LAYOUTS[forced], sources)
    if head.startswith(b"PAR1"):
        return Detected(GEOPARQUET if _is_geoparquet(path) else PARQUET, sources)
    if not head.strip():
        raise AisInputError("empty file", source=sources[0].name)
    if b"VDM," in head or b"VDO," in head:
        return Detected(NMEA, sources)
    if path.suffix.lower() in (".nmea", ".nm4", ".ais"):
        return Detected(NMEA, sources)
    return Detected(csv_layout(header_of(head)), sources)


def detect_all(paths: list[Path], forced: str | None = None) -> list[Detected]:
    """Layouts of every file; files of different layouts in one run are an error before any work."""
    found = [detect(p, forced) for p in paths]
    kinds = {d.layout.name for d in found}
    if len(kinds) > 1:
        listing = "; ".join(
            f"{p.name} is {d.layout.name}" for p, d in zip(paths, found, strict=True)
        )
        raise AisInputError(
            f"mixed formats in one run ({listing}); ingest each format in a run of its own, "
            "or force one with --format",
            where="input",
        )
    return found
