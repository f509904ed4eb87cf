"""Designated vessels from the active list snapshots, indexed by IMO, MMSI and name.

Vessel risk needs to know which ships the lists name. Exact identifiers
(IMO with its check digit, MMSI) are matched here from the snapshots
directly. Names are matched through a small :class:`NameMatcher` interface:
:class:`ExactNames` compares normalised names, and :class:`ScreenerNames`
asks the screening engine for fuzzy matches. Only the public API of
``dprkwatch.matching`` (``Screener``, ``Query``) is used, so matching can
change its internals without breaking vessel risk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from dprkwatch.lists import SnapshotStore, any_dprk
from dprkwatch.matching import Query, Screener

_IMO = re.compile(r"(?<!\d)(\d{7})(?!\d)")
_NON_WORD = re.compile(r"[^0-9A-Z]+")
_PREFIXES = ("M V ", "MV ", "M T ", "MT ", "S S ", "SS ")


def imo_valid(digits: str) -> bool:
    """The IMO check: first six digits weighted 7..2, summed; the last digit is that sum mod 10."""
    if len(digits) != 7 or not digits.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10 == int(
        digits[6]
    )


def normalise_imo(value: str | None) -> str | None:
    """Seven IMO digits from ``"IMO 8514306"`` or ``"8514306"``; None when there are none."""
    if not value:
        return None
    m = _IMO.search(str(value))
    return m.group(1) if m else None


def normalise_mmsi(value: str | int | None) -> int | None:
    if value is None:
        return None
    digits = re.sub(r"\D", "", str(value))
    if not digits or len(digits) > 9:
        return None
    n = int(digits)
    return n if 1 <= n <= 999_999_999 else None


def normalise_name(value: str) -> str:
    """Upper case, letters and digits only, single spaces, common hull prefixes removed."""
    text = _NON_WORD.sub(" ", value.upper()).strip()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return " ".join(text.split())


@dataclass(frozen=True)
class DesignatedVessel:
    entity_id: str
    list_name: str
    caption: str
    names: tuple[str, ...]
    imos: tuple[str, ...]
    mmsis: tuple[int, ...]
    flags: tuple[str, ...]
    dprk: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "list": self.list_name,
            "name": self.caption,
            "imo": list(self.imos),
            "mmsi": list(self.mmsis),
            "flag": list(self.flags),
            "dprk": self.dprk,
        }


@dataclass
class Designations:
    """Every designated vessel of the active lists, with lookups by identifier and name."""

    vessels: list[DesignatedVessel] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_imo: dict[str, list[DesignatedVessel]] = {}
        self._by_mmsi: dict[int, list[DesignatedVessel]] = {}
        self._by_name: dict[str, list[DesignatedVessel]] = {}
        self._by_id: dict[str, DesignatedVessel] = {}
        for v in self.vessels:
            self._by_id[v.entity_id] = v
            for imo in v.imos:
                self._by_imo.setdefault(imo, []).append(v)
            for mmsi in v.mmsis:
                self._by_mmsi.setdefault(mmsi, []).append(v)
            for name in v.names:
                key = normalise_name(name)
                if key:
                    self._by_name.setdefault(key, []).append(v)

    def __len__(self) -> int:
        return len(self.vessels)

    @classmethod
    def from_entities(cls, items: Iterable[tuple[str, dict[str, Any]]]) -> Designations:
        """From ``(list_name, FtM entity dict)`` pairs; non-vessels are ignored."""
        out: list[DesignatedVessel] = []
        for list_name, entity in items:
            if entity.get("schema") != "Vessel":
                continue
            props: dict[str, list[str]] = entity.get("properties", {})
            names = tuple(
                dict.fromkeys(
                    n
                    for p in ("name", "alias", "previousName", "weakAlias")
                    for n in props.get(p, [])
                    if n
                )
            )
            imos = tuple(
                dict.fromkeys(
                    i for i in (normalise_imo(v) for v in props.get("imoNumber", [])) if i
                )
            )
            mmsis = tuple(
                dict.fromkeys(m for m in (normalise_mmsi(v) for v in props.get("mmsi", [])) if m)
            )
            out.append(
                DesignatedVessel(
                    entity_id=str(entity.get("id")),
                    list_name=list_name,
                    caption=(props.get("name") or list(names) or [str(entity.get("id"))])[0],
                    names=names,
                    imos=imos,
                    mmsis=mmsis,
                    flags=tuple(props.get("flag", [])),
                    dprk=any_dprk(list_name, props.get("programId", [])),
                )
            )
        return cls(out)

    @classmethod
    def from_store(cls, store: SnapshotStore) -> Designations:
        """Vessels of every active snapshot."""
        return cls.from_entities(
            (name, entity) for name, snap in store.active().items() for entity in snap.iter_dicts()
        )

    def get(self, entity_id: str) -> DesignatedVessel | None:
        return self._by_id.get(entity_id)

    def by_imo(self, imo: str | None) -> list[DesignatedVessel]:
        return list(self._by_imo.get(imo, [])) if imo else []

    def by_mmsi(self, mmsi: int | None) -> list[DesignatedVessel]:
        return list(self._by_mmsi.get(mmsi, [])) if mmsi else []

    def by_name(self, name: str) -> list[DesignatedVessel]:
        return list(self._by_name.get(normalise_name(name), []))


@dataclass(frozen=True)
class NameHit:
    entity_id: str
    name: str
    score: float
    explanation: str


class NameMatcher(Protocol):
    """Finds designated vessels whose names match a broadcast name."""

    kind: str

    def match(self, names: Sequence[str]) -> list[NameHit]: ...


class ExactNames:
    """Normalised exact comparison against every listed name, alias and former name."""

    kind = "exact"

    def __init__(self, designations: Designations) -> None:
        self.designations = designations

    def match(self, names: Sequence[str]) -> list[NameHit]:
        hits: dict[str, NameHit] = {}
        for name in names:
            for v in self.designations.by_name(name):
                hits.setdefault(
                    v.entity_id,
                    NameHit(
                        v.entity_id, name, 1.0, f"name {name!r} equals a listed name of {v.caption}"
                    ),
                )
        return list(hits.values())


class ScreenerNames:
    """Fuzzy names through the screening engine (``dprkwatch.matching``), vessels only."""

    kind = "screener"

    def __init__(self, screener: Screener) -> None:
        self.screener = screener

    def match(self, names: Sequence[str]) -> list[NameHit]:
        clean = [n for n in names if n and n.strip()]
        if not clean:
            return []
        results = self.screener.screen(Query(schema="Vessel", properties={"name": clean}), top=3)
        hits = []
        for m in results:
            if m.schema != "Vessel" or not m.match:
                continue
            why = "; ".join(m.explanation) or "name match"
            hits.append(NameHit(m.entity_id, clean[0], m.score, why))
        return hits


def name_matcher(
    store: SnapshotStore, designations: Designations, *, fuzzy: bool = True
) -> NameMatcher:
    """The screening engine's matcher when wanted and there is a list to match, else exact names."""
    if fuzzy and len(designations):
        return ScreenerNames(Screener.from_store(store))
    return ExactNames(designations)
