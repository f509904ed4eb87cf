"""The FastAPI application factory.

``create_app(settings)`` wires the pieces: the gatekeeper middleware (body
limit and API keys), the error table, and one router per area. Start-up
(the lifespan) migrates the database, starts the group-commit writer and
begins loading the screening index in the background; shutdown drains the
writer so no acknowledged screening is lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from dprkwatch import __version__
from dprkwatch.service.api import access_log, errors
from dprkwatch.service.api.direct import DirectRoute
from dprkwatch.service.api.middleware import Gatekeeper
from dprkwatch.service.api.models import EntityMatchQuery
from dprkwatch.service.api.routers import (
    admin,
    arsenal,
    books,
    health,
    ledger,
    lists,
    maritime,
    reconcile,
    resolution,
    reviews,
    roadmap,
    workbench,
    yente,
)
from dprkwatch.service.api.state import ServiceState
from dprkwatch.settings import Settings

DESCRIPTION = """\
Sanctions screening against the OFAC, UN, EU and UK lists, with Korean-aware
name matching. Speaks the request and response shapes of OpenSanctions'
yente (`/match`, `/search`, `/entities`, `/catalog`), and adds list
versions and diffs, reviews of hits, delta screening of registered books,
and a hash-chained audit log of every screening.

Every request except `/healthz`, `/readyz` and these docs needs an API key:
`Authorization: ApiKey <key>` (preferred), or an `api_key` query parameter
for clients that cannot set headers (it is removed from the request before
anything logs it).
"""


def _publish_models(app: FastAPI, models: list[type[BaseModel]]) -> None:
    """Add schemas of models that routes reference by hand (``$ref``) to the OpenAPI components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            _, defs = models_json_schema(
                [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
            )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in defs.get("$defs", {}).items():
                schemas.setdefault(name, definition)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    settings: Settings,
    *,
    migrate_db: bool = True,
    load_index: bool = True,
    wait_for_index: bool = False,
    warm_algorithms: bool = False,
) -> FastAPI:
    """Build the service app for ``settings`` (nothing is opened until start-up).

    With ``wait_for_index`` start-up only completes once the screening index
    is built, so the server does not accept connections before it can
    screen. ``serve`` uses it: workers sharing one socket would otherwise
    answer 503 while the others are ready. Without it (tests, embedding)
    the index loads in the background and ``/readyz`` says when it is done.
    """
    access_log.check_auth(settings)
    state = ServiceState.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(
            state.start,
            migrate_db=migrate_db,
            load_index=load_index,
            wait_for_index=wait_for_index,
            warm_algorithms=warm_algorithms,
        )
        try:
            yield
        finally:
            await run_in_threadpool(state.stop)

    app = FastAPI(
        title="dprkwatch screening service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = state
    _publish_models(app, [EntityMatchQuery])
    errors.install(app)
    for router in (
        health.router,
        yente.router,
        reconcile.router,
        lists.router,
        reviews.router,
        resolution.router,
        books.router,
        admin.router,
    ):
        app.include_router(router)
    for router in (
        ledger.router,
        arsenal.router,
        roadmap.router,
        maritime.router,
        workbench.build_router(workbench.Workbench()),
    ):
        app.include_router(router)
    app.add_middleware(
        Gatekeeper,
        verify=state.verifier.verify,
        max_body=settings.max_body_bytes,
        local=settings.auth == "none",
        direct=[
            DirectRoute("POST", "/match/", yente.match),
            DirectRoute("POST", "/reconcile/", reconcile.queries_direct),
        ],
    )
    if settings.cors_origins:
        # Outside the gate: a browser's preflight carries no key, and a 401
        # must carry the CORS headers for the page to read it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=["ETag", "x-batch-size"],
            max_age=600,
        )
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    access_log.install()
    return app
