"""The resolution review queue over HTTP: the same queue and decisions as ``dprkwatch resolve review``.

Thin over :mod:`dprkwatch.resolution.review`, which the terminal uses too,
so a decision made here and one made on the terminal land in the same
append-only judgement log, the user named as the audit log names the caller. Reading
the queue needs the ``screen`` role, deciding the ``review`` role.
Decisions take effect on the next ``resolve run``; a decided pair leaves the
queue at once. A decision made here is also appended to the service's audit
log (kind ``resolution.decision``), so the workbench's decisions sit in the
same tamper-evident chain as its screenings and reviews.

The implementation record (``dprkwatch lists coverage --json``) is served
here too, for the workbench's coverage page.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.resolution import ResolutionStore, coverage, review
from dprkwatch.service import audit
from dprkwatch.service.api.deps import ReviewRole, ScreenRole, State
from dprkwatch.service.api.models import errors

router = APIRouter(prefix="/resolution", tags=["Resolution"])


class DecisionRequest(BaseModel):
    a: str = Field(min_length=1, max_length=200, description="One listing id")
    b: str = Field(min_length=1, max_length=200, description="The other listing id")
    decision: Literal["same", "different", "unsure"]
    note: str = Field(default="", max_length=2000)


@router.get(
    "/review",
    summary="A page of the review queue: pairs the resolver would not decide alone",
    responses=errors(401, 403, 404),
)
def review_queue(
    state: State,
    _caller: ScreenRole,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    return review.queue(state.settings.home, limit=limit, offset=offset)


@router.post(
    "/decisions",
    summary="Record a decision (same, different, unsure) about two listings",
    responses=errors(400, 401, 403, 404),
)
def decide(state: State, body: DecisionRequest, caller: ReviewRole) -> dict[str, Any]:
    judgement = review.decide(
        state.settings.home, body.a, body.b, body.decision, user=caller.actor, note=body.note
    )
    record = audit.record(
        state.db, audit.AuditEntry("resolution.decision", caller.actor, judgement.to_dict())
    )
    return {**judgement.to_dict(), "audit_seq": record.seq}


@router.get(
    "/decisions",
    summary="Every recorded decision, newest first (changes of mind included)",
    responses=errors(401, 403),
)
def decisions(
    state: State,
    _caller: ScreenRole,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    history = ResolutionStore(state.settings.home).judgements().history
    newest = [j.to_dict() for j in reversed(history[-limit:])]
    return {"total": len(history), "items": newest}


@router.get(
    "/coverage",
    summary="The implementation record: lists per target, lags after the UN, followers",
    responses=errors(401, 403, 404),
)
def coverage_record(
    state: State,
    _caller: ScreenRole,
    all_targets: Annotated[
        bool, Query(alias="all", description="Every resolved target, not only DPRK ones")
    ] = False,
) -> dict[str, Any]:
    home = state.settings.home
    resolution = ResolutionStore(home).load()
    return coverage.report(resolution, SnapshotStore(home), dprk_only=not all_targets)
