"""The resolution review queue over HTTP: the same queue and decisions as ``dprkwatch resolve review``.

Thin over :mod:`dprkwatch.resolution.review`, which the terminal uses too,
so a decision made here and one made on the terminal land in the same
append-only judgement log, the user named as the audit log names the caller. Reading
the queue needs the ``screen`` role, deciding the ``review`` role.
Decisions take effect on the next ``resolve run``; a decided pair leaves the
queue at once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dprkwatch.resolution import review
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
    return judgement.to_dict()
