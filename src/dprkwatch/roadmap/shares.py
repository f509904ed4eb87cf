"""A site's share of fissile production in the model, against published assessments.

The question behind it is Hanoi's: how much of the DPRK's production was
Yongbyon? The model answers draw by draw: stop every component tied to the
site's assets from ``start`` and compare production to ``end`` with and
without (the same arithmetic as a proposal's "share stopped"). Two shares:

* ``all-fissile``: weapons-equivalent of plutonium and HEU together;
* ``heu``: kilograms of HEU only (for assessments about enrichment).

Each published assessment (``assessments.yaml``) is a range; the verdict is
the arsenal comparison's (:func:`dprkwatch.arsenal.compare.status_of`):
``inside`` the model's 90% band, ``overlaps`` it, or ``above``/``below`` it.
A range outside the band gets the explanation the arsenal model gives for
outlying estimates: the share of draws that reach it and the parameters
that set those draws apart (:func:`dprkwatch.arsenal.compare.drivers_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from dprkwatch.arsenal import ArsenalModel, DateError, Interval
from dprkwatch.arsenal.compare import Driver, Status, drivers_for, status_of
from dprkwatch.arsenal.interval import from_samples
from dprkwatch.arsenal.sampling import DTYPE, Draws, FloatArray
from dprkwatch.arsenal.timeline import decimal_year
from dprkwatch.roadmap.capacity import components
from dprkwatch.roadmap.counterfactual import Cut
from dprkwatch.roadmap.exceptions import UnknownRoadmapItem
from dprkwatch.roadmap.loader import Roadmap
from dprkwatch.roadmap.model import Assessment

QUANTITIES = ("all-fissile", "heu")


@dataclass(frozen=True)
class SiteShare:
    """Per-draw shares of one site's production over a window."""

    site: str
    start: date
    end: date
    components: tuple[str, ...]
    values: dict[str, FloatArray]  # quantity -> (n,) shares

    def interval(self, quantity: str) -> Interval:
        return from_samples(self.values[quantity], unit="fraction")[0]


def site_share(
    model: ArsenalModel, roadmap: Roadmap, site: str, start: date, end: date
) -> SiteShare:
    """Share of production from ``start`` to ``end`` made by the components tied to ``site``."""
    comps = sorted(
        {a.model for a in roadmap.assets if a.site == site and a.model is not None}
        & set(components(model.params))
    )
    if not comps:
        raise UnknownRoadmapItem(f"no asset at site {site!r} feeds a production component")
    a, b = model.resolve_date(start, "start"), model.resolve_date(end, "end")
    if b <= a:
        raise DateError(f"the window must end after it starts ({a} .. {b})", where="end")
    cut = Cut(model, {c: a for c in comps})
    base = Cut(model, {})
    t = np.array([decimal_year(a), decimal_year(b)], dtype=np.float64)

    def run(d: Draws) -> FloatArray:
        q0 = base.quantities(d, t)
        q1 = cut.quantities(d, t)
        out = np.zeros((2, d.n), dtype=DTYPE)
        for row, (full, left) in enumerate(((q0.produced, q1.produced), (q0.heu_kg, q1.heu_kg))):
            window = full[1] - full[0]
            np.divide(full[1] - left[1], window, out=out[row], where=window > 0)
        return out

    rows = model.map_draws(run, 2)
    return SiteShare(site, a, b, tuple(comps), {"all-fissile": rows[0], "heu": rows[1]})


@dataclass(frozen=True)
class ShareCheck:
    """One assessment against the model's share."""

    assessment: Assessment
    model: Interval
    status: Status
    reach: float | None = None
    drivers: tuple[Driver, ...] = ()

    @property
    def explained(self) -> str:
        a = self.assessment
        lo, hi = a.bounds
        if self.status in ("inside", "overlaps"):
            return (
                f"the model's 90% band ({self.model.low:.2f}-{self.model.high:.2f}) "
                f"{'contains' if self.status == 'inside' else 'overlaps'} "
                f"{lo:.2f}-{hi:.2f}"
            )
        target = hi if self.status == "below" else lo
        reach = self.reach or 0.0
        share = f"{reach:.1%}" if reach >= 0.001 else "under 0.1%"
        text = f"{share} of draws reach {target:.2f}"
        if self.drivers:
            text += "; those draws have " + "; ".join(d.describe() for d in self.drivers)
        return text

    def to_dict(self) -> dict[str, Any]:
        a = self.assessment
        lo, hi = a.bounds
        return {
            "id": a.id,
            "who": a.who,
            "published": a.published.isoformat(),
            "quantity": a.quantity,
            "low": lo,
            "high": hi,
            "statement": a.statement,
            "derivation": a.derivation,
            "sources": list(a.sources),
            "confidence": a.confidence.value,
            "model_p05": round(self.model.low, 3),
            "model_median": round(self.model.median, 3),
            "model_p95": round(self.model.high, 3),
            "status": self.status,
            "reach": self.reach,
            "drivers": [d.to_dict() for d in self.drivers],
            "explanation": self.explained,
        }


def check_assessments(model: ArsenalModel, roadmap: Roadmap, share: SiteShare) -> list[ShareCheck]:
    """Every assessment in ``assessments.yaml`` against ``share`` (the site's, from the same model)."""
    out = []
    for a in roadmap.assessments:
        values = share.values[a.quantity]
        band = share.interval(a.quantity)
        status = status_of(a.bounds, band)
        if status in ("above", "below"):
            lo, hi = a.bounds
            direction = 1 if status == "above" else -1
            reach, drivers = drivers_for(values, model, lo if direction > 0 else hi, direction)
            out.append(ShareCheck(a, band, status, reach, drivers))
        else:
            out.append(ShareCheck(a, band, status))
    return out
