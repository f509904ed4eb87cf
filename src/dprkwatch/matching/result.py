"""What the screener answers: one :class:`Match` per candidate entity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Match:
    """A scored candidate, with the reasons for its score.

    ``features`` holds the machine-readable contributions (feature name ->
    signed amount added to the score, or the name similarity itself);
    ``explanation`` the same in plain English, strongest reason first.
    ``match`` is ``score >= threshold`` for the threshold the screen used.
    ``evidence`` says what the score rests on: ``identifier`` (an identical
    IMO number, MMSI or wallet), ``document`` (an identical document
    number), ``birth_date`` (the name and an agreeing birth date) or
    ``name`` (the name alone).
    """

    entity_id: str
    schema: str
    caption: str
    score: float
    match: bool
    datasets: list[str]
    features: dict[str, float] = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    dprk: bool = False
    query_id: str | None = None
    algorithm: str = ""
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id,
            "entity_id": self.entity_id,
            "schema": self.schema,
            "caption": self.caption,
            "score": round(self.score, 4),
            "match": self.match,
            "datasets": list(self.datasets),
            "programs": list(self.programs),
            "dprk": self.dprk,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "explanation": list(self.explanation),
            "algorithm": self.algorithm,
            "evidence": self.evidence,
        }
