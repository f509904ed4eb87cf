"""FastAPI dependencies: the service state, the cached analyses and the caller's role.

The gatekeeper middleware has already authenticated the caller; a route
only says which role it needs. ``Security`` on the documented header makes
the key show up in the OpenAPI schema (and in the docs' "Authorize" box).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from dprkwatch.service.analyses import Analyses
from dprkwatch.service.api.middleware import principal_of
from dprkwatch.service.api.state import ServiceState
from dprkwatch.service.exceptions import Forbidden, NotAuthenticated
from dprkwatch.service.keys import Principal

api_key_header = APIKeyHeader(
    name="Authorization",
    scheme_name="ApiKey",
    description="`ApiKey <key>` (yente's scheme); `Bearer <key>` and an `X-API-Key` header also work.",
    auto_error=False,
)


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


# The dependencies are coroutines although they never wait: FastAPI runs a
# plain function dependency on its thread pool, so each would cost a request
# a crossing to a worker thread and back (a queue, a condition and a wake-up
# of the event loop). On GET /search, which FastAPI routes, that crossing was
# the largest single cost a request carried (py-spy --gil, 2026-12-07).


async def state_dependency(request: Request) -> ServiceState:
    """:func:`get_state`, called on the event loop."""
    return get_state(request)


State = Annotated[ServiceState, Depends(state_dependency)]


async def get_analyses(request: Request) -> Analyses:
    return get_state(request).analyses


AnalysesDep = Annotated[Analyses, Depends(get_analyses)]


def caller_with(request: Request, role: str) -> Principal:
    """The caller, if their key has ``role`` (admin has every role); else 401 or 403."""
    principal = principal_of(request.scope)
    if principal is None:
        raise NotAuthenticated("missing API key (send 'Authorization: ApiKey <key>')")
    if not principal.has(role):
        raise Forbidden(f"this API key lacks the {role!r} role")
    return principal


def require(role: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that yields the caller if their key has ``role`` (see :func:`caller_with`)."""

    async def dependency(
        request: Request, _key: str | None = Security(api_key_header)
    ) -> Principal:
        return caller_with(request, role)

    dependency.__name__ = f"require_{role}"
    return dependency


ScreenRole = Annotated[Principal, Depends(require("screen"))]
ReviewRole = Annotated[Principal, Depends(require("review"))]
AdminRole = Annotated[Principal, Depends(require("admin"))]
