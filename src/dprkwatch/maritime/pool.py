"""Arrays handed from one day of a run to the next, instead of fresh memory every day.

A day of 20 million positions over a week is about three million rows, so
every column a day needs is tens of megabytes. Fresh memory of that size
comes from the kernel, which zeroes it page by page as it is first written:
on the 2-core benchmark machine that cost about as much CPU as the pass that
wrote it. The day's sort and the track kernel therefore write into the
arrays of an earlier day once nothing holds those any more.

Polars wraps a numeric numpy array without copying and keeps a reference
to it (to the view handed out, which refers to the pooled array) while any
frame uses it; so an array is free exactly when its reference count shows
that the pool is its one holder (CPython). An array still held is never
reused: the caller then gets another one, and the pool grows to as many
arrays per name as days are in flight at once (three in ``detect --input``:
one detected, one waiting, one being sorted). One pool per run; nothing
is returned to the pool, and it holds its arrays until it is dropped.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["ArrayPool"]


class ArrayPool:
    """Arrays by name (a column), reused once no one else holds them."""

    HEADROOM = 1.1
    """Arrays are made this much longer than the day that needs them (days differ a little)."""

    def __init__(self) -> None:
        self._kept: dict[str, list[np.ndarray]] = {}
        self._lock = threading.Lock()

    def take(self, name: str, n: int, dtype: type[np.generic]) -> np.ndarray:
        """An array of ``n`` elements of ``dtype`` (contents undefined) for the column ``name``.

        A view of a pooled array: it stays out of the pool's hands while the
        view, or anything made from it without a copy, is alive.
        """
        want = np.dtype(dtype)
        with self._lock:
            kept = self._kept.setdefault(name, [])
            for array in kept:
                # Free when held only by the list, by ``array`` and by getrefcount's argument.
                if array.dtype == want and len(array) >= n and sys.getrefcount(array) <= 3:
                    return array[:n]
            array = np.empty(int(n * self.HEADROOM) + 1, dtype=want)
            kept.append(array)
            return array[:n]

    def held(self, name: str) -> int:
        """How many arrays the pool keeps for ``name`` (in use or not)."""
        with self._lock:
            return len(self._kept.get(name, []))
