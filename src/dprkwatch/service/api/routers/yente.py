"""The yente-compatible routes: /match, /search, /entities, /catalog, /algorithms."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from followthemoney import model as ftm_model
from followthemoney.types import registry
from starlette.responses import Response

from dprkwatch.exceptions import InputError
from dprkwatch.matching.provenance import software
from dprkwatch.service.algorithms import Algorithms
from dprkwatch.service.api import match_request, yente_shapes
from dprkwatch.service.api.deps import ScreenRole, State, caller_with, get_state
from dprkwatch.service.api.lanes import SMALL_NAMES, check_name_values
from dprkwatch.service.api.models import (
    AdjacentResultsResponse,
    AlgorithmResponse,
    DataCatalogModel,
    EntityAdjacentResponse,
    EntityMatchResponse,
    EntityResponse,
    SearchResponse,
    errors,
)
from dprkwatch.service.api.responses import json_response
from dprkwatch.service.api.state import ServiceState
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.committer import appending
from dprkwatch.service.datasets import catalog as build_catalog
from dprkwatch.service.datasets import catalog_etag, etag_matches
from dprkwatch.service.entities import EntityStore, entity_property_names
from dprkwatch.service.examples import Prepared, name_values, prepare
from dprkwatch.service.exceptions import RecordNotFound, Unavailable
from dprkwatch.service.index import Loaded
from dprkwatch.service.keys import Principal
from dprkwatch.service.screening import Ask, Filters, Scoring, Screening
from dprkwatch.service.search import Request as SearchRequest
from dprkwatch.service.search import parse_sorts, schema_filter

log = logging.getLogger(__name__)
router = APIRouter(tags=["Screening (yente-compatible)"])

MAX_BATCH = 100
ALGORITHM_ALIASES = ("best", "default")


@router.post(
    "/match/{dataset}",
    summary="Screen entities by example (yente's matching API)",
    response_model=None,
    responses={
        200: {"model": EntityMatchResponse},
        **errors(400, 401, 403, 404, 413, 422, 429, 503),
    },
    openapi_extra=match_request.OPENAPI,
)
async def match(dataset: str, request: Request) -> Response:
    """Screen each query of the batch against `dataset`. Every query becomes a
    screening record in the audit log, committed before this response is sent;
    its id is in `responses.<key>.screening.id` for `POST /reviews`.

    Parameters and body are read by `match_request` rather than declared here
    (see that module for why); the schema above documents them all the same.
    A batch may hold at most 100 queries and `DPRKWATCH_MAX_NAME_VALUES` name
    values in all; a key over its share of concurrent screenings gets 429."""
    principal = caller_with(request, "screen")
    state = get_state(request)
    params = match_request.parse_params(request.query_params)
    raw = await request.body()
    lanes = state.lanes
    async with lanes.turn(principal.key_id):
        # Parsing, validating and screening are CPU work: never on the loop. A small
        # request is read and screened in one step of the quick lane; a big one (or
        # one for nomenklatura's slower algorithms) in the bulk lane, one query per step.
        read = partial(_read_batch, state, dataset, params, raw, principal)
        batch, screened = await lanes.screen(read, len(raw))
    # The key's turn covers the screening only: waiting for the audit commit is
    # not work, and a key holding its turns through the commit's fsync would cap
    # both its throughput and the size of the group commits it joins.
    committed = await state.record(screened)
    if batch.small:  # a few results: cheaper to build here than to hand over
        return batch.answer(committed)
    return await lanes.bulk_call(partial(batch.answer, committed))


@dataclass
class _Batch:
    """A validated ``/match`` request: what to screen, against what, and how to answer."""

    loaded: Loaded
    prepared: dict[str, Prepared]
    names: int
    own: bool
    ask: Callable[[Prepared], Ask]
    lists: list[str]
    limit: int
    algorithm: str
    warnings: list[str]
    # One result per resolved target (see yente_shapes.by_target); ?per_listing=true: per listing.
    group: bool = True

    @property
    def small(self) -> bool:
        """Few queries and names, scored by dprkwatch's own matcher: the quick lane's work."""
        return self.own and self.names <= SMALL_NAMES and len(self.prepared) <= SMALL_NAMES

    def asks(self) -> list[Ask]:
        return [self.ask(p) for p in self.prepared.values()]

    def answer(self, committed: list[Screening]) -> Response:
        store = self.loaded.entities
        return json_response(
            {
                "responses": {
                    key: yente_shapes.matches(s, store, group=self.group)
                    for key, s in zip(self.prepared, committed, strict=True)
                },
                "matcher": {},
                "limit": self.limit,
                "algorithm": self.algorithm,
                "versions": {n: self.loaded.versions[n] for n in self.lists},
                "warnings": self.warnings,
            },
            headers={"x-batch-size": str(len(self.prepared))},
        )


def _read_batch(
    state: ServiceState,
    dataset: str,
    params: match_request.MatchParams,
    raw: bytes,
    principal: Principal,
) -> _Batch:
    body = match_request.parse_body(raw)
    loaded = state.index.current()
    datasets = loaded.datasets
    ds = datasets.get(dataset)
    algorithm = Algorithms.resolve(params.algorithm, loaded.algorithm)
    own = algorithm == loaded.algorithm
    # May wait for nomenklatura to load: this runs on a lane's thread, not the loop.
    state.algorithms.check(algorithm, loaded.algorithm, body.config)
    if len(body.queries) > MAX_BATCH:
        raise InputError(
            f"Too many queries in one batch (limit: {MAX_BATCH}; got {len(body.queries)})",
            where="queries",
        )
    if not body.queries:
        raise InputError("No queries provided.", where="queries")
    names = sum(name_values(ex.properties) for ex in body.queries.values())
    check_name_values(names, state.settings.max_name_values)
    prepared = {
        key: prepare(key, ex.schema_, ex.properties, ex.id) for key, ex in body.queries.items()
    }
    lists = datasets.select(ds, params.include_dataset, params.exclude_dataset)
    cutoff = min(params.cutoff, params.threshold) if params.cutoff is not None else params.threshold
    warnings = []
    if own and body.weights:
        warnings.append(f"weights apply to nomenklatura's algorithms; {algorithm} ignores them")
    caller = {"key_id": principal.key_id, "name": principal.name}

    def ask(p: Prepared) -> Ask:
        filters = Filters(
            frozenset(params.exclude_schema),
            frozenset(params.exclude_entity_ids),
            frozenset(params.topics),
            changed_since=params.changed_since,
            schemata=p.result_schemata(),
        )
        scoring = Scoring(
            threshold=params.threshold,
            cutoff=cutoff,
            other=None if own else algorithm,
            entity=p.entity,
            weights=body.weights,
            config=body.config,
        )
        return Ask(
            p.query,
            dataset=ds.name,
            lists=tuple(lists),
            dprk_only=ds.dprk_only,
            limit=params.limit,
            threshold=params.threshold,
            filters=filters,
            actor=principal.actor,
            caller=caller,
            scoring=scoring,
            echo=p.echo(),
            unused=tuple(u.to_dict() for u in p.unused),
        )

    return _Batch(
        loaded, prepared, names, own, ask, lists, params.limit, algorithm, warnings,
        group=not params.per_listing,
    )  # fmt: skip


FacetName = Literal["countries", "topics", "datasets", "schema", "identifiers", "genders"]
FACET_LABELS = {
    "countries": "Countries",
    "topics": "Topics",
    "datasets": "Data sources",
    "schema": "Entity types",
    "identifiers": "Identifiers",
    "genders": "Genders",
}
Many = Annotated[list[str], Query(max_length=100)]


def _facet_label(name: str, value: str, titles: Mapping[str, str]) -> str:
    if name == "countries":
        return str(registry.country.caption(value) or value)
    if name == "topics":
        return str(registry.topic.caption(value) or value)
    if name == "schema":
        schema = ftm_model.get(value)
        return str(schema.plural) if schema is not None else value
    if name == "datasets":
        return titles.get(value, value)
    return value


@router.get(
    "/search/{dataset}",
    summary="Search entities by text, with filters and facets (yente's search API)",
    response_model=None,
    responses={200: {"model": SearchResponse}, **errors(400, 401, 403, 404, 422, 503)},
)
async def search(
    dataset: str,
    state: State,
    caller: ScreenRole,
    q: Annotated[str, Query(max_length=2000, description="Words to find (optional)")] = "",
    schema: Annotated[
        str, Query(max_length=60, description="Entity type, with its descendants")
    ] = "Thing",
    include_dataset: Many = [],  # noqa: B006 (FastAPI reads, never mutates)
    exclude_dataset: Many = [],  # noqa: B006
    exclude_schema: Many = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=match_request.TS_PATTERN.pattern)] = None,
    countries: Many = [],  # noqa: B006
    topics: Many = [],  # noqa: B006
    datasets: Many = [],  # noqa: B006
    filter: Annotated[
        list[str],
        Query(max_length=50, description="`field:value`, e.g. `properties.birthDate:1965`"),
    ] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    offset: Annotated[int, Query(ge=0, le=9499)] = 0,
    sort: Annotated[list[str], Query(max_length=10, description="`field:asc|desc`")] = [],  # noqa: B006
    target: bool | None = None,
    fuzzy: bool = False,
    simple: bool = False,
    facets: Annotated[list[FacetName], Query(max_length=6)] = ["countries", "topics", "datasets"],  # noqa: B006
    filter_op: Literal["AND", "OR"] = "OR",
) -> Response:
    """Find entities by text within `dataset`: every word must appear (in a name, or
    anywhere), with Lucene-style syntax unless `simple`; typos allowed with `fuzzy`.
    Filters narrow, facets count, and `total` counts every entity found."""
    loaded = state.index.current()
    scope = loaded.datasets
    ds = scope.get(dataset)
    lists = scope.select(ds, include_dataset, exclude_dataset)
    fields: dict[str, list[Any]] = {}
    if countries:
        fields["countries"] = list(countries)
    if topics:
        fields["topics"] = list(topics)
    if datasets:
        fields["datasets"] = list(datasets)
    for flt in filter:
        name, sep, value = flt.partition(":")
        if not sep or not name:
            raise InputError(f"invalid filter {flt[:60]!r} (use field:value)", where="filter")
        fields.setdefault(name, []).append(value)
    if target is not None:
        fields["target"] = [target]
    req = SearchRequest(
        q=q,
        lists=frozenset(lists),
        only=loaded.dprk_ids if ds.dprk_only else None,
        schemata=schema_filter(schema),
        exclude_schema=frozenset(exclude_schema),
        filters=fields,
        filter_and=filter_op == "AND",
        changed_since=changed_since,
        fuzzy=fuzzy,
        simple=simple,
        sort=parse_sorts(sort),
        facets=list(dict.fromkeys(facets)),
        limit=limit,
        offset=offset,
    )
    # Searching and building the answer are CPU work: never on the loop, and no
    # thread waits for the audit commit (awaited below). A search that may take
    # tens of milliseconds goes to the bulk lane, so that it cannot hold up the
    # single-query screenings of the quick lane.
    work = partial(_search, loaded, req, _search_entry(caller, req, ds.name, loaded, lists))
    call = state.lanes.bulk_call if heavy_search(req) else state.lanes.quick_call
    response, entry = await call(work)
    await _record_search(state, entry)
    return response


# A search is quick when it has words, no typo expansion and a page of at most this many.
QUICK_SEARCH_LIMIT = 50


def heavy_search(req: SearchRequest) -> bool:
    """Whether ``req`` may take tens of milliseconds (measured on the four lists: every entity
    with all facets and 500 results 41 ms, a fuzzy two-word search 14 ms, a name 1 ms)."""
    return not req.q.strip() or req.fuzzy or req.limit > QUICK_SEARCH_LIMIT


def _search(
    loaded: Loaded, req: SearchRequest, entry: Callable[[int, list[str]], AuditEntry]
) -> tuple[Response, AuditEntry]:
    """The answer to ``req`` and the audit entry that must be committed before it is sent."""
    found = loaded.search.search(req)
    store = loaded.entities
    titles = {d.name: d.title for d in loaded.datasets}
    response = json_response(
        {
            "results": [store.document(i) for i in found.ids],
            "facets": {
                name: {
                    "label": FACET_LABELS[name],
                    "values": [
                        {"name": v, "label": _facet_label(name, v, titles), "count": c}
                        for v, c in values
                    ],
                }
                for name, values in found.facets.items()
            },
            "total": {"value": found.total, "relation": "eq"},
            "limit": req.limit,
            "offset": req.offset,
        }
    )
    return response, entry(found.total, found.ids)


def _search_entry(
    caller: Principal, req: SearchRequest, dataset: str, loaded: Loaded, lists: list[str]
) -> Callable[[int, list[str]], AuditEntry]:
    """The audit entry of a search, given what it found: what was asked, against which
    list versions, and which entities were shown."""

    def entry(total: int, ids: list[str]) -> AuditEntry:
        return AuditEntry(
            "search",
            caller.actor,
            {
                "q": req.q,
                "dataset": dataset,
                "filters": {k: list(v) for k, v in req.filters.items()},
                "exclude_schema": sorted(req.exclude_schema),
                "fuzzy": req.fuzzy,
                "limit": req.limit,
                "offset": req.offset,
                "versions": {n: loaded.versions[n] for n in lists},
                "algorithm": loaded.algorithm,
                "software": software(loaded.algorithm),
                "total": total,
                "results": list(ids),
                "caller": {"key_id": caller.key_id, "name": caller.name},
            },
        )

    return entry


async def _record_search(state: ServiceState, entry: AuditEntry) -> None:
    """Commit the search's record before it is answered, as a screening's is."""
    try:
        await state.committer.write(appending([entry]))
    except Unavailable:
        raise
    except Exception as exc:
        log.exception("audit write failed")
        raise Unavailable(
            "the search could not be recorded in the audit log, so no result is given"
        ) from exc


def _redirect(request: Request, entity_id: str, canonical: str) -> Response:
    path = request.url.path
    prefix = f"/entities/{quote(entity_id, safe='')}"
    tail = path[len(prefix) :] if path.startswith(prefix) else ""
    return Response(
        status_code=308, headers={"Location": f"/entities/{quote(canonical, safe='')}{tail}"}
    )


def _store(state: ServiceState, request: Request, entity_id: str) -> EntityStore | Response:
    """The entity store when ``entity_id`` is canonical, a 308 to the canonical id when it
    is a referent, a 404 when it is neither: the start of every /entities route."""
    store = state.index.current().entities
    canonical = store.canonical(entity_id)
    if canonical is None:
        raise RecordNotFound(f"no entity with id {entity_id!r}")
    if canonical != entity_id:
        return _redirect(request, entity_id, canonical)
    return store


_REFERENT: dict[int | str, dict[str, Any]] = {
    308: {"description": "The id is a referent of another entity: follow `Location`"}
}


@router.get(
    "/entities/{entity_id}",
    summary="One entity, with the entities around it (yente's entity API)",
    response_model=None,
    responses={
        200: {"model": EntityResponse},
        **_REFERENT,
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
    store = _store(state, request, entity_id)
    if isinstance(store, Response):
        return store
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
        **_REFERENT,
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
    store = _store(state, request, entity_id)
    if isinstance(store, Response):
        return store
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
        **_REFERENT,
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
    store = _store(state, request, entity_id)
    if isinstance(store, Response):
        return store
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


OWN_DESCRIPTION = (
    "dprkwatch's Korean-aware matcher: Hangul, every romanization and hanja; identifiers "
    "(IMO, MMSI, documents, wallets), dates and countries as qualifiers. Calibrated "
    "threshold 0.80."
)


@router.get(
    "/algorithms",
    response_model=AlgorithmResponse,
    summary="The matching algorithms a /match request can choose",
    responses=errors(401, 403, 503),
)
def algorithms(state: State, _caller: ScreenRole) -> dict[str, Any]:
    """dprkwatch's own matcher (`best`) and nomenklatura's algorithms under yente's names,
    each with its documentation, settings (`config`) and features."""
    loaded = state.index.current()
    return state.algorithms.describe(
        loaded.algorithm, OWN_DESCRIPTION, state.settings.hidden_algorithms
    )
