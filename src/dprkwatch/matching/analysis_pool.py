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
from multiprocessing.connection import Connection

from dprkwatch.forking import fork_is_safe
from dprkwatch.matching.analysis import NameForm, analyze_name, form_from_plain, form_to_plain
from dprkwatch.matching.syllables import Syllable

# One name to analyse: (text, schema group, Korean context).
NameKey = tuple[str, str, bool]
# What a name becomes: its forms, each with the keys it is filed under.
Analysed = tuple[tuple[NameForm, tuple[str, ...]], ...]
KeysOf = Callable[[NameForm], Iterable[str]]

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
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=([names[i] for i in theirs], keys, writer), daemon=True)
    child.start()
    writer.close()
    out: list[Analysed] = [()] * len(names)
    try:
        for i in mine:
            out[i] = analyse_one(names[i], keys)
        try:
            data: bytes | None = reader.recv_bytes()
        except (EOFError, OSError):
            data = None
        child.join()
    except BaseException:
        child.terminate()
        child.join()
        raise
    finally:
        reader.close()
    answers = _decode(data, len(theirs)) if data is not None and child.exitcode == 0 else None
    if answers is None:
        # The child failed (killed, out of memory): do its share here.
        answers = [analyse_one(names[i], keys) for i in theirs]
    for i, analysed in zip(theirs, answers, strict=True):
        out[i] = analysed
    return out


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


def _child(names: Sequence[NameKey], keys: KeysOf, conn: Connection) -> None:
    try:
        plain = [
            tuple((form_to_plain(form), form_keys) for form, form_keys in analyse_one(name, keys))
            for name in names
        ]
        conn.send_bytes(marshal.dumps(plain))
    finally:
        conn.close()


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
