"""The machinery of claim checking: findings, assessments, verdicts, the registry.

Each claim of ``claims.yaml`` names an evaluator registered with
:func:`evaluator`. An evaluator answers for **one day**: it receives a
:class:`ClaimContext` whose ledger, events and designations were cut back
to what could be cited on that day (:mod:`dprkwatch.ledger.asof`), and
returns an :class:`Assessment` — a verdict, the computed value, and
:class:`Finding` items, each with the citations that support it.

:func:`evaluate_all` runs every evaluator twice: *at the time* (the day the
commentary made the claim) and *today* (or ``--today``). Because the
context an evaluator sees has already been filtered, an evaluator cannot
use hindsight by accident; ``tests/ledger/test_claims_asof.py`` checks
mechanically that no finding of any evaluator is dated, or cites anything
published, after the day it answers for.

Verdicts: ``supported``, ``partly supported``, ``not supported``,
``pending`` (the data to decide is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from dprkwatch.ledger.asof import Withheld
from dprkwatch.ledger.citations import Citation
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.exceptions import LedgerValidationError
from dprkwatch.ledger.inputs import Inputs
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Claim, Sourced

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
    """What the arsenal claims need of :class:`dprkwatch.arsenal.ArsenalModel`."""

    def increment(self, start: str, end: str) -> IntervalLike: ...
    def stock(self, when: str) -> IntervalLike: ...
    def with_overrides(self, overrides: dict[str, str | float | bool]) -> ArsenalLike: ...


ArsenalFactory = Callable[[], ArsenalLike | None]


@dataclass(frozen=True)
class Finding:
    """One piece of evidence: what, when, and who says so."""

    text: str
    date: str | None
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "date": self.date,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass
class Assessment:
    """A claim judged on one day, with the evidence citable on that day."""

    as_of: date
    verdict: str
    value: str
    evidence: list[Finding] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    withheld: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "verdict": self.verdict,
            "value": self.value,
            "evidence": [f.to_dict() for f in self.evidence],
            "withheld": self.withheld,
            "data": self.data,
        }


@dataclass
class Verdict:
    """A claim with its two assessments: at the time it was made, and today."""

    claim: Claim
    at_time: Assessment
    today: Assessment

    @property
    def verdict(self) -> str:
        return self.today.verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "topic": self.claim.topic,
            "claim": self.claim.restatement,
            "quote": self.claim.quote,
            "made": str(self.claim.as_of),
            "at_time": self.at_time.to_dict(),
            "today": self.today.to_dict(),
        }


@dataclass
class ClaimContext:
    """What an evaluator may see: everything citable on ``day``, nothing later."""

    inputs: Inputs
    day: date
    withheld: Withheld
    arsenal: ArsenalFactory

    @property
    def ledger(self) -> Ledger:
        return self.inputs.ledger

    @property
    def events(self) -> list[TimelineEvent]:
        return self.inputs.events

    def cite(self, rec: Sourced) -> tuple[Citation, ...]:
        return self.ledger.cite(rec.sources)

    def finding(self, text: str, when: object, rec: Sourced) -> Finding:
        """A finding about a curated row, cited with that row's sources."""
        return Finding(text, str(when) if when is not None else None, self.cite(rec))

    def event_finding(self, e: TimelineEvent, text: str | None = None) -> Finding:
        return Finding(text or f"{e.date}: {e.title}", str(e.date), e.citations)

    def assess(
        self,
        verdict: str,
        value: str,
        evidence: Iterable[Finding] = (),
        data: dict[str, Any] | None = None,
    ) -> Assessment:
        return Assessment(
            self.day, verdict, value, list(evidence), dict(data or {}), len(self.withheld)
        )

    def pending(self, why: str, evidence: Iterable[Finding] = ()) -> Assessment:
        return self.assess(PENDING, why, evidence)


Evaluator = Callable[[Claim, ClaimContext], Assessment]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(name: str) -> Callable[[Evaluator], Evaluator]:
    def deco(fn: Evaluator) -> Evaluator:
        EVALUATORS[name] = fn
        return fn

    return deco


def evaluate_all(
    ledger: Ledger,
    inputs: Inputs,
    *,
    today: date,
    arsenal: ArsenalFactory,
    only: Sequence[str] = (),
) -> list[Verdict]:
    """A verdict for every claim in the ledger (or those with ids in ``only``).

    Each claim is assessed at the date it was made and at ``today``; each
    assessment sees only what was citable on its day. ``arsenal`` builds the
    arsenal model on first use (the CLI and the service pass
    :func:`dprkwatch.arsenal.load_model` or their cached model); it is
    injected so the ledger does not depend on the arsenal package.
    """
    views: dict[date, ClaimContext] = {}

    def context(day: date) -> ClaimContext:
        if day not in views:
            view, withheld = inputs.as_of(day)
            views[day] = ClaimContext(view, day, withheld, arsenal)
        return views[day]

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
        made = min(claim.as_of.end(), today)
        out.append(Verdict(claim, fn(claim, context(made)), fn(claim, context(today))))
    return out
