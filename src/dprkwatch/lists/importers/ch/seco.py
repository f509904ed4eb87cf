"""Switzerland's SECO sanctions list (``swiss-sanctions-list`` XML, the whole-list export).

Layout (no namespace)::

    <swiss-sanctions-list date="2026-08-20" list-type="whole-list">
      <sanctions-program ssid="..">
        <program-key lang="eng">North Korea</program-key> <program-name lang="eng">..</program-name>
        <sanctions-set ssid="5" lang="eng">Annex 1</sanctions-set> <origin>UN</origin>
      </sanctions-program>
      <place ssid="9"><location>Pyongyang</location><area/><country iso-code="KP">..</country></place>
      <target ssid="1001">
        <sanctions-set-id>5</sanctions-set-id>
        <modification modification-type="listed|amended|de-listed" effective-date=".."/>
        <individual sex="male"> | <entity> | <object object-type="vessel">
          <identity ssid=".." main="true">
            <name name-type="primary-name|alias|former-name" quality="good|low">
              <name-part order="1" name-part-type="family-name|given-name|whole-name">
                <value>RYANG</value><spelling-variant script="HANG">..</spelling-variant>
              </name-part>
            </name>
            <day-month-year day="15" month="1" year="1970"/> <place-of-birth place-id="9"/>
            <nationality place-id="9"/> <address place-id="9"><address-details/><zip-code/></address>
            <identification-document document-type="passport"><number/><issuer place-id=".."/>
          </identity>
          <justification/> <other-information/>
        </individual>
      </target>
    </swiss-sanctions-list>

The whole-list export keeps each target's history: a target whose latest
``modification`` is ``de-listed`` is left out (and counted in a warning).
Each remaining target gives ``ch-<target ssid>``: ``individual`` -> Person,
``entity`` -> Organization, ``object`` of type vessel -> Vessel. Names join
their parts in order; spelling variants in other scripts become aliases
(Hangul tagged ``ko``); ``quality="low"`` -> weak alias, ``former-name`` ->
former name. The programme is the sanctions programme's English key
(``North Korea``), reached through the target's sanctions set. IMO numbers
written in ``other-information`` are read. The publication date is the root's
``date``. Written from the published schema and descriptions of the export;
no real SECO file is available here, so unknown elements are reported as
warnings rather than assumed away.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from followthemoney import ValueEntity
from lxml import etree

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.freetext import imo_numbers
from dprkwatch.lists.importers.values import clean_text, date_from_parts, iso_date, join_parts, put
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.names import detect_script
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, local_name, sniff_root

AUTHORITY = "Switzerland, State Secretariat for Economic Affairs (SECO)"
ROOT = "swiss-sanctions-list"
KINDS = {"individual": "Person", "entity": "Organization"}
NAME_KINDS = {"primary-name": "primary", "alias": "alias", "former-name": "former"}
_IDENTITY_CHILDREN = frozenset(
    {
        "name",
        "day-month-year",
        "place-of-birth",
        "nationality",
        "address",
        "identification-document",
    }
)
_SUBJECT_CHILDREN = frozenset({"identity", "justification", "other-information", "relation"})


@dataclass(frozen=True)
class _Place:
    text: str | None
    country: str | None


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local_name(c.tag) == name]


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return clean_text("".join(str(t) for t in element.itertext()))


@register
class SecoXmlImporter:
    format: ClassVar[str] = "seco-xml"
    list_name: ClassVar[str] = "ch"
    source: ClassVar[str | None] = "ch-seco"
    description: ClassVar[str] = "Switzerland SECO sanctions list (XML, whole list)"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        return 0.95 if sniff_root(head) == ROOT else 0.0

    def load(self, path: Path) -> ListVersion:
        reader = SafeXmlReader(path)
        b = EntityBuilder(self.list_name, self.format, [path])
        programs: dict[str, str] = {}  # sanctions-set ssid -> programme key
        places: dict[str, _Place] = {}
        unhandled: Counter[str] = Counter()
        delisted = 0
        for element in reader.records(("sanctions-program", "place", "target"), root=(ROOT,)):
            kind = local_name(element.tag)
            if kind == "sanctions-program":
                key = self._english(element, "program-key") or self._english(
                    element, "program-name"
                )
                for sanctions_set in _children(element, "sanctions-set"):
                    if sanctions_set.get("ssid") and key:
                        programs[str(sanctions_set.get("ssid"))] = key
            elif kind == "place":
                country = element.find("country")
                places[str(element.get("ssid"))] = _Place(
                    join_parts([_text(element.find("location")), _text(element.find("area"))]),
                    (country.get("iso-code") if country is not None else None) or _text(country),
                )
            elif not self._target(path, b, element, programs, places, unhandled):
                delisted += 1
        if delisted:
            b.warn(f"{delisted} de-listed targets of the whole-list export left out")
        for name, n in sorted(unhandled.items()):
            b.warn(f"element <{name}> not handled ({n} times)")
        published = iso_date(reader.root_attrib.get("date"))
        return b.finish(
            date.fromisoformat(published) if published and len(published) == 10 else None
        )

    @staticmethod
    def _english(element: etree._Element, name: str) -> str | None:
        items = _children(element, name)
        english = [i for i in items if i.get("lang") in ("eng", "en")]
        chosen = english or items
        return _text(chosen[0]) if chosen else None

    def _target(
        self,
        path: Path,
        b: EntityBuilder,
        target: etree._Element,
        programs: dict[str, str],
        places: dict[str, _Place],
        unhandled: Counter[str],
    ) -> bool:
        """Build one target; False when its latest modification de-lists it."""
        where = f"line {target.sourceline}"
        ssid = target.get("ssid")
        if not ssid:
            raise SourceError("target without ssid", source=str(path), where=where)
        changes = _children(target, "modification")
        latest = max(
            enumerate(changes),
            key=lambda pair: (pair[1].get("effective-date") or "", pair[0]),
            default=None,
        )
        if latest is not None and latest[1].get("modification-type") == "de-listed":
            return False
        subject = next(
            (c for c in target if local_name(c.tag) in ("individual", "entity", "object")), None
        )
        if subject is None:
            raise SourceError(
                "target without individual, entity or object", source=str(path), where=where
            )
        kind = local_name(subject.tag)
        schema = KINDS.get(kind)
        if schema is None:
            schema = "Vessel" if subject.get("object-type") == "vessel" else "LegalEntity"
        e = b.subject(ssid, schema, where=where)
        for child in subject:
            name = local_name(child.tag)
            if name and name not in _SUBJECT_CHILDREN:
                unhandled[f"{kind}/{name}"] += 1
        sex = subject.get("sex")
        if sex in ("male", "female"):
            put(b, e, "gender", sex)
        identities = _children(subject, "identity")
        identities.sort(key=lambda i: i.get("main") != "true")
        primary_done = False
        for identity in identities:
            primary_done = self._identity(b, e, identity, places, unhandled, primary_done)
        for text in (_text(x) for x in _children(subject, "other-information")):
            if text:
                put(b, e, "notes", text)
                if schema != "Person":
                    for imo in imo_numbers(text):
                        e.add("imoNumber", imo, cleaned=True, quiet=True)
        reason = join_parts([_text(x) for x in _children(subject, "justification")], sep=" ")
        codes = [
            programs[s]
            for s in (_text(x) for x in _children(target, "sanctions-set-id"))
            if s and s in programs
        ]
        for code in dict.fromkeys(codes):
            b.program(e, code)
        listed = sorted(
            d
            for m in changes
            if m.get("modification-type") == "listed"
            for d in (iso_date(m.get("effective-date")),)
            if d
        )
        b.sanction(
            e,
            authority=AUTHORITY,
            programs=list(dict.fromkeys(codes)),
            listing_date=listed[0] if listed else None,
            reason=reason,
        ).add("authorityId", ssid, quiet=True)
        return True

    def _identity(
        self,
        b: EntityBuilder,
        entity: ValueEntity,
        identity: etree._Element,
        places: dict[str, _Place],
        unhandled: Counter[str],
        primary_done: bool,
    ) -> bool:
        for child in identity:
            tag = local_name(child.tag)
            if tag and tag not in _IDENTITY_CHILDREN:
                unhandled[f"identity/{tag}"] += 1
        for name in _children(identity, "name"):
            parts = sorted(_children(name, "name-part"), key=lambda p: int(p.get("order") or "0"))
            value = join_parts([_text(p.find("value")) for p in parts], sep=" ")
            kind = NAME_KINDS.get(name.get("name-type") or "alias", "alias")
            low = name.get("quality") == "low"
            if kind == "primary" and (primary_done or identity.get("main") != "true"):
                kind = "alias"
            if kind == "alias" and low:
                kind = "weak"
            if value:
                b.name(entity, value, kind, quality="low" if low else None)
                primary_done = primary_done or kind == "primary"
            variants: dict[str, list[str]] = {}
            for part in parts:
                for variant in _children(part, "spelling-variant"):
                    text = _text(variant)
                    if text:
                        variants.setdefault(variant.get("script") or "", []).append(text)
            for script, texts in variants.items():
                hangul = (
                    script.upper().startswith("HANG") or detect_script("".join(texts)) == "Hang"
                )
                # Korean names are written without a space between family and given name.
                joined = ("" if hangul else " ").join(texts)
                lang = "ko" if hangul else None
                b.name(entity, joined, "alias", lang=lang)
        for born in _children(identity, "day-month-year"):
            value = date_from_parts(born.get("year"), born.get("month"), born.get("day"))
            put(b, entity, "birthDate", value, what="date of birth")
        for tag, prop in (("place-of-birth", "birthPlace"), ("address", "address")):
            for item in _children(identity, tag):
                place = places.get(item.get("place-id") or "")
                details = _text(item.find("address-details"))
                text = join_parts(
                    [details, place.text if place else None, place.country if place else None]
                )
                put(b, entity, prop, text)
                if place and place.country and tag == "address":
                    put(b, entity, "country", place.country, what="address country")
        for item in _children(identity, "nationality"):
            place = places.get(item.get("place-id") or "")
            country = (
                item.get("country-iso-code") or (place.country if place else None) or _text(item)
            )
            is_person = entity.schema.name == "Person"
            put(b, entity, "nationality" if is_person else "country", country, what="nationality")
        for doc in _children(identity, "identification-document"):
            number = _text(doc.find("number"))
            if not number:
                continue
            kind = (doc.get("document-type") or "").lower()
            prop = "passportNumber" if "passport" in kind else "idNumber"
            put(b, entity, prop, number)
        return primary_done
