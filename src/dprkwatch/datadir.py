"""The layout of a data directory, named once.

Everything dprkwatch keeps lives under one folder (``DPRKWATCH_HOME`` or
``--data-dir``). Each store is handed its own part of it from here, so a
folder name is written in one place and the layout can be read at a
glance::

    <home>/
        snapshots/<list>/<version>/    list snapshots (SnapshotStore)
        active.json, .lock             which snapshot is active; the writers' lock
        cache/matching/                the screening index cache
        downloads/<date>/<list>/       files fetched from the publishers
        ledger/imports/                imported event datasets (LedgerStore)
        maritime/                      AIS positions and detected events (PositionStore)
        resolution/                    cross-list clusters and judgements (ResolutionStore)
        web/workbench.key              the workbench's local API key
        dprkwatch.sqlite3              the service database (when no URL is set)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataDir:
    """Where each part of the data directory ``home`` lives."""

    home: Path

    @property
    def snapshots(self) -> Path:
        return self.home / "snapshots"

    @property
    def active_lists(self) -> Path:
        return self.home / "active.json"

    @property
    def lists_lock(self) -> Path:
        return self.home / ".lock"

    @property
    def matching_cache(self) -> Path:
        return self.home / "cache" / "matching"

    @property
    def downloads(self) -> Path:
        return self.home / "downloads"

    @property
    def ledger_imports(self) -> Path:
        return self.home / "ledger" / "imports"

    @property
    def resolution(self) -> Path:
        return self.home / "resolution"

    @property
    def maritime(self) -> Path:
        return self.home / "maritime"

    @property
    def workbench_key(self) -> Path:
        return self.home / "web" / "workbench.key"

    @property
    def database(self) -> Path:
        return self.home / "dprkwatch.sqlite3"
