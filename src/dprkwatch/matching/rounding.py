"""``round(x, digits)`` for scores, the same float, without its decimal string.

Python's ``round(x, 4)`` writes ``x`` as a correctly rounded decimal string
and reads it back (``_Py_dg_dtoa``, ``snprintf``, ``_Py_dg_strtod``): some
2,500 machine instructions a call, and a query's corrections and scores
round about eighteen times. :func:`rounded` gives the same float:

* ``round`` returns the float nearest to ``n / 10**digits``, with ``n`` the
  integer nearest to the exact ``x * 10**digits`` (ties to even). Both ``n``
  and ``10**digits`` are exact floats here, and IEEE division is correctly
  rounded, so ``n / 10**digits`` is that same float;
* the product ``y = x * 10**digits`` is within half a unit in its last
  place of the exact one: below 1e9 that is less than 1.2e-7, so when ``y``'s
  fraction is farther than 1e-6 from one half, ``y`` and the exact product
  round to the same ``n``.

Anything else (a fraction near one half, zero, negative, large, not a
number) goes to ``round`` itself. tests/matching/test_rounding.py compares
the two on many floats, halves and their neighbours included.
"""

from __future__ import annotations

from typing import Final

# Below this a product's rounding error is under 1.2e-7 (half of 2**-23).
# (Final: compiled code uses the numbers themselves, not module globals.)
_EXACT_BELOW: Final = 1e9
_NEAR_HALF: Final = 1e-6


def rounded(x: float, digits: int) -> float:
    """``round(x, digits)`` for ``0 <= digits <= 4``."""
    scale = 10000.0 if digits == 4 else 1000.0 if digits == 3 else 10.0**digits
    y = x * scale
    if 0.0 < y < _EXACT_BELOW:
        whole = float(int(y))
        part = y - whole
        if part < 0.5 - _NEAR_HALF:
            return whole / scale
        if part > 0.5 + _NEAR_HALF:
            return (whole + 1.0) / scale
    return round(x, digits)
