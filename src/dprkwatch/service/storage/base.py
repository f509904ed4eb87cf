"""What a storage backend provides: an engine set up for durable, serialised writes.

The service runs the same SQLAlchemy Core statements on every backend; a
backend only knows how to open its engine, how to start a write
transaction that waits its turn, how to guard a migration against a
concurrent one, and which driver errors mean "the database is not there".
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from sqlalchemy.engine import URL, Connection, Engine


class Backend(ABC):
    """One database product (SQLite, PostgreSQL)."""

    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def handles(cls, url: URL) -> bool:
        """Whether this backend serves ``url``."""

    @abstractmethod
    def create_engine(self, url: URL) -> Engine:
        """An engine configured for this backend (pragmas, pool, timeouts)."""

    @abstractmethod
    def begin_write(self, conn: Connection) -> None:
        """Start a write transaction on ``conn`` that waits for other writers."""

    @contextlib.contextmanager
    def write_turn(self, url: URL) -> Iterator[None]:
        """Held around each write transaction, for backends whose own waiting is poor."""
        yield

    @contextlib.contextmanager
    def migration_lock(self, conn: Connection) -> Iterator[None]:
        """Held while migrating, so that two processes starting at once do not race."""
        yield

    def describe(self, url: URL) -> str:
        """The URL without its password, for messages."""
        return url.render_as_string(hide_password=True)
