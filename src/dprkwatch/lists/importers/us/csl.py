"""The US Consolidated Screening List (trade.gov): JSON and CSV.

The International Trade Administration merges the export-control and
sanctions lists of three departments into one file: Commerce's Entity List
(EL), Military End User list (MEU), Denied Persons List (DPL) and Unverified
List (UVL); State's ITAR debarred (DTC) and nonproliferation sanctions
(ISN); Treasury's SDN and non-SDN lists (SSI, FSE, CAPTA, CMIC, NS-MBS, PLC).
Many DPRK procurement fronts appear only on the export-control lists.

Layouts (``https://data.trade.gov/downloadable_consolidated_screening_list/v1/``):

* ``consolidated.json``: ``{"total": N, "sources_used": [{"source",
  "source_last_updated", "last_imported", ...}], "results": [{"id", "source",
  "entity_number", "type", "programs", "name", "title", "addresses":
  [{"address", "city", "state", "postal_code", "country"}], "alt_names",
  "citizenships", "dates_of_birth", "nationalities", "places_of_birth",
  "ids": [{"type", "number", "country", "issue_date", "expiration_date"}],
  "start_date", "end_date", "federal_register_notice", "standard_order",
  "license_requirement", "license_policy", "call_sign", "vessel_type",
  "gross_tonnage", "gross_registered_tonnage", "vessel_flag", "vessel_owner",
  "remarks", "source_list_url", "source_information_url"}, ...]}``;
* ``consolidated.csv``: the same fields as columns (``_id`` for ``id``),
  several values in one cell separated by ``;``.

One entity per record, id ``csl-<id>`` (the per-record id; ``entity_number``
is the originating list's and is not unique across lists). A party on two
source lists is two records, as the publisher lists it. The source list goes
to the Sanction's ``program``, its programmes to ``programId``; licence
requirement and policy, standard order and Federal Register notice to
``provisions``. **Stated total**: the JSON says how many records it holds;
a file holding another number is refused, because that is a cut-off or
altered file. The publication date is the newest ``last_imported`` (else
``source_last_updated``) of the sources used; the CSV carries none.

DPRK relevance on this list is a DPRK programme (the Treasury records) or a
North Korean address, nationality or citizenship: the export-control lists
carry no programme (see :mod:`dprkwatch.lists.programs`).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import orjson

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.ofac.ids import classify
from dprkwatch.lists.importers.values import clean_text, iso_date, join_parts, put
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.sources import read_content, utf8_text

AUTHORITY = (
    "US Department of Commerce, International Trade Administration (Consolidated Screening List)"
)
SCHEMATA = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}
CSV_COLUMNS = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)
_KNOWN = frozenset(CSV_COLUMNS) | {"id"}
_PROVISIONS = (
    ("license_requirement", "License requirement"),
    ("license_policy", "License policy"),
    ("standard_order", "Standard order"),
    ("federal_register_notice", "Federal Register notice"),
)


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v for v in value if v not in (None, "")]
    return [value]


class _Records:
    """Builds CSL records into one builder; both layouts hand it plain dicts."""

    def __init__(self, b: EntityBuilder, source: str) -> None:
        self.b = b
        self.source = source
        self.unknown: set[str] = set()

    def add(self, record: dict[str, Any], where: str) -> None:
        b = self.b
        record_id = clean_text(record.get("id") or record.get("_id"))
        if record_id is None:
            raise SourceError("record without id", source=self.source, where=where)
        self.unknown.update(k for k in record if k not in _KNOWN)
        kind = (clean_text(record.get("type")) or "").lower()
        e = b.subject(record_id, SCHEMATA.get(kind, "LegalEntity"), where=where)
        b.name(e, clean_text(record.get("name")), "primary")
        for alias in _values(record.get("alt_names")):
            b.name(e, clean_text(alias), "alias")
        programs = [p for p in (clean_text(v) for v in _values(record.get("programs"))) if p]
        for code in programs:
            b.program(e, code)
        title = clean_text(record.get("title"))
        if title:
            put(b, e, "position" if e.schema.name == "Person" else "notes", title)
        is_person = e.schema.name == "Person"
        for key, prop in (("nationalities", "nationality"), ("citizenships", "citizenship")):
            for value in _values(record.get(key)):
                put(b, e, prop if is_person else "country", value, what=key)
        for value in _values(record.get("dates_of_birth")):
            born = iso_date(value) or clean_text(value)
            put(b, e, "birthDate", born, what="date of birth")
        for value in _values(record.get("places_of_birth")):
            put(b, e, "birthPlace", value)
        for address in _values(record.get("addresses")):
            self._address(e, address)
        for ident in _values(record.get("ids")):
            self._identifier(e, ident)
        self._vessel(e, record)
        for remark in _values(record.get("remarks")):
            put(b, e, "notes", remark)
        listed = iso_date(clean_text(record.get("start_date")))
        provisions = [
            f"{label}: {text}"
            for key, label in _PROVISIONS
            for text in (clean_text(v) for v in _values(record.get(key)))
            if text
        ]
        sanction = b.sanction(
            e,
            authority=AUTHORITY,
            programs=programs,
            listing_date=listed,
            source_url=clean_text(record.get("source_list_url")),
            provisions=provisions,
        )
        list_name = clean_text(record.get("source"))
        if list_name:
            sanction.add("program", list_name, quiet=True)
        ended = iso_date(clean_text(record.get("end_date")))
        if ended:
            sanction.add("endDate", ended, quiet=True)
        number = clean_text(record.get("entity_number"))
        if number:
            sanction.add("authorityId", number, quiet=True)

    def _address(self, e: Any, address: Any) -> None:
        if isinstance(address, dict):
            text = join_parts(
                [clean_text(address.get(k)) for k in ("address", "city", "state", "postal_code")]
            )
            country = clean_text(address.get("country"))
        else:
            # CSV cells: "address, city, state, postal code, country".
            text = clean_text(address)
            tail = (text or "").rsplit(",", 1)[-1].strip()
            country = tail if len(tail) == 2 and tail.isalpha() else None
        put(
            self.b, e, "address", join_parts([text, country]) if isinstance(address, dict) else text
        )
        if country:
            put(self.b, e, "country", country, what="address country")

    def _identifier(self, e: Any, ident: Any) -> None:
        if isinstance(ident, dict):
            label = clean_text(ident.get("type")) or "ID"
            number = clean_text(ident.get("number"))
            country = clean_text(ident.get("country"))
        else:
            # CSV cells: "type, number, country, issue date, expiry date".
            parts = [p.strip() for p in (clean_text(ident) or "").split(",")]
            label = parts[0] or "ID"
            number = parts[1] if len(parts) > 1 and parts[1] else None
            country = parts[2] if len(parts) > 2 and parts[2] else None
        if not number:
            return
        lowered = label.lower()
        if lowered in ("vessel registration identification", "imo"):
            digits = "".join(ch for ch in number if ch.isdigit())
            e.add("imoNumber", digits if len(digits) == 7 else number, cleaned=True, quiet=True)
        elif lowered == "mmsi":
            put(self.b, e, "mmsi", number)
        elif lowered.startswith("digital currency address"):
            chain = label.rsplit("-", 1)[-1].strip() if "-" in label else None
            self.b.wallet(e, number, chain)
        else:
            found = classify(f"{label} {number}")
            put(self.b, e, found.prop if found else "idNumber", found.value if found else number)
        if country:
            put(self.b, e, "notes", f"{label} {number} ({country})")

    def _vessel(self, e: Any, record: dict[str, Any]) -> None:
        b = self.b
        for key, prop in (
            ("call_sign", "callSign"),
            ("vessel_type", "type"),
            ("gross_tonnage", "tonnage"),
            ("gross_registered_tonnage", "grossRegisteredTonnage"),
        ):
            value = clean_text(record.get(key))
            if value:
                put(b, e, prop, value.replace(",", ""))
        flag = clean_text(record.get("vessel_flag"))
        if flag and flag.lower() not in ("none identified", "unknown"):
            put(b, e, "flag" if e.schema.get("flag") else "country", flag, what="vessel flag")
        owner = clean_text(record.get("vessel_owner"))
        if owner:
            put(b, e, "notes", f"Owner: {owner}")

    def finish(self) -> None:
        for key in sorted(self.unknown):
            self.b.warn(f"field {key!r} not handled")


def _published(sources: Any) -> date | None:
    days = sorted(
        d[:10]
        for s in _values(sources)
        if isinstance(s, dict)
        for d in (clean_text(s.get("last_imported")) or clean_text(s.get("source_last_updated")),)
        if d and iso_date(d[:10])
    )
    return date.fromisoformat(days[-1]) if days else None


@register
class CslJsonImporter:
    format: ClassVar[str] = "csl-json"
    list_name: ClassVar[str] = "csl"
    source: ClassVar[str | None] = "us-csl"
    description: ClassVar[str] = "US Consolidated Screening List (trade.gov), JSON"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
        if not start.startswith(b"{"):
            return 0.0
        markers = (b'"sources_used"', b'"results"', b'"source_list_url"', b'"alt_names"')
        return 0.95 if sum(m in start for m in markers) >= 2 else 0.0

    def load(self, path: Path) -> ListVersion:
        try:
            document = orjson.loads(read_content(path, SourceError))
        except orjson.JSONDecodeError as exc:
            problem = (
                "truncated or invalid JSON"
                if "EOF" in str(exc) or "end" in str(exc)
                else "invalid JSON"
            )
            raise SourceError(f"{problem} ({exc})", source=str(path)) from None
        if not isinstance(document, dict) or not isinstance(document.get("results"), list):
            raise SourceError(
                "not a Consolidated Screening List: no 'results' array", source=str(path)
            )
        results: list[Any] = document["results"]
        stated = document.get("total")
        if isinstance(stated, int) and stated != len(results):
            raise SourceError(
                f"the file states a total of {stated:,} records but holds {len(results):,} "
                "(cut off or altered)",
                source=str(path),
            )
        b = EntityBuilder(self.list_name, self.format, [path])
        records = _Records(b, str(path))
        for i, record in enumerate(results, start=1):
            if not isinstance(record, dict):
                raise SourceError("record is not an object", source=str(path), where=f"record {i}")
            records.add(record, f"record {i}")
        records.finish()
        return b.finish(_published(document.get("sources_used")))


@register
class CslCsvImporter:
    format: ClassVar[str] = "csl-csv"
    list_name: ClassVar[str] = "csl"
    source: ClassVar[str | None] = "us-csl"
    description: ClassVar[str] = "US Consolidated Screening List (trade.gov), CSV"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        first = head.decode("utf-8", "replace").lstrip("\ufeff").split("\n", 1)[0]
        columns = {c.strip().strip('"') for c in first.split(",")}
        return 0.95 if {"_id", "source", "alt_names", "source_list_url"} <= columns else 0.0

    def load(self, path: Path) -> ListVersion:
        text = utf8_text(path, read_content(path, SourceError), SourceError)
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
        missing = [c for c in ("_id", "source", "name", "type", "programs") if c not in header]
        if missing:
            raise SourceError(
                "not the Consolidated Screening List CSV layout: column(s) "
                + ", ".join(repr(m) for m in missing)
                + " missing",
                source=str(path),
                where="line 1",
            )
        b = EntityBuilder(self.list_name, self.format, [path])
        records = _Records(b, str(path))
        try:
            for row in reader:
                record: dict[str, Any] = {
                    k: [v.strip() for v in (row.get(k) or "").split(";") if v.strip()]
                    if k
                    in (
                        "programs",
                        "alt_names",
                        "citizenships",
                        "dates_of_birth",
                        "nationalities",
                        "places_of_birth",
                        "ids",
                        "addresses",
                    )
                    else row.get(k)
                    for k in header
                    if k
                }
                records.add(record, f"line {reader.line_num}")
        except csv.Error as exc:
            raise SourceError(
                f"invalid CSV ({exc})", source=str(path), where=f"line {reader.line_num}"
            ) from None
        records.finish()
        return b.finish(None)
