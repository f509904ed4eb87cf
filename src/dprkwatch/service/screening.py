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

Each result is serialised once, by :meth:`Match.to_dict`, when it is kept
(:class:`Result`). The audit record and every answer (``/match``, the
rescreen alerts) are built from that one value, so what was recorded and
what was answered cannot drift apart.
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
from dprkwatch.service.committer import Staged, WriteUnit
from dprkwatch.service.index import Loaded
from dprkwatch.service.reviews import Review
from dprkwatch.service.storage.tables import screenings
from dprkwatch.service.subjects import fingerprint

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
class Result:
    """One result of a screening: the hit as serialised once, the listed entity and its hash."""

    hit: dict[str, Any]  # Match.to_dict(): the one serialised form of a hit
    entity: dict[str, Any] | None
    entity_hash: str | None

    @classmethod
    def of(cls, row: Row) -> Result:
        m, entity, entity_hash = row
        return cls(m.to_dict(), entity, entity_hash)

    @property
    def entity_id(self) -> str:
        entity_id: str = self.hit["entity_id"]
        return entity_id

    @property
    def is_match(self) -> bool:
        return bool(self.hit["match"])

    def audited(self) -> dict[str, Any]:
        """The result as the audit record keeps it."""
        h = self.hit
        return {
            "id": h["entity_id"],
            "schema": h["schema"],
            "caption": h["caption"],
            "score": h["score"],
            "match": h["match"],
            "datasets": h["datasets"],
            "entity_hash": self.entity_hash,
            "features": h["features"],
            "explanation": h["explanation"],
        }


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
    # Per list screened: publication date, age and why it was stale at screening time.
    staleness: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """One screened subject after reviews: what is returned, what was suppressed, what is audited."""

    screening_id: str
    query: Query
    subject: str
    dataset: str
    results: list[Result]
    suppressed: list[tuple[Result, Review]]
    payload: dict[str, Any]
    actor: str

    @property
    def hits(self) -> list[Result]:
        return [r for r in self.results if r.is_match]

    def entry(self) -> AuditEntry:
        return AuditEntry("screening", self.actor, self.payload, ref=self.screening_id)


@dataclass(frozen=True)
class Screening:
    """A committed screening: the outcome and the audit record it became."""

    outcome: Outcome
    record: AuditRecord

    def index_row(self) -> dict[str, Any]:
        """The row for the ``screenings`` table, pointing at the audit record."""
        o = self.outcome
        return {
            "id": o.screening_id,
            "ts": self.record.ts,
            "actor": o.actor,
            "dataset": o.dataset,
            "subject": o.subject,
            "schema": o.query.schema,
            "results": len(o.results),
            "matches": len(o.hits),
            "top_score": max(r.hit["score"] for r in o.results) if o.results else None,
            "audit_seq": self.record.seq,
        }


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
        staleness=loaded.staleness(list(lists)),
    )


def decide(c: Candidates, verdicts: Mapping[tuple[str, str], Review]) -> Outcome:
    """Apply the subject's reviews and build the audit payload."""
    kept: list[Result] = []
    suppressed: list[tuple[Result, Review]] = []
    for m, entity, current in c.rows:
        verdict = verdicts.get((c.subject, m.entity_id))
        if reviews.is_suppressed(verdict, current):
            assert verdict is not None
            suppressed.append((Result.of((m, entity, current)), verdict))
        elif len(kept) < c.limit:
            kept.append(Result.of((m, entity, current)))
    screening_id = audit.new_id()
    payload = {
        "screening_id": screening_id,
        "dataset": c.dataset,
        "lists": c.lists,
        "versions": c.versions,
        "list_staleness": c.staleness,
        "algorithm": c.algorithm,
        "threshold": c.threshold,
        "limit": c.limit,
        "filters": c.filters.to_dict(),
        "query": c.query.to_dict(),
        "subject": c.subject,
        "caller": c.caller,
        "results": [r.audited() for r in kept],
        "suppressed": [
            {**r.audited(), "review_id": v.id, "reviewed_at": v.ts} for r, v in suppressed
        ],
    }
    return Outcome(screening_id, c.query, c.subject, c.dataset, kept, suppressed, payload, c.actor)


def decide_all(conn: Connection, batch: Sequence[Candidates]) -> list[Outcome]:
    """Read the reviews of every subject in ``batch`` (in ``conn``'s transaction) and decide each."""
    verdicts = reviews.latest(conn, (c.subject for c in batch if c.rows))
    return [decide(c, verdicts) for c in batch]


def unit(batch: Sequence[Candidates]) -> WriteUnit[list[Screening]]:
    """The write of a batch: decide it in the transaction, append its records, index them."""
    pending = list(batch)

    def stage(conn: Connection) -> Staged[list[Screening]]:
        outcomes = decide_all(conn, pending)

        def finish(conn: Connection, records: list[AuditRecord]) -> list[Screening]:
            done = [Screening(o, r) for o, r in zip(outcomes, records, strict=True)]
            if done:
                conn.execute(insert(screenings), [s.index_row() for s in done])
            return done

        return Staged([o.entry() for o in outcomes], finish)

    return WriteUnit(stage)


def save(conn: Connection, batch: Sequence[Candidates]) -> list[Screening]:
    """Decide and write a batch inside an open write transaction (rescreens)."""
    return unit(batch).commit_in(conn)
