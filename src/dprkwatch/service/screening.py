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
from dataclasses import dataclass, field, replace
from typing import Any

from followthemoney import ValueEntity
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from dprkwatch.matching.provenance import software
from dprkwatch.matching.query import Query, Scope
from dprkwatch.matching.result import Match
from dprkwatch.service import audit, reviews
from dprkwatch.service.algorithms import Algorithms
from dprkwatch.service.audit import AuditEntry, AuditRecord
from dprkwatch.service.committer import Staged, WriteUnit
from dprkwatch.service.index import Loaded
from dprkwatch.service.reviews import Review
from dprkwatch.service.storage.tables import screenings
from dprkwatch.service.subjects import fingerprint

# The most candidates the screener returns for one query.
MAX_CANDIDATES = 100
# Candidates another algorithm scores: yente's rule (ten per result asked
# for, at least 20), capped.
OTHER_CANDIDATES_PER_RESULT = 10
OTHER_CANDIDATES_MIN = 20
OTHER_CANDIDATES_MAX = 500
# Extra candidates asked of the screener so that results dropped afterwards
# do not leave the page short: a few for reviewed false positives, more when
# schema or topic filters apply. (Asking for more than needed is not free: the
# screener scores about three candidates per result asked for.)
HEADROOM = 2
FILTER_HEADROOM = 10

Row = tuple[Match, dict[str, Any] | None, str | None]  # match, listed entity, entity hash
_INSERT_SCREENINGS = insert(screenings)  # built once: every group commit of screenings runs it


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
    """yente's result filters, applied after scoring.

    ``exclude_entity_ids`` may name an entity by any of its referents;
    ``changed_since`` keeps entities whose ``last_change`` is later;
    ``schemata`` (None: any) is what the query's schema can match.
    """

    exclude_schema: frozenset[str] = frozenset()
    exclude_entity_ids: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    changed_since: str | None = None
    schemata: frozenset[str] | None = None

    def keeps(self, m: Match, entity: Mapping[str, Any] | None, loaded: Loaded) -> bool:
        if m.schema in self.exclude_schema:
            return False
        if self.schemata is not None and m.schema not in self.schemata:
            return False
        if self.exclude_entity_ids and self.exclude_entity_ids & loaded.entities.cluster(
            m.entity_id
        ):
            return False
        if self.changed_since is not None:
            meta = loaded.entities.meta.get(m.entity_id)
            changed = meta.seen.last_change if meta is not None and meta.seen else None
            if changed is None or changed <= self.changed_since:
                return False
        if self.topics:
            topics = set((entity or {}).get("properties", {}).get("topics", []))
            return bool(topics & self.topics)
        return True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in vars(self).items():
            if isinstance(value, frozenset) and value:
                out[key] = sorted(value)
            elif isinstance(value, str):
                out[key] = value
        return out


@dataclass(frozen=True)
class Scoring:
    """How a screening scores: which algorithm, with what, and yente's threshold and cutoff.

    ``threshold`` (None: the algorithm's calibrated one) makes a result a
    match; a result scoring at or below ``cutoff`` is not returned at all.
    ``other`` is None for dprkwatch's own matcher, else the nomenklatura
    algorithm's name and ``entity`` the example as an FtM entity.
    """

    threshold: float | None = None
    cutoff: float | None = None
    other: str | None = None
    algorithms: Algorithms | None = None
    entity: ValueEntity | None = None
    weights: Mapping[str, float] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Candidates:
    """A screened query before reviews are applied."""

    query: Query | None
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
    echo: dict[str, Any]
    # Per list screened: publication date, age and why it was stale at screening time.
    staleness: dict[str, dict[str, Any]] = field(default_factory=dict)
    unused: list[dict[str, Any]] = field(default_factory=list)
    window_full: bool = False


@dataclass(frozen=True)
class Outcome:
    """One screened subject after reviews: what is returned, what was suppressed, what is audited."""

    screening_id: str
    query: Query | None
    subject: str
    dataset: str
    results: list[Result]
    suppressed: list[tuple[Result, Review]]
    payload: dict[str, Any]
    actor: str
    total: int = 0
    total_relation: str = "eq"
    echo: dict[str, Any] = field(default_factory=dict)
    unused: list[dict[str, Any]] = field(default_factory=list)

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
            "schema": o.echo.get("schema") or (o.query.schema if o.query else "Thing"),
            "results": len(o.results),
            "matches": len(o.hits),
            "top_score": max(r.hit["score"] for r in o.results) if o.results else None,
            "audit_seq": self.record.seq,
        }


def subject_of(query: Query) -> str:
    return fingerprint(query.schema, query.properties)


def _filtering(filters: Filters) -> bool:
    return bool(
        filters.exclude_schema or filters.topics or filters.changed_since or filters.schemata
    )


def _other(
    loaded: Loaded, query: Query, scoring: Scoring, scope: Scope, limit: int, cut: float
) -> list[Match]:
    """Score the index's candidates for ``query`` with a nomenklatura algorithm."""
    assert scoring.other is not None and scoring.algorithms is not None
    assert scoring.entity is not None
    want = max(OTHER_CANDIDATES_MIN, min(OTHER_CANDIDATES_MAX, limit * OTHER_CANDIDATES_PER_RESULT))
    out: list[Match] = []
    for rec in loaded.screener.candidates(query, want=want, scope=scope):
        data = loaded.entity(rec.id)
        if data is None:
            continue
        result = ValueEntity.from_dict(data, cleaned=True)
        scored = scoring.algorithms.score(
            scoring.other, scoring.entity, result, scoring.weights, scoring.config
        )
        out.append(
            Match(
                entity_id=rec.id,
                schema=rec.schema,
                caption=rec.caption,
                score=scored.score,
                match=scored.score >= cut,
                datasets=[rec.list_name],
                features=scored.features,
                explanation=[f"{k}: {v}" for k, v in scored.details.items()],
                programs=list(rec.programs),
                dprk=rec.dprk,
                query_id=query.id,
                algorithm=scoring.other,
            )
        )
    out.sort(key=lambda m: (-m.score, m.entity_id))
    return out


def screen(
    loaded: Loaded,
    query: Query | None,
    *,
    dataset: str,
    lists: Sequence[str],
    dprk_only: bool,
    limit: int,
    threshold: float | None,
    filters: Filters,
    actor: str,
    caller: Mapping[str, Any],
    scoring: Scoring | None = None,
    echo: Mapping[str, Any] | None = None,
    unused: Sequence[Mapping[str, Any]] = (),
) -> Candidates:
    """Score ``query`` against ``lists`` (CPU only: nothing is read from or written to the database).

    ``query`` is None when nothing in the example could be screened (the
    screening is still recorded, with no results). ``scoring`` chooses the
    algorithm and yente's ``cutoff`` (default: dprkwatch's matcher, every
    result it returns).
    """
    scoring = scoring or Scoring(threshold=threshold)
    cut = float(
        scoring.threshold
        if scoring.threshold is not None
        else threshold
        if threshold is not None
        else loaded.screener.threshold
    )
    matches: list[Match] = []
    top = limit
    if lists and query is not None:  # an empty selection must not widen to "everything"
        scope = Scope(lists=lists, dprk_only=dprk_only)
        extra = FILTER_HEADROOM if _filtering(filters) else HEADROOM
        top = min(MAX_CANDIDATES, limit + extra + len(filters.exclude_entity_ids))
        if scoring.other is None:
            matches = loaded.screener.screen(query, top=top, threshold=cut, scope=scope)
        else:
            matches = _other(loaded, query, scoring, scope, limit, cut)
    rows: list[Row] = []
    for m in matches:
        if scoring.cutoff is not None and m.score <= scoring.cutoff:
            continue
        entity = loaded.entity(m.entity_id)
        if filters.keeps(m, entity, loaded):
            rows.append((m, entity, loaded.entity_hash(m.entity_id)))
    if echo is None:
        echo = query.to_dict() if query is not None else {}
    return Candidates(
        query=query,
        subject=subject_of(query)
        if query is not None
        else fingerprint(str(echo.get("schema")), echo.get("properties") or {}),
        dataset=dataset,
        lists=list(lists),
        versions={name: loaded.versions[name] for name in lists if name in loaded.versions},
        algorithm=scoring.other or loaded.algorithm,
        threshold=cut,
        limit=limit,
        filters=filters,
        rows=rows,
        actor=actor,
        caller=dict(caller),
        staleness=loaded.staleness(list(lists)),
        echo=dict(echo),
        unused=[dict(u) for u in unused],
        window_full=scoring.other is None and len(matches) >= top,
    )


@dataclass(frozen=True)
class Ask:
    """One screening to run: every argument of :func:`screen` but the index.

    Plain data (it pickles), so that the bulk lane can hand it to the process
    that screens big batches (:mod:`dprkwatch.service.bulk`); that process
    holds its own index and its own nomenklatura, given to :meth:`run`.
    """

    query: Query | None
    dataset: str
    lists: tuple[str, ...]
    dprk_only: bool
    limit: int
    threshold: float | None
    filters: Filters
    actor: str
    caller: Mapping[str, Any]
    scoring: Scoring  # its ``algorithms`` is left out: :meth:`run` is given the runner's
    echo: Mapping[str, Any]
    unused: tuple[Mapping[str, Any], ...] = ()

    def run(self, loaded: Loaded, algorithms: Algorithms | None) -> Candidates:
        scoring = (
            replace(self.scoring, algorithms=algorithms) if self.scoring.other else self.scoring
        )
        return screen(
            loaded,
            self.query,
            dataset=self.dataset,
            lists=self.lists,
            dprk_only=self.dprk_only,
            limit=self.limit,
            threshold=self.threshold,
            filters=self.filters,
            actor=self.actor,
            caller=self.caller,
            scoring=scoring,
            echo=self.echo,
            unused=self.unused,
        )


def decide(c: Candidates, verdicts: Mapping[tuple[str, str], Review]) -> Outcome:
    """Apply the subject's reviews and build the audit payload."""
    kept: list[Result] = []
    suppressed: list[tuple[Result, Review]] = []
    total = 0
    for m, entity, current in c.rows:
        verdict = verdicts.get((c.subject, m.entity_id))
        if reviews.is_suppressed(verdict, current):
            assert verdict is not None
            suppressed.append((Result.of((m, entity, current)), verdict))
            continue
        total += int(m.match)
        if len(kept) < c.limit:
            kept.append(Result.of((m, entity, current)))
    # Matches are counted among the candidates scored; when every one of them
    # was a match there may be more beyond the window.
    relation = "gte" if c.window_full and total and total == len(c.rows) else "eq"
    screening_id = audit.new_id()
    payload = {
        "screening_id": screening_id,
        "dataset": c.dataset,
        "lists": c.lists,
        "versions": c.versions,
        "list_staleness": c.staleness,
        "algorithm": c.algorithm,
        "software": software(c.algorithm),
        "threshold": c.threshold,
        "limit": c.limit,
        "filters": c.filters.to_dict(),
        "query": c.echo,
        "subject": c.subject,
        "caller": c.caller,
        "results": [r.audited() for r in kept],
        "suppressed": [
            {**r.audited(), "review_id": v.id, "reviewed_at": v.ts} for r, v in suppressed
        ],
    }
    if c.unused:
        payload["unused"] = c.unused
    return Outcome(
        screening_id,
        c.query,
        c.subject,
        c.dataset,
        kept,
        suppressed,
        payload,
        c.actor,
        total=total,
        total_relation=relation,
        echo=c.echo,
        unused=c.unused,
    )


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
                conn.execute(_INSERT_SCREENINGS, [s.index_row() for s in done])
            return done

        return Staged([o.entry() for o in outcomes], finish)

    return WriteUnit(stage)


def save(conn: Connection, batch: Sequence[Candidates]) -> list[Screening]:
    """Decide and write a batch inside an open write transaction (rescreens)."""
    return unit(batch).commit_in(conn)
