"""Claims about sanctions enforcement, measured by the dated OFAC DPRK series.

UN, EU and UK listings follow the UN committee's consensus (or their own
regimes) and say little about US enforcement, so these claims read only
the curated OFAC actions (``sanctions_actions.yaml``, complete from
:data:`OFAC_SERIES_START`, each with its Treasury press release).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from dprkwatch.ledger.claims.core import (
    NOT_SUPPORTED,
    PARTLY,
    SUPPORTED,
    Assessment,
    ClaimContext,
    evaluator,
)
from dprkwatch.ledger.model import Claim, SanctionsAction

SINGAPORE = date(2018, 6, 12)
#: The curated OFAC series is complete from this day (earlier rows are a sample).
OFAC_SERIES_START = date(2016, 1, 1)


def ofac_series(ctx: ClaimContext) -> list[SanctionsAction]:
    return sorted(
        (
            a
            for a in ctx.ledger.sanctions_actions
            if a.authority == "OFAC" and a.date.start() >= OFAC_SERIES_START
        ),
        key=lambda a: a.date.start(),
    )


@evaluator("designations-around-singapore")
def designations(claim: Claim, ctx: ClaimContext) -> Assessment:
    before = (SINGAPORE - timedelta(days=365), SINGAPORE - timedelta(days=1))
    after = (SINGAPORE, SINGAPORE + timedelta(days=364))
    series = ofac_series(ctx)
    if ctx.day < after[1]:
        return ctx.pending(f"the year after Singapore is not over on {ctx.day}")
    if not series:
        return ctx.pending("no dated OFAC series in the ledger (sanctions_actions.yaml)")
    b = [a for a in series if before[0] <= a.date.start() <= before[1]]
    a_ = [a for a in series if after[0] <= a.date.start() <= after[1]]
    nb, na = sum(x.total for x in b), sum(x.total for x in a_)
    evidence = [
        ctx.finding(f"OFAC {x.date}: {x.title} — {x.total} designation(s)", x.date, x)
        for x in [*b, *a_]
    ]
    value = (
        f"OFAC DPRK designations: {nb} in {len(b)} actions in the year before Singapore, "
        f"{na} in {len(a_)} actions in the year after"
    )
    if na <= nb / 2:
        verdict = SUPPORTED
    elif na < nb:
        verdict = PARTLY
    else:
        verdict = NOT_SUPPORTED
    return ctx.assess(
        verdict,
        value,
        evidence,
        {"before": nb, "after": na, "actions_before": len(b), "actions_after": len(a_)},
    )


@evaluator("designations-by-administration")
def by_administration(claim: Claim, ctx: ClaimContext) -> Assessment:
    """OFAC DPRK designations per year of each administration, where the series covers it."""
    series = ofac_series(ctx)
    if not series:
        return ctx.pending("no dated OFAC series in the ledger (sanctions_actions.yaml)")
    per_admin: dict[str, list[SanctionsAction]] = defaultdict(list)
    for a in series:
        admins = ctx.ledger.administrations_during(a.date.start(), a.date.end())
        per_admin[admins[-1].id if admins else "unknown"].append(a)
    rates = {}
    evidence = []
    for admin in ctx.ledger.administrations:
        start = max(admin.start.start(), OFAC_SERIES_START)
        end = min(admin.end.start() if admin.end else ctx.day, ctx.day)
        if end <= start:
            continue
        years = (end - start).days / 365.25
        total = sum(x.total for x in per_admin.get(admin.id, []))
        rates[admin.id] = {"designations": total, "years_covered": round(years, 2)}
        evidence += [
            ctx.finding(f"{admin.id}: OFAC {x.date} — {x.total}", x.date, x)
            for x in per_admin.get(admin.id, [])
        ]
    uncovered = [
        a.id
        for a in ctx.ledger.administrations
        if a.id in ("bush-43", "obama") and a.id not in rates
    ]
    value = "; ".join(
        f"{k}: {v['designations']} in {v['years_covered']} years covered" for k, v in rates.items()
    )
    note = (
        "the series starts in 2016: the Bush years and most of Obama's are not covered, "
        "so the comparison the claim makes cannot be computed"
    )
    return ctx.assess(
        "pending",
        f"{value}; {note}" if value else note,
        evidence,
        {"by_administration": rates, "uncovered": uncovered},
    )
