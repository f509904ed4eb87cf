"""Posting lists packed into one array, and the blocking pre-score summed over them.

A query's blocking keys pull a few hundred name ids out of a dozen posting
lists, and each name's pre-score is the sum of the weights of the keys it
shares with the query. Summed in a Python dict that loop was 40% of a
screen; with every posting list a slice of one ``int32`` array the sums are
one ``bincount``. The array is also a tenth of the memory of 190,000 Python
lists and is written to the index cache as raw bytes.

The pre-scores are bit-for-bit those of the dict loop: each name's weights
are added in the same order (keys in the caller's order, common keys last).
The caller passes its keys in a fixed (sorted) order, so the sums do not
depend on the process; and :func:`top` breaks ties between equal pre-scores
by name number, so which names make a cut depends on the data alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from dprkwatch import native

# A key's place in the array: start << 32 | length, one int per key.
_SHIFT: Final = 32
_LENGTH: Final = (1 << _SHIFT) - 1
NIDS: Final = np.dtype("<i4")
_NEVER: Final = np.iinfo(np.int64).max

IntArray = NDArray[np.int32]
FloatArray = NDArray[np.float64]
# The pre-score and the cut in one C call (same answers as numpy; see the source).
KERNEL_SOURCE: Final = Path(__file__).with_name("prescore.c")
# A (sum, id) entry of the kernel's heap: a double and an int32, padded.
_ENTRY_BYTES: Final = 16


class Postings:
    """Blocking key -> ascending ids of the names filed under it (read-only)."""

    __slots__ = ("_base", "_local", "_size", "_where", "nids")

    def __init__(self, where: dict[str, int], nids: IntArray) -> None:
        self._where = where
        self.nids = nids
        # Where the array starts, for the kernel (it never moves: read-only).
        self._base = int(nids.ctypes.data)
        self._size = int(nids.max()) + 1 if len(nids) else 0
        # Per-thread scratch arrays for the pre-score (see prescore).
        self._local = threading.local()

    @classmethod
    def from_lists(cls, lists: Mapping[str, Sequence[int]]) -> Postings:
        where: dict[str, int] = {}
        start = 0
        for key, ids in lists.items():
            where[key] = start << _SHIFT | len(ids)
            start += len(ids)
        nids = np.fromiter(chain.from_iterable(lists.values()), dtype=NIDS, count=start)
        return cls(where, nids)

    @classmethod
    def from_names(cls, keys_of_names: Sequence[Sequence[str]]) -> Postings:
        """The posting lists of names numbered 0, 1, 2, ..., given the keys of each.

        The same as :meth:`from_lists` over ``{key: [ids of its names]}``
        with keys in the order they are first met (no name may repeat a
        key), but the grouping is one stable sort of key numbers, not a
        million list appends in the build's Python loop.
        """
        numbers: dict[str, int] = {}
        codes_of_names = [
            tuple([numbers.setdefault(key, len(numbers)) for key in keys]) for keys in keys_of_names
        ]
        return cls.from_codes(codes_of_names, list(numbers))

    @classmethod
    def from_codes(cls, codes_of_names: Sequence[Sequence[int]], keys: Sequence[str]) -> Postings:
        """:meth:`from_names` with each key given as its number in ``keys``.

        The index build numbers the keys as it analyses the names, where each
        key was just made, instead of looking up every key of every name again
        here. A key no name uses gets no posting list.
        """
        codes = np.fromiter(chain.from_iterable(codes_of_names), dtype=np.int64)
        sizes = np.fromiter(map(len, codes_of_names), dtype=np.int64, count=len(codes_of_names))
        owners = np.repeat(np.arange(len(codes_of_names), dtype=NIDS), sizes)
        nids = owners[np.argsort(codes, kind="stable")]
        lengths = np.bincount(codes, minlength=len(keys))
        starts = np.cumsum(lengths) - lengths
        packed: list[int] = (starts << _SHIFT | lengths).tolist()
        where = dict(zip(keys, packed, strict=True))
        if not bool(lengths.all()):
            where = {key: p for key, p in where.items() if p & _LENGTH}
        return cls(where, nids)

    # -- cache ---------------------------------------------------------------

    def to_plain(self) -> tuple[dict[str, int], bytes]:
        """Core Python types for the marshal index cache."""
        return self._where, self.nids.tobytes()

    @classmethod
    def from_plain(cls, state: Any) -> Postings:
        """Back from :meth:`to_plain`; ValueError/TypeError on anything malformed."""
        where, data = state
        if not isinstance(where, dict) or not isinstance(data, bytes) or len(data) % NIDS.itemsize:
            raise ValueError("malformed posting lists")
        nids = np.frombuffer(data, dtype=NIDS)
        packed = np.fromiter(where.values(), dtype=np.int64, count=len(where))
        if len(packed) and int(((packed >> _SHIFT) + (packed & _LENGTH)).max()) > len(nids):
            raise ValueError("posting lists point past their array")
        if len(nids) and (int(nids.min()) < 0):
            raise ValueError("negative name id in posting lists")
        return cls(where, nids)

    # -- mapping -------------------------------------------------------------

    def get(self, key: str) -> IntArray | None:
        packed = self._where.get(key)
        if packed is None:
            return None
        start = packed >> _SHIFT
        return self.nids[start : start + (packed & _LENGTH)]

    def __getitem__(self, key: str) -> IntArray:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Postings):
            return NotImplemented
        if self._where.keys() != other._where.keys():
            return False
        return all(np.array_equal(self[key], other[key]) for key in self._where)

    __hash__ = None  # type: ignore[assignment]

    # -- the pre-score -------------------------------------------------------

    def prescore(
        self, keys: Iterable[str], key_weight: Callable[[int], float], common: int
    ) -> tuple[IntArray, FloatArray]:
        """Names sharing a key with the query and their summed key weights.

        Returned in the order the names were first met. A key in more than
        ``common`` names only adds its weight to names already found through
        rarer keys; when there are none, the first common key supplies them.
        """
        nids = self.nids
        starts, lengths, weights, rare = self._split(keys, key_weight, common)
        ids: IntArray
        sums: FloatArray
        if rare:
            slices = [nids[s : s + n] for s, n in zip(starts[:rare], lengths[:rare], strict=True)]
            flat = np.concatenate(slices) if len(slices) > 1 else slices[0]
            ids, sums = self._sum(flat, np.repeat(np.array(weights[:rare]), lengths[:rare]))
        elif starts:
            ids = nids[starts[0] : starts[0] + lengths[0]].copy()
            sums = np.full(lengths[0], weights[0])
            rare = 1  # the first common key is used up
        else:
            return np.empty(0, dtype=NIDS), np.empty(0, dtype=np.float64)
        for k in range(rare, len(starts)):
            n = lengths[k]
            members = nids[starts[k] : starts[k] + n]
            at = np.searchsorted(members, ids)
            at[at == n] = 0
            sums[members[at] == ids] += weights[k]
        return ids, sums

    def _split(
        self, keys: Iterable[str], key_weight: Callable[[int], float], common: int
    ) -> tuple[list[int], list[int], list[float], int]:
        """Where the query's posting lists are, and their weights: the rare keys
        in the given order, then the common ones (in more than ``common`` names)
        in the given order, and how many are rare. Unknown keys are skipped."""
        where = self._where
        rare: list[tuple[int, int, float]] = []
        frequent: list[tuple[int, int, float]] = []
        for key in keys:
            packed = where.get(key)
            if packed is None:
                continue
            n = packed & _LENGTH
            (frequent if n > common else rare).append((packed >> _SHIFT, n, key_weight(n)))
        both = rare + frequent
        return [b[0] for b in both], [b[1] for b in both], [b[2] for b in both], len(rare)

    def best(
        self,
        keys: Iterable[str],
        key_weight: Callable[[int], float],
        common: int,
        n: int,
        prune_above: int = -1,
        share: float = 0.0,
        *,
        compiled: bool = True,
    ) -> list[tuple[int, float]]:
        """The ``n`` best names of :meth:`prescore`, as :func:`top` ranks them.

        With ``prune_above`` >= 0 and more names than that, names whose
        pre-score is below ``max * share * 0.5`` are dropped first. One C
        call (``prescore.c``, a CPython extension) when it is built and ``compiled``;
        otherwise numpy, with the same answer.
        """
        kernel = _kernel() if compiled else None
        if kernel is None:
            ids, sums = self.prescore(keys, key_weight, common)
            if 0 <= prune_above < len(ids):
                keep = sums >= float(sums.max()) * share * 0.5
                ids, sums = ids[keep], sums[keep]
            return top(ids, sums, n)
        ranked: list[tuple[int, float]] = kernel.best(
            self._where, self._base, keys if isinstance(keys, list) else list(keys), key_weight,
            common, self._kernel_scratch(n), prune_above, share, n,
        )  # fmt: skip
        return ranked

    def _kernel_scratch(self, n: int) -> tuple[int, int, int, int]:
        """Addresses of this thread's arrays for the kernel: totals, seen and found
        (a place per name) and the heap (``n`` places at least)."""
        held = getattr(self._local, "kernel", None)
        if held is None or len(held[3]) < n * _ENTRY_BYTES:
            size = max(self._size, 1)
            places = max(n, 128)
            held = self._local.kernel = (
                np.zeros(size),
                np.zeros(size, dtype=np.uint8),
                np.zeros(size, dtype=NIDS),
                np.zeros(places * _ENTRY_BYTES, dtype=np.uint8),
            )
            self._local.addresses = tuple(int(a.ctypes.data) for a in held)
        addresses: tuple[int, int, int, int] = self._local.addresses
        return addresses

    def _sum(self, flat: IntArray, weights: FloatArray) -> tuple[IntArray, FloatArray]:
        """Distinct ids of ``flat`` in first-seen order, with their weights summed.

        Uses two arrays over all names, kept per thread and cleaned after
        use: ``add.at`` adds each id's weights in input order (the dict
        loop's order, so the same sums), and ``minimum.at`` finds each id's
        first position, which keeps first-seen order without sorting.
        """
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = (
                np.zeros(self._size),
                np.full(self._size, _NEVER, dtype=np.int64),
            )
        totals, first = scratch
        try:
            np.add.at(totals, flat, weights)
            at = np.arange(len(flat))
            np.minimum.at(first, flat, at)
            ids = flat[first[flat] == at]
            return ids, totals[ids]
        finally:
            totals[flat] = 0.0
            first[flat] = _NEVER


@cache
def _kernel() -> Any:
    """The compiled pre-score (``prescore.c``), or None (not built, compiled code turned off)."""
    return native.extension(KERNEL_SOURCE, "prescore")


def top(ids: IntArray, sums: FloatArray, n: int) -> list[tuple[int, float]]:
    """The ``n`` best ``(id, sum)`` pairs: higher sum first, then lower id.

    A total order: names tied at the cut are chosen by number, not by the
    order they were met in (which follows the order of the query's keys).
    Every name tied with the ``n``-th survives the partition, so the cut
    among them is the same as a full sort's.
    """
    if len(ids) > 2 * n:
        kth = np.partition(sums, len(sums) - n)[len(sums) - n]
        keep = np.flatnonzero(sums >= kth)
        ids, sums = ids[keep], sums[keep]
    order = np.lexsort((ids, -sums))[:n]
    return list(zip(ids[order].tolist(), sums[order].tolist(), strict=True))
