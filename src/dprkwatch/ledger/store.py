"""Imported event datasets kept in the data directory, one JSON file each.

Layout::

    <home>/ledger/imports/<dataset>.json   {"manifest": {...}, "records": [...]}

Importing the same dataset again replaces its file in one ``os.replace``
(temp file + fsync + rename), so a failed or interrupted import leaves the
previous copy intact. Two datasets of one family (the CNS JSON and the older
CNS CSV) describe the same launches; the timeline uses the one whose
coverage reaches furthest and reports the other as superseded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dprkwatch import durable
from dprkwatch.datadir import DataDir
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.ledger.importing import Dataset
from dprkwatch.lists.history import Designation


@dataclass(frozen=True)
class StoredDataset:
    manifest: dict[str, Any]
    records: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def family(self) -> str:
        return str(self.manifest["family"])

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def coverage(self) -> tuple[str, str]:
        first, last = self.manifest["coverage"]
        return str(first), str(last)


class LedgerStore:
    """The imported datasets of one data directory."""

    def __init__(self, home: Path) -> None:
        self.root = DataDir(Path(home)).ledger_imports

    def fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        """Name, size and modification time of every imported file: changes when one does."""
        if not self.root.is_dir():
            return ()
        out = []
        for f in self.root.iterdir():
            if f.suffix == ".json" and not f.name.startswith("."):
                st = f.stat()
                out.append((f.name, st.st_size, st.st_mtime_ns))
        return tuple(sorted(out))

    def save(self, dataset: Dataset) -> Path:
        path = self.root / f"{dataset.name}.json"
        payload = {"manifest": dataset.manifest(), "records": dataset.records}
        durable.write_bytes(path, orjson.dumps(payload))
        return path

    def datasets(self) -> list[StoredDataset]:
        if not self.root.is_dir():
            return []
        out = []
        for path in sorted(self.root.glob("*.json")):
            try:
                data = orjson.loads(path.read_bytes())
                out.append(
                    StoredDataset(manifest=dict(data["manifest"]), records=list(data["records"]))
                )
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise EventSourceError(
                    "stored dataset is unreadable; re-import its source file", source=str(path)
                ) from None
        return out

    def preferred(self, kind: str) -> tuple[list[StoredDataset], list[str]]:
        """One dataset per family (furthest coverage wins), and notes on those left out."""
        by_family: dict[str, list[StoredDataset]] = {}
        for ds in self.datasets():
            if ds.kind == kind:
                by_family.setdefault(ds.family, []).append(ds)
        chosen: list[StoredDataset] = []
        notes: list[str] = []
        for family, items in sorted(by_family.items()):
            items.sort(key=lambda d: (d.coverage[1], d.coverage[0]), reverse=True)
            chosen.append(items[0])
            for other in items[1:]:
                notes.append(
                    f"{other.name} ({other.coverage[0]} to {other.coverage[1]}) superseded by "
                    f"{items[0].name} ({items[0].coverage[0]} to {items[0].coverage[1]}) for family {family}"
                )
        return chosen, notes

    def events(self) -> tuple[list[TimelineEvent], list[str]]:
        """Imported timeline events (one dataset per family) and notes."""
        chosen, notes = self.preferred("events")
        return [TimelineEvent.from_dict(r) for ds in chosen for r in ds.records], notes

    def designations(self) -> list[Designation]:
        """Designations from imported histories (OFAC first-seen dates)."""
        chosen, _notes = self.preferred("designations")
        out = []
        for ds in chosen:
            for r in ds.records:
                out.append(
                    Designation(
                        list_name=str(r["list_name"]),
                        entity_id=str(r["entity_id"]),
                        schema=str(r["schema"]),
                        name=str(r["name"]),
                        programs=tuple(r.get("programs") or ()),
                        dprk=bool(r.get("dprk")),
                        date=r.get("date"),
                        basis=str(r["basis"]),
                    )
                )
        return out

    def has(self, family: str) -> bool:
        return any(ds.family == family for ds in self.datasets())
