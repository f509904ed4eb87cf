"""The review queue and decisions on it, one library for the terminal, the API and the workbench.

The queue is the stored resolution's list of doubtful pairs, less the pairs
a person has judged since (they leave the queue at once; the targets change
on the next ``resolve run``, which only re-clusters when no list changed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dprkwatch.resolution.judgements import Judgement
from dprkwatch.resolution.store import Resolution, ResolutionStore, ReviewItem


def pending(resolution: Resolution, judged: set[tuple[str, str]]) -> list[ReviewItem]:
    """Queue items not judged yet, strongest first."""
    return [r for r in resolution.review if r.candidate.key not in judged]


def queue(home: Path, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page of the review queue, each pair with both listings' records."""
    store = ResolutionStore(home)
    resolution = store.load()
    judged = set(store.judgements().current())
    items = pending(resolution, judged)
    page = items[offset : offset + limit]
    return {
        "total": len(items),
        "offset": offset,
        "limit": limit,
        "items": [item_dict(resolution, r) for r in page],
    }


def item_dict(resolution: Resolution, item: ReviewItem) -> dict[str, Any]:
    c = item.candidate
    return {
        **item.to_dict(),
        "records": [resolution.summary(c.a), resolution.summary(c.b)],
        "targets": [resolution.target_of(c.a), resolution.target_of(c.b)],
    }


def decide(home: Path, a: str, b: str, decision: str, *, user: str, note: str = "") -> Judgement:
    """Record a decision about two listings of the current resolution."""
    store = ResolutionStore(home)
    resolution = store.load()
    known = set(resolution.listings)
    with store.lock():
        return store.judgements().record(a, b, decision, user=user, note=note, known=known)
