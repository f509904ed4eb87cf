"""CSV and Parquet position files (plain, zipped or GeoParquet), read in bounded batches.

The layout (:mod:`.layouts`) says which source column is which of ours:
MarineCadastre and DMA files by their published names, other files by
common spellings matched case-insensitively (see :data:`normalise.ALIASES`),
so the Solent file's ``Latitude_degrees`` works without options. A file
without the required columns is the one thing that stops a run
(``AisInputError`` naming the columns expected and the ones found);
everything row-level is counted instead.

CSV goes through Arrow's streaming reader with every column read as bytes,
so one bad cell cannot change a column's type; rows with the wrong number
of fields are skipped and counted as ``malformed_row`` with their line. A
zip member is streamed straight out of the archive.

Parquet is read by Polars in batches of whole row groups (about a million
rows); the row groups' time statistics tell the day assembler which days
are complete (:func:`time_ranges`). GeoParquet positions come from the point geometry
(WKB or GeoArrow), which must be in longitude/latitude.
"""

from __future__ import annotations

import csv
import importlib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import orjson
import polars as pl
import pyarrow as pa

from dprkwatch.maritime.exceptions import AisInputError
from dprkwatch.maritime.ingest.days import US_PER_DAY
from dprkwatch.maritime.ingest.layouts import DMA, MARINECADASTRE, Layout, Source
from dprkwatch.maritime.ingest.normalise import REQUIRED, map_columns
from dprkwatch.maritime.ingest.quality import Quality

# pyarrow's stubs mark these modules' members private; they are its documented API.
pacsv: Any = importlib.import_module("pyarrow.csv")
pq: Any = importlib.import_module("pyarrow.parquet")

BLOCK_BYTES = 32 << 20
PARQUET_BATCH_ROWS = 1_000_000
US = 1_000_000


@dataclass(frozen=True)
class Batch:
    """Canonical columns plus ``_line`` for one piece of a file."""

    frame: pl.DataFrame
    rows_done: int
    """Rows of the file read so far, this batch included."""


def _expected(layout: Layout) -> str:
    if layout.columns:
        return layout.describe()
    known = (MARINECADASTRE, DMA)
    return (
        "one of: "
        + "; ".join(k.describe() for k in known)
        + "; or columns mmsi, timestamp, lat, lon under a common name"
    )


def _mapping(layout: Layout, header: list[str], source: str) -> dict[str, str]:
    if layout.columns:
        mapping = {h: layout.columns[h] for h in header if h in layout.columns}
    else:
        mapping = map_columns(header)
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        wanted = ", ".join({"ts": "timestamp"}.get(c, c) for c in missing)
        seen = ", ".join(header[:12]) + (" ..." if len(header) > 12 else "")
        raise AisInputError(
            f"unknown layout: no {wanted} column; expected {_expected(layout)}; found: {seen}",
            source=source,
            where="header",
        )
    return mapping


def conventions(frame: pl.DataFrame, layout: Layout, quality: Quality, source: str) -> pl.DataFrame:
    """A publisher's own conventions: 'Unknown' means no value; base stations are no vessels."""
    if layout.missing:
        frame = frame.with_columns(
            pl.when(pl.col(c).str.strip_chars().is_in(list(layout.missing)))
            .then(None)
            .otherwise(pl.col(c))
            .alias(c)
            for c in ("imo", "name", "callsign", "flag")
            if c in frame.columns and frame.schema[c] == pl.String
        )
    kind = layout.kind_column
    if kind and kind in frame.columns:
        other = frame[kind].is_in(list(layout.not_vessels)).fill_null(False)
        n = int(other.sum())
        if n:
            quality.rows_read += n
            quality.non_position_rows += n
            lines = frame.filter(other)["_line"].head(5).to_list()
            quality.note("not_a_vessel", n, [f"{source}:{line}" for line in lines])
            frame = frame.filter(~other)
        frame = frame.drop(kind)
    return frame


OPTIONAL = frozenset({"cog"})
"""Position columns a reader may leave unread when its caller keeps none of them.

The detectors use no course, so ``detect --input`` does not decode it: a
tenth of a Parquet file's position bytes. Nothing else changes: a course is
never a reason to skip a row (only a note, which such a read then cannot make).
"""


def _wanted(mapping: dict[str, str], unread: frozenset[str]) -> dict[str, str]:
    return {k: v for k, v in mapping.items() if v not in (unread & OPTIONAL)}


def _open(source: Source, stack: ExitStack) -> Any:
    if source.member is None:
        return source.path
    archive = stack.enter_context(zipfile.ZipFile(source.path))
    fh: IO[bytes] = stack.enter_context(archive.open(source.member))
    return fh


def read_csv(
    source: Source, layout: Layout, quality: Quality, unread: frozenset[str] = frozenset()
) -> Iterator[Batch]:
    """Batches of canonical columns plus ``_line`` from a CSV file or zip member.

    ``unread``: optional canonical columns the caller has no use for (see :data:`OPTIONAL`).
    """
    name = source.name
    try:
        first = source.head(1 << 16).split(b"\n", 1)[0] + b"\n"
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise AisInputError(f"cannot read: {exc}", source=name) from None
    if b"\x00" in first:
        raise AisInputError("binary data, not a CSV file", source=name)
    try:
        header = next(
            csv.reader([first.decode("utf-8-sig", errors="replace").rstrip("\r\n")]), None
        )
    except csv.Error as exc:  # a stray carriage return or NUL inside the header line
        raise AisInputError(f"unreadable header line: {exc}", source=name, where="line 1") from None
    if not header:
        raise AisInputError("empty file", source=name)
    header = [h.strip() for h in header]
    mapping = _wanted(_mapping(layout, header, name), unread)

    bad_lines: list[int] = []

    def on_invalid(row: Any) -> str:
        # An unclosed quote can swallow the lines after it; each swallowed line counts as a row.
        span = 1 + (row.text or "").rstrip("\r\n").count("\n")
        line = int(row.number) if row.number is not None else -1
        if line > 0:
            bad_lines.extend(range(line, line + span))
        quality.rows_read += span
        quality.skip("malformed_row", span, [f"{name}:{line}"] if line > 0 else None)
        return "skip"

    # Single-threaded parsing keeps physical line numbers for the rows it rejects.
    read_opts = pacsv.ReadOptions(
        block_size=BLOCK_BYTES, column_names=header, skip_rows=1, encoding="utf8", use_threads=False
    )
    parse_opts = pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False)
    convert_opts = pacsv.ConvertOptions(
        # Bytes, not text: a stray Latin-1 byte in one name must not stop the file (see _text).
        column_types={h: pa.binary() for h in header},
        include_columns=list(mapping),
        strings_can_be_null=True,
        null_values=[""],
    )
    valid_seen = 0
    try:
        with ExitStack() as stack:
            reader = pacsv.open_csv(
                _open(source, stack),
                read_options=read_opts,
                parse_options=parse_opts,
                convert_options=convert_opts,
            )
            for batch in reader:
                n = batch.num_rows
                if n == 0:
                    continue
                lines = np.arange(valid_seen, valid_seen + n, dtype=np.int64) + 2  # header: line 1
                for bad in sorted(bad_lines):
                    lines[lines >= bad] += 1
                valid_seen += n
                frame = pl.from_arrow(_text(batch, lines, name, quality))
                assert isinstance(frame, pl.DataFrame)
                frame = frame.rename(mapping).with_columns(pl.Series("_line", lines))
                yield Batch(conventions(frame, layout, quality, name), valid_seen)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise AisInputError(
            f"cannot parse as CSV: {str(exc).splitlines()[0]}", source=name
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise AisInputError(
            f"the zip archive is damaged or truncated ({exc}): download it again", source=name
        ) from None


def _text(batch: Any, lines: np.ndarray, source: str, quality: Quality) -> Any:
    """Decode a batch of byte columns as UTF-8; rows with undecodable bytes get U+FFFD and a note."""
    columns = []
    damaged = np.zeros(batch.num_rows, dtype=bool)
    for column in batch.columns:
        try:
            columns.append(column.cast(pa.string()))
        except pa.ArrowInvalid:
            values = column.to_pylist()
            decoded: list[str | None] = [
                None if v is None else v.decode("utf-8", errors="replace") for v in values
            ]
            damaged |= np.array([d is not None and "\ufffd" in d for d in decoded])
            columns.append(pa.array(decoded, pa.string()))
    if damaged.any():
        quality.note(
            "bad_encoding", int(damaged.sum()), [f"{source}:{line}" for line in lines[damaged][:5]]
        )
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _parquet(source: Source) -> Any:
    try:
        return pq.ParquetFile(source.path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise AisInputError(
            f"cannot read as Parquet: {str(exc).splitlines()[0]}", source=source.name
        ) from None


def _geometry(pf: Any, source: str) -> tuple[str, str]:
    """The primary geometry column of a GeoParquet file and its encoding; checks the CRS."""
    try:
        geo = orjson.loads((pf.schema_arrow.metadata or {})[b"geo"])
        column = str(geo["primary_column"])
        meta = geo["columns"][column]
    except (KeyError, TypeError, orjson.JSONDecodeError):
        raise AisInputError(
            "GeoParquet 'geo' metadata without a primary column", source=source
        ) from None
    crs = meta.get("crs")
    if crs is not None:
        ident = crs.get("id", {}) if isinstance(crs, dict) else {}
        if (ident.get("authority"), str(ident.get("code"))) not in (
            ("OGC", "CRS84"),
            ("EPSG", "4326"),
        ):
            raise AisInputError(
                "geometry is not in longitude/latitude (OGC:CRS84 or EPSG:4326); reproject it first",
                source=source,
                where=column,
            )
    return column, str(meta.get("encoding", "WKB")).lower()


def _wkb_xy(col: str) -> tuple[pl.Expr, pl.Expr]:
    """Longitude and latitude of WKB points (ISO or EWKB, either byte order); null otherwise."""
    g = pl.col(col)
    little = g.bin.slice(0, 1) == b"\x01"

    def read(offset: int, n: int, dtype: pl.DataType) -> pl.Expr:
        part = g.bin.slice(offset, n)
        return (
            pl.when(little)
            .then(part.bin.reinterpret(dtype=dtype, endianness="little"))
            .otherwise(part.bin.reinterpret(dtype=dtype, endianness="big"))
        )

    kind = read(1, 4, pl.UInt32())
    has_srid = (kind & 0x20000000) != 0
    is_point = ((kind & 0x0FFFFFFF) % 1000 == 1) & (
        g.bin.size() >= pl.when(has_srid).then(25).otherwise(21)
    )
    x = pl.when(has_srid).then(read(9, 8, pl.Float64())).otherwise(read(5, 8, pl.Float64()))
    y = pl.when(has_srid).then(read(17, 8, pl.Float64())).otherwise(read(13, 8, pl.Float64()))
    # Anything but a point has no position: NaN, which the checks count as bad coordinates.
    nan = pl.lit(float("nan"))
    return (
        pl.when(g.is_null()).then(None).when(is_point).then(x).otherwise(nan),
        pl.when(g.is_null()).then(None).when(is_point).then(y).otherwise(nan),
    )


def read_parquet(
    source: Source, layout: Layout, quality: Quality, unread: frozenset[str] = frozenset()
) -> Iterator[Batch]:
    """Batches of canonical columns plus ``_line`` (row number) from a (Geo)Parquet file.

    ``unread``: optional canonical columns the caller has no use for (see :data:`OPTIONAL`).
    """
    name = source.name
    pf = _parquet(source)
    header = list(pf.schema_arrow.names)
    geometry = _geometry(pf, name) if layout.name == "geoparquet" else None
    if geometry is None:
        mapping = _mapping(layout, header, name)
    else:
        others = [h for h in header if h != geometry[0]]
        mapping = {k: v for k, v in map_columns(others).items() if v not in ("lat", "lon")}
        missing = [c for c in ("mmsi", "ts") if c not in mapping.values()]
        if missing:
            wanted = ", ".join({"ts": "timestamp"}.get(c, c) for c in missing)
            raise AisInputError(
                f"unknown layout: no {wanted} column beside the geometry {geometry[0]!r}; "
                f"found: {', '.join(header[:12])}",
                source=name,
                where="header",
            )
    mapping = _wanted(mapping, unread)
    columns = list(mapping) + ([geometry[0]] if geometry else [])
    scan = pl.scan_parquet(source.path).select(columns)
    offset = 0
    try:
        for n in _batch_rows(pf, time_ranges(source, layout)):
            frame = scan.slice(offset, n).collect()
            if geometry is not None:
                col, encoding = geometry
                if encoding == "point":
                    x, y = pl.col(col).struct.field("x"), pl.col(col).struct.field("y")
                else:
                    x, y = _wkb_xy(col)
                frame = frame.with_columns(x.alias("_lon"), y.alias("_lat")).drop(col)
                frame = frame.rename({**mapping, "_lon": "lon", "_lat": "lat"})
            else:
                frame = frame.rename(mapping)
            frame = frame.with_columns(
                pl.int_range(offset + 1, offset + n + 1, dtype=pl.Int64).alias("_line")
            )
            offset += n
            yield Batch(frame, offset)
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise AisInputError(
            f"cannot read as Parquet: {str(exc).splitlines()[0]}", source=name
        ) from None


def _batch_rows(pf: Any, ranges: list[tuple[int, int, int]] | None = None) -> Iterator[int]:
    """Rows per batch: whole row groups, about :data:`PARQUET_BATCH_ROWS` at a time.

    A batch never ends inside a row group, so when the row groups follow each
    other in time no row of a later batch is earlier than one of this batch.
    With the row groups' time ranges (:func:`time_ranges`), a batch also ends
    where the next row group starts on a later UTC day than this one: the
    day is then complete once the batch is read, without reading most of a
    batch of the next day first (the first day reaches the engine sooner).
    """
    rows = 0
    count = pf.metadata.num_row_groups
    for i in range(count):
        rows += pf.metadata.row_group(i).num_rows
        day_ends = (
            ranges is not None
            and i + 1 < count
            and ranges[i + 1][1] // US_PER_DAY > ranges[i][1] // US_PER_DAY
        )
        if rows >= PARQUET_BATCH_ROWS or day_ends:
            yield rows
            rows = 0
    if rows:
        yield rows


def time_ranges(source: Source, layout: Layout) -> list[tuple[int, int, int]] | None:
    """``(rows, min_us, max_us)`` of each row group's time column, or None when unknown.

    Only Parquet time columns (timestamps, or epoch numbers) with statistics
    in every row group give ranges; text times or missing statistics give None.
    """
    if layout.container != "parquet" or source.member is not None:
        return None
    pf = _parquet(source)
    names = list(pf.schema_arrow.names)
    ts_col = next((h for h, c in map_columns(names).items() if c == "ts"), None)
    if ts_col is None:
        return None
    field = pf.schema_arrow.field(ts_col)
    scale: float | None = None
    if pa.types.is_timestamp(field.type):
        scale = {"s": US, "ms": 1000, "us": 1, "ns": 1e-3}[field.type.unit]
    elif not (pa.types.is_integer(field.type) or pa.types.is_floating(field.type)):
        return None
    j = names.index(ts_col)
    out: list[tuple[int, int, int]] = []
    meta = pf.metadata
    for i in range(meta.num_row_groups):
        rg = meta.row_group(i)
        stats = rg.column(j).statistics
        if stats is None or not stats.has_min_max:
            return None
        lo, hi = stats.min_raw, stats.max_raw
        if scale is None:  # epoch seconds or milliseconds, as the normaliser reads them
            lo, hi = (v * (1000 if abs(v) > 1e11 else US) for v in (lo, hi))
        else:
            lo, hi = lo * scale, hi * scale
        out.append((rg.num_rows, int(lo), int(hi)))
    return out
