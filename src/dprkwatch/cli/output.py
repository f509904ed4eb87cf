"""Rendering of command results: Rich tables for people, JSON and CSV for programs.

A command calls one library function, which returns a typed value, and
hands that value to :func:`render` with the format the user asked for
(``--json``, ``--csv`` or the default table). JSON prints the whole value
(pydantic models as they dump, so the command line prints what the HTTP API
answers); CSV and the table print its rows. So every command prints the same
way and no command branches on its output flags.
"""

from __future__ import annotations

import csv
import dataclasses
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import orjson
from pydantic import BaseModel

from dprkwatch.printable import visible

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """Rich's Console, made on first use.

    Rich costs a tenth of a second or two to import, which every command paid
    at start-up even when it printed JSON or nothing at all (``maritime detect
    --json`` is timed end to end). The consoles are built, and Rich imported,
    when something is first printed through them.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def _real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    # Python looks special methods up on the type, past __getattr__: Rich's
    # Live (a progress bar) enters the console it draws on.
    def __enter__(self) -> Console:
        return self._real().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._real().__exit__(*exc)


console: Console = _LazyConsole()  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]

Format = Literal["table", "json", "csv"]


def output_format(json_out: bool = False, csv_out: bool = False) -> Format:
    """The format that a command's ``--json`` / ``--csv`` flags ask for."""
    return "json" if json_out else "csv" if csv_out else "table"


def render(
    value: Any,
    fmt: Format = "table",
    *,
    rows: Iterable[Any] | None = None,
    columns: Sequence[str] = (),
    csv_columns: Sequence[str] | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    summary: str | None = None,
    empty: str | None = None,
    text: str | None = None,
) -> None:
    """Print a command's result in ``fmt``.

    JSON prints ``value`` whole. A value that reads as a sentence gives
    ``text``, which the table format prints instead of a table. Otherwise CSV
    and the table print ``rows`` (default: ``value`` itself, a sequence of
    records: mappings, pydantic models or dataclasses) in ``columns`` (CSV in
    ``csv_columns`` if given). The table is preceded by ``summary``; with no
    rows it prints ``empty`` instead when that is given ("" prints nothing).
    """
    if fmt == "json":
        emit_json(value)
        return
    if text is not None and fmt == "table":
        _line(text)
        return
    records = [record(r) for r in (value if rows is None else rows)]
    if fmt == "csv":
        emit_csv(records, csv_columns or columns)
        return
    if summary is not None:
        _line(summary)
    if records or empty is None:
        print_table(records, columns, title=title, headers=headers)
    elif empty:
        _line(empty)


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def record(value: Any) -> Mapping[str, Any]:
    """One row as a mapping: a mapping itself, a pydantic model's or a dataclass's fields."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, BaseModel):
        dumped: dict[str, Any] = value.model_dump(mode="json")
        return dumped
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"not a record: {type(value).__name__}")


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
    """A table cell as plain text: Rich markup escaped, control and bidi characters made visible."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(_cell(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    from rich.markup import escape

    return escape(visible(str(value)))


def print_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Print rows as a Rich table."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column((headers or {}).get(col, col))
    for row in rows:
        # Escaped: data such as "[calls-upon]" must print as written, not as Rich markup.
        table.add_row(*(escape(_cell(row.get(c))) for c in columns))
    console.print(table)
