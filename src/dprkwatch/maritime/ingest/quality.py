"""The data-quality ledger of one ingest run: every row is kept or counted, never lost.

Each skipped row lands under one reason, with the first few places it
happened (``file:line``) as examples, so a summary can say *what* was wrong
and *where to look*. Some reasons are notes rather than losses (a course of
360, meaning "not available", is blanked but the row is kept); those are
listed in :data:`NOTES` and do not count as skipped.

The invariant the tests check: ``rows_read == positions_kept + skipped +
non_position_rows`` for every input.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_EXAMPLES = 5

REASONS: dict[str, str] = {
    "malformed_nmea": "NMEA sentence that fails its checksum, framing or decoding",
    "malformed_row": "CSV row with the wrong number of fields",
    "nmea_incomplete": "multi-part NMEA message with a missing or out-of-sequence fragment",
    "nmea_no_timestamp": "NMEA position with no tag-block time, line time or base-station clock before it",
    "missing_value": "mmsi, timestamp, lat or lon empty",
    "unparseable": "mmsi, timestamp, lat or lon that is not a number or a date",
    "bad_mmsi": "MMSI outside 1..999999999",
    "bad_timestamp": "timestamp before 1995 (AIS did not exist)",
    "position_unavailable": "lat 91 / lon 181, the AIS 'not available' marker",
    "bad_coordinates": (
        "latitude outside -90..90 or longitude outside -180..180, "
        "or a GeoParquet geometry that is not a point"
    ),
    "bad_speed": "speed over ground negative or above 102.2 kn",
    "duplicate": "a second report of one MMSI at the same instant",
    "out_of_order": "timestamp earlier than an earlier row of the same MMSI in the same file",
}

NOTES: dict[str, str] = {
    "speed_unavailable": "speed 102.3 kn ('not available'): kept with no speed",
    "course_unavailable": "course 360 or outside 0..360: kept with no course",
    "bad_imo": "IMO that is not a 7-digit number: identity kept without it",
    "bad_encoding": "text that is not UTF-8: the bad bytes replaced with U+FFFD, the row kept",
    "non_position_messages": (
        "NMEA messages that are neither positions nor static data (base stations, safety text, ...)"
    ),
    "out_of_order_sorted": "out-of-order rows sorted into place (with --keep-out-of-order)",
    "not_a_vessel": "rows of base stations and aids to navigation (the DMA's 'Type of mobile'), not vessel positions",
}


@dataclass
class Quality:
    """Counts per reason plus a few examples each; merges across files and batches."""

    rows_read: int = 0
    positions_kept: int = 0
    static_reports: int = 0
    non_position_rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1, where: list[str] | None = None) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown quality reason {reason!r}")
        if count:
            self.skipped[reason] += count
            self._example(reason, where)

    def note(self, reason: str, count: int = 1, where: list[str] | None = None) -> None:
        if reason not in NOTES:
            raise ValueError(f"unknown quality note {reason!r}")
        if count:
            self.notes[reason] += count
            self._example(reason, where)

    def _example(self, reason: str, where: list[str] | None) -> None:
        if not where:
            return
        bucket = self.examples.setdefault(reason, [])
        for w in where:
            if len(bucket) >= MAX_EXAMPLES:
                break
            bucket.append(w)

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def merge(self, other: Quality) -> None:
        self.rows_read += other.rows_read
        self.positions_kept += other.positions_kept
        self.static_reports += other.static_reports
        self.non_position_rows += other.non_position_rows
        self.skipped.update(other.skipped)
        self.notes.update(other.notes)
        for reason, items in other.examples.items():
            self._example(reason, items)

    def rows(self) -> list[dict[str, Any]]:
        """One row per reason with a count, for tables and JSON."""
        out: list[dict[str, Any]] = []
        for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
            out.append(
                {
                    "reason": reason,
                    "kind": "skipped",
                    "rows": n,
                    "meaning": REASONS[reason],
                    "examples": self.examples.get(reason, []),
                }
            )
        for reason, n in sorted(self.notes.items(), key=lambda kv: -kv[1]):
            out.append(
                {
                    "reason": reason,
                    "kind": "note",
                    "rows": n,
                    "meaning": NOTES[reason],
                    "examples": self.examples.get(reason, []),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "positions_kept": self.positions_kept,
            "static_reports": self.static_reports,
            "non_position_rows": self.non_position_rows,
            "skipped": dict(self.skipped),
            "notes": dict(self.notes),
            "examples": self.examples,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quality:
        return cls(
            rows_read=int(data.get("rows_read", 0)),
            positions_kept=int(data.get("positions_kept", 0)),
            static_reports=int(data.get("static_reports", 0)),
            non_position_rows=int(data.get("non_position_rows", 0)),
            skipped=Counter({str(k): int(v) for k, v in data.get("skipped", {}).items()}),
            notes=Counter({str(k): int(v) for k, v in data.get("notes", {}).items()}),
            examples={str(k): list(v) for k, v in data.get("examples", {}).items()},
        )

    def summary(self) -> str:
        """One line for logs and the CLI."""
        parts = [
            f"{self.rows_read:,} rows read",
            f"{self.positions_kept:,} positions kept",
            f"{self.static_reports:,} static reports",
        ]
        if self.skipped:
            parts.append(
                f"{self.total_skipped:,} skipped ("
                + ", ".join(
                    f"{k} {v:,}" for k, v in sorted(self.skipped.items(), key=lambda kv: -kv[1])
                )
                + ")"
            )
        return "; ".join(parts)
