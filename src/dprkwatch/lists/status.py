"""What ``lists status`` (and anything else that lists the lists in force) reports.

One row per active list: which version, from which publisher, published
when and how long ago, whether it is stale and why (see
:mod:`dprkwatch.lists.freshness`), its size and its DPRK-relevant count. The
CLI renders these rows; ``--json`` adds them to each list's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dprkwatch.lists.freshness import Freshness, assess_active
from dprkwatch.lists.snapshot import SnapshotStore


@dataclass(frozen=True)
class ListStatus:
    list: str
    version: str
    format: str
    publisher: str | None
    source: str | None
    published: str | None
    age_days: int | None
    stale: str
    entities: int
    dprk: int
    dprk_by_type: str
    top_programmes: str

    @classmethod
    def of(cls, counts: dict[str, Any], fmt: str, verdict: Freshness) -> ListStatus:
        programmes = sorted(counts["by_program"].items(), key=lambda kv: -kv[1])[:4]
        return cls(
            list=verdict.list_name,
            version=verdict.version,
            format=fmt,
            publisher=verdict.publisher,
            source=verdict.source_title,
            published=verdict.published,
            age_days=verdict.age_days,
            stale="; ".join(verdict.warnings),
            entities=counts["entities"],
            dprk=counts["dprk"],
            dprk_by_type=", ".join(f"{k} {v}" for k, v in counts["dprk_by_schema"].items()),
            top_programmes=", ".join(f"{k} {v}" for k, v in programmes),
        )


def status(
    store: SnapshotStore, *, max_age_days: int, today: date | None = None
) -> tuple[list[ListStatus], dict[str, dict[str, Any]]]:
    """Rows for the table, and for JSON each active manifest with its ``freshness``."""
    active = store.active()
    verdicts = assess_active(active, today=today, max_age_days=max_age_days)
    rows: list[ListStatus] = []
    documents: dict[str, dict[str, Any]] = {}
    for name, snap in active.items():
        manifest = snap.manifest
        rows.append(ListStatus.of(manifest.counts, manifest.format, verdicts[name]))
        documents[name] = {**manifest.to_dict(), "freshness": verdicts[name].to_dict()}
    return rows, documents
