"""The screening routes served past FastAPI's router, by the gatekeeper.

``POST /match/{dataset}`` and ``POST /reconcile/{dataset}`` must answer
hundreds of requests a second, one query each. Through FastAPI a request
passes the exception middleware, two dependency exit stacks, the router's
search of every route and the endpoint wrapper; and each time the handler
waits (for its screening lane, for the audit commit) the interpreter
resumes every one of those frames again. On ``/match`` that came to about a
tenth of a request's CPU (py-spy and paired runs, 2026-12-07). The
gatekeeper has already authenticated the request and limits its body, so
it calls the route's own function at once (:func:`serve_direct`); FastAPI
still holds the route, which its OpenAPI schema documents, and errors are
answered by the same table
(:func:`~dprkwatch.service.api.errors.domain_response`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from dprkwatch.exceptions import DprkwatchError
from dprkwatch.service.api.errors import domain_response, unexpected_response

# A route's function: called with the one path parameter and the request.
Endpoint = Callable[[str, Request], Awaitable[Response]]


@dataclass(frozen=True)
class DirectRoute:
    """``METHOD PREFIX{param}``: a route with one path parameter, the last segment."""

    method: str
    prefix: str
    endpoint: Endpoint

    def param(self, scope: Scope) -> str | None:
        """The path parameter when ``scope`` is a request for this route, else None."""
        if scope["method"] != self.method:
            return None
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if not path.startswith(self.prefix):
            return None
        rest = path[len(self.prefix) :]
        return rest if rest and "/" not in rest else None


async def serve_direct(
    route: DirectRoute, param: str, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer the request with ``route``'s function; domain errors by the error table."""
    request = Request(scope, receive, send)
    try:
        response = await route.endpoint(param, request)
    except DprkwatchError as exc:
        response = domain_response(exc)
    except StarletteHTTPException:
        raise  # a body over the limit: the gatekeeper answers it (413)
    except Exception as exc:  # what FastAPI's handler of last resort answers
        response = unexpected_response(exc)
    await response(scope, receive, send)
