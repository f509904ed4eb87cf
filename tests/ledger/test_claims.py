"""Claims: every claim has an evaluator and a quote; verdicts follow the data; two dates each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
from tests.ledger.factory import inputs_with, launch

TODAY = date(2026, 11, 28)
MADE = date(2019, 7, 2)


@dataclass
class FakeInterval:
    low: float
    median: float
    high: float


@dataclass
class FakeArsenal:
    """Stands in for the arsenal model: one interval per utilisation, calls recorded."""

    by_utilisation: dict[float, FakeInterval]
    utilisation: float = 0.8
    calls: list[tuple[str, str, float]] = field(default_factory=list)

    def with_overrides(self, overrides: dict[str, str | float | bool]) -> FakeArsenal:
        u = float(overrides["conversion.utilisation"])
        return FakeArsenal(self.by_utilisation, u, self.calls)

    def increment(self, start: str, end: str) -> FakeInterval:
        self.calls.append((start, end, self.utilisation))
        return self.by_utilisation[self.utilisation]

    def stock(self, when: str) -> FakeInterval:
        x = 20.0 if when < "2019" else 25.0
        return FakeInterval(x - 5, x, x + 5)


def _verdicts(
    inputs: Inputs, arsenal: FakeArsenal | None = None, only: Sequence[str] = ()
) -> dict[str, Verdict]:
    verdicts = evaluate_all(inputs.ledger, inputs, today=TODAY, arsenal=lambda: arsenal, only=only)
    return {v.claim.id: v for v in verdicts}


def test_every_claim_has_an_evaluator_and_every_evaluator_a_claim() -> None:
    ledger = load_ledger()
    assert {c.evaluator for c in ledger.claims} == set(EVALUATORS)
    assert len(ledger.claims) >= 20
    # The examples of claims the commentary does not make are gone.
    assert "tests-around-pause" not in {c.id for c in ledger.claims}


def test_unknown_evaluator_is_a_clear_error() -> None:
    inputs = inputs_with()
    bogus = Claim(
        id="x",
        topic="t",
        restatement="r",
        quote="q",
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


def test_each_claim_is_judged_at_the_time_and_today() -> None:
    v = _verdicts(inputs_with())
    for verdict in v.values():
        assert verdict.at_time.as_of == MADE
        assert verdict.today.as_of == TODAY
    res = v["un-resolutions-denuclearization"]
    assert res.at_time.verdict == "supported"
    assert res.at_time.data["binding"][0] == "unscr-1718"
    assert len(res.at_time.data["binding"]) == 10
    assert v["earlier-agreements"].at_time.data["agreements"].__len__() == 8
    assert v["detainees-released"].at_time.data["totals"]["obama"] == 9
    # Biden's release (2023) counts today, not at the time.
    assert "biden" not in v["detainees-released"].at_time.data["totals"]
    assert v["detainees-released"].today.data["totals"].get("biden") == 1


def test_refusals_are_tested_by_recorded_refusals() -> None:
    v = _verdicts(inputs_with())
    singapore = v["meetings-refused-after-singapore"].at_time
    assert "refusal-2018-07-12-panmunjom-no-show" in singapore.data["refusals"]
    assert singapore.data["days"] > 150
    # The remains talks of 2018-07-15 are humanitarian, not the working-level talks claimed.
    assert singapore.data["first"] != "talks-2018-07-15-general-officers"


def test_designations_claim_reads_the_ofac_series_not_other_lists() -> None:
    v = _verdicts(inputs_with())
    d = v["designations-around-singapore"].at_time
    assert d.verdict in {"supported", "partly supported", "not supported"}
    assert d.data["before"] > d.data["after"]
    # Only OFAC actions count: UN, EU and UK listings do not measure US enforcement.
    assert d.evidence and all(f.text.startswith("OFAC ") for f in d.evidence)
    assert d.data["actions_before"] >= 8 and d.data["actions_after"] >= 7


def test_designations_by_administration_are_lower_bounds_outside_the_complete_window() -> None:
    v = _verdicts(inputs_with())
    today = v["predecessors-not-fully-implementing"].today
    assert today.verdict == "pending"
    rates = today.data["by_administration"]
    # Only Trump's first term overlaps the complete window (2017-06-12..2019-06-11).
    assert rates["trump-45"]["years_of_complete_coverage"] == pytest.approx(2.0, abs=0.01)
    assert rates["biden"]["years_of_complete_coverage"] == 0
    assert rates["biden"]["designations_found"] > 0  # rows exist, but as a sample
    assert "biden: at least" in today.value and "2017-06-12 to 2019-06-11" in today.value
    inside = rates["trump-45"]["designations_in_complete_window"]
    assert 0 < inside <= rates["trump-45"]["designations_found"]


def test_moratoria_follow_the_launches() -> None:
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
    assert m.at_time.data["earlier_days"]["moratorium-2012-leap-day"] == 44
    assert m.at_time.data["current_holding"] is True
    assert m.at_time.verdict == "supported"  # 1999 pledge held 6.8 years, 2018 one 1.2
    assert m.today.data["current_holding"] is False  # broken in 2022
    assert m.today.verdict == "partly supported"  # the nuclear-test pause is now the longest


@pytest.mark.parametrize(
    ("material", "verdict"),
    [
        (FakeInterval(5.0, 6.2, 7.5), "supported"),
        (FakeInterval(3.1, 5.0, 7.6), "supported"),
        (FakeInterval(0.5, 1.0, 2.0), "not supported"),
    ],
)
def test_arsenal_claim_states_its_basis_and_shows_both(
    material: FakeInterval, verdict: str
) -> None:
    weapons = FakeInterval(material.low * 0.8, material.median * 0.8, material.high * 0.8)
    model = FakeArsenal({1.0: material, 0.8: weapons})
    v = _verdicts(inputs_with(), model, only=["arsenal-since-singapore"])
    today = v["arsenal-since-singapore"].today
    assert today.verdict == verdict
    assert today.data["material"]["utilisation"] == 1.0
    assert today.data["weapons"]["utilisation"] == 0.8
    assert "material basis" in today.value and "weapons basis" in today.value
    assert {u for _s, _e, u in model.calls} == {1.0, 0.8}
    # At the time the model is not evidence: its inputs were published later.
    at_time = v["arsenal-since-singapore"].at_time
    assert "model" not in at_time.value


def test_every_claim_quotes_the_commentary(shared_data: Path) -> None:
    """Only claims the commentary makes: each quote is found verbatim in its text."""
    seed = shared_data.parent / "seed"
    if not seed.is_dir():
        pytest.skip("commentary folder not present")
    text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in seed.glob("*.txt"))
    for claim in load_ledger().claims:
        assert " ".join(claim.quote.split()) in text, claim.id
