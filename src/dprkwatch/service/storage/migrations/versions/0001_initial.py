"""Initial schema: API keys, the hash-chained audit log, screenings, reviews, books, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

The audit log is made append-only inside the database as well: triggers
refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so tampering needs a
deliberate schema change, and ``dprkwatch audit verify`` still catches it
through the hash chain.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("ref", sa.String(100), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_kind_ts", "audit_log", ["kind", "ts"])
    op.create_index("ix_audit_log_ref", "audit_log", ["ref"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("dataset", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("schema", sa.String(60), nullable=False),
        sa.Column("results", sa.Integer, nullable=False),
        sa.Column("matches", sa.Integer, nullable=False),
        sa.Column("top_score", sa.Float, nullable=True),
        sa.Column("audit_seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_screenings_subject", "screenings", ["subject"])
    op.create_index("ix_screenings_ts", "screenings", ["ts"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("screening_id", sa.String(32), sa.ForeignKey("screenings.id"), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("entity_hash", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("audit_seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_reviews_subject_entity", "reviews", ["subject", "entity_id"])
    op.create_table(
        "books",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("dataset", sa.String(60), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("subjects", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "book_subjects",
        sa.Column(
            "book",
            sa.String(100),
            sa.ForeignKey("books.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column("schema", sa.String(60), nullable=False),
        sa.Column("properties", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )
    op.create_table(
        "subject_hits",
        sa.Column(
            "book",
            sa.String(100),
            sa.ForeignKey("books.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("entity_hash", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
    )
    op.create_table(
        "rescreen_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("trigger", sa.String(100), nullable=False),
        sa.Column("books", sa.Text, nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("algorithm", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("subjects", sa.Integer, nullable=False),
        sa.Column("alerts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_table(
        "alerts",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("rescreen_runs.id"), nullable=False),
        sa.Column("book", sa.String(100), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_alerts_run", "alerts", ["run_id"])
    op.create_index("ix_alerts_book_subject", "alerts", ["book", "subject_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION dprkwatch_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION dprkwatch_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION dprkwatch_audit_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS dprkwatch_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for table in (
        "alerts",
        "rescreen_runs",
        "subject_hits",
        "book_subjects",
        "books",
        "reviews",
        "screenings",
        "audit_head",
        "audit_log",
        "api_keys",
    ):
        op.drop_table(table)
