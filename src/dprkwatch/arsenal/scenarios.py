"""Deterministic scenarios: published arithmetic, reproduced exactly.

A scenario is a recipe written down from a publication: a starting stock
(low and high case) at a date, plus steps. A ``lump`` adds an amount spread
linearly between two dates ("1-2 plutonium weapons by 2020"); a ``rate`` adds
so many weapons a year from a date onwards ("then 12 or 18 a year"). The
arithmetic is done in exact fractions on the end-of-day year axis of
:mod:`~dprkwatch.arsenal.timeline`, so "end-2017 plus three years of 12" is
exactly 36, and each scenario carries the figures it must reproduce
(``published``); :meth:`Scenario.check` recomputes them.

The low case takes every step's low figure and the high case every high
figure, which is how the published tables are built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dprkwatch.arsenal.exceptions import DateError, ParameterError, UnknownScenario
from dprkwatch.arsenal.interval import Interval
from dprkwatch.arsenal.packaged import load_yaml
from dprkwatch.arsenal.timeline import exact_year

DEFAULT_FILE = "scenarios.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Citation(_Strict):
    publication: str
    date: str
    url: str | None = None
    via: str | None = None


class Bounds(_Strict):
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Bounds:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        return self


class Base(Bounds):
    date: date


class Step(Bounds):
    label: str
    kind: Literal["lump", "rate"]
    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _shape(self) -> Step:
        if self.kind == "lump" and (self.end is None or self.end <= self.start):
            raise ValueError(f"step {self.label!r}: a lump needs 'to' after 'from'")
        if self.kind == "rate" and self.end is not None:
            raise ValueError(f"step {self.label!r}: a rate runs open-ended; drop 'to'")
        return self


class Published(Bounds):
    date: date
    note: str | None = None


class ScenarioSpec(_Strict):
    title: str
    source: Citation
    note: str | None = None
    extrapolation: bool = False
    base: Base
    steps: tuple[Step, ...] = ()
    published: tuple[Published, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> ScenarioSpec:
        for step in self.steps:
            if step.start < self.base.date:
                raise ValueError(
                    f"step {step.label!r} starts before the base date {self.base.date}"
                )
        for pub in self.published:
            if pub.date < self.base.date:
                raise ValueError(
                    f"published figure at {pub.date} is before the base date {self.base.date}"
                )
        return self


class ScenarioFile(_Strict):
    schema_: str = Field(alias="schema")
    scenarios: dict[str, ScenarioSpec]


def _q(x: float) -> Fraction:
    # Via str, so 1.5 in the file is exactly 3/2 rather than the nearest double.
    return Fraction(str(x))


@dataclass(frozen=True)
class CheckRow:
    """One published figure next to what the recipe gives."""

    scenario: str
    date: date
    published_low: float
    published_high: float
    computed_low: Fraction
    computed_high: Fraction

    @property
    def reproduced(self) -> bool:
        return self.computed_low == _q(self.published_low) and self.computed_high == _q(
            self.published_high
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "date": self.date.isoformat(),
            "published_low": self.published_low,
            "published_high": self.published_high,
            "computed_low": float(self.computed_low),
            "computed_high": float(self.computed_high),
            "reproduced": self.reproduced,
        }


@dataclass(frozen=True)
class Scenario:
    """A named deterministic recipe."""

    id: str
    spec: ScenarioSpec

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def horizon(self) -> date:
        """The last date the publication itself gave a figure for (else its base date).

        Past it the recipe is this tool's arithmetic carried forward, and every
        answer says so (``extrapolated``). A scenario marked ``extrapolation``
        in the file has its forward years extrapolated by construction.
        """
        return max((p.date for p in self.spec.published), default=self.spec.base.date)

    def extrapolated(self, when: date) -> bool:
        return when > self.horizon

    def exact(self, when: date) -> tuple[Fraction, Fraction]:
        """Low and high case at the end of ``when``, as exact fractions."""
        base = self.spec.base
        if when < base.date:
            raise DateError(
                f"scenario {self.id} starts at {base.date}; {when} is before it", where="date"
            )
        t = exact_year(when)
        low, high = _q(base.low), _q(base.high)
        for step in self.spec.steps:
            t0 = exact_year(step.start)
            if t <= t0:
                continue
            if step.kind == "rate":
                years = t - t0
            else:
                assert step.end is not None
                t1 = exact_year(step.end)
                years = min(t - t0, t1 - t0) / (t1 - t0)
            low += _q(step.low) * years
            high += _q(step.high) * years
        return low, high

    def stock(self, when: date) -> Interval:
        low, high = self.exact(when)
        return Interval(
            low=float(low),
            median=float((low + high) / 2),
            high=float(high),
            method=f"scenario:{self.id}",
            extrapolated=self.extrapolated(when),
        )

    def increment(self, start: date, end: date) -> Interval:
        """What the recipe adds between two dates, in its low and high case."""
        if end < start:
            raise DateError(f"end ({end}) is before start ({start})", where="end")
        lo0, hi0 = self.exact(start)
        lo1, hi1 = self.exact(end)
        low, high = lo1 - lo0, hi1 - hi0
        low, high = min(low, high), max(low, high)
        return Interval(
            low=float(low),
            median=float((low + high) / 2),
            high=float(high),
            method=f"scenario:{self.id}",
            extrapolated=self.extrapolated(end),
        )

    def check(self) -> list[CheckRow]:
        rows = []
        for pub in self.spec.published:
            lo, hi = self.exact(pub.date)
            rows.append(CheckRow(self.id, pub.date, pub.low, pub.high, lo, hi))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.spec.model_dump(mode="json", by_alias=True),
            "horizon": self.horizon.isoformat(),
        }


@dataclass(frozen=True)
class ScenarioBook:
    scenarios: dict[str, Scenario]

    def get(self, name: str) -> Scenario:
        found = self.scenarios.get(name.strip().lower())
        if found is None:
            known = ", ".join(sorted(self.scenarios))
            raise UnknownScenario(f"unknown scenario {name!r}; known: {known}")
        return found

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios.values())


def load_scenarios(path: Path | str | None = None) -> ScenarioBook:
    """Read the scenario file (default: the one shipped with the package)."""
    raw, origin = load_yaml(path, DEFAULT_FILE, ParameterError)
    try:
        book = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ParameterError(msg, source=origin, where=where) from None
    return ScenarioBook(
        {name.lower(): Scenario(name.lower(), spec) for name, spec in book.scenarios.items()}
    )
