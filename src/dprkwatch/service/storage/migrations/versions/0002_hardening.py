"""Hardening: audit rows only appended at the end, signed records, keys attested and expiring,
resumable rescreens, one-time workbench links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

* ``audit_log`` gets a ``BEFORE INSERT`` trigger that refuses any ``seq`` but
  the next one: ``INSERT OR REPLACE`` (SQLite) replaced a row without firing
  the ``DELETE`` trigger, and an inserted row in the middle of the chain
  went unnoticed until ``verify``. It also gets ``mac``, the record's
  HMAC-SHA256 under ``DPRKWATCH_AUDIT_KEY`` when that is set.
* Every API key that exists now is attested in the audit log (a
  ``key.attest`` record with its hash and roles): from now on a key is
  honoured only when the log vouches for it, and keys created before this
  revision had no hash in their ``key.create`` record.
* ``api_keys.expires_at``: workbench sessions get keys that expire.
* ``rescreen_runs.cursor`` and ``owner``: where a run got to (committed with
  each page) and which process runs it, so an interrupted run resumes.
* ``login_tokens``: the one-time links ``dprkwatch run`` prints.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ATTEST_ACTOR = "migration:0002"


def _canonical(obj: object) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def _record_hash(
    prev: str, seq: int, ts: str, kind: str, actor: str, ref: str, payload: str
) -> str:
    # The chain's hash as of this revision, written out so that later changes
    # to the package cannot change what this migration appends.
    header = _canonical(
        {"actor": actor, "kind": kind, "prev": prev, "ref": ref, "seq": seq, "ts": ts}
    )
    h = hashlib.sha256(header)
    h.update(b"\n")
    h.update(payload.encode("utf-8"))
    return h.hexdigest()


def _attest_existing_keys() -> None:
    bind = op.get_bind()
    keys = bind.execute(
        sa.text(
            "SELECT id, name, roles, key_hash, created_at, created_by, revoked_at "
            "FROM api_keys ORDER BY created_at, id"
        )
    ).all()
    if not keys:
        return
    head = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    seq, prev = int(head.seq), str(head.hash)
    for key in keys:
        seq += 1
        ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload = _canonical(
            {
                "key": {
                    "id": key.id,
                    "name": key.name,
                    "roles": sorted(r for r in key.roles.split(",") if r),
                    "key_hash": key.key_hash,
                    "created_at": key.created_at,
                    "created_by": key.created_by,
                    "revoked_at": key.revoked_at,
                    "expires_at": None,
                },
                "reason": "a key that existed when key hashes began to be audited",
            }
        ).decode("utf-8")
        digest = _record_hash(prev, seq, ts, "key.attest", ATTEST_ACTOR, key.id, payload)
        bind.execute(
            sa.text(
                "INSERT INTO audit_log (seq, ts, kind, actor, ref, payload, prev_hash, hash) "
                "VALUES (:seq, :ts, 'key.attest', :actor, :ref, :payload, :prev, :hash)"
            ),
            {"seq": seq, "ts": ts, "actor": ATTEST_ACTOR, "ref": key.id, "payload": payload,
             "prev": prev, "hash": digest},
        )  # fmt: skip
        prev = digest
    bind.execute(
        sa.text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
        {"seq": seq, "hash": prev},
    )


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("mac", sa.String(64), nullable=True))
    op.add_column("api_keys", sa.Column("expires_at", sa.String(32), nullable=True))
    op.add_column("rescreen_runs", sa.Column("cursor", sa.Text, nullable=True))
    op.add_column("rescreen_runs", sa.Column("owner", sa.String(200), nullable=True))
    op.create_table(
        "login_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("roles", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("used_at", sa.String(32), nullable=True),
    )
    _attest_existing_keys()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION dprkwatch_audit_append_at_end() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.seq <> (SELECT COALESCE(MAX(seq), 0) FROM audit_log) + 1 THEN "
            "RAISE EXCEPTION 'audit_log is append-only: seq % is not the next one', NEW.seq; "
            "END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_at_end BEFORE INSERT ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION dprkwatch_audit_append_at_end()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_log_append_at_end BEFORE INSERT ON audit_log "
            "WHEN NEW.seq <> (SELECT COALESCE(MAX(seq), 0) FROM audit_log) + 1 "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: that seq is not the next one'); "
            "END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_at_end ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS dprkwatch_audit_append_at_end()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_at_end")
    op.drop_table("login_tokens")
    # Columns are dropped in place (SQLite 3.35+ and PostgreSQL both can), so
    # audit_log keeps its append-only triggers and no table is rebuilt.
    for table, column in (
        ("rescreen_runs", "owner"),
        ("rescreen_runs", "cursor"),
        ("api_keys", "expires_at"),
        ("audit_log", "mac"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
