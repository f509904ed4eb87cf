"""One OFAC party from the XML formats -> FtM entities (shared by the enhanced and advanced XML).

OFAC publishes its lists in three shapes: the legacy delimited files (see
:mod:`~dprkwatch.lists.importers.ofac.legacy`), the "advanced" XML of 2014-2023
(reference-value tables and ``DistinctParty`` profiles) and the "enhanced"
XML of the Sanctions List Service (one self-describing ``entity`` each). The
legacy CSV writes dates of birth, identity documents, vessel particulars and
wallet addresses into one free-text Remarks field; both XML formats carry
them as typed fields, together with the date each party was added to each
list. The two XML importers bring a party into the plain
:class:`OfacParty` shape, and :class:`PartyMapper` builds the entities, so
both formats give the same entities for the same content:

* id ``ofac-<party id>`` (the same number as the legacy ``ent_num``), schema
  by party type (Individual -> Person, Entity -> Organization, Vessel, Aircraft);
* names: the primary name -> primary, A.K.A./N.K.A. -> alias, F.K.A. ->
  former, low quality -> weak; non-Latin translations -> aliases with their script;
* features by their published label (:data:`FEATURES`), so a label OFAC adds
  later lands in notes with its label, never silently dropped;
* identity documents: ``Vessel Registration Identification`` -> imoNumber,
  ``MMSI`` -> mmsiNumber, others classified by the words of their label as
  in the legacy Remarks (:func:`~dprkwatch.lists.importers.ofac.ids.classify`);
* the Sanction: programmes, the earliest date the party was published on
  any list as the listing date, sanction types and legal authorities as
  provisions; relationships become ``UnknownLink`` entities between parties.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from followthemoney import ValueEntity

from dprkwatch.lists.importers.ofac.entities import (
    AUTHORITY,
    NO_COUNTRY,
    SCHEMA_BY_TYPE,
    SOURCE_URL,
    birth_country,
    country_code,
)
from dprkwatch.lists.importers.ofac.ids import classify, imo_check_ok
from dprkwatch.lists.model import EntityBuilder, entity_id, make_entity
from dprkwatch.lists.names import detect_script
from dprkwatch.lists.programs import PROGRAM_LABELS

ALIAS_KINDS = {"a.k.a.": "alias", "n.k.a.": "alias", "f.k.a.": "former", "name": "primary"}

# Feature label (lower case, as OFAC publishes it) -> (FtM property, kind of value).
# Kinds: "date" (a period), "country", "text", "lower" (lower-cased text).
FEATURES: dict[str, tuple[str, str]] = {
    "birthdate": ("birthDate", "date"),
    "place of birth": ("birthPlace", "text"),
    "nationality country": ("nationality", "country"),
    "citizenship country": ("citizenship", "country"),
    "nationality of registration": ("jurisdiction", "country"),
    "gender": ("gender", "lower"),
    "website": ("website", "text"),
    "email address": ("email", "text"),
    "phone number": ("phone", "text"),
    "swift/bic": ("swiftBic", "text"),
    "organization established date": ("incorporationDate", "date"),
    "vessel flag": ("flag", "country"),
    "former vessel flag": ("pastFlags", "country"),
    "vessel type": ("type", "text"),
    "vessel tonnage": ("tonnage", "text"),
    "vessel gross registered tonnage": ("grossRegisteredTonnage", "text"),
    "vessel call sign": ("callSign", "text"),
    "vessel year of build": ("buildDate", "date"),
    "vessel owner": ("notes", "text"),
    "title": ("position", "text"),
    "organization type": ("legalForm", "text"),
}
# OFAC's ways of saying "no country" (the advanced XML's areas add "undetermined").
_NO_COUNTRY = NO_COUNTRY | {"undetermined"}
# Feature labels that describe the sanction rather than the party.
_SANCTION_FEATURES = re.compile(
    r"^(secondary sanctions risk|additional sanctions information|executive order|caatsa|"
    r"listing date|effective date|purchase/sales for divestment date)",
    re.IGNORECASE,
)
_WALLET = re.compile(r"^digital currency address\s*-\s*(\w+)", re.IGNORECASE)
_IMO = re.compile(r"\b(\d{7})\b")


@dataclass
class Period:
    """A published date period: ``start``..``end`` (ISO), each possibly a day range."""

    start: str | None
    end: str | None
    approximate: bool = False
    is_range: bool = False

    def values(self) -> list[str]:
        """The FtM date values the period stands for: a day, a month, a year or each year."""
        if not self.start:
            return []
        if not self.end or self.end == self.start:
            return [self.start]
        try:
            first, last = date.fromisoformat(self.start), date.fromisoformat(self.end)
        except ValueError:
            return [self.start]
        if self.is_range and last.year - first.year <= 30:
            return [str(y) for y in range(first.year, last.year + 1)]
        whole_year = (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
        if whole_year and first.year == last.year:
            return [str(first.year)]
        if first.day == 1 and (last + timedelta(days=1)).day == 1 and first.month == last.month:
            return [first.isoformat()[:7]]
        if self.approximate:
            return [str(first.year)]
        return [first.isoformat(), last.isoformat()]


@dataclass
class Feature:
    label: str
    text: str | None
    period: Period | None = None


@dataclass
class Document:
    label: str
    number: str
    country: str | None = None
    details: list[str] = field(default_factory=list)


@dataclass
class OfacParty:
    """One party as both XML formats describe it, values as published."""

    party_id: str
    party_type: str
    where: str
    # (name, kind, script) in published order; kind is primary/alias/former/weak.
    names: list[tuple[str, str, str | None]] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    # (list name, date the party was published on it)
    lists: list[tuple[str, str | None]] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    legal: list[str] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    # (address text, country name)
    addresses: list[tuple[str | None, str | None]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    # (relationship type, related party id)
    relations: list[tuple[str, str]] = field(default_factory=list)


def full_name(parts: list[tuple[str, str]]) -> str | None:
    """``[("Last Name", "HANIYA"), ("First Name", "Ismail")]`` -> ``HANIYA, Ismail``.

    OFAC writes a person's name surname first, then a comma; this rebuilds
    that form from name parts so both XML formats and the legacy CSV agree.
    """
    values = [(t.lower(), v.strip()) for t, v in parts if v and v.strip()]
    if not values:
        return None
    last = [v for t, v in values if t == "last name"]
    rest = [v for t, v in values if t != "last name"]
    if last and rest:
        return f"{' '.join(last)}, {' '.join(rest)}"
    return " ".join(v for _t, v in values)


class PartyMapper:
    """Builds the entities of every party into one :class:`EntityBuilder`."""

    def __init__(self, builder: EntityBuilder) -> None:
        self.b = builder
        self.unknown_types: Counter[str] = Counter()
        self.unread_features: Counter[str] = Counter()
        self.bad_countries: Counter[str] = Counter()
        self.bad_imo = 0
        self._relations: list[tuple[str, str, str]] = []

    def add(self, party: OfacParty) -> ValueEntity:
        b = self.b
        schema = SCHEMA_BY_TYPE.get(party.party_type.lower())
        if schema is None:
            self.unknown_types[party.party_type] += 1
            schema = "LegalEntity"
        e = b.subject(party.party_id, schema, where=party.where)
        seen: set[tuple[str, str]] = set()
        for value, kind, script in party.names:
            if (value, kind) in seen:
                continue
            seen.add((value, kind))
            # OFAC tags a translation with its script only; Hangul means Korean.
            lang = "ko" if script and script.lower() == "korean" else None
            if lang is None and not value.isascii() and detect_script(value) == "Hang":
                lang = "ko"
            b.name(e, value, kind, lang=lang, quality="low" if kind == "weak" else None)
        for code in party.programs:
            b.program(e, code, PROGRAM_LABELS.get(code))
        provisions = list(party.measures) + [f"Legal authority: {x}" for x in party.legal]
        for feature in party.features:
            self._feature(e, feature, provisions)
        for doc in party.documents:
            self._document(e, doc)
        for text, country in party.addresses:
            if text:
                b.add(e, "address", text)
            if country:
                self._country(e, "country", country)
        for remark in party.remarks:
            b.add(e, "notes", remark)
        listed = sorted(d for _name, d in party.lists if d)
        sanction = b.sanction(
            e,
            authority=AUTHORITY,
            programs=party.programs,
            listing_date=listed[0] if listed else None,
            provisions=provisions,
        )
        sanction.add("sourceUrl", SOURCE_URL.format(ent_num=party.party_id), cleaned=True)
        for name, _day in party.lists:
            sanction.add("program", name, quiet=True)
        for kind, other in party.relations:
            self._relations.append((entity_id(e), kind, other))
        return e

    def _feature(self, e: ValueEntity, feature: Feature, provisions: list[str]) -> None:
        b = self.b
        label = feature.label.strip()
        key = label.lower().rstrip(":")
        wallet = _WALLET.match(label)
        if wallet and feature.text:
            b.wallet(e, feature.text, wallet.group(1))
            return
        if _SANCTION_FEATURES.match(key):
            provisions.append(f"{label} {feature.text or ''}".strip())
            return
        target = FEATURES.get(key)
        if target is None:
            self.unread_features[label] += 1
            if feature.text:
                b.add(e, "notes", f"{label}: {feature.text}")
            return
        prop, kind = target
        if kind == "date":
            values = feature.period.values() if feature.period else []
            if not values and feature.text:
                values = [feature.text]
            for value in values:
                b.add(e, prop, value)
            return
        if not feature.text:
            return
        if kind == "country":
            self._country(e, prop if e.schema.get(prop) else "country", feature.text)
        elif prop == "notes":
            b.add(e, "notes", f"{label}: {feature.text}")
        else:
            b.add(e, prop, feature.text.lower() if kind == "lower" else feature.text)
            if prop == "birthPlace" and e.schema.get("birthCountry") is not None:
                code = birth_country(feature.text)
                if code:
                    e.add("birthCountry", code, cleaned=True, quiet=True)

    def _document(self, e: ValueEntity, doc: Document) -> None:
        b = self.b
        label = doc.label.strip()
        lowered = label.lower()
        if lowered == "vessel registration identification" or lowered.startswith("imo"):
            match = _IMO.search(doc.number)
            number = match.group(1) if match else doc.number
            if e.schema.name == "Vessel" and not imo_check_ok(number):
                self.bad_imo += 1
            # The seven digits, as the legacy importer stores them (FtM would add "IMO").
            e.add("imoNumber", number, cleaned=True, quiet=True)
        elif lowered == "mmsi":
            b.add(e, "mmsi", doc.number)
        else:
            found = classify(f"{label} {doc.number}")
            prop = found.prop if found is not None else "idNumber"
            b.add(e, prop, found.value if found is not None else doc.number)
        details = list(dict.fromkeys(d for d in (doc.country, *doc.details) if d))
        if details:
            b.add(e, "notes", f"{label} {doc.number} ({'; '.join(details)})")

    def _country(self, e: ValueEntity, prop: str, value: str) -> None:
        if value.strip().lower() in _NO_COUNTRY:
            return
        code = country_code(value)
        if code is None:
            self.bad_countries[value] += 1
            self.b.add(e, "notes", f"{prop}: {value}")
            return
        if e.schema.get(prop) is None:
            prop = "country"
        e.add(prop, code, cleaned=True, quiet=True)

    def finish(self) -> None:
        """Relationships between parties, and one warning per kind of data problem."""
        b = self.b
        numbers: Counter[str] = Counter()
        missing = 0
        for subject, kind, other in self._relations:
            target = b.make_id(other)
            if target not in b.version.entities:
                missing += 1
                continue
            numbers[subject] += 1
            link = make_entity("UnknownLink", f"{subject}-link-{numbers[subject]}", b.list_name)
            link.add("subject", subject)
            link.add("object", target)
            link.add("role", kind)
            b.version.entities[entity_id(link)] = link
        if missing:
            b.warn(f"{missing} relationships name a party not in this file (kept out)")
        for value, n in sorted(self.unknown_types.items()):
            b.warn(f"party type {value!r} is not known; {n} parties read as LegalEntity")
        if self.unread_features:
            top = ", ".join(f"{k!r} x{n}" for k, n in self.unread_features.most_common(8))
            b.warn(
                f"features: {sum(self.unread_features.values())} of "
                f"{len(self.unread_features)} kinds kept in notes only: {top}"
            )
        if self.bad_countries:
            top = ", ".join(f"{k!r} x{n}" for k, n in self.bad_countries.most_common(5))
            b.warn(f"{sum(self.bad_countries.values())} country values not recognised: {top}")
        if self.bad_imo:
            b.warn(f"{self.bad_imo} vessel IMO numbers fail their check digit")
