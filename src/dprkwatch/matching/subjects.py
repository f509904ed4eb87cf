"""Subject files: the customer or counterparty tables screened in bulk.

``dprkwatch screen --input`` (a one-off batch) and books (registered, then
re-screened after every list import) read the same files by the same rules:

* **Formats**: CSV or TSV (UTF-8, with a header), XLSX (the first sheet),
  Parquet and JSON lines (flat objects, or FtM-shaped ones with
  ``properties``). Parquet and XLSX are recognised by their first bytes,
  the others by the suffix (or named with ``--format``).
* **Columns**: ``id`` (your own reference), ``schema`` (``Person``,
  ``Company``, ``Vessel``... default ``Thing``) and any FtM property a
  screening query takes (``name``, ``birthDate``, ``imoNumber``...), or one
  of the short aliases in :data:`COLUMNS` (``birth_date``, ``imo``...).
* **Values**: several values in one cell are separated by ``;``; a list
  (JSON lines, Parquet) is several values. Spreadsheet dates become ISO
  dates and whole numbers lose their ``.0``.

Two modes differ only in what a bad row does. **Strict** (books): the first
bad row rejects the whole file, naming the row and the field; every row
needs a unique ``id``, and a column that is not a query property is an
error. **Lenient** (batch screening): a bad row becomes a row with an
``error`` and the batch goes on; a row without an id is called ``row-N``,
and columns that are not query properties are ignored. In both modes a
file that cannot be read at all stops before anything is done.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from dprkwatch.exceptions import InputError
from dprkwatch.matching.exceptions import QueryError
from dprkwatch.matching.query import Query
from dprkwatch.sources import reading

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
Mode = Literal["strict", "lenient"]

_SUFFIXES = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}  # fmt: skip
_MAGIC = {b"PAR1": "parquet", b"PK\x03\x04": "xlsx"}
# Input column -> FtM property.
COLUMNS: dict[str, str] = {
    "name": "name", "alias": "alias", "birth_date": "birthDate", "dob": "birthDate",
    "nationality": "nationality", "country": "country", "citizenship": "citizenship",
    "gender": "gender", "imo": "imoNumber", "mmsi": "mmsi", "wallet": "publicKey",
    "passport": "passportNumber", "id_number": "idNumber", "registration": "registrationNumber",
    "flag": "flag", "call_sign": "callSign",
}  # fmt: skip
_FTM_COLUMNS = frozenset(COLUMNS.values())
_RESERVED = ("id", "schema")
_SAMPLE = 65536

# What a format reader yields: the row's number and its cells, or why it has none.
Record = tuple[int, dict[str, Any] | str]


@dataclass(frozen=True)
class SubjectRow:
    """One row of a subject file: its query, or (lenient mode) why it has none."""

    number: int
    subject_id: str
    query: Query | None
    error: str | None


def detect_format(
    name: str, head: bytes, fmt: str | None = None, error: type[InputError] = InputError
) -> str:
    """The format of a file called ``name`` starting with ``head`` (or the one named ``fmt``)."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise error(
                f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})", source=name
            )
        return fmt
    for magic, found in _MAGIC.items():
        if head.startswith(magic):
            return found
    suffix = Path(name).suffix.lower()
    if suffix not in _SUFFIXES:
        raise error(
            f"cannot tell the format from the suffix {suffix!r} "
            "(use .csv, .xlsx, .parquet or .jsonl, or --format)",
            source=name,
        )
    return _SUFFIXES[suffix]


@dataclass(frozen=True)
class Reading:
    """How to read a subject file: the mode, the row limit, the error class to raise..."""

    mode: Mode
    max_rows: int
    error: type[InputError] = InputError
    fmt: str | None = None  # a format name; default: recognised from the bytes or suffix
    default_schema: str = "Thing"  # for rows without a ``schema``


def read_path(path: Path, how: Reading) -> Iterator[SubjectRow]:
    """The subjects of the file at ``path`` (see the module docstring for the rules)."""
    with reading(path, how.error):
        fh = path.open("rb")
    with fh:
        yield from read(fh, str(path), how)


def read(fh: IO[bytes], name: str, how: Reading) -> Iterator[SubjectRow]:
    """The subjects of the open binary file ``fh`` (an upload, or a file on disk) named ``name``."""
    mode, max_rows, error, default_schema = how.mode, how.max_rows, how.error, how.default_schema
    head = fh.read(8)
    fh.seek(0)
    records = _READERS[detect_format(name, head, how.fmt, error)](fh, name, error)
    seen: set[str] = set()
    checked = False
    count = 0
    for number, record in records:
        if not checked:
            checked = True
            if isinstance(record, dict):
                _check_columns(name, list(record), mode, error)
        count += 1
        if count > max_rows:
            raise error(f"more than {max_rows:,} rows; split the file", source=name)
        if mode == "lenient":
            yield _subject(number, record, default_schema, lenient=True)
            continue
        if isinstance(record, str):
            raise error(record, source=name)
        try:
            row = _subject(number, record, default_schema, lenient=False)
        except QueryError as exc:
            where = f"row {number}, {exc.where or 'row'}"
            raise error(exc.problem, source=name, where=where) from None
        _check_id(row, seen, name, error)
        yield row
    if mode == "strict" and not count:
        raise error("no subjects: the file has a header but no rows", source=name)


def check_columns(
    name: str, columns: Sequence[Any], mode: Mode, error: type[InputError] = InputError
) -> None:
    """Raise ``error`` when a table's columns cannot give queries (engines with their own reader)."""
    _check_columns(name, columns, mode, error)


def record_subject(
    number: int, record: dict[str, Any], default_schema: str = "Thing"
) -> SubjectRow:
    """One record (column -> cell) read by the lenient rules, as a batch file's row is.

    For engines that bring their own reader (Spark hands over Arrow
    batches): the same cells give the same query as here.
    """
    return _subject(number, record, default_schema, lenient=True)


def column_property(column: str) -> str | None:
    """The FtM property an input column feeds, if any (``birth_date`` -> ``birthDate``)."""
    return _column_prop(column)


def _check_columns(name: str, columns: Sequence[Any], mode: Mode, error: type[InputError]) -> None:
    if mode == "strict":
        if "id" not in columns:
            listed = ", ".join(repr(str(c)) for c in columns)
            raise error(f"no 'id' column (columns: {listed})", source=name)
    elif not any(isinstance(c, str) and _column_prop(c) for c in columns):
        found = ", ".join(str(c) for c in columns)[:200]
        raise error(
            "no usable column: expected 'name' or an identifier column such as 'imo' "
            f"(found: {found})",
            source=name,
        )


def _check_id(row: SubjectRow, seen: set[str], name: str, error: type[InputError]) -> None:
    """Strict mode: every subject has an id of its own."""
    where = f"row {row.number}"
    if not row.subject_id:
        raise error("empty id", source=name, where=where)
    if len(row.subject_id) > 200:
        raise error("id longer than 200 characters", source=name, where=where)
    if row.subject_id in seen:
        raise error(f"duplicate id {row.subject_id!r}", source=name, where=where)
    seen.add(row.subject_id)


def _column_prop(column: str) -> str | None:
    """The FtM property an input column feeds, if any."""
    key = column.strip()
    return COLUMNS.get(key.lower()) or (key if key in _FTM_COLUMNS else None)


def _subject(
    number: int, record: dict[str, Any] | str, default_schema: str, *, lenient: bool
) -> SubjectRow:
    """The row's subject. Lenient: problems become the row's error; strict: QueryError."""
    if isinstance(record, str):
        return SubjectRow(number, f"row-{number}", None, record)
    raw_id = record.get("id")
    subject_id = " ".join(("" if raw_id is None else _text(raw_id)).split())
    if lenient:
        subject_id = subject_id[:200] or f"row-{number}"
    elif not subject_id or len(subject_id) > 200:
        return SubjectRow(number, subject_id, None, None)  # _check_id names the problem
    props: dict[str, list[str]] = {}
    for key, value in record.items():
        if key in _RESERVED or not isinstance(key, str):
            continue
        prop = _column_prop(key) or (None if lenient else key)
        values = _values(value)
        if prop is not None and values:
            props.setdefault(prop, []).extend(values)
    schema = record.get("schema")
    try:
        query = Query(
            schema=str(schema).strip() if schema not in (None, "") else default_schema,
            properties=props,
            id=subject_id,
        )
    except QueryError as exc:
        if not lenient:
            raise
        return SubjectRow(number, subject_id, None, str(exc))
    return SubjectRow(number, subject_id, query, None)


def _values(value: Any) -> list[str]:
    """A cell's values: ``;`` separates several in one cell; a list holds several."""
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        out.extend(v.strip() for v in _text(item).split(";") if v.strip())
    return out


def _text(value: Any) -> str:
    """A cell as text: spreadsheet dates as ISO dates, whole floats without '.0'."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- one reader per format ------------------------------------------------------


def _read_csv(fh: IO[bytes], name: str, error: type[InputError]) -> Iterator[Record]:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        sample = text.read(_SAMPLE)
    except UnicodeDecodeError:
        raise error("not UTF-8 text", source=name) from None
    text.seek(0)
    tabs = name.lower().endswith(".tsv") or sample.count("\t") > sample.count(",")
    reader = csv.reader(text, delimiter="\t" if tabs else ",")
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise error(f"unreadable header ({exc})", source=name) from None
    if not header:
        raise error("empty file (no header row)", source=name)
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
            yield number, f"line {reader.line_num}: {len(cells)} fields, header has {len(header)}"
            continue
        yield number, dict(zip(header, cells, strict=True))


def _read_jsonl(fh: IO[bytes], name: str, error: type[InputError]) -> Iterator[Record]:
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
            flat.update(data["properties"])
            data = flat
        yield number, data


def _read_xlsx(fh: IO[bytes], name: str, error: type[InputError]) -> Iterator[Record]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad workbook
        raise error(f"not a readable XLSX workbook ({type(exc).__name__})", source=name) from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise error("empty sheet (no header row)", source=name)
        columns = [str(h).strip() if h is not None else "" for h in header]
        for number, cells in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in cells):
                continue
            values = list(cells) + [None] * (len(columns) - len(cells))
            yield number, {c: v for c, v in zip(columns, values, strict=False) if c}
    finally:
        wb.close()


def _read_parquet(fh: IO[bytes], name: str, error: type[InputError]) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(fh)  # type: ignore[no-untyped-call]
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError subclasses
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error(f"not a readable Parquet file ({first})", source=name) from None
    number = 1
    for batch in pf.iter_batches(batch_size=10_000):  # type: ignore[no-untyped-call]
        for record in batch.to_pylist():
            number += 1
            yield number, record


_READERS = {"csv": _read_csv, "jsonl": _read_jsonl, "xlsx": _read_xlsx, "parquet": _read_parquet}
