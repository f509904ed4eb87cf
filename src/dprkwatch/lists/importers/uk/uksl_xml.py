"""The UK Sanctions List (FCDO), XML: the UK's only official list since 28 January 2026.

Layout (no namespace; written from the FCDO's format guide and the shape of
the 2026 files, of which this repository holds none)::

    <Designations>
      <DateGenerated>07/09/2026</DateGenerated>
      <Designation>
        <LastUpdated>dd/mm/yyyy</LastUpdated> <DateDesignated>dd/mm/yyyy</DateDesignated>
        <UniqueID>DPR0001</UniqueID> <OFSIGroupID>..</OFSIGroupID>
        <UNReferenceNumber>KPi.033</UNReferenceNumber>
        <Names><Name><Name1>..</Name1>..<Name6>..</Name6>
               <NameType>Primary Name | Primary Name Variation | Alias</NameType>
               <AliasStrength>Good quality a.k.a | Low quality a.k.a</AliasStrength></Name></Names>
        <NonLatinNames><NonLatinName><NameNonLatinScript/><NonLatinScriptType/>
                       <NonLatinScriptLanguage/></NonLatinName></NonLatinNames>
        <Titles><Title/></Titles> <RegimeName/> <IndividualEntityShip>Individual|Entity|Ship
        <DesignationSource>UN|UK</DesignationSource> <SanctionsImposed>Asset freeze|Travel Ban
        <SanctionsImposedIndicators><AssetFreeze>true</AssetFreeze>..</SanctionsImposedIndicators>
        <OtherInformation/> <UKStatementofReasons/>
        <Addresses><Address><AddressLine1..6/><AddressPostalCode/><AddressCountry/></Address>
        <PhoneNumbers/> <EmailAddresses/> <Websites/>
        <IndividualDetails><Individual><DOBs><DOB>dd/mm/1963</DOB></DOBs>
           <PassportDetails><Passport><PassportNumber/><PassportAdditionalInformation/>
           <NationalIdentifierDetails><NationalIdentifier>..</NationalIdentifier>
           <Nationalities/> <Positions/> <Genders/>
           <BirthDetails><Location><TownOfBirth/><CountryOfBirth/></Location></BirthDetails>
        <EntityDetails><Entity><TypeOfEntities/><ParentCompanies/><Subsidiaries/>
           <BusinessRegistrationNumbers/></Entity></EntityDetails>
        <ShipDetails><Ship><IMONumbers/><CurrentOwnerOperators/><PreviousOwnerOperators/>
           <CurrentBelievedFlagOfShips/><PreviousFlags/><TypeOfShipDetails/>
           <TonnageOfShipDetails/><LengthOfShipDetails/><YearsBuilt/>
           <HullIdentificationNumbers/></Ship></ShipDetails>
      </Designation>
    </Designations>

Each ``Designation`` becomes a :class:`~dprkwatch.lists.importers.uk.record.UkRecord`
and is built like the CSV rows, so every UK format maps fields the same way.
Ids are ``uk-<UniqueID>``; the publisher guarantees them unique, so a repeat
is an error. The publication date is ``DateGenerated``.

**Schema version.** The published files carry no version marker; the importer
is written against the un-namespaced ``<Designations>`` layout above. A file
whose root declares a namespace, a ``version``/``schemaVersion`` attribute or
an ``xsi:schemaLocation`` is a schema it has not been written against and is
refused with a one-line error, as is OFSI's retired ``ConList.xml``
(``<ArrayOfFinancialSanctionsTarget>``). Elements the importer does not know
are reported as warnings, never guessed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import ClassVar

from lxml import etree

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.record import UkRecord, build
from dprkwatch.lists.importers.values import iso_date
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, local_name, sniff_root, text_of

ROOT = "Designations"
OFSI_XML_ROOT = "ArrayOfFinancialSanctionsTarget"
_VERSION_ATTRIBUTES = ("version", "Version", "schemaVersion", "SchemaVersion", "schemaLocation")

# Simple children of <Designation>: element -> UkRecord field.
_FIELDS = {
    "LastUpdated": "last_updated",
    "DateDesignated": "date_designated",
    "UniqueID": "unique_id",
    "OFSIGroupID": "group_id",
    "UNReferenceNumber": "un_reference_number",
    "RegimeName": "regime",
    "IndividualEntityShip": "entity_type",
    "DesignationSource": "designation_source",
    "SanctionsImposed": "sanctions_imposed",
    "OtherInformation": "other_information",
    "UKStatementofReasons": "statement_of_reasons",
}
# Repeated values: (container path below <Designation>, item) -> UkRecord field.
_LISTS = {
    "Titles/Title": "title",
    "PhoneNumbers/PhoneNumber": "phone",
    "EmailAddresses/EmailAddress": "email",
    "Websites/Website": "website",
    "IndividualDetails/Individual/DOBs/DOB": "dob",
    "IndividualDetails/Individual/PassportDetails/Passport/PassportNumber": "passport_number",
    "IndividualDetails/Individual/PassportDetails/Passport/PassportAdditionalInformation": (
        "passport_details"
    ),
    "IndividualDetails/Individual/NationalIdentifierDetails/NationalIdentifier/NationalIdentifierNumber": (
        "national_id_number"
    ),
    (
        "IndividualDetails/Individual/NationalIdentifierDetails/NationalIdentifier/"
        "NationalIdentifierAdditionalInformation"
    ): "national_id_details",
    "IndividualDetails/Individual/Nationalities/Nationality": "nationality",
    "IndividualDetails/Individual/Positions/Position": "position",
    "IndividualDetails/Individual/Genders/Gender": "gender",
    "IndividualDetails/Individual/BirthDetails/Location/TownOfBirth": "town_of_birth",
    "IndividualDetails/Individual/BirthDetails/Location/CountryOfBirth": "country_of_birth",
    "EntityDetails/Entity/TypeOfEntities/TypeOfEntity": "type_of_entity",
    "EntityDetails/Entity/ParentCompanies/ParentCompany": "parent_company",
    "EntityDetails/Entity/Subsidiaries/Subsidiary": "subsidiaries",
    "EntityDetails/Entity/BusinessRegistrationNumbers/BusinessRegistrationNumber": (
        "business_registration_number"
    ),
    "ShipDetails/Ship/IMONumbers/IMONumber": "imo_number",
    "ShipDetails/Ship/CurrentOwnerOperators/CurrentOwnerOperator": "current_owner",
    "ShipDetails/Ship/PreviousOwnerOperators/PreviousOwnerOperator": "previous_owner",
    "ShipDetails/Ship/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip": "flag",
    "ShipDetails/Ship/PreviousFlags/PreviousFlag": "previous_flags",
    "ShipDetails/Ship/TypeOfShipDetails/TypeOfShip": "type_of_ship",
    "ShipDetails/Ship/TonnageOfShipDetails/TonnageOfShip": "tonnage",
    "ShipDetails/Ship/LengthOfShipDetails/LengthOfShip": "length",
    "ShipDetails/Ship/YearsBuilt/YearBuilt": "year_built",
    "ShipDetails/Ship/HullIdentificationNumbers/HullIdentificationNumber": "hin",
}


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# Every element path the importer reads (or passes over on purpose: the
# SanctionsImposedIndicators repeat SanctionsImposed as booleans), for the
# "not handled" warnings.
_KNOWN = frozenset(
    {
        *_FIELDS,
        *(p for path in _LISTS for p in _prefixes(path)),
        "Names",
        "Names/Name",
        *(f"Names/Name/{c}" for c in ("Name1", "Name2", "Name3", "Name4", "Name5", "Name6")),
        "Names/Name/NameType",
        "Names/Name/AliasStrength",
        "NonLatinNames",
        "NonLatinNames/NonLatinName",
        "NonLatinNames/NonLatinName/NameNonLatinScript",
        "NonLatinNames/NonLatinName/NonLatinScriptType",
        "NonLatinNames/NonLatinName/NonLatinScriptLanguage",
        "Addresses",
        "Addresses/Address",
        *(f"Addresses/Address/AddressLine{i}" for i in range(1, 7)),
        "Addresses/Address/AddressPostalCode",
        "Addresses/Address/AddressCountry",
        "SanctionsImposedIndicators",
        "IndividualDetails/Individual/BirthDetails/Location",
    }
)


def _walk(element: etree._Element, prefix: str = "") -> list[tuple[str, etree._Element]]:
    """(path, element) for every element below ``element``, in document order."""
    out: list[tuple[str, etree._Element]] = []
    for child in element:
        name = local_name(child.tag)
        if not name:
            continue
        path = f"{prefix}/{name}" if prefix else name
        out.append((path, child))
        out.extend(_walk(child, path))
    return out


@register
class UkslXmlImporter:
    format: ClassVar[str] = "uksl-xml"
    list_name: ClassVar[str] = "uk"
    source: ClassVar[str | None] = "uksl"
    description: ClassVar[str] = "UK Sanctions List (FCDO), XML"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if sniff_root(head) != ROOT:
            return 0.0
        return 0.95 if b"<Designation>" in head or b"DateGenerated" in head else 0.6

    def load(self, path: Path) -> ListVersion:
        self._refuse_retired_ofsi(path)
        reader = SafeXmlReader(path)
        b = EntityBuilder(self.list_name, self.format, [path])
        unhandled: Counter[str] = Counter()
        generated: str | None = None
        schema_checked = False
        for element in reader.records(("Designation", "DateGenerated"), root=(ROOT,)):
            if not schema_checked:
                self._check_schema(path, reader)
                schema_checked = True
            if local_name(element.tag) == "DateGenerated":
                generated = iso_date(text_of(element))
                continue
            build(b, self._record(path, element, unhandled))
        for name, n in sorted(unhandled.items()):
            b.warn(f"element <{name}> not handled ({n} records)")
        return b.finish(
            date.fromisoformat(generated) if generated and len(generated) == 10 else None
        )

    def _refuse_retired_ofsi(self, path: Path) -> None:
        try:
            with path.open("rb") as fh:
                head = fh.read(64 * 1024)
        except OSError:
            return  # the reader reports it
        if sniff_root(head) == OFSI_XML_ROOT:
            raise SourceError(
                f"this is the retired OFSI Consolidated List XML (<{OFSI_XML_ROOT}>), "
                "not the UK Sanctions List",
                source=str(path),
                where="line 1",
            )

    def _check_schema(self, path: Path, reader: SafeXmlReader) -> None:
        declared = [
            f"{k}={reader.root_attrib[k]!r}" for k in _VERSION_ATTRIBUTES if k in reader.root_attrib
        ]
        if reader.root_namespace:
            declared.insert(0, f"namespace {reader.root_namespace!r}")
        if declared:
            raise SourceError(
                "unknown UK Sanctions List schema: <Designations> declares "
                + ", ".join(declared)
                + "; this importer reads the un-namespaced, unversioned layout of 2025-2026",
                source=str(path),
                where="line 1",
            )

    def _record(self, path: Path, element: etree._Element, unhandled: Counter[str]) -> UkRecord:
        where = f"line {element.sourceline}"
        unique_id = text_of(element.find("UniqueID"))
        if unique_id is None:
            raise SourceError("designation without UniqueID", source=str(path), where=where)
        rec = UkRecord(record_id=unique_id, where=where)
        seen: set[str] = set()
        for sub_path, child in _walk(element):
            if sub_path not in _KNOWN and not sub_path.startswith("SanctionsImposedIndicators/"):
                if sub_path not in seen:
                    unhandled[sub_path] += 1
                    seen.add(sub_path)
                continue
            target = _FIELDS.get(sub_path) or _LISTS.get(sub_path)
            if target is not None:
                rec.add(target, text_of(child))
        for name in element.iterfind("Names/Name"):
            parts = [text_of(name.find(f"Name{i}")) for i in (1, 2, 3, 4, 5, 6)]
            rec.add_name(parts, text_of(name.find("NameType")), text_of(name.find("AliasStrength")))
        for name in element.iterfind("NonLatinNames/NonLatinName"):
            rec.add_non_latin(
                text_of(name.find("NameNonLatinScript")),
                text_of(name.find("NonLatinScriptLanguage")),
            )
        for address in element.iterfind("Addresses/Address"):
            lines = [text_of(address.find(f"AddressLine{i}")) for i in range(1, 7)]
            lines.append(text_of(address.find("AddressPostalCode")))
            rec.add_address(lines, text_of(address.find("AddressCountry")))
        return rec
