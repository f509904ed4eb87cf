"""Writing small XLSX workbooks for importer tests (the fixtures stay readable as CSV or code)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook


def write_xlsx(path: Path, rows: Iterable[Sequence[object]], sheet: str = "Data") -> Path:
    """A one-sheet workbook with ``rows``; None leaves a cell empty."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))
