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
from dprkwatch.service.datasets import source_name
from dprkwatch.service.screening import Result, Screening


def entity(
    entity_id: str,
    caption: str,
    schema: str | None,
    properties: Mapping[str, Any],
    datasets: Iterable[str],
    referents: Iterable[str] = (),
) -> dict[str, Any]:
    """An ``EntityResponse``: a listed entity as yente shows it.

    ``datasets`` are given as list names and shown as the source datasets
    they are published as (``ofac`` -> ``us_ofac_sdn``).
    """
    return {
        "id": entity_id,
        "caption": caption,
        "schema": schema,
        "properties": properties,
        "datasets": sorted({source_name(d) for d in datasets}),
        "referents": list(referents),
        "target": True,
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
    }


def listed(entity_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """``/entities/{id}``: the stored entity document as an ``EntityResponse``."""
    properties = data.get("properties", {})
    return entity(
        data.get("id", entity_id),
        data.get("caption") or next(iter(properties.get("name", [])), entity_id),
        data.get("schema"),
        properties,
        data.get("datasets", []),
        data.get("referents", []),
    )


def found(m: Match, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """A ``/search`` result: the matched entity, without a score."""
    return entity(m.entity_id, m.caption, m.schema, (data or {}).get("properties", {}), m.datasets)


def scored(r: Result) -> dict[str, Any]:
    """A ``ScoredEntityResponse`` (plus our ``explanation``, ``programs``, ``dprk``)."""
    h = r.hit
    return {
        **entity(
            h["entity_id"],
            h["caption"],
            h["schema"],
            (r.entity or {}).get("properties", {}),
            h["datasets"],
        ),
        "score": h["score"],
        "features": h["features"],
        "match": h["match"],
        "explanations": {k: {"score": v, "detail": None} for k, v in h["features"].items()},
        "explanation": h["explanation"],
        "programs": h["programs"],
        "dprk": h["dprk"],
    }


def matches(s: Screening) -> dict[str, Any]:
    """One query's ``EntityMatches``: its results and the screening record they were audited in."""
    o = s.outcome
    return {
        "status": 200,
        "results": [scored(r) for r in o.results],
        "total": {"value": len(o.results), "relation": "eq"},
        "query": o.query.to_dict(),
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
