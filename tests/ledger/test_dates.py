"""PartialDate: calendar checks, precision, bounds and quarters."""

from __future__ import annotations

from datetime import date

import pytest

from dprkwatch.ledger.dates import PartialDate, quarter_of, quarters_between


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2018-06-12", date(2018, 6, 12), date(2018, 6, 12), "day"),
        ("2019-03", date(2019, 3, 1), date(2019, 3, 31), "month"),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29), "month"),
        ("1993", date(1993, 1, 1), date(1993, 12, 31), "year"),
    ],
)
def test_bounds_follow_precision(text: str, start: date, end: date, precision: str) -> None:
    pd = PartialDate.parse(text)
    assert (pd.start(), pd.end(), pd.precision) == (start, end, precision)
    assert str(pd) == text


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2018-02-30", "February 2018 has 28 days"),
        ("2019-02-29", "February 2019 has 28 days"),
        ("2018-13", "month 13 does not exist"),
        ("18-06-12", "expected a date"),
        ("2018/06/12", "expected a date"),
        ("1850-01-01", "outside 1900-2100"),
    ],
)
def test_impossible_dates_are_rejected_with_reason(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        PartialDate.parse(text)


def test_leap_day_is_accepted() -> None:
    assert PartialDate.parse("2012-02-29").end() == date(2012, 2, 29)


def test_ordering_and_quarters() -> None:
    assert PartialDate.parse("2018-06") < PartialDate.parse("2018-06-12")
    assert PartialDate.parse("2018-06-12").quarter() == "2018-Q2"
    assert PartialDate.parse("2018").quarter() is None
    assert quarter_of(date(2019, 10, 1)) == "2019-Q4"
    assert quarters_between(date(2017, 11, 5), date(2018, 4, 1)) == [
        "2017-Q4",
        "2018-Q1",
        "2018-Q2",
    ]
