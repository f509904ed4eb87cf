"""Every ledger listing as one value: rows, total, notes, legend — for any front end.

The CLI and the HTTP service both show the timeline, the resolutions and
their measures, the agreements and their commitments, the compliance
matrix, the pressure index, the bibliography and the claims. Each is built
here once, as a :class:`Listing` whose rows are JSON-native (numbers are
numbers, dates are ``YYYY[-MM[-DD]]`` text with a ``clock`` saying whether
they are local or UTC) and carry their resolved ``citations``. Front ends
only choose columns and render.

Rows are sorted by date. :meth:`Listing.page` applies ``--limit`` and
``--offset`` while keeping the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from dprkwatch.ledger.citations import Citation, dicts
from dprkwatch.ledger.compliance import Cell, commitment_rows, resolution_matrix
from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.events import TimelineEvent, select
from dprkwatch.ledger.inputs import Inputs
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Resolution, Vote
from dprkwatch.ledger.pressure import PressureIndex

Row = dict[str, Any]
#: Where the pressure index starts when no ``--from`` is given: the year of
#: resolution 2270 and of the first OFAC actions of the curated series.
PRESSURE_FROM = "2016"
#: Events drawn as labelled markers over the pressure chart: the diplomacy and
#: the tests the designations are read against.
MARKER_KINDS = frozenset({"summit", "talks", "agreement", "nuclear-test", "resolution"})

#: What the date of each kind of row means. Curated rows carry the local
#: date where the event happened; nuclear tests are dated in UTC (as the
#: seismic record); CNS dates match UTC (the 2017-11-28 Hwasong-15 launch was
#: 29 November in Pyongyang); CSIS does not say.
CLOCKS: dict[str, str] = {"ledger": "local", "cns": "UTC", "cns-csv": "UTC", "csis": "unstated"}
UTC_KINDS = frozenset({"nuclear-test"})

LEGEND: dict[str, str] = {
    "local": "date where the event happened (local calendar day)",
    "UTC": "date in Coordinated Universal Time",
    "unstated": "the dataset does not say which calendar day it uses",
    "(+N)": "N further breaches after the first one shown",
    "[calls-upon] / [urges]": "non-binding wording: the resolution asks, it does not decide or demand",
    "since": "a standing breach (e.g. outside the NPT) that began before the resolution",
    "*": "quarter only partly covered by the data",
    "n/a": "not in the data (never shown as 0)",
    "pending": "not yet established on that date, or the data to decide is missing",
}


def parse_range(
    start: str | None, end: str | None, *, default_start: str | None = None
) -> tuple[date | None, date | None]:
    """``--from``/``--to`` (or ``from``/``to``) as the first and last day they can mean.

    Raises ``ValueError`` whose first word names the option (``from``/``to``).
    """

    def one(value: str | None, name: str, last: bool) -> date | None:
        if value is None or not value.strip():
            return None
        try:
            pd = PartialDate.parse(value.strip())
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        return pd.end() if last else pd.start()

    first = one(start if start else default_start, "from", False)
    last = one(end, "to", True)
    if first and last and first > last:
        raise ValueError(f"from: {start or default_start} is after to {end}")
    return first, last


@dataclass
class Listing:
    """One listing: rows (JSON-native dicts), the total before paging, notes and a legend."""

    kind: str
    rows: list[Row]
    total: int
    notes: list[str] = field(default_factory=list)
    legend: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    offset: int = 0

    def page(self, limit: int | None, offset: int = 0) -> Listing:
        end = None if limit is None else offset + limit
        return replace(self, rows=self.rows[offset:end], offset=offset)

    def to_dict(self) -> dict[str, Any]:
        """The one JSON envelope every listing is printed in."""
        return {
            "kind": self.kind,
            "total": self.total,
            "offset": self.offset,
            "count": len(self.rows),
            "rows": self.rows,
            "notes": self.notes,
            "legend": self.legend,
            **({"meta": self.meta} if self.meta else {}),
        }


def _listing(kind: str, rows: list[Row], **kw: Any) -> Listing:
    return Listing(kind, rows, len(rows), **kw)


def _legend(*keys: str) -> dict[str, str]:
    return {k: LEGEND[k] for k in keys}


def event_clock(e: TimelineEvent) -> str:
    if e.kind in UTC_KINDS:
        return "UTC"
    return CLOCKS.get(e.dataset, "unstated")


def event_row(e: TimelineEvent) -> Row:
    return {
        "date": str(e.date),
        "end_date": str(e.end_date) if e.end_date else None,
        "clock": event_clock(e),
        "category": e.category,
        "kind": e.kind,
        "title": e.title,
        "detail": e.detail,
        "dataset": e.dataset,
        "confidence": e.confidence,
        "id": e.id,
        "citations": dicts(e.citations),
        "sources": list(e.sources),
        "attrs": dict(e.attrs),
    }


def timeline(
    inputs: Inputs,
    *,
    start: date | None = None,
    end: date | None = None,
    kinds: frozenset[str] | None = None,
    dataset: str | None = None,
) -> Listing:
    events = select(inputs.events, start=start, end=end, kinds=kinds)
    if dataset:
        events = [e for e in events if e.dataset == dataset]
    return _listing(
        "timeline",
        [event_row(e) for e in events],
        notes=list(inputs.notes),
        legend=_legend("local", "UTC", "unstated"),
        meta={"datasets": sorted({e.dataset for e in inputs.events})},
    )


def _in(d: PartialDate, start: date | None, end: date | None) -> bool:
    return (start is None or d.start() >= start) and (end is None or d.start() <= end)


def vote_dict(vote: Vote | None) -> dict[str, Any] | None:
    return vote.model_dump(mode="json") if vote is not None else None


def _resolutions(ledger: Ledger, start: date | None, end: date | None) -> list[Resolution]:
    return sorted(
        (r for r in ledger.resolutions if _in(r.date, start, end)), key=lambda r: r.date.sort_key()
    )


def resolutions(ledger: Ledger, *, start: date | None = None, end: date | None = None) -> Listing:
    rows = []
    for r in _resolutions(ledger, start, end):
        rows.append(
            {
                "date": str(r.date),
                "clock": "local",
                "resolution": r.label,
                "id": r.id,
                "number": r.number,
                "outcome": r.outcome,
                "chapter_vii": r.chapter_vii,
                "vote": vote_dict(r.vote),
                "trigger": r.trigger,
                "measures": len(r.measures),
                "requires_denuclearization": r.requires("abandon-nuclear"),
                "confidence": r.confidence.value,
                "note": r.note,
                "citations": dicts(ledger.cite(r.sources)),
            }
        )
    return _listing("resolutions", rows, legend=_legend("local"))


def measures(
    ledger: Ledger,
    *,
    start: date | None = None,
    end: date | None = None,
    kind: str | None = None,
) -> Listing:
    rows = []
    for r in _resolutions(ledger, start, end):
        for m in r.measures:
            if kind is not None and m.kind.value != kind:
                continue
            rows.append(
                {
                    "date": str(r.date),
                    "clock": "local",
                    "resolution": r.label,
                    "resolution_id": r.id,
                    "kind": m.kind.value,
                    "subject": m.subject,
                    "direction": m.direction,
                    "quantity": m.quantity,
                    "unit": m.unit,
                    "period": m.period,
                    "individuals": m.individuals,
                    "entities": m.entities,
                    "vessels": m.vessels,
                    "paragraph": m.paragraph,
                    "detail": m.detail,
                    "confidence": (m.confidence or r.confidence).value,
                    "citations": dicts(ledger.cite(r.sources)),
                }
            )
    return _listing("measures", rows, legend=_legend("local"))


def agreements(ledger: Ledger, *, start: date | None = None, end: date | None = None) -> Listing:
    rows = []
    for a in sorted(ledger.agreements, key=lambda a: a.date.sort_key()):
        if not _in(a.date, start, end):
            continue
        statuses = [c.status.value for c in a.commitments]
        rows.append(
            {
                "date": str(a.date),
                "clock": "local",
                "agreement": a.name,
                "id": a.id,
                "kind": a.kind,
                "parties": list(a.parties),
                "commitments": len(statuses),
                **{s: statuses.count(s) for s in ("kept", "broken", "lapsed", "never-verified")},
                "ended": str(a.ended) if a.ended else None,
                "outcome": a.outcome,
                "confidence": a.confidence.value,
                "citations": dicts(ledger.cite(a.sources)),
            }
        )
    return _listing("agreements", rows, legend=_legend("local"))


def commitments(
    ledger: Ledger,
    *,
    start: date | None = None,
    end: date | None = None,
    party: str | None = None,
    status: str | None = None,
    topic: str | None = None,
) -> Listing:
    rows = [
        {**r.model_dump(mode="json"), "clock": "local"}
        for r in commitment_rows(
            ledger, start=start, end=end, party=party, status=status, topic=topic
        )
    ]
    rows.sort(key=lambda r: (PartialDate.parse(r["date"]).sort_key(), r["commitment"]))
    return _listing("commitments", rows, legend=_legend("local", "pending"))


def cell_text(cell: Cell) -> str:
    """A matrix cell for people: status, first breach, ``(+N)``, and non-binding wording."""
    return cell.summary() + ("" if cell.binding else f" [{cell.force}]")


def compliance(
    inputs: Inputs,
    *,
    start: date | None = None,
    end: date | None = None,
    max_breaches: int | None = None,
) -> Listing:
    """One row per resolution × obligation cell (flat), with the cell's breaches cited."""
    ledger = inputs.ledger
    matrix = resolution_matrix(ledger, inputs.events, start=start, end=end)
    rows = []
    for res, cells in sorted(matrix.rows, key=lambda rc: rc[0].date.sort_key()):
        for key in matrix.columns:
            c = cells.get(key)
            if c is None:
                continue
            breaches = [b.to_dict() for b in c.breaches]
            first = c.first
            rows.append(
                {
                    "date": c.adopted,
                    "clock": "local",
                    "resolution": c.label,
                    "resolution_id": c.resolution,
                    "obligation": c.obligation,
                    "force": c.force,
                    "binding": c.binding,
                    "status": c.status,
                    "summary": cell_text(c),
                    "first_breach": first.date if first else None,
                    "evidence": first.text if first else None,
                    "breach_count": len(breaches),
                    "breaches": breaches[:max_breaches] if max_breaches else breaches,
                    "note": c.note,
                    "citations": dicts(
                        [*ledger.cite(res.sources), *(first.citations if first else ())]
                    ),
                }
            )
    return _listing(
        "compliance",
        rows,
        notes=list(matrix.notes),
        legend=_legend("local", "(+N)", "[calls-upon] / [urges]", "since"),
        meta={"columns": matrix.columns},
    )


def sources(ledger: Ledger) -> Listing:
    rows = [
        {**Citation.of(s).to_dict(), "note": s.note}
        for s in sorted(ledger.sources, key=lambda s: (s.date.sort_key(), s.id))
    ]
    return _listing("sources", rows)


def pressure_index(
    inputs: Inputs, start: date, end: date
) -> tuple[PressureIndex, list[TimelineEvent]]:
    """The pressure index over ``start``..``end`` and the markers (summits, tests...) beside it."""
    index = inputs.pressure(start, end)
    return index, select(inputs.events, start=start, end=end, kinds=MARKER_KINDS)


PRESSURE_LEGEND = _legend("*", "n/a")


def pressure(inputs: Inputs, start: date, end: date) -> Listing:
    """The pressure index (see :mod:`dprkwatch.ledger.pressure`) as a listing of quarters."""
    index, markers = pressure_index(inputs, start, end)
    return _listing(
        "pressure",
        [r.to_dict(index.lists) for r in index.rows],
        notes=[*inputs.notes, *index.notes],
        legend=PRESSURE_LEGEND,
        meta={
            "lists": index.lists,
            "coverage": {
                k: [[str(i.start), str(i.end)] for i in v] for k, v in index.coverage.items()
            },
            "baseline": {
                k: {"count": n, "on_or_before": d} for k, (n, d) in index.baseline.items()
            },
            "markers": [event_row(e) for e in markers],
        },
    )


def claims(verdicts: Sequence[Any], notes: Sequence[str]) -> Listing:
    """Claim verdicts (:class:`dprkwatch.ledger.claims.Verdict`), one row per claim."""
    rows = []
    for v in verdicts:
        d = v.to_dict()
        rows.append(
            {
                **d,
                "date": d["made"],
                "clock": "local",
                "verdict_at_time": v.at_time.verdict,
                "verdict_today": v.today.verdict,
                "value_at_time": v.at_time.value,
                "value_today": v.today.value,
                "citations": _claim_citations(v),
            }
        )
    rows.sort(key=lambda r: (r["date"], r["id"]))
    return _listing("claims", rows, notes=list(notes), legend=_legend("local", "pending"))


def _claim_citations(v: Any) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for a in (v.at_time, v.today):
        for f in a.evidence:
            for c in f.citations:
                seen.setdefault((c.id, c.date), c.to_dict())
    return list(seen.values())
