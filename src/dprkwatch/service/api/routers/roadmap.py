"""The roadmap evaluator over HTTP: definitions, proposals, and what each would have stopped.

Thin over :mod:`dprkwatch.roadmap`. ``GET /roadmap`` is the workbench's page:
every proposal evaluated on the shared arsenal model (200,000 draws, fixed
seed) with year-end trajectories, built once per process. ``GET
/roadmap/evaluate`` answers for another year or a subset of proposals, the
same as ``dprkwatch roadmap evaluate --json``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dprkwatch.roadmap import DEFAULT_BY, evaluate, load_roadmap
from dprkwatch.service.api.deps import AnalysesDep, ScreenRole
from dprkwatch.service.api.models import errors

router = APIRouter(prefix="/roadmap", tags=["Roadmap"])


class RoadmapResponse(BaseModel):
    evaluation: dict[str, Any] = Field(
        description="Every proposal evaluated by the end of the default year: prevented, share "
        "stopped, still made, held, uncovered capacity with its asset rows, definition shares, "
        "relief and its pressure cost; year-end stock trajectories with and without each"
    )
    definitions: list[dict[str, Any]] = Field(description="Definitions with their members")
    assets: list[dict[str, Any]] = Field(description="The asset inventory with sources")
    activities: list[dict[str, Any]]
    shares: dict[str, Any] = Field(
        description="Yongbyon's share of production since Hanoi against published assessments"
    )


@router.get(
    "",
    response_model=RoadmapResponse,
    summary="Definitions, assets, and every proposal evaluated side by side",
    responses=errors(401, 403),
)
def roadmap(analyses: AnalysesDep, _caller: ScreenRole) -> dict[str, Any]:
    return analyses.roadmap_payload()


@router.get(
    "/evaluate",
    summary="What the proposals would have stopped by the end of a year",
    responses=errors(400, 401, 403, 404),
)
def evaluate_route(
    analyses: AnalysesDep,
    _caller: ScreenRole,
    by: Annotated[
        int, Query(ge=1990, le=2035, description="Year whose end results are taken at")
    ] = DEFAULT_BY,
    proposal: Annotated[
        list[str] | None, Query(max_length=50, description="Proposal ids (default: every one)")
    ] = None,
) -> dict[str, Any]:
    rm = load_roadmap()
    chosen = [rm.proposal(p) for p in proposal] if proposal else None
    return evaluate(analyses.arsenal(), rm, chosen, by=by).to_dict(rm)
