"""CSV and Parquet position files, read in bounded batches.

Column names are matched case-insensitively against common spellings (see
:data:`normalise.ALIASES`), so the Solent file's ``Latitude_degrees`` and
MarineCadastre's ``BaseDateTime`` work without options. A missing required
column is the one thing that stops a file (``AisInputError`` naming it);
everything row-level is counted instead.

CSV goes through Arrow's streaming reader with every column read as text,
so one bad cell cannot change a column's type; rows with the wrong number
of fields are skipped and counted as ``malformed_row`` with their line.
"""

from __future__ import annotations

import csv
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from dprkwatch.maritime.exceptions import AisInputError
from dprkwatch.maritime.ingest.normalise import REQUIRED, map_columns
from dprkwatch.maritime.ingest.quality import Quality
from dprkwatch.sources import reading

# pyarrow's stubs mark these modules' members private; they are its documented API.
pacsv: Any = importlib.import_module("pyarrow.csv")
pq: Any = importlib.import_module("pyarrow.parquet")

BLOCK_BYTES = 32 << 20
PARQUET_BATCH_ROWS = 1_000_000


def _check_columns(mapping: dict[str, str], header: list[str], source: str) -> None:
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        wanted = ", ".join({"ts": "timestamp"}.get(c, c) for c in missing)
        seen = ", ".join(header[:12]) + (" ..." if len(header) > 12 else "")
        raise AisInputError(
            f"missing column(s) {wanted} (columns found: {seen})", source=source, where="header"
        )


def read_csv(path: Path, quality: Quality) -> Iterator[pl.DataFrame]:
    """Batches of canonical columns plus ``_line`` from a CSV file."""
    source = str(path)
    with reading(source, AisInputError), path.open("rb") as fh:
        first = fh.readline()
    if b"\x00" in first:
        raise AisInputError("binary data, not a CSV file", source=source)
    try:
        header = next(
            csv.reader([first.decode("utf-8-sig", errors="replace").rstrip("\r\n")]), None
        )
    except csv.Error as exc:  # a stray carriage return or NUL inside the header line
        raise AisInputError(
            f"unreadable header line: {exc}", source=source, where="line 1"
        ) from None
    if not header:
        raise AisInputError("empty file", source=source)
    header = [h.strip() for h in header]
    mapping = map_columns(header)
    _check_columns(mapping, header, source)

    bad_lines: list[int] = []

    def on_invalid(row: Any) -> str:
        # An unclosed quote can swallow the lines after it; each swallowed line counts as a row.
        span = 1 + (row.text or "").rstrip("\r\n").count("\n")
        line = int(row.number) if row.number is not None else -1
        if line > 0:
            bad_lines.extend(range(line, line + span))
        quality.rows_read += span
        quality.skip("malformed_row", span, [f"{source}:{line}"] if line > 0 else None)
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
        reader = pacsv.open_csv(
            path, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts
        )
        for batch in reader:
            n = batch.num_rows
            if n == 0:
                continue
            lines = np.arange(valid_seen, valid_seen + n, dtype=np.int64) + 2  # header is line 1
            for bad in sorted(bad_lines):
                lines[lines >= bad] += 1
            valid_seen += n
            frame = pl.from_arrow(_text(batch, lines, source, quality))
            assert isinstance(frame, pl.DataFrame)
            frame = frame.rename(mapping).with_columns(pl.Series("_line", lines))
            yield frame
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise AisInputError(
            f"cannot parse as CSV: {str(exc).splitlines()[0]}", source=source
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


def read_parquet(path: Path, quality: Quality) -> Iterator[pl.DataFrame]:
    """Batches of canonical columns plus ``_line`` (row number) from a Parquet file."""
    source = str(path)
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise AisInputError(
            f"cannot read as Parquet: {str(exc).splitlines()[0]}", source=source
        ) from None
    header = list(pf.schema_arrow.names)
    mapping = map_columns(header)
    _check_columns(mapping, header, source)
    offset = 0
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=list(mapping)):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        n = frame.height
        frame = frame.rename(mapping).with_columns(
            pl.int_range(offset + 1, offset + n + 1, dtype=pl.Int64).alias("_line")
        )
        offset += n
        yield frame
