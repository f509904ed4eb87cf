"""Which parts of the arsenal model a proposal stops, when, and on the strength of which rows.

The arsenal model has a handful of production components: the 5 MWe
``reactor``, ``reprocessing`` (every kilogram of plutonium is separated
there), the ``elwr``, one component per enrichment site
(``enrichment.yongbyon``, ``enrichment.kangson``, and any site a parameter
file adds), and the ``stockpile`` already made. An asset row ties a facility
to one of them (its ``model`` field). A proposal stops a component on the
earliest start of a phase that freezes, disables, dismantles or removes any
asset tied to it.

Every :class:`Stop` keeps the asset rows it rests on, with their sources, so a
figure such as "weapons prevented" can always be traced back to the rows of
``assets.yaml`` and ``proposals.yaml`` that produced it. Components that no
phase stops are the *uncovered* capacity; components with no asset row at all
(a site a parameter file adds without an inventory entry) are uncovered by
construction and are reported as such rather than silently dropped. Assets
tied to a site the parameters never have (presence 0) are listed as
unmodelled, like assets with no component at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dprkwatch.arsenal import Parameters
from dprkwatch.arsenal.parameters import Range
from dprkwatch.roadmap.loader import Roadmap
from dprkwatch.roadmap.model import STOPPING, Action, Asset, Proposal

#: Components that make new fissile material (the stockpile is what was made).
PRODUCTION = ("reactor", "reprocessing", "elwr")


def components(params: Parameters) -> list[str]:
    """Production components of a parameter file, in a fixed order.

    The ELWR only when on, and an enrichment site only when it can be present:
    a site the parameter file never has (presence 0, like the four-sites
    variant's extra site in the default) makes nothing a deal could stop.
    """
    out = ["reactor", "reprocessing"]
    if params.file.elwr.enabled:
        out.append("elwr")
    out += [f"enrichment.{s.id}" for s in params.file.enrichment.sites if not _absent(s.presence)]
    return out


def absent_sites(params: Parameters) -> set[str]:
    """Enrichment components a parameter file names but never has."""
    return {f"enrichment.{s.id}" for s in params.file.enrichment.sites if _absent(s.presence)}


def _absent(presence: Range) -> bool:
    return presence.distribution == "bernoulli" and presence.value == 0


@dataclass(frozen=True)
class Stop:
    """A component stopped by a proposal: from when, by which phase, on which rows."""

    component: str
    day: date
    phase: str
    action: Action
    assets: tuple[str, ...]
    verified: bool

    def to_dict(self, roadmap: Roadmap) -> dict[str, Any]:
        return {
            "component": self.component,
            "from": self.day.isoformat(),
            "phase": self.phase,
            "action": self.action.value,
            "verified": self.verified,
            "assets": [_asset_row(roadmap.asset(a)) for a in self.assets],
        }


def _asset_row(a: Asset) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "sources": list(a.sources),
        "confidence": a.confidence.value,
    }


@dataclass(frozen=True)
class Coverage:
    """What one proposal does to the model: stops, and what it leaves running."""

    proposal: Proposal
    stops: dict[str, Stop]
    uncovered: list[str]  # production components no phase stops
    unmodelled: list[str] = field(default_factory=list)  # production assets with no component
    first_day: date | None = None  # earliest stop of a production component

    @property
    def removal(self) -> Stop | None:
        """The phase that ships the existing stockpile out, if any."""
        stop = self.stops.get("stockpile")
        return stop if stop is not None and stop.action is Action.REMOVE else None

    def stop_day(self, component: str) -> date | None:
        stop = self.stops.get(component)
        return stop.day if stop is not None else None


def coverage(roadmap: Roadmap, proposal: Proposal, params: Parameters) -> Coverage:
    """The earliest stop of each component, with the rows behind it."""
    by_component: dict[str, list[Asset]] = {}
    for a in roadmap.assets:
        if a.model is not None:
            by_component.setdefault(a.model, []).append(a)
    stops: dict[str, Stop] = {}
    verified: set[str] = set()
    for ph in proposal.phases:
        verified.update(ph.verify)
        for action, asset_id in ph.actions():
            if action not in STOPPING:
                continue
            comp = roadmap.asset(asset_id).model
            if comp is None:
                continue
            held = stops.get(comp)
            if held is None or ph.start < held.day:
                tied = tuple(
                    a.id
                    for a in by_component[comp]
                    if any(a.id in getattr(ph, act.value) for act in STOPPING)
                )
                stops[comp] = Stop(comp, ph.start, ph.id, action, tied, False)
    for comp, stop in list(stops.items()):
        stops[comp] = Stop(
            stop.component,
            stop.day,
            stop.phase,
            stop.action,
            stop.assets,
            all(a in verified for a in stop.assets),
        )
    wanted = components(params)
    uncovered = [c for c in wanted if c not in stops]
    stopped_assets = {a for ph in proposal.phases for act, a in ph.actions() if act in STOPPING}
    # Production assets the model does not run: no component, or a site it never has.
    absent = absent_sites(params)
    unmodelled = [
        a.id
        for a in roadmap.assets
        if (a.model is None or a.model in absent)
        and "fissile-production" in a.roles
        and a.id not in stopped_assets
    ]
    days = [s.day for c, s in stops.items() if c in wanted]
    return Coverage(proposal, stops, uncovered, unmodelled, min(days) if days else None)
