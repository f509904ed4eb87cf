"""Group commit: many concurrent audit appends, one transaction, one fsync.

A screening may not be answered before its audit record is durable, and a
durable commit costs an fsync. Requests therefore hand their records to one
writer thread per process. The thread takes everything queued while the
previous commit was running, appends it to the chain in a single
transaction, commits, and only then releases each waiting request with its
own committed records. Under load the cost of the fsync is shared by the
whole batch; with a single caller it is an ordinary commit.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from dprkwatch.service import audit
from dprkwatch.service.audit import AuditEntry, AuditRecord
from dprkwatch.service.exceptions import DatabaseUnavailable, Unavailable
from dprkwatch.service.storage.database import Database

MAX_BATCH = 512


@dataclass(frozen=True)
class WriteUnit:
    """Records to append, plus rows that must commit with them (e.g. the screening index).

    ``build``, when given, produces the entries inside the write transaction
    (it may read there, as screenings read the reviews they must honour).
    """

    entries: Sequence[AuditEntry] = ()
    after: Callable[[Connection, list[AuditRecord]], None] | None = None
    build: Callable[[Connection], Sequence[AuditEntry]] | None = None

    def resolve(self, conn: Connection) -> Sequence[AuditEntry]:
        return self.build(conn) if self.build is not None else self.entries


@dataclass
class _Pending:
    unit: WriteUnit
    future: Future[list[AuditRecord]]


class GroupCommitter:
    """The per-process writer thread. ``start`` it before use, ``close`` it at shutdown."""

    def __init__(self, db: Database, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.commits = 0
        self.records = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="audit-group-commit", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def submit(self, unit: WriteUnit) -> Future[list[AuditRecord]]:
        """Queue ``unit``; the future resolves once it is committed."""
        if self._closed or self._thread is None:
            raise Unavailable("the audit writer is not running")
        future: Future[list[AuditRecord]] = Future()
        self._queue.put(_Pending(unit, future))
        return future

    async def write(self, unit: WriteUnit) -> list[AuditRecord]:
        """Append ``unit`` and wait until it is durably committed."""
        return await asyncio.wrap_future(self.submit(unit))

    def write_sync(self, unit: WriteUnit) -> list[AuditRecord]:
        return self.submit(unit).result()

    # -- the writer thread ---------------------------------------------------

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            with self.db.write() as conn:
                per_unit = [list(p.unit.resolve(conn)) for p in batch]
                entries = [e for unit in per_unit for e in unit]
                records = audit.append(conn, entries)
                results: list[list[AuditRecord]] = []
                start = 0
                for p, unit in zip(batch, per_unit, strict=True):
                    mine = records[start : start + len(unit)]
                    start += len(unit)
                    if p.unit.after is not None:
                        p.unit.after(conn, mine)
                    results.append(mine)
        except DatabaseUnavailable as exc:
            for p in batch:
                p.future.set_exception(exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return
            # One bad unit must not fail the others: commit them one by one.
            for p in batch:
                self._commit([p])
            return
        self.commits += 1
        self.records += len(entries)
        for p, mine in zip(batch, results, strict=True):
            p.future.set_result(mine)
