"""The service's tables, declared once with SQLAlchemy Core.

The Alembic migrations under ``migrations/versions`` create exactly these;
a test compares the migrated database with this metadata so the two cannot
drift apart. Timestamps are ISO-8601 UTC strings: they sort as text, read
the same on SQLite and PostgreSQL, and are hashed into the audit chain
byte for byte. Structured values (queries, properties, versions) are JSON
text for the same reason.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("roles", String(100), nullable=False),
    # SHA-256 of the whole key: keys are 256-bit random, so a fast hash is
    # enough to make a stolen database useless for authenticating.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("revoked_at", String(32), nullable=True),
    # Keys issued for a workbench session stop working at this time.
    Column("expires_at", String(32), nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", String(32), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("ref", String(100), nullable=True),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # HMAC-SHA256 of ``hash`` under DPRKWATCH_AUDIT_KEY (null when no key was set).
    Column("mac", String(64), nullable=True),
    Index("ix_audit_log_kind_ts", "kind", "ts"),
    Index("ix_audit_log_ref", "ref"),
)

# One row (id = 1): the newest seq and hash. Every write transaction updates
# it first, which serialises appends to the chain across threads, processes
# and hosts on both SQLite and PostgreSQL.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

screenings = Table(
    "screenings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("ts", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("dataset", String(60), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("schema", String(60), nullable=False),
    Column("results", Integer, nullable=False),
    Column("matches", Integer, nullable=False),
    Column("top_score", Float, nullable=True),
    Column("audit_seq", BigInteger, nullable=False),
    Index("ix_screenings_subject", "subject"),
    Index("ix_screenings_ts", "ts"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("ts", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("screening_id", String(32), ForeignKey("screenings.id"), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("entity_hash", String(64), nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("audit_seq", BigInteger, nullable=False),
    Index("ix_reviews_subject_entity", "subject", "entity_id"),
)

books = Table(
    "books",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("dataset", String(60), nullable=False),
    Column("source", Text, nullable=False),
    Column("subjects", Integer, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
)

book_subjects = Table(
    "book_subjects",
    metadata,
    Column("book", String(100), ForeignKey("books.name", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", String(200), primary_key=True),
    Column("schema", String(60), nullable=False),
    Column("properties", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
)

# The hits each book subject had at its last screening: what a rescreen
# compares against to report only what is new or changed.
subject_hits = Table(
    "subject_hits",
    metadata,
    Column("book", String(100), ForeignKey("books.name", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", String(200), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("entity_hash", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("entity", Text, nullable=False),
)

rescreen_runs = Table(
    "rescreen_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("trigger", String(100), nullable=False),
    Column("books", Text, nullable=False),
    Column("versions", Text, nullable=False),
    Column("algorithm", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32), nullable=True),
    Column("subjects", Integer, nullable=False),
    Column("alerts", Integer, nullable=False),
    Column("error", Text, nullable=True),
    # Where the run got to (JSON: book, last subject id), committed with each page.
    Column("cursor", Text, nullable=True),
    # The process running it ("host:pid"), so a start-up can tell a dead run from a live one.
    Column("owner", String(200), nullable=True),
)

alerts = Table(
    "alerts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("run_id", String(32), ForeignKey("rescreen_runs.id"), nullable=False),
    Column("book", String(100), nullable=False),
    Column("subject_id", String(200), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("score", Float, nullable=True),
    Column("caption", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_alerts_run", "run_id"),
    Index("ix_alerts_book_subject", "book", "subject_id"),
)

# One-time links that sign the web workbench in (``dprkwatch run``): a link
# is exchanged once, before it expires, for an expiring API key.
login_tokens = Table(
    "login_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("roles", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("used_at", String(32), nullable=True),
)
