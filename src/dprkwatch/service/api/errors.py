"""Domain errors to HTTP responses, in one table, with one JSON shape.

Every error response body is ``{"detail": <one-line message>, "error": <code>}``.
``detail`` is what yente and its clients read; ``error`` is a stable code a
program can branch on. Anything not in the table is a bug: it becomes a 500
with a generic message and its traceback goes to the log.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from dprkwatch.exceptions import ConfigError, DprkwatchError, InputError, LockTimeout, NotFoundError
from dprkwatch.lists.exceptions import ActivationRefused
from dprkwatch.service.exceptions import (
    AuditIntegrityError,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotAuthenticated,
    TooManyRequests,
    Unavailable,
    UnknownDataset,
)

log = logging.getLogger(__name__)

# Exception class -> (HTTP status, error code). Looked up along the MRO, so
# the most specific class listed wins.
HANDLERS: dict[type[BaseException], tuple[int, str]] = {
    NotAuthenticated: (401, "unauthorized"),
    Forbidden: (403, "forbidden"),
    UnknownDataset: (404, "unknown_dataset"),
    NotFoundError: (404, "not_found"),
    Conflict: (409, "conflict"),
    ActivationRefused: (409, "conflict"),
    TooManyRequests: (429, "too_many_requests"),
    InvalidRequest: (422, "invalid_request"),
    InputError: (400, "bad_request"),
    Unavailable: (503, "unavailable"),
    AuditIntegrityError: (503, "unavailable"),
    LockTimeout: (503, "unavailable"),
    ConfigError: (500, "config_error"),
    DprkwatchError: (400, "error"),
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}


def status_for(exc: BaseException) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in HANDLERS:
            return HANDLERS[cls]
    return 500, "internal_error"


def error_response(
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> Response:
    """The error body. A 422 lists its problems in ``detail`` as yente does
    (``[{"loc", "msg", "type"}]``) and keeps the one-line message in ``message``."""
    if status == 422:
        listed = problems or [{"loc": ["request"], "msg": detail, "type": "value_error"}]
        body = orjson.dumps({"detail": listed, "error": code, "message": detail})
    else:
        body = orjson.dumps({"detail": detail, "error": code})
    hdrs = dict(headers or {})
    if status == 401:
        hdrs.setdefault("WWW-Authenticate", 'ApiKey realm="dprkwatch"')
    return Response(body, status_code=status, media_type="application/json", headers=hdrs)


def _location(loc: Any) -> str:
    parts = (
        [str(p) for p in loc if p not in ("body",)] if isinstance(loc, list | tuple) else [str(loc)]
    )
    return ".".join(parts) or "body"


def validation_message(exc: RequestValidationError) -> tuple[int, str]:
    """One line for a request that failed validation; invalid JSON is a 400."""
    errors = list(exc.errors())
    if not errors:
        return 422, "invalid request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        ctx = first.get("ctx") or {}
        return 400, f"invalid JSON in request body: {ctx.get('error', 'cannot parse')}"
    msg = f"{_location(first.get('loc', ()))}: {first.get('msg', 'invalid')}"
    if len(errors) > 1:
        msg += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return 422, msg


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """Every method some route serves at the request's path (asked of the routes themselves)."""
    allowed = []
    for method in _METHODS:
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


def domain_response(exc: Exception) -> Response:
    """The response to a domain error (a :class:`DprkwatchError`), by the table above."""
    status, code = status_for(exc)
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc)
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": retry_after(exc.retry_after)}
    problems = exc.errors if isinstance(exc, InvalidRequest) else None
    return error_response(status, code, str(exc), headers, problems=problems)


def unexpected_response(exc: BaseException) -> Response:
    """A bug: logged with its traceback, answered with a generic 500."""
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def on_domain(_request: Request, exc: Exception) -> Response:
        return domain_response(exc)

    async def on_validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        status, message = validation_message(exc)
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return error_response(
            status, _HTTP_CODES.get(status, "invalid_request"), message, problems=problems
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            # Starlette names only the methods of the first route that matched
            # the path; a path served by several routes allows all of theirs.
            allowed = allowed_methods(request.app, request.scope)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
            detail = f"method {request.method} not allowed here (allowed: {', '.join(allowed)})"
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, detail, headers)

    async def on_unexpected(_request: Request, exc: Exception) -> Response:
        return unexpected_response(exc)

    app.add_exception_handler(DprkwatchError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
