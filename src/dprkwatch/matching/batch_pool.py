"""Screening many queries, in order, with forked worker processes when that is safe.

Workers are forked from this process so that they share the index already
in memory instead of rebuilding it, and they inherit the queries too: only
chunk offsets travel to them. Forking a process that runs other threads can
deadlock the child (a lock held by another thread is copied locked), so the
pool is used only when :func:`dprkwatch.forking.fork_is_safe` says so; a
progress display that redraws from its own thread therefore means
screening in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence

from dprkwatch.forking import fork_is_safe
from dprkwatch.matching.query import Query, Scope
from dprkwatch.matching.result import Match
from dprkwatch.matching.screener import Screener

# Below this many queries a worker pool costs more than it saves.
PARALLEL_MIN_ROWS = 2000
_CHUNK = 500

# Set in each forked worker by its initializer (never in the parent): what
# that worker screens. The parent's screener and queries arrive by fork.
_WORKER: tuple[Screener, Sequence[Query], int, float | None, Scope | None] | None = None


def _init_worker(state: tuple[Screener, Sequence[Query], int, float | None, Scope | None]) -> None:
    global _WORKER
    _WORKER = state
    # Screening makes no reference cycles (tests/matching/test_batch.py holds
    # it to that), so the cyclic garbage collector of a worker only walks the
    # objects every query allocates, finds nothing, and copies the pages of
    # the parent's objects it touches: about 8 % of a worker's CPU. A worker
    # lives for one batch; refcounting frees all it makes.
    gc.disable()


def _screen_chunk(start: int) -> list[list[Match]]:
    assert _WORKER is not None
    screener, queries, top, threshold, scope = _WORKER
    return [
        screener.screen(q, top=top, threshold=threshold, scope=scope)
        for q in queries[start : start + _CHUNK]
    ]


def screen_queries(
    screener: Screener,
    queries: Sequence[Query],
    *,
    top: int = 5,
    threshold: float | None = None,
    scope: Scope | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Match]]:
    """Screen many queries, in order, with up to ``workers`` forked processes."""
    if workers <= 1 or len(queries) < PARALLEL_MIN_ROWS or not fork_is_safe():
        for q in queries:
            yield screener.screen(q, top=top, threshold=threshold, scope=scope)
            if progress is not None:
                progress(1)
        return
    # The forked workers inherit the queries: only chunk offsets travel to them.
    starts = range(0, len(queries), _CHUNK)
    ctx = multiprocessing.get_context("fork")
    state = (screener, queries, top, threshold, scope)
    with ctx.Pool(workers, initializer=_init_worker, initargs=(state,)) as pool:
        for results in pool.imap(_screen_chunk, starts):
            yield from results
            if progress is not None:
                progress(len(results))
