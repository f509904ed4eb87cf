"""OFAC first-seen dates from a daily SDN history (``sdn_entry_lifetimes_*.csv``).

OFAC's list files carry no designation date. This file, derived from 308
daily copies of ``sdn.csv`` (2021-08-18 to 2024-05-03), gives each entry the
first and last day it was seen. Entries already present in the first copy
are dated "on or before" that day (``basis="on_or_before"``); the others by
the day they first appeared (``basis="first_seen"``, within about a day of
publication). Only entries that ever carried a DPRK programme tag are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.ledger.importing import Dataset, SourceFile, open_csv, register

COLUMNS = (
    "ent_num",
    "sdn_name_latest",
    "sdn_type_latest",
    "programs_latest",
    "programs_history",
    "first_seen",
    "last_seen",
    "present_in_last_snapshot",
    "n_snapshots_present",
    "dprk_any",
)
SCHEMAS = {"-0-": "LegalEntity", "individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
CITATION = (
    "OFAC SDN list (US Treasury), first/last-seen dates derived from 308 daily copies "
    "scraped by jackdwyer/specially-designated-nationals-list, 2021-08-18 to 2024-05-03"
)


def _programs(text: str) -> tuple[str, ...]:
    return tuple(p.strip(" []") for p in text.split("] [") if p.strip(" []"))


def _day(value: str, field: str, path: Path, line: int) -> str:
    try:
        pd = PartialDate.parse(value.strip())
    except ValueError as exc:
        raise EventSourceError(
            f"`{field}`: {exc}", source=path.name, where=f"line {line}"
        ) from None
    if not pd.is_exact:
        raise EventSourceError(
            f"`{field}`: expected YYYY-MM-DD, got {value!r}", source=path.name, where=f"line {line}"
        )
    return str(pd)


@register
class OfacLifetimesImporter:
    format: ClassVar[str] = "ofac-lifetimes"
    dataset: ClassVar[str] = "ofac-first-seen"
    description: ClassVar[str] = (
        "OFAC SDN first/last-seen dates per entry (derived daily history CSV)"
    )

    def sniff(self, path: Path, head: bytes) -> float:
        if path.suffix.lower() != ".csv":
            return 0.0
        first = head.split(b"\n", 1)[0]
        return (
            0.9
            if first.startswith(b"ent_num,")
            and b"dprk_any" in first
            and b"programs_history" in first
            else 0.0
        )

    def load(self, path: Path) -> Dataset:
        reader, warnings = open_csv(path, COLUMNS, COLUMNS)
        rows: list[tuple[int, dict[str, str]]] = [(reader.line_num, row) for row in reader]
        if not rows:
            raise EventSourceError("no rows", source=path.name)
        first_day = min(_day(r["first_seen"], "first_seen", path, n) for n, r in rows)
        last_day = max(_day(r["last_seen"], "last_seen", path, n) for n, r in rows)
        records: list[dict[str, Any]] = []
        for line, row in rows:
            flag = (row["dprk_any"] or "").strip()
            if flag not in ("True", "False"):
                raise EventSourceError(
                    f"`dprk_any`: expected True or False, got {flag!r}",
                    source=path.name,
                    where=f"line {line}",
                )
            if flag != "True":
                continue
            seen = _day(row["first_seen"], "first_seen", path, line)
            ent = (row["ent_num"] or "").strip()
            if not ent.isdigit():
                raise EventSourceError(
                    f"`ent_num`: expected a number, got {ent!r}",
                    source=path.name,
                    where=f"line {line}",
                )
            records.append(
                {
                    "list_name": "ofac",
                    "entity_id": f"ofac-{ent}",
                    "schema": SCHEMAS.get((row["sdn_type_latest"] or "").strip(), "LegalEntity"),
                    "name": (row["sdn_name_latest"] or "").strip(),
                    "programs": list(_programs(row["programs_latest"] or "")),
                    "dprk": True,
                    "date": seen,
                    "basis": "on_or_before" if seen == first_day else "first_seen",
                    "last_seen": _day(row["last_seen"], "last_seen", path, line),
                }
            )
        return Dataset(
            name=self.dataset,
            family="ofac-first-seen",
            kind="designations",
            importer=self.format,
            citation=CITATION,
            licence="OFAC data: US government work, public domain.",
            sources=[SourceFile.of(path)],
            coverage=(first_day, last_day),
            records=records,
            warnings=warnings,
        )
