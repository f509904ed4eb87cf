"""Building FollowTheMoney entities from source records.

One subject entity per source record (Person, Organization, Company,
LegalEntity, Vessel, Airplane) with a stable id ``<list>-<source id>``
(``ofac-9345``, ``un-KPi.033``, ``eu-13``, ``uk-DPR0001``), plus the FtM
auxiliary entities the model requires for some facts:

* ``Sanction`` (``<subject id>-sanction``): programme, listing date, authority;
* ``CryptoWallet`` (``<subject id>-wallet-<n>``): address, chain, holder.

Programme codes are also copied onto the subject's ``programId`` so that
filters need not join the sanction entity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.names import NAME_KINDS, NameDetail

if TYPE_CHECKING:
    from followthemoney import ValueEntity
    from followthemoney.schema import Schema

SUBJECT_SCHEMATA = frozenset(
    {"Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane", "CryptoWallet"}
)


def make_entity(schema: str, entity_id: str, dataset: str) -> ValueEntity:
    """An empty FtM entity of ``schema`` with its id and dataset set."""
    entity_class, schema_obj = _entity_type(schema)
    return entity_class(schema_obj, {"id": entity_id, "datasets": [dataset]}, cleaned=True)


@cache
def _entity_type(schema: str) -> tuple[type[ValueEntity], Schema]:
    """The entity class and FtM schema for ``schema`` (looked up once: entities are many)."""
    # Imported here: FollowTheMoney's model takes about a second to load, and
    # readers of stored snapshots (screening, resolution) never build entities.
    from followthemoney import model as ftm_model

    from dprkwatch.lists.cleaning import ListEntity

    schema_obj = ftm_model.get(schema)
    if schema_obj is None:
        raise ValueError(f"unknown FtM schema {schema!r}")
    return ListEntity, schema_obj


def entity_id(entity: ValueEntity) -> str:
    """The id of an entity built here (always set; FtM types it as optional)."""
    if entity.id is None:
        raise ValueError("entity without id")
    return entity.id


def is_subject(schema: str, has_holder: bool = False) -> bool:
    """Whether an entity is screened in its own right (wallets only when held by nobody)."""
    if schema == "CryptoWallet":
        return not has_holder
    return schema in SUBJECT_SCHEMATA


@dataclass
class ListVersion:
    """What an importer returns: every entity of one version of one list."""

    list_name: str
    format: str
    sources: list[Path]
    published: date | None = None
    # The publication this version came from (a key of dprkwatch.lists.sources.SOURCES).
    source: str | None = None
    entities: dict[str, ValueEntity] = field(default_factory=dict)
    names: list[NameDetail] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def subjects(self) -> Iterable[ValueEntity]:
        for entity in self.entities.values():
            if is_subject(entity.schema.name, bool(entity.get("holder", quiet=True))):
                yield entity


class EntityBuilder:
    """Collects the entities of one list version and enforces unique ids.

    Importers call :meth:`subject` once per source record, then the helpers
    below; the builder keeps the name sidecar and the FtM properties in step.

    A repeated record id is an error for formats whose publisher guarantees
    unique ids (OFAC ent_num, UN reference number). Where a real file repeats
    an id on purpose (the EU FSF lists one person once per regulation
    context), the importer passes ``repeat_ok=True``: the records are merged
    into one entity that keeps every programme, name and fact, and the merge
    is reported in the manifest warnings.
    """

    def __init__(self, list_name: str, fmt: str, sources: list[Path]) -> None:
        self.version = ListVersion(list_name=list_name, format=fmt, sources=sources)
        self._source_label = sources[0].name if sources else list_name
        # Wallets per holder, so numbering does not rescan every entity (O(n) per wallet).
        self._wallets: dict[str, int] = {}
        # Subjects built from more than one record: id -> extra records merged into it.
        self.repeated: dict[str, int] = {}
        # For repeated subjects only: the name details already recorded, to skip copies.
        self._seen_names: dict[str, set[tuple[str, str | None, str | None]]] = {}
        self._primary: dict[str, str] = {}

    @property
    def list_name(self) -> str:
        return self.version.list_name

    def warn(self, message: str) -> None:
        self.version.warnings.append(message)

    def make_id(self, record_id: str) -> str:
        return f"{self.list_name.split('_', 1)[0]}-{record_id.strip()}"

    def subject(
        self, record_id: str, schema: str, *, where: str | None = None, repeat_ok: bool = False
    ) -> ValueEntity:
        """A new subject entity; a second record with the same id is an error unless ``repeat_ok``.

        With ``repeat_ok`` the existing entity is returned, and everything the
        importer adds for the repeated record is merged into it.
        """
        entity_id = self.make_id(record_id)
        existing = self.version.entities.get(entity_id)
        if existing is not None:
            if not repeat_ok:
                raise SourceError(
                    f"duplicate record id {record_id!r}", source=self._source_label, where=where
                )
            if existing.schema.name != schema:
                raise SourceError(
                    f"record id {record_id!r} repeats as {schema}, "
                    f"first seen as {existing.schema.name}",
                    source=self._source_label,
                    where=where,
                )
            self._start_repeat(entity_id)
            return existing
        entity = make_entity(schema, entity_id, self.list_name)
        entity.add("topics", "sanction")
        self.version.entities[entity_id] = entity
        return entity

    def name(
        self,
        entity: ValueEntity,
        value: str | None,
        kind: str = "primary",
        *,
        lang: str | None = None,
        quality: str | None = None,
    ) -> None:
        """Add a name of the given kind (primary/alias/weak/former) with its details."""
        if value is None:
            return
        value = " ".join(value.split())
        if not value:
            return
        subject_id = entity_id(entity)
        if subject_id in self._seen_names:
            merged_kind = self._repeat_kind(subject_id, value, kind, lang, quality)
            if merged_kind is None:
                return
            kind = merged_kind
        prop = NAME_KINDS[kind]
        if not entity.schema.get(prop):
            prop = "name" if kind == "primary" else "alias"
        entity.add(prop, value, quiet=True)
        self.version.names.append(
            NameDetail(subject_id, value, kind, lang or None, quality or None)
        )

    def _start_repeat(self, subject_id: str) -> None:
        self.repeated[subject_id] = self.repeated.get(subject_id, 0) + 1
        if subject_id in self._seen_names:
            return
        own = [n for n in self.version.names if n.entity_id == subject_id]
        self._seen_names[subject_id] = {(n.value, n.lang, n.quality) for n in own}
        primary = next((n.value for n in own if n.kind == "primary"), None)
        if primary is not None:
            self._primary[subject_id] = primary

    def _repeat_kind(
        self, subject_id: str, value: str, kind: str, lang: str | None, quality: str | None
    ) -> str | None:
        """The kind to record a repeated record's name under, or None when already there.

        A subject keeps one primary name: the first record's. The repeated
        record's own primary name becomes an alias (unless it is the same).
        """
        seen = self._seen_names[subject_id]
        key = (value, lang or None, quality or None)
        if key in seen:
            return None
        seen.add(key)
        if kind == "primary":
            if subject_id not in self._primary:
                self._primary[subject_id] = value
            elif self._primary[subject_id] != value:
                return "alias"
        return kind

    def add(self, entity: ValueEntity, prop: str, value: Any, *, quiet: bool = True) -> None:
        """Add a property value if the schema has the property; else keep it in notes."""
        if value is None or value == "":
            return
        if entity.schema.get(prop) is None:
            entity.add("notes", f"{prop}: {value}", quiet=True)
            return
        entity.add(prop, value, quiet=quiet, cleaned=False)

    def program(self, entity: ValueEntity, code: str, label: str | None = None) -> None:
        code = code.strip()
        if not code:
            return
        entity.add("programId", code, quiet=True)
        if label:
            entity.add("program", label, quiet=True)

    def sanction(
        self,
        entity: ValueEntity,
        *,
        authority: str,
        programs: Iterable[str] = (),
        listing_date: str | None = None,
        source_url: str | None = None,
        reason: str | None = None,
        provisions: Iterable[str] = (),
        unsc_id: str | None = None,
    ) -> ValueEntity:
        """The Sanction entity for a subject (one per subject; a repeated record adds to it)."""
        sanction_id = f"{entity.id}-sanction"
        sanction = self.version.entities.get(sanction_id)
        if sanction is None:
            sanction = make_entity("Sanction", sanction_id, self.list_name)
            sanction.add("entity", entity.id)
        sanction.add("authority", authority, quiet=True)
        for code in programs:
            sanction.add("programId", code, quiet=True)
        if listing_date:
            # A merged subject keeps the earliest listing date of its records.
            earlier = [d for d in sanction.get("listingDate", quiet=True) if d <= listing_date]
            if not earlier:
                sanction.set("listingDate", listing_date, quiet=True)
        if source_url:
            sanction.add("sourceUrl", source_url, quiet=True)
        if reason:
            sanction.add("reason", reason, quiet=True)
        for item in provisions:
            sanction.add("provisions", item, quiet=True)
        if unsc_id:
            sanction.add("unscId", unsc_id, quiet=True)
        self.version.entities[entity_id(sanction)] = sanction
        return sanction

    def wallet(self, entity: ValueEntity, address: str, chain: str | None) -> ValueEntity:
        """A CryptoWallet held by ``entity``; ids are numbered per holder in source order."""
        holder = entity_id(entity)
        n = self._wallets.get(holder, 0) + 1
        self._wallets[holder] = n
        wallet = make_entity("CryptoWallet", f"{entity.id}-wallet-{n}", self.list_name)
        wallet.add("publicKey", address.strip())
        if chain:
            wallet.add("currency", chain.strip().upper())
        wallet.add("holder", entity.id)
        wallet.add("topics", "sanction")
        for code in entity.get("programId"):
            wallet.add("programId", code)
        self.version.entities[entity_id(wallet)] = wallet
        return wallet

    def finish(self, published: date | None) -> ListVersion:
        self.version.published = published
        for subject_id, extra in sorted(self.repeated.items()):
            subject = self.version.entities[subject_id]
            programs = ", ".join(sorted(subject.get("programId", quiet=True))) or "none"
            self.warn(
                f"{subject_id}: {extra + 1} records share this id; merged into one entity "
                f"(programmes {programs})"
            )
        if not any(True for _ in self.version.subjects()):
            raise SourceError("no records found", source=self._source_label)
        return self.version
