"""The UK lists as CSV: OFSI's retired ``ConList.csv`` and the FCDO's UK Sanctions List CSV.

Both are UTF-8 tables with a banner line before the header (see
:mod:`~dprkwatch.lists.importers.uk.table` for the layouts). Content decides
the importer: a ``Last Updated,<date>`` banner is OFSI, ``Report Date:`` is
the UK Sanctions List. Forcing the UK Sanctions List format onto an OFSI file
is refused with a one-line error, because the retired list must never be
taken for the one in force.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.table import OFSI, UKSL, Layout, UkTable
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.sources import read_content, utf8_text


def _sniff_lines(head: bytes) -> tuple[bool, str]:
    """(has a Name 6 / Name 1 header in the first lines, first line)."""
    lines = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[:3]
    if not lines:
        return False, ""
    return any("Name 6" in line and "Name 1" in line for line in lines), lines[0]


def load_csv(path: Path, builder: EntityBuilder, layout: Layout) -> ListVersion:
    """Read one UK CSV of the given layout into entities."""
    data = read_content(path, SourceError)
    reader = csv.reader(io.StringIO(utf8_text(path, data, SourceError), newline=""), strict=True)
    table = UkTable(path, builder, layout, "line")
    try:
        for row in reader:
            table.add(reader.line_num, row)
    except csv.Error as exc:
        raise SourceError(
            f"invalid CSV ({exc})", source=str(path), where=f"line {reader.line_num}"
        ) from None
    return table.finish()


@register
class OfsiCsvImporter:
    format: ClassVar[str] = "ofsi-csv"
    list_name: ClassVar[str] = "uk"
    source: ClassVar[str | None] = "ofsi"
    description: ClassVar[str] = "OFSI Consolidated List CSV, 2022 format (retired 2026-01-28)"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        has_header, first = _sniff_lines(head)
        if not has_header or first.startswith("Report Date:"):
            return 0.0
        return 0.95 if first.startswith("Last Updated,") else 0.7

    def load(self, path: Path) -> ListVersion:
        return load_csv(path, EntityBuilder(self.list_name, self.format, [path]), OFSI)


@register
class UkslCsvImporter:
    format: ClassVar[str] = "uksl-csv"
    list_name: ClassVar[str] = "uk"
    source: ClassVar[str | None] = "uksl"
    description: ClassVar[str] = "UK Sanctions List (FCDO), CSV"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        has_header, first = _sniff_lines(head)
        if not has_header:
            return 0.0
        return 0.95 if first.startswith("Report Date:") else 0.0

    def load(self, path: Path) -> ListVersion:
        return load_csv(path, EntityBuilder(self.list_name, self.format, [path]), UKSL)
