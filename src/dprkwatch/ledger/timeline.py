"""The timeline: curated ledger records and imported datasets as one event list."""

from __future__ import annotations

from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Sourced
from dprkwatch.ledger.store import LedgerStore


def citation(ledger: Ledger, source_id: str) -> str:
    """``Publication, "Title" (date). URL`` for a bibliography id."""
    s = ledger.source(source_id)
    return f'{s.publication}, "{s.title}" ({s.date}). {s.url}'


def _cite(ledger: Ledger, rec: Sourced) -> tuple[str, ...]:
    return tuple(citation(ledger, sid) for sid in rec.sources)


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
                sources=_cite(ledger, d),
                confidence=d.confidence.value,
                attrs={
                    "parties": list(d.parties),
                    "place": d.place,
                    "refs": list(d.refs),
                    "note": d.note,
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
                sources=_cite(ledger, a),
                confidence=a.confidence.value,
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
                sources=_cite(ledger, r),
                confidence=r.confidence.value,
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
                detail=f"{s.total} designations (individuals {s.individuals or 0}, entities {s.entities or 0}, vessels {s.vessels or 0})",
                dataset="ledger",
                sources=_cite(ledger, s),
                confidence=s.confidence.value,
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
                sources=_cite(ledger, e),
                confidence=e.confidence.value,
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
                sources=_cite(ledger, h),
                confidence=h.confidence.value,
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
                sources=_cite(ledger, t),
                confidence=t.confidence.value,
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
        events.extend(imported)
    events.sort(key=lambda e: (e.start, e.end, e.kind, e.id))
    return events, notes
