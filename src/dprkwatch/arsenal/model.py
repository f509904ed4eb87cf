"""The arsenal model: one object answering stock, increment, band and compare.

::

    from dprkwatch.arsenal import load_model
    model = load_model()
    model.stock("2019-07-02")                    # Interval: low/median/high (p05/p50/p95)
    model.increment("singapore", "hanoi")        # weapons-equivalent added in the window
    model.band(range(2006, 2028))                # JSON-able rows for plots and the web
    model.compare()                              # published estimates against the band
    model.scenario("rand-asan-2021").stock("2027")

Draws are made once, lazily, with a fixed seed, so the same model answers the
same question with the same numbers. Evaluation runs in chunks of draws on a
small thread pool (numpy releases the GIL), which is what lets the Monte
Carlo use both cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dprkwatch.arsenal.compare import Comparison, compare_estimates
from dprkwatch.arsenal.engine import Engine, Material, f32
from dprkwatch.arsenal.estimates import Estimate, load_estimates
from dprkwatch.arsenal.exceptions import DateError, ParameterError
from dprkwatch.arsenal.interval import (
    QUANTILES,
    Increment,
    Interval,
    from_samples,
    quantile_key,
    sorted_quantiles,
)
from dprkwatch.arsenal.parameters import Parameters, load_parameters
from dprkwatch.arsenal.sampling import DTYPE, Draws, FloatArray, draw
from dprkwatch.arsenal.scenarios import Scenario, ScenarioBook, load_scenarios
from dprkwatch.arsenal.timeline import DateLike, decimal_year, parse_date, year_end

DEFAULT_DRAWS = 200_000
DEFAULT_SEED = 20180612  # the Singapore summit; any fixed seed would do
SEED_CHUNK = 1 << 16  # draws per random stream; fixed so results never depend on threads
EVAL_CHUNK = 1 << 13  # draws per evaluation task; small enough for the buffers to stay in cache
MAX_DRAWS = 10_000_000  # about 1.5 GB of draws; more buys no visible precision

Progress = Callable[[int, int], None]
#: What :meth:`ArsenalModel.samples` and :meth:`ArsenalModel.band` can report, with its unit.
QUANTITIES = {"stock": "weapons", "produced": "weapons", "pu_kg": "kg Pu", "heu_kg": "kg HEU"}


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class ArsenalModel:
    """Monte Carlo over the parameter file, plus the deterministic scenarios."""

    def __init__(
        self,
        params: Parameters,
        *,
        draws: int = DEFAULT_DRAWS,
        seed: int = DEFAULT_SEED,
        scenarios: ScenarioBook | None = None,
        estimates: Sequence[Estimate] | None = None,
        shared_data: Path | None = None,
        workers: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        if not 1 <= draws <= MAX_DRAWS:
            raise ParameterError(
                f"must be between 1 and {MAX_DRAWS:,}, got {draws:,}", where="draws"
            )
        if seed < 0:
            raise ParameterError(f"must not be negative, got {seed}", where="seed")
        self.params = params
        self.n_draws = draws
        self.seed = seed
        self.workers = workers or _workers()
        self.progress = progress
        self.engine = Engine(params.file)
        self._scenarios = scenarios
        self._estimates = list(estimates) if estimates is not None else None
        self._shared_data = shared_data
        self._draws: Draws | None = None
        self._lock = threading.Lock()

    # -- construction helpers ---------------------------------------------

    def with_overrides(self, overrides: Mapping[str, str | float | bool]) -> ArsenalModel:
        """The same model with some parameters replaced (see :meth:`Parameters.with_overrides`)."""
        return ArsenalModel(
            self.params.with_overrides(overrides),
            draws=self.n_draws,
            seed=self.seed,
            scenarios=self._scenarios,
            estimates=self._estimates,
            shared_data=self._shared_data,
            workers=self.workers,
            progress=self.progress,
        )

    @property
    def horizon(self) -> tuple[date, date]:
        h = self.params.file.horizon
        return h.start, h.end

    @cached_property
    def events(self) -> dict[str, date]:
        return self.params.file.event_dates()

    def resolve_date(self, value: DateLike, what: str = "date") -> date:
        """Parse a date or event name and check it lies inside the horizon."""
        day = parse_date(value, events=self.events, what=what)
        start, end = self.horizon
        if not start <= day <= end:
            raise DateError(f"{day} is outside the model's horizon {start}..{end}", where=what)
        return day

    # -- draws -----------------------------------------------------------

    @property
    def draws(self) -> Draws:
        """All parameter draws, made once (under a lock: the web service may ask
        from several threads at once)."""
        if self._draws is None:
            with self._lock:
                if self._draws is None:
                    self._draws = self._make_draws()
        return self._draws

    def _make_draws(self) -> Draws:
        """Each block of draws has its own random stream spawned from the model
        seed, so the draws do not depend on the number of worker threads."""
        ranges = self.params.sampled_ranges()
        bounds = [
            (a, min(a + SEED_CHUNK, self.n_draws)) for a in range(0, self.n_draws, SEED_CHUNK)
        ]
        seeds = np.random.SeedSequence(self.seed).spawn(len(bounds))
        first = draw(ranges, bounds[0][1], np.random.default_rng(seeds[0]))
        if len(bounds) == 1:
            return first
        matrix = np.empty((len(first.ids), self.n_draws), dtype=DTYPE)
        matrix[:, : bounds[0][1]] = first.matrix

        def fill(i: int) -> None:
            a, b = bounds[i]
            matrix[:, a:b] = draw(ranges, b - a, np.random.default_rng(seeds[i])).matrix

        self._run(fill, range(1, len(bounds)))
        return Draws(self.n_draws, first.ids, matrix, first.constants)

    def _run(self, task: Callable[[int], None], items: Iterable[int]) -> None:
        """Run ``task`` over ``items`` on the worker threads, reporting progress."""
        todo = list(items)
        if self.workers == 1 or len(todo) == 1:
            for i, item in enumerate(todo):
                task(item)
                if self.progress:
                    self.progress(i + 1, len(todo))
            return
        with ThreadPoolExecutor(self.workers) as pool:
            for i, _ in enumerate(pool.map(task, todo)):
                if self.progress:
                    self.progress(i + 1, len(todo))

    def _map_chunks(self, fn: Callable[[Draws], FloatArray], rows: int) -> FloatArray:
        d = self.draws
        out = np.empty((rows, d.n), dtype=DTYPE)
        bounds = [(a, min(a + EVAL_CHUNK, d.n)) for a in range(0, d.n, EVAL_CHUNK)]

        def run(i: int) -> None:
            a, b = bounds[i]
            out[:, a:b] = fn(d.slice(a, b))

        self._run(run, range(len(bounds)))
        return out

    def map_draws(self, fn: Callable[[Draws], FloatArray], rows: int) -> FloatArray:
        """``fn`` over every chunk of the draws on the worker threads, ``(rows, n)``.

        ``fn`` gets a slice of the draws and returns its ``(rows, chunk)`` values;
        this is how other layers (the roadmap's counterfactuals) run their own
        arithmetic on exactly the draws every other query uses.
        """
        return self._map_chunks(fn, rows)

    def quantile_rows(self, values: FloatArray) -> NDArray[np.float64]:
        """p05, p25, p50, p75, p95 of each row, ``(rows, 5)``; sorts ``values`` in place."""
        self._run(lambda i: values[i].sort(), range(values.shape[0]))  # one row per task
        return sorted_quantiles(values)

    def samples(self, when: Sequence[date], quantity: str = "stock") -> FloatArray:
        """Per-draw values at each date, ``(len(when), n)``.

        ``quantity``: ``stock`` (weapons, net of tests), ``produced`` (weapons,
        gross), ``pu_kg`` and ``heu_kg`` (kilograms held, net of tests).
        """
        if quantity not in QUANTITIES:
            raise ValueError(
                f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}"
            )
        t = np.array([decimal_year(d) for d in when], dtype=np.float64)
        engine = self.engine

        def fn(d: Draws) -> FloatArray:
            if quantity == "stock":
                return engine.stock(d, t)
            if quantity == "produced":
                return engine.produced(d, t)
            m: Material = engine.material(d, t)
            if quantity == "pu_kg":
                return f32(np.maximum(m.pu_separated - m.pu_tested, 0))
            return f32(np.maximum(m.heu_produced - m.heu_tested, 0))

        return self._map_chunks(fn, len(when))

    # -- queries ---------------------------------------------------------

    def stock(self, when: DateLike) -> Interval:
        """Weapons-equivalent stock at the end of ``when`` (net of material used in tests)."""
        day = self.resolve_date(when, "date")
        return from_samples(self.samples([day])[0])[0]

    def material(self, when: DateLike) -> dict[str, Interval]:
        """Separated plutonium and HEU held at ``when``, in kilograms."""
        day = self.resolve_date(when, "date")
        return {
            "pu_kg": from_samples(self.samples([day], "pu_kg")[0], unit="kg Pu")[0],
            "heu_kg": from_samples(self.samples([day], "heu_kg")[0], unit="kg HEU")[0],
        }

    def increment_samples(self, start: date, end: date) -> FloatArray:
        both = self.samples([start, end], "produced")
        return f32(both[1] - both[0])

    def increment(self, start: DateLike, end: DateLike) -> Interval:
        """Weapons-equivalent of fissile material produced between two dates.

        Gross production: material used in a test inside the window is not
        subtracted (no test fell between 2017-09-03 and 2026).
        """
        a = self.resolve_date(start, "start")
        b = self.resolve_date(end, "end")
        if b < a:
            raise DateError(f"end ({b}) is before start ({a})", where="end")
        return from_samples(self.increment_samples(a, b))[0]

    def produced(self, start: DateLike, end: DateLike, scenario: str | None = None) -> Increment:
        """:meth:`increment` (or a scenario's) with its dates resolved: one answer for every caller."""
        a, b = self.resolve_date(start, "start"), self.resolve_date(end, "end")
        iv = self.scenario(scenario).increment(a, b) if scenario else self.increment(a, b)
        return Increment.between(a, b, iv)

    def band(
        self, years: Iterable[int] | None = None, *, quantity: str = "stock"
    ) -> list[dict[str, Any]]:
        """Quantiles at each year-end, as JSON-able rows.

        Each row: ``{"year", "date", "p05", "p25", "p50", "p75", "p95", "unit"}``.
        Default years: 2006 to the last full year of the horizon.
        """
        ys = list(years) if years is not None else list(range(2006, self.horizon[1].year + 1))
        days = [self.resolve_date(year_end(int(y)), "year") for y in ys]
        qs = self.quantile_rows(self.samples(days, quantity))
        unit = QUANTITIES[quantity]
        rows = []
        for y, day, row in zip(ys, days, qs, strict=True):
            item: dict[str, Any] = {"year": int(y), "date": day.isoformat(), "unit": unit}
            item.update(
                {quantile_key(q): round(float(v), 3) for q, v in zip(QUANTILES, row, strict=True)}
            )
            rows.append(item)
        return rows

    # -- scenarios and published estimates --------------------------------

    @property
    def scenarios(self) -> ScenarioBook:
        if self._scenarios is None:
            self._scenarios = load_scenarios()
        return self._scenarios

    def scenario(self, name: str) -> Scenario:
        return self.scenarios.get(name)

    @property
    def estimates(self) -> list[Estimate]:
        if self._estimates is None:
            self._estimates = load_estimates(self._shared_data)
        return self._estimates

    def compare(self, estimates: Sequence[Estimate] | None = None) -> list[Comparison]:
        """Every published estimate against the model's band at its date."""
        return compare_estimates(self, self.estimates if estimates is None else list(estimates))

    def to_dict(self, years: Iterable[int] | None = None) -> dict[str, Any]:
        """Everything a chart or the web workbench needs, JSON-able in one call:
        the band, each published estimate with its verdict, the scenarios with
        their low/high series over the same years, the events and the parameters."""
        band = self.band(years)
        ys = [int(r["year"]) for r in band]
        scenarios = []
        for sc in self.scenarios:
            series = [
                {"year": y, "low": iv.low, "high": iv.high, "extrapolated": iv.extrapolated}
                for y in ys
                if year_end(y) >= sc.spec.base.date
                for iv in [sc.stock(year_end(y))]
            ]
            scenarios.append(
                {**sc.to_dict(), "series": series, "checks": [c.to_dict() for c in sc.check()]}
            )
        return {
            "draws": self.n_draws,
            "seed": self.seed,
            "parameters_origin": self.params.origin,
            "band": band,
            "comparisons": [c.to_dict() for c in self.compare()],
            "scenarios": scenarios,
            "events": {k: d.isoformat() for k, d in self.events.items()},
            "parameters": [
                {
                    "id": pid,
                    "value": r.value,
                    "low": r.lo,
                    "high": r.hi,
                    "unit": r.unit,
                    "confidence": r.confidence,
                    "source": list(r.source),
                    "note": r.note,
                }
                for pid, r in self.params.ranges().items()
            ],
        }


def load_model(
    path: Path | str | None = None,
    *,
    overrides: Mapping[str, str | float | bool] | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    shared_data: Path | None = None,
    scenarios: Path | str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ArsenalModel:
    """Build the model from a parameter file (default: the one shipped with the package).

    ``shared_data`` is the real data folder; when given, :meth:`ArsenalModel.compare`
    also reads the compiled estimates and the FAS/OWID series found there.
    """
    params = load_parameters(path)
    if overrides:
        params = params.with_overrides(overrides)
    return ArsenalModel(
        params,
        draws=draws,
        seed=seed,
        shared_data=shared_data,
        scenarios=load_scenarios(scenarios) if scenarios is not None else None,
        workers=workers,
        progress=progress,
    )
