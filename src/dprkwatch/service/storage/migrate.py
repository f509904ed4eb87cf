"""Alembic migrations, shipped inside the package and run programmatically.

``serve`` upgrades the schema on start-up and ``dprkwatch db upgrade`` does
it on demand; both hold the backend's migration lock so that several
workers starting together migrate once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dprkwatch.service.storage.database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    """The newest revision shipped with this version of dprkwatch."""
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def current(db: Database) -> str | None:
    """The revision the database is at (``None`` when it was never migrated)."""
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> str | None:
    """Migrate the database to ``revision``; returns the revision it ends at."""
    cfg = _config()
    with db.translate_errors(), db.engine.connect() as conn, db.backend.migration_lock(conn):
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
    return current(db)


def downgrade(db: Database, revision: str) -> str | None:
    """Migrate the database back to ``revision`` (``base`` removes every table)."""
    cfg = _config()
    with db.translate_errors(), db.engine.connect() as conn, db.backend.migration_lock(conn):
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        conn.commit()
    return current(db)
