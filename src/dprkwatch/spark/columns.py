"""Checking a subjects DataFrame before any job runs, and the shape of the hits.

Everything here looks only at the DataFrame's schema, which Spark knows
without reading a row, so a table that cannot be screened is refused in
well under a second instead of failing in a task an hour later. Per-row
problems (a null name, an unknown schema, a 10 kB name) are left to the
tasks, which report them in the row's ``error`` column.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from dprkwatch.matching import subjects
from dprkwatch.matching.batch_files import OUTPUT_COLUMNS
from dprkwatch.matching.query import NAME_PROPS
from dprkwatch.spark.exceptions import SparkInputError

# The hits: the local batch's output columns, in its order and with its
# Parquet types, so both engines write the same table.
_TYPES = {"rank": pa.int32(), "score": pa.float64(), "match": pa.bool_()}
ARROW_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in OUTPUT_COLUMNS])
_DDL = {"rank": "int", "score": "double", "match": "boolean"}
SPARK_SCHEMA = ", ".join(f"`{c}` {_DDL.get(c, 'string')}" for c in OUTPUT_COLUMNS)

# Spark type names (``DataType.typeName()``) a cell may have.
_TEXT = frozenset({"string", "varchar", "char"})
_WHOLE = frozenset({"byte", "short", "integer", "long"})
_OTHER = frozenset({"float", "double", "decimal", "date", "timestamp", "timestamp_ntz"})


def _kind(data_type: Any) -> str:
    """``string``, ``integer``... or ``array<string>`` for a Spark type."""
    name = str(data_type.typeName())
    if name == "array":
        return f"array<{_kind(data_type.elementType)}>"
    return name


def _allowed(kind: str, *, names: bool) -> bool:
    element = kind[6:-1] if kind.startswith("array<") and kind.endswith(">") else kind
    if element in _TEXT:
        return True
    return not names and (element in _WHOLE or element in _OTHER)


def screened_columns(df: Any, name: str = "input") -> list[str]:
    """The columns of ``df`` the screen reads (``id``, ``schema`` and query properties).

    Raises :class:`SparkInputError` naming the column and the problem when
    the DataFrame has no ``id`` column, no name or identifier column, or a
    column of a type that cannot hold names or identifiers.
    """
    columns = list(df.columns)
    if "id" not in columns:
        raise SparkInputError(
            "no 'id' column: the Spark engine tells rows apart by their id "
            f"(columns: {', '.join(columns)[:200]})",
            source=name,
        )
    subjects.check_columns(name, columns, "lenient", SparkInputError)
    types = {f.name: f.dataType for f in df.schema.fields}
    used: list[str] = []
    for column in columns:
        prop = subjects.column_property(column)
        if column not in ("id", "schema") and prop is None:
            continue  # ignored, as the local engine ignores it
        kind = _kind(types[column])
        if kind in ("void", "null"):
            raise SparkInputError(
                "column has no type (every value is null); give it a type or drop it",
                source=name,
                where=column,
            )
        names = column == "schema" or prop in NAME_PROPS
        if not _allowed(kind, names=names):
            expected = "string" if column == "schema" else "string or array<string>"
            if not names:
                expected = "text, a number, a date, or an array of them"
            raise SparkInputError(
                f"column of type {kind}; expected {expected}", source=name, where=column
            )
        used.append(column)
    return used
