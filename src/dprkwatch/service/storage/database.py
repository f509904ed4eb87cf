"""The one storage interface the service uses: read and write transactions.

``Database.write()`` starts a transaction that first claims the audit head
row. Every write the service makes also appends to the audit chain, so this
is both the lock that keeps the chain linear and the reason a writer never
fails half way with "database is locked": it waits its turn before reading
anything. Driver errors that mean the database is not reachable become
:class:`~dprkwatch.service.exceptions.DatabaseUnavailable` (HTTP 503).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import make_url, select, text, update
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError

from dprkwatch.exceptions import ConfigError
from dprkwatch.service.exceptions import DatabaseUnavailable
from dprkwatch.service.storage.base import Backend
from dprkwatch.service.storage.postgres import PostgresBackend
from dprkwatch.service.storage.sqlite import SQLiteBackend
from dprkwatch.service.storage.tables import audit_head
from dprkwatch.settings import Settings

BACKENDS: tuple[type[Backend], ...] = (SQLiteBackend, PostgresBackend)


def backend_for(url: URL) -> Backend:
    for cls in BACKENDS:
        if cls.handles(url):
            return cls()
    known = ", ".join(c.name for c in BACKENDS)
    raise ConfigError(
        f"DPRKWATCH_DATABASE_URL: unsupported database {url.get_backend_name()!r} (supported: {known})"
    )


def parse_url(raw: str) -> URL:
    try:
        return make_url(raw)
    except ArgumentError:
        raise ConfigError(f"DPRKWATCH_DATABASE_URL: not a database URL: {raw!r}") from None


# Claims the head row (built once: it runs at the start of every write).
_CLAIM_HEAD = update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq)

# Where a write connection carries the audit key (see :mod:`dprkwatch.service.audit`).
SIGNING_KEY = "dprkwatch.audit_key"
MIN_AUDIT_KEY_CHARS = 32


def audit_key_bytes(raw: str | None) -> bytes | None:
    """``DPRKWATCH_AUDIT_KEY`` as the HMAC key, if set and long enough to be a secret."""
    if raw is None:
        return None
    if len(raw) < MIN_AUDIT_KEY_CHARS:
        raise ConfigError(
            f"DPRKWATCH_AUDIT_KEY: use at least {MIN_AUDIT_KEY_CHARS} characters (got {len(raw)})"
        )
    return raw.encode("utf-8")


class Database:
    """An engine plus the transaction discipline the service relies on.

    ``audit_key`` (``DPRKWATCH_AUDIT_KEY``) signs every audit record written
    through :meth:`write`; it lives only in this object, never in the database.
    """

    def __init__(self, url: str, *, audit_key: str | None = None) -> None:
        self.url = parse_url(url)
        self.backend = backend_for(self.url)
        self.audit_key = audit_key_bytes(audit_key)
        self.engine: Engine = self.backend.create_engine(self.url)

    @classmethod
    def for_settings(cls, settings: Settings) -> Database:
        """The database ``settings`` name, with their audit key."""
        return cls(settings.resolved_database_url, audit_key=settings.audit_key)

    def __repr__(self) -> str:
        return f"<Database {self.describe()}>"

    @property
    def dialect(self) -> str:
        return self.backend.name

    def describe(self) -> str:
        return self.backend.describe(self.url)

    @contextlib.contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn "cannot reach the database" driver errors into DatabaseUnavailable."""
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise DatabaseUnavailable(f"database unavailable ({detail})") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise DatabaseUnavailable("database connection lost") from exc
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (a transaction is begun on first use, then rolled back)."""
        with self.translate_errors(), self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction holding the audit head lock; commits on success."""
        with (
            self.translate_errors(),
            self.backend.write_turn(self.url),
            self.engine.connect() as conn,
        ):
            self.backend.begin_write(conn)
            conn.info[SIGNING_KEY] = self.audit_key
            with conn.begin():
                # Claim the head row before reading anything (see module docstring).
                conn.execute(_CLAIM_HEAD)
                yield conn

    def ping(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless the database answers."""
        with self.read() as conn:
            conn.execute(text("SELECT 1"))

    def head(self) -> tuple[int, str] | None:
        """The audit chain head (seq, hash), or ``None`` before migrations ran."""
        with self.read() as conn:
            row = conn.execute(
                select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            ).first()
        return (int(row.seq), str(row.hash)) if row else None

    def close(self) -> None:
        self.engine.dispose()
