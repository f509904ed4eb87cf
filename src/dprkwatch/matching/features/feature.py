"""The value every feature function returns, and the weights it may consult.

A feature says how far one aspect of a query and a listed entity agree
(:class:`Feature`: a value and a plain-English reason). Name features weigh
words and syllables by how informative they are on the loaded lists; the
index supplies those lookups (:class:`Weights`), so the feature functions
themselves hold no state and may be called from any thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Feature(NamedTuple):
    value: float
    reason: str


NONE = Feature(0.0, "")


class Weights(NamedTuple):
    """Informativeness lookups supplied by the index."""

    token: Callable[[str], float]
    syllable: Callable[[str], float]
    unknown: Callable[[str], bool]
