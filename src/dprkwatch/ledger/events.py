"""One event type for the timeline, whatever it came from.

Curated records (summits, resolutions, releases...) and imported datasets
(CNS missile launches, CSIS provocations) all become :class:`TimelineEvent`,
so filtering by date and kind, tables and exports work the same for all of
them. ``kind`` is specific (``summit``, ``missile-launch``...); each kind
belongs to one ``category`` (``diplomacy``, ``test``...), and filters accept
either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dprkwatch.ledger.citations import Citation
from dprkwatch.ledger.dates import PartialDate

# kind -> category. The order is the order of `--kind` help and of docs.
KINDS: dict[str, str] = {
    "summit": "diplomacy",
    "talks": "diplomacy",
    "envoy": "diplomacy",
    "refusal": "diplomacy",
    "statement": "diplomacy",
    "other": "diplomacy",
    "agreement": "diplomacy",
    "resolution": "un",
    "veto": "un",
    "designation-action": "sanctions",
    "exercise": "exercise",
    "detainee-release": "humanitarian",
    "remains-return": "humanitarian",
    "nuclear-test": "test",
    "missile-launch": "test",
    "provocation": "provocation",
    "finding": "finding",
}
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(KINDS.values()))


@dataclass(frozen=True)
class TimelineEvent:
    """A dated thing that happened, with where we know it from."""

    id: str
    date: PartialDate
    kind: str
    title: str
    dataset: str
    sources: tuple[str, ...]
    confidence: str
    detail: str = ""
    end_date: PartialDate | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")

    @property
    def category(self) -> str:
        return KINDS[self.kind]

    @property
    def start(self) -> dt.date:
        return self.date.start()

    @property
    def end(self) -> dt.date:
        return (self.end_date or self.date).end()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": str(self.date),
            "end_date": str(self.end_date) if self.end_date else None,
            "category": self.category,
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "dataset": self.dataset,
            "sources": list(self.sources),
            "citations": [c.to_dict() for c in self.citations],
            "confidence": self.confidence,
            "attrs": dict(self.attrs),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TimelineEvent:
        return cls(
            id=str(data["id"]),
            date=PartialDate.parse(data["date"]),
            end_date=PartialDate.parse(data["end_date"]) if data.get("end_date") else None,
            kind=str(data["kind"]),
            title=str(data["title"]),
            detail=str(data.get("detail") or ""),
            dataset=str(data["dataset"]),
            sources=tuple(data.get("sources") or ()),
            confidence=str(data.get("confidence") or "secondary"),
            attrs=dict(data.get("attrs") or {}),
            citations=tuple(Citation(**c) for c in data.get("citations") or ()),
        )


def resolve_kinds(selection: Iterable[str]) -> frozenset[str]:
    """Expand kinds and categories (``diplomacy``, ``test``...) into kinds; reject unknowns."""
    out: set[str] = set()
    for item in selection:
        name = item.strip().lower()
        if name in KINDS:
            out.add(name)
        elif name in CATEGORIES:
            out.update(k for k, c in KINDS.items() if c == name)
        else:
            known = ", ".join([*CATEGORIES, *KINDS])
            raise ValueError(f"unknown kind {item!r} (known: {known})")
    return frozenset(out)


def select(
    events: Sequence[TimelineEvent],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: frozenset[str] | None = None,
) -> list[TimelineEvent]:
    """Events overlapping ``[start, end]`` whose kind is in ``kinds``, in date order."""
    out = [
        e
        for e in events
        if (start is None or e.end >= start)
        and (end is None or e.start <= end)
        and (kinds is None or e.kind in kinds)
    ]
    return sorted(out, key=lambda e: (e.start, e.end, e.kind, e.id))
