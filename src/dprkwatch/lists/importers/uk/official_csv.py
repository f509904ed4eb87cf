"""UK consolidated list, official CSV: one row per name, grouped into one entity per designation.

Two layouts are read, told apart by their header (found by its "Name 6" column):

* the OFSI Consolidated List ``ConList.csv``: first line ``Last Updated,<DD/MM/YYYY>``,
  then ``Name 6, Name 1, ..., Name 5, Title, Name Non-Latin Script, ..., DOB,
  Town of Birth, Country of Birth, Nationality, Passport Number, ..., Address 1..6,
  Post/Zip Code, Country, Other Information, Group Type, Alias Type, Alias Quality,
  Regime, Listed On, UK Sanctions List Date Designated, Last Updated, Group ID``
  (newer files add ship columns: IMO number, type, tonnage, flag, ...);
* the UK Sanctions List CSV: first line ``Report Date: <DD-Mon-YYYY>``, then
  ``Last Updated, Unique ID, OFSI Group ID, UN Reference Number, Name 6, Name 1, ...,
  Name type, Alias strength, ..., Regime Name, Designation Type, Designation source, ...``.

Ids: ``uk-<Unique ID>`` when the file has a Unique ID (or "UK Sanctions List
Ref") column, so they match the YAML copy (``uk-DPR0226``); otherwise
``uk-<Group ID>``, the only key the ConList layout has. The publication date
is the date on the first line, else the newest "Last Updated" value.
Columns the importer does not know are reported as warnings, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.record import UkRecord, build
from dprkwatch.lists.importers.values import iso_date
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register

# Normalised header -> UkRecord field for the plain columns.
COLUMNS: dict[str, str] = {
    "title": "title",
    "dob": "dob",
    "townofbirth": "town_of_birth",
    "countryofbirth": "country_of_birth",
    "nationality": "nationality",
    "nationalityies": "nationality",
    "passportnumber": "passport_number",
    "passportdetails": "passport_details",
    "passportadditionalinformation": "passport_details",
    "nationalidentificationnumber": "national_id_number",
    "nationalidentifiernumber": "national_id_number",
    "nationalidentificationdetails": "national_id_details",
    "nationalidentifieradditionalinformation": "national_id_details",
    "position": "position",
    "gender": "gender",
    "otherinformation": "other_information",
    "ukstatementofreasons": "statement_of_reasons",
    "grouptype": "entity_type",
    "designationtype": "entity_type",
    "regime": "regime",
    "regimename": "regime",
    "listedon": "listed_on",
    "uksanctionslistdatedesignated": "date_designated",
    "datedesignated": "date_designated",
    "lastupdated": "last_updated",
    "groupid": "group_id",
    "ofsigroupid": "group_id",
    "uniqueid": "unique_id",
    "uksanctionslistref": "unique_id",
    "unreferencenumber": "un_reference_number",
    "designationsource": "designation_source",
    "sanctionsimposed": "sanctions_imposed",
    "phonenumber": "phone",
    "website": "website",
    "emailaddress": "email",
    "typeofentity": "type_of_entity",
    "subsidiaries": "subsidiaries",
    "parentcompany": "parent_company",
    "businessregistrationnumbers": "business_registration_number",
    "imonumber": "imo_number",
    "currentowneroperators": "current_owner",
    "previousowneroperators": "previous_owner",
    "currentbelievedflagofship": "flag",
    "currentflag": "flag",
    "flag": "flag",
    "previousflags": "previous_flags",
    "typeofship": "type_of_ship",
    "vesseltype": "type_of_ship",
    "tonnageofship": "tonnage",
    "tonnage": "tonnage",
    "lengthofship": "length",
    "length": "length",
    "yearbuilt": "year_built",
    "hullidentificationnumberhin": "hin",
    "hullidentificationnumber": "hin",
}
_NAME_PARTS = tuple(f"name{i}" for i in (1, 2, 3, 4, 5, 6))
_NAME_TYPE = ("aliastype", "nametype")
_QUALITY = ("aliasquality", "aliasstrength")
_NON_LATIN = ("namenonlatinscript", "nonlatinscripttype", "nonlatinscriptlanguage")
_ADDRESS = tuple(f"address{i}" for i in range(1, 7)) + tuple(f"addressline{i}" for i in range(1, 7))
_POSTCODE = ("postzipcode", "addresspostalcode")
_COUNTRY = ("country", "addresscountry")
_SPECIAL = frozenset(
    (*_NAME_PARTS, *_NAME_TYPE, *_QUALITY, *_NON_LATIN, *_ADDRESS, *_POSTCODE, *_COUNTRY)
)
# "(UK Sanctions List Ref):DPR0001" inside Other Information of ConList rows.
_LIST_REF = re.compile(r"\(UK Sanctions List Ref\)\s*:\s*([A-Z]{2,4}\d{3,5})")
_NORMALISE = re.compile(r"[^a-z0-9]+")


def normalise(header: str) -> str:
    return _NORMALISE.sub("", header.lower())


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(
            f"wrong encoding: not valid UTF-8 ({exc.reason})",
            source=str(path),
            where=f"line {line}, column {column}",
        ) from None


def _banner_date(first_row: list[str]) -> str | None:
    """The date on a ``Last Updated,<date>`` or ``Report Date: <date>`` first line."""
    if not first_row:
        return None
    head = first_row[0].strip()
    if head.lower().startswith("report date"):
        return iso_date(head.split(":", 1)[-1])
    if normalise(head) == "lastupdated" and len(first_row) > 1:
        return iso_date(first_row[1])
    return None


@register
class UkCsvImporter:
    format: ClassVar[str] = "uk-csv"
    list_name: ClassVar[str] = "uk"
    description: ClassVar[str] = (
        "UK consolidated list, official CSV (OFSI ConList or UK Sanctions List layout)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        text = head.decode("utf-8", "replace").lstrip("\ufeff")
        lines = text.splitlines()[:3]
        if not lines:
            return 0.0
        has_header = any("Name 6" in line and "Name 1" in line for line in lines)
        banner = lines[0].startswith(("Last Updated,", "Report Date:"))
        if has_header and banner:
            return 0.95
        return 0.8 if has_header else 0.0

    def load(self, path: Path) -> ListVersion:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror}", source=str(path)) from None
        if not data.strip():
            raise SourceError("file is empty", source=str(path))
        reader = csv.reader(io.StringIO(_decode(path, data), newline=""), strict=True)
        b = EntityBuilder(self.list_name, self.format, [path])
        try:
            records, banner = self._gather(path, iter(reader), lambda: reader.line_num, b)
        except csv.Error as exc:
            raise SourceError(
                f"invalid CSV ({exc})", source=str(path), where=f"line {reader.line_num}"
            ) from None
        newest: str | None = None
        for rec in records.values():
            build(b, rec)
            for value in rec.get("last_updated"):
                updated = iso_date(value)
                if updated and len(updated) == 10 and (newest is None or updated > newest):
                    newest = updated
        published = banner or newest
        return b.finish(
            date.fromisoformat(published) if published and len(published) == 10 else None
        )

    def _gather(
        self, path: Path, rows: Iterator[list[str]], line_of: Callable[[], int], b: EntityBuilder
    ) -> tuple[dict[str, UkRecord], str | None]:
        """Group the rows by designation; returns the records and the banner date."""
        banner: str | None = None
        header: list[str] | None = None
        for row in rows:
            names = [normalise(c) for c in row]
            if "name6" in names:
                header = names
                break
            if banner is None:
                banner = _banner_date(row)
        if header is None:
            raise SourceError("no header row with a 'Name 6' column found", source=str(path))
        known = set(COLUMNS) | _SPECIAL
        for name in dict.fromkeys(h for h in header if h and h not in known):
            b.warn(f"column {name!r} not handled")
        id_column = (
            "unique_id" if any(COLUMNS.get(h) == "unique_id" for h in header) else "group_id"
        )
        if not any(COLUMNS.get(h) == id_column for h in header):
            raise SourceError("no Group ID or Unique ID column", source=str(path), where="header")
        records: dict[str, UkRecord] = {}
        width = len(header)
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            line = line_of()
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise SourceError(
                    f"row has {len(row)} cells, the header {width}",
                    source=str(path),
                    where=f"line {line}",
                )
            cells = dict(zip(header, row, strict=False))
            self._row(path, line, cells, id_column, records)
        return records, banner

    def _row(
        self,
        path: Path,
        line: int,
        cells: dict[str, str],
        id_column: str,
        records: dict[str, UkRecord],
    ) -> None:
        fields: dict[str, list[str]] = {}
        for key, value in cells.items():
            target = COLUMNS.get(key)
            if target and value.strip():
                fields.setdefault(target, []).append(value)
        record_id = (fields.get(id_column) or [""])[0].strip()
        if not record_id:
            label = "Unique ID" if id_column == "unique_id" else "Group ID"
            raise SourceError(f"row without {label}", source=str(path), where=f"line {line}")
        rec = records.get(record_id)
        if rec is None:
            rec = records[record_id] = UkRecord(record_id=record_id, where=f"line {line}")
        kind = next(iter(fields.get("entity_type", [])), None)
        known_kind = rec.first("entity_type")
        if kind and known_kind and kind.strip().lower() != known_kind.strip().lower():
            raise SourceError(
                f"id {record_id!r} is used by an {known_kind} ({rec.where}) and an {kind}",
                source=str(path),
                where=f"line {line}",
            )
        for target, values in fields.items():
            for value in values:
                rec.add(target, value)
        for info in fields.get("other_information", []):
            for ref in _LIST_REF.findall(info):
                rec.add("unique_id", ref)
        rec.add_name(
            [cells.get(k) for k in _NAME_PARTS],
            _first(cells, _NAME_TYPE),
            _first(cells, _QUALITY),
        )
        rec.add_non_latin(cells.get("namenonlatinscript"), cells.get("nonlatinscriptlanguage"))
        rec.add_address(
            [*(cells.get(k) for k in _ADDRESS), _first(cells, _POSTCODE)], _first(cells, _COUNTRY)
        )


def _first(cells: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = cells.get(key)
        if value and value.strip():
            return value
    return None
