"""JSON-able reports shared by the command line and the HTTP API.

Each function is the one place a report is assembled, so ``dprkwatch roadmap
... --json`` and ``GET /roadmap`` print the same thing for the same model.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dprkwatch.arsenal import ArsenalModel
from dprkwatch.roadmap.evaluate import DEFAULT_BY, evaluate
from dprkwatch.roadmap.loader import Roadmap
from dprkwatch.roadmap.shares import check_assessments, site_share

#: The window of the Hanoi question: from the summit to the end of the default year.
HANOI = date(2019, 2, 28)
FIRST_YEAR = 1990  # trajectories start here (before the first encoded deal)


def definition_rows(roadmap: Roadmap) -> list[dict[str, Any]]:
    """Every definition with the assets and activities it covers."""
    rows = []
    for d in roadmap.definitions:
        assets, activities = roadmap.members(d)
        rows.append(
            {
                "id": d.id,
                "name": d.name,
                "holder": d.holder,
                "kind": d.kind,
                "summary": d.summary,
                "assets": [a.id for a in assets],
                "activities": [a.id for a in activities],
                "sources": list(d.sources),
                "confidence": d.confidence.value,
                "note": d.note,
            }
        )
    return rows


def shares_report(
    model: ArsenalModel, roadmap: Roadmap, site: str, start: date, end: date
) -> dict[str, Any]:
    """A site's share of production over a window, and every assessment against it."""
    share = site_share(model, roadmap, site, start, end)
    return {
        "site": site,
        "from": share.start.isoformat(),
        "to": share.end.isoformat(),
        "components": list(share.components),
        "share": {q: share.interval(q).to_dict() for q in share.values},
        "assessments": [c.to_dict() for c in check_assessments(model, roadmap, share)],
    }


def workbench(model: ArsenalModel, roadmap: Roadmap, by: int = DEFAULT_BY) -> dict[str, Any]:
    """Everything the workbench page shows: definitions, assets, every proposal evaluated
    with year-end trajectories, and Yongbyon's share against the assessments."""
    ev = evaluate(model, roadmap, by=by, trajectory_years=range(FIRST_YEAR, by + 1))
    return {
        "evaluation": ev.to_dict(roadmap),
        "definitions": definition_rows(roadmap),
        "assets": [a.model_dump(mode="json") for a in roadmap.assets],
        "activities": [a.model_dump(mode="json") for a in roadmap.activities],
        "shares": shares_report(model, roadmap, "yongbyon", HANOI, ev.by),
    }
