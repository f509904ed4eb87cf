"""SQLite in WAL mode: the embedded default.

WAL lets readers run while one writer commits. ``synchronous=FULL`` makes
every commit fsync the WAL, so an audit record that has been committed
survives a power cut; the service batches concurrent audit appends into one
commit (group commit) so that this costs one fsync per batch, not per
request. Write transactions start with ``BEGIN IMMEDIATE`` so a writer waits
(up to ``busy_timeout``) for the lock up front instead of failing half way.

Writers also queue on a lock file next to the database (``flock``) before
they begin. SQLite's own busy handler waits by sleeping in growing steps
(1, 2, 5 ... 100 ms), which with several service workers turns every lock
conflict into a latency spike; a kernel lock wakes the next writer the
moment the previous one commits. Processes that do not take the file lock
(an old CLI, the ``sqlite3`` shell) are still safe - they fall back to the
busy handler.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine

from dprkwatch import durable, private
from dprkwatch.service.storage.base import Backend

BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "dprkwatch_immediate"


class SQLiteBackend(Backend):
    name: ClassVar[str] = "sqlite"

    def __init__(self) -> None:
        self._thread_lock = threading.Lock()

    @classmethod
    def handles(cls, url: URL) -> bool:
        return url.get_backend_name() == "sqlite"

    def _path(self, url: URL) -> Path | None:
        db = url.database
        if not db or db == ":memory:" or db.startswith("file:"):
            return None
        return Path(db)

    def create_engine(self, url: URL) -> Engine:
        path = self._path(url)
        if path is not None:
            # Screened names live here: the database files are the owner's alone.
            if not path.parent.exists():
                private.private_dir(path.parent)
            for name in ("", "-wal", "-shm", ".write-lock", ".migrate-lock"):
                target = path.with_name(path.name + name)
                if name == "" or target.exists():
                    private.private_file(target)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control away from the sqlite3 module so that
            # BEGIN is emitted by us (and can be IMMEDIATE) - the recipe in
            # SQLAlchemy's pysqlite documentation.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get(_IMMEDIATE):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine

    def begin_write(self, conn: Connection) -> None:
        conn.execution_options(**{_IMMEDIATE: True})

    @contextlib.contextmanager
    def write_turn(self, url: URL) -> Iterator[None]:
        path = self._path(url)
        with self._thread_lock:  # flock does not order threads sharing one open file
            if path is None:
                yield
                return
            with durable.locked(path.with_name(path.name + ".write-lock")):
                yield

    @contextlib.contextmanager
    def migration_lock(self, conn: Connection) -> Iterator[None]:
        path = self._path(conn.engine.url)
        if path is None:
            yield
            return
        with durable.locked(
            path.with_name(path.name + ".migrate-lock"),
            timeout=durable.LOCK_TIMEOUT,
            what=f"migrating {path.name}",
        ):
            yield
