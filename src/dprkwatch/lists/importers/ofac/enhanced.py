"""OFAC's "enhanced XML" (Sanctions List Service): ``SDN_ENHANCED.XML`` and ``CONS_ENHANCED.XML``.

Layout (namespace ``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML``)::

    <sanctionsData>
      <publicationInfo><dataAsOf>2025-01-10T00:00:00</dataAsOf>
        <filters><sanctionsLists><sanctionsList>Consolidated List</sanctionsList>..</filters>
      </publicationInfo>
      <referenceValues/> <featureTypes/>
      <entities>
        <entity id="9639">
          <generalInfo><identityId/><entityType>Individual|Entity|Vessel|Aircraft</entityType>
                       <remarks/></generalInfo>
          <sanctionsLists><sanctionsList datePublished="2006-04-12">..</sanctionsList></sanctionsLists>
          <sanctionsPrograms><sanctionsProgram>DPRK3</sanctionsProgram></sanctionsPrograms>
          <sanctionsTypes/> <legalAuthorities/>
          <names><name><isPrimary/><aliasType>A.K.A.</aliasType><isLowQuality/>
                 <translations><translation><isPrimary/><script>Latin</script>
                   <formattedFullName>HANIYA, Ismail</formattedFullName>..</translation>
          <addresses><address><country/><translations><translation><addressParts>
                 <addressPart><type>CITY</type><value/></addressPart>..
          <features><feature><type>Birthdate</type><value>1962</value>
                 <valueDate><fromDateBegin/>..<isDateRange/></valueDate></feature>
          <identityDocuments><identityDocument><type>Passport</type><documentNumber/>
                 <issuingCountry/><issuingAuthority/></identityDocument>
          <relationships><relationship><type/><relatedEntity entityId="4695"/></relationship>
        </entity>
      </entities>
    </sanctionsData>

Which list a file is comes from its own ``publicationInfo`` filter: the
Consolidated List -> list ``ofac_cons``, otherwise the SDN list -> ``ofac``.
The publication date is ``dataAsOf``. Each entity becomes an
:class:`~dprkwatch.lists.importers.ofac.xml_record.OfacParty`; see that
module for the mapping. Elements the importer does not read are reported.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import ClassVar

from lxml import etree

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.ofac.xml_record import (
    ALIAS_KINDS,
    Document,
    Feature,
    OfacParty,
    PartyMapper,
    Period,
    full_name,
)
from dprkwatch.lists.importers.values import iso_date
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, local_name, sniff_root, text_of

NAMESPACE = (
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"
)
_N = f"{{{NAMESPACE}}}"
_READ = frozenset(
    {
        "generalInfo",
        "sanctionsLists",
        "sanctionsPrograms",
        "sanctionsTypes",
        "legalAuthorities",
        "names",
        "addresses",
        "features",
        "identityDocuments",
        "relationships",
    }
)


def _ns(path: str) -> str:
    return "/".join(f"{_N}{part}" for part in path.split("/"))


def _text(element: etree._Element, path: str) -> str | None:
    return text_of(element.find(_ns(path)))


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    return list(element.iterfind(_ns(path)))


def _true(element: etree._Element, path: str) -> bool:
    return (_text(element, path) or "").lower() == "true"


@register
class OfacEnhancedXmlImporter:
    format: ClassVar[str] = "ofac-enhanced-xml"
    list_name: ClassVar[str] = "ofac"
    source: ClassVar[str | None] = "ofac-sdn"
    description: ClassVar[str] = (
        "OFAC enhanced XML (SDN_ENHANCED or CONS_ENHANCED; the list is read from the file)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if sniff_root(head) != "sanctionsData":
            return 0.0
        return 0.95 if b"ENHANCED_XML" in head else 0.6

    def load(self, path: Path) -> ListVersion:
        reader = SafeXmlReader(path)
        mapper: PartyMapper | None = None
        builder: EntityBuilder | None = None
        published: str | None = None
        consolidated = False
        unhandled: Counter[str] = Counter()
        for element in reader.records(("publicationInfo", "entity"), root=("sanctionsData",)):
            if local_name(element.tag) == "publicationInfo":
                published = iso_date(_text(element, "dataAsOf"))
                filters = [
                    text_of(x) or "" for x in _all(element, "filters/sanctionsLists/sanctionsList")
                ]
                consolidated = any("consolidated" in f.lower() for f in filters)
                continue
            if builder is None or mapper is None:
                list_name = "ofac_cons" if consolidated else "ofac"
                builder = EntityBuilder(list_name, self.format, [path])
                builder.version.source = "ofac-cons" if consolidated else "ofac-sdn"
                mapper = PartyMapper(builder)
            for child in element:
                name = local_name(child.tag)
                if name and name not in _READ:
                    unhandled[name] += 1
            mapper.add(self._party(path, element))
        if builder is None or mapper is None:
            raise SourceError("no records found", source=str(path))
        mapper.finish()
        for name, n in sorted(unhandled.items()):
            builder.warn(f"element <{name}> not handled ({n} entities)")
        return builder.finish(
            date.fromisoformat(published) if published and len(published) == 10 else None
        )

    def _party(self, path: Path, entity: etree._Element) -> OfacParty:
        where = f"line {entity.sourceline}"
        party_id = entity.get("id")
        if not party_id:
            raise SourceError("entity without id", source=str(path), where=where)
        party = OfacParty(
            party_id=party_id,
            party_type=_text(entity, "generalInfo/entityType") or "",
            where=where,
        )
        remarks = _text(entity, "generalInfo/remarks")
        if remarks:
            party.remarks.append(remarks)
        for item in _all(entity, "sanctionsLists/sanctionsList"):
            party.lists.append((text_of(item) or "", iso_date(item.get("datePublished"))))
        party.programs = [
            p for p in (text_of(x) for x in _all(entity, "sanctionsPrograms/sanctionsProgram")) if p
        ]
        party.measures = [
            m for m in (text_of(x) for x in _all(entity, "sanctionsTypes/sanctionsType")) if m
        ]
        party.legal = [
            m for m in (text_of(x) for x in _all(entity, "legalAuthorities/legalAuthority")) if m
        ]
        for name in _all(entity, "names/name"):
            self._name(party, name)
        for address in _all(entity, "addresses/address"):
            country = _text(address, "country")
            for translation in _all(address, "translations/translation"):
                parts = [
                    _text(part, "value") or ""
                    for part in _all(translation, "addressParts/addressPart")
                ]
                text = ", ".join(p for p in parts if p) or None
                party.addresses.append((text, country))
                country = None  # one country per address, on its first translation
            if country:
                party.addresses.append((None, country))
        for feature in _all(entity, "features/feature"):
            period = None
            value_date = feature.find(_ns("valueDate"))
            if value_date is not None:
                period = Period(
                    start=iso_date(_text(value_date, "fromDateBegin")),
                    end=iso_date(
                        _text(value_date, "toDateEnd") or _text(value_date, "toDateBegin")
                    ),
                    approximate=_true(value_date, "isApproximate"),
                    is_range=_true(value_date, "isDateRange"),
                )
            party.features.append(
                Feature(_text(feature, "type") or "", _text(feature, "value"), period)
            )
            comment = _text(feature, "comments")
            if comment:
                party.remarks.append(f"{_text(feature, 'type')}: {comment}")
        for doc in _all(entity, "identityDocuments/identityDocument"):
            number = _text(doc, "documentNumber")
            if not number:
                continue
            details = [
                d for d in (_text(doc, "issuingAuthority"), _text(doc, "issuingLocation")) if d
            ]
            if not _true(doc, "isValid"):
                details.append("not valid")
            party.documents.append(
                Document(_text(doc, "type") or "", number, _text(doc, "issuingCountry"), details)
            )
        for relation in _all(entity, "relationships/relationship"):
            related = relation.find(_ns("relatedEntity"))
            if related is not None and related.get("entityId"):
                party.relations.append(
                    (_text(relation, "type") or "related", str(related.get("entityId")))
                )
        return party

    def _name(self, party: OfacParty, name: etree._Element) -> None:
        primary = _true(name, "isPrimary")
        alias_type = (_text(name, "aliasType") or "").lower()
        kind = "primary" if primary else ALIAS_KINDS.get(alias_type, "alias")
        if _true(name, "isLowQuality") and kind == "alias":
            kind = "weak"
        for translation in _all(name, "translations/translation"):
            value = _text(translation, "formattedFullName") or full_name(
                [
                    (_text(part, "type") or "", _text(part, "value") or "")
                    for part in _all(translation, "nameParts/namePart")
                ]
            )
            if not value:
                continue
            script = _text(translation, "script")
            # Only the primary Latin spelling of the primary name is the primary name.
            this_kind = kind
            if kind == "primary" and not _true(translation, "isPrimary"):
                this_kind = "alias"
            party.names.append((value, this_kind, script))
