"""Decision inputs count only when the audit log vouches for them.

The hash chain protects the audit log, but decisions are also read from
ordinary tables: a row in ``reviews`` suppresses a hit, a row in
``api_keys`` lets a caller in. The probe of 2026-12-06 inserted a review
straight into ``reviews`` (KIM Yo Jong vanished from a screening) and added
and un-revoked keys in ``api_keys``; ``audit verify`` still said ok. So:

* a **review** is honoured only if the audit record at its ``audit_seq`` is
  that review (kind, id, actor, subject, entity, entity hash, verdict,
  reason) and is intact (:func:`review_vouched`);
* a **key** is honoured only if a ``key.create`` (or ``key.attest``) record
  names its id, hash, roles and expiry, and no ``key.revoke`` record revokes
  it (:func:`key_vouched`);
* :func:`verify` walks the chain (:func:`dprkwatch.service.audit.verify_chain`)
  and then checks every review, key and screening row against its record,
  and every review record against its row.

"Intact" means the record's content matches its hash and, with
``DPRKWATCH_AUDIT_KEY`` set, its MAC. Without the key, someone who can
write to the database could still forge a review *together with* a
well-formed record at the end of the chain; the head anchored elsewhere
(``audit verify --expect-head``) or the key exposes that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from dprkwatch.service import audit
from dprkwatch.service.audit import AuditRecord, VerifyReport
from dprkwatch.service.exceptions import AuditIntegrityError, DatabaseUnavailable
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import api_keys, audit_log, reviews, screenings

KEY_GRANTS = ("key.create", "key.attest")
_REVIEW_FIELDS = ("screening_id", "subject", "entity_id", "entity_hash", "verdict", "reason")


def review_vouched(review: Mapping[Any, Any], rec: AuditRecord | None, key: bytes | None) -> bool:
    """Whether ``rec`` is the intact audit record of the review row ``review``."""
    if rec is None or rec.kind != "review" or rec.ref != review["id"]:
        return False
    if rec.actor != review["actor"] or not rec.authentic(key):
        return False
    data = _data(rec)
    return data.get("review_id") == review["id"] and all(
        data.get(f) == review[f] for f in _REVIEW_FIELDS
    )


def key_records(conn: Connection, key_ids: Iterable[str]) -> dict[str, list[AuditRecord]]:
    """The audit records about these keys (creation, attestation, revocation)."""
    wanted = sorted(set(key_ids))
    found: dict[str, list[AuditRecord]] = {k: [] for k in wanted}
    if not wanted:
        return found
    rows = conn.execute(
        select(audit_log)
        .where(audit_log.c.ref.in_(wanted), audit_log.c.kind.in_([*KEY_GRANTS, "key.revoke"]))
        .order_by(audit_log.c.seq)
    )
    for row in rows:
        rec = audit.record_of(row)
        found.setdefault(str(rec.ref), []).append(rec)
    return found


def key_vouched(row: Mapping[Any, Any], records: Iterable[AuditRecord], key: bytes | None) -> bool:
    """Whether the log grants the key row ``row`` (hash, roles, expiry) and never revoked it."""
    granted = False
    for rec in records:
        if not rec.authentic(key):
            continue
        if rec.kind == "key.revoke":
            return False
        stated = _data(rec).get("key") or {}
        if (
            stated.get("id") == row["id"]
            and stated.get("key_hash") == row["key_hash"]
            and sorted(stated.get("roles") or []) == sorted(r for r in row["roles"].split(",") if r)
            and stated.get("expires_at") == row["expires_at"]
        ):
            granted = True
    return granted


# -- verify ------------------------------------------------------------------


def verify(db: Database, *, expect_head: tuple[int, str] | None = None) -> VerifyReport:
    """The chain (as :func:`audit.verify_chain`), then every decision row against its record."""
    try:
        report = audit.verify_chain(db, expect_head=expect_head)
        with db.read() as conn:
            _check_reviews(conn, report, db.audit_key)
            _check_keys(conn, report, db.audit_key)
            _check_screenings(conn, report)
    except (DatabaseUnavailable, DatabaseError, ValueError, TypeError) as exc:
        # A file that is not a database, a malformed page, a table gone, a
        # garbled row: one line, exit 6, never a traceback.
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise AuditIntegrityError(
            "cannot read the audit log (database damaged or unreachable): "
            + (detail[0] if detail else type(exc).__name__)
        ) from None
    return report


def _check_reviews(conn: Connection, report: VerifyReport, key: bytes | None) -> None:
    joined = conn.execute(
        select(reviews, *[c.label(f"a_{c.name}") for c in audit_log.c]).outerjoin(
            audit_log, audit_log.c.seq == reviews.c.audit_seq
        )
    )
    rows = set()
    for row in joined:
        m = row._mapping
        rows.add(m["id"])
        rec = record_from(m, "a_")
        if not review_vouched(m, rec, key):
            report.problem(
                f"review {m['id']}: its audit record (seq {m['audit_seq']}) is missing or says "
                "otherwise, so it is not honoured (row written outside the service?)"
            )
    for (ref,) in conn.execute(select(audit_log.c.ref).where(audit_log.c.kind == "review")):
        if ref not in rows:
            report.problem(f"review {ref}: audited but missing from the reviews table")


def _check_keys(conn: Connection, report: VerifyReport, key: bytes | None) -> None:
    rows = [r._mapping for r in conn.execute(select(api_keys))]
    records = key_records(conn, [r["id"] for r in rows])
    for row in rows:
        history = records.get(row["id"], [])
        revoked = any(r.kind == "key.revoke" for r in history)
        if row["revoked_at"] is None and not key_vouched(row, history, key):
            why = "revoked in the audit log" if revoked else "not granted by the audit log"
            report.problem(f"API key {row['id']}: active in the table but {why}")


def _check_screenings(conn: Connection, report: VerifyReport) -> None:
    joined = conn.execute(
        select(screenings.c.id, screenings.c.audit_seq, audit_log.c.kind, audit_log.c.ref)
        .outerjoin(audit_log, audit_log.c.seq == screenings.c.audit_seq)
        .order_by(screenings.c.audit_seq)
    )
    for sid, seq, kind, ref in joined:
        if kind != "screening" or ref != sid:
            report.problem(f"screening {sid}: no matching audit record at seq {seq}")


def _data(rec: AuditRecord) -> dict[str, Any]:
    """The payload, or nothing when it is not a JSON object (a damaged row vouches for nothing)."""
    try:
        data = rec.data()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def record_from(m: Mapping[Any, Any], prefix: str) -> AuditRecord | None:
    """The audit record whose columns a join labelled ``<prefix><column>`` (``None`` if absent)."""
    if m[f"{prefix}seq"] is None:
        return None
    return AuditRecord(
        int(m[f"{prefix}seq"]), m[f"{prefix}ts"], m[f"{prefix}kind"], m[f"{prefix}actor"],
        m[f"{prefix}ref"], m[f"{prefix}payload"], m[f"{prefix}prev_hash"], m[f"{prefix}hash"],
        m[f"{prefix}mac"],
    )  # fmt: skip
