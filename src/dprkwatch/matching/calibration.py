"""Scores as probabilities: the calibration of ``dprkwatch-match-v2``.

A v1 score says how alike two names are, and every exact name scores 1.0,
so a reviewer who can look at only the top few alerts cannot rank them:
Kim Chol Nam (dozens of namesakes) and Korea Kwangson Banking Corporation
(one) both score 1.0, and so does a name whose birth date also agrees.
v2 reports instead an estimate of the probability that the candidate is
the queried subject, from three things:

* the v1 score (``raw``);
* the evidence it rests on (:func:`dprkwatch.matching.algorithms.evidence_level`):
  the name alone, the name and an agreeing birth date, an identical
  document number, or an identical IMO number, MMSI or wallet address;
* how informative the listed name is (``information``: the summed rarity
  of its words on the loaded lists, in tenths of a nat, capped at 3), so a
  common name with many namesakes is less likely to be the one meant.

Per evidence level the probability is a logistic function
``1 / (1 + exp(-(b0 + b1 * raw + b2 * information)))``, increasing in both,
so ranking by it keeps v1's order within a level and separates exact names
by how many people could bear them. The weights are fitted by
``benchmarks/calibrate.py`` on labelled data kept apart from the
evaluation (see that script and docs/matching.md) and shipped beside this
module in ``calibration_v2.json``, with what they were fitted on and the
weights and threshold of the fit they replaced (``fitted["replaces"]``),
so that a score given under the earlier fit can be reproduced.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

LEVELS: Final = ("name", "birth_date", "document", "identifier")
INFORMATION_CAP: Final = 3.0
TABLE: Final = Path(__file__).with_name("calibration_v2.json")


def information(tokens: Iterable[str], token_weight: Callable[[str], float]) -> float:
    """How informative a listed name is: its words' rarity, summed, /10, capped."""
    return min(INFORMATION_CAP, sum(token_weight(t) for t in tokens) / 10.0)


@dataclass(frozen=True)
class Calibration:
    """Logistic weights per evidence level, the match threshold, and their provenance."""

    weights: dict[str, tuple[float, float, float]]
    threshold: float
    fitted: dict[str, Any] = field(default_factory=dict)

    def probability(self, raw: float, level: str, info: float) -> float:
        b0, b1, b2 = self.weights.get(level) or self.weights["name"]
        z = b0 + b1 * raw + b2 * info
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def fingerprint(self) -> str:
        """A short hash of the weights and threshold: which fit produced a probability.

        A refit keeps the algorithm's name (``dprkwatch-match-v2``) but moves
        its probabilities, so an audit record names the fit by this hash.
        """
        body = json.dumps(
            {"weights": {k: list(v) for k, v in sorted(self.weights.items())},
             "threshold": self.threshold},
            sort_keys=True,
        )  # fmt: skip
        return hashlib.sha256(body.encode()).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": {k: list(v) for k, v in self.weights.items()},
            "threshold": self.threshold,
            "fitted": self.fitted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        weights = {
            str(k): (float(v[0]), float(v[1]), float(v[2])) for k, v in data["weights"].items()
        }
        if "name" not in weights:
            raise ValueError("a calibration needs weights for the 'name' level")
        return cls(weights, float(data["threshold"]), dict(data.get("fitted") or {}))


def load(path: Path = TABLE) -> Calibration | None:
    """The shipped calibration, or None when there is none yet (scores stay raw)."""
    try:
        return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
