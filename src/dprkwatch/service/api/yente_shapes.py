"""yente's entity shapes, built from our values by one constructor each.

``/match``, ``/search`` and ``/entities`` answer with the entity shape of
OpenSanctions' yente (documented by ``EntityResponse`` and
``ScoredEntityResponse`` in :mod:`dprkwatch.service.api.models`). A scored
result is built from the hit as :meth:`dprkwatch.matching.Match.to_dict`
serialised it, the same value the audit record was built from
(:class:`dprkwatch.service.screening.Result`), so the answer and the record
agree. The hot routes send these dicts through orjson without a pydantic
pass (see :mod:`dprkwatch.service.api.responses`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dprkwatch.matching.result import Match
from dprkwatch.resolution.clusters import PREFIX
from dprkwatch.service.datasets import source_name
from dprkwatch.service.entities import EntityStore
from dprkwatch.service.screening import Result, Screening


def entity(
    entity_id: str,
    caption: str,
    schema: str | None,
    properties: Mapping[str, Any],
    datasets: Iterable[str],
    store: EntityStore | None = None,
) -> dict[str, Any]:
    """An ``EntityResponse``: a listed entity as yente shows it.

    ``datasets`` are given as list names and shown as the source datasets
    they are published as (``ofac`` -> ``us_ofac_sdn``). ``referents``,
    ``target`` and the three dates come from the entity store.
    """
    meta = store.meta.get(entity_id) if store is not None else None
    seen = meta.seen if meta is not None else None
    return {
        "id": entity_id,
        "caption": caption,
        "schema": schema,
        "properties": properties,
        "datasets": sorted({source_name(d) for d in datasets}),
        "referents": list(meta.referents) if meta is not None else [],
        "target": meta.target if meta is not None else True,
        "first_seen": seen.first_seen if seen else None,
        "last_seen": seen.last_seen if seen else None,
        "last_change": seen.last_change if seen else None,
    }


def found(m: Match, data: Mapping[str, Any] | None, store: EntityStore) -> dict[str, Any]:
    """A ``/search`` result: the matched entity, without a score."""
    return entity(
        m.entity_id, m.caption, m.schema, (data or {}).get("properties", {}), m.datasets, store
    )


def _explanations(h: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """yente's ``explanations``: each feature's score, with the algorithm's words for it if any."""
    details: dict[str, str] = {}
    for line in h["explanation"]:
        key, sep, text = str(line).partition(": ")
        if sep and key in h["features"]:
            details[key] = text
    return {k: {"score": v, "detail": details.get(k)} for k, v in h["features"].items()}


def scored(r: Result, store: EntityStore | None = None) -> dict[str, Any]:
    """A ``ScoredEntityResponse`` (plus our ``explanation``, ``programs``, ``dprk``)."""
    h = r.hit
    return {
        **entity(
            h["entity_id"],
            h["caption"],
            h["schema"],
            (r.entity or {}).get("properties", {}),
            h["datasets"],
            store,
        ),
        "score": h["score"],
        "features": h["features"],
        "match": h["match"],
        "explanations": _explanations(h),
        "explanation": h["explanation"],
        "programs": h["programs"],
        "dprk": h["dprk"],
    }


def by_target(results: list[dict[str, Any]], store: EntityStore) -> list[dict[str, Any]]:
    """Scored results of one resolved target folded into one, like yente's merged entities.

    The best-scoring listing stands for its target (results come best
    first); ``referents`` name the target's other listings and the target
    id, ``datasets`` every list the target is on, ``matched`` the listings
    that scored (best first), and the explanation starts by naming the
    listing that matched. Listings no resolution run has placed stay as
    they are. The audit record keeps every listing's result.
    """
    out: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for d in results:
        meta = store.meta.get(d["id"])
        target = next((r for r in meta.referents if r.startswith(PREFIX)), None) if meta else None
        if target is None or meta is None:
            out.append(d)
            continue
        first = seen.get(target)
        if first is not None:
            first["matched"].append(d["id"])
            continue
        members = [d["id"], *(r for r in meta.referents if r in store.meta)]
        lists = {name for m in members for name in store.meta[m].datasets}
        d["datasets"] = sorted(lists | set(d["datasets"]))
        d["target_id"] = target
        d["matched"] = [d["id"]]
        d["explanation"] = [
            f"matched listing {d['id']} of target {target} "
            f"({len(members)} listing{'s' if len(members) != 1 else ''})",
            *d["explanation"],
        ]
        seen[target] = d
        out.append(d)
    return out


def matches(
    s: Screening, store: EntityStore | None = None, *, group: bool = False
) -> dict[str, Any]:
    """One query's ``EntityMatches``: its results and the screening record they were audited in.

    ``group`` folds the listings of one resolved target into one result (:func:`by_target`).
    """
    o = s.outcome
    results = [scored(r, store) for r in o.results]
    if group and store is not None:
        results = by_target(results, store)
    return {
        "status": 200,
        "results": results,
        "total": {"value": o.total, "relation": o.total_relation},
        "query": o.echo,
        "unused": o.unused,
        "screening": {
            "id": o.screening_id,
            "audit_seq": s.record.seq,
            "subject": o.subject,
            "suppressed": [
                {
                    "id": r.entity_id,
                    "score": r.hit["score"],
                    "review_id": review.id,
                    "reviewed_at": review.ts,
                }
                for r, review in o.suppressed
            ],
        },
    }
