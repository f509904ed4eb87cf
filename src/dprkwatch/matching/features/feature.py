"""The value every feature function returns, and the weights it may consult.

A feature says how far one aspect of a query and a listed entity agree
(:class:`Feature`: a value and a plain-English reason). Name features weigh
words and syllables by how informative they are on the loaded lists; the
index supplies those lookups (:class:`Weights`), so the feature functions
themselves hold no state and may be called from any thread.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from functools import partial
from typing import Final, NamedTuple


class Feature(NamedTuple):
    value: float
    reason: str


NONE: Final = Feature(0.0, "")
# new_feature((value, reason)) is Feature(value, reason) without the NamedTuple's
# __new__, a Python function: scoring makes some twenty features a query.
new_feature: Final = partial(tuple.__new__, Feature)


class Weights(NamedTuple):
    """Informativeness lookups supplied by the index."""

    token: Callable[[str], float]
    syllable: Callable[[str], float]
    unknown: Callable[[str], bool]
    # The mappings behind ``token`` and ``unknown``, if they are lookups:
    # ``token(w) == tables[0][w]`` and ``unknown(w) == (w not in tables[1])``;
    # ``tables[2]``, if a float, is what ``tables[0]`` gives a word it lacks.
    # The word comparison then reads them in C (features/name_align.c).
    tables: tuple[Mapping[str, float], Container[str], float | None] | None = None
