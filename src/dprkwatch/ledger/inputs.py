"""Everything the analyses read, gathered once from a data directory.

The curated ledger ships with the package; imported event datasets and the
sanctions-list history live in the data directory. Missing pieces are not
errors: an empty data directory still gives the curated timeline, and the
analyses say what they could not compute.

With a resolution run, its small target map decides two things: which
listings are DPRK designations (any DPRK evidence of the listing's target,
not only a DPRK programme tag: OFAC's NPWMD-listed North Koreans count), and
which listings are one canonical target (the pressure index's targets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dprkwatch.ledger.asof import Withheld, ledger_as_of
from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.loader import Ledger, load_ledger
from dprkwatch.ledger.pressure import PressureIndex, base_list, build_index
from dprkwatch.ledger.store import LedgerStore
from dprkwatch.ledger.timeline import build_timeline, curated_events
from dprkwatch.lists.history import Designation, designations
from dprkwatch.lists.snapshot import SnapshotStore


@dataclass
class Inputs:
    ledger: Ledger
    events: list[TimelineEvent]
    designations: list[Designation] = field(default_factory=list)
    versions: dict[str, list[date]] = field(default_factory=dict)
    daily: list[Designation] = field(default_factory=list)
    daily_spans: dict[str, list[tuple[date, date]]] = field(default_factory=dict)
    launch_coverage: tuple[date, date] | None = None
    notes: list[str] = field(default_factory=list)
    # Listing id -> canonical target id, from the last resolution run (None: none run).
    targets: dict[str, str] | None = None

    @property
    def has_launches(self) -> bool:
        return any(e.kind == "missile-launch" for e in self.events)

    @property
    def has_designations(self) -> bool:
        return bool(self.designations or self.daily)

    def missing(self) -> list[str]:
        """What is not imported, as notes for the user."""
        out = []
        if not self.has_launches:
            out.append(
                "No CNS missile data imported: launches are missing (dprkwatch ledger import PATH)."
            )
        if not self.has_designations:
            out.append(
                "No sanctions lists imported: designation counts are unavailable (dprkwatch lists import PATH)."
            )
        return out

    def as_of(self, day: date) -> tuple[Inputs, Withheld]:
        """Everything as citable on ``day``: see :mod:`dprkwatch.ledger.asof`.

        Imported launches and provocations count from their entry date; list
        snapshots from their publication date, so a designation read from a
        snapshot published after ``day`` is left out even when its listing
        date is earlier (unless an earlier snapshot of that list exists).
        """
        ledger, withheld = ledger_as_of(self.ledger, day)
        imported = [e for e in self.events if e.dataset != "ledger" and e.start <= day]
        events = sorted(
            [*curated_events(ledger), *imported], key=lambda e: (e.start, e.end, e.kind, e.id)
        )
        versions = {k: [v for v in vs if v <= day] for k, vs in self.versions.items()}
        iso = day.isoformat()
        designations = [
            d
            for d in self.designations
            if d.date is not None and d.date[:10] <= iso and versions.get(d.list_name)
        ]
        spans = {
            k: [(a, min(b, day)) for a, b in v if a <= day] for k, v in self.daily_spans.items()
        }
        coverage = self.launch_coverage
        if coverage is not None:
            coverage = None if coverage[0] > day else (coverage[0], min(coverage[1], day))
        view = Inputs(
            ledger=ledger,
            events=events,
            designations=designations,
            versions=versions,
            daily=[d for d in self.daily if d.date is not None and d.date[:10] <= iso],
            daily_spans=spans,
            launch_coverage=coverage,
            notes=list(self.notes),
            targets=self.targets,
        )
        return view, withheld

    def pressure(self, start: date, end: date) -> PressureIndex:
        return build_index(
            self.ledger,
            self.designations,
            self.events,
            versions=self.versions,
            daily=self.daily,
            daily_spans=self.daily_spans,
            launch_coverage=self.launch_coverage,
            targets=self.targets,
            start=start,
            end=end,
        )


def _version_dates(store: SnapshotStore) -> dict[str, list[date]]:
    out: dict[str, list[date]] = {}
    for name in store.lists():
        days = []
        for m in store.versions(name):
            if m.published:
                try:
                    days.append(PartialDate.parse(m.published[:10]).start())
                except ValueError:
                    continue
        out[name] = sorted(days)
    return out


def gather(home: Path | None, *, ledger: Ledger | None = None) -> Inputs:
    """Ledger, timeline and designation history for the data directory ``home``."""
    ledger = ledger or load_ledger()
    if home is None:
        events, notes = build_timeline(ledger)
        return Inputs(ledger=ledger, events=events, notes=notes)
    store = LedgerStore(home)
    events, notes = build_timeline(ledger, store)
    # Here, not at the top: the timeline and the arsenal import this module without a home.
    from dprkwatch.resolution.hits import load_map

    snapshots = SnapshotStore(home)
    target_map = load_map(home)
    relevant = target_map.dprk_listings() if target_map is not None else frozenset()
    history = _in_scope(designations(snapshots), relevant)
    daily = _in_scope(store.designations(), relevant)
    spans: dict[str, list[tuple[date, date]]] = {}
    for ds in store.datasets():
        if ds.kind == "designations":
            first, last = ds.coverage
            for lst in sorted({base_list(str(r["list_name"])) for r in ds.records}):
                spans.setdefault(lst, []).append(
                    (date.fromisoformat(first), date.fromisoformat(last))
                )
    launch_coverage = None
    chosen, _ = store.preferred("events")
    for ds in chosen:
        if ds.family == "cns":
            first, last = ds.coverage
            launch_coverage = (PartialDate.parse(first).start(), PartialDate.parse(last).end())
    return Inputs(
        ledger=ledger,
        events=events,
        designations=history,
        versions=_version_dates(snapshots),
        daily=daily,
        daily_spans=spans,
        launch_coverage=launch_coverage,
        notes=notes,
        targets=dict(target_map.target_of) if target_map is not None else None,
    )


def _in_scope(items: Sequence[Designation], relevant: frozenset[str]) -> list[Designation]:
    """The DPRK designations: tagged DPRK by their list, or of a DPRK-relevant target."""
    out = []
    for d in items:
        if d.dprk:
            out.append(d)
        elif d.entity_id in relevant:
            out.append(replace(d, dprk=True))
    return out
