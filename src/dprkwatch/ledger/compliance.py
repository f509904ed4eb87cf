"""Compliance matrices: resolutions × DPRK obligations, agreements × commitments.

For resolutions the status of each cell is *computed*: an obligation is
broken when a breach falls after the adoption date, or when a standing
breach (outside the NPT since 2003...) began before it. Breaches come from
curated evidence in ``obligations.yaml`` and, where the obligation has a
``check``, from data: the nuclear tests of the ledger or the imported CNS
missile launches. Without the launch data those cells say ``not-assessed``
rather than guessing. Agreement commitments carry curated statuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dprkwatch.ledger.citations import Citation
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Obligation, ObligationRef, Resolution

NOT_ASSESSED = "not-assessed"


@dataclass(frozen=True)
class Breach:
    """One piece of evidence that an obligation was broken."""

    date: str
    text: str
    ref: str | None
    sources: tuple[str, ...]
    standing: bool = False
    citations: tuple[Citation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "text": self.text,
            "ref": self.ref,
            "sources": list(self.sources),
            "standing": self.standing,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class Cell:
    """One resolution × obligation cell."""

    resolution: str
    label: str
    adopted: str
    obligation: str
    force: str
    binding: bool
    status: str
    breaches: tuple[Breach, ...] = ()
    note: str = ""

    @property
    def first(self) -> Breach | None:
        return self.breaches[0] if self.breaches else None

    def summary(self) -> str:
        if self.status == "broken" and self.first is not None:
            lead = "since" if self.first.standing else "first"
            more = f" (+{len(self.breaches) - 1})" if len(self.breaches) > 1 else ""
            return f"broken, {lead} {self.first.date}{more}"
        return self.status

    def to_dict(self) -> dict[str, Any]:
        return {
            "resolution": self.resolution,
            "label": self.label,
            "adopted": self.adopted,
            "obligation": self.obligation,
            "force": self.force,
            "binding": self.binding,
            "status": self.status,
            "summary": self.summary(),
            "breaches": [b.to_dict() for b in self.breaches],
            "note": self.note,
        }


@dataclass
class ResolutionMatrix:
    columns: list[str]
    rows: list[tuple[Resolution, dict[str, Cell]]]
    notes: list[str] = field(default_factory=list)

    def cells(self) -> list[Cell]:
        return [cell for _res, cells in self.rows for cell in cells.values()]


def _launches(events: Sequence[TimelineEvent], types: Sequence[str]) -> list[TimelineEvent]:
    wanted = {t.upper() for t in types}
    return [
        e
        for e in events
        if e.kind == "missile-launch"
        and (not wanted or str(e.attrs.get("missile_type", "")).upper() in wanted)
    ]


def _cell(
    ledger: Ledger,
    res: Resolution,
    ref: ObligationRef,
    ob: Obligation,
    launches: Sequence[TimelineEvent] | None,
    launch_coverage: str | None,
) -> Cell:
    adopted = res.date.start()
    breaches: list[Breach] = []
    if (
        ob.standing is not None
        and ob.standing.date is not None
        and ob.standing.date.start() <= adopted
    ):
        breaches.append(
            Breach(
                str(ob.standing.date),
                ob.standing.text,
                None,
                tuple(ob.standing.sources),
                standing=True,
                citations=ledger.cite(ob.standing.sources),
            )
        )
    for ev in ob.breaches:
        if ev.date is not None and ev.date.start() > adopted:
            breaches.append(
                Breach(
                    str(ev.date),
                    ev.text,
                    ev.refs[0] if ev.refs else None,
                    tuple(ev.sources),
                    citations=ledger.cite(ev.sources),
                )
            )
    if (
        ob.standing is not None
        and ob.standing.date is not None
        and ob.standing.date.start() > adopted
    ):
        breaches.append(
            Breach(
                str(ob.standing.date),
                ob.standing.text,
                None,
                tuple(ob.standing.sources),
                citations=ledger.cite(ob.standing.sources),
            )
        )
    note = ""
    assessed = True
    if ob.check == "nuclear-test":
        for t in ledger.nuclear_tests:
            if t.date.start() > adopted:
                breaches.append(
                    Breach(
                        str(t.date),
                        f"Nuclear test {t.number}",
                        t.id,
                        tuple(t.sources),
                        citations=ledger.cite(t.sources),
                    )
                )
    elif ob.check == "missile-launch":
        if launches is None:
            assessed = False
            note = "missile launch data not imported (dprkwatch ledger import)"
        else:
            after = [e for e in _launches(launches, ob.missile_types) if e.start > adopted]
            for e in after:
                breaches.append(
                    Breach(str(e.date), e.title, e.id, e.sources, citations=e.citations)
                )
            note = f"CNS launches through {launch_coverage}"
    breaches.sort(key=lambda b: (not b.standing, b.date))
    if breaches:
        status = "broken"
    elif not assessed:
        status = NOT_ASSESSED
    elif ob.check is not None and ob.verifiable:
        status = "kept"
    else:
        status = "never-verified"
    if ref.confidence is not None and not note:
        note = f"obligation wording: {ref.confidence.value}"
    return Cell(
        resolution=res.id,
        label=res.label,
        adopted=str(res.date),
        obligation=ob.key,
        force=ref.force,
        binding=ref.binding,
        status=status,
        breaches=tuple(breaches),
        note=note,
    )


def resolution_matrix(
    ledger: Ledger,
    events: Sequence[TimelineEvent] | None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> ResolutionMatrix:
    """Cells for every adopted resolution (optionally within a date range) and obligation.

    ``events`` is the timeline; ``None`` or no launches in it means the
    missile-launch checks cannot be made.
    """
    launches = [e for e in events or () if e.kind == "missile-launch"]
    launch_data: Sequence[TimelineEvent] | None = launches or None
    coverage = max((e.end for e in launches), default=None)
    columns = [o.key for o in ledger.obligations]
    rows: list[tuple[Resolution, dict[str, Cell]]] = []
    for res in ledger.resolutions:
        if res.outcome != "adopted" or not res.obligations:
            continue
        if (start and res.date.start() < start) or (end and res.date.start() > end):
            continue
        cells = {
            ref.key: _cell(
                ledger,
                res,
                ref,
                ledger.obligation(ref.key),
                launch_data,
                str(coverage) if coverage else None,
            )
            for ref in res.obligations
        }
        rows.append((res, cells))
    notes = []
    if launch_data is None:
        notes.append("No CNS missile data imported: launch-based obligations are not assessed.")
    return ResolutionMatrix(columns=columns, rows=rows, notes=notes)


class CommitmentRow(BaseModel):
    """One commitment of an agreement with its latest evidence (also the HTTP answer's row)."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    agreement_name: str
    date: str
    commitment: str
    party: str
    topic: str
    obligation: str
    deadline: str | None
    status: str
    evidence: str
    evidence_date: str | None
    confidence: str
    sources: list[str] = Field(description="Ids of bibliography entries (see `sources`)")
    citations: list[Citation] = Field(
        default_factory=list, description="The same sources, resolved (title, publisher, date, URL)"
    )
    history: list[dict[str, str]] = Field(
        default_factory=list, description="Dated status changes: date, status, text"
    )
    status_path: str | None = Field(None, description="The history in one line")


def commitment_rows(
    ledger: Ledger,
    *,
    start: date | None = None,
    end: date | None = None,
    party: str | None = None,
    status: str | None = None,
    topic: str | None = None,
) -> list[CommitmentRow]:
    """Agreements × commitments, one row per commitment, with the latest evidence."""
    out: list[CommitmentRow] = []
    for agreement, c in ledger.commitments():
        if (start and agreement.date.start() < start) or (end and agreement.date.start() > end):
            continue
        if party and c.party.lower() != party.lower():
            continue
        if status and c.status.value != status:
            continue
        if topic and c.topic != topic:
            continue
        dated = [e for e in c.evidence if e.date is not None]
        ev = (
            max(dated, key=lambda e: e.date.start() if e.date else date.min)
            if dated
            else c.evidence[-1]
        )
        confidences = [e.confidence.value for e in c.evidence]
        worst = (
            "unverified"
            if "unverified" in confidences
            else "secondary"
            if "secondary" in confidences
            else "verified"
        )
        out.append(
            CommitmentRow(
                agreement=agreement.id,
                agreement_name=agreement.name,
                date=str(agreement.date),
                commitment=f"{agreement.id}/{c.id}",
                party=c.party,
                topic=c.topic,
                obligation=c.obligation,
                deadline=str(c.deadline) if c.deadline else c.deadline_note,
                status=c.status.value,
                evidence=ev.text,
                evidence_date=str(ev.date) if ev.date else None,
                confidence=worst,
                sources=sorted({*agreement.sources, *(s for e in c.evidence for s in e.sources)}),
                citations=list(
                    ledger.cite(
                        dict.fromkeys(
                            [*agreement.sources, *(s for e in c.evidence for s in e.sources)]
                        )
                    )
                ),
                history=[
                    {"date": str(h.date), "status": h.status.value, "text": h.text}
                    for h in c.history
                ],
                status_path=" → ".join(f"{h.status.value} {h.date}" for h in c.history) or None,
            )
        )
    return out
