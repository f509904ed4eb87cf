"""Listings: one compact record per listed subject, read from the list snapshots.

Resolution compares thousands of entries from four or more lists several
ways (references, identifiers, names). It reads each snapshot once and keeps
only what those comparisons and the implementation record need: names, dates,
countries, identifiers normalised for comparison, UN references, "Linked To"
links, programmes, listing date and legal basis, and the remark texts the DPRK
relevance rules read. The FtM entities themselves stay in the snapshots.

A listing's ``fingerprint`` hashes everything resolution looks at, so an
incremental re-run can tell which entries a list update really changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from dprkwatch.lists.programs import PROGRAM_LABELS, is_dprk_program
from dprkwatch.lists.snapshot import Snapshot
from dprkwatch.matching.identifiers import document_number, imo_number, wallet_address

# Entity types resolved into targets, and the comparison group of each.
GROUPS: dict[str, str] = {
    "Person": "person",
    "Organization": "org",
    "Company": "org",
    "LegalEntity": "legal",
    "PublicBody": "org",
    "Vessel": "vessel",
    "Airplane": "aircraft",
    "CryptoWallet": "wallet",
}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
# Identifier kinds strong enough to say "the same target" across lists, and
# the FtM properties that carry them.
ID_PROPS: dict[str, tuple[str, ...]] = {
    "imo": ("imoNumber",),
    "passport": ("passportNumber",),
    "national_id": ("idNumber", "socialSecurityNumber"),
    "swift": ("swiftBic",),
    "wallet": ("publicKey",),
}
# Properties of FtM relation entities that name their two ends.
_LINK_ENDS = (
    "subject", "object", "person", "associate", "owner", "asset", "director", "organization",
    "relative",
)  # fmt: skip


def compatible(a: str, b: str) -> bool:
    """Whether two comparison groups can be the same target (``legal`` is a person or an org)."""
    if a == b:
        return True
    return {a, b} in ({"legal", "person"}, {"legal", "org"})


def _norm_id(kind: str, value: str) -> str | None:
    if kind == "imo":
        return imo_number(value)
    if kind == "wallet":
        return wallet_address(value)
    if kind == "swift":
        code = "".join(ch for ch in value.upper() if ch.isalnum())
        # A BIC is 8 or 11 characters; the 8-character form names the institution.
        return code[:8] if len(code) in (8, 11) else None
    return document_number(value)


@dataclass
class Listing:
    """One listed subject on one list, reduced to what resolution compares."""

    id: str
    list_name: str
    schema: str
    caption: str
    names: dict[str, list[str]] = field(default_factory=dict)
    birth_dates: list[str] = field(default_factory=list)
    gender: list[str] = field(default_factory=list)
    nationality: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_countries: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    programs: list[str] = field(default_factory=list)
    program_labels: list[str] = field(default_factory=list)
    unsc_refs: list[str] = field(default_factory=list)
    # UN references the entry points at without being them (an alias "X (KPe.018)").
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    listed_on: str | None = None
    authority: str | None = None
    provisions: list[str] = field(default_factory=list)
    source_url: str | None = None
    texts: list[str] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def group(self) -> str:
        return GROUPS[self.schema]

    @property
    def dprk_program(self) -> bool:
        return any(is_dprk_program(self.list_name, code) for code in self.programs)

    def all_names(self) -> Iterator[str]:
        for prop in NAME_PROPS:
            yield from self.names.get(prop, ())

    def legal_basis(self) -> list[str]:
        """The programmes or regimes the listing rests on, readable where a label is known."""
        out: list[str] = []
        # The shared labels are OFAC's and the EU's codes; other lists name their own.
        labelled = self.list_name.split("_", 1)[0] in ("ofac", "eu")
        for code in self.programs:
            label = PROGRAM_LABELS.get(code) if labelled else None
            out.append(f"{code} ({label})" if label and label != code else code)
        for label in self.program_labels:
            if label not in out and not any(label in o for o in out):
                out.append(label)
        return out

    def summary(self) -> dict[str, Any]:
        """The per-list record shown beside a target (screening hits, review, coverage)."""
        return {
            "id": self.id,
            "list": self.list_name,
            "schema": self.schema,
            "caption": self.caption,
            "listed_on": self.listed_on,
            "programs": list(self.programs),
            "legal_basis": self.legal_basis(),
            "authority": self.authority,
            "unsc_refs": list(self.unsc_refs),
            "birth_dates": list(self.birth_dates),
            "nationality": list(self.nationality),
            "identifiers": {k: list(v) for k, v in sorted(self.identifiers.items())},
        }


def _values(props: Mapping[str, Any], key: str) -> list[str]:
    return [str(v) for v in props.get(key, ()) if v]


def _fingerprint(listing: Listing) -> str:
    data = {k: v for k, v in listing.__dict__.items() if k != "fingerprint"}
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()[:20]


def read_snapshot(snapshot: Snapshot) -> list[Listing]:
    """The listings of one snapshot, with sanction, wallet and link facts folded in."""
    return read_dicts(snapshot.list_name, snapshot.iter_dicts())


def read_dicts(list_name: str, entities: Iterable[dict[str, Any]]) -> list[Listing]:
    """Listings from FtM entity dicts of one list (a snapshot, or a test's fixtures)."""
    subjects: dict[str, Listing] = {}
    sanctions: list[Mapping[str, Any]] = []
    wallets: list[Mapping[str, Any]] = []
    links: list[Mapping[str, Any]] = []
    for data in entities:
        schema = data.get("schema", "")
        props = data.get("properties", {})
        if schema == "Sanction":
            sanctions.append(props)
        elif schema == "CryptoWallet" and props.get("holder"):
            wallets.append(props)
        elif schema in ("UnknownLink", "Associate", "Ownership", "Directorship", "Family"):
            links.append(props)
        elif schema in GROUPS:
            subjects[data["id"]] = _listing(list_name, data["id"], schema, props)
    for props in sanctions:
        for owner in _values(props, "entity"):
            rec = subjects.get(owner)
            if rec is not None:
                _fold_sanction(rec, props)
    for props in wallets:
        for holder in _values(props, "holder"):
            rec = subjects.get(holder)
            if rec is not None:
                _add_ids(rec, "wallet", _values(props, "publicKey"))
    for props in links:
        ends = [v for key in _LINK_ENDS for v in _values(props, key)]
        for end in ends:
            rec = subjects.get(end)
            if rec is not None:
                rec.links.extend(e for e in ends if e != end and e not in rec.links)
    out = []
    for rec in subjects.values():
        rec.fingerprint = _fingerprint(rec)
        out.append(rec)
    return out


# A name that ends in a UN reference ("SECOND ACADEMY OF NATURAL SCIENCES (KPe.018)")
# names another entry, which the UN lists under that reference.
_NAME_REF = re.compile(r"\(\s*([A-Z]{2}[ei]\.\d{3})\s*\)\s*$", re.IGNORECASE)


def _listing(list_name: str, entity_id: str, schema: str, props: Mapping[str, Any]) -> Listing:
    names: dict[str, list[str]] = {}
    mentions: list[str] = []
    for prop in NAME_PROPS:
        kept = []
        for value in _values(props, prop):
            m = _NAME_REF.search(value)
            if m and prop != "name":
                ref = m.group(1)
                mentions.append(ref[:2].upper() + ref[2].lower() + ref[3:])
            else:
                kept.append(value)
        if kept:
            names[prop] = kept[:50]
    caption = (names.get("name") or names.get("alias") or [entity_id])[0]
    rec = Listing(
        id=entity_id,
        list_name=list_name,
        schema=schema,
        caption=caption,
        names=names,
        birth_dates=_values(props, "birthDate"),
        gender=_values(props, "gender"),
        nationality=_values(props, "nationality") + _values(props, "citizenship"),
        countries=_values(props, "country") + _values(props, "jurisdiction"),
        birth_countries=_values(props, "birthCountry"),
        flags=_values(props, "flag"),
        programs=sorted(set(_values(props, "programId"))),
        program_labels=_values(props, "program"),
        texts=_values(props, "notes") + _values(props, "position"),
        mentions=mentions,
    )
    if schema == "CryptoWallet":
        _add_ids(rec, "wallet", _values(props, "publicKey"))
    for kind, keys in ID_PROPS.items():
        if kind == "wallet":
            continue
        for key in keys:
            _add_ids(rec, kind, _values(props, key))
    if list_name.split("_", 1)[0] == "un" and entity_id.startswith("un-"):
        rec.unsc_refs.append(entity_id[3:])
    return rec


def _add_ids(rec: Listing, kind: str, values: Iterable[str]) -> None:
    for value in values:
        norm = _norm_id(kind, value)
        if norm:
            known = rec.identifiers.setdefault(kind, [])
            if norm not in known:
                known.append(norm)


def _fold_sanction(rec: Listing, props: Mapping[str, Any]) -> None:
    for ref in _values(props, "unscId"):
        ref = ref.strip()
        if ref and ref not in rec.unsc_refs:
            rec.unsc_refs.append(ref)
    dates = sorted(_values(props, "listingDate") + _values(props, "startDate"))
    if dates and (rec.listed_on is None or dates[0] < rec.listed_on):
        rec.listed_on = dates[0][:10]
    authority = _values(props, "authority")
    if authority and rec.authority is None:
        rec.authority = authority[0]
    for code in _values(props, "programId"):
        if code not in rec.programs:
            rec.programs.append(code)
    rec.provisions.extend(_values(props, "provisions"))
    rec.texts.extend(_values(props, "reason") + _values(props, "provisions"))
    urls = _values(props, "sourceUrl")
    if urls and rec.source_url is None:
        rec.source_url = urls[0]
