"""Roadmaps and deals: what a proposed freeze or deal would actually stop.

Built on the arsenal model (:mod:`dprkwatch.arsenal`) and the ledger
(:mod:`dprkwatch.ledger`). Definitions of denuclearization, the asset
inventory, proposals and published assessments are curated YAML in
``roadmap/data/``; the evaluator runs the arsenal model with each proposal's
covered capacity removed from each phase's date, on the same draws.

Public API::

    from dprkwatch.arsenal import load_model
    from dprkwatch.roadmap import evaluate, load_roadmap

    roadmap = load_roadmap()                         # validated data (+ proposal_files=[...])
    model = load_model()                             # 200,000 draws, seed 20180612
    ev = evaluate(model, roadmap, by=2026)           # every proposal, side by side
    ev.result("hanoi-dprk-offer").prevented          # Interval: weapons not made by end-2026
    ev.to_dict(roadmap)                              # JSON-able, as the CLI and the API print it
    share = site_share(model, roadmap, "yongbyon", date(2019, 2, 28), date(2026, 12, 31))
    check_assessments(model, roadmap, share)         # published assessments against the model
"""

from dprkwatch.ledger.loader import Problem
from dprkwatch.roadmap.capacity import Coverage, Stop, components, coverage
from dprkwatch.roadmap.coverage import DefinitionCoverage, definition_coverage
from dprkwatch.roadmap.evaluate import DEFAULT_BY, Evaluation, ProposalResult, evaluate
from dprkwatch.roadmap.exceptions import RoadmapValidationError, UnknownRoadmapItem
from dprkwatch.roadmap.loader import FILES, Roadmap, check_roadmap, load_roadmap
from dprkwatch.roadmap.relief import Relief, relief_of
from dprkwatch.roadmap.shares import ShareCheck, SiteShare, check_assessments, site_share

__all__ = [
    "DEFAULT_BY",
    "FILES",
    "Coverage",
    "DefinitionCoverage",
    "Evaluation",
    "Problem",
    "ProposalResult",
    "Relief",
    "Roadmap",
    "RoadmapValidationError",
    "ShareCheck",
    "SiteShare",
    "Stop",
    "UnknownRoadmapItem",
    "check_assessments",
    "check_roadmap",
    "components",
    "coverage",
    "definition_coverage",
    "evaluate",
    "load_roadmap",
    "relief_of",
    "site_share",
]
