"""Turning source values into FtM property values without losing them silently.

FollowTheMoney drops a value it cannot clean (an unknown country name, a
malformed date). A screener must know when that happens, so the importers
add values through :func:`put`, which cleans first and records a builder
warning when the value had to be dropped. The date helpers turn the partial
and ranged birth dates that publishers write into the ISO prefixes FtM
stores ("1940", "1940-05", "1940-05-12").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from followthemoney import ValueEntity

from dprkwatch.lists.cleaning import PURE_TYPES, clean_value
from dprkwatch.lists.model import EntityBuilder

_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{4})\s*$")


def clean_text(value: object) -> str | None:
    """A string with runs of whitespace collapsed, or None when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# Country names publishers write that FtM does not recognise (UK list spellings).
COUNTRY_ALIASES = {
    "congo (democratic republic)": "cd",
    "occupied palestinian territories": "ps",
}


def put(
    b: EntityBuilder, entity: ValueEntity, prop: str, value: object, *, what: str | None = None
) -> bool:
    """Add ``value`` to ``prop``; warn (and return False) if FtM has to drop it.

    A property the schema lacks goes to ``notes`` (via the builder) rather
    than being lost. ``what`` names the source field in the warning.
    """
    text = clean_text(value)
    if text is None:
        return False
    prop_obj = entity.schema.get(prop)
    if prop_obj is None:
        b.add(entity, prop, text)
        return True
    type_name = prop_obj.type.name
    if type_name == "country":
        text = COUNTRY_ALIASES.get(text.lower(), text)
    if type_name in PURE_TYPES:
        # Cleaned once per distinct value (country names in particular are slow).
        cleaned = clean_value(type_name, text)
    else:
        cleaned = prop_obj.type.clean(text, proxy=entity)
    if cleaned is None:
        b.warn(f"{entity.id}: {what or prop} {text!r} not understood, dropped")
        return False
    entity.add(prop, cleaned, cleaned=True, quiet=True)
    return True


def iso_date(value: object) -> str | None:
    """An ISO date prefix from ``YYYY[-MM[-DD]]`` (time zones ignored), ``DD/MM/YYYY`` or
    ``DD Mon YYYY``. Zero day or month parts (``00/00/1975``) shorten the prefix."""
    text = clean_text(value)
    if text is None:
        return None
    m = _ISO.match(text)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
    else:
        dmy = _DMY.match(text)
        if dmy:
            day, month, year = dmy.group(1), dmy.group(2), dmy.group(3)
        else:
            named = _DAY_MONTH_YEAR.match(text)
            if not named:
                return None
            month_no = _MONTHS.get(named.group(2)[:3].lower())
            if month_no is None:
                return None
            day, month, year = named.group(1), str(month_no), named.group(3)
    return _prefix(year, month, day)


def _prefix(year: str, month: str | None, day: str | None) -> str | None:
    if not year or int(year) == 0:
        return None
    if not month or int(month) == 0:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if not day or int(day) == 0:
        return f"{year}-{int(month):02d}"
    if not 1 <= int(day) <= 31:
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"


def date_from_parts(year: object, month: object = None, day: object = None) -> str | None:
    """An ISO prefix from separate year/month/day values (strings or ints)."""
    y, m, d = (clean_text(v) for v in (year, month, day))
    if y is None or not y.isdigit():
        return None
    if m is not None and not m.isdigit():
        m = None
    if d is not None and not d.isdigit():
        d = None
    return _prefix(y, m, d)


def year_range(start: object, end: object) -> list[str]:
    """Every year from ``start`` to ``end`` inclusive (a ranged birth date).

    Ranges longer than 30 years are almost certainly data errors; only the
    end points are kept then.
    """
    a, z = clean_text(start), clean_text(end)
    if not (a and z and a.isdigit() and z.isdigit()):
        return [y for y in (a, z) if y and y.isdigit()]
    lo, hi = sorted((int(a), int(z)))
    if hi - lo > 30:
        return [str(lo), str(hi)]
    return [str(y) for y in range(lo, hi + 1)]


def join_parts(parts: Iterable[object], sep: str = ", ") -> str | None:
    """Non-empty parts joined in order, skipping a part equal to the one before."""
    out: list[str] = []
    for part in parts:
        text = clean_text(part)
        if text and (not out or out[-1].lower() != text.lower()):
            out.append(text)
    return sep.join(out) or None
