"""Reviews of hits, and the screening records they refer to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dprkwatch.service import reviews
from dprkwatch.service.api.deps import ReviewRole, State
from dprkwatch.service.api.models import (
    ReviewRequest,
    ReviewsResponse,
    errors,
)

router = APIRouter(tags=["Reviews"])


@router.post(
    "/reviews",
    response_model=reviews.Review,
    status_code=201,
    summary="Mark a hit of a screening as a true match or a false positive",
    responses=errors(400, 401, 403, 404, 422),
)
def create_review(body: ReviewRequest, state: State, principal: ReviewRole) -> reviews.Review:
    """A `false_positive` verdict suppresses this entity in later screenings of the
    same subject until the listed entity changes; a later `true_match` lifts it."""
    return reviews.submit(
        state.db, body.screening_id, body.entity_id, body.verdict, body.reason, principal
    )


@router.get(
    "/reviews",
    response_model=ReviewsResponse,
    summary="Reviews, newest first",
    responses=errors(401, 403, 422),
)
def list_reviews(
    state: State,
    _reviewer: ReviewRole,
    subject: Annotated[str | None, Query(max_length=64, description="Subject fingerprint")] = None,
    entity_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ReviewsResponse:
    found = reviews.list_reviews(state.db, subject=subject, entity_id=entity_id, limit=limit)
    return ReviewsResponse(reviews=found)


@router.get(
    "/screenings/{screening_id}",
    response_model=reviews.StoredScreening,
    summary="A screening record: query, results, list versions, algorithm, caller",
    responses=errors(401, 403, 404),
)
def get_screening(
    screening_id: str, state: State, _reviewer: ReviewRole
) -> reviews.StoredScreening:
    return reviews.get_screening(state.db, screening_id)
