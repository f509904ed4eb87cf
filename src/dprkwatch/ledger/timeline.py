"""The timeline: curated ledger records and imported datasets as one event list."""

from __future__ import annotations

import dataclasses
from typing import Any

from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Sourced
from dprkwatch.ledger.store import LedgerStore


def citation(ledger: Ledger, source_id: str) -> str:
    """``Publication, "Title" (date). URL`` for a bibliography id."""
    return ledger.cite([source_id])[0].text()


def _cited(ledger: Ledger, rec: Sourced) -> dict[str, Any]:
    """The provenance fields of a curated row's event: citation texts, citations, confidence."""
    citations = ledger.cite(rec.sources)
    return {
        "sources": tuple(c.text() for c in citations),
        "citations": citations,
        "confidence": rec.confidence.value,
    }


def curated_events(ledger: Ledger) -> list[TimelineEvent]:
    """Every dated curated record as a timeline event."""
    out: list[TimelineEvent] = []
    for d in ledger.diplomacy:
        out.append(
            TimelineEvent(
                id=d.id,
                date=d.date,
                end_date=d.end_date,
                kind=d.kind,
                title=d.title,
                detail=d.outcome or "",
                dataset="ledger",
                **_cited(ledger, d),
                attrs={
                    "parties": list(d.parties),
                    "place": d.place,
                    "refs": list(d.refs),
                    "note": d.note,
                    "refused_by": list(d.refused_by),
                    "requested_by": list(d.requested_by),
                    "tags": list(d.tags),
                },
            )
        )
    for a in ledger.agreements:
        out.append(
            TimelineEvent(
                id=a.id,
                date=a.date,
                kind="agreement",
                title=a.name,
                detail=a.outcome,
                dataset="ledger",
                **_cited(ledger, a),
                attrs={
                    "parties": list(a.parties),
                    "place": a.place,
                    "commitments": len(a.commitments),
                },
            )
        )
    for r in ledger.resolutions:
        label = (
            r.label
            if r.outcome == "adopted"
            else f"Vetoed draft resolution ({', '.join(r.vote.vetoed_by) if r.vote else ''})"
        )
        out.append(
            TimelineEvent(
                id=r.id,
                date=r.date,
                kind="resolution" if r.outcome == "adopted" else "veto",
                title=label,
                detail=r.trigger,
                dataset="ledger",
                **_cited(ledger, r),
                attrs={
                    "number": r.number,
                    "measures": len(r.measures),
                    "obligations": [o.key for o in r.obligations],
                },
            )
        )
    for s in ledger.sanctions_actions:
        out.append(
            TimelineEvent(
                id=s.id,
                date=s.date,
                kind="designation-action",
                title=f"{s.authority}: {s.title}",
                detail=(
                    f"{s.total} designations (individuals {s.individuals or 0}, entities "
                    f"{s.entities or 0}, vessels {s.vessels or 0})"
                ),
                dataset="ledger",
                **_cited(ledger, s),
                attrs={"authority": s.authority, "total": s.total},
            )
        )
    for e in ledger.exercises:
        out.append(
            TimelineEvent(
                id=e.id,
                date=e.date,
                kind="exercise",
                title=f"{e.name}: {e.action}",
                detail=e.detail or "",
                dataset="ledger",
                **_cited(ledger, e),
                attrs={"action": e.action, "scheduled": e.scheduled},
            )
        )
    for h in ledger.humanitarian:
        what = (
            ", ".join(h.people)
            if h.people
            else f"{'at least ' if h.at_least else ''}{h.count} {h.unit}"
        )
        title = (
            f"Detainee release: {what}"
            if h.kind == "detainee-release"
            else f"Remains returned: {what}"
        )
        out.append(
            TimelineEvent(
                id=h.id,
                date=h.date,
                end_date=h.end_date,
                kind=h.kind,
                title=title,
                detail=h.detail or "",
                dataset="ledger",
                **_cited(ledger, h),
                attrs={
                    "count": h.count,
                    "unit": h.unit,
                    "at_least": h.at_least,
                    "envoy": h.envoy,
                    "administration": "/".join(
                        a.president
                        for a in ledger.administrations_during(
                            h.date.start(), (h.end_date or h.date).end()
                        )
                    ),
                },
            )
        )
    for o in ledger.observations:
        out.append(
            TimelineEvent(
                id=o.id,
                date=o.date,
                kind="finding",
                title=f"{o.by}: {o.title}",
                detail=o.detail or "",
                dataset="ledger",
                **_cited(ledger, o),
                attrs={
                    "by": o.by,
                    "category": o.category,
                    "event_date": str(o.event_date) if o.event_date else None,
                    "quantities": [q.model_dump(mode="json") for q in o.quantities],
                    "refs": list(o.refs),
                },
            )
        )
    for t in ledger.nuclear_tests:
        central = next((y.kt for y in t.yields if y.kt is not None), None)
        out.append(
            TimelineEvent(
                id=t.id,
                date=t.date,
                kind="nuclear-test",
                title=f"Nuclear test {t.number} ({t.site})",
                detail=f"mb {t.mb}; yield about {central:g} kt ({t.yields[0].estimator})"
                if central is not None
                else f"mb {t.mb}",
                dataset="ledger",
                **_cited(ledger, t),
                attrs={"number": t.number, "mb": t.mb, "yield_kt": central},
            )
        )
    return out


def build_timeline(
    ledger: Ledger, store: LedgerStore | None = None
) -> tuple[list[TimelineEvent], list[str]]:
    """Curated events plus imported ones, sorted; and notes on what was left out."""
    events = curated_events(ledger)
    notes: list[str] = []
    if store is not None:
        imported, notes = store.events()
        events.extend(
            e
            if e.citations
            else dataclasses.replace(e, citations=ledger.cite_dataset(e.dataset, str(e.date)))
            for e in imported
        )
    events.sort(key=lambda e: (e.start, e.end, e.kind, e.id))
    return events, notes
