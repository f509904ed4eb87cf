"""Screening hits grouped by canonical target, like yente's merged entities.

Without resolution, ``dprkwatch screen "리수용"`` answers four rows for one
man (``eu-112358``, ``ofac-21735``, ``uk-DPR0268``, ``un-KPi.052``). With a
resolution run, the hits of one target become one hit: the best-scoring
listing carries the score and the explanation (which starts by naming it),
``referents`` lists every listing of the target, ``datasets`` every list it
is on, and ``listings`` the per-list records with the score of each listing
that matched.

Screening reads only :class:`TargetMap`, a small file written beside the
resolution state (listing -> target and list), not the full state with its
links and candidates: the screening latency must not change with resolution
on. The ledger's pressure index reads it too, to count canonical targets
(it also names the DPRK-relevant targets, so the index's DPRK scope is the
resolution's).

A one-name screening reads not even that: ``targets.idx`` holds the same map
in buckets (:mod:`dprkwatch.resolution.target_index`), and only the buckets
of the listings that matched are parsed. The screener goes deeper only
when a target repeats among the results and the page is short
(:func:`screen_by_target`), and then from the same analysis of the query,
scoring no candidate twice, so most queries cost what a per-listing
screening costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from dprkwatch import durable
from dprkwatch.datadir import DataDir
from dprkwatch.resolution.target_index import DamagedIndex, TargetIndex, encode

if TYPE_CHECKING:
    from dprkwatch.matching import Query, Scope, Screener
    from dprkwatch.matching.result import Match

TARGETS_FILE = "targets.json"
INDEX_FILE = "targets.idx"
# Candidates asked of the screener per result wanted when a target repeats
# among the results: its listings take several places among them.
WIDEN = 4
MAX_ASK = 100


class Targets(Protocol):
    """What grouping needs of a target map: the whole one or its bucketed index."""

    def row(self, listing: str) -> tuple[str, str, str] | None:
        """(target, list, caption) of a listing, or None."""

    def listings_of(self, target: str) -> list[str]:
        """The listings of a target, in id order."""


@dataclass(frozen=True)
class TargetMap:
    """Which target each listing belongs to, the target's members and their lists."""

    created_at: str
    target_of: Mapping[str, str]
    list_of: Mapping[str, str]
    caption_of: Mapping[str, str]
    members: Mapping[str, Sequence[str]]
    # Targets with DPRK evidence of any kind (empty in a file from before it was kept).
    dprk: frozenset[str] = frozenset()

    @classmethod
    def from_listings(
        cls,
        created_at: str,
        listings: Mapping[str, Mapping[str, Any]],
        dprk: Iterable[str] = (),
    ) -> TargetMap:
        """From a resolution's ``listings`` (id -> {"target", "list", "summary"}) and its
        DPRK-relevant target ids."""
        target_of = {rid: str(info["target"]) for rid, info in listings.items()}
        members: dict[str, list[str]] = {}
        for rid in sorted(target_of):
            members.setdefault(target_of[rid], []).append(rid)
        return cls(
            created_at=created_at,
            target_of=target_of,
            list_of={rid: str(info["list"]) for rid, info in listings.items()},
            caption_of={
                rid: str((info.get("summary") or {}).get("caption") or rid)
                for rid, info in listings.items()
            },
            members=members,
            dprk=frozenset(dprk),
        )

    def row(self, listing: str) -> tuple[str, str, str] | None:
        tid = self.target_of.get(listing)
        if tid is None:
            return None
        return tid, self.list_of.get(listing, ""), self.caption_of.get(listing, listing)

    def listings_of(self, target: str) -> list[str]:
        return list(self.members.get(target, ()))

    def to_index(self) -> bytes:
        """The bucketed form screening reads (:mod:`dprkwatch.resolution.target_index`)."""
        rows = {
            rid: (tid, self.list_of[rid], self.caption_of[rid])
            for rid, tid in self.target_of.items()
        }
        return encode(self.created_at, rows, self.members)

    def dprk_listings(self) -> frozenset[str]:
        """The listings whose target is DPRK-relevant."""
        return frozenset(rid for rid, tid in self.target_of.items() if tid in self.dprk)

    def to_bytes(self) -> bytes:
        rows = {
            rid: [self.target_of[rid], self.list_of[rid], self.caption_of[rid]]
            for rid in sorted(self.target_of)
        }
        return orjson.dumps(
            {"created_at": self.created_at, "listings": rows, "dprk": sorted(self.dprk)}
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> TargetMap:
        data = orjson.loads(raw)
        rows: dict[str, list[str]] = data["listings"]
        listings = {
            rid: {"target": row[0], "list": row[1], "summary": {"caption": row[2]}}
            for rid, row in rows.items()
        }
        return cls.from_listings(str(data["created_at"]), listings, data.get("dprk", ()))


def targets_path(home: Path) -> Path:
    return DataDir(Path(home)).resolution / TARGETS_FILE


def index_path(home: Path) -> Path:
    return DataDir(Path(home)).resolution / INDEX_FILE


def save_map(home: Path, target_map: TargetMap) -> None:
    """Both forms of the map: the index for screening first, then the whole map.

    Each file is replaced atomically. A crash between the two leaves the
    screening index one run ahead of the whole map; both describe a
    complete run, and the next run writes both again.
    """
    durable.write_bytes(index_path(home), target_map.to_index())
    durable.write_bytes(targets_path(home), target_map.to_bytes())


def load_targets(home: Path) -> Targets | None:
    """What one-name screening groups by: the bucketed index, else the whole map.

    A resolution written before the index existed has only the whole map;
    a damaged index is not used (nor is the whole map then: a run that
    wrote a damaged index cannot be trusted for grouping). None when
    neither can be read: screening answers one row per listing.
    """
    path = index_path(home)
    try:
        return TargetIndex.read(path)
    except FileNotFoundError:
        return load_map(home)
    except (OSError, DamagedIndex, orjson.JSONDecodeError, KeyError, TypeError):
        return None


def load_map(home: Path) -> TargetMap | None:
    """The target map of the last resolution run; None when there is none or it is unreadable.

    Screening then falls back to one row per listing, which is what it
    answered before resolution existed: never wrong, only less grouped.
    """
    path = targets_path(home)
    try:
        return TargetMap.from_bytes(path.read_bytes())
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, IndexError, ValueError):
        return None


def _by_target(matches: Sequence[Match], targets: Targets | None) -> list[tuple[str, list[Match]]]:
    """Matches grouped by target (or alone), groups in order of their best score."""
    order: list[str] = []
    by_target: dict[str, list[Match]] = {}
    for m in sorted(matches, key=lambda m: (-m.score, m.entity_id)):
        key = _key(targets, m) if targets is not None else m.entity_id
        if key not in by_target:
            by_target[key] = []
            order.append(key)
        by_target[key].append(m)
    return [(key, by_target[key]) for key in order]


def screen_by_target(
    screener: Screener,
    query: Query,
    targets: Targets,
    *,
    top: int,
    threshold: float | None = None,
    scope: Scope | None = None,
) -> tuple[list[Match], int]:
    """The per-listing results to fold into ``top`` targets, and the ``top`` they were screened at.

    A screening scores a few more candidates than it answers
    (:meth:`Screener.screen_pool`); their folding fills the page at no
    extra scoring, and its first targets are those of the per-listing
    answer folded. Only when a target repeats, the candidates still fold
    into fewer than ``top`` targets and blocking stopped at its limit (it
    could propose more) does the screener go deeper, to ``WIDEN`` times as
    many (at most ``MAX_ASK``), from the same analysis of the query and
    without scoring a candidate twice (:meth:`Screener.screen_widening`).
    """
    return screener.screen_widening(
        query, top, widening(targets, top), threshold=threshold, scope=scope
    )


def widening(targets: Targets, top: int) -> Callable[[Sequence[Match], bool], int]:
    """The hook :meth:`Screener.screen_widening` asks whether a pool fills a page of ``top``."""
    asked = min(MAX_ASK, top * WIDEN)

    def widen(pool: Sequence[Match], full: bool) -> int:
        if not full or asked <= top:
            return top
        keys = [_key(targets, m) for m in pool]
        if len(set(keys[:top])) == len(keys[:top]) or len(set(keys)) >= top:
            return top  # no target repeats among the first, or the page is full
        return asked

    return widen


def _key(targets: Targets, m: Match) -> str:
    row = targets.row(m.entity_id)
    return row[0] if row is not None else m.entity_id


def fold(matches: Sequence[Match], target_map: Targets, top: int) -> list[Match]:
    """One match per target, best first, at most ``top``: what a batch output file holds.

    The batch file keeps its columns (the Spark engine writes the same ones),
    so a target is the row of its best listing with ``lists`` holding every
    list of the target and the explanation starting with the target id and
    all its listings, as ``/match`` and the one-name screen start theirs.
    """
    out: list[Match] = []
    for key, found in _by_target(matches, target_map)[:top]:
        best = found[0]
        members = target_map.listings_of(key)
        if len(members) < 2:
            out.append(best)
            continue
        lists = {_list_of(target_map, r) for r in members} - {""}
        first = (
            f"matched listing {best.entity_id} ({', '.join(best.datasets)}) of target {key} "
            f"({len(members)} listings: {', '.join(members)})"
        )
        out.append(
            replace(
                best,
                datasets=sorted(lists | set(best.datasets)),
                explanation=[first, *best.explanation],
            )
        )
    return out


def _list_of(targets: Targets, listing: str) -> str:
    row = targets.row(listing)
    return row[1] if row is not None else ""


def group(matches: Sequence[Match], targets: Targets | None, top: int) -> list[dict[str, Any]]:
    """One hit per target, best first, at most ``top``; listings never resolved stand alone.

    Each hit is the best listing's :meth:`Match.to_dict` with ``target_id``,
    ``referents`` (every listing of the target), ``datasets`` (every list
    of the target), ``matched`` (the listings that scored, best first) and
    ``listings`` (each member with its list, caption and score if it matched).
    Built in one pass over each target's members: this runs on every
    screening, and its cost is part of what resolution adds to one.
    """
    out: list[dict[str, Any]] = []
    for key, found in _by_target(matches, targets)[:top]:
        best = found[0]
        hit = best.to_dict()
        bid = best.entity_id
        members = targets.listings_of(key) if targets is not None else []
        resolved = bool(members)
        if not resolved:
            members = [bid]
        if len(found) == 1:
            scores = {bid: hit["score"]}
        else:
            scores = {m.entity_id: round(m.score, 4) for m in found}
        lists = set(best.datasets)
        listings: list[dict[str, Any]] = []
        for r in members:
            row = targets.row(r) if targets is not None else None
            if row is not None and row[1]:
                lists.add(row[1])
            listings.append(
                {
                    "id": r,
                    "list": row[1] if row else None,
                    "caption": row[2] if row else None,
                    "score": scores.get(r),
                }
            )
        first = f"matched listing {bid} ({', '.join(best.datasets)})"
        if len(members) > 1:
            first += f" of target {key} ({len(members)} listings)"
        hit["target_id"] = key if resolved else None
        hit["referents"] = [r for r in members if r != bid]
        hit["datasets"] = sorted(lists)
        hit["matched"] = [m.entity_id for m in found]
        hit["listings"] = listings
        hit["explanation"] = [first, *best.explanation]
        out.append(hit)
    return out
