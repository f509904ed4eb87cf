"""The arsenal model with a proposal's covered capacity removed from each phase's date.

A :class:`Cut` runs the arsenal engine on the *same* parameter draws as the
baseline, so every difference is paired draw by draw: "weapons prevented" in
draw *i* is the baseline's production in draw *i* minus the counterfactual's,
with every uncertain parameter at the same value in both.

How each component is cut, and why that is exact for the model:

* **reactor**, **enrichment sites**, **ELWR**: their operating periods end on
  the stop day (periods starting later are dropped; the ELWR gets an end
  date). Output is an integral over operating time, so ending the periods is
  the same as stopping the machines.
* **reprocessing**: separated plutonium is cumulative and only grows when a
  campaign (or the model's lag for future campaigns) separates some. With the
  plant stopped nothing more is separated, so separated plutonium at any time
  *t* is the model's value at ``min(t, stop day)`` - computed with the cut
  reactor, so a reactor stopped earlier than the plant still has its last
  fuel reprocessed until the plant stops. Plutonium left in spent fuel is not
  counted as weapons material, as in the model.
* **stockpile removal**: on the removal day everything held is shipped out;
  afterwards the stock is only what uncovered capacity adds.

Material used in nuclear tests is subtracted as it was in history, floored
at zero: a deal from 1994 leaves less plutonium for the tests of 2006-17,
and the model does not guess which tests would then not have happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from dprkwatch.arsenal import ArsenalModel
from dprkwatch.arsenal.engine import Engine, Times
from dprkwatch.arsenal.parameters import ParameterFile, Period
from dprkwatch.arsenal.sampling import Draws, FloatArray
from dprkwatch.arsenal.timeline import decimal_year
from dprkwatch.roadmap.capacity import Coverage


def _clip(periods: tuple[Period, ...], day: date | None) -> tuple[Period, ...]:
    """Periods as if everything stopped at the end of ``day``."""
    if day is None:
        return periods
    out = []
    for p in periods:
        if p.start > day:
            continue
        if p.end is None or p.end > day:
            if p.start == day:
                continue
            p = p.model_copy(update={"end": day})
        out.append(p)
    return tuple(out)


def cut_file(pf: ParameterFile, stops: Mapping[str, date]) -> ParameterFile:
    """The parameter file with the stopped components' operation ended on their stop day.

    Only dates change: no range changes its id or its value, so the baseline's
    draws apply unchanged (a period dropped entirely leaves its range unused).
    """
    reactor = pf.reactor.model_copy(
        update={"periods": _clip(pf.reactor.periods, stops.get("reactor"))}
    )
    sites = tuple(
        s.model_copy(update={"periods": _clip(s.periods, stops.get(f"enrichment.{s.id}"))})
        for s in pf.enrichment.sites
    )
    enrichment = pf.enrichment.model_copy(update={"sites": sites})
    elwr = pf.elwr
    stop = stops.get("elwr")
    if stop is not None and elwr.enabled:
        if stop <= elwr.start:
            elwr = elwr.model_copy(update={"enabled": False})
        elif elwr.end is None or stop < elwr.end:
            elwr = elwr.model_copy(update={"end": stop})
    return pf.model_copy(update={"reactor": reactor, "enrichment": enrichment, "elwr": elwr})


@dataclass(frozen=True)
class Quantities:
    """Per-draw values at each requested time, ``(T, n)``."""

    pu_kg: FloatArray  # separated plutonium, gross
    heu_kg: FloatArray  # HEU produced, gross
    produced: FloatArray  # weapons-equivalent of all material made (gross)
    stock: FloatArray  # weapons-equivalent held (net of tests and of any removal)


class Cut:
    """One proposal's counterfactual (or the baseline, with nothing stopped)."""

    def __init__(self, model: ArsenalModel, stops: Mapping[str, date], removal: date | None = None):
        self.engine = Engine(cut_file(model.params.file, stops)) if stops else model.engine
        rep = stops.get("reprocessing")
        self.separation_end = decimal_year(rep) if rep is not None else None
        self.removal = decimal_year(removal) if removal is not None else None

    @classmethod
    def of(cls, model: ArsenalModel, cov: Coverage) -> Cut:
        stops = {c: s.day for c, s in cov.stops.items() if c != "stockpile"}
        removal = cov.removal.day if cov.removal is not None else None
        return cls(model, stops, removal)

    def _material(self, d: Draws, t: Times) -> tuple[FloatArray, FloatArray]:
        e = self.engine
        t_sep = t if self.separation_end is None else np.minimum(t, self.separation_end)
        return e.separated(d, e.plan(t_sep)), e.heu(d, e.plan(t))

    def quantities(self, d: Draws, t: Times) -> Quantities:
        """Everything at times ``t`` (decimal years, ascending) for the draws ``d``."""
        e = self.engine
        pu, heu = self._material(d, t)
        produced = e.weapons(d, pu.copy(), heu.copy())
        pu_t, heu_t = e.tested(d, e.plan(t))
        pu_held = np.maximum(pu - pu_t, 0)
        heu_held = np.maximum(heu - heu_t, 0)
        if self.removal is not None:
            at = np.array([self.removal])
            pu_r, heu_r = self._material(d, at)
            pu_rt, heu_rt = e.tested(d, e.plan(at))
            after = (t >= self.removal)[:, None]
            pu_held -= after * np.maximum(pu_r - pu_rt, 0)
            heu_held -= after * np.maximum(heu_r - heu_rt, 0)
            np.maximum(pu_held, 0, out=pu_held)
            np.maximum(heu_held, 0, out=heu_held)
        stock = e.weapons(d, pu_held, heu_held)
        return Quantities(pu, heu, produced, stock)
