"""Compliance matrices: computed resolution cells, curated commitment rows."""

from __future__ import annotations

from datetime import date

from dprkwatch.ledger import Cell, TimelineEvent, commitment_rows, load_ledger, resolution_matrix
from dprkwatch.ledger.timeline import curated_events
from tests.ledger.factory import launch


def _cells(events: list[TimelineEvent]) -> dict[tuple[str, str], Cell]:
    ledger = load_ledger()
    matrix = resolution_matrix(ledger, events)
    return {(c.resolution, c.obligation): c for c in matrix.cells()}


def test_nuclear_test_after_adoption_breaks_the_obligation() -> None:
    ledger = load_ledger()
    cells = _cells(curated_events(ledger))
    c = cells[("unscr-1718", "no-nuclear-test")]
    assert c.status == "broken" and c.first is not None
    assert c.first.date == "2009-05-25" and c.first.ref == "nuclear-test-2"
    assert len(c.breaches) == 5  # tests 2..6 came after 2006-10-14
    # No test since 2017-09-03, so the two later resolutions are (so far) kept.
    assert cells[("unscr-2397", "no-nuclear-test")].status == "kept"


def test_standing_breach_before_adoption() -> None:
    cells = _cells(curated_events(load_ledger()))
    c = cells[("unscr-2397", "abandon-nuclear")]
    assert c.status == "broken" and c.first is not None
    assert c.first.standing and c.first.date == "2005-02-10"
    npt = cells[("unscr-825", "return-npt-safeguards")]
    assert npt.first is not None
    assert npt.first.date == "2002-12-27" and not npt.first.standing
    assert not npt.binding  # 825 only "calls upon"


def test_launch_checks_need_launch_data() -> None:
    ledger = load_ledger()
    without = resolution_matrix(ledger, curated_events(ledger))
    cell = {(c.resolution, c.obligation): c for c in without.cells()}[
        ("unscr-2397", "no-ballistic-launch")
    ]
    assert cell.status == "not-assessed"
    assert without.notes

    quiet = _cells([*curated_events(ledger), launch("2017-12-01", "ICBM")])
    assert quiet[("unscr-2397", "no-ballistic-launch")].status == "kept"
    loud = _cells(
        [*curated_events(ledger), launch("2017-12-01"), launch("2019-05-04"), launch("2019-05-09")]
    )
    c = loud[("unscr-2397", "no-ballistic-launch")]
    assert c.status == "broken" and c.first is not None
    assert c.first.date == "2019-05-04" and len(c.breaches) == 2


def test_date_filter_limits_rows() -> None:
    ledger = load_ledger()
    matrix = resolution_matrix(ledger, [], start=date(2017, 1, 1), end=date(2017, 12, 31))
    assert [r.id for r, _ in matrix.rows] == [
        "unscr-2356",
        "unscr-2371",
        "unscr-2375",
        "unscr-2397",
    ]


def test_commitment_rows_and_filters() -> None:
    ledger = load_ledger()
    rows = commitment_rows(ledger)
    assert len(rows) == sum(len(a.commitments) for a in ledger.agreements)
    kept = commitment_rows(ledger, status="kept", party="DPRK")
    assert {r.commitment for r in kept} >= {
        "initial-actions-2007/shutdown",
        "singapore-2018/remains-identified",
    }
    sohae = next(r for r in rows if r.commitment == "pyongyang-2018/sohae")
    assert sohae.status == "broken" and sohae.evidence_date == "2019-12-07"
