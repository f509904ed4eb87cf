"""Group commit: many concurrent audit appends, one transaction, one fsync.

A screening may not be answered before its audit record is durable, and a
durable commit costs an fsync. Requests therefore hand their records to one
writer thread per process. The thread takes everything queued while the
previous commit was running, appends it to the chain in a single
transaction, commits, and only then releases each waiting request with its
own committed records. Under load the cost of the fsync is shared by the
whole batch; with a single caller it is an ordinary commit.

A unit of work says, inside the write transaction, what it appends
(:class:`Staged`) and how it finishes once those entries are records - the
rows that must commit with them, and the value handed back to the caller.
``write`` returns that value: what was committed, built in the transaction
that committed it, and nothing the caller holds is changed behind its back.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Connection

from dprkwatch.service import audit, handoff
from dprkwatch.service.audit import AuditEntry, AuditRecord
from dprkwatch.service.exceptions import DatabaseUnavailable, Unavailable
from dprkwatch.service.storage.database import Database

MAX_BATCH = 512


T = TypeVar("T")


@dataclass(frozen=True)
class Staged(Generic[T]):
    """Entries to append, and what to do once they are records (in the same transaction)."""

    entries: Sequence[AuditEntry]
    finish: Callable[[Connection, list[AuditRecord]], T]


@dataclass(frozen=True)
class WriteUnit(Generic[T]):
    """One caller's work: ``stage`` runs inside the write transaction.

    It may read there first, as screenings read the reviews they must
    honour. It may run more than once (if a batch fails it is retried unit
    by unit), so it must not act outside ``conn``.
    """

    stage: Callable[[Connection], Staged[T]]

    def commit_in(self, conn: Connection) -> T:
        """Run the unit in an open write transaction (callers that hold one already)."""
        staged = self.stage(conn)
        return staged.finish(conn, audit.append(conn, list(staged.entries)))


def appending(
    entries: Sequence[AuditEntry],
    after: Callable[[Connection, list[AuditRecord]], None] | None = None,
) -> WriteUnit[list[AuditRecord]]:
    """A unit that appends ``entries`` (then runs ``after``) and returns their records."""

    def finish(conn: Connection, records: list[AuditRecord]) -> list[AuditRecord]:
        if after is not None:
            after(conn, records)
        return records

    return WriteUnit(lambda _conn: Staged(entries, finish))


@dataclass
class _Pending:
    """A unit queued for the writer, and how to hand its outcome back: to a concurrent
    future (:meth:`GroupCommitter.submit`) or straight to an event loop's future
    (:meth:`GroupCommitter.write`, see :mod:`~dprkwatch.service.handoff`)."""

    unit: WriteUnit[Any]
    future: Future[Any] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[Any] | None = None

    def done(self, value: Any) -> None:
        if self.future is not None:
            self.future.set_result(value)
        elif self.loop is not None and self.waiter is not None:
            handoff.settle(self.loop, self.waiter, value)

    def failed(self, error: BaseException) -> None:
        if self.future is not None:
            self.future.set_exception(error)
        elif self.loop is not None and self.waiter is not None:
            handoff.settle(self.loop, self.waiter, error=error)


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

    def submit(self, unit: WriteUnit[T]) -> Future[T]:
        """Queue ``unit``; the future resolves to its committed value once it is durable."""
        self._check_running()
        future: Future[T] = Future()
        self._queue.put(_Pending(unit, future=future))
        return future

    async def write(self, unit: WriteUnit[T]) -> T:
        """Commit ``unit`` and return what it committed, once that is durable."""
        self._check_running()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Pending(unit, loop=loop, waiter=waiter))
        return await waiter

    def _check_running(self) -> None:
        if self._closed or self._thread is None:
            raise Unavailable("the audit writer is not running")

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
                staged = [p.unit.stage(conn) for p in batch]
                entries = [e for s in staged for e in s.entries]
                records = audit.append(conn, entries)
                results: list[Any] = []
                start = 0
                for s in staged:
                    mine = records[start : start + len(s.entries)]
                    start += len(s.entries)
                    results.append(s.finish(conn, mine))
        except DatabaseUnavailable as exc:
            for p in batch:
                p.failed(exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].failed(exc)
                return
            # One bad unit must not fail the others: commit them one by one.
            for p in batch:
                self._commit([p])
            return
        self.commits += 1
        self.records += len(entries)
        for p, mine in zip(batch, results, strict=True):
            p.done(mine)
