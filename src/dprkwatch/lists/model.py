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
from pathlib import Path
from typing import Any

from followthemoney import ValueEntity
from followthemoney import model as ftm_model

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.names import NAME_KINDS, NameDetail

SUBJECT_SCHEMATA = frozenset(
    {"Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane", "CryptoWallet"}
)


def make_entity(schema: str, entity_id: str, dataset: str) -> ValueEntity:
    """An empty FtM entity of ``schema`` with its id and dataset set."""
    schema_obj = ftm_model.get(schema)
    if schema_obj is None:
        raise ValueError(f"unknown FtM schema {schema!r}")
    return ValueEntity(schema_obj, {"id": entity_id, "datasets": [dataset]}, cleaned=True)


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
    """

    def __init__(self, list_name: str, fmt: str, sources: list[Path]) -> None:
        self.version = ListVersion(list_name=list_name, format=fmt, sources=sources)
        self._source_label = sources[0].name if sources else list_name
        # Wallets per holder, so numbering does not rescan every entity (O(n) per wallet).
        self._wallets: dict[str, int] = {}

    @property
    def list_name(self) -> str:
        return self.version.list_name

    def warn(self, message: str) -> None:
        self.version.warnings.append(message)

    def make_id(self, record_id: str) -> str:
        return f"{self.list_name.split('_', 1)[0]}-{record_id.strip()}"

    def subject(self, record_id: str, schema: str, *, where: str | None = None) -> ValueEntity:
        """A new subject entity; a second record with the same id is an error."""
        entity_id = self.make_id(record_id)
        if entity_id in self.version.entities:
            raise SourceError(
                f"duplicate record id {record_id!r}", source=self._source_label, where=where
            )
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
        prop = NAME_KINDS[kind]
        if not entity.schema.get(prop):
            prop = "name" if kind == "primary" else "alias"
        entity.add(prop, value, quiet=True)
        self.version.names.append(
            NameDetail(entity_id(entity), value, kind, lang or None, quality or None)
        )

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
        """The Sanction entity for a subject (one per subject)."""
        sanction = make_entity("Sanction", f"{entity.id}-sanction", self.list_name)
        sanction.add("entity", entity.id)
        sanction.add("authority", authority)
        for code in programs:
            sanction.add("programId", code, quiet=True)
        if listing_date:
            sanction.add("listingDate", listing_date, quiet=True)
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
        if not any(True for _ in self.version.subjects()):
            raise SourceError("no records found", source=self._source_label)
        return self.version
