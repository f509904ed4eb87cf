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
from tests.service.factory import (
    OFAC_V1,
    SERVICE_FIXTURES,
    UN,
    LiveService,
    import_lists,
    live_service,
)

POSTGRES_URL = os.environ.get("DPRKWATCH_TEST_POSTGRES_URL")
ADMIN_KEY = "test-bootstrap-admin-key-of-32-characters"
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
    """Settings for a service with its own data dir and database and a bootstrap admin key.

    Server paths may name the service fixtures and the test's own folder.
    """
    return replace(
        settings,
        database_url=database_url,
        admin_key=ADMIN_KEY,
        key_ttl=0,
        import_dirs=(SERVICE_FIXTURES, settings.home.parent),
    )


@pytest.fixture
def sqlite_settings(settings: Settings, tmp_path: Path) -> Settings:
    """Service settings on SQLite only (for API behaviour that does not depend on the backend)."""
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    return replace(
        settings,
        database_url=url,
        admin_key=ADMIN_KEY,
        key_ttl=0,
        import_dirs=(SERVICE_FIXTURES, tmp_path),
    )


@pytest.fixture
def service(service_settings: Settings) -> Iterator[LiveService]:
    """A live service over the OFAC (January) and UN fixture lists, once per database backend."""
    import_lists(service_settings.home, OFAC_V1, UN)
    with live_service(service_settings) as svc:
        yield svc


@pytest.fixture(scope="module")
def sqlite_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """A live service over the OFAC (January) and UN fixture lists, on SQLite, shared by a module.

    For tests that only read, or whose writes (keys, screenings) cannot
    disturb the others; flows that need a clean slate use ``service``.
    """
    root = tmp_path_factory.mktemp("shared-service")
    cfg = Settings(
        home=root / "home",
        database_url=f"sqlite:///{root / 'service.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
        import_dirs=(SERVICE_FIXTURES, root),
    )
    import_lists(cfg.home, OFAC_V1, UN)
    with live_service(cfg) as svc:
        yield svc
