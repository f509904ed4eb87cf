"""Claims about sanctions enforcement, measured by the dated OFAC DPRK series.

UN, EU and UK listings follow the UN committee's consensus (or their own
regimes) and say little about US enforcement, so these claims read only
the curated OFAC actions (``sanctions_actions.yaml``, each with its Treasury
press release). The series is complete only for :data:`OFAC_COMPLETE` (the
year either side of Singapore); elsewhere it is a sample, so counts outside
that window are lower bounds and are reported as such.
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
#: The curated OFAC series starts here (the rows before are a sample of older actions).
OFAC_SERIES_START = date(2016, 1, 1)
#: Every OFAC DPRK action in this window is a row; outside it the series is partial.
OFAC_COMPLETE = (date(2017, 6, 12), date(2019, 6, 11))


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
    lo, hi = OFAC_COMPLETE
    for admin in ctx.ledger.administrations:
        start = max(admin.start.start(), OFAC_SERIES_START)
        end = min(admin.end.start() if admin.end else ctx.day, ctx.day)
        if end <= start:
            continue
        found = per_admin.get(admin.id, [])
        c_start, c_end = max(start, lo), min(end, hi, ctx.day)
        complete_years = max((c_end - c_start).days, 0) / 365.25
        rates[admin.id] = {
            "designations_found": sum(x.total for x in found),
            "designations_in_complete_window": sum(
                x.total for x in found if c_start <= x.date.start() <= c_end
            ),
            "years_of_complete_coverage": round(complete_years, 2),
            "years_in_office_since_series_start": round((end - start).days / 365.25, 2),
        }
        evidence += [
            ctx.finding(f"{admin.id}: OFAC {x.date} — {x.total}", x.date, x) for x in found
        ]
    uncovered = [
        a.id
        for a in ctx.ledger.administrations
        if a.id in ("bush-43", "obama") and a.id not in rates
    ]
    value = "; ".join(
        f"{k}: at least {v['designations_found']}"
        + (
            f" ({v['designations_in_complete_window']} in "
            f"{v['years_of_complete_coverage']} years of complete coverage)"
            if v["years_of_complete_coverage"]
            else ""
        )
        for k, v in rates.items()
    )
    note = (
        f"the series is complete only from {lo} to {hi} and starts in 2016: the Bush years "
        "and most of Obama's are not covered, so the comparison the claim makes cannot be "
        "computed"
    )
    return ctx.assess(
        "pending",
        f"{value}; {note}" if value else note,
        evidence,
        {"by_administration": rates, "uncovered": uncovered},
    )
