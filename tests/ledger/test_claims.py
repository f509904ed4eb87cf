"""Claims: every claim has an evaluator; verdicts follow the data; missing data gives 'pending'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pytest

from dprkwatch.ledger import (
    EVALUATORS,
    Inputs,
    LedgerValidationError,
    Verdict,
    evaluate_all,
    load_ledger,
)
from dprkwatch.ledger.model import Claim
from tests.ledger.factory import designation, inputs_with, launch

TODAY = date(2026, 11, 28)


@dataclass
class FakeInterval:
    low: float
    median: float
    high: float


class FakeArsenal:
    def __init__(self, interval: FakeInterval) -> None:
        self.interval = interval
        self.calls: list[tuple[str, str]] = []

    def increment(self, start: str, end: str) -> FakeInterval:
        self.calls.append((start, end))
        return self.interval


def _verdicts(
    inputs: Inputs, arsenal: FakeArsenal | None = None, only: Sequence[str] = ()
) -> dict[str, Verdict]:
    verdicts = evaluate_all(inputs.ledger, inputs, today=TODAY, arsenal=lambda: arsenal, only=only)
    return {v.claim.id: v for v in verdicts}


def test_every_claim_has_an_evaluator_and_every_evaluator_a_claim() -> None:
    ledger = load_ledger()
    assert {c.evaluator for c in ledger.claims} == set(EVALUATORS)
    assert len(ledger.claims) >= 13


def test_unknown_evaluator_is_a_clear_error() -> None:
    inputs = inputs_with()
    bogus = Claim(
        id="x",
        topic="t",
        restatement="r",
        source="klingner-2019-hill",
        evaluator="nope",
        as_of="2019-07-02",
    )  # type: ignore[arg-type]
    inputs.ledger.claims.append(bogus)
    try:
        with pytest.raises(LedgerValidationError, match="names evaluator 'nope'"):
            evaluate_all(inputs.ledger, inputs, today=TODAY, arsenal=lambda: None)
    finally:
        inputs.ledger.claims.remove(bogus)


def test_curated_claims_without_imported_data() -> None:
    v = _verdicts(inputs_with())
    assert v["un-resolutions-denuclearization"].verdict == "supported"
    assert v["un-resolutions-denuclearization"].data["binding"][0] == "unscr-1718"
    assert len(v["un-resolutions-denuclearization"].data["binding"]) == 10
    assert v["earlier-agreements"].data["agreements"].__len__() == 8
    assert v["detainees-released"].data["totals"]["obama"] == 9
    assert v["detainees-released"].verdict == "supported"
    assert v["remains-returned"].verdict == "supported"
    assert v["meetings-refused-after-singapore"].data["days"] == 221
    assert v["meetings-refused-after-hanoi"].data["meetings"] == 0
    assert v["exercises-cancelled"].data["count"] == 4
    # Data-dependent claims say so instead of guessing.
    assert v["test-moratoria"].verdict == "pending"
    assert v["tests-around-pause"].verdict == "pending"
    assert v["designations-around-singapore"].verdict == "pending"
    assert v["arsenal-since-singapore"].verdict == "pending"
    assert v["arsenal-since-singapore"].value == "pending: arsenal model not available"


def test_moratoria_and_pause_follow_the_launches() -> None:
    launches = [
        launch("1998-08-31", "SLV"),
        launch("2006-07-05", "SLV"),
        launch("2012-04-13", "SLV"),
        launch("2017-11-28", "ICBM"),
        launch("2019-05-04", "SRBM"),
        launch("2022-03-16", "ICBM"),
    ]
    v = _verdicts(inputs_with(launches))
    m = v["test-moratoria"]
    assert m.data["earlier_days"]["moratorium-2012-leap-day"] == 44
    assert m.data["current_days_at_claim"] == (date(2019, 7, 2) - date(2018, 4, 20)).days
    assert m.verdict == "partly supported"  # the nuclear-test pause is now the longest
    p = v["tests-around-pause"]
    assert p.verdict == "supported"
    assert p.data["launches_2018"] == 0
    assert p.data["counts"]["2017"]["icbm"] == 1

    early_icbm = _verdicts(inputs_with([*launches, launch("2019-01-10", "ICBM")]))
    assert early_icbm["tests-around-pause"].verdict == "not supported"


def test_designations_around_singapore() -> None:
    items = [designation("un", f"u{i}", "2017-09-11") for i in range(4)] + [
        designation("un", "late", "2019-01-10")
    ]
    v = _verdicts(inputs_with(designations=items))
    d = v["designations-around-singapore"]
    assert d.data["un"]["before"] == 4 and d.data["un"]["after"] == 1
    assert d.verdict == "supported"
    more_after = items + [designation("un", f"n{i}", "2018-12-01") for i in range(5)]
    assert (
        _verdicts(inputs_with(designations=more_after))["designations-around-singapore"].verdict
        == "not supported"
    )


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [
        (FakeInterval(5.0, 6.2, 7.5), "supported"),
        (FakeInterval(2.5, 4.0, 6.1), "partly supported"),
        (FakeInterval(0.5, 1.0, 2.0), "not supported"),
    ],
)
def test_arsenal_claim_uses_the_model(interval: FakeInterval, verdict: str) -> None:
    model = FakeArsenal(interval)
    v = _verdicts(inputs_with(), model, only=["arsenal-since-singapore"])
    assert v["arsenal-since-singapore"].verdict == verdict
    assert model.calls == [("2018-06-12", "2019-07-02")]
