"""Deterministic scenarios reproduce the published arithmetic exactly."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from dprkwatch.arsenal import DateError, ParameterError, UnknownScenario, load_scenarios

BOOK = load_scenarios()


@pytest.mark.parametrize(
    ("scenario", "when", "low", "high"),
    [
        # RAND/Asan 2021: 30-60 in 2017, +1-2 Pu weapons by 2020, then +12 or +18 a year.
        ("rand-asan-2021", "2020-12-31", 67, 116),
        ("rand-asan-2021", "2027-12-31", 151, 242),
        ("rand-asan-2021", "2017-12-31", 30, 60),
        # Halfway through 2018... no: at end-2018 one year of growth and a third of the lump.
        ("rand-asan-2021", "2018-12-31", Fraction(127, 3), Fraction(236, 3)),
        # ISIS 2017: 13-30 at end-2016, +3-5 a year.
        ("isis-2017", "2020-12-31", 25, 50),
        ("isis-2017", "2018-12-31", 19, 40),
        # Hecker 2019: about 30 in 2017, +5-7 in 2018.
        ("hecker-2019", "2018-12-31", 35, 37),
        ("hecker-2019", "2025-12-31", 35, 37),  # a lump stops growing after its end
    ],
)
def test_published_tables_are_reproduced_exactly(
    scenario: str, when: str, low: Fraction, high: Fraction
) -> None:
    lo, hi = BOOK.get(scenario).exact(date.fromisoformat(when))
    assert (lo, hi) == (low, high)


def test_every_shipped_scenario_checks_out() -> None:
    rows = [row for s in BOOK for row in s.check()]
    assert len(rows) >= 5
    assert all(row.reproduced for row in rows), [r.to_dict() for r in rows if not r.reproduced]
    assert {s.id for s in BOOK} >= {"rand-asan-2021", "isis-2017", "hecker-2019"}


def test_stock_and_increment_intervals() -> None:
    rand = BOOK.get("RAND-Asan-2021")  # names are case-insensitive
    iv = rand.stock(date(2020, 12, 31))
    assert (iv.low, iv.median, iv.high) == (67, 91.5, 116)
    assert iv.method == "scenario:rand-asan-2021"
    inc = rand.increment(date(2020, 12, 31), date(2027, 12, 31))
    assert (inc.low, inc.high) == (84, 126)
    with pytest.raises(DateError, match="before start"):
        rand.increment(date(2021, 1, 1), date(2020, 1, 1))
    with pytest.raises(DateError, match="starts at 2017-12-31"):
        rand.stock(date(2016, 1, 1))
    with pytest.raises(UnknownScenario, match="known: hecker-2019"):
        BOOK.get("sipri-2099")


def test_a_partial_year_is_prorated_on_the_day_axis() -> None:
    isis = BOOK.get("isis-2017")
    lo, hi = isis.exact(date(2017, 7, 2))  # day 183 of 365
    assert lo == 13 + 3 * Fraction(183, 365)
    assert hi == 30 + 5 * Fraction(183, 365)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "base: {date: 2017-12-31, low: 60, high: 30}",
            "scenarios.x.base: low (60) is above high (30)",
        ),
        (
            "base: {date: 2017-12-31, low: 1, high: 2}\n    steps:\n      - "
            "{label: s, kind: lump, from: 2018-01-01, low: 1, high: 2}",
            "a lump needs 'to' after 'from'",
        ),
        (
            "base: {date: 2017-12-31, low: 1, high: 2}\n    steps:\n      - "
            "{label: s, kind: rate, from: 2016-01-01, low: 1, high: 2}",
            "starts before the base date",
        ),
        ("base: {date: 2017-12-31, low: -1, high: 2}", "scenarios.x.base.low"),
    ],
)
def test_bad_scenario_files(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "sc.yaml"
    path.write_text(
        "schema: dprkwatch.arsenal.scenarios/1\nscenarios:\n  x:\n    title: t\n"
        "    source: {publication: p, date: '2020'}\n    " + body + "\n",
        "utf-8",
    )
    with pytest.raises(ParameterError) as info:
        load_scenarios(path)
    assert message in str(info.value)
    assert str(info.value).startswith("sc.yaml:")


def test_answers_past_the_publications_last_figure_are_flagged_extrapolated() -> None:
    book = load_scenarios()
    isis = book.get("isis-2017")  # published figures end at 2020-12-31
    assert isis.horizon == date(2020, 12, 31)
    assert not isis.stock(date(2020, 12, 31)).extrapolated
    assert isis.stock(date(2021, 1, 1)).extrapolated
    assert isis.increment(date(2017, 1, 1), date(2020, 6, 30)).extrapolated is False
    assert isis.increment(date(2017, 1, 1), date(2022, 6, 30)).extrapolated is True
    # A scenario the file marks as extrapolated by construction is flagged from its base on.
    isis_2023 = book.get("isis-2023")
    assert isis_2023.spec.extrapolation and isis_2023.horizon == date(2022, 12, 31)
    assert isis_2023.stock(date(2024, 12, 31)).to_dict()["extrapolated"] is True
    for s in book:
        assert s.to_dict()["horizon"] == s.horizon.isoformat()
        assert not s.stock(s.horizon).extrapolated
