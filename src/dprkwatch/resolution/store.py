"""Where a resolution lives: one state file, replaced whole, plus the judgement log.

Layout inside the data directory::

    resolution/state.json         the current resolution (targets, links, review queue,
                                  DPRK evidence, engine candidates kept for re-runs)
    resolution/targets.json       listing -> target, list and caption (what screening reads)
    resolution/judgements.jsonl   human decisions, append-only (see ``judgements``)
    resolution/.lock              held while a run or a decision writes
    resolution/cache/             listings per snapshot version (deletable)

A run computes everything in memory and replaces ``state.json`` in one
atomic rename at the very end, so a crash or ``kill -9`` at any point leaves
the previous resolution in force.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dprkwatch import durable
from dprkwatch.datadir import DataDir
from dprkwatch.exceptions import NotFoundError
from dprkwatch.resolution.evidence import Candidate
from dprkwatch.resolution.exceptions import NotResolved, ResolutionError
from dprkwatch.resolution.hits import TargetMap, save_map
from dprkwatch.resolution.judgements import JudgementLog

STATE_FORMAT = 1
# The list whose spelling of a name is shown first, when a target has several.
CAPTION_ORDER = ("un", "eu", "uk", "ofac")


def _caption(records: list[dict[str, Any]]) -> str:
    def rank(r: dict[str, Any]) -> tuple[int, str]:
        base = str(r.get("list") or "").split("_", 1)[0]
        pos = CAPTION_ORDER.index(base) if base in CAPTION_ORDER else len(CAPTION_ORDER)
        return (pos, str(r.get("id")))

    for r in sorted(records, key=rank):
        if r.get("caption"):
            return str(r["caption"])
    return str(records[0].get("id")) if records else ""


@dataclass
class Target:
    """One canonical target: its listings and the links that joined them."""

    id: str
    members: list[str]
    links: list[Candidate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "members": self.members,
            "links": [c.to_dict() for c in self.links],
        }


@dataclass
class ReviewItem:
    """A pair the machine would not decide alone, and why."""

    candidate: Candidate
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.candidate.to_dict(), "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewItem:
        return cls(Candidate.from_dict(data), str(data.get("reason", "")))


@dataclass
class Resolution:
    """The outcome of one run, as stored."""

    params: dict[str, Any]
    created_at: str
    versions: dict[str, str]
    listings: dict[str, dict[str, Any]]
    targets: dict[str, Target]
    review: list[ReviewItem]
    dprk: dict[str, list[list[str]]]
    candidates: dict[str, list[Candidate]]
    former: dict[str, str] = field(default_factory=dict)
    orphans: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    # Engine comparisons by the two listings' fingerprints (identifier name
    # scores "n|…", duplicate checks "d|…"), reused while both are unchanged.
    compared: dict[str, float] = field(default_factory=dict)
    # The list versions of the screening index the engine candidates came from.
    index_versions: dict[str, str] = field(default_factory=dict)

    def target_of(self, entity_id: str) -> str | None:
        """The canonical id of a listing (also of one no longer listed, as last resolved)."""
        info = self.listings.get(entity_id)
        if info is not None:
            return str(info["target"])
        return self.former.get(entity_id)

    def summary(self, entity_id: str) -> dict[str, Any]:
        """The per-list record of a listing, as shown beside a target."""
        info = self.listings.get(entity_id)
        if info is None:
            return {"id": entity_id, "list": None, "caption": None, "delisted": True}
        return dict(info.get("summary") or {"id": entity_id, "list": info["list"]})

    def target(self, ref: str) -> Target:
        """A target by its canonical id or by the id of one of its listings."""
        if ref in self.targets:
            return self.targets[ref]
        cid = self.target_of(ref)
        if cid is None or cid not in self.targets:
            raise NotFoundError(f"no target or listing with id {ref!r}")
        return self.targets[cid]

    def describe(self, target: Target) -> dict[str, Any]:
        """A target as the CLI, the API and the workbench show it."""
        records = [self.summary(m) for m in target.members]
        return {
            "id": target.id,
            "caption": _caption(records),
            "lists": sorted({str(r.get("list")) for r in records if r.get("list")}),
            "referents": list(target.members),
            "records": records,
            "links": [c.to_dict() for c in target.links],
            "dprk": [
                {"kind": kind, "listing": listing, "detail": detail}
                for kind, listing, detail in self.dprk.get(target.id, [])
            ],
        }

    def members(self, target_id: str) -> list[str]:
        target = self.targets.get(target_id)
        return list(target.members) if target is not None else []

    def to_bytes(self) -> bytes:
        data = {
            "format": STATE_FORMAT,
            "params": self.params,
            "created_at": self.created_at,
            "versions": self.versions,
            "stats": self.stats,
            "listings": self.listings,
            "former": self.former,
            "targets": {cid: t.to_dict() for cid, t in self.targets.items()},
            "review": [r.to_dict() for r in self.review],
            "dprk": self.dprk,
            "orphans": self.orphans,
            "compared": self.compared,
            "index_versions": self.index_versions,
            "candidates": {
                qid: [c.to_dict() for c in cands] for qid, cands in self.candidates.items() if cands
            },
        }
        return orjson.dumps(data)

    @classmethod
    def from_bytes(cls, raw: bytes, source: str) -> Resolution:
        try:
            data = orjson.loads(raw)
            if data.get("format") != STATE_FORMAT:
                raise ResolutionError(
                    f"{source}: resolution format {data.get('format')!r}, expected {STATE_FORMAT}; "
                    "run `dprkwatch resolve run --full`"
                )
            return cls(
                params=data["params"],
                created_at=data["created_at"],
                versions=data["versions"],
                listings=data["listings"],
                former=data.get("former", {}),
                targets={
                    cid: Target(
                        cid, list(t["members"]), [Candidate.from_dict(c) for c in t["links"]]
                    )
                    for cid, t in data["targets"].items()
                },
                review=[ReviewItem.from_dict(r) for r in data["review"]],
                dprk=data.get("dprk", {}),
                orphans=data.get("orphans", []),
                stats=data.get("stats", {}),
                compared={str(k): float(v) for k, v in data.get("compared", {}).items()},
                index_versions={str(k): str(v) for k, v in data.get("index_versions", {}).items()},
                candidates={
                    qid: [Candidate.from_dict(c) for c in cands]
                    for qid, cands in data.get("candidates", {}).items()
                },
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ResolutionError(f"{source}: unreadable resolution state ({exc})") from None


class ResolutionStore:
    """The resolution files of one data directory."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.root = DataDir(self.home).resolution
        self.state_path = self.root / "state.json"
        # Listings per snapshot version (see ``listing_cache``); safe to delete.
        self.cache_dir = self.root / "cache"

    def judgements(self) -> JudgementLog:
        return JudgementLog(self.root / "judgements.jsonl")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive while writing; readers see the old or the new state file, never half."""
        with durable.locked(self.root / ".lock"):
            yield

    def exists(self) -> bool:
        return self.state_path.exists()

    def load(self) -> Resolution:
        if not self.state_path.exists():
            raise NotResolved(
                "no resolution in this data directory yet; run `dprkwatch resolve run`"
            )
        return Resolution.from_bytes(self.state_path.read_bytes(), self.state_path.name)

    def load_or_none(self) -> Resolution | None:
        return self.load() if self.exists() else None

    def save(self, resolution: Resolution) -> None:
        durable.write_bytes(self.state_path, resolution.to_bytes())
        # Screening groups its hits by target from this small file alone
        # (written second: a crash between the two leaves the previous
        # grouping, which the next run replaces).
        save_map(
            self.home,
            TargetMap.from_listings(resolution.created_at, resolution.listings, resolution.dprk),
        )
