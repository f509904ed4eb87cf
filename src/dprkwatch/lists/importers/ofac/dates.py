"""OFAC's date phrases as FollowTheMoney date prefixes.

The Remarks field writes dates for people: ``15 Jun 1962``, ``Jun 1962``,
``1962``, ``circa 1955``, ``1955 to 1958``, ``01 Jan 1958 to 31 Dec 1960``,
``circa 1955-1958``. FtM dates are ISO prefixes, so a date is kept only to
the precision the publisher gave, an approximate date becomes its year, and a
range becomes every year it spans (a screener must hit any of them; FtM has
no range type).
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip

# A range longer than this is a data error, not a birth-year uncertainty.
MAX_RANGE_YEARS = 30

_APPROX = re.compile(r"^(?:circa|approximately|approx\.?|about|ca\.)\s+", re.IGNORECASE)
_RANGE = re.compile(r"\s+to\s+|\s*-\s*(?=\d{4}$)|\s+and\s+", re.IGNORECASE)
_BETWEEN = re.compile(r"^between\s+", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_point(text: str) -> str | None:
    """One date (``15 Jun 1962``, ``Jun 1962``, ``1962``) as an ISO prefix, or None."""
    text = text.strip().rstrip(".").strip()
    m = _YEAR.match(text)
    if m:
        return m.group(1)
    m = _MONTH_YEAR.match(text)
    if m:
        month = MONTHS.get(m.group(1).lower())
        return f"{m.group(2)}-{month:02d}" if month else None
    m = _DAY_MONTH_YEAR.match(text)
    if m:
        month = MONTHS.get(m.group(2).lower())
        if month is None:
            return None
        try:
            return date(int(m.group(3)), month, int(m.group(1))).isoformat()
        except ValueError:
            return None
    return None


def parse_dates(text: str) -> list[str] | None:
    """All ISO prefixes a date phrase stands for, or None when it cannot be read."""
    text = text.strip().rstrip(".").strip()
    approx = bool(_APPROX.match(text))
    text = _BETWEEN.sub("", _APPROX.sub("", text))
    parts = _RANGE.split(text)
    if len(parts) == 1:
        point = parse_point(text)
        if point is None:
            return None
        return [point[:4] if approx else point]
    if len(parts) != 2:
        return None
    start, end = (parse_point(p) for p in parts)
    if start is None or end is None or end < start:
        return None
    if start == end:
        return [start[:4] if approx else start]
    if not approx and start[:7] == end[:7] and len(start) >= 7:
        return [start[:7]]
    first, last = int(start[:4]), int(end[:4])
    if last - first > MAX_RANGE_YEARS:
        return None
    return [str(year) for year in range(first, last + 1)]
