"""No hindsight: nothing an evaluator cites on a day is dated, or published, after that day.

This walks every evaluator and every finding mechanically, with the curated
ledger, launches before and after the day, and (when the shared data is
present) the real imported CNS, CSIS and OFAC files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dprkwatch.ledger import EVALUATORS, Assessment, evaluate_all, gather
from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.ingest import import_events
from tests.ledger.factory import inputs_with, launch
from tests.ledger.test_claims import FakeArsenal, FakeInterval

DAY = date(2019, 7, 2)


def _arsenal() -> FakeArsenal:
    return FakeArsenal({1.0: FakeInterval(4, 5, 7), 0.8: FakeInterval(3, 4, 6)})


def hindsight(a: Assessment) -> list[str]:
    """Every finding of ``a`` dated, or citing anything published, after ``a.as_of``."""
    problems = []
    for f in a.evidence:
        if not f.citations:
            problems.append(f"uncited finding: {f.text}")
        if f.date is not None and PartialDate.parse(f.date).start() > a.as_of:
            problems.append(f"finding dated {f.date}: {f.text}")
        for c in f.citations:
            if c.published > a.as_of:
                problems.append(f"citation published {c.date} ({c.id}) for: {f.text}")
    return problems


def _check(inputs_today: date, inputs: object) -> None:
    verdicts = evaluate_all(
        inputs.ledger,  # type: ignore[attr-defined]
        inputs,  # type: ignore[arg-type]
        today=inputs_today,
        arsenal=_arsenal,
    )
    assert {v.claim.evaluator for v in verdicts} == set(EVALUATORS)
    for v in verdicts:
        assert v.at_time.as_of <= DAY
        assert hindsight(v.at_time) == [], v.claim.id
        if inputs_today <= DAY:
            assert hindsight(v.today) == [], v.claim.id


def test_claims_on_the_day_cite_nothing_later_curated_and_launches() -> None:
    launches = [
        launch(d, t)
        for d, t in [
            ("2017-11-28", "ICBM"),
            ("2019-05-04", "SRBM"),
            ("2019-07-25", "SRBM"),
            ("2022-03-24", "ICBM"),
        ]
    ]
    _check(DAY, inputs_with(launches))


def test_at_the_time_cites_nothing_later_even_when_today_is_now() -> None:
    _check(date(2026, 12, 6), inputs_with([launch("2022-03-24", "ICBM")]))


def test_later_rows_are_invisible_on_the_day() -> None:
    inputs = inputs_with([launch("2022-03-24", "ICBM")])
    view, withheld = inputs.as_of(DAY)
    ids = {e.id for e in view.events}
    assert "statement-2022-09-08-nuclear-law" not in ids
    assert "test-2022-03-24-1" not in ids
    assert all(e.start <= DAY for e in view.events)
    # A moratorium renounced later is still standing on the day.
    current = max(view.ledger.moratoria, key=lambda m: m.announced.start())
    assert current.renounced is None
    # Commitments broken only later are not broken yet.
    singapore = next(a for a in view.ledger.agreements if a.id == "singapore-2018")
    assert all(c.status.value != "broken" or c.since() <= DAY for c in singapore.commitments)
    assert isinstance(len(withheld), int)


@pytest.mark.shared_data
def test_claims_on_the_day_with_the_real_imported_data(tmp_path: Path, shared_data: Path) -> None:
    folders = [p for p in (shared_data / "dprk", shared_data / "ofac" / "derived") if p.is_dir()]
    import_events(tmp_path, folders)
    inputs = gather(tmp_path)
    assert inputs.has_launches
    _check(DAY, inputs)
