"""The yente-compatible routes: /match, /search, /entities, /catalog, /algorithms."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from dprkwatch.exceptions import InputError
from dprkwatch.matching.exceptions import QueryError
from dprkwatch.matching.query import Query as MatchQuery
from dprkwatch.matching.query import Scope
from dprkwatch.matching.result import Match
from dprkwatch.service.api import match_request, yente_shapes
from dprkwatch.service.api.deps import ScreenRole, State
from dprkwatch.service.api.middleware import principal_of
from dprkwatch.service.api.models import (
    AdjacentResultsResponse,
    AlgorithmResponse,
    DataCatalogModel,
    EntityAdjacentResponse,
    EntityExample,
    EntityMatchResponse,
    EntityResponse,
    SearchResponse,
    errors,
)
from dprkwatch.service.api.responses import json_response
from dprkwatch.service.api.state import ServiceState
from dprkwatch.service.datasets import Datasets, catalog_etag, etag_matches
from dprkwatch.service.datasets import catalog as build_catalog
from dprkwatch.service.entities import EntityStore, entity_property_names
from dprkwatch.service.exceptions import Forbidden, NotAuthenticated, RecordNotFound, Unavailable
from dprkwatch.service.index import Loaded
from dprkwatch.service.screening import Filters, screen, unit

log = logging.getLogger(__name__)
router = APIRouter(tags=["Screening (yente-compatible)"])

MAX_BATCH = 100
ALGORITHM_ALIASES = ("best", "default")


def _query(key: str, example: EntityExample) -> MatchQuery:
    try:
        return MatchQuery(schema=example.schema_, properties=example.properties, id=example.id)
    except QueryError as exc:
        where = f"queries.{key}" + (f".{exc.where}" if exc.where else "")
        raise QueryError(exc.problem, where=where) from None


def _check_algorithm(requested: str | None, current: str) -> None:
    if requested is None or requested in ALGORITHM_ALIASES or requested == current:
        return
    raise InputError(
        f"unknown algorithm {requested!r}: this service runs {current!r} (or say 'best')",
        where="algorithm",
    )


@router.post(
    "/match/{dataset}",
    summary="Screen entities by example (yente's matching API)",
    response_model=None,
    responses={200: {"model": EntityMatchResponse}, **errors(400, 401, 403, 404, 413, 422, 503)},
    openapi_extra=match_request.OPENAPI,
)
async def match(dataset: str, request: Request) -> Response:
    """Screen each query of the batch against `dataset`. Every query becomes a
    screening record in the audit log, committed before this response is sent;
    its id is in `responses.<key>.screening.id` for `POST /reviews`.

    Parameters and body are read by `match_request` rather than declared here
    (see that module for why); the schema above documents them all the same."""
    principal = principal_of(request.scope)
    if principal is None:
        raise NotAuthenticated("missing API key (send 'Authorization: ApiKey <key>')")
    if not principal.has("screen"):
        raise Forbidden("this API key lacks the 'screen' role")
    state: ServiceState = request.app.state.service
    params = match_request.parse_params(request.query_params)
    body = match_request.parse_body(await request.body())
    loaded = state.index.current()
    datasets = Datasets(loaded.versions)
    ds = datasets.get(dataset)
    _check_algorithm(params.algorithm, loaded.algorithm)
    if body.weights or body.config:
        raise InputError("custom weights and config are not supported", where="weights")
    if not body.queries:
        raise InputError("no queries provided", where="queries")
    if len(body.queries) > MAX_BATCH:
        raise InputError(
            f"too many queries in one batch ({len(body.queries)}; at most {MAX_BATCH})",
            where="queries",
        )
    queries = {key: _query(key, ex) for key, ex in body.queries.items()}
    lists = datasets.select(ds, params.include_dataset, params.exclude_dataset)
    filters = Filters(
        frozenset(params.exclude_schema),
        frozenset(params.exclude_entity_ids),
        frozenset(params.topics),
    )
    caller = {"key_id": principal.key_id, "name": principal.name}
    batch = [
        screen(
            loaded,
            q,
            dataset=ds.name,
            lists=lists,
            dprk_only=ds.dprk_only,
            limit=params.limit,
            threshold=params.threshold,
            filters=filters,
            actor=principal.actor,
            caller=caller,
        )
        for q in queries.values()
    ]
    try:
        committed = await state.committer.write(unit(batch))
    except Unavailable:
        raise
    except Exception as exc:  # never answer a screening whose record is not committed
        log.exception("audit write failed")
        raise Unavailable(
            "the screening could not be recorded in the audit log, so no result is given"
        ) from exc
    return json_response(
        {
            "responses": {
                key: yente_shapes.matches(s) for key, s in zip(queries, committed, strict=True)
            },
            "matcher": {},
            "limit": params.limit,
            "algorithm": loaded.algorithm,
            "versions": {n: loaded.versions[n] for n in lists},
        },
        headers={"x-batch-size": str(len(queries))},
    )


@router.get(
    "/search/{dataset}",
    summary="Search entities by name (yente's search API)",
    response_model=None,
    responses={200: {"model": SearchResponse}, **errors(400, 401, 403, 404, 422, 503)},
)
def search(
    dataset: str,
    state: State,
    _caller: ScreenRole,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Text to search for")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    schema: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    loaded = state.index.current()
    datasets = Datasets(loaded.versions)
    ds = datasets.get(dataset)
    lists = datasets.select(ds)
    found: list[Match] = []
    if lists and q.strip():
        found = list(
            loaded.screener.search(
                q, limit=limit + offset, scope=Scope(lists=lists, dprk_only=ds.dprk_only)
            )
        )
    if schema:
        found = [m for m in found if m.schema == schema]
    page = found[offset : offset + limit]
    return json_response(
        {
            "results": [yente_shapes.found(m, loaded.entity(m.entity_id)) for m in page],
            "facets": {},
            "total": {"value": len(found), "relation": "eq"},
            "limit": limit,
            "offset": offset,
        }
    )


def _redirect(request: Request, entity_id: str, canonical: str) -> Response:
    path = request.url.path
    prefix = f"/entities/{quote(entity_id, safe='')}"
    tail = path[len(prefix) :] if path.startswith(prefix) else ""
    return Response(
        status_code=308, headers={"Location": f"/entities/{quote(canonical, safe='')}{tail}"}
    )


def _root(state: ServiceState, entity_id: str) -> tuple[Loaded, str]:
    """The loaded index and the canonical id ``entity_id`` stands for (404 when none)."""
    loaded = state.index.current()
    canonical = loaded.entities.canonical(entity_id)
    if canonical is None:
        raise RecordNotFound(f"no entity with id {entity_id!r}")
    return loaded, canonical


@router.get(
    "/entities/{entity_id}",
    summary="One entity, with the entities around it (yente's entity API)",
    response_model=None,
    responses={
        200: {"model": EntityResponse},
        308: {"description": "The id is a referent of another entity: follow `Location`"},
        **errors(401, 403, 404, 422, 503),
    },
)
def entity(
    entity_id: str,
    request: Request,
    state: State,
    _caller: ScreenRole,
    nested: Annotated[
        bool, Query(description="Inline adjacent entities (sanctions, addresses, owners...)")
    ] = True,
) -> Response:
    """A listed entity, or any entity linked to one (its `Sanction`, `Address`, `Ownership`...).
    With `nested` (the default) the entities it links to and those that link to it are
    inlined as objects, as yente does, one hop deep plus the far side of edge entities."""
    loaded, canonical = _root(state, entity_id)
    if canonical != entity_id:
        return _redirect(request, entity_id, canonical)
    store = loaded.entities
    doc = store.nested(entity_id) if nested else store.document(entity_id)
    return json_response(doc)


PageLimit = Annotated[int, Query(ge=0, le=500, description="Entities per property")]
PageOffset = Annotated[int, Query(ge=0, le=9499, description="Skip this many")]


def _adjacent_page(
    store: EntityStore, entity_id: str, prop: str, limit: int, offset: int
) -> dict[str, Any] | None:
    results, total = store.adjacent(entity_id, prop, limit, offset)
    if not total:
        return None
    return {
        "results": results,
        "total": {"value": total, "relation": "eq"},
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/entities/{entity_id}/adjacent",
    summary="The entities adjacent to one, by property, paged (yente's adjacent API)",
    response_model=None,
    responses={
        200: {"model": EntityAdjacentResponse},
        308: {"description": "The id is a referent of another entity: follow `Location`"},
        **errors(401, 403, 404, 422, 503),
    },
)
def adjacent(
    entity_id: str,
    request: Request,
    state: State,
    _caller: ScreenRole,
    limit: PageLimit = 10,
    offset: PageOffset = 0,
) -> Response:
    """The same neighbours as the nested entity, grouped by property, a page of each."""
    loaded, canonical = _root(state, entity_id)
    if canonical != entity_id:
        return _redirect(request, entity_id, canonical)
    store = loaded.entities
    meta = store.meta[entity_id]
    pages: dict[str, Any] = {}
    for prop in entity_property_names(meta.schema):
        page = _adjacent_page(store, entity_id, prop, limit, offset)
        if page is not None:
            pages[prop] = page
    return json_response({"entity": store.document(entity_id), "adjacent": pages})


@router.get(
    "/entities/{entity_id}/adjacent/{property_name}",
    summary="The entities adjacent to one through one property, paged",
    response_model=None,
    responses={
        200: {"model": AdjacentResultsResponse},
        308: {"description": "The id is a referent of another entity: follow `Location`"},
        **errors(401, 403, 404, 422, 503),
    },
)
def adjacent_by_property(
    entity_id: str,
    property_name: str,
    request: Request,
    state: State,
    _caller: ScreenRole,
    limit: PageLimit = 10,
    offset: PageOffset = 0,
) -> Response:
    loaded, canonical = _root(state, entity_id)
    if canonical != entity_id:
        return _redirect(request, entity_id, canonical)
    store = loaded.entities
    if property_name not in entity_property_names(store.meta[entity_id].schema):
        raise RecordNotFound(
            f"{store.meta[entity_id].schema} has no entity property {property_name!r}"
        )
    results, total = store.adjacent(entity_id, property_name, limit, offset)
    return json_response(
        {
            "results": results,
            "total": {"value": total, "relation": "eq"},
            "limit": limit,
            "offset": offset,
        }
    )


@router.get(
    "/catalog",
    response_model=None,
    summary="Datasets and their versions (yente's catalog)",
    responses={
        200: {"model": DataCatalogModel},
        304: {"description": "Not modified (the `If-None-Match` tag is current)"},
        **errors(401, 403),
    },
)
def catalog(request: Request, state: State, _caller: ScreenRole) -> Response:
    """Every dataset (sources and collections) with its version. The answer carries an
    `ETag` and may be cached for five minutes; a request with a current `If-None-Match`
    gets an empty 304."""
    algorithm = state.index.current().algorithm if state.index.ready else None
    document = build_catalog(
        state.store.active(), algorithm, max_age_days=state.settings.list_age_days
    )
    etag = catalog_etag(document)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return json_response(document, headers=headers)


@router.get("/manifest", response_model=None, include_in_schema=False)
def manifest(request: Request, state: State, caller: ScreenRole) -> Response:
    """yente's name for the catalog (its configuration file lists the datasets)."""
    return catalog(request, state, caller)


@router.get(
    "/algorithms",
    response_model=AlgorithmResponse,
    summary="The matching algorithm in use",
    responses=errors(401, 403, 503),
)
def algorithms(state: State, _caller: ScreenRole) -> dict[str, Any]:
    loaded = state.index.current()
    name = loaded.algorithm
    return {
        "algorithms": [
            {"name": name, "description": "dprkwatch Korean-aware matcher", "features": {}}
        ],
        "default": name,
        "best": name,
    }
