"""Which resolutions' measures a proposal relieves, and what that costs in pressure.

Relief is given per resolution (a ledger record) with a scope: ``all`` of its
measures, or the ``economic`` ones - everything except designations, the
committee and panel, and cargo inspection, which is how the DPRK's Hanoi
request ("the sanctions that hamper the civilian economy") is read. The
measures themselves come from the ledger, so the list of what would be lifted
is the ledger's, not a second copy.

The pressure cost is stated three ways, none of them a single index: the
measures relieved, by kind; the export revenue those resolutions were said to
block when adopted (``pressure.yaml``, as published, a lower bound where a
resolution has no figure); and the oil-import caps lifted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dprkwatch.ledger.model import Measure, MeasureKind, Resolution
from dprkwatch.roadmap.loader import Roadmap
from dprkwatch.roadmap.model import Proposal

#: Measure kinds the ``economic`` scope leaves in place.
NOT_ECONOMIC = frozenset({MeasureKind.DESIGNATION, MeasureKind.BODY, MeasureKind.INSPECTION})


def relieved_measures(resolution: Resolution, scope: str) -> list[Measure]:
    if scope == "all":
        return list(resolution.measures)
    return [m for m in resolution.measures if m.kind not in NOT_ECONOMIC]


@dataclass(frozen=True)
class Relief:
    """The sanctions relief of one proposal, and its pressure cost."""

    resolutions: list[tuple[Resolution, str, str]]  # (resolution, scope, phase)
    measures: list[tuple[str, Measure]] = field(default_factory=list)  # (resolution id, measure)
    revenue_musd: float = 0.0
    quantified: list[str] = field(default_factory=list)
    unquantified: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    sanctions_resolutions: int = 0  # adopted resolutions with any measure, for "k of N"

    def to_dict(self) -> dict[str, Any]:
        kinds = Counter(m.kind.value for _, m in self.measures)
        return {
            "resolutions": [
                {"id": r.id, "label": r.label, "scope": scope, "phase": phase}
                for r, scope, phase in self.resolutions
            ],
            "of_sanctions_resolutions": self.sanctions_resolutions,
            "measures_by_kind": dict(sorted(kinds.items())),
            "measures": [
                {
                    "resolution": rid,
                    "kind": m.kind.value,
                    "subject": m.subject,
                    "direction": m.direction,
                }
                for rid, m in self.measures
            ],
            "revenue_musd_per_year": self.revenue_musd,
            "revenue_quantified_for": self.quantified,
            "revenue_not_quantified_for": self.unquantified,
            "imports": self.imports,
        }


def relief_of(roadmap: Roadmap, proposal: Proposal) -> Relief:
    """Every resolution a proposal relieves (widest scope wins), with its measures and cost."""
    chosen: dict[str, tuple[Resolution, str, str]] = {}
    for ph in proposal.phases:
        for r in ph.relief:
            held = chosen.get(r.resolution)
            if held is None or (held[1] == "economic" and r.scope == "all"):
                chosen[r.resolution] = (roadmap.resolution(r.resolution), r.scope, ph.id)
    figures = {f.resolution: f for f in roadmap.pressure}
    measures: list[tuple[str, Measure]] = []
    revenue = 0.0
    quantified: list[str] = []
    unquantified: list[str] = []
    imports: list[str] = []
    for rid, (res, scope, _) in chosen.items():
        measures += [(rid, m) for m in relieved_measures(res, scope)]
        fig = figures.get(rid)
        if fig is not None and fig.revenue_musd is not None:
            revenue += fig.revenue_musd
            quantified.append(rid)
        elif any(m.kind not in NOT_ECONOMIC for m in res.measures):
            unquantified.append(rid)
        if fig is not None and fig.imports:
            imports.append(f"{res.label}: {fig.imports}")
    with_measures = sum(
        1
        for r in roadmap.ledger.resolutions
        if r.outcome == "adopted" and any(m.kind not in (MeasureKind.BODY,) for m in r.measures)
    )
    return Relief(
        resolutions=list(chosen.values()),
        measures=measures,
        revenue_musd=revenue,
        quantified=quantified,
        unquantified=unquantified,
        imports=imports,
        sanctions_resolutions=with_measures,
    )
