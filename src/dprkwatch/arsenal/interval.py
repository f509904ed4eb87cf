"""An estimate with its uncertainty: what every query of the model returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

#: Quantiles reported for every Monte Carlo result; the band is p05..p95.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def quantile_key(q: float) -> str:
    return f"p{round(q * 100):02d}"


@dataclass(frozen=True)
class Interval:
    """A central value with a low and a high end.

    For a Monte Carlo result ``low``/``high`` are the 5th and 95th percentiles
    (a 90% band) and ``quantiles`` holds p05, p25, p50, p75, p95. For a
    deterministic scenario they are the scenario's low and high cases and
    ``median`` is their midpoint.
    """

    low: float
    median: float
    high: float
    unit: str = "weapons"
    method: str = "monte-carlo"
    quantiles: Mapping[str, float] = field(default_factory=dict)
    draws: int | None = None
    #: A scenario read past the last figure its publication gave: this tool's
    #: arithmetic carried forward, not the publication's number.
    extrapolated: bool = False

    @property
    def p05(self) -> float:
        return self.quantiles.get("p05", self.low)

    @property
    def p95(self) -> float:
        return self.quantiles.get("p95", self.high)

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "median": self.median,
            "high": self.high,
            "unit": self.unit,
            "method": self.method,
            "quantiles": dict(self.quantiles),
            "draws": self.draws,
            "extrapolated": self.extrapolated,
        }


class Increment(BaseModel):
    """Weapons-equivalent produced between two dates: the answer of ``arsenal increment``
    and of ``GET /arsenal/increment`` alike."""

    model_config = ConfigDict(frozen=True)

    start: str
    end: str
    days: int
    low: float = Field(description="5th percentile (a scenario's low case)")
    median: float
    high: float = Field(description="95th percentile (a scenario's high case)")
    unit: str
    method: str
    quantiles: dict[str, float]
    draws: int | None
    extrapolated: bool = Field(
        default=False,
        description="a scenario read past the last figure its publication gave",
    )

    @classmethod
    def between(cls, start: date, end: date, iv: Interval) -> Increment:
        return cls(start=start.isoformat(), end=end.isoformat(), days=(end - start).days,
                   **iv.to_dict())  # fmt: skip


def sorted_quantiles(
    ordered: NDArray[np.floating], qs: tuple[float, ...] = QUANTILES
) -> NDArray[np.float64]:
    """Quantiles of each row of an already row-sorted matrix, ``(rows, len(qs))``.

    Linear interpolation between order statistics: numpy's default method,
    so the result equals ``np.quantile`` on the unsorted rows.
    """
    rows = np.atleast_2d(ordered)
    n = rows.shape[-1]
    pos = np.asarray(qs, dtype=np.float64) * (n - 1)
    below = np.floor(pos).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    lo = rows[:, below].astype(np.float64)
    hi = rows[:, above].astype(np.float64)
    out: NDArray[np.float64] = lo + (hi - lo) * (pos - below)
    return out


def quantiles(
    samples: NDArray[np.floating], qs: tuple[float, ...] = QUANTILES
) -> NDArray[np.float64]:
    """Quantiles of each row, ``(rows, len(qs))``.

    Sorting the row and interpolating is several times faster than
    ``np.quantile`` here: numpy's vectorised sort beats repeated partitioning
    for a handful of quantiles over a million values.
    """
    return sorted_quantiles(np.sort(np.atleast_2d(samples), axis=-1), qs)


def from_samples(samples: NDArray[np.floating], *, unit: str = "weapons") -> list[Interval]:
    """One :class:`Interval` per row of a ``(T, n)`` sample matrix (or one row)."""
    qs = quantiles(samples)
    out = []
    for row in qs:
        quant = {quantile_key(q): float(v) for q, v in zip(QUANTILES, row, strict=True)}
        out.append(
            Interval(
                low=quant["p05"],
                median=quant["p50"],
                high=quant["p95"],
                unit=unit,
                quantiles=quant,
                draws=int(samples.shape[-1]),
            )
        )
    return out
