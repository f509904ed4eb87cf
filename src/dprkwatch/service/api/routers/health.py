"""Liveness and readiness probes (public, no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

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
    summary="The database answers and the screening index is loaded",
    responses={
        503: {"model": ErrorResponse, "description": "Database unreachable or index loading"}
    },
)
def readyz(state: State) -> Response:
    try:
        state.db.ping()
        state.index.current()
    except Unavailable as exc:
        return error_response(503, "unavailable", str(exc))
    return json_response({"status": "ok"})
