"""EU Financial Sanctions Files, the official XML (``export`` root, FSF schema 1.1).

Layout (namespace ``http://eu.europa.ec/fpi/fsd/export``)::

    <export generationDate="2026-05-01T...">
      <sanctionEntity logicalId="13" euReferenceNumber="EU.27.28" unitedNationId=""
                      designationDate="" designationDetails="">
        <remark>...</remark>
        <regulation programme="PRK" publicationDate="..." entryIntoForceDate="..."
                    numberTitle="..." regulationType="..." organisationType="...">
          <publicationUrl>...</publicationUrl></regulation>
        <subjectType code="person|enterprise" classificationCode="P|E"/>
        <nameAlias wholeName="..." firstName="..." lastName="..." nameLanguage="KO"
                   function="..." gender="M" title="..." strong="true|false">
          <regulationSummary publicationDate="..." .../></nameAlias>
        <citizenship countryIso2Code="KP" countryDescription="..."/>
        <birthdate birthdate="1960-01-01" year="1960" monthOfYear="1" dayOfMonth="1"
                   circa="false" calendarType="GREGORIAN" city="..." countryIso2Code="KP"/>
        <identification identificationTypeCode="passport" number="..." .../>
        <address street="..." city="..." zipCode="..." countryIso2Code="..."/>
      </sanctionEntity>
    </export>

Each ``sanctionEntity`` is brought into the snake_case shape of the Ammitto
YAML copy (attributes and child elements renamed, repeated children as
lists, every value a string) and built by
:mod:`~dprkwatch.lists.importers.eu.record`, so both EU formats agree. The
publication date is the root's ``generationDate``, else the newest
regulation publication date.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from dprkwatch.lists.importers.eu.record import EuRecordBuilder
from dprkwatch.lists.importers.values import iso_date
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, local_name, sniff_root

# Repeated child elements -> list field in the common shape.
_LISTS = {
    "regulation": "regulations",
    "nameAlias": "name_aliases",
    "citizenship": "citizenships",
    "birthdate": "birthdates",
    "identification": "identifications",
    "address": "addresses",
    "regulationSummary": "regulation_summaries",
    "contactInfo": "contact_info",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Tag and attribute names seen, with their local and snake_case forms: a file
# repeats a few dozen names hundreds of thousands of times. Bounded, so that
# a file of made-up names cannot grow it without end.
_NAMES: dict[object, tuple[str, str]] = {}
_MAX_NAMES = 4096


def snake(name: str) -> str:
    """``countryIso2Code`` -> ``country_iso2_code``."""
    return _CAMEL.sub("_", name).lower()


def _names_of(raw: object) -> tuple[str, str]:
    """The local name of a tag or attribute and its snake_case form."""
    names = _NAMES.get(raw)
    if names is None:
        local = local_name(raw)
        names = (local, snake(local))
        if len(_NAMES) < _MAX_NAMES:
            _NAMES[raw] = names
    return names


def to_record(element: etree._Element) -> dict[str, Any]:
    """An FSF element as the common snake_case record shape."""
    record: dict[str, Any] = {_names_of(k)[1]: str(v) for k, v in element.attrib.items()}
    for child in element:
        name, key = _names_of(child.tag)
        if not name:
            continue
        if name in _LISTS:
            record.setdefault(_LISTS[name], []).append(to_record(child))
        elif name == "remark":
            text = (child.text or "").strip()
            if text:
                record.setdefault("remark", []).append(text)
        elif child.attrib or len(child):
            record[key] = to_record(child)
        else:
            record[key] = (child.text or "").strip()
    return record


@register
class EuFsfXmlImporter:
    format: ClassVar[str] = "eu-fsf-xml"
    list_name: ClassVar[str] = "eu"
    source: ClassVar[str | None] = "eu"
    description: ClassVar[str] = "EU Financial Sanctions Files, official XML"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if sniff_root(head) != "export":
            return 0.0
        if b"sanctionEntity" in head or b"eu.europa.ec/fpi/fsd" in head:
            return 0.95
        return 0.5

    def load(self, path: Path) -> ListVersion:
        reader = SafeXmlReader(path)
        b = EntityBuilder(self.list_name, self.format, [path])
        records = EuRecordBuilder(b, str(path))
        for element in reader.records(("sanctionEntity",), root=("export",)):
            records.add(to_record(element), f"line {element.sourceline}")
        records.finish_warnings()
        generated = iso_date(reader.root_attrib.get("generationDate"))
        published = generated if generated and len(generated) == 10 else records.newest_publication
        return b.finish(date.fromisoformat(published) if published else None)
