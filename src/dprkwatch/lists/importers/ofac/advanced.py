"""OFAC's "advanced XML" (``sdn_advanced.xml``, ``cons_advanced.xml``): reference tables and profiles.

Layout (namespace ``http://www.un.org/sanctions/1.0``, ``sdn_advanced.xsd``
Version 3; the Sanctions List Service publishes the same tree under its own
``ADVANCED_XML`` namespace)::

    <Sanctions>
      <DateOfIssue><Year/><Month/><Day/></DateOfIssue>
      <ReferenceValueSets>  id -> label tables: FeatureType, PartySubType, PartyType,
                            NamePartType, AliasType, Script, Country, List, LegalBasis,
                            SanctionsType, IDRegDocType, RelationType, DetailReference, ...
      <Locations><Location ID=".."><LocationCountry CountryID=".."/>
                 <LocationPart LocPartTypeID=".."><LocationPartValue><Value/>..</Location>
      <IDRegDocuments><IDRegDocument IDRegDocTypeID=".." IdentityID=".." IssuedBy-CountryID="..">
                 <IDRegistrationNo/><IssuingAuthority/></IDRegDocument>
      <DistinctParties><DistinctParty FixedRef="9639"><Profile PartySubTypeID="..">
                 <Identity><Alias AliasTypeID=".." Primary=".." LowQuality="..">
                   <DocumentedName DocNameStatusID=".."><DocumentedNamePart>
                     <NamePartValue NamePartGroupID=".." ScriptID="..">HANIYA</NamePartValue>..
                   <NamePartGroups><MasterNamePartGroup><NamePartGroup ID=".." NamePartTypeID=".."/>
                 <Feature FeatureTypeID=".."><FeatureVersion><DatePeriod/> | <VersionDetail/> |
                   <VersionLocation LocationID=".."/></FeatureVersion></Feature>
      <ProfileRelationships><ProfileRelationship From-ProfileID To-ProfileID RelationTypeID/>
      <SanctionsEntries><SanctionsEntry ProfileID=".." ListID="..">
                 <EntryEvent LegalBasisID=".."><Date/></EntryEvent>
                 <SanctionsMeasure SanctionsTypeID=".."><Comment>DPRK3</Comment></SanctionsMeasure>
    </Sanctions>

Everything is a reference into the tables, so the file is read in its own
order: tables, locations and documents are kept (they are small), each party
becomes an :class:`~dprkwatch.lists.importers.ofac.xml_record.OfacParty`, and
the sanctions entries at the end add each party's lists, dates and
programmes (a ``SanctionsMeasure`` of type "Program" carries the programme
code in its comment). Then the parties are built, with the same mapping as
the enhanced XML. A file whose entries are on OFAC's Consolidated List is the
consolidated (non-SDN) list ``ofac_cons``; otherwise it is the SDN list
``ofac``. The publication date is ``DateOfIssue``.
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
from dprkwatch.lists.importers.values import date_from_parts
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, local_name, sniff_root

NAMESPACES = frozenset(
    {
        "http://www.un.org/sanctions/1.0",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML",
    }
)
_RECORDS = (
    "DateOfIssue",
    "ReferenceValueSets",
    "Location",
    "IDRegDocument",
    "DistinctParty",
    "ProfileRelationship",
    "SanctionsEntry",
)
_PROFILE_CHILDREN = frozenset({"Identity", "Feature", "Comment"})


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local_name(c.tag) == name]


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    for c in element:
        if local_name(c.tag) == name:
            return c
    return None


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = " ".join(element.text.split())
    return value or None


def _ymd(element: etree._Element | None) -> str | None:
    """``<X><Year/><Month/><Day/></X>`` as an ISO date (prefix)."""
    if element is None:
        return None
    return date_from_parts(
        _text(_child(element, "Year")),
        _text(_child(element, "Month")),
        _text(_child(element, "Day")),
    )


class _Tables:
    """The reference-value tables: ``get("FeatureType", "8")`` -> ``Birthdate``."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, str]] = {}
        self.attributes: dict[str, dict[str, dict[str, str]]] = {}

    def load(self, element: etree._Element) -> None:
        for table in element:
            for item in table:
                kind = local_name(item.tag)
                if not kind or item.get("ID") is None:
                    continue
                ident = str(item.get("ID"))
                self.values.setdefault(kind, {})[ident] = _text(item) or ""
                self.attributes.setdefault(kind, {})[ident] = {
                    str(k): str(v) for k, v in item.attrib.items()
                }

    def get(self, kind: str, ident: str | None) -> str | None:
        if ident is None:
            return None
        return self.values.get(kind, {}).get(ident)

    def attribute(self, kind: str, ident: str | None, name: str) -> str | None:
        if ident is None:
            return None
        return self.attributes.get(kind, {}).get(ident, {}).get(name)


@register
class OfacAdvancedXmlImporter:
    format: ClassVar[str] = "ofac-advanced-xml"
    list_name: ClassVar[str] = "ofac"
    source: ClassVar[str | None] = "ofac-sdn"
    description: ClassVar[str] = (
        "OFAC advanced XML (sdn_advanced or cons_advanced; the list is read from the file)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if sniff_root(head) != "Sanctions":
            return 0.0
        if b"un.org/sanctions/1.0" in head or b"ADVANCED_XML" in head:
            return 0.95
        return 0.5

    def load(self, path: Path) -> ListVersion:
        reader = SafeXmlReader(path)
        tables = _Tables()
        locations: dict[str, tuple[str | None, str | None]] = {}
        documents: dict[str, list[Document]] = {}
        parties: dict[str, OfacParty] = {}
        published: str | None = None
        lists_seen: Counter[str] = Counter()
        unhandled: Counter[str] = Counter()
        namespace_checked = False
        for element in reader.records(_RECORDS, root=("Sanctions",)):
            if not namespace_checked:
                if reader.root_namespace not in NAMESPACES:
                    raise SourceError(
                        f"unknown OFAC advanced XML namespace {reader.root_namespace!r}",
                        source=str(path),
                        where="line 1",
                    )
                namespace_checked = True
            kind = local_name(element.tag)
            if kind == "DateOfIssue":
                published = _ymd(element)
            elif kind == "ReferenceValueSets":
                tables.load(element)
            elif kind == "Location":
                locations[str(element.get("ID"))] = self._location(tables, element)
            elif kind == "IDRegDocument":
                self._document(tables, locations, element, documents)
            elif kind == "DistinctParty":
                party = self._party(path, tables, locations, documents, element, unhandled)
                parties[party.party_id] = party
            elif kind == "ProfileRelationship":
                source = parties.get(str(element.get("From-ProfileID")))
                if source is not None:
                    relation = tables.get("RelationType", element.get("RelationTypeID"))
                    source.relations.append(
                        (relation or "related", str(element.get("To-ProfileID")))
                    )
            elif kind == "SanctionsEntry":
                self._entry(tables, element, parties, lists_seen)
        consolidated = lists_seen.get("Consolidated List", 0) > 0
        builder = EntityBuilder("ofac_cons" if consolidated else "ofac", self.format, [path])
        builder.version.source = "ofac-cons" if consolidated else "ofac-sdn"
        mapper = PartyMapper(builder)
        for party in parties.values():
            mapper.add(party)
        mapper.finish()
        for name, n in sorted(unhandled.items()):
            builder.warn(f"element <{name}> not handled ({n} profiles)")
        return builder.finish(
            date.fromisoformat(published) if published and len(published) == 10 else None
        )

    def _location(self, tables: _Tables, element: etree._Element) -> tuple[str | None, str | None]:
        parts: list[str] = []
        for part in _children(element, "LocationPart"):
            for value in _children(part, "LocationPartValue"):
                text = _text(_child(value, "Value"))
                if text:
                    parts.append(text)
        country_element = _child(element, "LocationCountry")
        country = (
            tables.get("Country", country_element.get("CountryID"))
            if country_element is not None
            else None
        )
        if country is None:
            area = _child(element, "LocationAreaCode")
            if area is not None:
                country = tables.attribute("AreaCode", area.get("AreaCodeID"), "Description")
        return (", ".join(parts) or None, country)

    def _document(
        self,
        tables: _Tables,
        locations: dict[str, tuple[str | None, str | None]],
        element: etree._Element,
        documents: dict[str, list[Document]],
    ) -> None:
        number = _text(_child(element, "IDRegistrationNo"))
        if not number:
            return
        label = tables.get("IDRegDocType", element.get("IDRegDocTypeID")) or "Identification"
        country = tables.get("Country", element.get("IssuedBy-CountryID"))
        details = [
            d
            for d in (_text(_child(element, "IssuingAuthority")), _text(_child(element, "Comment")))
            if d
        ]
        issued_in = element.get("IssuedIn-LocationID")
        place = locations.get(issued_in, (None, None))[0] if issued_in else None
        if place and place != country:
            details.append(place)
        for when in _children(element, "DocumentDate"):
            day = _ymd(_child(_child(_child(when, "DatePeriod"), "Start"), "From"))
            kind = tables.get("IDRegDocDateType", when.get("IDRegDocDateTypeID"))
            if day and kind:
                details.append(f"{kind} {day}")
        validity = tables.get("Validity", element.get("ValidityID"))
        if validity and validity.lower() not in ("valid", "unknown"):
            details.append(validity)
        documents.setdefault(str(element.get("IdentityID")), []).append(
            Document(label, number, country, details)
        )

    def _party(
        self,
        path: Path,
        tables: _Tables,
        locations: dict[str, tuple[str | None, str | None]],
        documents: dict[str, list[Document]],
        element: etree._Element,
        unhandled: Counter[str],
    ) -> OfacParty:
        where = f"line {element.sourceline}"
        profile = _child(element, "Profile")
        party_id = element.get("FixedRef") or (profile.get("ID") if profile is not None else None)
        if profile is None or not party_id:
            raise SourceError("DistinctParty without a profile id", source=str(path), where=where)
        subtype = profile.get("PartySubTypeID")
        sub_name = tables.get("PartySubType", subtype) or ""
        party_type = sub_name
        if sub_name.lower() in ("", "unknown"):
            party_type = (
                tables.get("PartyType", tables.attribute("PartySubType", subtype, "PartyTypeID"))
                or ""
            )
        party = OfacParty(party_id=str(party_id), party_type=party_type, where=where)
        comment = _text(_child(element, "Comment"))
        if comment:
            party.remarks.append(comment)
        for child in profile:
            name = local_name(child.tag)
            if name and name not in _PROFILE_CHILDREN:
                unhandled[name] += 1
        for identity in _children(profile, "Identity"):
            self._names(tables, identity, party)
            party.documents.extend(documents.get(str(identity.get("ID")), []))
        for feature in _children(profile, "Feature"):
            self._feature(tables, locations, feature, party)
        return party

    def _names(self, tables: _Tables, identity: etree._Element, party: OfacParty) -> None:
        groups: dict[str, str] = {}
        group_list = _child(identity, "NamePartGroups")
        masters = _children(group_list, "MasterNamePartGroup") if group_list is not None else []
        for master in masters:
            for group in _children(master, "NamePartGroup"):
                groups[str(group.get("ID"))] = (
                    tables.get("NamePartType", group.get("NamePartTypeID")) or ""
                )
        for alias in _children(identity, "Alias"):
            primary = alias.get("Primary") == "true"
            alias_type = (tables.get("AliasType", alias.get("AliasTypeID")) or "").lower()
            kind = "primary" if primary else ALIAS_KINDS.get(alias_type, "alias")
            if kind == "primary" and not primary:
                kind = "alias"
            if alias.get("LowQuality") == "true" and kind == "alias":
                kind = "weak"
            for documented in _children(alias, "DocumentedName"):
                parts: list[tuple[str, str]] = []
                script: str | None = None
                for part in _children(documented, "DocumentedNamePart"):
                    for value in _children(part, "NamePartValue"):
                        text = _text(value)
                        if text:
                            parts.append((groups.get(str(value.get("NamePartGroupID")), ""), text))
                            script = script or tables.get("Script", value.get("ScriptID"))
                full = full_name(parts)
                if not full:
                    continue
                status = tables.get("DocNameStatus", documented.get("DocNameStatusID")) or ""
                this_kind = kind
                if kind == "primary" and status and status.lower() != "primary latin":
                    this_kind = "alias"
                party.names.append((full, this_kind, script))

    def _feature(
        self,
        tables: _Tables,
        locations: dict[str, tuple[str | None, str | None]],
        feature: etree._Element,
        party: OfacParty,
    ) -> None:
        label = tables.get("FeatureType", feature.get("FeatureTypeID")) or "Feature"
        for version in _children(feature, "FeatureVersion"):
            text: str | None = None
            period: Period | None = None
            detail = _child(version, "VersionDetail")
            if detail is not None:
                text = _text(detail) or tables.get(
                    "DetailReference", detail.get("DetailReferenceID")
                )
            dates = _child(version, "DatePeriod")
            if dates is not None:
                start, end = _child(dates, "Start"), _child(dates, "End")
                first = _ymd(_child(start, "From"))
                last = _ymd(_child(end, "To")) or _ymd(_child(end, "From"))
                approximate = start is not None and start.get("Approximate") == "true"
                period = Period(
                    first, last, approximate=approximate, is_range=_spans_years(first, last)
                )
            located = _child(version, "VersionLocation")
            if located is not None:
                address, country = locations.get(str(located.get("LocationID")), (None, None))
                if label.lower() == "location":
                    party.addresses.append((address, country))
                    continue
                text = text or ", ".join(p for p in (address, country) if p) or None
            comment = _text(_child(version, "Comment"))
            if comment:
                party.remarks.append(f"{label}: {comment}")
            party.features.append(Feature(label, text, period))

    def _entry(
        self,
        tables: _Tables,
        element: etree._Element,
        parties: dict[str, OfacParty],
        lists_seen: Counter[str],
    ) -> None:
        party = parties.get(str(element.get("ProfileID")))
        list_name = tables.get("List", element.get("ListID")) or "unknown list"
        lists_seen[list_name] += 1
        if party is None:
            return
        for event in _children(element, "EntryEvent"):
            party.lists.append((list_name, _ymd(_child(event, "Date"))))
            legal = tables.get("LegalBasis", event.get("LegalBasisID"))
            if legal and legal.lower() != "unknown" and legal not in party.legal:
                party.legal.append(legal)
        for measure in _children(element, "SanctionsMeasure"):
            kind = tables.get("SanctionsType", measure.get("SanctionsTypeID")) or ""
            comment = _text(_child(measure, "Comment"))
            if kind.lower() == "program":
                if comment and comment not in party.programs:
                    party.programs.append(comment)
            elif kind and kind not in party.measures:
                party.measures.append(kind)


def _spans_years(first: str | None, last: str | None) -> bool:
    return bool(first and last and first[:4] != last[:4] and first[4:] in ("", "-01-01"))
