"""Claims about the written record: resolutions, agreements, what the summits produced."""

from __future__ import annotations

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
from dprkwatch.ledger.compliance import resolution_matrix
from dprkwatch.ledger.model import Claim, CommitmentStatus

# "Nearly a dozen": the range we accept as that wording.
NEARLY_A_DOZEN = range(9, 13)


@evaluator("resolutions-requiring-denuclearization")
def resolutions(claim: Claim, ctx: ClaimContext) -> Assessment:
    adopted = [r for r in ctx.ledger.resolutions if r.outcome == "adopted"]
    binding = [r for r in adopted if r.requires("abandon-nuclear")]
    asking = [r for r in adopted if any(o.key == "abandon-nuclear" for o in r.obligations)]
    matrix = resolution_matrix(ctx.ledger, ctx.events, end=ctx.day)
    broken = {
        res.id for res, cells in matrix.rows if any(c.status == "broken" for c in cells.values())
    }
    evidence = []
    for r in binding:
        cells = next((cells for res, cells in matrix.rows if res.id == r.id), {})
        first = min(
            (c.first for c in cells.values() if c.status == "broken" and c.first is not None),
            key=lambda b: b.date,
            default=None,
        )
        ref = next(o for o in r.obligations if o.key == "abandon-nuclear")
        text = f"{r.label} ({r.date}) {ref.force} that the DPRK abandon its nuclear programme"
        if ref.paragraph:
            text += f" ({ref.paragraph})"
        evidence.append(ctx.finding(text, r.date, r))
        if first is not None:
            evidence.append(
                Finding(f"{r.label} breached: {first.text}", first.date, first.citations)
            )
    n = len(binding)
    n_broken = len([r for r in binding if r.id in broken])
    value = (
        f"{n} resolutions bind the DPRK to abandon its nuclear programme "
        f"({len(asking)} including those that only urge it); {n_broken} of the {n} show a breach"
    )
    verdict = SUPPORTED if n in NEARLY_A_DOZEN and n_broken == n else PARTLY
    return ctx.assess(
        verdict,
        value,
        evidence,
        {
            "binding": [r.id for r in binding],
            "asking": [r.id for r in asking],
            "broken": sorted(broken),
        },
    )


@evaluator("earlier-agreements")
def earlier_agreements(claim: Claim, ctx: ClaimContext) -> Assessment:
    earlier = [a for a in ctx.ledger.agreements if a.date.start() < date(2018, 1, 1)]
    with_dprk = [a for a in earlier if any(c.party == "DPRK" for c in a.commitments)]
    broken = [
        a
        for a in with_dprk
        if any(c.party == "DPRK" and c.status is CommitmentStatus.BROKEN for c in a.commitments)
    ]
    clean = [a for a in with_dprk if a not in broken]
    value = (
        f"{len(with_dprk)} agreements with DPRK commitments before 2018; "
        f"the DPRK broke commitments in {len(broken)}"
    )
    if clean:
        value += f"; none broken by it in {', '.join(a.name for a in clean)}"
    verdict = (SUPPORTED if not clean else PARTLY) if len(with_dprk) == 8 else NOT_SUPPORTED
    evidence = []
    for a in with_dprk:
        statuses = ", ".join(
            f"{c.id}: {c.status.value}" for c in a.commitments if c.party == "DPRK"
        )
        evidence.append(ctx.finding(f"{a.name} ({a.date}): {statuses}", a.date, a))
        for c in a.commitments:
            if c.party == "DPRK" and c.status is CommitmentStatus.BROKEN:
                last = [e for e in c.evidence if e.date is not None]
                if last:
                    ev = max(last, key=lambda e: e.date.start() if e.date else date.min)
                    evidence.append(ctx.finding(f"{a.name}, {c.id}: {ev.text}", ev.date, ev))
    return ctx.assess(
        verdict,
        value,
        evidence,
        {"agreements": [a.id for a in with_dprk], "broken": [a.id for a in broken]},
    )


@evaluator("summit-denuclearization-steps")
def summit_steps(claim: Claim, ctx: ClaimContext) -> Assessment:
    recent = [a for a in ctx.ledger.agreements if a.date.year >= 2018]
    steps = [
        (a, c)
        for a in recent
        for c in a.commitments
        if c.party in ("DPRK", "both")
        and c.topic in ("denuclearization", "missiles", "verification")
    ]
    kept = [(a, c) for a, c in steps if c.status is CommitmentStatus.KEPT]
    value = (
        f"{len(kept)} of {len(steps)} DPRK denuclearization or missile commitments "
        f"in the statements since 2018 were kept"
    )
    evidence = [
        ctx.finding(f"{a.name}: {c.obligation} -> {c.status.value}", a.date, a) for a, c in steps
    ]
    return ctx.assess(
        SUPPORTED if not kept and steps else NOT_SUPPORTED,
        value,
        evidence,
        {"commitments": [f"{a.id}/{c.id}" for a, c in steps], "kept": len(kept)},
    )


@evaluator("denuclearization-definition")
def definition(claim: Claim, ctx: ClaimContext) -> Assessment:
    recent = [a for a in ctx.ledger.agreements if a.date.year >= 2018]
    defined = [a for a in recent if a.denuclearization_definition]
    earlier = [
        a for a in ctx.ledger.agreements if a.date.year < 2018 and a.denuclearization_definition
    ]
    value = (
        f"{len(defined)} of {len(recent)} statements since 2018 say what denuclearization covers"
    )
    evidence = [
        ctx.finding(f"{a.name}: no definition of denuclearization", a.date, a)
        for a in recent
        if not a.denuclearization_definition
    ]
    evidence += [
        ctx.finding(f"earlier, {a.name} did: {a.denuclearization_definition}", a.date, a)
        for a in earlier[:3]
    ]
    return ctx.assess(
        SUPPORTED if recent and not defined else NOT_SUPPORTED,
        value,
        evidence,
        {"defined": [a.id for a in defined]},
    )
