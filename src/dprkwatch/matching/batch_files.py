"""Files of queries in, files of results out: CSV, XLSX, Parquet and JSON lines.

Input columns: ``id``, ``schema``, ``name`` and optionally ``alias``,
``birth_date``, ``nationality``, ``country``, ``gender``, ``imo``, ``mmsi``,
``wallet``, ``passport``, ``id_number``, ``registration`` (FtM property
names such as ``birthDate`` or ``imoNumber`` work as well). A row that
cannot become a query keeps its number and says why in ``error``; only a
file that cannot be read at all, or has neither a name nor an identifier
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dprkwatch import durable
from dprkwatch.matching.exceptions import BatchFileError, QueryError
from dprkwatch.matching.query import Query
from dprkwatch.matching.result import Match

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
_SUFFIXES = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}  # fmt: skip
# Input column -> FtM property.
COLUMNS: dict[str, str] = {
    "name": "name", "alias": "alias", "birth_date": "birthDate", "dob": "birthDate",
    "nationality": "nationality", "country": "country", "citizenship": "citizenship",
    "gender": "gender", "imo": "imoNumber", "mmsi": "mmsi", "wallet": "publicKey",
    "passport": "passportNumber", "id_number": "idNumber", "registration": "registrationNumber",
    "flag": "flag", "call_sign": "callSign",
}  # fmt: skip
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
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise BatchFileError(
                f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})", source=str(path)
            )
        return fmt
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise BatchFileError(
            f"cannot tell the format from the suffix {path.suffix!r} (use .csv, .xlsx, .parquet or .jsonl, or --format)",
            source=str(path),
        )
    return found


# -- reading ------------------------------------------------------------------


def read_queries(path: Path, fmt: str | None = None) -> Iterator[InputRow]:
    """Parse an input file into rows; bad rows carry an error instead of a query."""
    fmt = detect_format(path, fmt)
    if not path.is_file():
        raise BatchFileError("file not found", source=str(path))
    records = _READERS[fmt](path)
    header_checked = False
    for number, record in records:
        if not header_checked:
            header_checked = True
            if isinstance(record, dict):
                _check_columns(path, list(record))
        if number > MAX_ROWS:
            raise BatchFileError(f"more than {MAX_ROWS:,} rows; split the file", source=str(path))
        yield _to_row(number, record)


def _column_prop(column: str) -> str | None:
    """The FtM property an input column feeds, if any."""
    key = column.strip()
    return COLUMNS.get(key.lower()) or (key if key in _FTM_COLUMNS else None)


_FTM_COLUMNS = frozenset(COLUMNS.values())


def _check_columns(path: Path, columns: Sequence[Any]) -> None:
    if not any(isinstance(c, str) and _column_prop(c) for c in columns):
        found = ", ".join(str(c) for c in columns)[:200]
        raise BatchFileError(
            f"no usable column: expected 'name' or an identifier column such as 'imo' (found: {found})",
            source=str(path),
        )


def _to_row(number: int, record: dict[str, Any] | str) -> InputRow:
    if isinstance(record, str):
        return InputRow(number, f"row-{number}", None, record)
    raw_id = record.get("id")
    query_id = "" if raw_id is None else str(raw_id).strip()[:200]
    if not query_id:
        query_id = f"row-{number}"
    props: dict[str, list[str]] = {}
    for key, value in record.items():
        if key in ("id", "schema") or value is None or value == "":
            continue
        if not isinstance(key, str):
            continue
        prop = _column_prop(key)
        if prop is None:
            continue
        props.setdefault(prop, []).append(_text(value))
    schema = record.get("schema")
    try:
        query = Query(
            schema=str(schema).strip() if schema not in (None, "") else "Thing",
            properties=props,
            id=query_id,
        )
    except QueryError as exc:
        return InputRow(number, query_id, None, str(exc))
    return InputRow(number, query_id, query, None)


def _text(value: Any) -> str:
    """A cell as text: spreadsheet dates as ISO dates, whole floats without '.0'."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        fh = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise BatchFileError(f"cannot read: {exc.strerror}", source=str(path)) from None
    with fh:
        try:
            sample = fh.read(65536)
        except UnicodeDecodeError:
            raise BatchFileError("not UTF-8 text", source=str(path)) from None
        fh.seek(0)
        delimiter = (
            "\t"
            if path.suffix.lower() == ".tsv" or (sample.count("\t") > sample.count(","))
            else ","
        )
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BatchFileError(f"unreadable header ({exc})", source=str(path)) from None
        if not header:
            raise BatchFileError("empty file (no header row)", source=str(path))
        header = [h.strip() for h in header]
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                number += 1
                yield number, f"line {reader.line_num}: malformed CSV ({exc})"
                continue
            except UnicodeDecodeError:
                number += 1
                yield number, f"line {reader.line_num}: not UTF-8 text"
                continue
            number += 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield (
                    number,
                    f"line {reader.line_num}: {len(cells)} fields, header has {len(header)}",
                )
                continue
            yield number, dict(zip(header, cells, strict=True))


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise BatchFileError(f"cannot read: {exc.strerror}", source=str(path)) from None
    with fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, f"line {number}: invalid JSON ({exc.msg})"
                continue
            if not isinstance(data, dict):
                yield number, f"line {number}: expected a JSON object"
                continue
            if isinstance(data.get("properties"), dict):
                flat: dict[str, Any] = {"id": data.get("id"), "schema": data.get("schema")}
                for k, v in data["properties"].items():
                    flat[k] = v[0] if isinstance(v, list) and len(v) == 1 else v
                data = flat
            yield number, {k: _scalar(v) for k, v in data.items()}


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if len(value) != 1 else value[0]
    return value


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad workbook
        raise BatchFileError(
            f"not a readable XLSX workbook ({type(exc).__name__})", source=str(path)
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise BatchFileError("empty sheet (no header row)", source=str(path))
        columns = [str(h).strip() if h is not None else "" for h in header]
        for number, cells in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in cells):
                continue
            values = list(cells) + [None] * (len(columns) - len(cells))
            yield number, {c: v for c, v in zip(columns, values, strict=False) if c}
    finally:
        wb.close()


def _read_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)  # type: ignore[no-untyped-call]
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError subclasses
        raise BatchFileError(f"not a readable Parquet file ({exc})", source=str(path)) from None
    number = 1
    for batch in pf.iter_batches(batch_size=10_000):  # type: ignore[no-untyped-call]
        for record in batch.to_pylist():
            number += 1
            yield number, record


_READERS: dict[str, Callable[[Path], Iterator[tuple[int, dict[str, Any] | str]]]] = {
    "csv": _read_csv,
    "jsonl": _read_jsonl,
    "xlsx": _read_xlsx,
    "parquet": _read_parquet,
}


# -- results ------------------------------------------------------------------


def result_row(
    query_id: str, rank: int | None = None, m: Match | None = None, error: str | None = None
) -> dict[str, Any]:
    """One output row: a result, a query without results, or a row's error."""
    return {
        "query_id": query_id,
        "rank": rank,
        "entity_id": m.entity_id if m else None,
        "score": round(m.score, 4) if m else None,
        "match": m.match if m else None,
        "explanation": "; ".join(m.explanation) if m else None,
        "caption": m.caption if m else None,
        "schema": m.schema if m else None,
        "lists": ", ".join(m.datasets) if m else None,
        "features": orjson.dumps({k: round(v, 4) for k, v in m.features.items()}).decode()
        if m
        else None,
        "error": error,
    }


# -- writing ------------------------------------------------------------------


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed over it only on success
    (:func:`dprkwatch.durable.replacing`); OS errors become one line."""
    if path.parent and not path.parent.exists():
        raise BatchFileError("output folder does not exist", source=str(path))
    try:
        with durable.replacing(path) as tmp:
            yield tmp
    except OSError as exc:
        raise BatchFileError(f"cannot write: {exc.strerror}", source=str(path)) from None


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
