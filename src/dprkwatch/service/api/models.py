"""Request and response shapes, yente's where yente has one.

The yente models follow the wire format of OpenSanctions' yente
(``EntityMatchQuery``, ``EntityMatchResponse``, ``SearchResponse``,
``DataCatalogModel``) so that its clients work unchanged. Our own records
(reviews, books, runs, alerts, keys) are answered as the library's pydantic
models themselves; the wrappers here only add what a route adds (a list,
a total, a key shown once). Fields yente does not have are additions a
yente client ignores: ``screening`` on each match
response (the audit record's id and seq, and what was suppressed by
review) and ``versions``/``algorithm`` on the batch.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dprkwatch.service.books import Book
from dprkwatch.service.keys import ApiKey
from dprkwatch.service.rescreen import Run
from dprkwatch.service.reviews import Review

# -- errors ----------------------------------------------------------------


class ErrorResponse(BaseModel):
    detail: str = Field(
        ..., examples=["unknown dataset 'xx' (datasets: ofac, un, eu, uk, dprk, default)"]
    )
    error: str = Field(..., examples=["unknown_dataset"])


class ValidationProblem(BaseModel):
    loc: list[str | int]
    msg: str | None = None
    type: str | None = None


class ValidationErrorResponse(BaseModel):
    """A 422, as yente reports it (a list of problems), with our code and one-line message."""

    detail: list[ValidationProblem]
    error: str = Field(..., examples=["invalid_request"])
    message: str = Field(..., examples=["query.limit: must be between 1 and 500, got 0"])


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Invalid request"},
    401: {"model": ErrorResponse, "description": "Missing, unknown or revoked API key"},
    403: {"model": ErrorResponse, "description": "The key lacks the role"},
    404: {"model": ErrorResponse, "description": "Not found"},
    409: {"model": ErrorResponse, "description": "Contradicts what is stored"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
    414: {"model": ErrorResponse, "description": "Request URI too long"},
    422: {"model": ValidationErrorResponse, "description": "Request does not match the schema"},
    429: {"model": ErrorResponse, "description": "Over a limit for now; see Retry-After"},
    503: {"model": ErrorResponse, "description": "Database unreachable or index loading"},
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses for a route.

    422 is always included (with our error shape, replacing FastAPI's
    default) because any route with a parameter can answer it.
    """
    return {c: ERRORS[c] for c in sorted({*codes, 422})}


# -- yente: match ----------------------------------------------------------


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, max_length=200, examples=["customer-1042"])
    schema_: str = Field(..., alias="schema", max_length=60, examples=["Person"])
    properties: dict[str, str | int | float | list[Any] | None] = Field(
        ...,
        description="Values of any property of the schema; what cannot be used is "
        "listed in the response's `unused`",
        examples=[{"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"]}],
    )


class EntityMatchQuery(BaseModel):
    queries: dict[str, EntityExample] = Field(
        ..., description="Query examples keyed by a name of your choice"
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Feature weights for nomenklatura's algorithms (dprkwatch's own ignores them)",
    )
    config: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="Algorithm settings; each key must be one the algorithm declares",
    )


class FeatureExplanation(BaseModel):
    score: float
    detail: str | None = None


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str] = Field(default_factory=list)
    referents: list[str] = Field(default_factory=list)
    target: bool = False
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_change: datetime | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    features: dict[str, float]
    match: bool
    explanations: dict[str, FeatureExplanation] = Field(default_factory=dict)


class TotalSpec(BaseModel):
    value: int
    relation: Literal["eq", "gte"] = "eq"


class SuppressedHit(BaseModel):
    id: str
    score: float
    review_id: str
    reviewed_at: str


class ScreeningInfo(BaseModel):
    id: str = Field(..., description="Screening record id (for POST /reviews)")
    audit_seq: int = Field(..., description="Position of the record in the audit chain")
    subject: str = Field(..., description="Subject fingerprint")
    suppressed: list[SuppressedHit] = Field(default_factory=list)


class UnusedValue(BaseModel):
    property: str
    value: str | None = None
    reason: str


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: dict[str, Any]
    unused: list[UnusedValue] = Field(
        default_factory=list, description="Properties and values the screening could not use"
    )
    screening: ScreeningInfo


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: dict[str, Any]
    limit: int
    algorithm: str
    versions: dict[str, str]
    warnings: list[str] = Field(default_factory=list)


# -- yente: search, catalog, algorithms --------------------------------------


class AdjacentResultsResponse(BaseModel):
    results: list[EntityResponse | str]
    total: TotalSpec
    limit: int
    offset: int = 0


class EntityAdjacentResponse(BaseModel):
    entity: EntityResponse
    adjacent: dict[str, AdjacentResultsResponse]


class SearchResponse(BaseModel):
    results: list[EntityResponse]
    facets: dict[str, Any] = Field(default_factory=dict)
    total: TotalSpec
    limit: int
    offset: int = 0


class ListFreshnessModel(BaseModel):
    """How current one list is: publisher, publication date, age, and why it is stale."""

    list_name: str
    version: str
    source: str | None
    source_title: str | None
    publisher: str | None
    published: str | None
    age_days: int | None
    max_age_days: int
    retired: str | None
    warnings: list[str]
    stale: bool


class DatasetModel(BaseModel):
    name: str
    title: str
    summary: str | None = None
    type: Literal["source", "collection"] = "collection"
    load: bool
    version: str
    index_version: str | None = None
    index_current: bool = False
    children: list[str]
    entity_count: int
    updated_at: str | None = None
    lists: dict[str, str]
    algorithm: str | None = None
    freshness: dict[str, ListFreshnessModel] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)


class DataCatalogModel(BaseModel):
    datasets: list[DatasetModel]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False


class AlgorithmModel(BaseModel):
    name: str
    description: str | None = None
    features: dict[str, Any] = Field(default_factory=dict)
    docs: dict[str, Any] = Field(default_factory=dict)


class AlgorithmResponse(BaseModel):
    algorithms: list[AlgorithmModel]
    default: str
    best: str


# -- our own: lists ----------------------------------------------------------


class ListVersionModel(BaseModel):
    list: str
    version: str
    published: str | None
    imported_at: str
    entities: int
    dprk: int
    format: str
    source: str | None = None
    source_title: str | None = None
    retired: str | None = None
    age_days: int | None = None
    # ``builtins``: the field ``list`` above hides the type inside this class.
    stale: builtins.list[str] = Field(
        default_factory=builtins.list,
        description="Why the list is stale: too old, undated, or from a retired source",
    )


class ListsResponse(BaseModel):
    lists: list[ListVersionModel]
    algorithm: str | None
    index_versions: dict[str, str]
    stale: list[str] = Field(
        default_factory=list, description="Every stale-list warning, as 'list: reason'"
    )


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(
        ..., min_length=1, max_length=50, description="Files or folders on the server"
    )
    format: str | None = Field(None, max_length=40)
    published: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    rescreen: bool = Field(True, description="Re-screen every registered book afterwards")
    force: bool = Field(
        False,
        description="Activate even a version older than, or much smaller than, the active one",
    )


class ImportResponse(BaseModel):
    imported: list[ListVersionModel]
    active: dict[str, str]
    rescreen_run: str | None


# -- our own: reviews and screenings ---------------------------------------


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    screening_id: str = Field(..., min_length=1, max_length=32)
    entity_id: str = Field(..., min_length=1, max_length=200)
    verdict: Literal["true_match", "false_positive"]
    reason: str = Field(..., min_length=1, max_length=4000)


class ReviewsResponse(BaseModel):
    reviews: list[Review]


# -- our own: keys and audit ---------------------------------------------------


class KeyCreateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    roles: list[Literal["screen", "review", "admin"]] = Field(..., min_length=1)


class KeyCreated(ApiKey):
    key: str = Field(..., description="The API key. Shown only once; store it now.")


class KeysResponse(BaseModel):
    keys: list[ApiKey]


# -- our own: books, rescreens, alerts ---------------------------------------


class BookFromPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    path: str = Field(..., min_length=1, max_length=4096)
    dataset: str = Field("default", max_length=60)


class BookRegistered(Book):
    rescreen_run: str


class BooksResponse(BaseModel):
    books: list[Book]


class RunsResponse(BaseModel):
    runs: list[Run]
