"""Dates as precise as the record, and no more.

Many ledger facts are known only to the month ("March 2019: Key Resolve
ended") or the year. Writing them as ``2019-03-01`` would invent precision, so
the ledger stores a :class:`PartialDate` (``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``), checks it against the calendar, and sorts and filters it by
the first and last day it can mean.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@functools.total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2100:
            raise ValueError(f"year {self.year} is outside 1900-2100")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"impossible date: month {self.month:02d} does not exist")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"impossible date {self}: {calendar.month_name[self.month]} {self.year} "
                    f"has {last} days"
                )

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, a :class:`date` or a year int."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if not isinstance(value, str):
            raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        m = _PATTERN.match(value.strip())
        if not m:
            raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        y, mo, d = m.groups()
        return cls(int(y), int(mo) if mo else None, int(d) if d else None)

    def sort_key(self) -> tuple[date, date]:
        """Order by first possible day, then last: ``2018-06`` sorts before ``2018-06-12``."""
        return self.start(), self.end()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def is_exact(self) -> bool:
        return self.day is not None

    def start(self) -> date:
        """The first day this date can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    def end(self) -> date:
        """The last day this date can mean."""
        if self.day is not None and self.month is not None:
            return date(self.year, self.month, self.day)
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def quarter(self) -> str | None:
        """``YYYY-Qn``, or ``None`` when only the year is known."""
        if self.month is None:
            return None
        return f"{self.year}-Q{(self.month - 1) // 3 + 1}"

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def isoformat(self) -> str:
        """So JSON and CSV output print it like a date."""
        return str(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
            json_schema_input_schema=core_schema.str_schema(),
        )


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarters_between(first: date, last: date) -> list[str]:
    """Every ``YYYY-Qn`` label from the quarter of ``first`` to that of ``last``."""
    out: list[str] = []
    y, q = first.year, (first.month - 1) // 3 + 1
    end_y, end_q = last.year, (last.month - 1) // 3 + 1
    while (y, q) <= (end_y, end_q):
        out.append(f"{y}-Q{q}")
        q += 1
        if q == 5:
            y, q = y + 1, 1
    return out
