"""Errors the roadmap raises on purpose.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   └── RoadmapValidationError   a roadmap data file (or a user's proposal file) that
    │                                cannot be used: names the file, the line and the problem
    └── NotFoundError
        └── UnknownRoadmapItem       no proposal, definition or asset by that id
"""

from __future__ import annotations

from dprkwatch.exceptions import InputError, NotFoundError


class RoadmapValidationError(InputError):
    """An unknown asset or resolution, phases that cannot follow each other, a bad field..."""

    def __init__(
        self, message: str, *, source: str | None = None, where: str | None = None, more: int = 0
    ) -> None:
        if more:
            message = f"{message} (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message, source=source, where=where)
        self.more = more


class UnknownRoadmapItem(NotFoundError):
    """A proposal, definition or asset asked for by an id that does not exist."""
