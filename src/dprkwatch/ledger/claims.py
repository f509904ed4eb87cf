"""Check the commentary's quantitative claims against the ledger and the data.

Each claim in ``claims.yaml`` names an evaluator registered here with
:func:`evaluator`. An evaluator recomputes the quantity from records and
imported data (never from a constant), returns a :class:`Verdict` with the
computed value and the evidence, and says ``pending`` when the data it
needs is not available rather than guessing.

Verdicts: ``supported``, ``partly supported``, ``not supported``,
``pending`` (data missing).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from dprkwatch.ledger.compliance import resolution_matrix
from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.exceptions import LedgerValidationError
from dprkwatch.ledger.inputs import Inputs
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Claim, CommitmentStatus, Humanitarian

SINGAPORE = date(2018, 6, 12)
SUPPORTED, PARTLY, NOT_SUPPORTED, PENDING = (
    "supported",
    "partly supported",
    "not supported",
    "pending",
)


class IntervalLike(Protocol):
    @property
    def low(self) -> float: ...
    @property
    def median(self) -> float: ...
    @property
    def high(self) -> float: ...


class ArsenalLike(Protocol):
    def increment(self, start: str, end: str) -> IntervalLike: ...


@dataclass
class Verdict:
    claim: Claim
    verdict: str
    value: str
    evidence: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "topic": self.claim.topic,
            "claim": self.claim.restatement,
            "as_of": str(self.claim.as_of),
            "verdict": self.verdict,
            "value": self.value,
            "evidence": list(self.evidence),
            "data": self.data,
        }


@dataclass
class ClaimContext:
    inputs: Inputs
    today: date
    arsenal: Callable[[], ArsenalLike | None]

    @property
    def ledger(self) -> Ledger:
        return self.inputs.ledger

    @property
    def events(self) -> list[TimelineEvent]:
        return self.inputs.events


Evaluator = Callable[[Claim, ClaimContext], Verdict]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(name: str) -> Callable[[Evaluator], Evaluator]:
    def deco(fn: Evaluator) -> Evaluator:
        EVALUATORS[name] = fn
        return fn

    return deco


def default_arsenal() -> ArsenalLike | None:
    """The arsenal model, when its package is installed and loads; otherwise ``None``."""
    try:
        from dprkwatch.arsenal import load_model
    except ImportError:
        return None
    model: ArsenalLike = load_model()
    return model


def evaluate_all(
    ledger: Ledger,
    inputs: Inputs,
    *,
    today: date,
    arsenal: Callable[[], ArsenalLike | None] = default_arsenal,
    only: Sequence[str] = (),
) -> list[Verdict]:
    """A verdict for every claim in the ledger (or those with ids in ``only``)."""
    ctx = ClaimContext(inputs=inputs, today=today, arsenal=arsenal)
    out = []
    for claim in ledger.claims:
        if only and claim.id not in only:
            continue
        fn = EVALUATORS.get(claim.evaluator)
        if fn is None:
            raise LedgerValidationError(
                f"claim {claim.id!r} names evaluator {claim.evaluator!r}, which does not exist",
                source="claims.yaml",
            )
        out.append(fn(claim, ctx))
    return out


# -- helpers -------------------------------------------------------------------


def _years(days: int) -> str:
    return f"{days / 365.25:.1f} years"


def _admin_label(ledger: Ledger, h: Humanitarian) -> str:
    admins = ledger.administrations_during(h.date.start(), (h.end_date or h.date).end())
    return "/".join(a.id for a in admins) or "unknown"


def _launches(events: Sequence[TimelineEvent], types: Sequence[str] = ()) -> list[TimelineEvent]:
    wanted = {t.upper() for t in types}
    return sorted(
        (
            e
            for e in events
            if e.kind == "missile-launch"
            and (not wanted or str(e.attrs.get("missile_type", "")).upper() in wanted)
        ),
        key=lambda e: e.start,
    )


def _us_dprk(e: TimelineEvent) -> bool:
    parties = set(e.attrs.get("parties") or ())
    return {"US", "DPRK"} <= parties


# -- evaluators ----------------------------------------------------------------


@evaluator("resolutions-requiring-denuclearization")
def _resolutions(claim: Claim, ctx: ClaimContext) -> Verdict:
    as_of = claim.as_of.end()
    adopted = [
        r for r in ctx.ledger.resolutions if r.outcome == "adopted" and r.date.start() <= as_of
    ]
    binding = [r for r in adopted if r.requires("abandon-nuclear")]
    asking = [r for r in adopted if any(o.key == "abandon-nuclear" for o in r.obligations)]
    matrix = resolution_matrix(ctx.ledger, ctx.events, end=as_of)
    broken = {
        res.id
        for res, cells in matrix.rows
        if any(
            c.status == "broken" and c.first is not None and c.first.date <= str(claim.as_of)
            for c in cells.values()
        )
    }
    n = len(binding)
    value = (
        f"{n} resolutions bind the DPRK to abandon its nuclear programme "
        f"({len(asking)} including those that only urge it); "
        f"{len([r for r in binding if r.id in broken])} of the {n} show a breach by {claim.as_of}"
    )
    verdict = SUPPORTED if 9 <= n <= 12 and all(r.id in broken for r in binding) else PARTLY
    return Verdict(
        claim,
        verdict,
        value,
        evidence=[f"{r.label} ({r.date})" for r in binding],
        data={
            "binding": [r.id for r in binding],
            "asking": [r.id for r in asking],
            "broken": sorted(broken),
        },
    )


@evaluator("earlier-agreements")
def _agreements(claim: Claim, ctx: ClaimContext) -> Verdict:
    earlier = [a for a in ctx.ledger.agreements if a.date.start() < date(2018, 1, 1)]
    with_dprk = [a for a in earlier if any(c.party == "DPRK" for c in a.commitments)]
    broken = [
        a
        for a in with_dprk
        if any(c.party == "DPRK" and c.status is CommitmentStatus.BROKEN for c in a.commitments)
    ]
    clean = [a for a in with_dprk if a not in broken]
    value = f"{len(with_dprk)} agreements with DPRK commitments before 2018; the DPRK broke commitments in {len(broken)}"
    if clean:
        value += f"; none broken by it in {', '.join(a.name for a in clean)}"
    verdict = (SUPPORTED if not clean else PARTLY) if len(with_dprk) == 8 else NOT_SUPPORTED
    evidence = []
    for a in with_dprk:
        statuses = ", ".join(
            f"{c.id}: {c.status.value}" for c in a.commitments if c.party == "DPRK"
        )
        evidence.append(f"{a.name} ({a.date}): {statuses}")
    return Verdict(
        claim,
        verdict,
        value,
        evidence,
        {"agreements": [a.id for a in with_dprk], "broken": [a.id for a in broken]},
    )


@evaluator("summit-denuclearization-steps")
def _summit_steps(claim: Claim, ctx: ClaimContext) -> Verdict:
    recent = [a for a in ctx.ledger.agreements if a.date.year == 2018]
    steps = [
        (a, c)
        for a in recent
        for c in a.commitments
        if c.party in ("DPRK", "both")
        and c.topic in ("denuclearization", "missiles", "verification")
    ]
    kept = [(a, c) for a, c in steps if c.status is CommitmentStatus.KEPT]
    value = f"{len(kept)} of {len(steps)} DPRK denuclearization or missile commitments in the 2018 statements were kept"
    evidence = [f"{a.name}: {c.obligation} -> {c.status.value}" for a, c in steps]
    verdict = SUPPORTED if not kept else NOT_SUPPORTED
    return Verdict(
        claim,
        verdict,
        value,
        evidence,
        {"commitments": [f"{a.id}/{c.id}" for a, c in steps], "kept": len(kept)},
    )


@evaluator("denuclearization-definition")
def _definition(claim: Claim, ctx: ClaimContext) -> Verdict:
    recent = [
        a
        for a in ctx.ledger.agreements
        if a.date.year >= 2018 and a.date.start() <= claim.as_of.end()
    ]
    defined = [a for a in recent if a.denuclearization_definition]
    earlier = [
        a for a in ctx.ledger.agreements if a.date.year < 2018 and a.denuclearization_definition
    ]
    value = (
        f"{len(defined)} of {len(recent)} statements since 2018 say what denuclearization covers"
    )
    evidence = [f"{a.name}: no definition" for a in recent if not a.denuclearization_definition]
    evidence += [
        f"earlier, {a.name} ({a.date}) did: {a.denuclearization_definition}" for a in earlier[:3]
    ]
    return Verdict(
        claim,
        SUPPORTED if not defined else NOT_SUPPORTED,
        value,
        evidence,
        {"defined": [a.id for a in defined]},
    )


def _moratorium_span(m: Any, ctx: ClaimContext, until: date) -> tuple[int, str, bool]:
    """Days a moratorium held (to the first breach or ``until``), what broke it, and whether it still held."""
    announced = m.announced.end()
    breaches: list[tuple[date, str]] = []
    if m.nuclear_tests:
        breaches += [
            (t.date.start(), f"nuclear test {t.number} ({t.date})")
            for t in ctx.ledger.nuclear_tests
            if t.date.start() > announced
        ]
    if m.missile_types:
        breaches += [
            (e.start, f"{e.title} ({e.date})")
            for e in _launches(ctx.events, m.missile_types)
            if e.start > announced
        ]
    breaches = [b for b in breaches if b[0] <= until]
    if breaches:
        first = min(breaches)
        return (first[0] - announced).days, first[1], False
    return (until - announced).days, "still holding", True


@evaluator("test-moratoria")
def _moratoria(claim: Claim, ctx: ClaimContext) -> Verdict:
    if not any(e.kind == "missile-launch" for e in ctx.events):
        return Verdict(claim, PENDING, "needs CNS missile data (dprkwatch ledger import)", [])
    current = max(ctx.ledger.moratoria, key=lambda m: m.announced.start())
    earlier = [m for m in ctx.ledger.moratoria if m is not current]
    at_claim, why_claim, _ = _moratorium_span(current, ctx, claim.as_of.end())
    today_days, why_today, holding = _moratorium_span(current, ctx, ctx.today)
    spans = {m.id: _moratorium_span(m, ctx, ctx.today) for m in earlier}
    best_id, (best_days, _best_why, _) = max(spans.items(), key=lambda kv: kv[1][0])
    evidence = [f"{m_id}: held {_years(d)} until {why}" for m_id, (d, why, _h) in spans.items()]
    evidence.append(
        f"{current.id}: {_years(at_claim)} by {claim.as_of} ({why_claim}); {_years(today_days)} by {ctx.today} ({why_today})"
    )
    tests = sorted(t.date.start() for t in ctx.ledger.nuclear_tests)
    gaps = [(b - a).days for a, b in itertools.pairwise(tests)]
    since_last = (ctx.today - tests[-1]).days if tests else 0
    if tests:
        evidence.append(
            f"nuclear tests: longest gap before 2017 {_years(max(gaps))}; {_years(since_last)} since the last test on {tests[-1]}"
        )
    value = f"longest earlier moratorium {_years(best_days)} ({best_id}); the 2018 one had held {_years(at_claim)} at the time of the claim"
    if best_days > at_claim and best_days > today_days:
        verdict = SUPPORTED
    elif best_days > at_claim:
        verdict = PARTLY
        value += f" but has held {_years(today_days)} since"
    else:
        verdict = NOT_SUPPORTED
    if tests and gaps and since_last > max(gaps):
        value += "; the nuclear-test pause itself is now the longest on record"
        if verdict == SUPPORTED:
            verdict = PARTLY
    return Verdict(
        claim,
        verdict,
        value,
        evidence,
        {
            "earlier_days": {k: v[0] for k, v in spans.items()},
            "current_days_at_claim": at_claim,
            "current_days_today": today_days,
            "current_holding": holding,
        },
    )


@evaluator("tests-around-pause")
def _tests_around_pause(claim: Claim, ctx: ClaimContext) -> Verdict:
    if not any(e.kind == "missile-launch" for e in ctx.events):
        return Verdict(claim, PENDING, "needs CNS missile data (dprkwatch ledger import)", [])
    pause = date(2018, 4, 21)
    before = (date(2017, 1, 1), date(2017, 12, 31))

    def count(kinds: str, start: date, end: date) -> int:
        if kinds == "nuclear":
            return sum(1 for t in ctx.ledger.nuclear_tests if start <= t.date.start() <= end)
        types = ("ICBM",) if kinds == "icbm" else ()
        return sum(1 for e in _launches(ctx.events, types) if start <= e.start <= end)

    claim_end = claim.as_of.end()
    y2018 = count("all", date(2018, 1, 1), date(2018, 12, 31))
    first_after = next((e for e in _launches(ctx.events) if e.start >= pause), None)
    first_icbm = next((e for e in _launches(ctx.events, ("ICBM",)) if e.start >= pause), None)
    rows = {
        "2017": {k: count(k, *before) for k in ("icbm", "nuclear", "all")},
        f"{pause}..{claim_end}": {
            k: count(k, pause, claim_end) for k in ("icbm", "nuclear", "all")
        },
        f"{pause}..{ctx.today}": {
            k: count(k, pause, ctx.today) for k in ("icbm", "nuclear", "all")
        },
    }
    evidence = [
        f"{span}: {r['icbm']} ICBM, {r['nuclear']} nuclear, {r['all']} CNS-class launches"
        for span, r in rows.items()
    ]
    evidence.append(f"CNS-class launches in 2018: {y2018}")
    if first_after is not None:
        evidence.append(f"first launch after the pause: {first_after.title} on {first_after.date}")
    if first_icbm is not None:
        evidence.append(f"first ICBM after the pause: {first_icbm.title} on {first_icbm.date}")
    during = rows[f"{pause}..{claim_end}"]
    ok = during["icbm"] == 0 and during["nuclear"] == 0 and during["all"] > 0
    value = f"{during['icbm']} ICBM and {during['nuclear']} nuclear tests but {during['all']} other launches between {pause} and {claim.as_of}"
    return Verdict(
        claim,
        SUPPORTED if ok else NOT_SUPPORTED,
        value,
        evidence,
        {"counts": rows, "launches_2018": y2018},
    )


def _by_admin(ctx: ClaimContext, kind: str) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for h in ctx.ledger.humanitarian:
        if h.kind == kind:
            totals[_admin_label(ctx.ledger, h)][h.unit] += h.count
    return {k: dict(v) for k, v in totals.items()}


@evaluator("remains-by-administration")
def _remains(claim: Claim, ctx: ClaimContext) -> Verdict:
    rows = [h for h in ctx.ledger.humanitarian if h.kind == "remains-return"]
    latest = next((h for h in rows if h.date.year == 2018), None)
    if latest is None:
        return Verdict(claim, PENDING, "no 2018 return in the ledger", [])
    earlier = [h for h in rows if h.date.start() < latest.date.start() and h.date.year >= 1990]
    bigger = [h for h in earlier if h.count > latest.count]
    evidence = [
        f"{h.date}{'..' + str(h.end_date) if h.end_date else ''} ({_admin_label(ctx.ledger, h)}): {'at least ' if h.at_least else ''}{h.count} {h.unit}"
        for h in sorted(rows, key=lambda h: h.date.start())
    ]
    value = (
        f"2018: {latest.count} {latest.unit}, the largest single handover; earlier periods returned more in total: "
        + ", ".join(
            f"{h.count} {h.unit} ({h.date.year}-{(h.end_date or h.date).year})" for h in bigger
        )
    )
    return Verdict(
        claim,
        SUPPORTED if bigger else NOT_SUPPORTED,
        value,
        evidence,
        {"by_administration": _by_admin(ctx, "remains-return")},
    )


@evaluator("detainees-by-administration")
def _detainees(claim: Claim, ctx: ClaimContext) -> Verdict:
    as_of = claim.as_of.end()
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, list[str]] = defaultdict(list)
    for h in ctx.ledger.humanitarian:
        if h.kind == "detainee-release" and h.date.start() <= as_of:
            label = _admin_label(ctx.ledger, h)
            totals[label] += h.count
            names[label] += list(h.people)
    current = next((a.id for a in ctx.ledger.administrations_during(as_of, as_of)), "unknown")
    mine = totals.get(current, 0)
    more = {k: v for k, v in totals.items() if k != current and v > mine}
    value = ", ".join(f"{k} {v}" for k, v in sorted(totals.items(), key=lambda kv: -kv[1]))
    evidence = [f"{k}: {', '.join(v)}" for k, v in names.items()]
    return Verdict(
        claim,
        SUPPORTED if more else NOT_SUPPORTED,
        f"released by {claim.as_of}: {value}",
        evidence,
        {"totals": dict(totals)},
    )


@evaluator("designations-around-singapore")
def _designations(claim: Claim, ctx: ClaimContext) -> Verdict:
    before = (SINGAPORE - timedelta(days=365), SINGAPORE - timedelta(days=1))
    after = (SINGAPORE, SINGAPORE + timedelta(days=364))
    sample_before = sum(
        a.total for a in ctx.ledger.sanctions_actions if before[0] <= a.date.start() <= before[1]
    )
    sample_after = sum(
        a.total for a in ctx.ledger.sanctions_actions if after[0] <= a.date.start() <= after[1]
    )
    sample = f"curated OFAC action sample: {sample_before} before, {sample_after} after (a sample, not a series)"
    if not ctx.inputs.has_designations:
        return Verdict(
            claim, PENDING, "needs imported sanctions lists (dprkwatch lists import)", [sample]
        )
    index = ctx.inputs.pressure(before[0], after[1])
    evidence: list[str] = []
    data: dict[str, Any] = {}
    drops = 0
    measured = 0
    for lst in index.lists:
        b, b_full = index.count(lst, *before)
        a, a_full = index.count(lst, *after)
        data[lst] = {"before": b, "after": a, "complete": b_full and a_full}
        if b is None or a is None:
            evidence.append(f"{lst}: not in the data for both periods (coverage missing)")
            continue
        flag = "" if b_full and a_full else " (coverage incomplete)"
        evidence.append(f"{lst}: {b} in the year before Singapore, {a} in the year after{flag}")
        measured += 1
        drops += a < b
    evidence.append(sample)
    if measured == 0:
        return Verdict(claim, PENDING, "no list covers both years", evidence, data)
    value = (
        f"designations fell after Singapore on {drops} of {measured} lists with data for both years"
    )
    verdict = SUPPORTED if drops == measured else PARTLY if drops else NOT_SUPPORTED
    return Verdict(claim, verdict, value, evidence, data)


@evaluator("exercises-cancelled")
def _exercises(claim: Claim, ctx: ClaimContext) -> Verdict:
    as_of = claim.as_of.end()
    rows = [
        e
        for e in ctx.ledger.exercises
        if SINGAPORE <= e.date.start() <= as_of and e.action != "resumed"
    ]
    later = [e for e in ctx.ledger.exercises if e.date.start() > as_of and e.action != "resumed"]
    value = f"{len(rows)} exercises suspended, cancelled or ended between Singapore and {claim.as_of} ({len(later)} more later)"
    evidence = [f"{e.date}: {e.name} {e.action}" for e in rows + later]
    return Verdict(
        claim, SUPPORTED if len(rows) >= 3 else NOT_SUPPORTED, value, evidence, {"count": len(rows)}
    )


@evaluator("refused-after-singapore")
def _refused_after_singapore(claim: Claim, ctx: ClaimContext) -> Verdict:
    us_dprk = [
        e for e in ctx.events if e.dataset == "ledger" and _us_dprk(e) and e.start > SINGAPORE
    ]
    talks = sorted((e for e in us_dprk if e.kind == "talks"), key=lambda e: e.start)
    if not talks:
        return Verdict(claim, PENDING, "no working-level talks after Singapore in the ledger", [])
    first = talks[0]
    days = (first.start - SINGAPORE).days
    between = [e for e in us_dprk if e.start < first.start and e.kind in ("envoy", "refusal")]
    evidence = [f"first working-level meeting: {first.title} ({first.date})"]
    evidence += [f"meanwhile {e.date}: {e.title}" for e in between]
    value = (
        f"{days} days ({days / 30.44:.1f} months) from Singapore to the first working-level meeting"
    )
    return Verdict(
        claim,
        SUPPORTED if days >= 150 else NOT_SUPPORTED,
        value,
        evidence,
        {"days": days, "first": first.id},
    )


@evaluator("quiet-after-hanoi")
def _quiet_after_hanoi(claim: Claim, ctx: ClaimContext) -> Verdict:
    hanoi = next((e for e in ctx.events if e.id == "summit-2019-02-27-hanoi"), None)
    dmz = next((e for e in ctx.events if e.id == "summit-2019-06-30-dmz"), None)
    if hanoi is None or dmz is None:
        return Verdict(claim, PENDING, "Hanoi or DMZ meeting missing from the ledger", [])
    meetings = [
        e
        for e in ctx.events
        if e.dataset == "ledger"
        and _us_dprk(e)
        and e.kind in ("summit", "talks", "envoy")
        and hanoi.end < e.start < dmz.start
    ]
    days = (dmz.start - hanoi.end).days
    value = f"{len(meetings)} US–DPRK meetings in the {days} days between Hanoi and the DMZ"
    evidence = [f"{e.date}: {e.title}" for e in meetings] or [
        "no summit, talks or envoy visit recorded in between"
    ]
    return Verdict(
        claim,
        SUPPORTED if not meetings else NOT_SUPPORTED,
        value,
        evidence,
        {"meetings": len(meetings), "days": days},
    )


@evaluator("arsenal-increment")
def _arsenal(claim: Claim, ctx: ClaimContext) -> Verdict:
    model = ctx.arsenal()
    if model is None:
        return Verdict(claim, PENDING, "pending: arsenal model not available", [])
    end = str(PartialDate.parse(claim.as_of))
    inc = model.increment(str(SINGAPORE), end)
    claimed = 6.0
    value = f"{inc.median:.1f} weapons (90% range {inc.low:.1f}-{inc.high:.1f}) produced {SINGAPORE}..{end}; the claim says about {claimed:g}"
    if inc.low <= claimed <= inc.high:
        verdict = SUPPORTED if abs(inc.median - claimed) <= 0.25 * claimed else PARTLY
    else:
        verdict = NOT_SUPPORTED
    evidence = [
        "fissile-material equivalents from the arsenal model (dprkwatch.arsenal), not observed warheads",
        "press basis of the claim: NYT 2019-03-09 'half-dozen' and Bloomberg 2019-01-14 'about six more'",
    ]
    return Verdict(
        claim, verdict, value, evidence, {"low": inc.low, "median": inc.median, "high": inc.high}
    )
