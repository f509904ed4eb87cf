"""Which listed words a mistyped query word may be: a deletion-key vocabulary.

Blocking finds candidates through words a query shares with a listed name,
so a keying error in a rare word ("KORYOO BANK", "JSNG Chol") used to lose
the one word that could have found the right entity, and scoring never saw
it. Before blocking, the screener therefore asks this vocabulary (every
word of every listed name, before and after the organisation lexicon, plus
the lexicon's own words) what an unknown query word could have been.

The lookup uses *symmetric deletion keys* (the SymSpell idea): two words
within one edit (insertion, deletion, substitution or a swap of neighbours)
share a string obtained by deleting at most one letter from each; within
two edits, by deleting at most two. Every listed word is filed under
itself and its one-letter deletions, and words of nine letters or more
(which the scorer lets carry two slips) also under their two-letter
deletions. A query word looks up its own deletions the same way and the
few words found are checked with the true edit distance.

Keys are not kept as strings: each is a 64-bit linear hash of its letters
(position-dependent coefficients, the same in every process), computed for
all listed words at once with numpy, sorted, and searched with
``searchsorted``. About a million keys take 13 MB and a tenth of a second
to build; a hash collision only adds a candidate that the distance check
then drops. ``benchmarks/typo_retrieval.py`` compares this design with
character n-gram postings and a phonetic key on the same mistyped words.

A word's keys, their look-up, the distance check and the order are one C
call (``typo_near.c``) when the extension is built; otherwise Python's
integers, numpy and rapidfuzz find the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import OSA

from dprkwatch import native

EXTENSION_SOURCE: Final = Path(__file__).with_name("typo_near.c")

# Words this long or longer are filed under their two-letter deletions too
# (the scorer allows two slips from nine letters on).
TWO_EDITS_FROM: Final = 9
# Words of two letters are found (as deletions of three-letter ones) but
# have no deletions of their own: one letter matches too much.
MIN_FUZZY: Final = 3
# Longer words are rare, and their keys would be most of the table.
MAX_FUZZY: Final = 24
_MASK: Final = (1 << 64) - 1


def _coefficients(n: int) -> list[int]:
    """Fixed odd 64-bit multipliers per letter position (splitmix64 from a constant seed)."""
    out: list[int] = []
    state = 0x9E3779B97F4A7C15
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        out.append((z ^ (z >> 31)) | 1)
    return out


_COEF: Final = _coefficients(MAX_FUZZY)
_COEF_NP: Final = np.array(_COEF, dtype=np.uint64)
_COEF_ADDRESS: Final = int(_COEF_NP.ctypes.data)


def key_hash(text: str) -> int:
    """The 64-bit key of an ASCII string (as the numpy build computes it)."""
    h = 0
    for c, ch in zip(_COEF, text.encode("ascii"), strict=False):
        h += c * ch
    return h & _MASK


def _deletion_hashes(letters: NDArray[np.uint64], length: int) -> list[NDArray[np.uint64]]:
    """Keys of the words in the rows of ``letters``: the word, and its deletions.

    With a linear hash, deleting letter ``k`` shifts the coefficients of the
    letters after it by one place, so every key is a sum of at most three
    running sums (before the first deletion, between the two, after the
    second): no key is hashed letter by letter.
    """
    # shifted[s][:, j]: letter j times the coefficient of position j - s.
    shifted = [np.zeros_like(letters) for _ in range(3)]
    for s in range(min(3, length)):
        shifted[s][:, s:] = letters[:, s:] * _COEF_NP[: length - s]
    # cum[s][:, j]: sum of shifted[s] over columns < j (j = 0..length).
    cum = []
    for s in range(3):
        c = np.zeros((letters.shape[0], length + 1), dtype=np.uint64)
        np.cumsum(shifted[s], axis=1, dtype=np.uint64, out=c[:, 1:])
        cum.append(c)
    c0, c1, c2 = cum
    out = [c0[:, length]]
    if length >= MIN_FUZZY:
        for k in range(length):
            out.append(c0[:, k] + (c1[:, length] - c1[:, k + 1]))
    if length >= TWO_EDITS_FROM:
        for i, j in combinations(range(length), 2):
            out.append(c0[:, i] + (c1[:, j] - c1[:, i + 1]) + (c2[:, length] - c2[:, j + 1]))
    return out


def edit_budget(length: int) -> int:
    """Edits a word of this length may carry and still be found (the scorer's budget)."""
    return 2 if length >= TWO_EDITS_FROM else 1


class Vocabulary:
    """Listed words, and their one- and two-letter deletions as sorted 64-bit keys."""

    __slots__ = ("_addresses", "_hashes", "_ids", "counts", "memo", "words")

    def __init__(
        self,
        counts: dict[str, int],
        words: Sequence[str],
        hashes: NDArray[np.uint64],
        ids: NDArray[np.int32],
    ) -> None:
        # Word -> how many listed names use it (more use, more likely meant).
        self.counts = counts
        self.words = list(words)
        self._hashes = hashes
        self._ids = ids
        # Where the kernel finds the key table (the arrays live as long as this).
        self._addresses = (int(hashes.ctypes.data), int(ids.ctypes.data))
        # What query corrections worked out against this vocabulary, by kind
        # and word (:mod:`dprkwatch.matching.corrections`): it holds for this
        # vocabulary only, so it lives and goes with it.
        self.memo: dict[str, Any] = {}

    def __reduce__(self) -> tuple[type[Vocabulary], tuple[Any, ...]]:
        # Made anew on unpickling, so the kernel's addresses are of this process's arrays.
        return Vocabulary, (self.counts, self.words, self._hashes, self._ids)

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def count(self, word: str) -> int:
        return self.counts.get(word, 0)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def keys(self) -> int:
        return len(self._hashes)

    @property
    def nbytes(self) -> int:
        return int(self._hashes.nbytes + self._ids.nbytes)

    # -- building --------------------------------------------------------------

    @classmethod
    def build(cls, counts: Mapping[str, int]) -> Vocabulary:
        """File every ASCII word (lower-case letters and digits, not a number) under its
        deletion keys; ``counts`` says how many listed names use each word."""
        kept = {w: n for w, n in counts.items() if w.isascii() and w.isalnum() and not w.isdigit()}
        vocab = sorted(kept)
        by_length: dict[int, list[int]] = {}
        for i, w in enumerate(vocab):
            if len(w) <= MAX_FUZZY:
                by_length.setdefault(len(w), []).append(i)
        hash_parts: list[NDArray[np.uint64]] = []
        id_parts: list[NDArray[np.int32]] = []
        for length, members in by_length.items():
            ids = np.array(members, dtype=np.int32)
            letters = (
                np.frombuffer("".join(vocab[i] for i in members).encode("ascii"), dtype=np.uint8)
                .reshape(len(members), length)
                .astype(np.uint64)
            )
            for hashes in _deletion_hashes(letters, length):
                hash_parts.append(hashes)
                id_parts.append(ids)
        if hash_parts:
            all_hashes = np.concatenate(hash_parts)
            all_ids = np.concatenate(id_parts)
            order = np.argsort(all_hashes)
            return cls(kept, vocab, all_hashes[order], all_ids[order])
        return cls(kept, vocab, np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int32))

    # -- the index cache ---------------------------------------------------------

    def to_plain(self) -> tuple[list[str], list[int], bytes, bytes]:
        counts = [self.counts[w] for w in self.words]
        return self.words, counts, self._hashes.tobytes(), self._ids.tobytes()

    @classmethod
    def from_plain(cls, state: object) -> Vocabulary:
        """Back from :meth:`to_plain`; ValueError on anything malformed."""
        if not (isinstance(state, tuple) and len(state) == 4):
            raise ValueError("malformed vocabulary")
        words, counts, hashes, ids = state
        if not (
            isinstance(words, list)
            and isinstance(counts, list)
            and len(counts) == len(words)
            and isinstance(hashes, bytes)
            and isinstance(ids, bytes)
        ):
            raise ValueError("malformed vocabulary")
        h = np.frombuffer(hashes, dtype=np.uint64)
        i = np.frombuffer(ids, dtype=np.int32)
        if len(h) != len(i) or (len(i) and (int(i.min()) < 0 or int(i.max()) >= len(words))):
            raise ValueError("malformed vocabulary")
        return cls(dict(zip(words, counts, strict=True)), words, h, i)

    # -- lookup ------------------------------------------------------------------

    def near(self, word: str, budget: int | None = None) -> list[tuple[int, str]]:
        """Listed words within ``budget`` edits of ``word`` (default: by the longer one's length),
        as ``(distance, word)``, nearest and most used first; not the word itself."""
        return self.near_many([(word, budget)])[0]

    def near_many(
        self,
        asks: Sequence[tuple[str, int | None]],
        *,
        compiled: bool = True,
    ) -> list[list[tuple[int, str]]]:
        """:meth:`near` for several words at once.

        One C call per word when the extension is built and ``compiled``;
        otherwise one numpy search of the key table for all words, with the
        same answer.
        """
        extension = _extension() if compiled else None
        if extension is not None:
            # The extension reads the key table at these addresses: the arrays
            # live as long as this vocabulary.
            hashes_at, ids_at = self._addresses
            n_keys = len(self._ids)
            near = extension.near
            listed, used = self.words, self.counts
            out: list[list[tuple[int, str]]] = []
            for word, budget in asks:
                b = edit_budget(len(word)) if budget is None else budget
                out.append(
                    near(
                        hashes_at,
                        ids_at,
                        n_keys,
                        _COEF_ADDRESS,
                        listed,
                        used,
                        word,
                        b,
                        budget is None,
                    )
                )
            return out
        budgets: list[int] = []
        seen: list[set[int]] = []
        keys: list[int] = []
        owner: list[int] = []
        for k, (word, budget) in enumerate(asks):
            n = len(word)
            b = edit_budget(n) if budget is None else budget
            budgets.append(b)
            seen.append(set())
            if MIN_FUZZY <= n <= MAX_FUZZY and word.isascii():
                found = _variant_hashes(word, b)
                keys.extend(found)
                owner.extend([k] * len(found))
        if keys:
            wanted = np.array(keys, dtype=np.uint64)
            lo = np.searchsorted(self._hashes, wanted, side="left").tolist()
            hi = np.searchsorted(self._hashes, wanted, side="right").tolist()
            ids = self._ids
            for k, a, z in zip(owner, lo, hi, strict=True):
                if z > a:
                    seen[k].update(ids[a:z].tolist())
        words = self.words
        counts = self.counts
        result: list[list[tuple[int, str]]] = []
        for k, found_ids in enumerate(seen):
            word, budget = asks[k][0], budgets[k]
            by_length = asks[k][1] is None
            hits = []
            for i in found_ids:
                other = words[i]
                if other == word:
                    continue
                # A word one letter short of the two-slip length (CHOMMYOG)
                # may be a long listed word (CHONMYONG) with a letter lost
                # and one slip: its two-letter deletions meet the query's
                # one-letter ones, so the long word's budget applies.
                allowed = max(budget, edit_budget(len(other))) if by_length else budget
                d = OSA.distance(word, other, score_cutoff=allowed)
                if d <= allowed:
                    hits.append((d, -counts[other], other))
            hits.sort()
            result.append([(d, other) for d, _c, other in hits])
        return result


@cache
def _extension() -> Any:
    """The compiled ``near`` (``typo_near.c``), or None (not built, compiled code turned off)."""
    return native.extension(EXTENSION_SOURCE, "typo_near")


def _variant_hashes(word: str, budget: int) -> set[int]:
    """Keys of ``word`` and of its deletions (two at most with ``budget`` 2), by running sums."""
    n = len(word)
    b = word.encode("ascii")
    coef = _COEF
    # c[s][j]: sum over positions m < j of b[m] * coef[m - s] (m >= s).
    c: list[list[int]] = []
    for s in range(3):
        run = [0] * (n + 1)
        total = 0
        for m in range(n):
            if m >= s:
                total += b[m] * coef[m - s]
            run[m + 1] = total
        c.append(run)
    c0, c1, c2 = c
    out = {c0[n] & _MASK}
    for k in range(n):
        out.add((c0[k] + c1[n] - c1[k + 1]) & _MASK)
    if budget >= 2 and n >= 4:
        for i in range(n):
            for j in range(i + 1, n):
                out.add((c0[i] + c1[j] - c1[i + 1] + c2[n] - c2[j + 1]) & _MASK)
    return out
