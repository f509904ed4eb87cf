"""OFAC legacy records as FollowTheMoney entities.

One subject per ``ent_num`` (id ``ofac-<ent_num>``), its ``Sanction``, a
``CryptoWallet`` per digital-currency address and an ``UnknownLink`` (role
"Linked To") where the linked name is the primary name of exactly one other
record of the same file. Everything a screener matches on becomes an FtM
property; the whole Remarks text is also kept in ``notes`` so nothing the
grammar does not understand is lost.

Data-quality notes are counted while reading and reported once per kind by
:meth:`Tally.warnings`, not once per row.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from followthemoney import ValueEntity, registry

from dprkwatch.lists.importers.ofac.ids import imo_check_ok
from dprkwatch.lists.importers.ofac.legacy_rows import Row
from dprkwatch.lists.importers.ofac.remarks import REMARKS_LIMIT, Remarks, parse_remarks
from dprkwatch.lists.model import EntityBuilder, entity_id, make_entity
from dprkwatch.lists.programs import PROGRAM_LABELS

AUTHORITY = "US Department of the Treasury, Office of Foreign Assets Control"
SOURCE_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"

SCHEMA_BY_TYPE = {
    "individual": "Person",
    "vessel": "Vessel",
    "aircraft": "Airplane",
    "entity": "Organization",
}
ALT_KINDS = {"aka": "alias", "fka": "former", "nka": "alias"}
COUNTRY_PROPS = frozenset(
    {"nationality", "citizenship", "flag", "pastFlags", "country", "birthCountry", "jurisdiction"}
)
# Properties whose values the Remarks grammar already emits in FtM's clean form.
CLEAN_PROPS = frozenset({"birthDate", "buildDate", "incorporationDate", "gender", "imoNumber"})
# OFAC's way of saying "no value" in a country field.
NO_COUNTRY = frozenset({"none identified", "unknown"})
_TAG_SPLIT = re.compile(r"\]\s*\[")


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """FtM's code for a country as OFAC writes it (``Korea, North`` -> ``kp``), or None."""
    cleaned: str | None = registry.country.clean(text)
    return cleaned


def birth_country(place: str) -> str | None:
    """The country at the end of a place of birth (``Pyongyang, Korea, North`` -> ``kp``)."""
    parts = [p.strip() for p in place.split(",") if p.strip()]
    for tail in (parts[-2:], parts[-1:]):
        if tail:
            code = country_code(", ".join(tail))
            if code is not None:
                return code
    return None


def program_tags(value: str | None) -> list[str]:
    """``NPWMD] [DPRK2`` -> ``["NPWMD", "DPRK2"]``, as the publisher writes them."""
    if not value:
        return []
    return [t.strip(" []") for t in _TAG_SPLIT.split(value) if t.strip(" []")]


@dataclass
class Tally:
    """Counts of data-quality events, turned into one warning line per kind."""

    unparsed: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    bad_country: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    truncated: list[str] = field(default_factory=list)
    unknown_types: Counter[str] = field(default_factory=Counter)
    unresolved_links: int = 0
    resolved_links: int = 0

    def warnings(self) -> list[str]:
        out: list[str] = []
        if self.unparsed:
            top = ", ".join(f"{k!r} x{n}" for k, n in self.unparsed.most_common(8))
            out.append(
                f"remarks: {sum(self.unparsed.values())} items of {len(self.unparsed)} kinds "
                f"not parsed into properties (kept in notes); most common: {top}"
            )
        for problem, n in sorted(self.problems.items()):
            out.append(f"remarks: {problem}: {n}")
        for prop, values in sorted(self.bad_country.items()):
            top = ", ".join(f"{k!r} x{n}" for k, n in values.most_common(5))
            out.append(
                f"{prop}: {sum(values.values())} values are not a recognised country "
                f"(kept in notes): {top}"
            )
        if self.truncated:
            ids = ", ".join(self.truncated[:10])
            out.append(
                f"remarks: {len(self.truncated)} Remarks cut at {REMARKS_LIMIT} characters with no "
                f"comments-file overflow; their last item is in notes only (ent_num {ids})"
            )
        for value, n in sorted(self.unknown_types.items()):
            out.append(f"SDN_Type {value!r} is not known; {n} records read as LegalEntity")
        if self.unresolved_links:
            out.append(
                f"remarks: {self.unresolved_links} 'Linked To' names match no single record "
                f"(kept in notes); {self.resolved_links} were linked"
            )
        return out


class RecordMapper:
    """Maps the rows of one OFAC file set onto an :class:`EntityBuilder`."""

    def __init__(self, builder: EntityBuilder) -> None:
        self.b = builder
        self.tally = Tally()
        self._links: list[tuple[ValueEntity, str]] = []
        self._names: set[tuple[str, str]] = set()
        # Primary names (upper case) -> subject ids, for resolving "Linked To".
        self._by_name: dict[str, list[str]] = defaultdict(list)

    # -- one record ----------------------------------------------------------

    def record(
        self,
        ent: str,
        row: Row,
        *,
        overflow: str | None,
        addresses: list[Row],
        aliases: list[Row],
    ) -> ValueEntity:
        """Build the subject, its sanction and wallets for one main-file row."""
        sdn_type = (row[2] or "entity").lower()
        schema = SCHEMA_BY_TYPE.get(sdn_type)
        if schema is None:
            self.tally.unknown_types[sdn_type] += 1
            schema = "LegalEntity"
        b = self.b
        e = b.subject(ent, schema, where=f"line {row.line}")
        self._names.clear()
        name = row[1]
        self._name(e, name, "primary")
        if name:
            self._by_name[" ".join(name.split()).upper()].append(entity_id(e))
        if schema == "Person" and name and "," in name:
            last, _, first = name.partition(",")
            b.add(e, "lastName", last.strip())
            b.add(e, "firstName", first.strip())
        tags = program_tags(row[3])
        for tag in tags:
            b.program(e, tag, PROGRAM_LABELS.get(tag))
        if row[4]:
            # OFAC's Title is mostly a role ("Member of the State Duma ...").
            if schema == "Person":
                b.add(e, "position", row[4])
            else:
                b.add(e, "notes", f"Title: {row[4]}")
        self._vessel_fields(e, row)
        remarks = self._remarks(e, ent, row[11], overflow)
        for alt in aliases:
            self._alias(e, alt)
        for add in addresses:
            self._address(e, add)
        sanction = b.sanction(e, authority=AUTHORITY, programs=tags, provisions=remarks.provisions)
        # The URL is ours and well-formed: adding it pre-cleaned saves FtM's URL
        # parser 15,000 calls (about a second for the SDN list).
        sanction.add("sourceUrl", SOURCE_URL.format(ent_num=ent), cleaned=True)
        for chain, address in remarks.wallets:
            b.wallet(e, address, chain)
        return e

    def _vessel_fields(self, e: ValueEntity, row: Row) -> None:
        b = self.b
        b.add(e, "callSign", row[5])
        b.add(e, "type", row[6])
        if row[7]:
            b.add(e, "tonnage", row[7].replace(",", ""))
        if row[8]:
            b.add(e, "grossRegisteredTonnage", row[8].replace(",", ""))
        if row[9]:
            self._country(e, "flag", row[9])
        if row[10]:
            b.add(e, "notes", f"Owner: {row[10]}")

    def _remarks(self, e: ValueEntity, ent: str, text: str | None, overflow: str | None) -> Remarks:
        full = (text or "") + (overflow or "")
        truncated = overflow is None and len(text or "") >= REMARKS_LIMIT
        remarks = parse_remarks(full or None, truncated=truncated)
        if not full:
            return remarks
        b = self.b
        b.add(e, "notes", full.strip())
        if remarks.truncated_item is not None:
            self.tally.truncated.append(ent)
        self.tally.unparsed.update(remarks.unparsed)
        self.tally.problems.update(remarks.problems)
        for prop, value in remarks.props:
            if prop in COUNTRY_PROPS:
                self._country(e, prop, value)
                continue
            if prop in CLEAN_PROPS:
                if prop == "imoNumber" and e.schema.name == "Vessel" and not imo_check_ok(value):
                    self.tally.problems["vessel IMO number fails its check digit"] += 1
                self._put(e, prop, value)
                continue
            b.add(e, prop, value)
            if prop == "birthPlace" and e.schema.get("birthCountry") is not None:
                code = birth_country(value)
                if code is not None:
                    self._put(e, "birthCountry", code)
        for kind, alias in remarks.names:
            self._name(e, alias, kind, quality="low")
        for link in remarks.links:
            self._links.append((e, link))
        return remarks

    def _name(
        self, e: ValueEntity, value: str | None, kind: str, quality: str | None = None
    ) -> None:
        """A name of the current record, once per kind however often OFAC repeats it."""
        if value is None or (value, kind) in self._names:
            return
        self._names.add((value, kind))
        self.b.name(e, value, kind, quality=quality)

    def _country(self, e: ValueEntity, prop: str, value: str) -> None:
        if value.lower() in NO_COUNTRY:
            return
        code = country_code(value)
        if code is None:
            self.tally.bad_country[prop][value] += 1
            return
        self._put(e, prop, code)

    def _put(self, e: ValueEntity, prop: str, value: str) -> None:
        """Add a value already in FtM's clean form (a country code, an ISO date).

        Skipping FtM's cleaning here is what keeps a 15,000-record import fast;
        free text still goes through :meth:`EntityBuilder.add`.
        """
        if e.schema.get(prop) is None:
            self.b.add(e, prop, value)
        else:
            e.add(prop, value, cleaned=True, quiet=True)

    def _alias(self, e: ValueEntity, alt: Row) -> None:
        alt_type = (alt[2] or "aka").lower()
        kind = ALT_KINDS.get(alt_type)
        if kind is None:
            self.tally.problems[f"alt_type {alt_type!r} unknown, read as aka"] += 1
            kind = "alias"
        self._name(e, alt[3], kind)
        if alt[4]:
            self.b.add(e, "notes", f"{alt[3]}: {alt[4]}")

    def _address(self, e: ValueEntity, add: Row) -> None:
        parts = [p for p in (add[2], add[3], add[4]) if p]
        if parts:
            self.b.add(e, "address", ", ".join(parts))
        if add[4]:
            self._country(e, "country", add[4])
        if add[5]:
            self.b.add(e, "notes", f"Address remark: {add[5]}")

    # -- after all records -----------------------------------------------------

    def resolve_links(self) -> None:
        """Turn "Linked To: NAME" into UnknownLink entities where NAME is unambiguous."""
        numbers: Counter[str] = Counter()
        for subject, text in self._links:
            target = _unique_target(self._by_name, text)
            sid = entity_id(subject)
            if target is None or target == sid:
                self.tally.unresolved_links += 1
                continue
            numbers[sid] += 1
            link = make_entity("UnknownLink", f"{sid}-link-{numbers[sid]}", self.b.list_name)
            link.add("subject", sid)
            link.add("object", target)
            link.add("role", "Linked To")
            self.b.version.entities[entity_id(link)] = link
            self.tally.resolved_links += 1


def _unique_target(by_name: dict[str, list[str]], text: str) -> str | None:
    key = " ".join(text.split()).upper()
    for candidate in (key, key.rstrip("."), key + "."):
        ids = by_name.get(candidate)
        if ids:
            return ids[0] if len(ids) == 1 else None
    return None
