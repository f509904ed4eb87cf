"""Vessel risk: one score per MMSI from designations and detected behaviour, with reasons.

Algorithm ``maritime-risk-v1`` adds points per reason and caps at 100:

=========================  ======  ====  ===============================================
reason                     points  cap   evidence
=========================  ======  ====  ===============================================
designated_imo             60      60    a broadcast IMO number is on a list
designated_mmsi            50      50    the MMSI is on a list
designated_name            35 x s  35    a broadcast name matches a listed vessel (score s)
dprk_port_call             30      60    port call at a DPRK port
encounter_designated       25      50    encounter with a vessel that is itself designated
spoofing                   10      20    day with many impossible jumps (shared/spoofed MMSI)
identity_change            5       15    new name, flag, call sign or MMSI
dark_gap                   5       15    AIS silence far offshore
invalid_imo                10      10    broadcast IMO fails its check digit
=========================  ======  ====  ===============================================

Levels: ``high`` from 60, ``medium`` from 30, ``low`` above 0. The weights are
a judgement, written down so that a score can be explained and reproduced;
change them only together with the algorithm name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dprkwatch.maritime.designations import Designations, NameMatcher, imo_valid

ALGORITHM = "maritime-risk-v1"
WEIGHTS: dict[str, tuple[float, float]] = {
    "designated_imo": (60, 60),
    "designated_mmsi": (50, 50),
    "designated_name": (35, 35),
    "dprk_port_call": (30, 60),
    "encounter_designated": (25, 50),
    "spoofing": (10, 20),
    "identity_change": (5, 15),
    "dark_gap": (5, 15),
    "invalid_imo": (10, 10),
}


@dataclass(frozen=True)
class Reason:
    code: str
    points: float
    text: str


@dataclass
class VesselRisk:
    """The score of one MMSI and everything that went into it."""

    mmsi: int
    score: float
    level: str
    reasons: list[Reason]
    names: list[str] = field(default_factory=list)
    imos: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    designated: list[str] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mmsi": self.mmsi,
            "score": self.score,
            "level": self.level,
            "algorithm": ALGORITHM,
            "reasons": [{"code": r.code, "points": r.points, "text": r.text} for r in self.reasons],
            "names": self.names,
            "imos": self.imos,
            "flags": self.flags,
            "designated": self.designated,
            "events": self.events,
        }


def level_of(score: float) -> str:
    if score >= 60:
        return "high"
    if score >= 30:
        return "medium"
    return "low" if score > 0 else "none"


class RiskScorer:
    """Scores MMSIs from a detection run's events and identity intervals."""

    def __init__(
        self,
        events: pl.DataFrame,
        identity: pl.DataFrame,
        designations: Designations,
        names: NameMatcher,
    ) -> None:
        self.events = events
        self.designations = designations
        self.names = names
        self._ident: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for mmsi, fld, value in (
            identity.sort(["mmsi", "field", "first_ts"])
            .select("mmsi", "field", "value")
            .iter_rows()
        ):
            if value not in self._ident[mmsi][fld]:
                self._ident[mmsi][fld].append(value)
        self._evidence: dict[int, list[tuple[str, float, str, str]]] = {}

    def mmsis(self) -> list[int]:
        """Every MMSI seen in events or identity data."""
        seen = set(self._ident)
        seen.update(int(m) for m in self.events["mmsi"].drop_nulls().to_list())
        seen.update(int(m) for m in self.events["other_mmsi"].drop_nulls().to_list())
        return sorted(seen)

    def evidence(self, mmsi: int) -> list[tuple[str, float, str, str]]:
        """Designation evidence for one MMSI: (code, points, text, entity_id)."""
        if mmsi in self._evidence:
            return self._evidence[mmsi]
        out: list[tuple[str, float, str, str]] = []
        ident = self._ident.get(mmsi, {})
        for imo in ident.get("imo", []):
            for v in self.designations.by_imo(imo):
                out.append(
                    (
                        "designated_imo",
                        WEIGHTS["designated_imo"][0],
                        f"broadcasts IMO {imo}, designated as {v.caption} ({v.list_name})",
                        v.entity_id,
                    )
                )
        for v in self.designations.by_mmsi(mmsi):
            out.append(
                (
                    "designated_mmsi",
                    WEIGHTS["designated_mmsi"][0],
                    f"MMSI {mmsi} is listed for {v.caption} ({v.list_name})",
                    v.entity_id,
                )
            )
        names = ident.get("name", [])
        if names:
            for hit in self.names.match(names):
                listed_vessel = self.designations.get(hit.entity_id)
                caption = listed_vessel.caption if listed_vessel else hit.entity_id
                listed = f" ({listed_vessel.list_name})" if listed_vessel else ""
                out.append(
                    (
                        "designated_name",
                        round(WEIGHTS["designated_name"][0] * hit.score, 1),
                        f"name {hit.name!r} matches {caption}{listed}: {hit.explanation}",
                        hit.entity_id,
                    )
                )
        self._evidence[mmsi] = out
        return out

    def is_designated(self, mmsi: int) -> bool:
        return bool(self.evidence(mmsi))

    def assess(self, mmsi: int) -> VesselRisk:
        reasons: list[Reason] = []
        designated: list[str] = []
        for code, points, text, entity_id in self.evidence(mmsi):
            reasons.append(Reason(code, points, text))
            if entity_id not in designated:
                designated.append(entity_id)
        mine = self.events.filter((pl.col("mmsi") == mmsi) | (pl.col("other_mmsi") == mmsi))
        counts = dict(mine.group_by("event_type").len().iter_rows()) if mine.height else {}
        for row in mine.sort("start").iter_rows(named=True):
            et = row["event_type"]
            when = row["start"].strftime("%Y-%m-%d") if row["start"] is not None else "?"
            if et == "port_call" and row["dprk_port"]:
                reasons.append(
                    Reason(
                        "dprk_port_call",
                        WEIGHTS["dprk_port_call"][0],
                        f"called at {row['port']} (DPRK) on {when}",
                    )
                )
            elif et == "encounter":
                other = row["other_mmsi"] if row["mmsi"] == mmsi else row["mmsi"]
                if other is not None and self.is_designated(int(other)):
                    reasons.append(
                        Reason(
                            "encounter_designated",
                            WEIGHTS["encounter_designated"][0],
                            f"encounter with designated vessel MMSI {other} on {when}",
                        )
                    )
            elif et in ("spoofing", "dark_gap") or (
                et == "identity_change" and row["mmsi"] == mmsi
            ):
                reasons.append(
                    Reason(et, WEIGHTS[et][0], f"{et.replace('_', ' ')} on {when}: {row['detail']}")
                )
        for imo in self._ident.get(mmsi, {}).get("imo", []):
            if not imo_valid(imo):
                reasons.append(
                    Reason(
                        "invalid_imo",
                        WEIGHTS["invalid_imo"][0],
                        f"broadcast IMO {imo} fails its check digit",
                    )
                )
        score = _total(reasons)
        ident = self._ident.get(mmsi, {})
        return VesselRisk(
            mmsi=mmsi,
            score=score,
            level=level_of(score),
            reasons=reasons,
            names=list(ident.get("name", [])),
            imos=list(ident.get("imo", [])),
            flags=list(ident.get("flag", [])),
            designated=designated,
            events={str(k): int(v) for k, v in counts.items()},
        )

    def rank(self, mmsis: Iterable[int] | None = None, top: int | None = None) -> list[VesselRisk]:
        """Vessels by descending score (ties by MMSI); zero scores left out."""
        scored = [self.assess(m) for m in (mmsis if mmsis is not None else self.mmsis())]
        ranked = sorted((r for r in scored if r.score > 0), key=lambda r: (-r.score, r.mmsi))
        return ranked[:top] if top else ranked


def _total(reasons: list[Reason]) -> float:
    by_code: dict[str, float] = defaultdict(float)
    for r in reasons:
        by_code[r.code] += r.points
    total = sum(min(points, WEIGHTS[code][1]) for code, points in by_code.items())
    return float(round(min(100.0, total), 1))
