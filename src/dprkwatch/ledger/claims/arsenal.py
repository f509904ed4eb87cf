"""Claims about the arsenal: six more weapons, not reduced, production expanded.

Two bases. A press figure such as "material for six more weapons" counts
fissile material (utilisation 1: every kilogram in a weapon). The model's
default counts weapons (utilisation 0.8: losses, material in process). The
same stock is 25 % larger on the material basis, so the verdict says which
basis it used and shows both.

At the time of a claim the model is not evidence: its inputs include
reports published later (IAEA, 38 North, ISIS 2023...). The *at the time*
assessment reads the published estimates the ledger records
(``observations.yaml``); the *today* assessment adds the model.
"""

from __future__ import annotations

from datetime import date

from dprkwatch.ledger.claims.core import (
    NOT_SUPPORTED,
    PARTLY,
    SUPPORTED,
    Assessment,
    ClaimContext,
    IntervalLike,
    evaluator,
)
from dprkwatch.ledger.model import Claim, Observation

SINGAPORE = date(2018, 6, 12)
CLAIMED = 6.0
BASES = {"material": 1.0, "weapons": 0.8}


def _estimates(ctx: ClaimContext, quantity: str) -> list[Observation]:
    return [
        o
        for o in ctx.ledger.observations
        if o.category == "fissile-material" and any(q.name == quantity for q in o.quantities)
    ]


def _model_increment(ctx: ClaimContext, end: date) -> dict[str, IntervalLike] | None:
    model = ctx.arsenal()
    if model is None:
        return None
    out = {
        basis: model.with_overrides({"conversion.utilisation": u}).increment(
            str(SINGAPORE), str(end)
        )
        for basis, u in BASES.items()
    }
    return out


@evaluator("arsenal-increment")
def increment(claim: Claim, ctx: ClaimContext) -> Assessment:
    end = min(claim.as_of.end(), ctx.day)
    published = _estimates(ctx, "weapons-equivalent added since Singapore")
    evidence = [ctx.finding(f"{o.by}: {o.title}", o.date, o) for o in published]
    figures = [
        q.value
        for o in published
        for q in o.quantities
        if q.name == "weapons-equivalent added since Singapore"
    ]
    data: dict[str, object] = {"published": figures, "basis_of_claim": "material"}
    if ctx.day <= claim.as_of.end():
        if not figures:
            return ctx.pending("no published estimate of the increment as of this date")
        near = [f for f in figures if abs(f - CLAIMED) <= 1]
        value = (
            f"published estimates by {ctx.day}: {', '.join(f'{f:g}' for f in figures)} "
            f"weapons' worth of fissile material (material basis, utilisation 1)"
        )
        return ctx.assess(SUPPORTED if near else PARTLY, value, evidence, data)
    inc = _model_increment(ctx, end)
    if inc is None:
        return ctx.pending("arsenal model not available", evidence)
    m, w = inc["material"], inc["weapons"]
    value = (
        f"model, {SINGAPORE}..{end}: material basis (utilisation 1, the press figures' basis) "
        f"{m.median:.1f} (90% range {m.low:.1f}-{m.high:.1f}); weapons basis (utilisation 0.8) "
        f"{w.median:.1f} ({w.low:.1f}-{w.high:.1f}); the claim says about {CLAIMED:g}"
    )
    if m.low <= CLAIMED <= m.high:
        verdict = SUPPORTED if abs(m.median - CLAIMED) <= 0.25 * CLAIMED else PARTLY
    else:
        verdict = NOT_SUPPORTED
    data.update(
        {
            basis: {
                "low": iv.low,
                "median": iv.median,
                "high": iv.high,
                "utilisation": BASES[basis],
            }
            for basis, iv in inc.items()
        }
    )
    return ctx.assess(verdict, value, evidence, data)


def _stock_series(stocks: list[Observation]) -> list[tuple[str, float, float, str]]:
    """Published warhead ranges by period: (period, low, high, publisher), oldest first."""
    ranges: dict[tuple[str, str], list[float]] = {}
    for o in stocks:
        for q in o.quantities:
            if q.name != "warheads":
                continue
            low_high = ranges.setdefault((q.period or str(o.date), o.by), [q.value, q.value])
            if q.qualifier == "at least":
                low_high[0] = q.value
            elif q.qualifier == "up to":
                low_high[1] = q.value
            else:
                low_high[:] = [q.value, q.value]
    return sorted((p, lo, hi, by) for (p, by), (lo, hi) in ranges.items())


@evaluator("arsenal-not-reduced")
def not_reduced(claim: Claim, ctx: ClaimContext) -> Assessment:
    """Published stock estimates across the window (at the time); the model's stock (today)."""
    stocks = sorted(_estimates(ctx, "warheads"), key=lambda o: o.date.start())
    evidence = [ctx.finding(f"{o.by}: {o.title}", o.date, o) for o in stocks]
    series = _stock_series(stocks)
    data: dict[str, object] = {
        "published": [{"period": p, "low": lo, "high": hi, "by": by} for p, lo, hi, by in series]
    }
    if ctx.day <= claim.as_of.end():
        if len(series) < 2:
            return ctx.pending("fewer than two published stock estimates as of this date", evidence)
        first, last = series[0], series[-1]
        value = (
            f"published estimates: {first[1]:g}-{first[2]:g} warheads ({first[3]}, {first[0]}) "
            f"to {last[1]:g}-{last[2]:g} ({last[3]}, {last[0]})"
        )
        verdict = SUPPORTED if last[1] >= first[1] else NOT_SUPPORTED
        return ctx.assess(verdict, value, evidence, data)
    model = ctx.arsenal()
    if model is None:
        return ctx.pending("arsenal model not available", evidence)
    end = min(claim.as_of.end(), ctx.day)
    a, b = model.stock(str(SINGAPORE)), model.stock(str(end))
    value = f"model stock (weapons basis): {a.median:.1f} at Singapore, {b.median:.1f} on {end}"
    data.update({"singapore": a.median, "claim_date": b.median})
    verdict = SUPPORTED if b.median >= a.median else NOT_SUPPORTED
    return ctx.assess(verdict, value, evidence, data)


@evaluator("production-expanded")
def expanded(claim: Claim, ctx: ClaimContext) -> Assessment:
    """Findings of expanded fissile-material production, launchers and re-entry vehicles."""
    wanted = {
        "fissile material production": ("enrichment-site", "production-facility"),
        "mobile launchers": ("launchers",),
        "re-entry vehicles": ("re-entry-vehicles",),
    }
    found: dict[str, list[Observation]] = {}
    for label, cats in wanted.items():
        found[label] = [
            o for o in ctx.ledger.observations if o.category in cats and o.date.start() >= SINGAPORE
        ]
    evidence = [
        ctx.finding(f"{label}: {o.by}: {o.title}", o.date, o)
        for label, rows in found.items()
        for o in rows
    ]
    shown = [label for label, rows in found.items() if rows]
    value = f"evidence since Singapore for {len(shown)} of 3: " + (
        ", ".join(shown) if shown else "none"
    )
    missing = [label for label in wanted if label not in shown]
    if missing:
        value += f"; none recorded for {', '.join(missing)}"
    verdict = SUPPORTED if len(shown) == 3 else PARTLY if shown else NOT_SUPPORTED
    return ctx.assess(verdict, value, evidence, {k: [o.id for o in v] for k, v in found.items()})
