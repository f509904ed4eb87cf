"""One EU Financial Sanctions Files record -> FtM entities (shared by the XML and YAML importers).

Both EU importers first bring a ``sanctionEntity`` into one plain shape,
the snake_case field names of the Ammitto re-serialisation (``logical_id``,
``name_aliases``, ``birthdates``...), every scalar a string. This module
turns that shape into entities, so the official XML and the YAML copy give
identical results for identical content.

Decisions worth knowing:

* id ``eu-<logical_id>``; ``person`` -> Person, ``enterprise`` -> Organization;
* the FSF has no "primary name" flag. The primary name is the strong,
  English/unspecified-language Latin-script alias carrying the most of the
  main-entry markers (function, title, split first/last name), lowest
  logical id first; every other strong alias is an alias, ``strong=false``
  ones are weak aliases. ``nameLanguage`` becomes the name's ``lang``
  ("KO" -> "ko"); a Hangul name without a language is tagged ``ko``;
* listing date: the record's ``designationDate`` when present, else the
  earliest publication date of any regulation the record cites (its own and
  those summarised on names, addresses, ...), i.e. the act that first listed
  it; entry-into-force stands in where a publication date is missing;
* circa birth dates are kept to the year; non-Gregorian ones are not
  converted but reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from followthemoney import ValueEntity

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.values import clean_text, date_from_parts, iso_date, join_parts, put
from dprkwatch.lists.model import EntityBuilder
from dprkwatch.lists.names import detect_script
from dprkwatch.lists.programs import PROGRAM_LABELS

AUTHORITY = "European Union"
SCHEMATA = {"person": "Person", "enterprise": "Organization"}

# identificationTypeCode -> FtM property (anything else -> idNumber).
ID_PROPS = {
    "passport": "passportNumber",
    "id": "idNumber",
    "regnumber": "registrationNumber",
    "fiscalcode": "taxNumber",
    "taxid": "taxNumber",
    "euvat": "vatCode",
    "imo": "imoNumber",
    "swiftbic": "swiftBic",
    "ssn": "socialSecurityNumber",
    "unssn": "socialSecurityNumber",
}

# Fields each section may carry; anything else is counted as unhandled.
_KNOWN: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "eu_reference_number",
            "logical_id",
            "united_nation_id",
            "designation_details",
            "designation_date",
            "regulations",
            "subject_type",
            "name_aliases",
            "citizenships",
            "birthdates",
            "addresses",
            "identifications",
            "remark",
        }
    ),
    "regulations": frozenset(
        {
            "regulation_type",
            "organisation_type",
            "publication_date",
            "entry_into_force_date",
            "number_title",
            "programme",
            "logical_id",
            "publication_url",
            "remark",
        }
    ),
    "name_aliases": frozenset(
        {
            "whole_name",
            "first_name",
            "middle_name",
            "last_name",
            "function",
            "gender",
            "title",
            "name_language",
            "strong",
            "regulation_language",
            "logical_id",
            "regulation_summaries",
            "remark",
        }
    ),
    "citizenships": frozenset(
        {
            "country_iso2_code",
            "country_description",
            "region",
            "regulation_language",
            "logical_id",
            "regulation_summaries",
            "remark",
        }
    ),
    "birthdates": frozenset(
        {
            "birthdate",
            "circa",
            "calendar_type",
            "day_of_month",
            "month_of_year",
            "year",
            "year_range_from",
            "year_range_to",
            "city",
            "place",
            "region",
            "zip_code",
            "country_iso2_code",
            "country_description",
            "regulation_language",
            "logical_id",
            "regulation_summaries",
            "remark",
        }
    ),
    "addresses": frozenset(
        {
            "street",
            "city",
            "zip_code",
            "region",
            "place",
            "po_box",
            "country_iso2_code",
            "country_description",
            "as_at_listing_time",
            "contact_info",
            "regulation_language",
            "logical_id",
            "regulation_summaries",
            "remark",
        }
    ),
    "identifications": frozenset(
        {
            "identification_type_code",
            "identification_type_description",
            "number",
            "latin_number",
            "country_iso2_code",
            "country_description",
            "region",
            "issued_by",
            "issue_date",
            "issued_date",
            "valid_from",
            "valid_to",
            "name_on_document",
            "diplomatic",
            "known_expired",
            "known_false",
            "reported_lost",
            "revoked_by_issuer",
            "regulation_language",
            "logical_id",
            "regulation_summaries",
            "remark",
        }
    ),
}
_UNKNOWN_COUNTRY = {"", "00"}


class RecordShapeError(ValueError):
    """A field does not have the shape the format defines (e.g. a list where text belongs)."""


def as_text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (int, float, bool)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    raise RecordShapeError(f"field {field!r} should be text, found {type(value).__name__}")


def as_items(value: Any, field: str) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    raise RecordShapeError(f"field {field!r} should be a list of mappings")


def _texts(value: Any, field: str) -> list[str]:
    """A text field that may repeat (``remark`` can occur several times)."""
    if isinstance(value, list):
        out = [as_text(v, field) for v in value]
        return [v for v in out if v]
    text = as_text(value, field)
    return [text] if text else []


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


class EuRecordBuilder:
    """Builds EU entities into one :class:`EntityBuilder`, tracking unhandled fields."""

    def __init__(self, builder: EntityBuilder, source: str) -> None:
        self.b = builder
        self.source = source
        self.unhandled: Counter[str] = Counter()
        self.newest_publication: str | None = None

    def finish_warnings(self) -> None:
        for field, n in sorted(self.unhandled.items()):
            self.b.warn(f"field {field} not handled ({n} times)")

    def add(self, record: Any, where: str) -> ValueEntity:
        """Build the subject (and its sanction) for one record; errors name ``where``."""
        if not isinstance(record, dict):
            raise SourceError("record is not a mapping", source=self.source, where=where)
        try:
            return self._add(record, where)
        except RecordShapeError as exc:
            raise SourceError(str(exc), source=self.source, where=where) from None

    def _count_unknown(self, section: str, item: dict[str, Any]) -> None:
        known = _KNOWN[section]
        for key in item:
            if key not in known:
                self.unhandled[f"{section}.{key}" if section else key] += 1

    def _add(self, record: dict[str, Any], where: str) -> ValueEntity:
        b = self.b
        self._count_unknown("", record)
        logical_id = as_text(record.get("logical_id"), "logical_id")
        if logical_id is None:
            raise SourceError("record without logical_id", source=self.source, where=where)
        subject = record.get("subject_type")
        code = (
            as_text(subject.get("code"), "subject_type.code") if isinstance(subject, dict) else None
        )
        schema = SCHEMATA.get((code or "").lower())
        if schema is None:
            b.warn(f"eu-{logical_id}: subject type {code!r} unknown, imported as LegalEntity")
            schema = "LegalEntity"
        entity = b.subject(logical_id, schema, where=where, repeat_ok=True)

        regulations = as_items(record.get("regulations"), "regulations")
        dates: list[str] = []
        programs: list[str] = []
        urls: list[str] = []
        for reg in regulations:
            self._count_unknown("regulations", reg)
            programme = as_text(reg.get("programme"), "programme")
            if programme and programme not in programs:
                programs.append(programme)
            published = iso_date(as_text(reg.get("publication_date"), "publication_date"))
            in_force = iso_date(as_text(reg.get("entry_into_force_date"), "entry_into_force_date"))
            if published and (
                self.newest_publication is None or published > self.newest_publication
            ):
                self.newest_publication = published
            if published or in_force:
                dates.append(published or in_force or "")
            url = as_text(reg.get("publication_url"), "publication_url")
            if url:
                urls.append(url)
            for remark in _texts(reg.get("remark"), "regulations.remark"):
                put(b, entity, "notes", remark)
        for code_ in programs:
            b.program(entity, code_, PROGRAM_LABELS.get(code_))

        self._names(entity, as_items(record.get("name_aliases"), "name_aliases"))
        self._citizenships(entity, as_items(record.get("citizenships"), "citizenships"))
        self._birthdates(entity, as_items(record.get("birthdates"), "birthdates"))
        self._addresses(entity, as_items(record.get("addresses"), "addresses"))
        self._identifications(entity, as_items(record.get("identifications"), "identifications"))
        for section in (
            "name_aliases",
            "citizenships",
            "birthdates",
            "addresses",
            "identifications",
        ):
            dates.extend(_summary_dates(as_items(record.get(section), section)))
        for remark in _texts(record.get("remark"), "remark"):
            put(b, entity, "notes", remark)
        details = as_text(record.get("designation_details"), "designation_details")
        if details:
            put(b, entity, "notes", f"Designation details: {details}")

        designated = iso_date(as_text(record.get("designation_date"), "designation_date"))
        listing = designated or min((d for d in dates if d), default=None)
        sanction = b.sanction(
            entity,
            authority=AUTHORITY,
            programs=programs,
            listing_date=listing,
            source_url=urls[0] if urls else None,
            unsc_id=as_text(record.get("united_nation_id"), "united_nation_id"),
        )
        sanction.add(
            "authorityId",
            as_text(record.get("eu_reference_number"), "eu_reference_number"),
            quiet=True,
        )
        return entity

    # -- sections ----------------------------------------------------------

    def _names(self, entity: ValueEntity, aliases: list[dict[str, Any]]) -> None:
        b = self.b
        named: list[_Alias] = []
        for alias in aliases:
            self._count_unknown("name_aliases", alias)
            whole = as_text(alias.get("whole_name"), "whole_name") or join_parts(
                (as_text(alias.get(k), k) for k in ("first_name", "middle_name", "last_name")),
                sep=" ",
            )
            if not whole:
                continue
            lang = (as_text(alias.get("name_language"), "name_language") or "").lower() or None
            if lang is None and not whole.isascii() and detect_script(whole) == "Hang":
                # 43 Hangul aliases of the PRK list carry no language; Hangul means Korean.
                lang = "ko"
            remarks = _texts(alias.get("remark"), "name_aliases.remark")
            # Some entries flag quality only in a remark ("low quality alias").
            strong = _truthy(alias.get("strong", "true")) and not any(
                "low quality" in r.lower() for r in remarks
            )
            named.append(_Alias(alias, whole, lang, strong, remarks))
        if not named:
            b.warn(f"{entity.id}: record has no names")
        primary = _pick_primary(named)
        is_person = entity.schema.name == "Person"
        for i, item in enumerate(named):
            alias = item.alias
            kind = "primary" if i == primary else ("alias" if item.strong else "weak")
            b.name(entity, item.whole, kind, lang=item.lang, quality=None if item.strong else "low")
            function = as_text(alias.get("function"), "function")
            if function:
                put(b, entity, "position" if is_person else "notes", function)
            title = alias.get("title")
            if title:
                put(b, entity, "title", as_text(title, "title"))
            if is_person:
                gender = (as_text(alias.get("gender"), "gender") or "").upper()
                if gender in ("M", "F"):
                    put(b, entity, "gender", "male" if gender == "M" else "female")
            for remark in item.remarks:
                put(b, entity, "notes", f"Name {item.whole}: {remark}")

    def _country_code(self, item: dict[str, Any]) -> str | None:
        code = (as_text(item.get("country_iso2_code"), "country_iso2_code") or "").upper()
        if code in _UNKNOWN_COUNTRY:
            return None
        return code

    def _citizenships(self, entity: ValueEntity, items: list[dict[str, Any]]) -> None:
        prop = "nationality" if entity.schema.name == "Person" else "country"
        for item in items:
            self._count_unknown("citizenships", item)
            code = self._country_code(item)
            if code:
                put(self.b, entity, prop, code, what="citizenship")
            for remark in _texts(item.get("remark"), "citizenships.remark"):
                put(self.b, entity, "notes", f"Citizenship: {remark}")

    def _birthdates(self, entity: ValueEntity, items: list[dict[str, Any]]) -> None:
        b = self.b
        for item in items:
            self._count_unknown("birthdates", item)
            calendar = (as_text(item.get("calendar_type"), "calendar_type") or "GREGORIAN").upper()
            circa = _truthy(item.get("circa"))
            values: list[str] = []
            full = iso_date(as_text(item.get("birthdate"), "birthdate"))
            if full:
                values.append(full[:4] if circa else full)
            else:
                parts = date_from_parts(
                    as_text(item.get("year"), "year"),
                    None if circa else as_text(item.get("month_of_year"), "month_of_year"),
                    None if circa else as_text(item.get("day_of_month"), "day_of_month"),
                )
                if parts:
                    values.append(parts)
            start = as_text(item.get("year_range_from"), "year_range_from")
            end = as_text(item.get("year_range_to"), "year_range_to")
            if start and end and start.isdigit() and end.isdigit():
                lo, hi = sorted((int(start), int(end)))
                values.extend(str(y) for y in range(lo, hi + 1) if hi - lo <= 30)
            if calendar != "GREGORIAN" and values:
                b.warn(
                    f"{entity.id}: {calendar.lower()} birth date {values[0]!r} not converted, dropped"
                )
                values = []
            for value in values:
                put(b, entity, "birthDate", value, what="birth date")
            place = join_parts(
                (
                    as_text(item.get("place"), "place"),
                    as_text(item.get("city"), "city"),
                    as_text(item.get("zip_code"), "zip_code"),
                    as_text(item.get("region"), "region"),
                    _description(item),
                )
            )
            put(b, entity, "birthPlace", place)
            code = self._country_code(item)
            if code:
                put(b, entity, "birthCountry", code, what="birth country")
            for remark in _texts(item.get("remark"), "birthdates.remark"):
                put(b, entity, "notes", f"Birth: {remark}")

    def _addresses(self, entity: ValueEntity, items: list[dict[str, Any]]) -> None:
        b = self.b
        for item in items:
            self._count_unknown("addresses", item)
            full = join_parts(
                (
                    as_text(item.get(k), k)
                    for k in ("street", "po_box", "place", "city", "zip_code", "region")
                ),
            )
            full = join_parts((full, _description(item)))
            put(b, entity, "address", full)
            code = self._country_code(item)
            if code:
                put(b, entity, "country", code, what="address country")
            for contact in as_items(item.get("contact_info"), "contact_info"):
                key = (as_text(contact.get("key"), "contact_info.key") or "").lower()
                value = as_text(contact.get("value"), "contact_info.value")
                prop = (
                    "phone"
                    if "phone" in key or "fax" in key
                    else "email"
                    if "mail" in key
                    else "website"
                    if "web" in key or "url" in key
                    else "notes"
                )
                put(
                    b,
                    entity,
                    prop,
                    value if prop != "notes" else f"{key}: {value}",
                    what=f"contact {key}",
                )
            for remark in _texts(item.get("remark"), "addresses.remark"):
                put(
                    b,
                    entity,
                    "notes",
                    f"Address {full}: {remark}" if full else f"Address: {remark}",
                )

    def _identifications(self, entity: ValueEntity, items: list[dict[str, Any]]) -> None:
        b = self.b
        for item in items:
            self._count_unknown("identifications", item)
            code = (
                as_text(item.get("identification_type_code"), "identification_type_code") or ""
            ).lower()
            numbers = [
                n
                for n in (
                    as_text(item.get("number"), "number"),
                    as_text(item.get("latin_number"), "latin_number"),
                )
                if n
            ]
            prop = ID_PROPS.get(code, "idNumber")
            for number in dict.fromkeys(numbers):
                put(b, entity, prop, number, what=f"{code or 'identification'} number")
            description = as_text(
                item.get("identification_type_description"), "identification_type_description"
            )
            flags = [
                label
                for key, label in (
                    ("diplomatic", "diplomatic"),
                    ("known_expired", "expired"),
                    ("known_false", "known false"),
                    ("reported_lost", "reported lost"),
                    ("revoked_by_issuer", "revoked"),
                )
                if _truthy(item.get(key))
            ]
            details = join_parts(
                [
                    _description(item),
                    as_text(item.get("issued_by"), "issued_by"),
                    as_text(item.get("issue_date") or item.get("issued_date"), "issue_date"),
                    as_text(item.get("name_on_document"), "name_on_document"),
                    *flags,
                    *_texts(item.get("remark"), "identifications.remark"),
                ],
                sep="; ",
            )
            if numbers and details:
                put(
                    b,
                    entity,
                    "notes",
                    f"{description or code or 'Document'} {numbers[0]} ({details})",
                )


def _description(item: dict[str, Any]) -> str | None:
    text = as_text(item.get("country_description"), "country_description")
    return None if text is None or text.upper() == "UNKNOWN" else text


def _summary_dates(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        for summary in as_items(item.get("regulation_summaries"), "regulation_summaries"):
            raw = summary.get("publication_date")
            # Nearly all are already YYYY-MM-DD; only parse the others.
            if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
                yield raw
                continue
            value = iso_date(as_text(raw, "publication_date"))
            if value:
                yield value


class _Alias(NamedTuple):
    alias: dict[str, Any]
    whole: str
    lang: str | None
    strong: bool
    remarks: list[str]


def _pick_primary(named: list[_Alias]) -> int:
    """Index of the alias to show as the primary name (see the module docstring)."""
    if len(named) < 2:
        return len(named) - 1

    def score(pair: tuple[int, _Alias]) -> tuple[int, int, int, int, int]:
        i, item = pair
        english = item.lang in (None, "en")
        # Only an English/unspecified name can win on script, so only those are checked.
        latin = english and (item.whole.isascii() or detect_script(item.whole) in ("Latn", "Zyyy"))
        marked = sum(1 for k in ("function", "title", "last_name") if item.alias.get(k))
        logical = str(item.alias.get("logical_id") or "").strip()
        order = int(logical) if logical.isdigit() else 10**12 + i
        return (0 if item.strong else 1, 0 if english else 1, 0 if latin else 1, -marked, order)

    return min(enumerate(named), key=score)[0]
