"""OFSI's own ``ConList.xlsx`` (2022 format): the retired Consolidated List as a workbook.

One sheet, ``Data``: row 1 is ``Last Updated | dd/mm/yyyy``, row 2 the
36-column header of the OFSI layout, then one row per name and address. The
cells are the same as in ``ConList.csv``, so the rows go through the same
table (:mod:`~dprkwatch.lists.importers.uk.table`); the workbook is read by
:mod:`dprkwatch.lists.xlsx`. A date cell stored as an Excel serial number
instead of ``dd/mm/yyyy`` text is converted.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.importers.uk.table import OFSI, UkTable
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.xlsx import ZIP_MAGIC, XlsxReader, excel_serial_date, first_rows

# Columns that hold dates: DOB, Listed On, Date Designated, Last Updated.
_DATE_HEADERS = frozenset({"dob", "listedon", "uksanctionslistdatedesignated", "lastupdated"})


@register
class OfsiXlsxImporter:
    format: ClassVar[str] = "ofsi-xlsx"
    list_name: ClassVar[str] = "uk"
    source: ClassVar[str | None] = "ofsi"
    description: ClassVar[str] = "OFSI Consolidated List workbook, 2022 format (retired 2026-01-28)"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if not head.startswith(ZIP_MAGIC):
            return 0.0
        rows = first_rows(path)
        return 0.95 if any("Name 6" in row and "Group ID" in row for row in rows) else 0.0

    def load(self, path: Path) -> ListVersion:
        builder = EntityBuilder(self.list_name, self.format, [path])
        table = UkTable(path, builder, OFSI, "row")
        date_columns: list[int] | None = None
        for number, cells in XlsxReader(path).rows():
            if date_columns is not None:
                for i in date_columns:
                    if i < len(cells) and cells[i][:1].isdigit() and "/" not in cells[i]:
                        cells[i] = excel_serial_date(cells[i]) or cells[i]
            table.add(number, cells)
            if date_columns is None and table.header is not None:
                date_columns = [i for i, h in enumerate(table.header) if h in _DATE_HEADERS]
        return table.finish()
