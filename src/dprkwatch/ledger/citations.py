"""Resolved citations: what every output row carries instead of a bare source id.

A row of the ledger cites bibliography ids (``sources.yaml``). An analyst
needs more than an id: who published what, when, and where to read it. So
every output — tables with ``--sources``, JSON, CSV, the claims evidence —
carries :class:`Citation` values resolved here, from one place.

Imported datasets (CNS launches, CSIS provocations, OFAC first-seen dates)
are cited through the bibliography entry of their publisher
(:data:`DATASET_SOURCES`). A database entry is cited with the date of the
entry itself, because those databases record events as they happen; the
date our copy was retrieved stays in ``retrieved``. That is what lets
``claims --today`` tell what an analyst could have cited at the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.model import Source

# Imported dataset (name or family) -> the bibliography entry of its publisher.
DATASET_SOURCES: dict[str, str] = {
    "cns": "cns-missile-db",
    "cns-csv": "cns-missile-db",
    "csis": "csis-provocations",
    "ofac-first-seen": "ofac-sdn-history",
}


@dataclass(frozen=True)
class Citation:
    """One source, resolved: title, publisher, date, URL."""

    id: str
    title: str
    publisher: str
    date: str
    url: str
    retrieved: str | None = None

    @classmethod
    def of(cls, source: Source, *, entry_date: str | None = None) -> Citation:
        """The citation of a bibliography entry; ``entry_date`` for one entry of a database."""
        if entry_date is None:
            return cls(source.id, source.title, source.publication, str(source.date), source.url)
        return cls(
            source.id,
            f"{source.title}, entry of {entry_date}",
            source.publication,
            entry_date,
            source.url,
            retrieved=str(source.date),
        )

    @property
    def published(self) -> dt.date:
        """The last day the publication date can mean (``2019-07`` -> 2019-07-31)."""
        return PartialDate.parse(self.date).end()

    def text(self) -> str:
        """``Publisher, "Title" (date). URL`` — for tables and CSV cells."""
        return f'{self.publisher}, "{self.title}" ({self.date}). {self.url}'

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "url": self.url,
        }
        if self.retrieved is not None:
            out["retrieved"] = self.retrieved
        return out


def cell(citations: Iterable[Citation]) -> str:
    """Citations in one table or CSV cell, separated by `` | ``."""
    return " | ".join(c.text() for c in citations)


def dicts(citations: Iterable[Citation]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in citations]
