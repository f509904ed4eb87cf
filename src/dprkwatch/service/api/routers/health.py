"""Liveness and readiness probes (public, no key needed)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.responses import Response

from dprkwatch.lists.freshness import assess_active, too_old
from dprkwatch.service.api.deps import get_state
from dprkwatch.service.api.errors import error_response
from dprkwatch.service.api.models import ErrorResponse
from dprkwatch.service.api.responses import json_response
from dprkwatch.service.exceptions import Unavailable

router = APIRouter(tags=["System"])

# Probes may come every few hundred milliseconds from several balancers; the
# last good database answer stands for this long (a failed one is retried).
DB_CHECK_MEMO = 1.0


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
async def readyz(request: Request) -> Response:
    """On the event loop: the index check reads memory, and the database check, which
    needs a thread, is remembered for :data:`DB_CHECK_MEMO` seconds after it succeeds."""
    state = get_state(request)
    try:
        state.index.current()
        if time.monotonic() - state.db_checked_at > DB_CHECK_MEMO:
            await run_in_threadpool(state.db.ping)
            state.db_checked_at = time.monotonic()
    except Unavailable as exc:
        return error_response(503, "unavailable", str(exc))
    limit = state.settings.max_list_age_days
    if limit is not None:
        # Reads the active lists' manifests: off the loop, and only when the limit is set.
        active = await run_in_threadpool(state.store.active)
        verdicts = assess_active(active, max_age_days=limit)
        reasons = too_old(verdicts, limit)
        if reasons:
            return error_response(
                503, "stale_lists", "lists too old to screen against: " + "; ".join(reasons)
            )
    return json_response({"status": "ok"})
