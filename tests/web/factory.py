"""A data directory with something on every workbench page, and a live service over it.

Lists: the OFAC fixture in two versions (for diffs) and the UN fixture;
ledger: the CNS launch fixture; maritime: four hand-written events in the
published events format, kept as the latest detection run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from dprkwatch.ledger import LedgerStore, expand
from dprkwatch.maritime import PositionStore, read_events
from dprkwatch.maritime.schema import empty
from dprkwatch.maritime.store import IDENTITY_SCHEMA
from dprkwatch.settings import Settings
from tests.conftest import FIXTURES
from tests.service.factory import (
    OFAC_V1,
    OFAC_V2,
    SERVICE_FIXTURES,
    UN,
    LiveService,
    import_lists,
    live_service,
)

ADMIN_KEY = "web-test-bootstrap-admin-key-32-characters"
CNS_LAUNCHES = FIXTURES / "ledger" / "cns_test.en.json"
MARITIME_EVENTS = FIXTURES / "web" / "maritime_events.csv"
RUN_INFO = {
    "at": "2026-01-08T00:00:00+00:00",
    "engine": "fixture",
    "positions": 1234,
    "events": {"encounter": 1},
}


def populate(home: Path) -> None:
    """Fill the data directory ``home`` with lists, ledger imports and a maritime run."""
    import_lists(home, OFAC_V1, UN)
    import_lists(home, OFAC_V2)
    chosen, _skipped = expand([CNS_LAUNCHES], None)
    store = LedgerStore(home)
    for path, importer in chosen:
        store.save(importer.load(path))
    PositionStore(home / "maritime").save_events(
        read_events(MARITIME_EVENTS), empty(IDENTITY_SCHEMA), RUN_INFO
    )


def workbench_settings(root: Path) -> Settings:
    return replace(
        Settings(home=root / "home"),
        database_url=f"sqlite:///{root / 'service.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
        import_dirs=(SERVICE_FIXTURES,),  # the books the pages register come from there
    )


@contextmanager
def workbench_service(root: Path) -> Iterator[LiveService]:
    """A live service on loopback over a populated data directory under ``root``."""
    settings = workbench_settings(root)
    populate(settings.home)
    with live_service(settings) as svc:
        yield svc


def positions_csv(rows: int = 19) -> bytes:
    """Two vessels side by side, slow, 140 m apart, for three hours, far from any port: one encounter."""
    lines = ["mmsi,timestamp,lat,lon,sog,cog"]
    for i in range(rows):
        ts = f"2026-01-05T{10 + i // 6:02d}:{(i % 6) * 10:02d}:00Z"
        lines.append(f"412000001,{ts},38.60000,123.90000,0.5,90")
        lines.append(f"445000002,{ts},38.60100,123.90100,0.4,270")
    return ("\n".join(lines) + "\n").encode()
