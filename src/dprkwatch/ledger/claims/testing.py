"""Claims about testing pauses: did earlier administrations get longer moratoria?"""

from __future__ import annotations

import itertools
from datetime import date

from dprkwatch.ledger.claims.core import (
    NOT_SUPPORTED,
    PARTLY,
    SUPPORTED,
    Assessment,
    ClaimContext,
    Finding,
    evaluator,
)
from dprkwatch.ledger.model import Claim, Moratorium


def _years(days: int) -> str:
    return f"{days / 365.25:.1f} years"


def _span(m: Moratorium, ctx: ClaimContext) -> tuple[int, Finding | None]:
    """Days a moratorium held (to its first breach or the context's day), and the breach."""
    announced = m.announced.end()
    breaches: list[tuple[date, Finding]] = []
    if m.nuclear_tests:
        breaches += [
            (t.date.start(), ctx.finding(f"nuclear test {t.number}", t.date, t))
            for t in ctx.ledger.nuclear_tests
            if t.date.start() > announced
        ]
    wanted = {t.upper() for t in m.missile_types}
    if wanted:
        breaches += [
            (e.start, ctx.event_finding(e))
            for e in ctx.events
            if e.kind == "missile-launch"
            and str(e.attrs.get("missile_type", "")).upper() in wanted
            and e.start > announced
        ]
        # Curated milestones that official sources tie to a covered missile
        # type before the launch data does (E9: the 2022 ICBM-system tests).
        # The span runs to the event; the finding is citable from its publication.
        breaches += [
            ((o.event_date or o.date).start(), ctx.finding(f"{o.by}: {o.title}", o.date, o))
            for o in ctx.ledger.observations
            if o.category == "missile-milestone"
            and m.id in o.refs
            and (o.event_date or o.date).start() > announced
        ]
    if breaches:
        first = min(breaches, key=lambda b: b[0])
        return (first[0] - announced).days, first[1]
    return (ctx.day - announced).days, None


@evaluator("test-moratoria")
def moratoria(claim: Claim, ctx: ClaimContext) -> Assessment:
    if not any(e.kind == "missile-launch" for e in ctx.events):
        return ctx.pending("needs CNS missile data (dprkwatch ledger import)")
    if not ctx.ledger.moratoria:
        return ctx.pending("no moratorium in the ledger as of this date")
    current = max(ctx.ledger.moratoria, key=lambda m: m.announced.start())
    earlier = [m for m in ctx.ledger.moratoria if m is not current]
    spans = {m.id: _span(m, ctx) for m in earlier}
    held, broke = _span(current, ctx)
    evidence: list[Finding] = []
    for m in [*earlier, current]:
        days, breach = spans.get(m.id) or (held, broke)
        evidence.append(
            ctx.finding(
                f"{m.id}: {m.by}; held {_years(days)}"
                + (" until the breach below" if breach else f" by {ctx.day}"),
                m.announced,
                m,
            )
        )
        if breach is not None:
            evidence.append(breach)
    tests = sorted(t.date.start() for t in ctx.ledger.nuclear_tests)
    since_last = (ctx.day - tests[-1]).days if tests else 0
    longest_gap = max((b - a).days for a, b in itertools.pairwise(tests)) if len(tests) > 1 else 0
    best_id, (best_days, _b) = max(spans.items(), key=lambda kv: kv[1][0])
    value = (
        f"longest earlier moratorium {_years(best_days)} ({best_id}); "
        f"the 2018 one {'held' if broke is None else 'lasted'} {_years(held)}"
    )
    verdict = SUPPORTED if best_days > held else NOT_SUPPORTED
    if tests and since_last > longest_gap:
        value += (
            f"; no nuclear test for {_years(since_last)}, longer than any earlier gap "
            f"({_years(longest_gap)})"
        )
        if verdict == SUPPORTED:
            verdict = PARTLY
    return ctx.assess(
        verdict,
        value,
        evidence,
        {
            "earlier_days": {k: v[0] for k, v in spans.items()},
            "current_days": held,
            "current_holding": broke is None,
            "days_since_last_nuclear_test": since_last,
        },
    )
