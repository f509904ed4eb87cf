"""Reading the first sheet of an XLSX workbook as rows of text, safely and fast.

Publishers ship lists as Excel workbooks (OFSI's ``ConList.xlsx``, DFAT's
consolidated list). openpyxl reads them, but spends about 4 s of CPU on
OFSI's 18,800 rows, most of it building cell objects we never use. A list
importer only needs each row's cell text, so this module reads the two parts
that hold it, ``xl/sharedStrings.xml`` and the first worksheet, with the same
hardened, streaming lxml parser as the XML lists (:mod:`dprkwatch.lists.xmlsafe`):

* the zip is checked before anything is inflated: each part must declare a
  size under :data:`MAX_PART_BYTES` and a compression ratio under
  :data:`MAX_RATIO`, so a zip bomb is refused, not expanded;
* no part may declare a DOCTYPE or entities; entities are never resolved and
  nothing is fetched;
* cells come back as text exactly as stored: shared and inline strings as
  written, numbers as their decimal text (a date column written as a number
  is an Excel serial day; :func:`excel_serial_date` converts it when the
  importer knows the column is a date), booleans as ``TRUE``/``FALSE``.

Every problem is one :class:`~dprkwatch.lists.exceptions.SourceError` naming
the file and, where there is one, the row.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO

from lxml import etree

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.xmlsafe import local_name, prolog_declaration_line

MAX_PART_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_EXCEL_EPOCH = date(1899, 12, 30)
ZIP_MAGIC = b"PK\x03\x04"


def column_index(letters: str) -> int:
    """``A`` -> 0, ``Z`` -> 25, ``AA`` -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def excel_serial_date(value: str) -> str | None:
    """An Excel serial day number (``44927``) as an ISO date, else None."""
    try:
        days = float(value)
    except ValueError:
        return None
    if not 1 <= days < 2958466:  # 1900-01-01 .. 9999-12-31
        return None
    return (_EXCEL_EPOCH + timedelta(days=int(days))).isoformat()


def _parser_args() -> dict[str, bool]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


@lru_cache(maxsize=8)
def _first_rows(path: Path, stamp: tuple[int, int], n: int) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for _number, cells in XlsxReader(path).rows():
        rows.append(tuple(c.strip() for c in cells))
        if len(rows) >= n:
            break
    return tuple(rows)


def first_rows(path: Path, n: int = 3) -> tuple[tuple[str, ...], ...]:
    """The first ``n`` rows of a workbook, for format detection; () if it cannot be read.

    Cached per file and modification time, since every XLSX importer's
    ``sniff`` asks for the same rows.
    """
    try:
        stat = path.stat()
        return _first_rows(path, (stat.st_mtime_ns, stat.st_size), n)
    except (SourceError, OSError):
        return ()


def _small_parser() -> etree.XMLParser:
    """The parser for the small parts read whole (workbook.xml and its relations)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class XlsxReader:
    """The rows of the first worksheet of one workbook (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet_name: str | None = None

    def _error(self, problem: str, where: str | None = None) -> SourceError:
        return SourceError(problem, source=str(self.path), where=where)

    def _check(self, archive: zipfile.ZipFile) -> None:
        for info in archive.infolist():
            if info.file_size > MAX_PART_BYTES:
                raise self._error(
                    f"workbook part {info.filename} would inflate to {info.file_size:,} bytes; "
                    "refused (possible zip bomb)"
                )
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise self._error(
                    f"workbook part {info.filename} has a compression ratio over {MAX_RATIO}:1; "
                    "refused (possible zip bomb)"
                )

    def _open_part(self, archive: zipfile.ZipFile, name: str) -> IO[bytes]:
        try:
            handle = archive.open(name)
        except KeyError:
            raise self._error(f"not an XLSX workbook: part {name} missing") from None
        head = handle.read(4096)
        handle.close()
        if prolog_declaration_line(head) is not None:
            raise self._error(f"workbook part {name} declares a DOCTYPE/entities; refused")
        return archive.open(name)

    def _first_sheet(self, archive: zipfile.ZipFile) -> str:
        """The zip path of the workbook's first worksheet, via workbook.xml and its rels."""
        with self._open_part(archive, "xl/workbook.xml") as fh:
            tree = etree.parse(fh, _small_parser())
        sheet = tree.find(f".//{{{_MAIN_NS}}}sheet")
        if sheet is None:
            raise self._error("workbook has no worksheet")
        self.sheet_name = sheet.get("name")
        rel_id = sheet.get(f"{{{_REL_NS}}}id")
        target = "worksheets/sheet1.xml"
        if rel_id and "xl/_rels/workbook.xml.rels" in archive.namelist():
            with self._open_part(archive, "xl/_rels/workbook.xml.rels") as fh:
                rels = etree.parse(fh, _small_parser())
            for rel in rels.getroot():
                if rel.get("Id") == rel_id and rel.get("Target"):
                    target = str(rel.get("Target"))
        target = target.lstrip("/")
        return target if target.startswith("xl/") else f"xl/{target}"

    def _shared_strings(self, archive: zipfile.ZipFile) -> list[str]:
        if "xl/sharedStrings.xml" not in archive.namelist():
            return []
        strings: list[str] = []
        with self._open_part(archive, "xl/sharedStrings.xml") as fh:
            for _event, si in etree.iterparse(fh, tag=f"{{{_MAIN_NS}}}si", **_parser_args()):
                # Rich text splits a string into runs; phonetic hints (rPh) are not text.
                strings.append(
                    "".join(
                        t.text or ""
                        for t in si.iter(f"{{{_MAIN_NS}}}t")
                        if local_name(t.getparent().tag) != "rPh"  # type: ignore[union-attr]
                    )
                )
                si.clear()
        return strings

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` for every row of the first sheet; empty cells are ``""``."""
        try:
            archive = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise self._error("file not found") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise self._error(f"not a readable XLSX workbook ({exc})") from None
        with archive:
            self._check(archive)
            try:
                sheet = self._first_sheet(archive)
                strings = self._shared_strings(archive)
                yield from self._sheet_rows(archive, sheet, strings)
            except etree.XMLSyntaxError as exc:
                raise self._error(f"damaged workbook XML ({exc.msg})") from None
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise self._error(f"damaged workbook ({exc})") from None

    def _sheet_rows(
        self, archive: zipfile.ZipFile, sheet: str, strings: list[str]
    ) -> Iterator[tuple[int, list[str]]]:
        row_tag, cell_tag = f"{{{_MAIN_NS}}}row", f"{{{_MAIN_NS}}}c"
        value_tag, text_tag = f"{{{_MAIN_NS}}}v", f"{{{_MAIN_NS}}}t"
        columns: dict[str, int] = {}
        with self._open_part(archive, sheet) as fh:
            expected = 0
            for _event, row in etree.iterparse(fh, tag=row_tag, **_parser_args()):
                expected += 1
                number = int(row.get("r") or expected)
                expected = number
                cells: list[str] = []
                for cell in row.iterchildren(cell_tag):
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        at = columns.get(letters)
                        if at is None:
                            at = columns[letters] = column_index(letters)
                        if at > len(cells):
                            cells.extend([""] * (at - len(cells)))
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        cells.append("".join(t.text or "" for t in cell.iter(text_tag)))
                        continue
                    raw = cell.findtext(value_tag)
                    if raw is None:
                        cells.append("")
                    elif kind == "s":
                        cells.append(self._shared(strings, raw, ref, number))
                    elif kind == "b":
                        cells.append("TRUE" if raw.strip() == "1" else "FALSE")
                    else:
                        cells.append(raw)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]  # type: ignore[union-attr]
                yield number, cells

    def _shared(self, strings: list[str], raw: str, ref: str | None, row: int) -> str:
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            raise self._error(
                f"cell {ref} points at shared string {raw!r}, which does not exist", f"row {row}"
            ) from None
