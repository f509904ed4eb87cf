"""Errors raised while resolving listings into targets or recording judgements.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   └── JudgementError          a judgement cannot be recorded (unknown id, bad value)
    │       └── ContradictoryJudgement  it contradicts earlier ones (A=B, B=C, A≠C)
    ├── NotFoundError
    │   └── NotResolved             no resolution has been run in this data directory
    └── ResolutionError             the stored resolution state is unreadable
"""

from __future__ import annotations

from dprkwatch.exceptions import DprkwatchError, InputError, NotFoundError


class JudgementError(InputError):
    """A judgement names an unknown entity, an unknown decision, or the same id twice."""


class ContradictoryJudgement(JudgementError):
    """Recording the judgement would make the human decisions contradict each other."""

    def __init__(self, message: str, ids: tuple[str, str, str]) -> None:
        super().__init__(message, where="judgement")
        self.ids = ids


class NotResolved(NotFoundError):
    """Nothing has been resolved yet: run ``dprkwatch resolve run`` first."""


class ResolutionError(DprkwatchError):
    """A stored resolution or judgement file cannot be read."""
