"""Every entity of the active lists, linked: what ``/entities``, ``/search`` and ``/reconcile`` read.

The screening index keeps only the subjects it screens (people, companies,
vessels...). yente also serves the entities around them - the ``Sanction``
behind a listing, its ``Address``, ``Ownership``, ``Family``,
``Directorship`` - nested into an entity and one hop beyond. This store
holds all of them, read from the active snapshot files:

* where each entity's line is (entities are decoded on demand, from a
  read-only memory map of the immutable snapshot file);
* which entities point at each entity, and through which property, so an
  entity can be shown with everything that refers to it;
* per entity what yente answers beside its properties: source datasets,
  ``referents`` (ids merged into it: from an FtM import's own data, and,
  when a resolution has been run, the other listings of the same target
  and the target's ``dw-`` id), ``target`` (from the data: risk topics),
  and ``first_seen`` / ``last_seen`` / ``last_change``
  (:mod:`dprkwatch.service.seen`);
* the ids that redirect: a referent that is not itself an entity leads to
  the entity holding it (yente's 308).
"""

from __future__ import annotations

import logging
import mmap
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from followthemoney import model
from followthemoney.types import registry

from dprkwatch.lists.snapshot import ENTITIES_FILE, Snapshot
from dprkwatch.service.datasets import source_name
from dprkwatch.service.seen import Seen, wire_time

log = logging.getLogger(__name__)

RISK_TOPICS = frozenset(registry.topic.RISKS)


@lru_cache(maxsize=512)
def entity_props(schema: str) -> frozenset[str]:
    """Names of ``schema``'s properties that hold entity ids."""
    obj = model.get(schema)
    if obj is None:
        return frozenset()
    return frozenset(p.name for p in obj.properties.values() if p.type == registry.entity)


@lru_cache(maxsize=512)
def is_edge(schema: str) -> bool:
    obj = model.get(schema)
    return bool(obj is not None and obj.edge)


@lru_cache(maxsize=512)
def reverse_of(schema: str, prop: str) -> str | None:
    """The name under which an entity pointed at through ``schema.prop`` shows the pointer."""
    obj = model.get(schema)
    p = obj.get(prop) if obj is not None else None
    return p.reverse.name if p is not None and p.reverse is not None else None


@dataclass(slots=True)
class Meta:
    """What the store keeps in memory about one entity."""

    idx: int
    list_name: str
    schema: str
    location: tuple[int, int, int]  # file number, offset, length
    datasets: tuple[str, ...]
    target: bool
    seen: Seen | None
    referents: list[str] = field(default_factory=list)
    outbound: list[tuple[str, str]] = field(default_factory=list)  # (prop, entity id)


def _target(data: Mapping[str, Any]) -> bool:
    value = data.get("target")
    if isinstance(value, bool):
        return value
    topics = data.get("properties", {}).get("topics", [])
    return bool(RISK_TOPICS.intersection(topics))


def _seen(data: Mapping[str, Any], fallback: Seen | None) -> Seen | None:
    first, last, change = (
        wire_time(data.get(k)) for k in ("first_seen", "last_seen", "last_change")
    )
    if first and last:
        return Seen(first, last, change or last)
    return fallback


def _datasets(list_name: str, data: Mapping[str, Any]) -> tuple[str, ...]:
    return (source_name(list_name),)


class EntityStore:
    """All entities of a set of snapshots, with their links. Immutable once built."""

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.meta: dict[str, Meta] = {}
        self.order: list[str] = []  # entity ids in file order (yente's "index order")
        self.inbound: dict[str, list[tuple[str, str]]] = {}  # id -> [(prop of src, src id)]
        self.redirects: dict[str, str] = {}
        self._views: dict[int, mmap.mmap] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.meta)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.meta

    # -- building -----------------------------------------------------------

    @classmethod
    def build(
        cls,
        snapshots: Mapping[str, Snapshot],
        seen: Mapping[str, Seen] | None = None,
        targets: Mapping[str, Sequence[str]] | None = None,
    ) -> EntityStore:
        """Index the entities of ``snapshots`` (``{list: snapshot}``).

        ``seen`` gives history dates per entity id; ``targets`` maps a
        resolved target id to its listings (from a resolution run).
        """
        store = cls()
        for list_name, snap in sorted(snapshots.items()):
            store._add_file(list_name, snap.path / ENTITIES_FILE, seen or {})
        store._link()
        if targets:
            store._add_targets(targets)
        return store

    @classmethod
    def from_entities(cls, entities: Iterable[Mapping[str, Any]], list_name: str) -> EntityStore:
        """A store over entity dicts given directly (tests); kept as one in-memory 'file'."""
        store = cls()
        data = b"".join(orjson.dumps(dict(e)) + b"\n" for e in entities)
        store._add_bytes(list_name, data, Path(f"<{list_name}>"), {})
        store._link()
        return store

    def _add_file(self, list_name: str, path: Path, seen: Mapping[str, Seen]) -> None:
        try:
            with path.open("rb") as fh:
                view = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing or empty file: nothing to serve
            log.warning("entity store: cannot map %s", path)
            return
        self._add_view(list_name, view, path, seen)

    def _add_bytes(
        self, list_name: str, data: bytes, label: Path, seen: Mapping[str, Seen]
    ) -> None:
        view = mmap.mmap(-1, max(1, len(data)))
        view.write(data)
        self._add_view(list_name, view, label, seen)

    def _add_view(
        self, list_name: str, view: mmap.mmap, path: Path, seen: Mapping[str, Seen]
    ) -> None:
        file_no = len(self.files)
        self.files.append(path)
        self._views[file_no] = view
        size = len(view)
        offset = 0
        while offset < size:
            end = view.find(b"\n", offset)
            if end < 0:
                end = size
            line = view[offset:end]
            if line.strip():
                try:
                    data = orjson.loads(line)
                except orjson.JSONDecodeError:
                    data = None
                if isinstance(data, dict) and data.get("id") and data.get("schema"):
                    self._add_entity(list_name, data, (file_no, offset, end - offset), seen)
            offset = end + 1

    def _add_entity(
        self,
        list_name: str,
        data: dict[str, Any],
        location: tuple[int, int, int],
        seen: Mapping[str, Seen],
    ) -> None:
        eid = str(data["id"])
        schema = str(data["schema"])
        if eid in self.meta:  # the same id on two lists: the first list (by name) keeps it
            return
        props = data.get("properties") or {}
        outbound = [
            (prop, str(value))
            for prop in entity_props(schema)
            for value in props.get(prop, ())
            if isinstance(value, str) and value
        ]
        meta = Meta(
            idx=len(self.order),
            list_name=list_name,
            schema=schema,
            location=location,
            datasets=_datasets(list_name, data),
            target=_target(data),
            seen=_seen(data, seen.get(eid)),
            referents=[str(r) for r in data.get("referents") or () if r and r != eid],
            outbound=outbound,
        )
        self.meta[eid] = meta
        self.order.append(eid)

    def _link(self) -> None:
        for eid in self.order:
            meta = self.meta[eid]
            for prop, value in meta.outbound:
                self.inbound.setdefault(value, []).append((prop, eid))
            for ref in meta.referents:
                if ref not in self.meta:
                    self.redirects.setdefault(ref, eid)

    def _add_targets(self, targets: Mapping[str, Sequence[str]]) -> None:
        """Listings resolved to one target name each other (and the target) as referents."""
        for target_id, members in targets.items():
            present = [m for m in members if m in self.meta]
            for member in present:
                refs = self.meta[member].referents
                for other in [target_id, *present]:
                    if other != member and other not in refs:
                        refs.append(other)
            if present and target_id not in self.meta:
                self.redirects.setdefault(target_id, present[0])

    # -- reading ------------------------------------------------------------

    def raw(self, entity_id: str) -> dict[str, Any] | None:
        """The stored FtM dict of an entity, or None."""
        meta = self.meta.get(entity_id)
        if meta is None:
            return None
        file_no, offset, length = meta.location
        view = self._views.get(file_no)
        if view is None or offset + length > len(view):
            return None
        try:
            data: dict[str, Any] = orjson.loads(view[offset : offset + length])
        except orjson.JSONDecodeError:
            return None
        return data

    def canonical(self, entity_id: str) -> str | None:
        """The entity an id stands for: itself, the entity it is a referent of, or None."""
        if entity_id in self.meta:
            return entity_id
        return self.redirects.get(entity_id)

    def cluster(self, entity_id: str) -> set[str]:
        """An entity's id with its referents (what ``exclude_entity_ids`` matches)."""
        meta = self.meta.get(entity_id)
        return {entity_id, *(meta.referents if meta else ())}

    def document(self, entity_id: str) -> dict[str, Any] | None:
        """An entity as yente's ``EntityResponse`` (properties as stored, ids not nested)."""
        data = self.raw(entity_id)
        if data is None:
            return None
        meta = self.meta[entity_id]
        props: dict[str, Any] = dict(data.get("properties") or {})
        seen = meta.seen
        return {
            "id": entity_id,
            "caption": data.get("caption") or caption_of(meta.schema, props) or entity_id,
            "schema": meta.schema,
            "properties": props,
            "datasets": list(meta.datasets),
            "referents": list(meta.referents),
            "target": meta.target,
            "first_seen": seen.first_seen if seen else None,
            "last_seen": seen.last_seen if seen else None,
            "last_change": seen.last_change if seen else None,
        }

    def neighbours(self, entity_id: str, prop: str) -> list[str]:
        """Ids adjacent to an entity through ``prop`` (its own property, or the reverse of one)."""
        meta = self.meta.get(entity_id)
        if meta is None:
            return []
        out = [v for p, v in meta.outbound if p == prop and v in self.meta]
        for src_prop, src in self.inbound.get(entity_id, ()):
            if reverse_of(self.meta[src].schema, src_prop) == prop:
                out.append(src)
        seen: set[str] = set()
        unique = [i for i in out if not (i in seen or seen.add(i))]  # type: ignore[func-returns-value]
        return sorted(unique, key=lambda i: self.meta[i].idx)

    def nested(self, entity_id: str) -> dict[str, Any] | None:
        """yente's nested entity: neighbours inlined, and the far side of edge entities."""
        doc = self.document(entity_id)
        if doc is None:
            return None
        return self._nest(doc, frozenset())

    def _nest(self, doc: dict[str, Any], path: frozenset[str]) -> dict[str, Any]:
        """Inline what ``doc`` links to; ``path`` holds the entities already above it.

        The root inlines every neighbour (both directions); a neighbour
        inlines further only when it is an edge entity (an ``Ownership``
        found from an owner shows the asset; an owner found from an
        ``Ownership`` shows nothing more), so the answer stays one hop deep
        around the root plus the far side of interstitial entities.
        """
        eid = doc["id"]
        depth = len(path)
        expand = depth == 0 or (depth == 1 and is_edge(doc["schema"]))
        if not expand:
            return doc
        below = path | {eid}
        props = doc["properties"]
        meta = self.meta[eid]
        for prop in {p for p, _ in meta.outbound}:
            values: list[Any] = []
            for value in props.get(prop, ()):
                child = None if value in path else self.document(value)
                values.append(value if child is None else self._nest(child, below))
            props[prop] = values
        if depth == 0:
            for src_prop, src in self.inbound.get(eid, ()):
                reverse = reverse_of(self.meta[src].schema, src_prop)
                child = self.document(src) if reverse else None
                if reverse and child is not None:
                    props.setdefault(reverse, []).append(self._nest(child, below))
        return doc

    def adjacent(
        self, entity_id: str, prop: str, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of the entities adjacent through ``prop``, each nested, and their number."""
        ids = self.neighbours(entity_id, prop)
        page = ids[offset : offset + limit] if limit > 0 else []
        docs: list[dict[str, Any]] = []
        for i in page:
            doc = self.document(i)
            if doc is not None:
                docs.append(self._nest(doc, frozenset({entity_id})))
        return docs, len(ids)

    def iter_ids(self) -> Iterator[str]:
        return iter(self.order)


def caption_of(schema: str, props: Mapping[str, Any]) -> str | None:
    """An entity's display name: the first value of its schema's caption properties."""
    obj = model.get(schema)
    if obj is None:
        return None
    for prop in obj.caption:
        for value in props.get(prop, ()):
            if isinstance(value, str) and value:
                return value
    return str(obj.label)


def entity_property_names(schema: str) -> list[str]:
    """Every property of ``schema`` (its own and reverse ones) through which entities link."""
    obj = model.get(schema)
    if obj is None:
        return []
    return sorted(p.name for p in obj.properties.values() if p.type == registry.entity)
