"""Reviews of hits, and the false-positive suppressions they create.

A reviewer looks at one result of one screening and records a verdict -
``true_match`` or ``false_positive`` - with a reason. The review stores the
screening's subject fingerprint and the listed entity's content hash *as
the reviewer saw it*. Later screenings of the same subject skip that entity
while its content hash is unchanged; any change to the list entry (a new
alias, an IMO number, a programme) brings the hit back for a fresh look.
The newest review of a (subject, entity) pair wins, so a later
``true_match`` lifts an earlier false-positive verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection

from dprkwatch.exceptions import InputError
from dprkwatch.service import audit, integrity
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.keys import Principal
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import audit_log, reviews, screenings

VERDICTS = ("true_match", "false_positive")


class Review(BaseModel):
    """A verdict on one result of one screening (also the ``/reviews`` answer)."""

    model_config = ConfigDict(frozen=True)

    id: str
    ts: str
    actor: str
    screening_id: str
    subject: str
    entity_id: str
    entity_hash: str
    verdict: str
    reason: str
    audit_seq: int


class StoredScreening(BaseModel):
    """A screening record as the audit log holds it (also the ``/screenings/{id}`` answer)."""

    model_config = ConfigDict(frozen=True)

    id: str
    ts: str
    actor: str
    audit_seq: int
    hash: str
    record: dict[str, Any]


def get_screening(db: Database, screening_id: str) -> StoredScreening:
    """A screening record as the audit log holds it."""
    with db.read() as conn:
        return _screening(conn, screening_id, db.audit_key)


def _screening(conn: Connection, screening_id: str, key: bytes | None) -> StoredScreening:
    row = conn.execute(select(screenings).where(screenings.c.id == screening_id)).first()
    if row is None:
        raise RecordNotFound(f"no screening with id {screening_id!r}")
    rec = audit.get(conn, int(row.audit_seq))
    if (
        rec is None or rec.kind != "screening" or rec.ref != screening_id or not rec.authentic(key)
    ):  # only if the tables were tampered with
        raise RecordNotFound(
            f"screening {screening_id!r} has no intact audit record (seq {row.audit_seq})"
        )
    return StoredScreening(
        id=row.id, ts=row.ts, actor=row.actor, audit_seq=rec.seq, hash=rec.hash, record=rec.data()
    )


def submit(
    db: Database, screening_id: str, entity_id: str, verdict: str, reason: str, principal: Principal
) -> Review:
    """Record a verdict on one result of a screening (and audit it in the same transaction)."""
    if verdict not in VERDICTS:
        raise InputError(
            f"unknown verdict {verdict!r} (use {' or '.join(VERDICTS)})", where="verdict"
        )
    reason = reason.strip()
    if not reason:
        raise InputError("a review needs a reason", where="reason")
    with db.write() as conn:
        screening = _screening(conn, screening_id, db.audit_key)
        listed = screening.record.get("results", []) + screening.record.get("suppressed", [])
        seen = next((r for r in listed if r.get("id") == entity_id), None)
        if seen is None:
            raise InputError(
                f"entity {entity_id!r} is not a result of screening {screening_id!r}",
                where="entity_id",
            )
        review_id = audit.new_id()
        payload = {
            "review_id": review_id,
            "screening_id": screening_id,
            "subject": screening.record["subject"],
            "entity_id": entity_id,
            "entity_hash": seen["entity_hash"],
            "verdict": verdict,
            "reason": reason,
            "caller": {"key_id": principal.key_id, "name": principal.name},
        }
        (rec,) = audit.append(conn, [AuditEntry("review", principal.actor, payload, ref=review_id)])
        review = Review(
            id=review_id,
            ts=rec.ts,
            actor=principal.actor,
            screening_id=screening_id,
            subject=screening.record["subject"],
            entity_id=entity_id,
            entity_hash=seen["entity_hash"],
            verdict=verdict,
            reason=reason,
            audit_seq=rec.seq,
        )
        conn.execute(insert(reviews).values(**review.model_dump()))
    return review


def _review(row: Any) -> Review:
    return Review(
        id=row.id, ts=row.ts, actor=row.actor, screening_id=row.screening_id, subject=row.subject,
        entity_id=row.entity_id, entity_hash=row.entity_hash, verdict=row.verdict,
        reason=row.reason, audit_seq=int(row.audit_seq),
    )  # fmt: skip


# The reviews of some subjects with their audit records: read in every group
# commit of screenings, so built once (``subjects`` is an expanding parameter).
_LATEST = (
    select(reviews, *[c.label(f"a_{c.name}") for c in audit_log.c])
    .outerjoin(audit_log, audit_log.c.seq == reviews.c.audit_seq)
    .where(reviews.c.subject.in_(bindparam("subjects", expanding=True)))
    .order_by(reviews.c.audit_seq)
)


def latest(conn: Connection, subjects: Iterable[str]) -> dict[tuple[str, str], Review]:
    """The newest review of every (subject, entity) pair for these subjects."""
    wanted = sorted(set(subjects))
    if not wanted:
        return {}
    # A review counts only with its audit record: a row written straight into
    # the table (it once made a real hit vanish) changes nothing.
    rows = conn.execute(_LATEST, {"subjects": wanted})
    key = audit.signing_key(conn)
    return {
        (r.subject, r.entity_id): _review(r)
        for r in rows
        if integrity.review_vouched(r._mapping, integrity.record_from(r._mapping, "a_"), key)
    }


def list_reviews(
    db: Database, *, subject: str | None = None, entity_id: str | None = None, limit: int = 100
) -> list[Review]:
    query = select(reviews).order_by(reviews.c.audit_seq.desc()).limit(limit)
    if subject:
        query = query.where(reviews.c.subject == subject)
    if entity_id:
        query = query.where(reviews.c.entity_id == entity_id)
    with db.read() as conn:
        return [_review(r) for r in conn.execute(query)]


def is_suppressed(review: Review | None, current_hash: str | None) -> bool:
    """Whether a hit is suppressed: reviewed false positive, entity unchanged since."""
    return (
        review is not None
        and review.verdict == "false_positive"
        and current_hash is not None
        and review.entity_hash == current_hash
    )
