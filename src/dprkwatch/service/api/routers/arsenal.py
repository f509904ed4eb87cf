"""The arsenal model over HTTP: the band with published estimates, and increments.

Thin over :mod:`dprkwatch.arsenal`. The model is built once per process with
the packaged parameters and its fixed seed, so every answer is reproducible
and equals what ``dprkwatch arsenal ... --json`` prints.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dprkwatch.arsenal.interval import Increment
from dprkwatch.service.api.deps import AnalysesDep, ScreenRole
from dprkwatch.service.api.models import errors

router = APIRouter(prefix="/arsenal", tags=["Arsenal"])


class BandRow(BaseModel):
    year: int
    date: str
    unit: str
    p05: float
    p25: float
    p50: float
    p75: float
    p95: float


class ArsenalResponse(BaseModel):
    draws: int
    seed: int
    parameters_origin: str
    band: list[BandRow] = Field(description="Weapons-equivalent stock quantiles at each year-end")
    comparisons: list[dict[str, Any]] = Field(
        description="Each published estimate against the band: status inside/overlaps/above/below, "
        "flagged outliers with the assumption that would reach them"
    )
    scenarios: list[dict[str, Any]] = Field(
        description="Deterministic published recipes, with low/high series"
    )
    events: dict[str, str] = Field(
        description="Named dates usable in queries (singapore, hanoi...)"
    )
    parameters: list[dict[str, Any]] = Field(
        description="Every model parameter: value, range, unit, sources"
    )


@router.get(
    "",
    response_model=ArsenalResponse,
    summary="The arsenal band, published estimates with verdicts, scenarios",
    responses=errors(401, 403),
)
def arsenal(analyses: AnalysesDep, _caller: ScreenRole) -> dict[str, Any]:
    return analyses.arsenal_payload()


@router.get(
    "/increment",
    response_model=Increment,
    summary="Weapons-equivalent produced between two dates",
    responses=errors(400, 401, 403),
)
def increment(
    analyses: AnalysesDep,
    _caller: ScreenRole,
    start: Annotated[
        str,
        Query(
            min_length=1,
            max_length=40,
            description="YYYY-MM-DD, YYYY-MM, YYYY or an event name (singapore)",
        ),
    ],
    end: Annotated[
        str, Query(min_length=1, max_length=40, description="Same forms as start (hanoi)")
    ],
) -> Increment:
    return analyses.arsenal().produced(start, end)
