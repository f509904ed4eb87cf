"""The physical model, evaluated for many draws and many dates at once.

Quantities are cumulative kilograms at each requested time (decimal years),
as ``(T, n)`` arrays: one row per time, one column per draw.

Plutonium
    The 5 MWe reactor makes ``pu_kg_per_year x capacity_factor`` kg a year in
    each operating period and nothing between periods (the 1994-2003 and
    2007-2013 freezes are gaps). Made plutonium becomes *separated* only when a
    reprocessing campaign takes it: each campaign takes everything made since
    the previous discharge (times its recovered share; the remainder waits for
    the next campaign) and releases it linearly between its start and end.
    Plutonium made after the last known discharge becomes available
    ``tail_lag_years`` after it is made (a smooth stand-in for future
    campaigns). The optional ELWR adds its own output with its own lag.

Uranium
    Each enrichment site has periods with a centrifuge count. HEU made per year
    is ``centrifuges x SWU per machine x heu_share / SWU per kg``; a site whose
    presence draw is 0 makes nothing. HEU counts as available when made.

Tests
    Each test removes its assumed plutonium and/or HEU on its date; for a test
    whose material is unknown a Bernoulli draw picks plutonium or HEU.

Weapons
    ``utilisation x (Pu / kg per Pu weapon + HEU / kg per HEU weapon)``, net of
    test consumption for a stock and gross for an increment ("material
    produced in the window").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dprkwatch.arsenal.parameters import ParameterFile
from dprkwatch.arsenal.sampling import DTYPE, Draws, FloatArray
from dprkwatch.arsenal.timeline import decimal_year

Times = NDArray[np.float64]


@dataclass(frozen=True)
class Material:
    """Cumulative kilograms at each time, ``(T, n)``: gross production and test use."""

    pu_separated: FloatArray
    heu_produced: FloatArray
    pu_tested: FloatArray
    heu_tested: FloatArray


def f32(x: Any) -> FloatArray:
    """``x`` as a float32 array (the engine's working precision)."""
    return np.asarray(x, dtype=DTYPE)


def _overlap(x: Any, start: float, end: float) -> NDArray[np.floating]:
    """Years of a period ``[start, end]`` elapsed by time ``x``."""
    return np.clip(np.asarray(x) - start, 0.0, end - start)


@dataclass(frozen=True)
class Plan:
    """What a set of evaluation times implies, independent of the draws.

    Built once per query and shared by every chunk of draws, so the per-chunk
    work is whole-array gathers and in-place arithmetic rather than Python
    loops over dates and periods.
    """

    t: Times
    camp_full: NDArray[np.intp]  # campaigns fully released by each time (prefix, end order)
    camp_partial: tuple[tuple[int, int, float], ...]  # (row, campaign, share released)
    site_full: NDArray[np.intp]  # site periods complete by each time (prefix, end order)
    site_active: tuple[
        tuple[NDArray[np.intp], NDArray[np.intp], FloatArray], ...
    ]  # per site: rows, period, years
    tests_before: NDArray[np.intp]
    tail_rows: NDArray[np.intp]
    elwr_rows: NDArray[np.intp]


class Engine:
    """Compiled form of a parameter file: period bounds as arrays, ids in order."""

    def __init__(self, pf: ParameterFile) -> None:
        self.pf = pf
        horizon_end = decimal_year(pf.horizon.end)
        r = pf.reactor
        self.reactor_ids = [f"reactor.{p.id}.capacity_factor" for p in r.periods]
        self.reactor_bounds = [
            (decimal_year(p.start), decimal_year(p.end) if p.end else horizon_end)
            for p in r.periods
        ]
        camps = pf.reprocessing.campaigns
        # (discharge, start, end, share id) in discharge order
        self.campaigns = [
            (
                decimal_year(c.discharge),
                decimal_year(c.start),
                decimal_year(c.end),
                f"reprocessing.{c.id}.recovered_share" if c.recovered_share is not None else None,
            )
            for c in camps
        ]
        self.camp_end_order = np.argsort([c[2] for c in self.campaigns], kind="stable")
        self.camp_ends_sorted = np.array(
            [self.campaigns[k][2] for k in self.camp_end_order], dtype=np.float64
        )
        self.discharge_overlap = np.array(
            [
                [float(_overlap(c[0], s, e)) for (s, e) in self.reactor_bounds]
                for c in self.campaigns
            ],
            dtype=DTYPE,
        ).reshape(len(self.campaigns), len(self.reactor_bounds))
        self.last_discharge = self.campaigns[-1][0] if self.campaigns else -np.inf
        self.tail_periods = [
            (pid, s, e, float(_overlap(self.last_discharge, s, e)) if self.campaigns else 0.0)
            for pid, (s, e) in zip(self.reactor_ids, self.reactor_bounds, strict=True)
            if e > self.last_discharge
        ]
        # Site periods in end order, each with its site's index and the ids it multiplies.
        periods: list[tuple[float, float, int, str, str]] = []
        for si, site in enumerate(pf.enrichment.sites):
            for sp in site.periods:
                periods.append(
                    (
                        decimal_year(sp.start),
                        decimal_year(sp.end) if sp.end else horizon_end,
                        si,
                        f"enrichment.{site.id}.{sp.id}.centrifuges",
                        f"enrichment.{site.id}.presence",
                    )
                )
        self.site_periods = sorted(periods, key=lambda p: p[1])
        self.n_sites = len(pf.enrichment.sites)
        self.tests = sorted(((decimal_year(t.date), t) for t in pf.tests), key=lambda x: x[0])
        self.test_times = np.array([when for when, _ in self.tests], dtype=np.float64)
        self.elwr_start = decimal_year(pf.elwr.start)
        self.elwr_end = decimal_year(pf.elwr.end) if pf.elwr.end else None
        self._plans: dict[bytes, Plan] = {}

    # -- plans -----------------------------------------------------------

    def plan(self, t: Times) -> Plan:
        """The draw-independent part of an evaluation at times ``t`` (cached)."""
        t = np.ascontiguousarray(t, dtype=np.float64)
        key = t.tobytes()
        found = self._plans.get(key)
        if found is not None:
            return found
        camp_full = np.searchsorted(self.camp_ends_sorted, t, side="right")
        partial = []
        for row, x in enumerate(t):
            for k, (_, s, e, _) in enumerate(self.campaigns):
                if s < x < e:
                    partial.append((row, k, (x - s) / (e - s)))
        ends = np.array([p[1] for p in self.site_periods], dtype=np.float64)
        site_full = np.searchsorted(ends, t, side="right")
        active = []
        for si in range(self.n_sites):
            rows, idx, years = [], [], []
            for row, x in enumerate(t):
                for j, (s, e, owner, _, _) in enumerate(self.site_periods):
                    if owner == si and s < x < e:
                        rows.append(row)
                        idx.append(j)
                        years.append(x - s)
            active.append(
                (
                    np.array(rows, dtype=np.intp),
                    np.array(idx, dtype=np.intp),
                    np.array(years, dtype=DTYPE),
                )
            )
        lag_lo = self.pf.reprocessing.tail_lag_years.lo
        elwr = self.pf.elwr
        plan = Plan(
            t=t,
            camp_full=camp_full,
            camp_partial=tuple(partial),
            site_full=site_full,
            site_active=tuple(active),
            tests_before=np.searchsorted(self.test_times, t, side="right"),
            tail_rows=np.nonzero(t > self.last_discharge + lag_lo)[0]
            if self.tail_periods
            else np.array([], dtype=np.intp),
            elwr_rows=np.nonzero(t > self.elwr_start + elwr.lag_years.lo)[0]
            if elwr.enabled
            else np.array([], dtype=np.intp),
        )
        if len(self._plans) > 64:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    # -- plutonium -------------------------------------------------------

    def _campaign_separations(self, d: Draws) -> tuple[FloatArray, FloatArray]:
        """Plutonium each campaign separates ``(K, n)``, and what is left unseparated."""
        k, n = len(self.campaigns), d.n
        produced = np.zeros((k, n), dtype=DTYPE)
        for p, pid in enumerate(self.reactor_ids):
            produced += self.discharge_overlap[:, p, None] * np.asarray(d.get(pid), dtype=DTYPE)
        produced *= d.get("reactor.pu_kg_per_year")
        separated = np.empty_like(produced)
        carry = np.zeros(n, dtype=DTYPE)
        before = np.zeros(n, dtype=DTYPE)
        for i, (_, _, _, share_id) in enumerate(self.campaigns):
            available = produced[i] - before + carry
            separated[i] = available * d.get(share_id) if share_id else available
            carry = available - separated[i]
            before = produced[i]
        return separated, carry

    def separated(self, d: Draws, plan: Plan) -> FloatArray:
        """Cumulative separated plutonium (kg) at each planned time, ``(T, n)``."""
        n = d.n
        if self.campaigns:
            sep, carry = self._campaign_separations(d)
            cum = np.zeros((len(self.campaigns) + 1, n), dtype=DTYPE)
            np.cumsum(sep[self.camp_end_order], axis=0, out=cum[1:])
            out = cum[plan.camp_full]
            for row, k, share in plan.camp_partial:
                out[row] += sep[k] * DTYPE(share)
        else:
            out = np.zeros((plan.t.size, n), dtype=DTYPE)
            carry = np.zeros(n, dtype=DTYPE)
        if plan.tail_rows.size:
            out[plan.tail_rows] += self._tail(d, plan.t[plan.tail_rows], carry)
        if plan.elwr_rows.size:
            out[plan.elwr_rows] += self._elwr(d, plan.t[plan.elwr_rows])
        return out

    def _tail(self, d: Draws, t: Times, carry: FloatArray) -> FloatArray:
        """Plutonium made after the last discharge, available after a lag."""
        lag = np.broadcast_to(
            np.asarray(d.get("reprocessing.tail_lag_years"), dtype=np.float64), (d.n,)
        )
        x = f32(t[:, None] - lag[None, :])
        made = np.zeros_like(x)
        for pid, s, e, base in self.tail_periods:
            made += d.get(pid) * (_overlap(x, s, e) - DTYPE(base))
        np.maximum(made, 0, out=made)
        made *= d.get("reactor.pu_kg_per_year")
        made += (x >= self.last_discharge) * carry
        return made

    def _elwr(self, d: Draws, t: Times) -> FloatArray:
        rate = np.asarray(d.get("elwr.pu_kg_per_year")) * d.get("elwr.capacity_factor")
        lag = np.broadcast_to(np.asarray(d.get("elwr.lag_years"), dtype=np.float64), (d.n,))
        x = t[:, None] - lag[None, :]
        if self.elwr_end is not None:  # made only while it runs; still separated after the lag
            np.minimum(x, self.elwr_end, out=x)
        x -= self.elwr_start
        return f32(np.maximum(x, 0) * rate)

    # -- uranium ---------------------------------------------------------

    def heu(self, d: Draws, plan: Plan) -> FloatArray:
        """Cumulative HEU produced (kg) at each planned time, ``(T, n)``."""
        n = d.n
        j = len(self.site_periods)
        if not j:
            return np.zeros((plan.t.size, n), dtype=DTYPE)
        weights = np.empty((j, n), dtype=DTYPE)  # machines present in each period
        full = np.zeros((j + 1, n), dtype=DTYPE)  # machine-years of the first i completed periods
        for i, (s, e, _, machines, presence) in enumerate(self.site_periods):
            np.multiply(d.get(machines), d.get(presence), out=weights[i])
            np.add(full[i], weights[i] * DTYPE(e - s), out=full[i + 1])
        out = full[plan.site_full]
        for rows, idx, years in plan.site_active:
            if rows.size:
                out[rows] += weights[idx] * years[:, None]
        out *= f32(
            np.asarray(d.get("enrichment.swu_per_machine_year"))
            * d.get("enrichment.heu_share")
            / d.get("enrichment.swu_per_kg_heu")
        )
        return out

    # -- tests -----------------------------------------------------------

    def _test_cumulative(self, d: Draws) -> tuple[FloatArray, FloatArray]:
        """Material used by the first k tests, for k = 0..len(tests): ``(len+1, n)`` each."""
        pu = np.zeros((len(self.tests) + 1, d.n), dtype=DTYPE)
        heu = np.zeros_like(pu)
        for k, (_, test) in enumerate(self.tests, start=1):
            base = f"tests.{test.id}"
            p: Any = d.get(f"{base}.pu_kg") if test.pu_kg else 0.0
            h: Any = d.get(f"{base}.heu_kg") if test.heu_kg else 0.0
            if test.material == "either":
                is_pu = d.get(f"{base}.pu_probability")
                p, h = p * is_pu, h * (1 - is_pu)
            np.add(pu[k - 1], p, out=pu[k])
            np.add(heu[k - 1], h, out=heu[k])
        return pu, heu

    # -- public ----------------------------------------------------------

    def tested(self, d: Draws, plan: Plan) -> tuple[FloatArray, FloatArray]:
        """Kilograms of plutonium and HEU used by tests by each planned time, ``(T, n)`` each."""
        pu_cum, heu_cum = self._test_cumulative(d)
        return pu_cum[plan.tests_before], heu_cum[plan.tests_before]

    def weapons(self, d: Draws, pu: FloatArray, heu: FloatArray) -> FloatArray:
        """Weapons-equivalent of kilograms held, the conversion every query uses.

        Works in place on ``pu`` (and scales ``heu``): pass copies to keep them.
        """
        return self._convert(d, pu, heu)

    def material(self, d: Draws, t: Times) -> Material:
        """Cumulative kilograms at times ``t`` (decimal years) for every draw."""
        plan = self.plan(t)
        pu_cum, heu_cum = self._test_cumulative(d)
        idx = plan.tests_before
        return Material(self.separated(d, plan), self.heu(d, plan), pu_cum[idx], heu_cum[idx])

    def stock(self, d: Draws, t: Times) -> FloatArray:
        """Weapons-equivalent stock at times ``t``, net of test consumption, ``(T, n)``.

        Written with in-place operations on two ``(T, n)`` buffers: this is the
        hot path of the Monte Carlo.
        """
        plan = self.plan(t)
        pu = self.separated(d, plan)
        heu = self.heu(d, plan)
        pu_cum, heu_cum = self._test_cumulative(d)
        rows = np.nonzero(plan.tests_before)[0]
        if rows.size:
            k = plan.tests_before[rows]
            pu[rows] -= pu_cum[k]
            heu[rows] -= heu_cum[k]
        np.maximum(pu, 0, out=pu)
        np.maximum(heu, 0, out=heu)
        return self._convert(d, pu, heu)

    def produced(self, d: Draws, t: Times) -> FloatArray:
        """Weapons-equivalent of all material produced by ``t``, ignoring tests, ``(T, n)``."""
        plan = self.plan(t)
        return self._convert(d, self.separated(d, plan), self.heu(d, plan))

    def _convert(self, d: Draws, pu: FloatArray, heu: FloatArray) -> FloatArray:
        """``utilisation x (pu / kg per Pu weapon + heu / kg per HEU weapon)``, reusing ``pu``."""
        pu *= np.reciprocal(f32(d.get("conversion.pu_kg_per_weapon")))
        heu *= np.reciprocal(f32(d.get("conversion.heu_kg_per_weapon")))
        pu += heu
        pu *= d.get("conversion.utilisation")
        return pu
