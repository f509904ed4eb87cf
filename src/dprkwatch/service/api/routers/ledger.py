"""The sourced ledger over HTTP: timeline, pressure index, compliance matrix, claims.

Each route is a thin layer over :mod:`dprkwatch.ledger`; the analyses are
cached per data directory (:mod:`dprkwatch.service.analyses`). Read-only,
so the ``screen`` role is enough. Dates take ``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``: ``from`` means the first day such a date can mean and
``to`` the last, as in ``dprkwatch ledger --from/--to``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dprkwatch.exceptions import InputError
from dprkwatch.ledger import (
    KINDS,
    CommitmentRow,
    Ledger,
    QuarterRow,
    commitment_rows,
    resolution_matrix,
    resolve_kinds,
    views,
)
from dprkwatch.service.api.deps import AnalysesDep, ScreenRole
from dprkwatch.service.api.models import errors

router = APIRouter(prefix="/ledger", tags=["Ledger"])

PRESSURE_FROM = views.PRESSURE_FROM
# Breaches listed per compliance cell. With the CNS data every launch breaches
# the launch obligations of every resolution; all of them made a 1 MB answer.
MAX_BREACHES = 20
_DATE = "YYYY, YYYY-MM or YYYY-MM-DD"
FromParam = Annotated[str | None, Query(alias="from", max_length=10, description=f"Start: {_DATE}")]
ToParam = Annotated[
    str | None, Query(alias="to", max_length=10, description=f"End, inclusive: {_DATE}")
]


def date_range(
    start: str | None, end: str | None, default_start: str | None = None
) -> tuple[date | None, date | None]:
    """``from``/``to`` parsed by :func:`dprkwatch.ledger.views.parse_range`; a clear 400 otherwise."""
    try:
        return views.parse_range(start, end, default_start=default_start)
    except ValueError as exc:
        where, _, problem = str(exc).partition(": ")
        raise InputError(problem, where=where) from None


# -- response shapes ---------------------------------------------------------


class CitationModel(BaseModel):
    id: str
    title: str
    publisher: str
    date: str = Field(description="Publication date (for a database entry: the entry's date)")
    url: str
    retrieved: str | None = Field(None, description="When our copy of a database was taken")


class EventModel(BaseModel):
    id: str
    date: str
    end_date: str | None
    clock: str = Field(description="`local`, `UTC` or `unstated`: which calendar day `date` is")
    category: str
    kind: str
    title: str
    detail: str
    dataset: str
    sources: list[str] = Field(description="Citations as text: publisher, title, date, URL")
    citations: list[CitationModel] = Field(description="The same citations, resolved")
    confidence: str
    attrs: dict[str, Any]


class TimelineResponse(BaseModel):
    events: list[EventModel]
    total: int = Field(description="Events matching the filters (before `limit`)")
    kinds: dict[str, str] = Field(description="Every event kind and its category")
    datasets: list[str] = Field(
        description="Datasets present in the timeline (ledger, cns, csis...)"
    )
    legend: dict[str, str] = Field(description="What `clock` and other notations mean")
    notes: list[str]


class Baseline(BaseModel):
    count: int
    on_or_before: str


class PressureResponse(BaseModel):
    lists: list[str]
    rows: list[QuarterRow]
    coverage: dict[str, list[list[str]]] = Field(
        description="Per list, [start, end] spans the data can date"
    )
    baseline: dict[str, Baseline] = Field(
        description="Per list, entries already in the oldest version"
    )
    markers: list[EventModel] = Field(
        description="Summits, talks, agreements, resolutions and nuclear tests in range"
    )
    legend: dict[str, str] = Field(description="What the compact notations mean")
    notes: list[str]


class SourceModel(BaseModel):
    id: str
    publication: str
    title: str
    date: str
    url: str
    note: str | None = None


class BreachModel(BaseModel):
    date: str
    text: str
    ref: str | None
    sources: list[str]
    standing: bool


class CellModel(BaseModel):
    resolution: str
    label: str
    adopted: str
    obligation: str
    force: str
    binding: bool
    status: str
    summary: str
    breaches: list[BreachModel] = Field(
        description=f"The first {MAX_BREACHES} breaches, in date order"
    )
    breach_count: int = Field(description="All breaches, including those not listed")
    note: str


class MatrixRow(BaseModel):
    resolution: str
    label: str
    adopted: str
    cells: dict[str, CellModel]


class ComplianceResponse(BaseModel):
    columns: list[str] = Field(description="DPRK obligations, in column order")
    rows: list[MatrixRow]
    commitments: list[CommitmentRow]
    sources: dict[str, SourceModel] = Field(
        description="Every bibliography entry cited above, by id"
    )
    notes: list[str]


class FindingModel(BaseModel):
    text: str
    date: str | None
    citations: list[CitationModel]


class AssessmentModel(BaseModel):
    as_of: str
    verdict: str
    value: str
    evidence: list[FindingModel]
    withheld: int = Field(description="Ledger rows left out because only later sources cite them")
    data: dict[str, Any]


class ClaimModel(BaseModel):
    id: str
    topic: str
    claim: str
    quote: str = Field(description="The commentary's own words")
    as_of: str = Field(description="When the claim was made")
    verdict: str = Field(description="Today's verdict (see `today_assessment`)")
    value: str
    evidence: list[str] = Field(description="Today's findings as text, each with its citations")
    at_time: AssessmentModel = Field(description="Judged on what was citable when it was made")
    today_assessment: AssessmentModel = Field(description="Judged on what is citable today")


class ClaimsResponse(BaseModel):
    claims: list[ClaimModel]
    today: str
    notes: list[str]


# -- routes ------------------------------------------------------------------


@router.get(
    "/timeline",
    response_model=TimelineResponse,
    summary="Curated and imported events on one timeline",
    responses=errors(400, 401, 403),
)
def timeline(
    analyses: AnalysesDep,
    _caller: ScreenRole,
    start: FromParam = None,
    end: ToParam = None,
    kind: Annotated[
        list[str] | None,
        Query(max_length=30, description="Kinds or categories (diplomacy, test, un...)"),
    ] = None,
    dataset: Annotated[
        str | None, Query(max_length=40, description="Only events from this dataset")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 2000,
) -> TimelineResponse:
    first, last = date_range(start, end)
    try:
        kinds = resolve_kinds(kind) if kind else None
    except ValueError as exc:
        raise InputError(str(exc), where="kind") from None
    listing = views.timeline(analyses.inputs(), start=first, end=last, kinds=kinds, dataset=dataset)
    return TimelineResponse(
        events=[EventModel(**e) for e in listing.page(limit).rows],
        total=listing.total,
        kinds=dict(KINDS),
        datasets=listing.meta["datasets"],
        legend=listing.legend,
        notes=listing.notes,
    )


@router.get(
    "/pressure",
    response_model=PressureResponse,
    summary="DPRK designations per quarter and list, beside diplomacy and tests",
    responses=errors(400, 401, 403),
)
def pressure(
    analyses: AnalysesDep,
    _caller: ScreenRole,
    start: FromParam = PRESSURE_FROM,
    end: ToParam = None,
) -> PressureResponse:
    first, last = date_range(start, end, default_start=PRESSURE_FROM)
    inputs = analyses.inputs()
    index, markers = views.pressure_index(inputs, first or date.min, last or date.today())
    return PressureResponse(
        lists=index.lists,
        rows=index.rows,
        coverage={k: [[str(i.start), str(i.end)] for i in v] for k, v in index.coverage.items()},
        baseline={k: Baseline(count=n, on_or_before=d) for k, (n, d) in index.baseline.items()},
        markers=[EventModel(**views.event_row(e)) for e in markers],
        legend=views.PRESSURE_LEGEND,
        notes=[*inputs.notes, *index.notes],
    )


def _cell(data: dict[str, Any]) -> CellModel:
    breaches = data.pop("breaches")
    return CellModel(**data, breaches=breaches[:MAX_BREACHES], breach_count=len(breaches))


def _sources(ledger: Ledger, ids: set[str]) -> dict[str, SourceModel]:
    return {s.id: SourceModel(**s.model_dump(mode="json")) for s in ledger.sources if s.id in ids}


@router.get(
    "/compliance",
    response_model=ComplianceResponse,
    summary="Resolutions × DPRK obligations, and agreements × commitments",
    responses=errors(400, 401, 403),
)
def compliance(
    analyses: AnalysesDep,
    _caller: ScreenRole,
    start: FromParam = None,
    end: ToParam = None,
) -> ComplianceResponse:
    first, last = date_range(start, end)
    inputs = analyses.inputs()
    ledger = inputs.ledger
    matrix = resolution_matrix(ledger, inputs.events, start=first, end=last)
    commitments = commitment_rows(ledger, start=first, end=last)
    rows = [
        MatrixRow(
            resolution=res.id,
            label=res.label,
            adopted=str(res.date),
            cells={k: _cell(c.to_dict()) for k, c in cells.items()},
        )
        for res, cells in matrix.rows
    ]
    ids = {s for row in rows for c in row.cells.values() for b in c.breaches for s in b.sources}
    ids.update(s for c in commitments for s in c.sources)
    return ComplianceResponse(
        columns=matrix.columns,
        rows=rows,
        commitments=commitments,
        sources=_sources(ledger, ids),
        notes=matrix.notes,
    )


@router.get(
    "/claims",
    response_model=ClaimsResponse,
    summary="The commentary's quantitative claims, checked against the data",
    responses=errors(400, 401, 403),
)
def claims(
    analyses: AnalysesDep,
    _caller: ScreenRole,
    today: Annotated[
        str | None,
        Query(max_length=10, description=f"Evaluate as of this date (default: today): {_DATE}"),
    ] = None,
) -> ClaimsResponse:
    as_of = date_range(None, today)[1] or date.today()
    verdicts = analyses.claims(as_of)
    return ClaimsResponse(
        claims=[_claim(v.to_dict()) for v in verdicts],
        today=as_of.isoformat(),
        notes=list(analyses.inputs().notes),
    )


def _claim(d: dict[str, Any]) -> ClaimModel:
    today = d["today"]
    return ClaimModel(
        id=d["id"],
        topic=d["topic"],
        claim=d["claim"],
        quote=d["quote"],
        as_of=d["made"],
        verdict=today["verdict"],
        value=today["value"],
        evidence=[
            f"{f['text']} — "
            + "; ".join(
                f'{c["publisher"]}, "{c["title"]}" ({c["date"]}). {c["url"]}'
                for c in f["citations"]
            )
            for f in today["evidence"]
        ],
        at_time=AssessmentModel(**d["at_time"]),
        today_assessment=AssessmentModel(**today),
    )


@router.get(
    "/sources",
    response_model=list[SourceModel],
    summary="The bibliography every ledger row cites",
    responses=errors(401, 403),
)
def sources(analyses: AnalysesDep, _caller: ScreenRole) -> list[SourceModel]:
    ledger = analyses.inputs().ledger
    return [SourceModel(**s.model_dump(mode="json")) for s in ledger.sources]
