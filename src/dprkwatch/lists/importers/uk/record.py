"""One UK sanctions record -> FtM entities (shared by the CSV and YAML importers).

The UK publishes one row per *name*; the importers first gather every row of
a designation into a :class:`UkRecord` (fields as ordered, de-duplicated
value lists, plus the names and addresses), then :func:`build` makes the
entities, so all UK formats map fields the same way:

* ``Individual`` -> Person, ``Entity`` -> Organization, ``Ship`` -> Vessel;
* name parts are joined in the order Name 1..5, Name 6 (Name 6 is the
  family or entity name); the name types "Primary name" -> primary,
  "Primary name variation" and "AKA"/"Alias" -> alias, "FKA" -> former, and a
  "Low quality" alias -> weak alias. Non-Latin names become aliases (Hangul
  ones tagged ``ko``);
* the regime, exactly as written, -> ``programId``;
* designation source "UN" / "UK" -> the Sanction's ``authority`` ("United
  Nations Security Council" for UN-derived designations, "United Kingdom" for
  autonomous ones, both for "UK|UN"), with the UN reference in ``unscId``.
  :func:`designation_source` reads it back;
* the listing date is the earliest of "Listed On" and the date designated;
* remarks ("Other Information") -> notes, and identifiers written in them
  (IMO numbers, SWIFT/BIC, wallet addresses, gender, birth dates, passport
  numbers) are extracted, because the YAML copy lost its structured columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from followthemoney import ValueEntity

from dprkwatch.lists.importers import freetext
from dprkwatch.lists.importers.values import clean_text, iso_date, join_parts, put
from dprkwatch.lists.model import EntityBuilder
from dprkwatch.lists.names import detect_script

UN_AUTHORITY = "United Nations Security Council"
UK_AUTHORITY = "United Kingdom"
SCHEMATA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_ENUMERATION = re.compile(r"\(\s*\d{1,2}\s*\)\s*")
_UN_REF = re.compile(
    r"\bUN\s*Ref(?:erence)?(?:\s*Number)?\s*:?\s*([A-Z]{2}[ie]\.\d{3}(?:\.\d+)?)\b", re.IGNORECASE
)
# OFSI's Other Information labels the record's own UN reference: "(UN Ref):KPe.016".
_OWN_UN_REF = re.compile(r"\(UN Ref\)\s*:\s*([A-Z]{2}[ie]\.\d{3}(?:\.\d+)?)\b")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


@dataclass
class UkRecord:
    """Every row of one designation, gathered. Values keep first-seen order."""

    record_id: str
    where: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    # (name, kind, quality) and (name, language) in source order.
    names: list[tuple[str, str, str | None]] = field(default_factory=list)
    non_latin: list[tuple[str, str | None]] = field(default_factory=list)
    addresses: list[tuple[str | None, str | None]] = field(default_factory=list)

    def add(self, key: str, value: Any) -> None:
        text = clean_text(value)
        if text is None:
            return
        values = self.fields.setdefault(key, [])
        if text not in values:
            values.append(text)

    def get(self, key: str) -> list[str]:
        return self.fields.get(key, [])

    def first(self, key: str) -> str | None:
        values = self.fields.get(key)
        return values[0] if values else None

    def add_name(self, parts: list[Any], name_type: str | None, quality: str | None) -> None:
        name = join_parts(parts, sep=" ")
        if name is None:
            return
        kind, flag = name_kind(name_type, quality)
        entry = (name, kind, flag)
        if all(n[0] != name or n[1] != kind for n in self.names):
            self.names.append(entry)

    def add_non_latin(self, value: Any, language: Any = None) -> None:
        text = clean_text(value)
        if text is None:
            return
        # The YAML copy wraps some of these in brackets: "(金铁三)".
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        entry = (text, clean_text(language))
        if text and entry not in self.non_latin:
            self.non_latin.append(entry)

    def add_address(self, lines: list[Any], country: Any) -> None:
        full = join_parts([*lines, country])
        entry = (full, clean_text(country))
        if full and entry not in self.addresses:
            self.addresses.append(entry)


def name_kind(name_type: str | None, quality: str | None) -> tuple[str, str | None]:
    """(kind, quality flag) for a UK name type and alias quality/strength."""
    t = (name_type or "").strip().lower()
    q = (quality or "").strip().lower()
    flag = "low" if "low" in q else ("good" if "good" in q else None)
    if t.startswith("primary name variation"):
        return "alias", flag
    if t.startswith("primary"):
        return "primary", None
    if t in ("fka", "f.k.a.", "formerly known as") or t.startswith("former"):
        return "former", flag
    return ("weak" if flag == "low" else "alias"), flag


def split_enumerated(value: str | None) -> list[str]:
    """``"(1) A (2) B"`` -> ``["A", "B"]``; anything else -> ``[value]``."""
    if not value:
        return []
    if not _ENUMERATION.match(value):
        return [value]
    parts = [p.strip(" ,;") for p in _ENUMERATION.split(value)]
    return [p for p in parts if p]


def designation_source(sanction: ValueEntity) -> str | None:
    """ "UN", "UK" or "UK|UN" as the publisher wrote it, from a built Sanction."""
    authorities = set(sanction.get("authority"))
    sources = [
        code for code, name in (("UK", UK_AUTHORITY), ("UN", UN_AUTHORITY)) if name in authorities
    ]
    return "|".join(sources) or None


def _schema(b: EntityBuilder, rec: UkRecord) -> str:
    kind = (rec.first("entity_type") or "").strip().lower()
    schema = SCHEMATA.get(kind)
    if schema is None:
        b.warn(f"uk-{rec.record_id}: designation type {kind!r} unknown, imported as LegalEntity")
        return "LegalEntity"
    return schema


def build(b: EntityBuilder, rec: UkRecord) -> ValueEntity:
    """The subject (and its Sanction and wallets) for one gathered record."""
    entity = b.subject(rec.record_id, _schema(b, rec), where=rec.where)
    schema = entity.schema.name
    _names(b, entity, rec)

    for regime in rec.get("regime"):
        b.program(entity, regime)
    for title in rec.get("title"):
        put(b, entity, "title", title)
    for position in rec.get("position"):
        put(b, entity, "position" if schema == "Person" else "notes", position)
    _person_facts(b, entity, rec)
    for full, country in rec.addresses:
        put(b, entity, "address", full)
        put(b, entity, "country", country, what="address country")
    for key, prop in (("phone", "phone"), ("email", "email"), ("website", "website")):
        for raw in rec.get(key):
            for value in split_enumerated(raw):
                put(b, entity, prop, value, what=key)
    for value in rec.get("business_registration_number"):
        for number in split_enumerated(value):
            put(b, entity, "registrationNumber", number)
    for value in rec.get("type_of_entity"):
        put(b, entity, "legalForm" if schema != "Person" else "notes", value)
    for key, label in (("subsidiaries", "Subsidiaries"), ("parent_company", "Parent company")):
        for value in rec.get(key):
            put(b, entity, "notes", f"{label}: {value}")
    _vessel_facts(b, entity, rec)
    _other_information(b, entity, rec)
    updated = sorted(d for d in (iso_date(v) for v in rec.get("last_updated")) if d)
    if updated:
        put(b, entity, "modifiedAt", updated[-1], what="last updated")
    if rec.get("group_id"):
        put(b, entity, "notes", f"OFSI Group ID: {rec.get('group_id')[0]}")
    _sanction(b, entity, rec)
    return entity


def _sanction(b: EntityBuilder, entity: ValueEntity, rec: UkRecord) -> ValueEntity:
    """The Sanction, whose ``authority`` carries the designation source (module docstring)."""
    sources = {s.strip().upper() for v in rec.get("designation_source") for s in v.split("|")}
    info = rec.get("other_information")
    un_refs = (
        rec.get("un_reference_number")
        or list(dict.fromkeys(m for v in info for m in _OWN_UN_REF.findall(v)))
        or [m for v in info for m in _UN_REF.findall(v)]
    )
    authorities = []
    # Without a designation-source column (ConList), a UN reference marks a UN designation.
    if "UN" in sources or (not sources and un_refs):
        authorities.append(UN_AUTHORITY)
    if "UK" in sources or not authorities:
        authorities.append(UK_AUTHORITY)
    listed = sorted(
        d for d in (iso_date(v) for k in ("listed_on", "date_designated") for v in rec.get(k)) if d
    )
    sanction = b.sanction(
        entity,
        authority=authorities[0],
        programs=rec.get("regime"),
        listing_date=listed[0] if listed else None,
        reason=join_parts(rec.get("statement_of_reasons"), sep=" "),
        provisions=[
            p.strip() for v in rec.get("sanctions_imposed") for p in v.split("|") if p.strip()
        ],
        unsc_id=un_refs[0] if un_refs else None,
    )
    for extra in authorities[1:]:
        sanction.add("authority", extra)
    for ref in un_refs[1:]:
        sanction.add("unscId", ref, quiet=True)
    if rec.get("unique_id"):
        sanction.add("authorityId", rec.get("unique_id")[0], quiet=True)
    return sanction


def _names(b: EntityBuilder, entity: ValueEntity, rec: UkRecord) -> None:
    primary_seen = False
    for name, kind, flag in rec.names:
        if kind == "primary":
            if primary_seen:
                kind = "alias"
            primary_seen = True
        b.name(entity, name, kind, quality=flag)
    if not rec.names and not rec.non_latin:
        b.warn(f"{entity.id}: record has no names")
    elif not primary_seen and rec.names:
        b.warn(f"{entity.id}: no primary name; the first alias stands in")
        b.name(entity, rec.names[0][0], "primary")
    for value, language in rec.non_latin:
        lang = (language or "").lower()[:2] or None
        if detect_script(value) == "Hang":
            lang = "ko"
        elif lang and not lang.isalpha():
            lang = None
        b.name(entity, value, "alias", lang=lang)


def _person_facts(b: EntityBuilder, entity: ValueEntity, rec: UkRecord) -> None:
    is_person = entity.schema.name == "Person"
    for raw in rec.get("dob"):
        for value in split_enumerated(raw):
            dob = iso_date(value)
            if dob is None:
                years = _YEAR.findall(value)
                dob = years[0] if len(years) == 1 else None
            if dob is None:
                b.warn(f"{entity.id}: date of birth {value!r} not understood, dropped")
                continue
            put(b, entity, "birthDate", dob, what="date of birth")
    towns, countries = rec.get("town_of_birth"), rec.get("country_of_birth")
    for i in range(max(len(towns), len(countries))):
        town = towns[i] if i < len(towns) else None
        country = countries[i] if i < len(countries) else None
        put(b, entity, "birthPlace", join_parts((town, country)))
    for country in rec.get("country_of_birth"):
        put(b, entity, "birthCountry", country, what="country of birth")
    for raw in rec.get("nationality"):
        for value in split_enumerated(raw):
            put(b, entity, "nationality" if is_person else "country", value, what="nationality")
    for key, prop in (("passport_number", "passportNumber"), ("national_id_number", "idNumber")):
        for raw in rec.get(key):
            for value in split_enumerated(raw):
                put(b, entity, prop, value)
    for key, label in (("passport_details", "Passport"), ("national_id_details", "National ID")):
        for value in rec.get(key):
            put(b, entity, "notes", f"{label}: {value}")
    for value in rec.get("gender"):
        if value.lower() in ("male", "female"):
            put(b, entity, "gender", value.lower())


def _vessel_facts(b: EntityBuilder, entity: ValueEntity, rec: UkRecord) -> None:
    is_vessel = entity.schema.name == "Vessel"
    for value in rec.get("imo_number"):
        for number in re.findall(r"\d{7}", value) or [value]:
            put(b, entity, "imoNumber", number, what="IMO number")
    for key, prop in (
        ("type_of_ship", "type"),
        ("tonnage", "tonnage"),
        ("year_built", "buildDate"),
    ):
        for value in rec.get(key):
            put(b, entity, prop if is_vessel else "notes", value, what=key.replace("_", " "))
    for value in rec.get("flag"):
        put(b, entity, "flag" if is_vessel else "notes", value, what="flag")
    for raw in rec.get("previous_flags"):
        for value in split_enumerated(raw):
            put(b, entity, "pastFlags" if is_vessel else "notes", value, what="previous flag")
    for key, label in (
        ("current_owner", "Owner"),
        ("previous_owner", "Previous owner"),
        ("length", "Length"),
        ("hin", "Hull identification number"),
    ):
        for value in rec.get(key):
            put(b, entity, "notes", f"{label}: {value}")


def _other_information(b: EntityBuilder, entity: ValueEntity, rec: UkRecord) -> None:
    schema = entity.schema.name
    for text in rec.get("other_information"):
        put(b, entity, "notes", text)
        if schema != "Person":
            for imo in freetext.imo_numbers(text):
                put(b, entity, "imoNumber", imo, what="IMO number in Other Information")
        if schema in ("Organization", "Company", "LegalEntity"):
            for code in freetext.swift_codes(text):
                put(b, entity, "swiftBic", code, what="SWIFT/BIC in Other Information")
        if schema == "Person":
            gender = freetext.gender(text)
            if gender:
                put(b, entity, "gender", gender)
            for dob in freetext.birth_dates(text):
                put(b, entity, "birthDate", dob, what="date of birth in Other Information")
            for number in freetext.passport_numbers(text):
                put(b, entity, "passportNumber", number)
        for chain, address in freetext.wallets(text):
            b.wallet(entity, address, chain)
