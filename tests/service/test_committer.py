"""Group commit: concurrent appends share transactions, each caller gets its own records."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from dprkwatch.service import audit
from dprkwatch.service.audit import AuditEntry, AuditRecord
from dprkwatch.service.committer import GroupCommitter, Staged, WriteUnit, appending
from dprkwatch.service.exceptions import Unavailable
from dprkwatch.service.storage import Database
from dprkwatch.service.storage.tables import api_keys


def test_concurrent_writes_are_batched_and_all_committed(db: Database) -> None:
    committer = GroupCommitter(db)
    committer.start()

    async def many() -> list[list[AuditRecord]]:
        units = [appending([AuditEntry("screening", "key:a", {"n": n})]) for n in range(200)]
        return await asyncio.gather(*(committer.write(u) for u in units))

    try:
        results = asyncio.run(many())
    finally:
        committer.close()
    assert sorted(r[0].data()["n"] for r in results) == list(range(200))
    assert sorted(r[0].seq for r in results) == list(range(1, 201))
    # Fewer commits than records: the writer batched what queued up meanwhile.
    assert committer.records == 200 and committer.commits < 200
    assert audit.verify_chain(db).ok


def test_a_failing_unit_does_not_fail_its_batch(db: Database) -> None:
    def bad_after(conn: Connection, _records: list[AuditRecord]) -> None:
        conn.execute(insert(api_keys).values(id="x"))  # violates NOT NULL constraints

    committer = GroupCommitter(db)
    committer.start()
    try:
        futures = [committer.submit(appending([AuditEntry("t", "a", {"n": n})])) for n in range(20)]
        futures.insert(
            10, committer.submit(appending([AuditEntry("t", "a", {"bad": True})], after=bad_after))
        )
        outcomes = [f.exception(timeout=30) for f in futures]
    finally:
        committer.close()
    assert sum(1 for e in outcomes if e is not None) == 1
    assert outcomes[10] is not None
    stored = [r.data() for r in audit.iter_records(db)]
    assert {"bad": True} not in stored and len(stored) == 20
    assert audit.verify_chain(db).ok


def test_submitting_to_a_stopped_writer_is_unavailable(db: Database) -> None:
    committer = GroupCommitter(db)
    with pytest.raises(Unavailable, match="not running"):
        committer.submit(appending([AuditEntry("t", "a", {})]))


def test_write_returns_what_the_unit_committed(db: Database) -> None:
    """The value comes back from the transaction that committed it; the caller's data is untouched."""
    entries = (AuditEntry("t", "a", {"n": 1}), AuditEntry("t", "a", {"n": 2}))

    def stage(_conn: Connection) -> Staged[list[tuple[int, int]]]:
        return Staged(entries, lambda _c, records: [(r.seq, r.data()["n"]) for r in records])

    committer = GroupCommitter(db)
    committer.start()
    try:
        value = asyncio.run(committer.write(WriteUnit(stage)))
    finally:
        committer.close()
    assert value == [(1, 1), (2, 2)]
    assert [e.payload for e in entries] == [{"n": 1}, {"n": 2}]
    assert [r.seq for r in audit.iter_records(db)] == [1, 2]
