"""Service fixtures: a fresh database on SQLite and, when one is running, on PostgreSQL.

``scripts/with-postgres.sh`` (used by ``make test``) starts a throwaway
PostgreSQL server and exports ``DPRKWATCH_TEST_POSTGRES_URL``; every test
that takes ``database_url`` then runs on both backends. Without that
variable the PostgreSQL variants skip. Each PostgreSQL test gets its own
database, created and dropped around it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from dprkwatch.service.storage import Database, migrate
from dprkwatch.settings import Settings

POSTGRES_URL = os.environ.get("DPRKWATCH_TEST_POSTGRES_URL")
ADMIN_KEY = "test-bootstrap-admin-key"
ADMIN = {"Authorization": f"ApiKey {ADMIN_KEY}"}


def _postgres_database() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("DPRKWATCH_TEST_POSTGRES_URL not set (run under scripts/with-postgres.sh)")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.sqlite3'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database."""
    database = Database(database_url)
    migrate.upgrade(database)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def service_settings(settings: Settings, database_url: str) -> Settings:
    """Settings for a service with its own data dir and database and a bootstrap admin key."""
    return replace(settings, database_url=database_url, admin_key=ADMIN_KEY, key_ttl=0)
