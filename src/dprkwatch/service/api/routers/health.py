"""Liveness and readiness probes (public, no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

from dprkwatch.lists.freshness import assess_active, too_old
from dprkwatch.service.api.deps import State
from dprkwatch.service.api.errors import error_response
from dprkwatch.service.api.models import ErrorResponse
from dprkwatch.service.api.responses import json_response
from dprkwatch.service.exceptions import Unavailable

router = APIRouter(tags=["System"])


class StatusResponse(BaseModel):
    status: str = "ok"


@router.get("/healthz", response_model=StatusResponse, summary="The process is up")
async def healthz() -> StatusResponse:
    return StatusResponse()


@router.get(
    "/readyz",
    response_model=StatusResponse,
    summary="The database answers, the screening index is loaded and no list is too old",
    responses={
        503: {
            "model": ErrorResponse,
            "description": "Database unreachable, index loading, or (with "
            "DPRKWATCH_MAX_LIST_AGE_DAYS set) an active list older than that or from a retired "
            "source",
        }
    },
)
def readyz(state: State) -> Response:
    try:
        state.db.ping()
        state.index.current()
    except Unavailable as exc:
        return error_response(503, "unavailable", str(exc))
    limit = state.settings.max_list_age_days
    if limit is not None:
        verdicts = assess_active(state.store.active(), max_age_days=limit)
        reasons = too_old(verdicts, limit)
        if reasons:
            return error_response(
                503, "stale_lists", "lists too old to screen against: " + "; ".join(reasons)
            )
    return json_response({"status": "ok"})
