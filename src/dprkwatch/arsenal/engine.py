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


def _overlap(x: NDArray[np.floating] | float, start: float, end: float) -> NDArray[np.floating]:
    """Years of a period ``[start, end]`` elapsed by time ``x``."""
    return np.clip(np.asarray(x) - start, 0.0, end - start)


class Engine:
    """Compiled form of a parameter file: period bounds as arrays, ids in order."""

    def __init__(self, pf: ParameterFile) -> None:
        self.pf = pf
        horizon_end = decimal_year(pf.horizon.end)
        r = pf.reactor
        self.reactor_ids = [f"reactor.{p.id}.capacity_factor" for p in r.periods]
        self.reactor_bounds = [
            (decimal_year(p.start), decimal_year(p.end) if p.end else horizon_end) for p in r.periods
        ]
        camps = pf.reprocessing.campaigns
        self.campaigns = [
            (
                decimal_year(c.discharge),
                decimal_year(c.start),
                decimal_year(c.end),
                f"reprocessing.{c.id}.recovered_share" if c.recovered_share is not None else None,
            )
            for c in camps
        ]
        self.last_discharge = self.campaigns[-1][0] if self.campaigns else self.reactor_bounds[0][0]
        self.site_periods: list[tuple[str, str, float, float]] = []
        for site in pf.enrichment.sites:
            for sp in site.periods:
                self.site_periods.append(
                    (
                        f"enrichment.{site.id}.presence",
                        f"enrichment.{site.id}.{sp.id}.centrifuges",
                        decimal_year(sp.start),
                        decimal_year(sp.end) if sp.end else horizon_end,
                    )
                )
        self.tests = [(decimal_year(t.date), t) for t in pf.tests]
        self.elwr_start = decimal_year(pf.elwr.start)

    # -- plutonium -------------------------------------------------------

    def _reactor_production_at(self, d: Draws, points: list[float]) -> FloatArray:
        """Cumulative reactor output (kg) at fixed dates, ``(len(points), n)``."""
        overlap = np.array(
            [[_overlap(x, s, e) for (s, e) in self.reactor_bounds] for x in points], dtype=DTYPE
        )
        cf = np.stack([np.broadcast_to(d.get(pid), (d.n,)) for pid in self.reactor_ids]).astype(DTYPE)
        return (overlap @ cf) * d.get("reactor.pu_kg_per_year")

    def _separated(self, d: Draws, t: Times) -> FloatArray:
        n = d.n
        out = np.zeros((t.size, n), dtype=DTYPE)
        if self.campaigns:
            produced = self._reactor_production_at(d, [c[0] for c in self.campaigns])
            ramps = np.array(
                [[np.clip((x - s) / (e - s), 0.0, 1.0) if e > s else float(x >= e) for (_, s, e, _) in self.campaigns] for x in t],
                dtype=DTYPE,
            )
            separated = np.empty_like(produced)
            carry = np.zeros(n, dtype=DTYPE)
            before = np.zeros(n, dtype=DTYPE)
            for k, (_, _, _, share_id) in enumerate(self.campaigns):
                available = produced[k] - before + carry
                share = d.get(share_id) if share_id else 1.0
                separated[k] = available * share
                carry = available - separated[k]
                before = produced[k]
            out += ramps @ separated
        else:
            carry = np.zeros(n, dtype=DTYPE)
        out += self._tail(d, t, carry)
        if self.pf.elwr.enabled:
            out += self._elwr(d, t)
        return out

    def _tail(self, d: Draws, t: Times, carry: FloatArray) -> FloatArray:
        """Plutonium made after the last discharge, available after a lag."""
        out = np.zeros((t.size, d.n), dtype=DTYPE)
        last = self.last_discharge
        lag_lo = self.pf.reprocessing.tail_lag_years.lo
        rows = np.nonzero(t > last + lag_lo)[0]
        if rows.size == 0:
            return out
        x = (t[rows, None] - d.get("reprocessing.tail_lag_years")).astype(DTYPE)
        made = np.zeros_like(x)
        for pid, (s, e) in zip(self.reactor_ids, self.reactor_bounds, strict=True):
            if e <= last:
                continue
            base = float(_overlap(last, s, e))
            made += d.get(pid) * (_overlap(x, s, e) - base)
        total = np.maximum(made, 0) * d.get("reactor.pu_kg_per_year")
        out[rows] = total + (x >= last) * carry
        return out

    def _elwr(self, d: Draws, t: Times) -> FloatArray:
        rate = np.asarray(d.get("elwr.pu_kg_per_year")) * d.get("elwr.capacity_factor")
        x = t[:, None] - d.get("elwr.lag_years") - self.elwr_start
        return (np.maximum(x, 0) * rate).astype(DTYPE)

    # -- uranium ---------------------------------------------------------

    def _heu(self, d: Draws, t: Times) -> FloatArray:
        if not self.site_periods:
            return np.zeros((t.size, d.n), dtype=DTYPE)
        overlap = np.array([[_overlap(x, s, e) for (_, _, s, e) in self.site_periods] for x in t], dtype=DTYPE)
        machines = np.stack(
            [np.broadcast_to(np.asarray(d.get(m)) * d.get(p), (d.n,)) for (p, m, _, _) in self.site_periods]
        ).astype(DTYPE)
        per_machine_year = (
            np.asarray(d.get("enrichment.swu_per_machine_year"))
            * d.get("enrichment.heu_share")
            / d.get("enrichment.swu_per_kg_heu")
        )
        return f32((overlap @ machines) * per_machine_year)

    # -- tests -----------------------------------------------------------

    def _tested(self, d: Draws, t: Times) -> tuple[FloatArray, FloatArray]:
        if not self.tests:
            zero = np.zeros((t.size, d.n), dtype=DTYPE)
            return zero, zero
        pu_rows, heu_rows = [], []
        for _, test in self.tests:
            base = f"tests.{test.id}"
            pu = d.column(f"{base}.pu_kg") if test.pu_kg else np.zeros(d.n, dtype=DTYPE)
            heu = d.column(f"{base}.heu_kg") if test.heu_kg else np.zeros(d.n, dtype=DTYPE)
            if test.material == "either":
                is_pu = d.column(f"{base}.pu_probability")
                pu, heu = pu * is_pu, heu * (1 - is_pu)
            pu_rows.append(pu)
            heu_rows.append(heu)
        steps = np.array([[float(x >= when) for when, _ in self.tests] for x in t], dtype=DTYPE)
        return steps @ np.stack(pu_rows), steps @ np.stack(heu_rows)

    # -- public ----------------------------------------------------------

    def material(self, d: Draws, t: Times) -> Material:
        """Cumulative kilograms at times ``t`` (decimal years) for every draw."""
        t = np.asarray(t, dtype=np.float64)
        pu_test, heu_test = self._tested(d, t)
        return Material(self._separated(d, t), self._heu(d, t), pu_test, heu_test)

    def stock(self, d: Draws, m: Material) -> FloatArray:
        """Weapons-equivalent stock, net of test consumption, ``(T, n)``."""
        pu = np.maximum(m.pu_separated - m.pu_tested, 0) / d.get("conversion.pu_kg_per_weapon")
        heu = np.maximum(m.heu_produced - m.heu_tested, 0) / d.get("conversion.heu_kg_per_weapon")
        return f32((pu + heu) * d.get("conversion.utilisation"))

    def produced(self, d: Draws, m: Material) -> FloatArray:
        """Weapons-equivalent of all material produced, ignoring tests, ``(T, n)``."""
        pu = m.pu_separated / d.get("conversion.pu_kg_per_weapon")
        heu = m.heu_produced / d.get("conversion.heu_kg_per_weapon")
        return f32((pu + heu) * d.get("conversion.utilisation"))
