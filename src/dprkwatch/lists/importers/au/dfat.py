"""Australia's DFAT Consolidated List (``regulation8_consolidated.xlsx``).

One sheet; a header row with ``Reference, Name of Individual or Entity,
Type, Name Type, Alias Strength, Date of Birth, Place of Birth,
Citizenship, Address, Additional Information, Listing Information, IMO
Number, Committees, Control Date, Instrument of Designation, Targeted
Financial Sanction, Travel Ban, Arms Embargo, Maritime Restriction``, then
one row per name. A designation's first row has a plain reference (``2``),
its other names the same number with a letter (``2a``, ``2b``); rows are
grouped on the number.

* id ``au-<reference number>``; Type Individual -> Person, Entity ->
  Organization, Vessel -> Vessel;
* Name Type "Primary Name" -> primary, "Alias" -> alias (weak when Alias
  Strength says so), "Original Script" -> alias in its script;
* Committees (the regime: ``1718 (DPRK)``, ``Autonomous (DPRK)``, ...) ->
  programme; the sanction columns saying "Yes" and the Instrument of
  Designation -> provisions; Listing Information -> the Sanction's reason;
* Control Date (text or an Excel date) -> ``modifiedAt``.

The workbook carries no publication date; the newest Control Date stands in
(a lower bound). Every column of the layout but the later additions (Alias
Strength, IMO Number and the columns after Control Date) must be present:
a renamed column is a one-line error naming the missing and unknown ones.
The layout is written from DFAT's published column list; no real DFAT
workbook is available to this project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.values import clean_text, iso_date, put
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.names import detect_script
from dprkwatch.lists.registry import register
from dprkwatch.lists.xlsx import ZIP_MAGIC, XlsxReader, excel_serial_date, first_rows

AUTHORITY = "Australia, Department of Foreign Affairs and Trade"
REQUIRED = (
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)
OPTIONAL = (
    "Alias Strength",
    "IMO Number",
    "Instrument of Designation",
    "Targeted Financial Sanction",
    "Travel Ban",
    "Arms Embargo",
    "Maritime Restriction",
)
MEASURES = ("Targeted Financial Sanction", "Travel Ban", "Arms Embargo", "Maritime Restriction")
SCHEMATA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel"}
_REFERENCE = re.compile(r"^\s*(\d+)\s*([A-Za-z]*)\s*$")


@dataclass
class _Designation:
    reference: str
    where: str
    rows: list[dict[str, str]] = field(default_factory=list)


@register
class DfatXlsxImporter:
    format: ClassVar[str] = "dfat-xlsx"
    list_name: ClassVar[str] = "au"
    source: ClassVar[str | None] = "au-dfat"
    description: ClassVar[str] = "Australia DFAT Consolidated List (XLSX)"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if not head.startswith(ZIP_MAGIC):
            return 0.0
        rows = first_rows(path)
        return 0.95 if any("Name of Individual or Entity" in row for row in rows) else 0.0

    def load(self, path: Path) -> ListVersion:
        header: list[str] | None = None
        designations: dict[str, _Designation] = {}
        for number, cells in XlsxReader(path).rows():
            if header is None:
                if "Name of Individual or Entity" in [c.strip() for c in cells]:
                    header = self._header(path, number, cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            row = dict(zip(header, cells, strict=False))
            ref = _REFERENCE.match(row.get("Reference", ""))
            if ref is None:
                raise SourceError(
                    f"reference {row.get('Reference', '')!r} is not a number with an optional letter",
                    source=str(path),
                    where=f"row {number}",
                )
            base = ref.group(1)
            item = designations.setdefault(base, _Designation(base, f"row {number}"))
            item.rows.append(row)
        if header is None:
            raise SourceError(
                "no header row with 'Name of Individual or Entity' found", source=str(path)
            )
        b = EntityBuilder(self.list_name, self.format, [path])
        newest: str | None = None
        for item in designations.values():
            control = self._build(b, item)
            if control and (newest is None or control > newest):
                newest = control
        return b.finish(date.fromisoformat(newest) if newest and len(newest) == 10 else None)

    def _header(self, path: Path, number: int, cells: list[str]) -> list[str]:
        names = [c.strip() for c in cells]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            unknown = [n for n in names if n and n not in REQUIRED and n not in OPTIONAL]
            problem = f"{len(missing)} column(s) of the DFAT layout missing: " + ", ".join(
                repr(m) for m in missing
            )
            if unknown:
                problem += "; unknown column(s) " + ", ".join(repr(u) for u in unknown)
                problem += " (renamed?)"
            raise SourceError(problem, source=str(path), where=f"row {number}")
        return names

    def _build(self, b: EntityBuilder, item: _Designation) -> str | None:
        rows = item.rows
        first = next(
            (r for r in rows if (r.get("Name Type") or "").strip().lower().startswith("primary")),
            rows[0],
        )
        kind = (first.get("Type") or "").strip().lower()
        schema = SCHEMATA.get(kind)
        if schema is None:
            b.warn(f"au-{item.reference}: type {kind!r} unknown, imported as LegalEntity")
            schema = "LegalEntity"
        e = b.subject(item.reference, schema, where=item.where)
        for row in rows:
            name = clean_text(row.get("Name of Individual or Entity"))
            name_type = (row.get("Name Type") or "").strip().lower()
            weak = "weak" in (row.get("Alias Strength") or "").lower()
            if row is first:
                b.name(e, name, "primary")
            elif name:
                lang = "ko" if detect_script(name) == "Hang" else None
                b.name(
                    e, name, "weak" if weak else "alias", lang=lang, quality="low" if weak else None
                )
            if name_type and not name_type.startswith(("primary", "alias", "original")):
                b.warn(f"au-{item.reference}: name type {row.get('Name Type')!r} read as alias")
        programs: list[str] = []
        provisions: list[str] = []
        dates: list[str] = []
        is_person = schema == "Person"
        for row in rows:
            for value in _split(row.get("Committees")):
                if value not in programs:
                    programs.append(value)
            for value in _split(row.get("Date of Birth")):
                born = _date(value) or value
                put(b, e, "birthDate", born, what="date of birth")
            for value in _split(row.get("Place of Birth")):
                put(b, e, "birthPlace", value)
            for value in _split(row.get("Citizenship")):
                put(b, e, "nationality" if is_person else "country", value, what="citizenship")
            address = clean_text(row.get("Address"))
            put(b, e, "address", address)
            for key in ("Additional Information", "Listing Information"):
                text = clean_text(row.get(key))
                if text:
                    put(b, e, "notes", f"{key}: {text}")
            imo = clean_text(row.get("IMO Number"))
            if imo:
                digits = "".join(ch for ch in imo if ch.isdigit())
                e.add("imoNumber", digits if len(digits) == 7 else imo, cleaned=True, quiet=True)
            for measure in MEASURES:
                said = (row.get(measure) or "").strip().lower() in ("yes", "y", "true")
                if said and measure not in provisions:
                    provisions.append(measure)
            instrument = clean_text(row.get("Instrument of Designation"))
            if instrument and instrument not in provisions:
                provisions.append(instrument)
            control = clean_text(row.get("Control Date"))
            if control:
                day = _date(control)
                if day:
                    dates.append(day)
        for code in programs:
            b.program(e, code)
        newest = max(dates) if dates else None
        if newest:
            put(b, e, "modifiedAt", newest, what="control date")
        b.sanction(
            e,
            authority=AUTHORITY,
            programs=programs,
            provisions=provisions,
            reason=clean_text(first.get("Listing Information")),
        ).add("authorityId", item.reference, quiet=True)
        return newest


def _date(value: str) -> str | None:
    """A cell's date: ``dd/mm/yyyy`` text, ISO text, or an Excel serial day (``42704``)."""
    text = value.strip()
    if text.isdigit() and len(text) == 5:
        return excel_serial_date(text)
    return iso_date(text)


def _split(value: str | None) -> list[str]:
    """DFAT writes several values in one cell separated by semicolons."""
    text = clean_text(value)
    if text is None:
        return []
    return [p.strip() for p in text.split(";") if p.strip()]
