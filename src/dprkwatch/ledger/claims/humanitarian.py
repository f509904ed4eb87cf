"""Claims about remains, detainees and human rights."""

from __future__ import annotations

from collections import defaultdict

from dprkwatch.ledger.claims.core import (
    NOT_SUPPORTED,
    PARTLY,
    SUPPORTED,
    Assessment,
    ClaimContext,
    evaluator,
)
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Claim, Humanitarian


def _admin(ledger: Ledger, h: Humanitarian) -> str:
    admins = ledger.administrations_during(h.date.start(), (h.end_date or h.date).end())
    return "/".join(a.id for a in admins) or "unknown"


@evaluator("remains-by-administration")
def remains(claim: Claim, ctx: ClaimContext) -> Assessment:
    rows = sorted(
        (h for h in ctx.ledger.humanitarian if h.kind == "remains-return"),
        key=lambda h: h.date.start(),
    )
    latest = next((h for h in rows if h.date.year == 2018), None)
    if latest is None:
        return ctx.pending("no 2018 return in the ledger as of this date")
    earlier = [h for h in rows if h.date.start() < latest.date.start() and h.date.year >= 1990]
    bigger = [h for h in earlier if h.count > latest.count]
    evidence = [
        ctx.finding(
            f"{h.date}{'..' + str(h.end_date) if h.end_date else ''} ({_admin(ctx.ledger, h)}): "
            f"{'at least ' if h.at_least else ''}{h.count} {h.unit}",
            h.date,
            h,
        )
        for h in rows
    ]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for h in rows:
        totals[_admin(ctx.ledger, h)][h.unit] += h.count
    value = f"2018: {latest.count} {latest.unit}, the largest single handover; " + (
        "earlier periods returned more in total: "
        + ", ".join(
            f"{h.count} {h.unit} ({h.date.year}-{(h.end_date or h.date).year})" for h in bigger
        )
        if bigger
        else "no earlier period returned more"
    )
    return ctx.assess(
        SUPPORTED if bigger else NOT_SUPPORTED,
        value,
        evidence,
        {"by_administration": {k: dict(v) for k, v in totals.items()}},
    )


@evaluator("detainees-by-administration")
def detainees(claim: Claim, ctx: ClaimContext) -> Assessment:
    made = claim.as_of.end()
    totals: dict[str, int] = defaultdict(int)
    evidence = []
    for h in ctx.ledger.humanitarian:
        if h.kind == "detainee-release":
            label = _admin(ctx.ledger, h)
            totals[label] += h.count
            evidence.append(ctx.finding(f"{label}: {', '.join(h.people) or h.count}", h.date, h))
    current = next((a.id for a in ctx.ledger.administrations_during(made, made)), "unknown")
    mine = totals.get(current, 0)
    more = {k: v for k, v in totals.items() if k != current and v > mine}
    value = "released: " + ", ".join(
        f"{k} {v}" for k, v in sorted(totals.items(), key=lambda kv: -kv[1])
    )
    return ctx.assess(
        SUPPORTED if more else NOT_SUPPORTED, value, evidence, {"totals": dict(totals)}
    )


@evaluator("crimes-against-humanity")
def crimes_against_humanity(claim: Claim, ctx: ClaimContext) -> Assessment:
    """What UN bodies found, and whether they named the leadership as responsible."""
    found = [o for o in ctx.ledger.observations if o.category == "human-rights"]
    if not found:
        return ctx.pending("no UN human-rights finding in the ledger as of this date")
    evidence = [ctx.finding(f"{o.by}: {o.title}", o.date, o) for o in found]
    crimes = [o for o in found if "crimes against humanity" in o.title.lower()]
    leadership = [o for o in crimes if "leader" in (o.detail or "").lower()]
    value = (
        f"{len(crimes)} UN finding(s) of crimes against humanity; "
        f"{len(leadership)} place responsibility with the leadership"
    )
    verdict = SUPPORTED if crimes and leadership else PARTLY if crimes else NOT_SUPPORTED
    return ctx.assess(verdict, value, evidence)
