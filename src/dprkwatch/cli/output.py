"""Rendering of command results: Rich tables for people, JSON and CSV for programs.

Every listing command takes ``--json`` (and, where rows are flat, ``--csv``)
and passes its rows here, so all commands print the same way.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def _default(obj: Any) -> Any:
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def to_json(data: Any) -> str:
    return orjson.dumps(
        data, default=_default, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    ).decode("utf-8")


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout."""
    sys.stdout.write(to_json(data) + "\n")
    sys.stdout.flush()


def emit_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Write rows as CSV on stdout, in the given column order."""
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(_cell(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def print_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Print rows as a Rich table."""
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column((headers or {}).get(col, col))
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)
