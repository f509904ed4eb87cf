"""Dates on the model's time axis.

The model measures time in decimal years taken at the *end* of a day:
31 December 2017 is exactly 2018.0 and 1 January 2018 is 2018 + 1/365.
With that convention "end-2017 to end-2020" is exactly three years, so the
published recipes ("plus 12 a year for three years") come out exact, and a
stock "at" a date includes whatever happened on that day.

A date may be given as ``YYYY-MM-DD``, as ``YYYY-MM`` (the first of the
month, the way SIPRI dates its January estimates), as ``YYYY`` (the last day
of that year, the way "by 2020" is meant in the published recipes), as a
:class:`datetime.date`, or as the name of an event in the parameter file
(``singapore``, ``hanoi``...).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date
from fractions import Fraction

from dprkwatch.arsenal.exceptions import DateError

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

DateLike = str | date


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def exact_year(day: date) -> Fraction:
    """End of ``day`` as an exact decimal year (for deterministic arithmetic)."""
    return day.year + Fraction(day.timetuple().tm_yday, days_in_year(day.year))


def decimal_year(day: date) -> float:
    """End of ``day`` as a float decimal year (for the Monte Carlo engine)."""
    return float(exact_year(day))


def year_end(year: int) -> date:
    return date(year, 12, 31)


def event_key(name: str) -> str:
    """Normalise an event name: case and ``-``/``_``/space do not matter."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def parse_date(
    value: DateLike, *, events: Mapping[str, date] | None = None, what: str = "date"
) -> date:
    """Read one date; ``what`` names the argument in the error message."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if events:
        hit = events.get(event_key(text))
        if hit is not None:
            return hit
    try:
        if _YEAR.match(text):
            return year_end(int(text))
        month = _MONTH.match(text)
        if month:
            return date(int(month.group(1)), int(month.group(2)), 1)
        return date.fromisoformat(text)
    except ValueError:
        pass
    known = f"; known events: {', '.join(sorted(events))}" if events else ""
    raise DateError(
        f"cannot read {text!r}: expected YYYY-MM-DD, YYYY-MM, YYYY or an event name{known}",
        where=what,
    )
