"""Storage: migrations match the declared tables, the audit log is append-only, writers serialise."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dprkwatch.exceptions import ConfigError
from dprkwatch.service import audit
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.exceptions import DatabaseUnavailable
from dprkwatch.service.storage import Database, migrate
from dprkwatch.service.storage.tables import metadata


def test_migrations_create_exactly_the_declared_tables(db: Database) -> None:
    assert migrate.current(db) == migrate.head()
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_upgrade_is_idempotent_and_downgrade_removes_everything(db: Database) -> None:
    assert migrate.upgrade(db) == migrate.head()
    assert migrate.downgrade(db, "base") is None
    with db.engine.connect() as conn:
        names = set(db.engine.dialect.get_table_names(conn))
    assert names <= {"alembic_version"}
    assert migrate.upgrade(db) == migrate.head()
    assert db.head() == (0, audit.GENESIS)


def test_audit_log_refuses_update_and_delete(db: Database) -> None:
    audit.record(db, AuditEntry("test", "tester", {"n": 1}))
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    (rec,) = list(audit.iter_records(db))
    assert rec.actor == "tester"


def test_concurrent_writers_keep_one_unbroken_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                audit.record(db, AuditEntry("test", f"writer-{n}", {"i": i}))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = audit.verify_chain(db)
    assert report.ok, report.problems
    assert report.records == 90
    assert [r.seq for r in audit.iter_records(db)] == list(range(1, 91))


def test_unreachable_postgres_is_unavailable_not_a_crash() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseUnavailable, match="database unavailable"):
        db.ping()
    with pytest.raises(DatabaseUnavailable):
        audit.record(db, AuditEntry("test", "x", {}))
    db.close()


def test_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    folder = tmp_path / "db-is-a-folder"
    folder.mkdir()
    db = Database(f"sqlite:///{folder}")
    with pytest.raises(DatabaseUnavailable):
        db.ping()


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://u@h/db", "unsupported database 'mysql'"), ("not a url", "not a database URL")],
)
def test_bad_database_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Database(url)
