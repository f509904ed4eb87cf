"""Fixtures for the security probes: a live service whose server paths are one folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from dprkwatch.settings import Settings
from tests.service.conftest import ADMIN_KEY, database_url, db, sqlite_service

__all__ = ["ADMIN_KEY", "Guarded", "database_url", "db", "sqlite_service"]
from tests.service.factory import OFAC_V1, UN, LiveService, import_lists, live_service


@dataclass
class Guarded:
    """A live service on SQLite and the one folder it may read files from."""

    service: LiveService
    imports: Path
    settings: Settings


@pytest.fixture
def guarded_settings(settings: Settings, tmp_path: Path) -> Settings:
    imports = tmp_path / "imports"
    imports.mkdir()
    return replace(
        settings,
        database_url=f"sqlite:///{tmp_path / 'service.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
        import_dirs=(imports,),
    )


@pytest.fixture
def guarded(guarded_settings: Settings) -> Iterator[Guarded]:
    import_lists(guarded_settings.home, OFAC_V1, UN)
    with live_service(guarded_settings) as svc:
        yield Guarded(svc, guarded_settings.import_dirs[0], guarded_settings)
