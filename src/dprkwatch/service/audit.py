"""The append-only, hash-chained audit log: append, verify, export.

Every record's hash is SHA-256 over the previous record's hash, a canonical
JSON header (seq, time, kind, actor, ref) and the record's canonical JSON
payload. Changing, removing, inserting or reordering any record therefore
breaks every hash after it, and ``verify`` names the first record where the
chain no longer holds. The newest (seq, hash) is also kept in the
``audit_head`` row; ``verify`` prints it so that an operator can anchor it
elsewhere (a ticket, a signed e-mail) - that is what catches someone who
rewrites the whole chain with their own hashes: ``verify`` takes that anchor
back (``expect_head``) and fails when the chain no longer holds it.

With ``DPRKWATCH_AUDIT_KEY`` set (a secret kept outside the database), every
record also carries ``mac``, an HMAC-SHA256 of its hash under that key.
Because each hash covers every record before it, a valid MAC on the newest
record vouches for the whole chain, and whoever rewrites the chain without
the key cannot sign it again.

Kinds written by the service: ``screening``, ``search``, ``review``,
``key.create``, ``key.attest``, ``key.revoke``, ``login.token``,
``lists.import``, ``book.register``, ``book.remove``, ``rescreen``,
``audit.key``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import BaseModel, Field, computed_field
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from dprkwatch import durable
from dprkwatch.exceptions import InputError
from dprkwatch.service.storage.database import SIGNING_KEY, Database
from dprkwatch.service.storage.tables import audit_head, audit_log

GENESIS = "0" * 64
EXPORT_FORMATS = ("csv", "json", "jsonl")
_MAX_PROBLEMS = 20


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 (orjson's compact output)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def now_iso() -> str:
    """The current UTC time as the service stores it (microseconds, ``Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    """A random 32-hex-digit record id (screenings, reviews, runs)."""
    return uuid.uuid4().hex


def record_hash(
    prev_hash: str, seq: int, ts: str, kind: str, actor: str, ref: str | None, payload: str
) -> str:
    header = canonical(
        {"actor": actor, "kind": kind, "prev": prev_hash, "ref": ref, "seq": seq, "ts": ts}
    )
    h = hashlib.sha256(header)
    h.update(b"\n")
    h.update(payload.encode("utf-8"))
    return h.hexdigest()


def record_mac(key: bytes, digest: str) -> str:
    """The record's signature: HMAC-SHA256 of its hash under the audit key."""
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """Something to append: what happened, who did it, and the full details."""

    kind: str
    actor: str
    payload: Mapping[str, Any]
    ref: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One stored record of the chain."""

    seq: int
    ts: str
    kind: str
    actor: str
    ref: str | None
    payload: str
    prev_hash: str
    hash: str
    mac: str | None = None

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.payload)
        return loaded

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "kind": self.kind,
            "actor": self.actor,
            "ref": self.ref,
            "payload": self.data(),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "mac": self.mac,
        }

    def expected_hash(self) -> str:
        return record_hash(
            self.prev_hash, self.seq, self.ts, self.kind, self.actor, self.ref, self.payload
        )

    def authentic(self, key: bytes | None) -> bool:
        """The content matches the hash and, with ``key``, the hash carries a valid MAC."""
        if self.expected_hash() != self.hash:
            return False
        if key is None:
            return True
        return self.mac is not None and hmac.compare_digest(self.mac, record_mac(key, self.hash))


# Built once: the statements of every append (a statement built per call costs
# SQLAlchemy its construction and cache key each time, most of an append's CPU).
_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
_INSERT = insert(audit_log)
_MOVE_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def append(conn: Connection, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """Append ``entries`` to the chain inside the write transaction ``conn``.

    ``conn`` must come from :meth:`Database.write`, which already holds the
    head row, so reading the head here cannot race another writer (and hands
    over the audit key, when one is set, to sign each record).
    """
    if not entries:
        return []
    key = signing_key(conn)
    head = conn.execute(_HEAD).one()
    seq, prev = int(head.seq), str(head.hash)
    records: list[AuditRecord] = []
    for entry in entries:
        seq += 1
        ts = now_iso()
        payload = canonical(dict(entry.payload)).decode("utf-8")
        digest = record_hash(prev, seq, ts, entry.kind, entry.actor, entry.ref, payload)
        mac = record_mac(key, digest) if key is not None else None
        records.append(
            AuditRecord(seq, ts, entry.kind, entry.actor, entry.ref, payload, prev, digest, mac)
        )
        prev = digest
    conn.execute(
        _INSERT,
        [
            {
                "seq": r.seq,
                "ts": r.ts,
                "kind": r.kind,
                "actor": r.actor,
                "ref": r.ref,
                "payload": r.payload,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
                "mac": r.mac,
            }
            for r in records
        ],
    )
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return records


def record(db: Database, entry: AuditEntry) -> AuditRecord:
    """Append one entry in its own transaction (for rare events; screenings use group commit)."""
    with db.write() as conn:
        return append(conn, [entry])[0]


def signing_key(conn: Connection) -> bytes | None:
    """The audit key :meth:`Database.write` handed to this connection, if any."""
    key = conn.info.get(SIGNING_KEY)
    return key if isinstance(key, bytes) else None


def begin_signing(db: Database, actor: str) -> AuditRecord | None:
    """With an audit key, make sure the newest record is signed (one ``audit.key`` record if not).

    A signed record vouches for every record before it, so this is what lets
    ``verify`` check a log that was kept without a key until now. Returns the
    record written, if one was.
    """
    if db.audit_key is None:
        return None
    with db.write() as conn:
        last = conn.execute(select(audit_log.c.mac).order_by(audit_log.c.seq.desc()).limit(1))
        newest = last.first()
        if newest is not None and newest.mac is not None:
            return None
        fingerprint = record_mac(db.audit_key, "dprkwatch audit key")[:16]
        note = {"note": "records from here on are signed", "key_fingerprint": fingerprint}
        return append(conn, [AuditEntry("audit.key", actor, note)])[0]


def record_of(row: Any) -> AuditRecord:
    """An ``audit_log`` row as a record."""
    return AuditRecord(
        int(row.seq), row.ts, row.kind, row.actor, row.ref, row.payload, row.prev_hash, row.hash,
        row.mac,
    )  # fmt: skip


def get(conn: Connection, seq: int) -> AuditRecord | None:
    row = conn.execute(select(audit_log).where(audit_log.c.seq == seq)).first()
    return record_of(row) if row else None


def iter_records(
    db: Database,
    *,
    kinds: Iterable[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    page: int = 2000,
) -> Iterator[AuditRecord]:
    """Records in chain order, read page by page (keyset pagination on seq)."""
    kinds = list(kinds or [])
    last = 0
    while True:
        query = (
            select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(page)
        )
        if kinds:
            query = query.where(audit_log.c.kind.in_(kinds))
        if since:
            query = query.where(audit_log.c.ts >= since)
        if until:
            query = query.where(audit_log.c.ts < until)
        with db.read() as conn:
            rows = [record_of(r) for r in conn.execute(query)]
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


# -- verification ----------------------------------------------------------


class VerifyReport(BaseModel):
    """The outcome of walking the whole chain (also the ``/audit/verify`` answer)."""

    records: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    signed: int = Field(default=0, description="Records that carry a MAC")
    signatures_checked: bool = Field(
        default=False, description="Whether DPRKWATCH_AUDIT_KEY was set"
    )
    expected_head: str | None = Field(default=None, description="The anchor checked (SEQ:HASH)")
    problems: list[str] = Field(default_factory=list)
    problem_count: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(message)


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` (as ``audit verify`` prints the head) as a pair."""
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError(
            f"expected SEQ:HASH (a record number, a colon, 64 hex digits), got {text[:80]!r}",
            where="expect-head",
        )
    return int(seq), digest


def verify_chain(db: Database, *, expect_head: tuple[int, str] | None = None) -> VerifyReport:
    """Recompute every hash, check the links, the MACs and the anchor; report what does not hold.

    ``expect_head`` is a (seq, hash) written down earlier: the chain must
    still hold that record with that hash, which exposes records cut from
    the end (and the head moved back) and a chain rewritten with fresh
    hashes. With the audit key, every record signed must verify, no record
    after the first signed one may be unsigned, and the newest must be signed.
    """
    key = db.audit_key
    report = VerifyReport(
        signatures_checked=key is not None,
        expected_head=f"{expect_head[0]}:{expect_head[1]}" if expect_head else None,
    )
    prev_seq, prev_hash = 0, GENESIS
    signing = newest_signed = False
    anchor_seen = False
    for rec in iter_records(db):
        report.records += 1
        if rec.seq != prev_seq + 1:
            report.problem(
                f"seq {rec.seq}: expected seq {prev_seq + 1} (records removed or inserted)"
            )
        if rec.prev_hash != prev_hash:
            report.problem(f"seq {rec.seq}: does not link to the record before it")
        if rec.expected_hash() != rec.hash:
            report.problem(f"seq {rec.seq}: content does not match its hash (record altered)")
        if rec.mac is not None:
            report.signed += 1
        if key is not None:
            if rec.mac is not None:
                signing = True
                if not hmac.compare_digest(rec.mac, record_mac(key, rec.hash)):
                    report.problem(
                        f"seq {rec.seq}: its MAC does not match (rewritten without the audit key)"
                    )
            elif signing:
                report.problem(
                    f"seq {rec.seq}: not signed although earlier records are (written without "
                    "DPRKWATCH_AUDIT_KEY, or rewritten)"
                )
            newest_signed = rec.mac is not None
        if expect_head is not None and rec.seq == expect_head[0]:
            anchor_seen = True
            if rec.hash != expect_head[1]:
                report.problem(
                    f"seq {rec.seq}: hash differs from the expected head (the chain was "
                    "rewritten at or before it)"
                )
        prev_seq, prev_hash = rec.seq, rec.hash
    if expect_head is not None and not anchor_seen:
        report.problem(
            f"the chain ends at seq {prev_seq}, before the expected head seq {expect_head[0]} "
            "(records cut from the end)"
        )
    if key is not None and report.records and not newest_signed:
        report.problem(
            f"the newest record (seq {prev_seq}) is not signed with DPRKWATCH_AUDIT_KEY "
            "(the tail was rewritten, or no write has happened since the key was set)"
        )
    head = db.head()
    if head is None:
        report.problem("no audit head: the database was never migrated")
    else:
        report.head_seq, report.head_hash = head
        if head != (prev_seq, prev_hash):
            report.problem(
                f"head says seq {head[0]} but the chain ends at seq {prev_seq} "
                "(records removed from the end, or the head altered)"
            )
    return report


# -- export ----------------------------------------------------------------

CSV_COLUMNS = (
    "seq",
    "ts",
    "kind",
    "actor",
    "ref",
    "dataset",
    "algorithm",
    "versions",
    "stale_lists",
    "payload",
    "prev_hash",
    "hash",
)


def _csv_row(rec: AuditRecord) -> dict[str, Any]:
    data = rec.data()
    versions = data.get("versions")
    return {
        "seq": rec.seq,
        "ts": rec.ts,
        "kind": rec.kind,
        "actor": rec.actor,
        "ref": rec.ref or "",
        "dataset": data.get("dataset", ""),
        "algorithm": data.get("algorithm", ""),
        "versions": " ".join(f"{k}@{v}" for k, v in sorted(versions.items()))
        if isinstance(versions, dict)
        else "",
        "stale_lists": _stale_lists(data.get("list_staleness")),
        "payload": rec.payload,
        "prev_hash": rec.prev_hash,
        "hash": rec.hash,
    }


def _stale_lists(staleness: Any) -> str:
    """``un: published ... days ago ...; uk: source retired ...``: what a screening was told.

    Screenings recorded before list staleness was audited carry none; their
    cell stays empty rather than being judged now.
    """
    if not isinstance(staleness, dict):
        return ""
    return "; ".join(
        f"{name}: {warning}"
        for name, facts in sorted(staleness.items())
        if isinstance(facts, dict)
        for warning in facts.get("warnings", [])
    )


def check_format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            f"unknown export format {fmt!r} (use one of: {', '.join(EXPORT_FORMATS)})",
            where="format",
        )
    return fmt


def export_chunks(records: Iterable[AuditRecord], fmt: str) -> Iterator[str]:
    """The export as text chunks (so the HTTP API can stream it).

    ``csv`` has one row per record with the list versions and algorithm
    pulled out of screening payloads; ``json`` is one array; ``jsonl`` is
    one object per line. Every format keeps ``prev_hash`` and ``hash`` so an
    exported file can be re-verified on its own.
    """
    check_format(fmt)
    if fmt == "csv":
        yield ",".join(CSV_COLUMNS) + "\r\n"
        for rec in records:
            yield _csv_line(_csv_row(rec))
    elif fmt == "jsonl":
        for rec in records:
            yield orjson.dumps(rec.to_dict()).decode("utf-8") + "\n"
    else:
        yield "["
        first = True
        for rec in records:
            yield ("\n" if first else ",\n") + orjson.dumps(rec.to_dict()).decode("utf-8")
            first = False
        yield "\n]\n"


class _Line:
    """A file-like sink that keeps what the csv module writes to it."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> int:
        self.text += s
        return len(s)


def _csv_line(row: Mapping[str, Any]) -> str:
    sink = _Line()
    csv.DictWriter(sink, fieldnames=CSV_COLUMNS).writerow(row)
    return sink.text


def export(db: Database, out: IO[str], fmt: str, **filters: Any) -> int:
    """Write the export to ``out``; returns the number of records written."""
    count = 0

    def counted() -> Iterator[AuditRecord]:
        nonlocal count
        for rec in iter_records(db, **filters):
            count += 1
            yield rec

    for chunk in export_chunks(counted(), fmt):
        out.write(chunk)
    return count


def export_file(db: Database, path: Path, fmt: str, **filters: Any) -> int:
    """Export to ``path`` atomically: a temporary file, fsynced, then renamed over it."""
    check_format(fmt)
    with durable.replacing(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        count = export(db, fh, fmt, **filters)
    return count
