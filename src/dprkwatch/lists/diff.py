"""What changed between two versions of a list.

Entities are compared by id. A changed entity reports every property whose
values differ, and the changes are also classified in words an enforcer
uses: a rename, new aliases, a new IMO number, a programme change. The
auxiliary ``Sanction`` and ``CryptoWallet`` entities are folded into their
subject, so a new wallet address or listing date shows up on the subject.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dprkwatch.lists.model import is_subject
from dprkwatch.lists.programs import any_dprk
from dprkwatch.lists.snapshot import COUNTRY_PROPS, Snapshot

# Property -> label of the change kind when values are added to it.
_KINDS: dict[str, str] = {
    "name": "rename",
    "alias": "new alias",
    "weakAlias": "new weak alias",
    "previousName": "new former name",
    "imoNumber": "IMO number",
    "mmsi": "MMSI",
    "callSign": "call sign",
    "flag": "flag",
    "programId": "programme",
    "passportNumber": "passport",
    "idNumber": "ID number",
    "birthDate": "birth date",
    "nationality": "nationality",
    "address": "address",
    "wallet": "wallet",
    "listingDate": "listing date",
}
# Properties that change in every release without meaning anything.
_IGNORED = frozenset({"modifiedAt", "retrievedAt", "indexText"})


@dataclass(frozen=True)
class FieldChange:
    prop: str
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def kind(self) -> str:
        return _KINDS.get(self.prop, self.prop)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prop": self.prop,
            "kind": self.kind,
            "added": list(self.added),
            "removed": list(self.removed),
        }


@dataclass(frozen=True)
class EntityChange:
    entity_id: str
    schema: str
    caption: str
    dprk: bool
    changes: tuple[FieldChange, ...] = ()

    @property
    def kinds(self) -> list[str]:
        return sorted({c.kind for c in self.changes})

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entity_id,
            "schema": self.schema,
            "caption": self.caption,
            "dprk": self.dprk,
            "kinds": self.kinds,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass
class ListDiff:
    list_name: str
    old_version: str
    new_version: str
    added: list[EntityChange] = field(default_factory=list)
    removed: list[EntityChange] = field(default_factory=list)
    changed: list[EntityChange] = field(default_factory=list)

    def only_dprk(self) -> ListDiff:
        return ListDiff(
            self.list_name,
            self.old_version,
            self.new_version,
            [c for c in self.added if c.dprk],
            [c for c in self.removed if c.dprk],
            [c for c in self.changed if c.dprk],
        )

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "old": self.old_version,
            "new": self.new_version,
            "summary": self.summary(),
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
        }


def folded(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Subject entities keyed by id, with sanction and wallet facts folded in."""
    subjects: dict[str, dict[str, Any]] = {}
    extras: list[dict[str, Any]] = []
    for data in snapshot.iter_dicts():
        props = data.get("properties", {})
        if is_subject(data["schema"], bool(props.get("holder"))):
            subjects[data["id"]] = {
                "schema": data["schema"],
                "properties": {k: set(v) for k, v in props.items()},
            }
        else:
            extras.append(data)
    for data in extras:
        props = data.get("properties", {})
        if data["schema"] == "Sanction":
            owners, values = props.get("entity", []), props.get("listingDate", [])
            key = "listingDate"
        elif data["schema"] == "CryptoWallet":
            owners = props.get("holder", [])
            values = [
                f"{c}:{k}"
                for k in props.get("publicKey", [])
                for c in (props.get("currency") or [""])
            ]
            key = "wallet"
        else:
            continue
        for owner in owners:
            if owner in subjects:
                subjects[owner]["properties"].setdefault(key, set()).update(values)
    return subjects


def _caption(entity: dict[str, Any]) -> str:
    names = sorted(entity["properties"].get("name", ()))
    return names[0] if names else ""


def _dprk(list_name: str, props: dict[str, Any]) -> bool:
    countries = (c for p in COUNTRY_PROPS for c in props.get(p, ()))
    return any_dprk(list_name, props.get("programId", ()), countries)


def _change(
    list_name: str, entity_id: str, entity: dict[str, Any], changes: Iterable[FieldChange] = ()
) -> EntityChange:
    return EntityChange(
        entity_id=entity_id,
        schema=entity["schema"],
        caption=_caption(entity),
        dprk=_dprk(list_name, entity["properties"]),
        changes=tuple(changes),
    )


def diff_snapshots(old: Snapshot, new: Snapshot) -> ListDiff:
    """Added, removed and changed subjects between two snapshots of (usually) one list."""
    a, b = folded(old), folded(new)
    result = ListDiff(new.list_name, old.version, new.version)
    for entity_id in sorted(b.keys() - a.keys()):
        result.added.append(_change(new.list_name, entity_id, b[entity_id]))
    for entity_id in sorted(a.keys() - b.keys()):
        result.removed.append(_change(old.list_name, entity_id, a[entity_id]))
    for entity_id in sorted(a.keys() & b.keys()):
        pa, pb = a[entity_id]["properties"], b[entity_id]["properties"]
        changes = []
        for prop in sorted((pa.keys() | pb.keys()) - _IGNORED):
            va, vb = pa.get(prop, set()), pb.get(prop, set())
            if va != vb:
                changes.append(FieldChange(prop, tuple(sorted(vb - va)), tuple(sorted(va - vb))))
        if a[entity_id]["schema"] != b[entity_id]["schema"]:
            changes.append(
                FieldChange("schema", (b[entity_id]["schema"],), (a[entity_id]["schema"],))
            )
        if changes:
            # A DPRK programme on either side makes the change DPRK-relevant.
            entity = b[entity_id]
            if not _dprk(new.list_name, entity["properties"]):
                entity = a[entity_id]
            result.changed.append(_change(new.list_name, entity_id, entity, changes))
    return result


def source_notes(old: Snapshot, new: Snapshot) -> list[str]:
    """Caveats when two versions were built from different kinds of files.

    The OFAC sets in circulation differ: some come with ``add.csv`` and
    ``alt.csv``, some without. Aliases and addresses then appear to vanish
    or arrive although OFAC changed nothing; the reader must know.
    """
    notes = []
    if old.list_name != new.list_name:
        notes.append(f"comparing different lists ({old.list_name} vs {new.list_name})")
    a = {s.name for s in old.manifest.sources}
    b = {s.name for s in new.manifest.sources}
    if a - b:
        notes.append(
            f"{', '.join(sorted(a - b))} only in the old version: changes to what they carry are not real changes"
        )
    if b - a:
        notes.append(
            f"{', '.join(sorted(b - a))} only in the new version: changes to what they carry are not real changes"
        )
    return notes
