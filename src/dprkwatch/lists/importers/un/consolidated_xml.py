"""UN Security Council Consolidated List, XML (``CONSOLIDATED_LIST`` schema).

One subject per INDIVIDUAL (Person) or ENTITY (Organization), with the id
``un-<REFERENCE_NUMBER>`` (``un-KPi.033``). The list has no vessels: the 1718
Committee's vessel designations are a separate document. What each element
becomes:

* FIRST_NAME..FOURTH_NAME -> primary name; NAME_ORIGINAL_SCRIPT -> alias (Hangul
  ones tagged ``ko``); *_ALIAS by QUALITY: "Good"/"a.k.a." -> alias, "Low" ->
  weak alias, "f.k.a." -> former name;
* INDIVIDUAL_DATE_OF_BIRTH: EXACT date or year, APPROXIMATELY -> the year,
  BETWEEN -> every year of the range;
* PLACE_OF_BIRTH, NATIONALITY, GENDER, DESIGNATION (position), TITLE, ADDRESS;
* INDIVIDUAL_DOCUMENT: passports -> passportNumber, anything else -> idNumber;
* UN_LIST_TYPE (e.g. "DPRK") -> programId; LISTED_ON -> Sanction.listingDate;
* COMMENTS1 -> notes, plus company IMO numbers written in it ("IMO number: ...").

Elements the importer does not know are counted and reported as warnings.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import ClassVar

from followthemoney import ValueEntity
from lxml import etree

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.freetext import imo_numbers
from dprkwatch.lists.importers.values import (
    iso_date,
    join_parts,
    put,
    year_range,
)
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.names import detect_script
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, sniff_root, text_of

AUTHORITY = "United Nations Security Council"
PROGRAM_LABELS = {"DPRK": "UN Security Council 1718 Committee (DPRK)"}

# Alias QUALITY -> (name kind, quality flag kept in the name details).
_ALIAS_KINDS: dict[str, tuple[str, str | None]] = {
    "good": ("alias", "good"),
    "low": ("weak", "low"),
    "a.k.a.": ("alias", None),
    "f.k.a.": ("former", None),
    "": ("alias", None),
}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# Elements read elsewhere or deliberately ignored (internal bookkeeping).
_IGNORED = frozenset(
    {
        "DATAID",
        "VERSIONNUM",
        "LIST_TYPE",
        "SORT_KEY",
        "SORT_KEY_LAST_MOD",
        "SUBMITTED_BY",
        "SUBMITTED_ON",
    }
)


@register
class UnXmlImporter:
    format: ClassVar[str] = "un-xml"
    list_name: ClassVar[str] = "un"
    source: ClassVar[str | None] = "un"
    description: ClassVar[str] = "UN Security Council Consolidated List (XML)"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        root = sniff_root(head)
        if root == "CONSOLIDATED_LIST":
            return 0.95
        return 0.3 if b"<CONSOLIDATED_LIST" in head else 0.0

    def load(self, path: Path) -> ListVersion:
        reader = SafeXmlReader(path)
        b = EntityBuilder(self.list_name, self.format, [path])
        unhandled: Counter[str] = Counter()
        for record in reader.records(("INDIVIDUAL", "ENTITY"), root=("CONSOLIDATED_LIST",)):
            _record(b, record, path, unhandled)
        for tag, n in sorted(unhandled.items()):
            b.warn(f"element <{tag}> not handled ({n} records)")
        published = _published(b, reader.root_attrib.get("dateGenerated"))
        return b.finish(published)


def _published(b: EntityBuilder, value: str | None) -> date | None:
    """``dateGenerated`` is a timestamp in the publisher's zone; its date part is the list date."""
    text = (value or "").strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        b.warn(f"dateGenerated {value!r} is not a date; publication date unknown")
        return None


def _record(b: EntityBuilder, el: etree._Element, path: Path, unhandled: Counter[str]) -> None:
    kind = el.tag
    where = f"line {el.sourceline}"
    ref = text_of(el.find("REFERENCE_NUMBER"))
    if ref is None:
        raise SourceError(f"<{kind}> without REFERENCE_NUMBER", source=str(path), where=where)
    entity = b.subject(ref, "Person" if kind == "INDIVIDUAL" else "Organization", where=where)
    b.name(entity, join_parts((text_of(el.find(t)) for t in _NAME_PARTS), sep=" "))

    program: str | None = None
    listed_on: str | None = None
    for child in el:
        tag = child.tag
        if (
            not isinstance(tag, str)
            or tag in _IGNORED
            or tag in _NAME_PARTS
            or tag == "REFERENCE_NUMBER"
        ):
            continue
        if tag == "UN_LIST_TYPE":
            program = text_of(child)
        elif tag == "LISTED_ON":
            listed_on = iso_date(text_of(child))
            if listed_on is None and text_of(child):
                b.warn(f"{entity.id}: LISTED_ON {text_of(child)!r} is not a date")
        elif tag == "NAME_ORIGINAL_SCRIPT":
            _original_script(b, entity, text_of(child))
        elif tag == "COMMENTS1":
            comments = text_of(child)
            put(b, entity, "notes", comments)
            if entity.schema.name != "Person":
                for imo in imo_numbers(comments):
                    put(b, entity, "imoNumber", imo, what="IMO number in COMMENTS1")
        elif tag in ("DESIGNATION", "TITLE"):
            prop = "position" if tag == "DESIGNATION" else "title"
            for value in child.iterfind("VALUE"):
                put(b, entity, prop, text_of(value))
        elif tag == "NATIONALITY":
            for value in child.iterfind("VALUE"):
                put(b, entity, "nationality", text_of(value))
        elif tag == "GENDER":
            gender = (text_of(child) or "").lower()
            if gender in ("male", "female"):
                put(b, entity, "gender", gender)
        elif tag == "LAST_DAY_UPDATED":
            for value in child.iterfind("VALUE"):
                put(b, entity, "modifiedAt", iso_date(text_of(value)))
        elif tag in ("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
            _alias(b, entity, child)
        elif tag in ("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS"):
            _address(b, entity, child)
        elif tag == "INDIVIDUAL_DATE_OF_BIRTH":
            _birth_date(b, entity, child)
        elif tag == "INDIVIDUAL_PLACE_OF_BIRTH":
            _birth_place(b, entity, child)
        elif tag == "INDIVIDUAL_DOCUMENT":
            _document(b, entity, child)
        else:
            unhandled[tag] += 1

    if program:
        b.program(entity, program, PROGRAM_LABELS.get(program))
    b.sanction(
        entity,
        authority=AUTHORITY,
        programs=[program] if program else [],
        listing_date=listed_on,
        unsc_id=ref,
    )


def _original_script(b: EntityBuilder, entity: ValueEntity, value: str | None) -> None:
    if value is None:
        return
    # Hangul is written only for Korean; other scripts do not fix the language.
    lang = "ko" if detect_script(value) == "Hang" else None
    b.name(entity, value, "alias", lang=lang)


def _alias(b: EntityBuilder, entity: ValueEntity, el: etree._Element) -> None:
    name = text_of(el.find("ALIAS_NAME"))
    if name is None:
        return
    quality = (text_of(el.find("QUALITY")) or "").lower()
    kind, flag = _ALIAS_KINDS.get(quality, ("alias", quality or None))
    b.name(entity, name, kind, quality=flag)
    # Some aliases carry the birth data of that identity.
    for dob in (text_of(d) for d in el.iterfind("DATE_OF_BIRTH")):
        put(b, entity, "birthDate", iso_date(dob) or dob, what="alias DATE_OF_BIRTH")
    place = join_parts((text_of(el.find("CITY_OF_BIRTH")), text_of(el.find("COUNTRY_OF_BIRTH"))))
    put(b, entity, "birthPlace", place)
    note = text_of(el.find("NOTE"))
    if note:
        put(b, entity, "notes", f"Alias {name}: {note}")


def _address(b: EntityBuilder, entity: ValueEntity, el: etree._Element) -> None:
    country = text_of(el.find("COUNTRY"))
    full = join_parts(
        text_of(el.find(t)) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
    )
    put(b, entity, "address", full)
    put(b, entity, "country", country, what="address COUNTRY")
    note = text_of(el.find("NOTE"))
    if note:
        put(b, entity, "notes", f"Address {full}: {note}" if full else f"Address: {note}")


def _birth_date(b: EntityBuilder, entity: ValueEntity, el: etree._Element) -> None:
    kind = (text_of(el.find("TYPE_OF_DATE")) or "").upper()
    raw_date = text_of(el.find("DATE"))
    year = text_of(el.find("YEAR"))
    start, end = text_of(el.find("FROM_YEAR")), text_of(el.find("TO_YEAR"))
    values: list[str] = []
    if start or end:
        values.extend(year_range(start, end))
    full = iso_date(raw_date)
    if raw_date and full is None:
        b.warn(f"{entity.id}: date of birth {raw_date!r} is not a date, dropped")
    if full:
        # "Approximately 1964-07-17" is kept only to the year.
        values.append(full[:4] if kind == "APPROXIMATELY" else full)
    if year:
        values.append(year)
    for value in values:
        put(b, entity, "birthDate", value, what="date of birth")
    note = text_of(el.find("NOTE"))
    if note:
        put(b, entity, "notes", f"Date of birth: {note}")


def _birth_place(b: EntityBuilder, entity: ValueEntity, el: etree._Element) -> None:
    place = join_parts(text_of(el.find(t)) for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"))
    put(b, entity, "birthPlace", place)
    put(b, entity, "birthCountry", text_of(el.find("COUNTRY")), what="place of birth COUNTRY")
    note = text_of(el.find("NOTE"))
    if note:
        put(b, entity, "notes", f"Place of birth: {note}")


def _document(b: EntityBuilder, entity: ValueEntity, el: etree._Element) -> None:
    number = text_of(el.find("NUMBER"))
    kind = join_parts(
        (text_of(el.find("TYPE_OF_DOCUMENT")), text_of(el.find("TYPE_OF_DOCUMENT2"))), sep=" / "
    )
    if number is None:
        note = text_of(el.find("NOTE"))
        if note:
            put(b, entity, "notes", f"Document: {join_parts((kind, note), sep=' - ')}")
        return
    # "Passport", "Numéro de passeport", "Número de pasaporte", "national passport"...
    lowered = (kind or "").lower()
    is_passport = any(w in lowered for w in ("passport", "passeport", "pasaporte"))
    put(b, entity, "passportNumber" if is_passport else "idNumber", number)
    details = join_parts(
        (
            text_of(el.find("ISSUING_COUNTRY")),
            text_of(el.find("COUNTRY_OF_ISSUE")),
            text_of(el.find("CITY_OF_ISSUE")),
            text_of(el.find("DATE_OF_ISSUE")),
            text_of(el.find("NOTE")),
        ),
        sep="; ",
    )
    if details:
        put(b, entity, "notes", f"{kind or 'Document'} {number} ({details})")
