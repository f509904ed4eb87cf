"""The W3C Reconciliation API (version 0.2, what OpenRefine speaks), as yente serves it.

OpenRefine reconciles a spreadsheet column against a service in four kinds
of call: it reads the service *manifest*, sends batches of *queries* (a
name, a type and property values per row), offers *suggest* boxes for
entities, types and properties while the user configures it, and
*extends* reconciled rows with property values. This module answers each
from the service's own pieces - a query is screened like a ``/match``
query (and audited like one), suggestions come from the search index, and
types and properties from the FtM model restricted to what the dataset
holds. The HTTP routes are in :mod:`dprkwatch.service.api.routers.reconcile`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from followthemoney import model
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.types import registry

from dprkwatch.exceptions import InputError
from dprkwatch.service.entities import EntityStore

SUGGEST_LIMIT = 5
OK = {"code": "/api/status/ok", "status": "200 OK"}
# The preview OpenRefine shows in a frame when the user hovers over a reconciled cell.
PREVIEW_WIDTH, PREVIEW_HEIGHT = 430, 300
# Properties a preview shows first, when the entity has them; then its featured ones.
PREVIEW_FIRST = ("alias", "birthDate", "nationality", "country", "imoNumber", "program", "topics")
PREVIEW_VALUES = 5
# A JSONP callback must be a plain (dotted) JavaScript name: nothing else is echoed back.
CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,4}$")


def type_of(schema: Schema) -> dict[str, Any]:
    return {
        "id": schema.name,
        "name": schema.plural,
        "description": schema.description or schema.label,
    }


def property_of(prop: Property) -> dict[str, Any]:
    return {"id": prop.qname, "name": prop.label, "description": prop.description}


def schemata_in(store: EntityStore, lists: Iterable[str]) -> list[Schema]:
    """Matchable schemata of the entities on ``lists``, with their parents, by name."""
    wanted = set(lists)
    names = {m.schema for m in store.meta.values() if m.list_name in wanted}
    found: set[Schema] = set()
    for name in names:
        schema = model.get(name)
        if schema is not None and schema.matchable:
            found.update(schema.schemata)
    return sorted(found, key=lambda s: s.name)


def _starts(prefix: str, *labels: str | None) -> bool:
    p = prefix.strip().lower()
    return bool(p) and any(label and label.lower().strip().startswith(p) for label in labels)


def suggest_types(schemata: Iterable[Schema], prefix: str) -> list[dict[str, Any]]:
    found = [type_of(s) for s in schemata if _starts(prefix, s.name, s.label)]
    return found[:SUGGEST_LIMIT]


def suggest_properties(schemata: Iterable[Schema], prefix: str) -> list[dict[str, Any]]:
    allowed = set(schemata)
    found = [
        property_of(p)
        for p in model.properties
        if p.schema in allowed
        and not p.hidden
        and p.type != registry.entity
        and _starts(prefix, p.name, p.label)
    ]
    return found[:SUGGEST_LIMIT]


def extend_properties(type_name: str, limit: int) -> dict[str, Any]:
    """Properties OpenRefine may offer to add for entities of ``type_name``."""
    schema = model.get(type_name)
    if schema is None:
        raise InputError(f"Invalid type: {type_name!r}", where="type")
    props: list[dict[str, str]] = []
    for name in schema.featured:
        prop = schema.get(name)
        if prop is not None:
            props.append({"id": prop.name, "name": prop.label})
    for prop in schema.properties.values():
        if prop.hidden or prop.type == registry.entity or prop.name in schema.featured:
            continue
        props.append({"id": prop.name, "name": prop.label})
    if limit > 0:
        props = props[:limit]
    return {
        "limit": limit,
        "type": schema.name,
        "properties": sorted(props, key=lambda p: p["name"]),
    }


def query_example(query: Mapping[str, Any], key: str) -> tuple[str, dict[str, list[Any]], int]:
    """One reconciliation query as (schema, properties, limit) of a ``/match`` example."""
    if not isinstance(query, Mapping):
        raise InputError("a reconciliation query must be an object", where=f"queries.{key}")
    kind = query.get("type")
    schema = "Thing"
    if isinstance(kind, str) and kind:
        schema = kind
    elif isinstance(kind, list) and kind and isinstance(kind[0], str):
        schema = kind[0]
    props: dict[str, list[Any]] = {}
    text = query.get("query")
    if isinstance(text, str) and text.strip():
        props["name"] = [text]
    for item in query.get("properties") or []:
        if not isinstance(item, Mapping):
            continue
        pid = str(item.get("pid") or item.get("p") or "")
        prop = model.get_qname(pid) if ":" in pid else None
        name = prop.name if prop is not None else pid
        value = item.get("v")
        values = value if isinstance(value, list) else [value]
        props.setdefault(name, []).extend(v for v in values if isinstance(v, str | int | float))
    limit = query.get("limit", 5)
    limit = limit if isinstance(limit, int) and 0 < limit <= 100 else 5
    return schema, props, limit


def scored_result(hit: Mapping[str, Any]) -> dict[str, Any]:
    """A screened hit as a reconciliation candidate."""
    schema = model.get(hit["schema"])
    kind = [type_of(schema)] if schema is not None else []
    return {
        "id": hit["entity_id"],
        "name": hit["caption"],
        "description": schema.label if schema is not None else hit["schema"],
        "type": kind,
        "score": hit["score"],
        "match": hit["match"],
    }


def suggested_entity(store: EntityStore, entity_id: str) -> dict[str, Any] | None:
    doc = store.document(entity_id)
    if doc is None:
        return None
    schema = model.get(doc["schema"])
    return {
        "id": entity_id,
        "name": doc["caption"],
        "description": schema.label if schema is not None else doc["schema"],
        "type": [type_of(schema)] if schema is not None else [],
    }


def extend(store: EntityStore, request: Mapping[str, Any]) -> dict[str, Any]:
    """Property values of reconciled entities (``{"ids": [...], "properties": [{"id"}]}``)."""
    ids = request.get("ids")
    wanted = request.get("properties")
    if not isinstance(ids, list) or not isinstance(wanted, list):
        raise InputError("an extend request needs 'ids' and 'properties' lists", where="extend")
    if len(ids) > 100:
        raise InputError(f"Too many queries in one batch (limit: 100; got {len(ids)})")
    meta: dict[str, dict[str, str]] = {}
    rows: dict[str, dict[str, list[dict[str, str]]]] = {str(i): {} for i in ids}
    for entity_id in (str(i) for i in ids):
        canonical = store.canonical(entity_id)
        if canonical is not None and canonical != entity_id:
            raise InputError(
                "Please specify the canonical entity ID, not a referent", where="extend.ids"
            )
        doc = store.document(entity_id)
        if doc is None:
            continue
        schema = model.get(doc["schema"])
        row: dict[str, list[dict[str, str]]] = {}
        for item in wanted:
            pid = str(item.get("id") if isinstance(item, Mapping) else item)
            prop = schema.get(pid) if schema is not None else None
            if prop is None:
                continue
            settings = item.get("settings") or {} if isinstance(item, Mapping) else {}
            meta.setdefault(pid, {"id": prop.name, "name": prop.label})
            values = [v for v in doc["properties"].get(prop.name, []) if isinstance(v, str)]
            limit = settings.get("limit", 0)
            if isinstance(limit, int) and limit > 0:
                values = values[:limit]
            if settings.get("render", "caption") != "raw":
                values = [prop.type.caption(v) or v for v in values]
            row[pid] = [{"str": v} for v in values]
        rows[entity_id] = row
    return {"meta": list(meta.values()), "rows": rows}


def preview_html(store: EntityStore, entity_id: str) -> str | None:
    """A small self-contained HTML page about one entity, for OpenRefine's preview frame.

    No script, style sheet or image from elsewhere (the service runs offline);
    every value is escaped. None when there is no such entity.
    """
    doc = store.document(entity_id)
    if doc is None:
        return None
    schema = model.get(doc["schema"])
    props: Mapping[str, list[Any]] = doc["properties"]
    order = list(PREVIEW_FIRST) + [n for n in (schema.featured if schema else []) if n != "name"]
    rows = []
    for name in dict.fromkeys(order):
        prop = schema.get(name) if schema is not None else None
        values = [v for v in props.get(name, []) if isinstance(v, str)]
        if prop is None or not values or prop.type == registry.entity:
            continue
        shown = [prop.type.caption(v) or v for v in values[:PREVIEW_VALUES]]
        more = f" (+{len(values) - PREVIEW_VALUES})" if len(values) > PREVIEW_VALUES else ""
        rows.append(
            f"<tr><th>{html.escape(prop.label)}</th>"
            f"<td>{html.escape('; '.join(shown))}{more}</td></tr>"
        )
    kind = schema.label if schema is not None else doc["schema"]
    sources = ", ".join(doc["datasets"])
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(doc['caption'])}</title>"
        "<style>body{font:13px sans-serif;margin:8px}h1{font-size:16px;margin:0 0 2px}"
        "p{color:#555;margin:0 0 6px}th{text-align:left;vertical-align:top;padding-right:8px;"
        "color:#555;font-weight:normal}</style></head><body>"
        f"<h1>{html.escape(doc['caption'])}</h1>"
        f"<p>{html.escape(kind)} &middot; {html.escape(sources)}"
        f"{' &middot; sanctioned' if doc['target'] else ''}</p>"
        f"<table>{''.join(rows)}</table>"
        f"<p><small>{html.escape(entity_id)}</small></p></body></html>"
    )
