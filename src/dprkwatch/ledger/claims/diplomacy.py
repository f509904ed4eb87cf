"""Claims about the diplomacy: summits, denials, refusals, what talks covered, exercises.

Refusal claims are tested against recorded refusals — a meeting the DPRK
declined, cancelled, postponed or did not attend (``kind: refusal`` with
``refused_by``) — not against an absence of meetings, which could have
other causes.
"""

from __future__ import annotations

from datetime import date, timedelta

from dprkwatch.ledger.claims.core import (
    NOT_SUPPORTED,
    PARTLY,
    SUPPORTED,
    Assessment,
    ClaimContext,
    evaluator,
)
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.model import Claim

SINGAPORE = date(2018, 6, 12)
MEETING_KINDS = ("summit", "talks", "envoy")


def _parties(e: TimelineEvent, key: str = "parties") -> set[str]:
    """A list attribute of an event as a set (parties, refused_by, requested_by, tags)."""
    return set(e.attrs.get(key) or ())


def _us_dprk(e: TimelineEvent) -> bool:
    return e.dataset == "ledger" and {"US", "DPRK"} <= _parties(e)


def _refusals(ctx: ClaimContext, by: str, of: str, start: date, end: date) -> list[TimelineEvent]:
    """Recorded refusals by ``by`` of a request or meeting of ``of``, within ``[start, end]``."""
    return [
        e
        for e in ctx.events
        if e.kind == "refusal"
        and by in _parties(e, "refused_by")
        and of in _parties(e, "requested_by")
        and start <= e.start <= end
    ]


def _event(ctx: ClaimContext, event_id: str) -> TimelineEvent | None:
    return next((e for e in ctx.events if e.id == event_id), None)


@evaluator("two-summits-past-year")
def two_summits(claim: Claim, ctx: ClaimContext) -> Assessment:
    """US–DPRK summits in the year before the claim (the DMZ meeting counted apart)."""
    made = claim.as_of.end()
    start = made - timedelta(days=365)
    summits = [
        e
        for e in ctx.events
        if e.kind == "summit" and _us_dprk(e) and e.start <= min(made, ctx.day)
    ]
    in_year = [e for e in summits if start <= e.start]
    formal = [e for e in in_year if "unplanned" not in _parties(e, "tags")]
    evidence = [ctx.event_finding(e) for e in summits]
    value = (
        f"{len(in_year)} US–DPRK summit meetings between {start} and {made} "
        f"({len(formal)} planned summit(s), the rest unplanned); "
        f"{len(summits)} since 2018"
    )
    if len(formal) == 2:
        verdict = SUPPORTED
    elif len(in_year) >= 2 or len(summits) >= 2:
        verdict = PARTLY
    else:
        verdict = NOT_SUPPORTED
    return ctx.assess(
        verdict, value, evidence, {"in_year": [e.id for e in in_year], "formal": len(formal)}
    )


@evaluator("white-house-denial")
def white_house_denial(claim: Claim, ctx: ClaimContext) -> Assessment:
    """A dated White House statement, before the DMZ meeting, that no meeting was planned."""
    dmz = _event(ctx, "summit-2019-06-30-dmz")
    if dmz is None:
        return ctx.pending("the DMZ meeting is not in the ledger as of this date")
    week_before = dmz.start - timedelta(days=7)
    denials = [
        e
        for e in ctx.events
        if e.kind == "statement"
        and "denial" in _parties(e, "tags")
        and week_before <= e.start < dmz.start
    ]
    if not denials:
        return ctx.pending(
            f"no recorded White House denial between {week_before} and {dmz.start}",
            [ctx.event_finding(dmz)],
        )
    thursday = [e for e in denials if e.start.weekday() == 3]
    evidence = [ctx.event_finding(e) for e in denials] + [ctx.event_finding(dmz)]
    value = f"{len(denials)} recorded denial(s) in the week before the DMZ meeting" + (
        f", on Thursday {thursday[0].date}" if thursday else ", none on the Thursday"
    )
    return ctx.assess(SUPPORTED if thursday else PARTLY, value, evidence)


@evaluator("refused-after-singapore")
def refused_after_singapore(claim: Claim, ctx: ClaimContext) -> Assessment:
    after = [e for e in ctx.events if _us_dprk(e) and e.start > SINGAPORE]
    talks = sorted(
        (e for e in after if e.kind == "talks" and "humanitarian" not in _parties(e, "tags")),
        key=lambda e: e.start,
    )
    if not talks:
        return ctx.pending("no working-level talks after Singapore in the ledger as of this date")
    first = talks[0]
    days = (first.start - SINGAPORE).days
    refusals = _refusals(ctx, "DPRK", "US", SINGAPORE, first.start)
    envoys = [
        e
        for e in after
        if (e.kind in ("envoy", "summit") or "humanitarian" in _parties(e, "tags"))
        and e.start < first.start
    ]
    evidence = [ctx.event_finding(first, f"first working-level talks: {first.title}")]
    evidence += [ctx.event_finding(e, f"refused: {e.title}") for e in refusals]
    evidence += [ctx.event_finding(e, f"meanwhile: {e.title}") for e in envoys]
    value = (
        f"{days} days ({days / 30.44:.1f} months) from Singapore to the first working-level "
        f"talks; {len(refusals)} recorded DPRK refusal(s) or no-show(s) in between; "
        f"{len(envoys)} envoy-level or humanitarian meeting(s) did take place"
    )
    verdict = (SUPPORTED if not envoys else PARTLY) if days >= 150 and refusals else NOT_SUPPORTED
    return ctx.assess(
        verdict,
        value,
        evidence,
        {"days": days, "first": first.id, "refusals": [e.id for e in refusals]},
    )


@evaluator("talks-logistics-only")
def logistics_only(claim: Claim, ctx: ClaimContext) -> Assessment:
    """What the US–DPRK working-level talks between Singapore and Hanoi are recorded as covering."""
    hanoi = _event(ctx, "summit-2019-02-27-hanoi")
    end = hanoi.start if hanoi is not None else ctx.day
    talks = [
        e for e in ctx.events if _us_dprk(e) and e.kind == "talks" and SINGAPORE < e.start < end
    ]
    if not talks:
        return ctx.pending(
            "no US–DPRK working-level talks before Hanoi in the ledger as of this date"
        )
    known = [e for e in talks if _parties(e, "tags") & {"summit-logistics", "denuclearization"}]
    denuc = [e for e in known if "denuclearization" in _parties(e, "tags")]
    logistics = [e for e in known if "summit-logistics" in _parties(e, "tags")]
    evidence = [
        ctx.event_finding(
            e, f"{e.title}: {', '.join(sorted(_parties(e, 'tags'))) or 'agenda not recorded'}"
        )
        for e in talks
    ]
    value = (
        f"{len(talks)} working-level meeting(s) before Hanoi; agenda recorded for {len(known)}: "
        f"{len(logistics)} on summit logistics, {len(denuc)} with denuclearization discussed"
    )
    if not known:
        return ctx.pending(value + " — no source says what was discussed", evidence)
    if denuc:
        verdict = NOT_SUPPORTED if len(denuc) == len(known) else PARTLY
    else:
        verdict = SUPPORTED if logistics else PARTLY
    return ctx.assess(verdict, value, evidence)


def _after_hanoi(ctx: ClaimContext, of: str) -> Assessment:
    hanoi = _event(ctx, "summit-2019-02-27-hanoi")
    dmz = _event(ctx, "summit-2019-06-30-dmz")
    if hanoi is None or dmz is None:
        return ctx.pending("the Hanoi or DMZ meeting is not in the ledger as of this date")
    refusals = _refusals(ctx, "DPRK", of, hanoi.end, dmz.start)
    meetings = [
        e
        for e in ctx.events
        if e.dataset == "ledger"
        and e.kind in MEETING_KINDS
        and {of, "DPRK"} <= _parties(e)
        and hanoi.end < e.start < dmz.start
    ]
    days = (dmz.start - hanoi.end).days
    evidence = [ctx.event_finding(e, f"refused: {e.title}") for e in refusals]
    evidence += [ctx.event_finding(e, f"met nonetheless: {e.title}") for e in meetings]
    value = (
        f"{len(refusals)} recorded DPRK refusal(s) of {of} requests and {len(meetings)} "
        f"{of}–DPRK meeting(s) in the {days} days between Hanoi and the DMZ"
    )
    if len(refusals) >= 2 and not meetings:
        verdict = SUPPORTED
    elif refusals:
        verdict = PARTLY
    else:
        verdict = NOT_SUPPORTED if meetings else PARTLY
        value += "; no refusal is recorded, only an absence of meetings" if not meetings else ""
    return ctx.assess(
        verdict,
        value,
        evidence,
        {"refusals": [e.id for e in refusals], "meetings": [e.id for e in meetings], "days": days},
    )


@evaluator("quiet-after-hanoi")
def refused_after_hanoi(claim: Claim, ctx: ClaimContext) -> Assessment:
    return _after_hanoi(ctx, "US")


@evaluator("rok-entreaties-after-hanoi")
def rok_after_hanoi(claim: Claim, ctx: ClaimContext) -> Assessment:
    return _after_hanoi(ctx, "ROK")


@evaluator("exercises-cancelled")
def exercises(claim: Claim, ctx: ClaimContext) -> Assessment:
    rows = [
        e
        for e in ctx.ledger.exercises
        if e.date.start() >= SINGAPORE and e.action not in ("resumed",)
    ]
    evidence = [ctx.finding(f"{e.name}: {e.action}", e.date, e) for e in rows]
    value = (
        f"{len(rows)} allied exercises suspended, cancelled, postponed, scaled down or ended "
        f"between Singapore and {ctx.day}"
    )
    return ctx.assess(
        SUPPORTED if len(rows) >= 3 else NOT_SUPPORTED, value, evidence, {"count": len(rows)}
    )
