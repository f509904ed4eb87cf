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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from dprkwatch import durable
from dprkwatch.datadir import DataDir

if TYPE_CHECKING:
    from dprkwatch.matching.result import Match

TARGETS_FILE = "targets.json"
# Candidates asked of the screener per result wanted when hits are grouped:
# the listings of one target take several places among the raw results.
WIDEN = 4


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


def save_map(home: Path, target_map: TargetMap) -> None:
    durable.write_bytes(targets_path(home), target_map.to_bytes())


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


def _by_target(
    matches: Sequence[Match], target_map: TargetMap | None
) -> list[tuple[str, list[Match]]]:
    """Matches grouped by target (or alone), groups in order of their best score."""
    order: list[str] = []
    by_target: dict[str, list[Match]] = {}
    for m in sorted(matches, key=lambda m: (-m.score, m.entity_id)):
        tid = target_map.target_of.get(m.entity_id) if target_map else None
        key = tid or m.entity_id
        if key not in by_target:
            by_target[key] = []
            order.append(key)
        by_target[key].append(m)
    return [(key, by_target[key]) for key in order]


def fold(matches: Sequence[Match], target_map: TargetMap, top: int) -> list[Match]:
    """One match per target, best first, at most ``top``: what a batch output file holds.

    The batch file keeps its columns (the Spark engine writes the same ones),
    so a target is the row of its best listing with ``lists`` holding every
    list of the target and the explanation starting with the target id and
    all its listings, as ``/match`` and the one-name screen start theirs.
    """
    out: list[Match] = []
    for key, found in _by_target(matches, target_map)[:top]:
        best = found[0]
        members = list(target_map.members.get(key, ()))
        if len(members) < 2:
            out.append(best)
            continue
        lists = {target_map.list_of.get(r, "") for r in members} - {""}
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


def group(matches: Sequence[Match], target_map: TargetMap | None, top: int) -> list[dict[str, Any]]:
    """One hit per target, best first, at most ``top``; listings never resolved stand alone.

    Each hit is the best listing's :meth:`Match.to_dict` with ``target_id``,
    ``referents`` (every listing of the target), ``datasets`` (every list
    of the target), ``matched`` (the listings that scored, best first) and
    ``listings`` (each member with its list, caption and score if it matched).
    """
    out: list[dict[str, Any]] = []
    for key, found in _by_target(matches, target_map)[:top]:
        best = found[0]
        hit = best.to_dict()
        members = list(target_map.members.get(key, ())) if target_map else []
        if not members:
            members = [best.entity_id]
        scores = {m.entity_id: round(m.score, 4) for m in found}
        lists_of = target_map.list_of if target_map else {}
        captions = target_map.caption_of if target_map else {}
        datasets = sorted({lists_of.get(r, "") for r in members} - {""} | set(best.datasets))
        hit.update(
            target_id=key if target_map and key in target_map.members else None,
            referents=[r for r in members if r != best.entity_id],
            datasets=datasets,
            matched=[m.entity_id for m in found],
            listings=[
                {
                    "id": r,
                    "list": lists_of.get(r),
                    "caption": captions.get(r),
                    "score": scores.get(r),
                }
                for r in members
            ],
            explanation=[
                f"matched listing {best.entity_id} ({', '.join(best.datasets)})"
                + (f" of target {key} ({len(members)} listings)" if len(members) > 1 else ""),
                *best.explanation,
            ],
        )
        out.append(hit)
    return out
