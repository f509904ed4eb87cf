"""PostgreSQL, used when ``DPRKWATCH_DATABASE_URL`` names it.

Commits are durable with PostgreSQL's default ``synchronous_commit=on``.
Writers serialise on the single ``audit_head`` row (its ``UPDATE`` takes a
row lock), which works across any number of service processes and hosts;
migrations take a session advisory lock for the same reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import ClassVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine

from dprkwatch.service.storage.base import Backend

CONNECT_TIMEOUT_S = 3
# An arbitrary constant naming "dprkwatch schema migration" among advisory locks.
_MIGRATION_LOCK = 0x64707277


class PostgresBackend(Backend):
    name: ClassVar[str] = "postgresql"

    @classmethod
    def handles(cls, url: URL) -> bool:
        return url.get_backend_name() == "postgresql"

    def create_engine(self, url: URL) -> Engine:
        if url.drivername == "postgresql":
            # psycopg 3 is the driver we ship; SQLAlchemy's bare default is psycopg2.
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            pool_timeout=10,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        )

    def begin_write(self, conn: Connection) -> None:
        # READ COMMITTED plus the row lock on audit_head is all a writer needs.
        return None

    @contextlib.contextmanager
    def migration_lock(self, conn: Connection) -> Iterator[None]:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
            conn.commit()
