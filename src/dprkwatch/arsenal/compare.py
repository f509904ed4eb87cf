"""Published estimates against the model's band, and what explains each outlier.

Each estimate is compared with the model's 90% band (p05..p95) for the same
quantity at the same date: the stock for weapon counts, the gross production
in the window for increments, kilograms held for material estimates.

* ``inside``   the published range lies within the band
* ``overlaps`` part of it does (or it is wider than the band)
* ``above`` / ``below``  no part of it does: the estimate is *flagged*

A "material for N" figure (``counts: material``) is compared with the model on
the same basis: each draw's weapons divided by that draw's utilisation, i.e.
every kilogram in a weapon. Compared on the model's weapons basis, SIPRI's
"material for up to 90" would look high by the utilisation factor alone.

For a flagged estimate the model says which assumption it would take to reach
it. It looks at the draws that get there (those at or beyond the published
figure nearest the band, or the most extreme 1% of draws when fewer reach it)
and ranks parameters by how far those draws sit from the overall mean, as a
share of the parameter's range. "enrichment.kangson.presence: 1.00 vs 0.70"
reads: the draws that reach the estimate all assume the second enrichment
plant exists. A curated note from the estimates file (a different method,
such as counting assembled warheads) comes first when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from dprkwatch.arsenal.estimates import Estimate
from dprkwatch.arsenal.interval import Interval, from_samples

if TYPE_CHECKING:
    from dprkwatch.arsenal.model import ArsenalModel

Status = Literal["inside", "overlaps", "above", "below"]
TAIL_SHARE = 0.01
MIN_SHIFT = 0.05
_QUANTITY = {"stock": "stock", "assembled": "stock", "pu_kg": "pu_kg", "heu_kg": "heu_kg"}


@dataclass(frozen=True)
class Driver:
    """How one parameter differs in the draws that reach an estimate."""

    parameter: str
    overall: float
    reaching: float
    shift: float  # (reaching - overall) / (high - low)

    @property
    def direction(self) -> str:
        return "high" if self.shift > 0 else "low"

    def describe(self) -> str:
        return f"{self.parameter} toward its {self.direction} end ({_g(self.reaching)} vs {_g(self.overall)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "overall_mean": self.overall,
            "reaching_mean": self.reaching,
            "shift": self.shift,
            "direction": self.direction,
        }


@dataclass(frozen=True)
class Comparison:
    """One estimate, the model's band for it, and the verdict."""

    estimate: Estimate
    model: Interval
    status: Status
    reach: float | None = None
    drivers: tuple[Driver, ...] = ()
    explanation: str | None = None

    @property
    def flagged(self) -> bool:
        return self.status in ("above", "below")

    @property
    def assumption(self) -> str | None:
        """The parameter that most explains a flagged estimate."""
        return self.drivers[0].parameter if self.drivers else None

    def to_dict(self) -> dict[str, Any]:
        e = self.estimate
        lo, hi = e.bounds
        return {
            "id": e.id,
            "source": e.source,
            "publication": e.publication,
            "as_of": e.as_of.isoformat(),
            "window_start": e.window_start.isoformat() if e.window_start else None,
            "kind": e.kind,
            "unit": e.unit,
            "published": e.label,
            "published_low": lo,
            "published_high": hi,
            "projection": e.projection,
            "counts": e.counts,
            "model_p05": round(self.model.low, 2),
            "model_median": round(self.model.median, 2),
            "model_p95": round(self.model.high, 2),
            "status": self.status,
            "flagged": self.flagged,
            "reach": self.reach,
            "assumption": self.assumption,
            "explanation": self.explanation,
            "drivers": [d.to_dict() for d in self.drivers],
            "reference": e.reference,
            "origin": e.origin,
        }


def _g(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 10 else f"{x:,.0f}"


def status_of(bounds: tuple[float, float], band: Interval) -> Status:
    lo, hi = bounds
    if hi < band.low:
        return "below"
    if lo > band.high:
        return "above"
    if lo >= band.low and hi <= band.high:
        return "inside"
    return "overlaps"


def drivers_for(
    values: NDArray[np.floating],
    model: ArsenalModel,
    target: float,
    direction: int,
    *,
    top: int = 3,
) -> tuple[float, tuple[Driver, ...]]:
    """Share of draws reaching ``target`` and the parameters that set them apart."""
    n = values.size
    reaching = values >= target if direction > 0 else values <= target
    reach = float(reaching.mean())
    if reaching.sum() < max(1, TAIL_SHARE * n):
        cut = np.quantile(values, 1 - TAIL_SHARE if direction > 0 else TAIL_SHARE)
        reaching = values >= cut if direction > 0 else values <= cut
    d = model.draws
    if not d.ids:
        return reach, ()
    ranges = model.params.ranges()
    overall = d.matrix.mean(axis=1, dtype=np.float64)
    tail = d.matrix[:, reaching].mean(axis=1, dtype=np.float64)
    found = []
    for i, pid in enumerate(d.ids):
        r = ranges[pid]
        width = r.hi - r.lo
        if width <= 0:
            continue
        shift = (tail[i] - overall[i]) / width
        if abs(shift) >= MIN_SHIFT:
            found.append(Driver(pid, float(overall[i]), float(tail[i]), float(shift)))
    found.sort(key=lambda x: -abs(x.shift))
    return reach, tuple(found[:top])


def _explain(
    e: Estimate,
    status: Status,
    values: NDArray[np.floating],
    reach: float,
    drivers: tuple[Driver, ...],
) -> str:
    lo, hi = e.bounds
    target = lo if status == "above" else hi
    if reach > 0:
        share = f"{reach:.1%}" if reach >= 0.001 else "under 0.1%"
        model_part = f"{share} of draws reach {target:g}"
    else:
        extreme = float(values.max() if status == "above" else values.min())
        model_part = f"no draw reaches {target:g} (the most extreme is {extreme:.1f})"
    if drivers:
        model_part += "; the draws nearest it have " + "; ".join(d.describe() for d in drivers)
    return f"{e.explanation}. {model_part}" if e.explanation else model_part


def material_basis(model: ArsenalModel, weapons: NDArray[np.floating]) -> NDArray[np.floating]:
    """Each draw's weapons count with every kilogram in a weapon (utilisation 1)."""
    utilisation = model.draws.get("conversion.utilisation")
    return np.asarray(weapons / utilisation, dtype=weapons.dtype)


def compare_estimates(model: ArsenalModel, estimates: Sequence[Estimate]) -> list[Comparison]:
    """Compare each estimate with the model; one batched evaluation per quantity."""
    start, end = model.horizon
    usable = [
        e
        for e in estimates
        if start <= e.as_of <= end and (e.window_start is None or e.window_start >= start)
    ]

    by_quantity: dict[str, list[date]] = {}
    for e in usable:
        if e.kind == "increment":
            assert e.window_start is not None
            by_quantity.setdefault("produced", []).extend([e.window_start, e.as_of])
        else:
            by_quantity.setdefault(_QUANTITY[e.kind], []).append(e.as_of)
    cache: dict[tuple[str, date], NDArray[np.floating]] = {}
    for quantity, days in by_quantity.items():
        unique = sorted(set(days))
        samples = model.samples(unique, quantity)
        for i, day in enumerate(unique):
            cache[(quantity, day)] = samples[i]

    out: list[Comparison] = []
    for e in usable:
        if e.kind == "increment":
            assert e.window_start is not None
            v = cache[("produced", e.as_of)] - cache[("produced", e.window_start)]
        else:
            v = cache[(_QUANTITY[e.kind], e.as_of)]
        if e.counts == "material":
            v = material_basis(model, v)
        band = from_samples(v, unit=e.unit if e.kind != "assembled" else "weapons")[0]
        status = status_of(e.bounds, band)
        if status in ("above", "below"):
            lo, hi = e.bounds
            direction = 1 if status == "above" else -1
            reach, drivers = drivers_for(v, model, lo if direction > 0 else hi, direction)
            text = _explain(e, status, v, reach, drivers)
            out.append(Comparison(e, band, status, reach, drivers, text))
        else:
            out.append(Comparison(e, band, status, explanation=e.explanation))
    return out
