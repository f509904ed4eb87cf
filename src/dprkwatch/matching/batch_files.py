"""Files of queries in, files of results out: CSV, XLSX, Parquet and JSON lines.

Input is read by :mod:`dprkwatch.matching.subjects` in its lenient mode,
by the rules books follow too: columns ``id``, ``schema``, ``name`` and
optionally ``alias``, ``birth_date``, ``nationality``, ``country``,
``gender``, ``imo``, ``mmsi``, ``wallet``, ``passport``, ``id_number``,
``registration`` (FtM property names such as ``birthDate`` or
``imoNumber`` work as well), ``;`` between several values in a cell. A row
that cannot become a query keeps its number and says why in ``error``; only
a file that cannot be read at all, or has neither a name nor an identifier
column, raises :class:`BatchFileError`.

Output rows (:func:`result_row`) have the columns of ``OUTPUT_COLUMNS``.
They are written to a temporary file beside the target and renamed into
place when complete (:mod:`dprkwatch.durable`), so an interrupted run never
leaves a half file.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dprkwatch import durable
from dprkwatch.matching import subjects
from dprkwatch.matching.exceptions import BatchFileError
from dprkwatch.matching.query import Query
from dprkwatch.matching.result import Match
from dprkwatch.sources import reading

OUTPUT_COLUMNS = (
    "query_id", "rank", "entity_id", "score", "match", "explanation", "caption", "schema",
    "lists", "features", "error",
)  # fmt: skip
MAX_ROWS = 5_000_000


@dataclass(frozen=True)
class InputRow:
    """One input row: its query, or why it has none."""

    number: int
    query_id: str
    query: Query | None
    error: str | None


def detect_format(path: Path, fmt: str | None = None) -> str:
    """An output format: the one named, else the suffix's."""
    return subjects.detect_format(str(path), b"", fmt, BatchFileError)


# -- reading ------------------------------------------------------------------


def read_queries(path: Path, fmt: str | None = None) -> Iterator[InputRow]:
    """Parse an input file into rows; bad rows carry an error instead of a query."""
    how = subjects.Reading("lenient", MAX_ROWS, BatchFileError, fmt)
    for r in subjects.read_path(path, how):
        yield InputRow(r.number, r.subject_id, r.query, r.error)


# -- results ------------------------------------------------------------------


def result_row(
    query_id: str, rank: int | None = None, m: Match | None = None, error: str | None = None
) -> dict[str, Any]:
    """One output row: a result, a query without results, or a row's error."""
    hit = m.to_dict() if m else None  # the one serialised form of a hit
    return {
        "query_id": query_id,
        "rank": rank,
        "entity_id": hit["entity_id"] if hit else None,
        "score": hit["score"] if hit else None,
        "match": hit["match"] if hit else None,
        "explanation": "; ".join(hit["explanation"]) if hit else None,
        "caption": hit["caption"] if hit else None,
        "schema": hit["schema"] if hit else None,
        "lists": ", ".join(hit["datasets"]) if hit else None,
        "features": orjson.dumps(hit["features"]).decode() if hit else None,
        "error": error,
    }


# -- writing ------------------------------------------------------------------


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed over it only on success
    (:func:`dprkwatch.durable.replacing`); OS errors become one line."""
    if path.parent and not path.parent.exists():
        raise BatchFileError("output folder does not exist", source=str(path))
    with reading(path, BatchFileError, verb="write"), durable.replacing(path) as tmp:
        yield tmp


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_csv(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with _atomic(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(OUTPUT_COLUMNS)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in OUTPUT_COLUMNS])


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with _atomic(path) as tmp, tmp.open("wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")


def _write_xlsx(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(list(OUTPUT_COLUMNS))
    for row in rows:
        ws.append([_xlsx_safe(row[c]) for c in OUTPUT_COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    with _atomic(path) as tmp:
        tmp.write_bytes(buf.getvalue())


def _xlsx_safe(value: Any) -> Any:
    """Cells as data: no formulas (a leading "=" etc.), no characters Excel rejects."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _write_parquet(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = list(rows)
    schema = pa.schema(
        [
            ("query_id", pa.string()), ("rank", pa.int32()), ("entity_id", pa.string()),
            ("score", pa.float64()), ("match", pa.bool_()), ("explanation", pa.string()),
            ("caption", pa.string()), ("schema", pa.string()), ("lists", pa.string()),
            ("features", pa.string()), ("error", pa.string()),
        ]
    )  # fmt: skip
    table = pa.Table.from_pylist(data, schema=schema)
    with _atomic(path) as tmp:
        pq.write_table(table, tmp)  # type: ignore[no-untyped-call]


_WRITERS: dict[str, Callable[[Path, Iterable[dict[str, Any]]], None]] = {
    "csv": _write_csv,
    "jsonl": _write_jsonl,
    "xlsx": _write_xlsx,
    "parquet": _write_parquet,
}


def write_rows(path: Path, fmt: str, rows: Iterable[dict[str, Any]]) -> None:
    """Write result rows (:func:`result_row`) in ``fmt``, replacing ``path`` atomically."""
    _WRITERS[fmt](path, rows)
