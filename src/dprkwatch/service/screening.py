"""One screening: screen a query, drop reviewed false positives, build the audit record.

Used by ``POST /match`` (one screening per query in the batch) and by delta
screening of registered books; both write the same record to the audit
chain, so every screening - asked for or automatic - can be defended later
with the query, the results, the list versions, the algorithm and the
caller. The record is written before any answer leaves the service.

A screening happens in two steps. :func:`screen` does the CPU work (scoring
candidates) outside any transaction. :func:`decide` then runs *inside* the
write transaction that commits the audit record: it reads the reviews of
the subject there, so whether a hit is suppressed is decided in the same
order as the reviews were committed - a screening committed after a review
always sees it, whichever process handled either - and a batch of
screenings shares one read of the reviews table.
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
# do not leave the page short: a few for reviewed false positives, more when
# schema or topic filters apply. (Asking for more than needed is not free: the
# screener scores about three candidates per result asked for.)
HEADROOM = 2
FILTER_HEADROOM = 10

Row = tuple[Match, dict[str, Any] | None, str | None]  # match, listed entity, entity hash


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
class Candidates:
    """A screened query before reviews are applied."""

    query: Query
    subject: str
    dataset: str
    lists: list[str]
    versions: dict[str, str]
    algorithm: str
    threshold: float
    limit: int
    filters: Filters
    rows: list[Row]
    actor: str
    caller: dict[str, Any]


@dataclass
class Outcome:
    """One screened subject: what is returned, what was suppressed, what is audited."""

    screening_id: str
    query: Query
    subject: str
    dataset: str
    results: list[Row]
    suppressed: list[tuple[Match, Review, str]]
    payload: dict[str, Any]
    actor: str
    record: AuditRecord | None = field(default=None)

    @property
    def hits(self) -> list[Row]:
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
    actor: str,
    caller: Mapping[str, Any],
) -> Candidates:
    """Score ``query`` against ``lists`` (CPU only: nothing is read from or written to the database)."""
    matches: list[Match] = []
    if lists:  # an empty selection must not widen to "everything"
        scope = Scope(lists=lists, dprk_only=dprk_only)
        extra = FILTER_HEADROOM if filters.exclude_schema or filters.topics else HEADROOM
        top = min(MAX_CANDIDATES, limit + extra + len(filters.exclude_entity_ids))
        matches = loaded.screener.screen(query, top=top, threshold=threshold, scope=scope)
    rows: list[Row] = []
    for m in matches:
        entity = loaded.entity(m.entity_id)
        if filters.keeps(m, entity):
            rows.append((m, entity, loaded.entity_hash(m.entity_id)))
    return Candidates(
        query=query,
        subject=subject_of(query),
        dataset=dataset,
        lists=list(lists),
        versions={name: loaded.versions[name] for name in lists if name in loaded.versions},
        algorithm=loaded.algorithm,
        threshold=float(threshold if threshold is not None else loaded.screener.threshold),
        limit=limit,
        filters=filters,
        rows=rows,
        actor=actor,
        caller=dict(caller),
    )


def decide(c: Candidates, verdicts: Mapping[tuple[str, str], Review]) -> Outcome:
    """Apply the subject's reviews and build the audit payload."""
    kept: list[Row] = []
    suppressed: list[tuple[Match, Review, str]] = []
    for m, entity, current in c.rows:
        verdict = verdicts.get((c.subject, m.entity_id))
        if reviews.is_suppressed(verdict, current):
            assert verdict is not None and current is not None
            suppressed.append((m, verdict, current))
        elif len(kept) < c.limit:
            kept.append((m, entity, current))
    screening_id = audit.new_id()
    payload = {
        "screening_id": screening_id,
        "dataset": c.dataset,
        "lists": c.lists,
        "versions": c.versions,
        "algorithm": c.algorithm,
        "threshold": c.threshold,
        "limit": c.limit,
        "filters": c.filters.to_dict(),
        "query": c.query.to_dict(),
        "subject": c.subject,
        "caller": c.caller,
        "results": [_audited(m, h) for m, _e, h in kept],
        "suppressed": [
            {**_audited(m, h), "review_id": r.id, "reviewed_at": r.ts} for m, r, h in suppressed
        ],
    }
    return Outcome(screening_id, c.query, c.subject, c.dataset, kept, suppressed, payload, c.actor)


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


def decide_all(conn: Connection, batch: Sequence[Candidates]) -> list[Outcome]:
    """Read the reviews of every subject in ``batch`` (in ``conn``'s transaction) and decide each."""
    verdicts = reviews.latest(conn, (c.subject for c in batch if c.rows))
    return [decide(c, verdicts) for c in batch]


def index_rows(outcomes: Sequence[Outcome], records: Sequence[AuditRecord]) -> list[dict[str, Any]]:
    """Rows for the ``screenings`` table, one per outcome, pointing at its audit record."""
    rows = []
    for o, rec in zip(outcomes, records, strict=True):
        o.record = rec
        rows.append(
            {
                "id": o.screening_id,
                "ts": rec.ts,
                "actor": o.actor,
                "dataset": o.dataset,
                "subject": o.subject,
                "schema": o.query.schema,
                "results": len(o.results),
                "matches": len(o.hits),
                "top_score": round(max(m.score for m, _e, _h in o.results), 4)
                if o.results
                else None,
                "audit_seq": rec.seq,
            }
        )
    return rows


class PendingBatch:
    """A batch of screenings handed to the group committer; holds the outcomes once committed."""

    def __init__(self, batch: Sequence[Candidates]) -> None:
        self.batch = list(batch)
        self.outcomes: list[Outcome] = []

    def unit(self) -> WriteUnit:
        def build(conn: Connection) -> list[AuditEntry]:
            self.outcomes = decide_all(conn, self.batch)
            return [o.entry() for o in self.outcomes]

        def after(conn: Connection, records: list[AuditRecord]) -> None:
            conn.execute(insert(screenings), index_rows(self.outcomes, records))

        return WriteUnit(build=build, after=after)


def save(conn: Connection, batch: Sequence[Candidates]) -> list[Outcome]:
    """Decide and write a batch inside an open write transaction (rescreens)."""
    outcomes = decide_all(conn, batch)
    records = audit.append(conn, [o.entry() for o in outcomes])
    if outcomes:
        conn.execute(insert(screenings), index_rows(outcomes, records))
    return outcomes
