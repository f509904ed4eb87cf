"""CNS missile launches, Kaggle-style CSV export (1984-04 to 2019-10).

Dates look like ``9-Apr-84``, or ``Sep-84`` when only the month is known;
the month-only rows stay month-precise. Apogee and distance are strings
such as ``"2802 km"`` or ``Unknown``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.ledger.importers.cns_fields import (
    CNS_CITATION,
    CNS_SCOPE,
    km,
    launch_detail,
    launch_title,
    outcome,
)
from dprkwatch.ledger.importing import Dataset, SourceFile, open_csv, register

REQUIRED = ("F1", "Date", "Missile Name", "Missile Type", "Test Outcome")
HANDLED = frozenset(
    {
        *REQUIRED,
        "Date Entered/Updated",
        "Launch Time (UTC)",
        "Facility Name",
        "Facility Location",
        "Apogee",
        "Distance Travelled",
        "Confirmation Status",
        "Additional Information",
        "Source(s)",
    }
)
# Columns we read but deliberately do not carry (coordinates are per facility, not per launch).
IGNORED = frozenset(
    {
        "Launch Agency/Authority",
        "Other Name",
        "Facility Latitude",
        "Facility Longitude",
        "Landing Location",
    }
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAY = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{2})$")
_MONTH = re.compile(r"^([A-Za-z]{3})-(\d{2})$")


def _year(yy: str) -> int:
    n = int(yy)
    return 1900 + n if n >= 50 else 2000 + n


def parse_cns_date(text: str) -> PartialDate:
    """``9-Apr-84`` -> 1984-04-09; ``Sep-84`` -> 1984-09."""
    value = text.strip()
    m = _DAY.match(value)
    if m:
        day, mon, yy = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            raise ValueError(f"unknown month {mon!r} in {text!r}")
        return PartialDate(_year(yy), month, int(day))
    m = _MONTH.match(value)
    if m:
        mon, yy = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            raise ValueError(f"unknown month {mon!r} in {text!r}")
        return PartialDate(_year(yy), month)
    raise ValueError(f"expected a date like 9-Apr-84 or Sep-84, got {text!r}")


@register
class CnsCsvImporter:
    format: ClassVar[str] = "cns-csv"
    dataset: ClassVar[str] = "cns-csv"
    description: ClassVar[str] = "CNS missile tests, Kaggle-style CSV export (to 2019-10)"

    def sniff(self, path: Path, head: bytes) -> float:
        if path.suffix.lower() != ".csv":
            return 0.0
        first = head.split(b"\n", 1)[0]
        return 0.9 if b"Missile Name" in first and b"Test Outcome" in first else 0.0

    def load(self, path: Path) -> Dataset:
        reader, warnings = open_csv(path, REQUIRED, HANDLED | IGNORED)
        records: list[dict[str, Any]] = []
        per_day: Counter[str] = Counter()
        for row in reader:
            line = reader.line_num
            try:
                day = parse_cns_date(row["Date"] or "")
            except ValueError as exc:
                raise EventSourceError(
                    f"`Date`: {exc}", source=path.name, where=f"line {line}"
                ) from None
            per_day[str(day)] += 1
            mtype = (row.get("Missile Type") or "unknown").strip() or "unknown"
            mtype = "unknown" if mtype.lower() == "unknown" else mtype
            name = (row.get("Missile Name") or "unknown").strip()
            result = outcome(row.get("Test Outcome"))
            apogee, distance = km(row.get("Apogee")), km(row.get("Distance Travelled"))
            facility = (row.get("Facility Name") or "").strip()
            event = TimelineEvent(
                id=f"cns-csv-{day}-{per_day[str(day)]}",
                date=day,
                kind="missile-launch",
                title=launch_title(name, mtype),
                detail=launch_detail(result, apogee, distance, facility),
                dataset=self.dataset,
                sources=(CNS_CITATION,),
                confidence="secondary"
                if (row.get("Confirmation Status") or "").strip() == "Confirmed"
                else "unverified",
                attrs={
                    "missile": name,
                    "missile_name": name,
                    "missile_type": mtype,
                    "outcome": result,
                    "apogee_km": apogee,
                    "distance_km": distance,
                    "facility": facility,
                    "time_utc": (row.get("Launch Time (UTC)") or "").strip() or None,
                    "confirmation": (row.get("Confirmation Status") or "").strip() or None,
                    "source_row": f"line {line}",
                },
            )
            records.append(event.to_dict())
        if not records:
            raise EventSourceError("no rows", source=path.name)
        dates = sorted(r["date"] for r in records)
        return Dataset(
            name=self.dataset,
            family="cns",
            kind="events",
            importer=self.format,
            citation=f"{CNS_CITATION} (CSV export, last updated 2019-10). {CNS_SCOPE}",
            licence="Data: CNS/NTI terms; no licence stated by the copy's repository.",
            sources=[SourceFile.of(path)],
            coverage=(dates[0], dates[-1]),
            records=records,
            warnings=warnings,
        )
