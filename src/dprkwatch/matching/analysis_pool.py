"""Analyse the distinct names of an index build, on two cores when that is safe.

Analysing some 63,000 distinct names (Korean syllable parses, transliteration,
phonetic keys) is most of a cold index build and needs no shared state, so
the build hands a share of them to a forked child process. The child starts
with every module and table already loaded (forking copies the parent),
analyses its share, and sends the forms back as plain :mod:`marshal` data
through a pipe while the parent analyses the rest.

Forking a process that runs other threads can deadlock the child (a lock
held by another thread is copied locked), so the child is only used when
this is the process's only thread, ``fork`` exists, there is more than one
CPU and enough names to repay the fork; otherwise, or if the child fails,
everything is analysed in this process. Either way the result is the same
list, in the same order.
"""

from __future__ import annotations

import marshal
import math
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from dprkwatch.forking import fork_is_safe
from dprkwatch.matching.analysis import (
    NameForm,
    PlainForm,
    analyze_name,
    form_from_plain,
    form_to_plain,
)
from dprkwatch.matching.syllables import Syllable

# One name to analyse: (text, schema group, Korean context).
NameKey = tuple[str, str, bool]
# What a name becomes: its forms, each with the keys it is filed under.
Analysed = tuple[tuple[NameForm, tuple[str, ...]], ...]
KeysOf = Callable[[NameForm], Iterable[str]]
T = TypeVar("T")

# Below this many names a fork costs more than it saves.
PARALLEL_MIN_NAMES = 4000
# Split by kind of name when people are this share of the names (else halves).
PEOPLE_SHARE = (0.35, 0.7)
# The work of one organisation or vessel name in the child, counted in person
# names: longer words, often Cyrillic or Arabic, the organisation lexicon, and
# the encoding of every answer for the pipe. Chosen so that both processes
# finish together on the four lists (CPU of the two shares at load 6-8:
# 3.3-3.9 s here and 3.5-4.0 s in the child; with every organisation in the
# child, 4.8-5.2 s here and 2.5-3.0 s there: the parent's share also pays
# the copy-on-write page faults the fork causes).
OTHER_COST = 1.9


def analyse_one(name: NameKey, keys: KeysOf) -> Analysed:
    return tuple((form, tuple(keys(form))) for form in analyze_name(*name))


def analyse_names(
    names: Sequence[NameKey], keys: KeysOf, *, parallel: bool | None = None
) -> list[Analysed]:
    """Every name analysed, in order; ``parallel=None`` decides by :func:`fork_is_safe` and size."""
    if parallel is None:
        parallel = len(names) >= PARALLEL_MIN_NAMES and fork_is_safe()
    if not parallel or len(names) < 2:
        return [analyse_one(name, keys) for name in names]
    mine, theirs = _partition(names)
    their_names = [names[i] for i in theirs]
    child = Forked(
        partial(_encode, their_names, keys),
        partial(_decode, expected=len(theirs)),
        partial(_analyse_all, their_names, keys),
    )
    out: list[Analysed] = [()] * len(names)
    try:
        for i in mine:
            out[i] = analyse_one(names[i], keys)
    except BaseException:
        child.cancel()
        raise
    for i, analysed in zip(theirs, child.result(), strict=True):
        out[i] = analysed
    return out


class Forked(Generic[T]):
    """``work()`` run in a forked child while this process goes on, its answer
    sent back through a pipe as :mod:`marshal` data.

    :meth:`result` waits for the child and gives ``decode(answer)``; when the
    child failed (killed, out of memory) or its answer does not decode
    (``decode`` gives None), ``fallback()`` does the work here instead. The
    caller decides whether forking is safe (:func:`fork_is_safe`).
    """

    def __init__(
        self,
        work: Callable[[], Any],
        decode: Callable[[bytes], T | None],
        fallback: Callable[[], T],
    ) -> None:
        self._decode = decode
        self._fallback = fallback
        ctx = multiprocessing.get_context("fork")
        self._reader, writer = ctx.Pipe(duplex=False)
        self._child = ctx.Process(target=_send, args=(work, writer), daemon=True)
        self._child.start()
        writer.close()

    def result(self) -> T:
        try:
            try:
                data: bytes | None = self._reader.recv_bytes()
            except (EOFError, OSError):
                data = None
            self._child.join()
        except BaseException:
            self.cancel()
            raise
        finally:
            self._reader.close()
        answer = self._decode(data) if data is not None and self._child.exitcode == 0 else None
        return self._fallback() if answer is None else answer

    def cancel(self) -> None:
        """Stop the child (this process failed while it worked)."""
        self._child.terminate()
        self._child.join()
        self._reader.close()


def _send(work: Callable[[], Any], conn: Connection) -> None:
    try:
        conn.send_bytes(marshal.dumps(work()))
    finally:
        conn.close()


def _analyse_all(names: Sequence[NameKey], keys: KeysOf) -> list[Analysed]:
    return [analyse_one(name, keys) for name in names]


def _partition(names: Sequence[NameKey]) -> tuple[list[int], list[int]]:
    """Which names the parent and the child analyse.

    People's names and organisation or vessel names share few words, so
    splitting by kind lets each process's word memos serve its own share
    (splitting the list in halves repeats the work on every common word in
    both: 20% more in all). The child, which also encodes its answer, takes
    the organisations and vessels, but only until it has half the work: on
    the four lists they are the larger half (about 58 % of the CPU with the
    encoding), and the build waits for the slower of the two processes, so
    the rest of them are analysed here. If the kinds are lopsided, halves.
    """
    people = [i for i, name in enumerate(names) if name[1] == "person"]
    if not PEOPLE_SHARE[0] <= len(people) / len(names) <= PEOPLE_SHARE[1]:
        half = len(names) // 2
        return list(range(half)), list(range(half, len(names)))
    others = [i for i, name in enumerate(names) if name[1] != "person"]
    half_work = (len(people) + OTHER_COST * len(others)) / 2
    theirs = others[: min(len(others), math.ceil(half_work / OTHER_COST))]
    if len(theirs) < len(others):
        kept = set(theirs)
        return [i for i in range(len(names)) if i not in kept], theirs
    return people, theirs


def _encode(
    names: Sequence[NameKey], keys: KeysOf
) -> list[tuple[tuple[PlainForm, tuple[str, ...]], ...]]:
    """The child's share, analysed, as plain data."""
    return [
        tuple((form_to_plain(form), form_keys) for form, form_keys in analyse_one(name, keys))
        for name in names
    ]


def _decode(data: bytes, expected: int) -> list[Analysed] | None:
    try:
        plain = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(plain, list) or len(plain) != expected:
        return None
    syllables: dict[tuple[str, ...], Syllable] = {}
    try:
        return [
            tuple((form_from_plain(f, syllables), form_keys) for f, form_keys in item)
            for item in plain
        ]
    except (TypeError, ValueError, IndexError):
        return None
