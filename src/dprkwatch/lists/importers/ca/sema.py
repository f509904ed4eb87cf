"""Canada's Consolidated Special Economic Measures Act list (``sema-lmes.xml``).

Layout (bilingual element names, no namespace)::

    <data-set>
      <record>
        <Country-Pays>North Korea / Corée du Nord</Country-Pays>
        <LastName-NomDeFamille/> <GivenName-Prenom/>          (individuals)
        <EntityOrShip-EntiteOuNavire/>                         (entities and ships)
        <TitleOrShipType-TitreOuTypeDeNavire/>                 ("English | français")
        <ShipIMONumber-NumeroOMIDuNavire/>
        <Aliases-Alias>a, b; c</Aliases-Alias>
        <DateOfBirthOrShipBuildDate-DateDeNaissanceOuDateDeConstructionDuNavire/>
        <Schedule-Annexe>1, Part 1</Schedule-Annexe> <Item-NumeroDarticle>12</Item-NumeroDarticle>
        <DateOfListing-DateDinscription>2017-08-05</DateOfListing-DateDinscription>
      </record>
    </data-set>

The list has no record ids. A designation is identified, as in the
regulations, by its regime (the Country-Pays value), schedule and item:
``ca-<regime>-<schedule>-<item>`` (``ca-north-korea-1-part-1-12``). The
regime becomes the programme (``North Korea / Corée du Nord`` counts as
DPRK). A record with given or family names is a Person, one with an IMO
number a Vessel, any other an Organization. Only the English half of a
bilingual ``A | B`` value is kept. Aliases are split on semicolons, else on
commas. The file carries no publication date; the newest listing date
stands in (a lower bound). Elements the importer does not know are reported.
Written from the published layout; no real SEMA file is available here.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.values import clean_text, iso_date, join_parts, put
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.names import detect_script
from dprkwatch.lists.registry import register
from dprkwatch.lists.xmlsafe import SafeXmlReader, local_name, sniff_root

AUTHORITY = "Canada, Global Affairs (Special Economic Measures Act)"
FIELDS = {
    "Country-Pays": "regime",
    "LastName-NomDeFamille": "last",
    "GivenName-Prenom": "given",
    "EntityOrShip-EntiteOuNavire": "entity",
    "TitleOrShipType-TitreOuTypeDeNavire": "title",
    "ShipIMONumber-NumeroOMIDuNavire": "imo",
    "Aliases-Alias": "aliases",
    "DateOfBirthOrShipBuildDate-DateDeNaissanceOuDateDeConstructionDuNavire": "born",
    "Schedule-Annexe": "schedule",
    "Item-NumeroDarticle": "item",
    "DateOfListing-DateDinscription": "listed",
}
_SLUG = re.compile(r"[^a-z0-9]+")


def _english(value: str | None) -> str | None:
    """``Oil Products Tanker | Navire-citerne ...`` -> ``Oil Products Tanker``."""
    text = clean_text(value)
    if text is None:
        return None
    return text.split(" | ", 1)[0].strip() or None


def _slug(value: str) -> str:
    return _SLUG.sub("-", value.lower()).strip("-")


@register
class SemaXmlImporter:
    format: ClassVar[str] = "sema-xml"
    list_name: ClassVar[str] = "ca"
    source: ClassVar[str | None] = "ca-sema"
    description: ClassVar[str] = "Canada Consolidated Special Economic Measures Act list (XML)"
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        if sniff_root(head) != "data-set":
            return 0.0
        return 0.95 if b"Country-Pays" in head or b"Schedule-Annexe" in head else 0.6

    def load(self, path: Path) -> ListVersion:
        reader = SafeXmlReader(path)
        b = EntityBuilder(self.list_name, self.format, [path])
        unhandled: Counter[str] = Counter()
        newest: str | None = None
        for element in reader.records(("record",), root=("data-set",)):
            values: dict[str, str] = {}
            for child in element:
                name = local_name(child.tag)
                if not name:
                    continue
                key = FIELDS.get(name)
                text = " ".join((child.text or "").split())
                if key is None:
                    unhandled[name] += 1
                elif text:
                    values[key] = text
            listed = self._build(path, b, values, f"line {element.sourceline}")
            if listed and len(listed) == 10 and (newest is None or listed > newest):
                newest = listed
        for name, n in sorted(unhandled.items()):
            b.warn(f"element <{name}> not handled ({n} records)")
        return b.finish(date.fromisoformat(newest) if newest else None)

    def _build(self, path: Path, b: EntityBuilder, v: dict[str, str], where: str) -> str | None:
        regime = v.get("regime")
        item = v.get("item")
        if not regime or not item:
            raise SourceError(
                "record without Country-Pays or Item-NumeroDarticle", source=str(path), where=where
            )
        regime_en = regime.split(" / ", 1)[0].strip()
        record_id = "-".join(
            p for p in (_slug(regime_en), _slug(v.get("schedule", "")), _slug(item)) if p
        )
        person = bool(v.get("last") or v.get("given"))
        schema = "Person" if person else "Vessel" if v.get("imo") else "Organization"
        e = b.subject(record_id, schema, where=where)
        name = join_parts([v.get("given"), v.get("last")], sep=" ") if person else v.get("entity")
        b.name(e, name, "primary")
        aliases = v.get("aliases", "")
        for alias in aliases.split(";") if ";" in aliases else aliases.split(","):
            text = clean_text(alias)
            if text:
                lang = "ko" if detect_script(text) == "Hang" else None
                b.name(e, text, "alias", lang=lang)
        b.program(e, regime)
        title = _english(v.get("title"))
        if title:
            put(b, e, "position" if person else "type" if schema == "Vessel" else "notes", title)
        born = v.get("born")
        if born:
            value = iso_date(born) or born
            prop = "birthDate" if person else "buildDate" if schema == "Vessel" else "notes"
            put(b, e, prop, value, what="date of birth or build")
        imo = v.get("imo")
        if imo:
            digits = "".join(ch for ch in imo if ch.isdigit())
            e.add("imoNumber", digits if len(digits) == 7 else imo, cleaned=True, quiet=True)
        listed = iso_date(v.get("listed"))
        sanction = b.sanction(e, authority=AUTHORITY, programs=[regime], listing_date=listed)
        reference = ", ".join(p for p in (v.get("schedule"), f"item {item}") if p)
        sanction.add("authorityId", f"Schedule {reference}", quiet=True)
        return listed
