"""CSIS Beyond Parallel Database of North Korean Provocations (daily scrape CSV).

Columns ``date,type,event,description,resources``; ``type`` is one of
``Missile Provocation``, ``Nuclear Provocation`` or ``Other Provocation``.
The file is sorted newest first; order does not matter here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.ledger.importing import Dataset, SourceFile, open_csv, register

COLUMNS = ("date", "type", "event", "description", "resources")
TYPES = {
    "Missile Provocation": "missile",
    "Nuclear Provocation": "nuclear",
    "Other Provocation": "other",
}
CITATION = (
    "CSIS Beyond Parallel, Database of North Korean Provocations (daily "
    "scrape by stiles/north-korea-provocations)"
)


@register
class CsisImporter:
    format: ClassVar[str] = "csis-provocations"
    dataset: ClassVar[str] = "csis"
    description: ClassVar[str] = "CSIS Beyond Parallel provocations CSV, 1958 to date"

    def sniff(self, path: Path, head: bytes) -> float:
        if path.suffix.lower() != ".csv":
            return 0.0
        first = head.split(b"\n", 1)[0].strip().lower()
        return 0.9 if first.startswith(b"date,type,event,description") else 0.0

    def load(self, path: Path) -> Dataset:
        reader, warnings = open_csv(path, COLUMNS, COLUMNS)
        per_day: Counter[str] = Counter()
        unknown_types: Counter[str] = Counter()
        records: list[dict[str, Any]] = []
        for row in reader:
            line = reader.line_num
            try:
                day = PartialDate.parse((row["date"] or "").strip())
            except ValueError as exc:
                raise EventSourceError(
                    f"`date`: {exc}", source=path.name, where=f"line {line}"
                ) from None
            ptype = (row["type"] or "").strip()
            sub = TYPES.get(ptype)
            if sub is None:
                unknown_types[ptype] += 1
                sub = "other"
            per_day[str(day)] += 1
            title = (row["event"] or "").strip() or ptype or "Provocation"
            event = TimelineEvent(
                id=f"csis-{day}-{per_day[str(day)]}",
                date=day,
                kind="provocation",
                title=title,
                detail=(row["description"] or "").strip(),
                dataset=self.dataset,
                sources=(
                    CITATION,
                    *[u.strip() for u in (row["resources"] or "").split(";") if u.strip()][:3],
                ),
                confidence="secondary",
                attrs={"provocation_type": sub, "event": title, "source_row": f"line {line}"},
            )
            records.append(event.to_dict())
        for name, n in sorted(unknown_types.items()):
            warnings.append(f"unknown provocation type {name!r} ({n} rows) counted as 'other'")
        if not records:
            raise EventSourceError("no rows", source=path.name)
        dates = sorted(r["date"] for r in records)
        return Dataset(
            name=self.dataset,
            family="csis",
            kind="events",
            importer=self.format,
            citation=CITATION,
            licence="Data: CSIS. The scraping repository's file is CC0 (its README says MIT).",
            sources=[SourceFile.of(path)],
            coverage=(dates[0], dates[-1]),
            records=records,
            warnings=warnings,
        )
