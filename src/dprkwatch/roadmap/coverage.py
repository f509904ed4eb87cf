"""How much of each definition of denuclearization a proposal covers.

A definition is a set of assets and activities (:class:`~dprkwatch.roadmap.model.Definition`).
A proposal *stops* an asset when some phase freezes, disables, dismantles or
removes it, and an activity when some phase halts it (or, for the other
side's activities such as exercises, a corresponding measure does). It
*declares* and *verifies* assets when a phase says so.

The shares count members, each asset and activity weighing the same: the
reactor and a base of launchers count one each. That is crude on purpose - it
answers "how much of the list", not "how much of the threat"; the fissile
weight of each asset is what the Monte Carlo's "share stopped" measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dprkwatch.roadmap.loader import Roadmap
from dprkwatch.roadmap.model import STOPPING, Action, Definition, Proposal


@dataclass(frozen=True)
class DefinitionCoverage:
    """One definition against one proposal."""

    definition: Definition
    members: int
    stopped: list[str]
    declared: list[str]
    verified: list[str]
    missing: list[str]

    def share(self, items: list[str]) -> float:
        return len(items) / self.members if self.members else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition.id,
            "name": self.definition.name,
            "kind": self.definition.kind,
            "members": self.members,
            "stopped_share": round(self.share(self.stopped), 4),
            "declared_share": round(self.share(self.declared), 4),
            "verified_share": round(self.share(self.verified), 4),
            "stopped": self.stopped,
            "declared": self.declared,
            "verified": self.verified,
            "not_covered": self.missing,
        }


def definition_coverage(roadmap: Roadmap, proposal: Proposal) -> list[DefinitionCoverage]:
    """Every definition against the proposal, in the definitions file's order."""
    stopped: set[str] = set()
    declared: set[str] = set()
    verified: set[str] = set()
    for ph in proposal.phases:
        for action, asset in ph.actions():
            if action in STOPPING:
                stopped.add(asset)
            elif action is Action.DECLARE:
                declared.add(asset)
            elif action is Action.VERIFY:
                verified.add(asset)
        stopped.update(ph.halt)
        for c in ph.corresponding:
            stopped.update(c.halts)
    out = []
    for d in roadmap.definitions:
        assets, activities = roadmap.members(d)
        ids = [a.id for a in assets] + [a.id for a in activities]
        out.append(
            DefinitionCoverage(
                definition=d,
                members=len(ids),
                stopped=[x for x in ids if x in stopped],
                declared=[x for x in ids if x in declared],
                verified=[x for x in ids if x in verified],
                missing=[x for x in ids if x not in stopped],
            )
        )
    return out
