"""One screening: screen a query, drop reviewed false positives, build the audit record.

Used by ``POST /match`` (one screening per query in the batch) and by delta
screening of registered books; both write the same record to the audit
chain, so every screening - asked for or automatic - can be defended later
with the query, the results, the list versions, the algorithm and the
caller. The record is written before any answer leaves the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from dprkwatch.matching.query import Query, Scope
from dprkwatch.matching.result import Match
from dprkwatch.service import audit, reviews
from dprkwatch.service.audit import AuditEntry, AuditRecord
from dprkwatch.service.committer import WriteUnit
from dprkwatch.service.index import Loaded
from dprkwatch.service.reviews import Review
from dprkwatch.service.storage.tables import screenings
from dprkwatch.service.subjects import fingerprint

MAX_LIMIT = 50
# The most candidates the screener returns for one query.
MAX_CANDIDATES = 100
# Extra candidates asked of the screener so that results dropped afterwards
# (suppressed, excluded by schema/id/topic) do not leave the page short.
HEADROOM = 10


@dataclass(frozen=True)
class Filters:
    """yente's result filters, applied after scoring."""

    exclude_schema: frozenset[str] = frozenset()
    exclude_entity_ids: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    def keeps(self, m: Match, entity: Mapping[str, Any] | None) -> bool:
        if m.schema in self.exclude_schema or m.entity_id in self.exclude_entity_ids:
            return False
        if self.topics:
            topics = set((entity or {}).get("properties", {}).get("topics", []))
            return bool(topics & self.topics)
        return True

    def to_dict(self) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in vars(self).items() if v}


@dataclass
class Outcome:
    """One screened subject: what is returned, what was suppressed, what is audited."""

    screening_id: str
    query: Query
    subject: str
    dataset: str
    results: list[tuple[Match, dict[str, Any] | None, str | None]]
    suppressed: list[tuple[Match, Review, str]]
    payload: dict[str, Any]
    actor: str
    record: AuditRecord | None = field(default=None)

    @property
    def hits(self) -> list[tuple[Match, dict[str, Any] | None, str | None]]:
        return [r for r in self.results if r[0].match]

    def entry(self) -> AuditEntry:
        return AuditEntry("screening", self.actor, self.payload, ref=self.screening_id)


def subject_of(query: Query) -> str:
    return fingerprint(query.schema, query.properties)


def screen(
    loaded: Loaded,
    query: Query,
    *,
    dataset: str,
    lists: Sequence[str],
    dprk_only: bool,
    limit: int,
    threshold: float | None,
    filters: Filters,
    verdicts: Mapping[tuple[str, str], Review],
    actor: str,
    caller: Mapping[str, Any],
) -> Outcome:
    """Screen one query against ``lists`` and build its audit payload (nothing is written)."""
    subject = subject_of(query)
    matches: list[Match] = []
    if lists:  # an empty selection must not widen to "everything"
        scope = Scope(lists=lists, dprk_only=dprk_only)
        top = min(MAX_CANDIDATES, limit + HEADROOM + len(filters.exclude_entity_ids))
        matches = list(loaded.screener.screen(query, top=top, threshold=threshold, scope=scope))
    kept: list[tuple[Match, dict[str, Any] | None, str | None]] = []
    suppressed: list[tuple[Match, Review, str]] = []
    for m in matches:
        entity = loaded.entity(m.entity_id)
        if not filters.keeps(m, entity):
            continue
        current = loaded.entity_hash(m.entity_id)
        verdict = verdicts.get((subject, m.entity_id))
        if reviews.is_suppressed(verdict, current):
            assert verdict is not None and current is not None
            suppressed.append((m, verdict, current))
            continue
        if len(kept) < limit:
            kept.append((m, entity, current))
    screening_id = audit.new_id()
    versions = {name: loaded.versions[name] for name in lists if name in loaded.versions}
    payload = {
        "screening_id": screening_id,
        "dataset": dataset,
        "lists": list(lists),
        "versions": versions,
        "algorithm": loaded.algorithm,
        "threshold": threshold if threshold is not None else loaded.screener.threshold,
        "limit": limit,
        "filters": filters.to_dict(),
        "query": query.to_dict(),
        "subject": subject,
        "caller": dict(caller),
        "results": [_audited(m, h) for m, _e, h in kept],
        "suppressed": [
            {**_audited(m, h), "review_id": r.id, "reviewed_at": r.ts} for m, r, h in suppressed
        ],
    }
    return Outcome(screening_id, query, subject, dataset, kept, suppressed, payload, actor)


def _audited(m: Match, entity_hash: str | None) -> dict[str, Any]:
    return {
        "id": m.entity_id,
        "schema": m.schema,
        "caption": m.caption,
        "score": round(m.score, 4),
        "match": m.match,
        "datasets": list(m.datasets),
        "entity_hash": entity_hash,
        "features": {k: round(v, 4) for k, v in m.features.items()},
        "explanation": list(m.explanation),
    }


def index_rows(outcomes: Sequence[Outcome], records: Sequence[AuditRecord]) -> list[dict[str, Any]]:
    """Rows for the ``screenings`` table, one per outcome, pointing at its audit record."""
    rows = []
    for o, rec in zip(outcomes, records, strict=True):
        o.record = rec
        hits = o.hits
        rows.append(
            {
                "id": o.screening_id,
                "ts": rec.ts,
                "actor": o.actor,
                "dataset": o.dataset,
                "subject": o.subject,
                "schema": o.query.schema,
                "results": len(o.results),
                "matches": len(hits),
                "top_score": round(max((m.score for m, _e, _h in o.results), default=0.0), 4) if o.results else None,
                "audit_seq": rec.seq,
            }
        )
    return rows


def write_unit(outcomes: Sequence[Outcome]) -> WriteUnit:
    """The group-commit unit for a batch: audit records plus their ``screenings`` rows."""

    def after(conn: Connection, records: list[AuditRecord]) -> None:
        conn.execute(insert(screenings), index_rows(outcomes, records))

    return WriteUnit([o.entry() for o in outcomes], after=after)


def save(conn: Connection, outcomes: Sequence[Outcome]) -> list[AuditRecord]:
    """Write outcomes inside an open write transaction (batch jobs such as rescreens)."""
    records = audit.append(conn, [o.entry() for o in outcomes])
    if outcomes:
        conn.execute(insert(screenings), index_rows(outcomes, records))
    return records
