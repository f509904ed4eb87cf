"""Liveness and readiness probes (public, no key needed)."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
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


class ReadyResponse(StatusResponse):
    bulk_process: Literal["ready", "loading", "idle", "off"] = Field(
        description="Where big batches are screened: in their own process once it holds the "
        "lists this process serves (ready), on a thread meanwhile (loading; idle: no big "
        "batch yet), or always on a thread (off: DPRKWATCH_BULK_PROCESS=0)"
    )


@router.get("/healthz", response_model=StatusResponse, summary="The process is up")
async def healthz() -> StatusResponse:
    return StatusResponse()


@router.get(
    "/readyz",
    response_model=ReadyResponse,
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
        loaded = state.index.current()
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
    worker = state.lanes.worker
    # How big batches are screened now (their own process once it holds these lists).
    bulk = worker.status(loaded.versions) if worker is not None else "off"
    return json_response({"status": "ok", "bulk_process": bulk})
