"""F15: ``INSERT OR REPLACE`` replaced an audit row without firing the append-only triggers.
A ``BEFORE INSERT`` trigger now refuses any ``seq`` but the next one, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dprkwatch.service import audit
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.storage import Database


def test_an_existing_seq_cannot_be_replaced_or_inserted_again(db: Database) -> None:
    for i in range(3):
        audit.record(db, AuditEntry("test", "tester", {"i": i}))
    original = [r.hash for r in audit.iter_records(db)]
    columns = "(seq, ts, kind, actor, ref, payload, prev_hash, hash)"
    values = "(2, 'x', 'review', 'key:mallory', NULL, '{}', 'p', 'h')"
    statements = (
        [f"INSERT OR REPLACE INTO audit_log {columns} VALUES {values}"]
        if db.dialect == "sqlite"
        else [
            f"INSERT INTO audit_log {columns} VALUES {values} "
            "ON CONFLICT (seq) DO UPDATE SET actor = excluded.actor"
        ]
    )
    statements.append(f"INSERT INTO audit_log {columns} VALUES {values.replace('(2,', '(9,')}")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    assert [r.hash for r in audit.iter_records(db)] == original
    assert audit.verify_chain(db).ok
    # Appending at the end still works.
    audit.record(db, AuditEntry("test", "tester", {"i": 3}))
    assert audit.verify_chain(db).ok
