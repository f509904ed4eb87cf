"""Builders shared by the ledger tests: launches, designations, inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dprkwatch.ledger import Inputs, TimelineEvent, load_ledger
from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.timeline import curated_events
from dprkwatch.lists.history import Designation


def launch(day: str, missile_type: str = "SRBM", n: int = 1) -> TimelineEvent:
    return TimelineEvent(
        id=f"test-{day}-{n}",
        date=PartialDate.parse(day),
        kind="missile-launch",
        title=f"test launch ({missile_type})",
        dataset="cns",
        sources=("test",),
        confidence="secondary",
        attrs={"missile_type": missile_type},
    )


def designation(
    list_name: str, entity: str, day: str | None, basis: str = "listed", dprk: bool = True
) -> Designation:
    return Designation(
        list_name=list_name,
        entity_id=entity,
        schema="Person",
        name=entity.upper(),
        programs=("DPRK",),
        dprk=dprk,
        date=day,
        basis=basis,
    )


def inputs_with(
    launches: Sequence[TimelineEvent] = (), designations: Sequence[Designation] = ()
) -> Inputs:
    """Curated events plus the given launches and list history."""
    ledger = load_ledger()
    cited = [replace(e, citations=ledger.cite_dataset(e.dataset, str(e.date))) for e in launches]
    events = sorted([*curated_events(ledger), *cited], key=lambda e: (e.start, e.id))
    return Inputs(ledger=ledger, events=events, designations=list(designations))
