"""Errors the ledger raises on purpose.

Hierarchy::

    DprkwatchError
    └── InputError
        ├── LedgerValidationError   a curated data file breaks the schema: names file, line, problem
        └── EventSourceError        an event file (CNS, CSIS, OFAC history) cannot be imported
"""

from __future__ import annotations

from dprkwatch.exceptions import InputError


class LedgerValidationError(InputError):
    """A ledger data file has a row without a source, an impossible date, an unknown reference..."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        where: str | None = None,
        more: int = 0,
    ) -> None:
        if more:
            message = f"{message} (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message, source=source, where=where)
        self.more = more


class EventSourceError(InputError):
    """An event or designation file is unreadable or not in the expected layout."""
