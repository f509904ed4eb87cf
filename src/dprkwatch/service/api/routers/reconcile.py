"""The W3C Reconciliation API routes (OpenRefine), over :mod:`dprkwatch.service.reconcile`.

Reconciliation queries are screenings like ``/match`` queries: screened
by dprkwatch's matcher (or ``?algorithm=``), each one recorded in the
audit log before the answer. The manifest hands the query string it was
fetched with (an ``api_key``) on to the suggest, extend, preview and view
services, so OpenRefine, which cannot set headers, reaches them with the
same key. Every ``GET`` answers JSONP when given a ``callback`` (the
specification's fallback for browsers the service's CORS settings do not
let in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from dprkwatch.exceptions import InputError
from dprkwatch.service import reconcile as rc
from dprkwatch.service.algorithms import Algorithms
from dprkwatch.service.api.deps import ScreenRole, State, caller_with, get_state
from dprkwatch.service.api.lanes import SMALL_NAMES, check_name_values
from dprkwatch.service.api.match_request import DEFAULT_THRESHOLD, TS_PATTERN
from dprkwatch.service.api.models import errors
from dprkwatch.service.api.responses import json_response
from dprkwatch.service.api.state import ServiceState
from dprkwatch.service.examples import Prepared, name_values, prepare
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.index import Loaded
from dprkwatch.service.keys import Principal
from dprkwatch.service.screening import Ask, Filters, Scoring
from dprkwatch.service.search import schema_filter

if TYPE_CHECKING:
    from followthemoney.schema import Schema

router = APIRouter(tags=["Reconciliation (W3C, OpenRefine)"])
MAX_BATCH = 100

Prefix = Annotated[str, Query(max_length=500, description="What the user has typed")]
Callback = Annotated[
    str | None, Query(max_length=300, description="JSONP: wrap the answer in this function call")
]


def _reply(
    data: Any, callback: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """JSON, or JSONP when a ``callback`` (a plain JavaScript name, nothing else) is given."""
    if callback is None:
        return json_response(data, headers=headers)
    if not rc.CALLBACK.match(callback):
        raise InputError("callback: expected a JavaScript function name", where="callback")
    body = callback.encode() + b"(" + orjson.dumps(data) + b");"
    return Response(body, media_type="application/javascript", headers=headers)


def _manifest(request: Request, state: ServiceState, dataset: str) -> dict[str, Any]:
    loaded = state.index.current()
    scope = loaded.datasets
    ds = scope.get(dataset)
    base = str(request.base_url).rstrip("/") + f"/reconcile/{dataset}"
    query = request.url.query
    keep = f"?{query}" if query else ""
    # The key was cut out of the request by the gatekeeper; hand it on to the services.
    key = (request.scope.get("state") or {}).get("query_key")
    if key:
        keep = f"{keep}&api_key={key}" if keep else f"?api_key={key}"
    schemata = rc.schemata_in(loaded.entities, scope.select(ds))
    root = str(request.base_url).rstrip("/")
    # A page a person can read, reachable without a header: OpenRefine's view link and preview.
    page = f"{base}/preview?id={{{{id}}}}" + (f"&{keep[1:]}" if keep else "")
    return {
        "versions": ["0.2"],
        "name": f"{ds.title} (dprkwatch)",
        "identifierSpace": f"{root}/entities/",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "documentation": f"{root}/docs",
        "batchSize": 3,
        "view": {"url": page},
        "preview": {"url": page, "width": rc.PREVIEW_WIDTH, "height": rc.PREVIEW_HEIGHT},
        "suggest": {
            kind: {"service_url": base, "service_path": f"/suggest/{kind}{keep}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": f"/extend/property{keep}"},
            "propose_settings": [
                {
                    "name": "limit",
                    "label": "Limit",
                    "type": "number",
                    "default": 0,
                    "help_text": "Maximum number of values to return per row (0 for no limit).",
                },
                {
                    "name": "render",
                    "label": "Value rendering",
                    "type": "select",
                    "default": "caption",
                    "choices": [
                        {"id": "caption", "name": "User-readable value"},
                        {"id": "raw", "name": "Machine-readable value"},
                    ],
                    "help_text": "Return readable value (e.g. 'Russia') instead of raw value ('ru').",
                },
            ],
        },
        "defaultTypes": [rc.type_of(s) for s in schemata],
    }


@dataclass
class _Queries:
    """A reconciliation batch read and validated: one screening per query."""

    loaded: Loaded
    examples: dict[str, Prepared]
    names: int
    own: bool
    ask: Callable[[str, Prepared], Ask]

    @property
    def small(self) -> bool:
        """Few queries and names, scored by dprkwatch's own matcher: the quick lane's work."""
        return self.own and self.names <= SMALL_NAMES and len(self.examples) <= SMALL_NAMES

    def asks(self) -> list[Ask]:
        return [self.ask(key, p) for key, p in self.examples.items()]


async def _queries(
    state: ServiceState,
    principal: Principal,
    dataset: str,
    raw: str,
    algorithm: str | None,
    changed_since: str | None,
) -> dict[str, Any]:
    """Screen the batch off the event loop, in the same lanes and per-key turns as ``/match``."""
    lanes = state.lanes
    async with lanes.turn(principal.key_id):
        read = partial(_read, state, principal, dataset, raw, algorithm, changed_since)
        batch, candidates = await lanes.screen(read, len(raw))
    committed = await state.record(candidates)  # outside the turn, as /match's
    return {
        key: {"result": [rc.scored_result(r.hit) for r in s.outcome.results]}
        for key, s in zip(batch.examples, committed, strict=True)
    }


def _read(
    state: ServiceState,
    principal: Principal,
    dataset: str,
    raw: str,
    algorithm: str | None,
    changed_since: str | None,
) -> _Queries:
    try:
        batch = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"queries: invalid JSON ({exc})", where="queries") from None
    if not isinstance(batch, dict):
        raise InputError("queries: expected an object of queries", where="queries")
    if len(batch) > MAX_BATCH:
        raise InputError(f"Too many queries in one batch (limit: {MAX_BATCH})", where="queries")
    loaded = state.index.current()
    scope = loaded.datasets
    ds = scope.get(dataset)
    lists = scope.select(ds)
    name = Algorithms.resolve(algorithm, loaded.algorithm)
    own = name == loaded.algorithm
    read = {str(key): rc.query_example(query, str(key)) for key, query in batch.items()}
    names = sum(name_values(props) for _schema, props, _limit in read.values())
    check_name_values(names, state.settings.max_name_values)
    examples = {key: prepare(key, schema, props, None) for key, (schema, props, _) in read.items()}
    caller = {"key_id": principal.key_id, "name": principal.name, "via": "reconcile"}

    def ask(key: str, p: Prepared) -> Ask:
        scoring = Scoring(
            threshold=DEFAULT_THRESHOLD, cutoff=None, other=None if own else name, entity=p.entity
        )
        return Ask(
            p.query,
            dataset=ds.name,
            lists=tuple(lists),
            dprk_only=ds.dprk_only,
            limit=read[key][2],
            threshold=DEFAULT_THRESHOLD,
            filters=Filters(changed_since=changed_since, schemata=p.result_schemata()),
            actor=principal.actor,
            caller=caller,
            scoring=scoring,
            echo=p.echo(),
            unused=tuple(u.to_dict() for u in p.unused),
        )

    return _Queries(loaded, examples, names, own, ask)


def _extend(state: ServiceState, raw: str) -> dict[str, Any]:
    try:
        request = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InputError("Cannot decode extension request", where="extend") from None
    if not isinstance(request, dict):
        raise InputError("an extend request must be an object", where="extend")
    return rc.extend(state.index.current().entities, request)


async def _answer(
    request: Request, state: ServiceState, principal: Principal, dataset: str, values: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answer to ``queries`` or ``extend`` in ``values``, and its headers."""
    algorithm = request.query_params.get("algorithm")
    since = request.query_params.get("changed_since")
    if since is not None and not TS_PATTERN.match(since):
        raise InputError("changed_since: expected YYYY-MM-DD[THH[:MM[:SS]]]", where="changed_since")
    extend = values.get("extend")
    if isinstance(extend, str) and extend.strip():
        out = _extend(state, extend)
        return out, {"x-batch-size": str(len(out["rows"]))}
    queries = values.get("queries")
    if not isinstance(queries, str) or not queries.strip():
        raise InputError("No queries or extend request provided.", where="queries")
    answer = await _queries(state, principal, dataset, queries, algorithm, since)
    return answer, {"x-batch-size": str(len(answer))}


@router.get(
    "/reconcile/{dataset}",
    summary="Reconciliation service manifest (or queries given as `queries=`)",
    response_model=None,
    responses=errors(400, 401, 403, 404, 429, 503),
)
async def manifest(
    dataset: str, request: Request, state: State, principal: ScreenRole, callback: Callback = None
) -> Response:
    """The service manifest OpenRefine reads first. Given `queries` or `extend` as query
    parameters (the specification's GET form), answers them instead."""
    if "queries" in request.query_params or "extend" in request.query_params:
        data, headers = await _answer(request, state, principal, dataset, request.query_params)
        return _reply(data, callback, headers)
    return _reply(_manifest(request, state, dataset), callback)


@router.post(
    "/reconcile/{dataset}",
    summary="Reconciliation queries and data extension (form fields `queries` / `extend`)",
    response_model=None,
    responses=errors(400, 401, 403, 404, 429, 503),
)
async def queries(dataset: str, request: Request, state: State, principal: ScreenRole) -> Response:
    """A batch of reconciliation queries (`queries`: JSON) or an extension request
    (`extend`: JSON), form-encoded as OpenRefine sends them."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    data, headers = await _answer(request, state, principal, dataset, values)
    return json_response(data, headers=headers)


async def queries_direct(dataset: str, request: Request) -> Response:
    """:func:`queries` as the gatekeeper calls it, past the router (see ``service.api.direct``)."""
    return await queries(dataset, request, get_state(request), caller_with(request, "screen"))


@router.get(
    "/reconcile/{dataset}/suggest/entity",
    summary="Suggest entities by name prefix",
    response_model=None,
    responses=errors(400, 401, 403, 404, 503),
)
def suggest_entity(
    dataset: str,
    state: State,
    _caller: ScreenRole,
    prefix: Prefix = "",
    type: Annotated[str | None, Query(max_length=60, description="Only this type")] = None,
    cursor: Annotated[int, Query(ge=0, le=9499, description="Skip this many")] = 0,
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    callback: Callback = None,
) -> Response:
    """Entities whose names start with what the user typed (OpenRefine's suggest box)."""
    loaded = state.index.current()
    scope = loaded.datasets
    lists = scope.select(scope.get(dataset))
    schemata = schema_filter(type) if type else None
    ids = loaded.search.prefix(prefix, lists, limit, cursor, schemata) if prefix.strip() else []
    found = [rc.suggested_entity(loaded.entities, i) for i in ids]
    return _reply({**rc.OK, "prefix": prefix, "result": [f for f in found if f]}, callback)


def _schemata(state: ServiceState, dataset: str) -> list[Schema]:
    """The schemata of the entities in ``dataset`` (what the type and property suggestions offer)."""
    loaded = state.index.current()
    scope = loaded.datasets
    return rc.schemata_in(loaded.entities, scope.select(scope.get(dataset)))


@router.get(
    "/reconcile/{dataset}/suggest/type",
    summary="Suggest entity types (schemata) by prefix",
    response_model=None,
    responses=errors(400, 401, 403, 404, 503),
)
def suggest_type(
    dataset: str, state: State, _caller: ScreenRole, prefix: Prefix = "", callback: Callback = None
) -> Response:
    schemata = _schemata(state, dataset)
    result = rc.suggest_types(schemata, prefix)
    return _reply({**rc.OK, "prefix": prefix, "result": result}, callback)


@router.get(
    "/reconcile/{dataset}/suggest/property",
    summary="Suggest properties by prefix",
    response_model=None,
    responses=errors(400, 401, 403, 404, 503),
)
def suggest_property(
    dataset: str, state: State, _caller: ScreenRole, prefix: Prefix = "", callback: Callback = None
) -> Response:
    schemata = _schemata(state, dataset)
    result = rc.suggest_properties(schemata, prefix)
    return _reply({**rc.OK, "prefix": prefix, "result": result}, callback)


@router.get(
    "/reconcile/{dataset}/extend/property",
    summary="Properties to offer for data extension of a type",
    response_model=None,
    responses=errors(400, 401, 403, 404, 503),
)
def extend_property(
    dataset: str,
    state: State,
    _caller: ScreenRole,
    type: Annotated[str, Query(max_length=60)] = "Thing",
    limit: Annotated[int, Query(ge=0, le=500)] = 0,
    callback: Callback = None,
) -> Response:
    loaded = state.index.current()
    loaded.datasets.get(dataset)
    return _reply(rc.extend_properties(type, limit), callback)


@router.get(
    "/reconcile/{dataset}/preview",
    summary="A short HTML page about one entity (OpenRefine's preview and view)",
    response_model=None,
    responses={
        200: {"description": "An HTML page", "content": {"text/html": {}}},
        **errors(401, 403, 404, 422, 503),
    },
)
def preview(
    dataset: str,
    state: State,
    _caller: ScreenRole,
    id: Annotated[str, Query(min_length=1, max_length=500, description="An entity id")],
) -> Response:
    """What OpenRefine shows in a frame when the user hovers over a reconciled cell: the
    entity's name, type, sources and main properties. A referent id shows its entity."""
    loaded = state.index.current()
    loaded.datasets.get(dataset)
    store = loaded.entities
    canonical = store.canonical(id)
    page = rc.preview_html(store, canonical) if canonical is not None else None
    if page is None:
        raise RecordNotFound(f"no entity with id {id!r}")
    return HTMLResponse(page)
