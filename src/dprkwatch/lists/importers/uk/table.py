"""The UK lists' tables: one row per name, grouped into one record per designation.

OFSI's Consolidated List (CSV and XLSX, "2022 format") and the FCDO's UK
Sanctions List (CSV) are both tables with one row per name and per address.
This module maps their headers onto :class:`~dprkwatch.lists.importers.uk.record.UkRecord`
fields and groups the rows; the importers only read cells from their file.

The two layouts are told apart by their header:

* **OFSI** (retired 2026-01-28): a ``Last Updated`` banner line, then ``Name 6,
  Name 1, ..., Group Type, Alias Type, Alias Quality, Regime, Listed On, UK
  Sanctions List Date Designated, Last Updated, Group ID`` (36 columns; some CSV
  copies add ship columns). Ids are ``uk-<Group ID>``, the only key the layout
  has; the UK Sanctions List reference written in Other Information
  (``(UK Sanctions List Ref):DPR0001``) is kept as the Sanction's ``authorityId``.
* **UK Sanctions List**: a ``Report Date: <DD-Mon-YYYY>`` banner, then ``Last
  Updated, Unique ID, OFSI Group ID, UN Reference Number, Name 6, Name 1, ...,
  Name type, Alias strength, ..., Regime Name, Designation Type, Designation
  source, ...`` (58 columns). Ids are ``uk-<Unique ID>`` (``uk-DPR0226``).

Every column of a layout must be present: a renamed or missing column is a
one-line error naming the file, the missing columns and the unknown ones
(the likely new names), because a silently unread column loses data. Columns
beyond the layout are reported as warnings. The publication date is the
banner's date, else the newest "Last Updated" value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.record import UkRecord, build
from dprkwatch.lists.importers.values import iso_date
from dprkwatch.lists.model import EntityBuilder, ListVersion

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


@dataclass(frozen=True)
class Layout:
    """One publisher's table layout: its name, key column and the columns it always has."""

    name: str
    id_column: str
    id_label: str
    columns: tuple[str, ...]

    def required(self) -> dict[str, str]:
        """Normalised name -> the column as the publisher writes it."""
        return {normalise(c): c for c in self.columns}


OFSI = Layout(
    "OFSI Consolidated List (retired 2026-01-28)",
    "group_id",
    "Group ID",
    (
        *(f"Name {i}" for i in (6, 1, 2, 3, 4, 5)),
        "Title",
        "Name Non-Latin Script",
        "Non-Latin Script Type",
        "Non-Latin Script Language",
        "DOB",
        "Town of Birth",
        "Country of Birth",
        "Nationality",
        "Passport Number",
        "Passport Details",
        "National Identification Number",
        "National Identification Details",
        "Position",
        *(f"Address {i}" for i in range(1, 7)),
        "Post/Zip Code",
        "Country",
        "Other Information",
        "Group Type",
        "Alias Type",
        "Alias Quality",
        "Regime",
        "Listed On",
        "UK Sanctions List Date Designated",
        "Last Updated",
        "Group ID",
    ),
)
UKSL = Layout(
    "UK Sanctions List",
    "unique_id",
    "Unique ID",
    (
        "Last Updated",
        "Unique ID",
        "OFSI Group ID",
        "UN Reference Number",
        *(f"Name {i}" for i in (6, 1, 2, 3, 4, 5)),
        "Name type",
        "Alias strength",
        "Title",
        "Name non-latin script",
        "Non-latin script type",
        "Non-latin script language",
        "Regime Name",
        "Designation Type",
        "Designation source",
        "Sanctions Imposed",
        "Other Information",
        "UK Statement of Reasons",
        *(f"Address Line {i}" for i in range(1, 7)),
        "Address Postal Code",
        "Address Country",
        "Phone number",
        "Website",
        "Email address",
        "Date Designated",
        "D.O.B",
        "Nationality(/ies)",
        "National Identifier number",
        "National Identifier additional information",
        "Passport number",
        "Passport additional information",
        "Position",
        "Gender",
        "Town of birth",
        "Country of birth",
        "Type of entity",
        "Subsidiaries",
        "Parent company",
        "Business registration number (s)",
        "IMO number",
        "Current owner/operator (s)",
        "Previous owner/operator (s)",
        "Current believed flag of ship",
        "Previous flags",
        "Type of ship",
        "Tonnage of ship",
        "Length of ship",
        "Year Built",
        "Hull identification number (HIN)",
    ),
)


def layout_of(header: Iterable[str]) -> Layout:
    """Which layout a (normalised) header row is: a Unique ID column means the UK Sanctions List."""
    names = set(header)
    return UKSL if "uniqueid" in names or "nametype" in names else OFSI


def banner_date(first_row: list[str]) -> str | None:
    """The date on a ``Last Updated,<date>`` or ``Report Date: <date>`` first line."""
    if not first_row:
        return None
    head = first_row[0].strip()
    if head.lower().startswith("report date"):
        return iso_date(head.split(":", 1)[-1])
    if normalise(head) == "lastupdated" and len(first_row) > 1:
        return iso_date(first_row[1])
    return None


class UkTable:
    """Rows in, grouped records out, for one file of a known layout.

    ``unit`` is how the file counts its rows in error messages ("line" for
    CSV, "row" for a worksheet).
    """

    def __init__(self, path: Path, builder: EntityBuilder, expected: Layout, unit: str) -> None:
        self.path = path
        self.b = builder
        self.expected = expected
        self.unit = unit
        self.banner: str | None = None
        self.header: list[str] | None = None
        self.records: dict[str, UkRecord] = {}

    def _error(self, problem: str, where: str | None = None) -> SourceError:
        return SourceError(problem, source=str(self.path), where=where)

    def add(self, number: int, row: list[str]) -> None:
        """One row of the file (banner, header or data)."""
        if self.header is None:
            names = [normalise(c) for c in row]
            if "name6" in names:
                self._set_header(number, names, row)
            elif self.banner is None:
                self.banner = banner_date(row)
            return
        if not any(cell.strip() for cell in row):
            return
        width = len(self.header)
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise self._error(
                f"row has {len(row)} cells, the header {width}", f"{self.unit} {number}"
            )
        self._row(number, dict(zip(self.header, row, strict=False)))

    def _set_header(self, number: int, names: list[str], raw: list[str]) -> None:
        where = f"{self.unit} {number}"
        found = layout_of(names)
        if found is not self.expected:
            if found is OFSI:
                raise self._error(
                    "this is the retired OFSI Consolidated List layout (a 'Group ID' column, "
                    "no 'Unique ID'), not the UK Sanctions List; import it without --format "
                    "to keep it as history",
                    where,
                )
            raise self._error(
                "this is the UK Sanctions List layout ('Unique ID' and 'Name type' columns), "
                f"not the {self.expected.name}; use --format uksl-csv",
                where,
            )
        required = self.expected.required()
        missing = [label for key, label in required.items() if key not in names]
        known = set(COLUMNS) | _SPECIAL
        unknown = [
            label.strip()
            for key, label in zip(names, raw, strict=True)
            if key and key not in required and key not in known
        ]
        if missing:
            problem = f"{len(missing)} column(s) of the {self.expected.name} layout missing: " + (
                ", ".join(repr(m) for m in missing)
            )
            if unknown:
                problem += "; unknown column(s) " + ", ".join(repr(u) for u in unknown)
                problem += " (renamed?)"
            raise self._error(problem, where)
        for label in dict.fromkeys(unknown):
            self.b.warn(f"column {label!r} not handled")
        self.header = names

    def _row(self, number: int, cells: dict[str, str]) -> None:
        where = f"{self.unit} {number}"
        fields: dict[str, list[str]] = {}
        for key, value in cells.items():
            target = COLUMNS.get(key)
            if target and value.strip():
                fields.setdefault(target, []).append(value)
        id_column = self.expected.id_column
        record_id = (fields.get(id_column) or [""])[0].strip()
        if not record_id:
            raise self._error(f"row without {self.expected.id_label}", where)
        rec = self.records.get(record_id)
        if rec is None:
            rec = self.records[record_id] = UkRecord(record_id=record_id, where=where)
        kind = next(iter(fields.get("entity_type", [])), None)
        known_kind = rec.first("entity_type")
        if kind and known_kind and kind.strip().lower() != known_kind.strip().lower():
            raise self._error(
                f"id {record_id!r} is used by an {known_kind} ({rec.where}) and an {kind}", where
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

    def finish(self) -> ListVersion:
        """Build every record; the publication date is the banner's, else the newest update."""
        if self.header is None:
            raise self._error("no header row with a 'Name 6' column found")
        newest: str | None = None
        for rec in self.records.values():
            build(self.b, rec)
            for value in rec.get("last_updated"):
                updated = iso_date(value)
                if updated and len(updated) == 10 and (newest is None or updated > newest):
                    newest = updated
        published = self.banner or newest
        return self.b.finish(
            date.fromisoformat(published) if published and len(published) == 10 else None
        )


def _first(cells: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = cells.get(key)
        if value and value.strip():
            return value
    return None
