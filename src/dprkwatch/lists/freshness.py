"""Is each list in force current? Publication age and retired sources, said out loud.

A screening tool must never be quietly stale. Every snapshot records when
its publisher published it and which publication it came from
(:mod:`dprkwatch.lists.sources`); this module turns that into a verdict per
active list, which ``lists status``, ``/readyz``, ``/catalog``, the
workbench and the audit export all show the same way:

* **stale by age**: published more than ``max_age_days`` ago (default 7,
  ``DPRKWATCH_LIST_AGE_DAYS``), or with no known publication date;
* **retired source**: the publisher no longer updates the publication (OFSI's
  Consolidated List since 2026-01-28); such a list is stale however recent
  its file, because nothing newer will ever come from that source.

Age is counted in whole days from the publication date to ``today`` (UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from dprkwatch.lists import sources
from dprkwatch.lists.registry import formats
from dprkwatch.lists.snapshot import Manifest, Snapshot

DEFAULT_MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class Freshness:
    """One list version's standing: when published, by whom, how old, and why it is stale."""

    list_name: str
    version: str
    source: str | None
    source_title: str | None
    publisher: str | None
    published: str | None
    age_days: int | None
    max_age_days: int
    retired: str | None
    warnings: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["warnings"] = list(self.warnings)
        data["stale"] = self.stale
        return data


def today_utc() -> date:
    return datetime.now(UTC).date()


def source_key(manifest: Manifest) -> str | None:
    """The manifest's source, or, for snapshots stored before sources were recorded,
    the source of the importer that made it (None when the format names none)."""
    if manifest.source:
        return manifest.source
    importer = formats().get(manifest.format)
    return getattr(importer, "source", None) if importer is not None else None


def assess(manifest: Manifest, *, today: date, max_age_days: int) -> Freshness:
    """The verdict for one snapshot's manifest."""
    key = source_key(manifest)
    source = sources.get(key)
    warnings: list[str] = []
    age: int | None = None
    if source is not None and source.retired is not None:
        warnings.append(f"source retired: {source.retired_note()}")
    if manifest.published:
        try:
            published = date.fromisoformat(manifest.published[:10])
        except ValueError:
            published = None
        if published is not None:
            age = (today - published).days
    if age is None:
        warnings.append("publication date unknown")
    elif age > max_age_days:
        warnings.append(
            f"published {manifest.published}, {age} days ago (older than {max_age_days} days)"
        )
    return Freshness(
        list_name=manifest.list_name,
        version=manifest.version,
        source=key,
        source_title=source.title if source else None,
        publisher=source.publisher if source else None,
        published=manifest.published,
        age_days=age,
        max_age_days=max_age_days,
        retired=source.retired.isoformat() if source and source.retired else None,
        warnings=tuple(warnings),
    )


def assess_active(
    active: Mapping[str, Snapshot], *, today: date | None = None, max_age_days: int
) -> dict[str, Freshness]:
    """The verdict for every active list."""
    day = today or today_utc()
    return {
        name: assess(snap.manifest, today=day, max_age_days=max_age_days)
        for name, snap in active.items()
    }


def too_old(verdicts: Mapping[str, Freshness], limit: int) -> list[str]:
    """Why readiness fails under ``DPRKWATCH_MAX_LIST_AGE_DAYS=limit`` (empty: it does not).

    A retired source or an unknown publication date fails it as surely as age.
    """
    reasons: list[str] = []
    for name, verdict in sorted(verdicts.items()):
        if verdict.retired is not None:
            reasons.append(f"{name}: source retired on {verdict.retired}")
        elif verdict.age_days is None:
            reasons.append(f"{name}: publication date unknown")
        elif verdict.age_days > limit:
            reasons.append(f"{name}: published {verdict.age_days} days ago (limit {limit})")
    return reasons
