"""The gate every request passes: URL length, body size limit, then API key.

Written as plain ASGI (not Starlette's ``BaseHTTPMiddleware``) because it
runs on every request of a service meant to answer hundreds per second.
Requests without a valid key get 401 before routing, so an unauthenticated
caller learns nothing, not even which paths exist (and an address that keeps
sending bad keys waits, see :mod:`~dprkwatch.service.api.backoff`) - except the health
probes, the API documentation and the web workbench's page and static
files, which stay public.

The key is read from ``Authorization: ApiKey <key>`` (preferred) or from an
``api_key`` query parameter, which OpenSanctions' hosted API accepts and
which browser apps and OpenRefine need because they cannot set headers.
A key in the query string is cut out of the request before anything else
sees it: routes, error messages, the audit record and uvicorn's access log
(which reads the same request scope) only ever see the URL without it.
With ``DPRKWATCH_AUTH=none`` (loopback only) every caller is the one local
user.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dprkwatch.service.api.backoff import AuthBackoff
from dprkwatch.service.api.direct import DirectRoute, serve_direct
from dprkwatch.service.api.errors import error_response, retry_after
from dprkwatch.service.keys import Principal

PUBLIC_PATHS = frozenset(
    {"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/"}
    # A one-time sign-in token is the credential of this one (see service.logins).
    | {"/session"}
)
# The web workbench's page and static files: code, no data; the page asks for a key.
PUBLIC_PREFIXES = ("/assets/",)
QUERY_KEY = "api_key"
# Longest request line (path and query string) accepted; yente's default cap.
MAX_URL_LENGTH = 60_000


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once a streamed body passes the limit.

    An ``HTTPException`` so that FastAPI, which wraps other errors raised
    while reading a body into a generic 400, lets it through unchanged.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def presented_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The key from ``Authorization: ApiKey|Bearer <key>`` (yente's scheme) or ``X-API-Key``."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() in ("apikey", "bearer") and token.strip():
                return token.strip()
        elif name == b"x-api-key" and value.strip():
            return value.decode("latin-1").strip()
    return None


def take_query_key(query_string: bytes) -> tuple[str | None, bytes]:
    """Split an ``api_key`` parameter off a query string: (the key or None, the rest)."""
    if QUERY_KEY.encode() not in query_string:
        return None, query_string
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    keys = [v for k, v in pairs if k == QUERY_KEY]
    if not keys:
        return None, query_string
    rest = urlencode([(k, v) for k, v in pairs if k != QUERY_KEY]).encode("latin-1")
    return (keys[0].strip() or None), rest


def redact_query_key(text: str) -> str:
    """``text`` (a URL or log line) with the value of every ``api_key`` parameter hidden."""
    out: list[str] = []
    start = 0
    marker = QUERY_KEY + "="
    while True:
        at = text.find(marker, start)
        if at < 0:
            out.append(text[start:])
            return "".join(out)
        end = at + len(marker)
        if at > 0 and text[at - 1] not in "?&":
            out.append(text[start:end])
            start = end
            continue
        stop = end
        while stop < len(text) and text[stop] not in '& "':
            stop += 1
        out.append(text[start:end] + "[redacted]")
        start = stop


class Gatekeeper:
    """Enforce URL and body limits and authenticate with ``verify`` (key -> principal or None).

    ``local`` (``DPRKWATCH_AUTH=none``) skips the key check: every request
    is the local user's. A request for one of the ``direct`` routes is then
    answered by that route's function itself (see :mod:`~dprkwatch.service.api.direct`).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        verify: Callable[[str], Principal | None],
        max_body: int,
        local: bool = False,
        max_url: int = MAX_URL_LENGTH,
        direct: Sequence[DirectRoute] = (),
    ) -> None:
        self.app = app
        self.verify = verify
        self.max_body = max_body
        self.local = local
        self.max_url = max_url
        self.direct = tuple(direct)
        self.backoff = AuthBackoff()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query_key, rest = take_query_key(scope.get("query_string", b""))
        if query_key is not None or rest != scope.get("query_string", b""):
            # In place: uvicorn's access log reads this same scope.
            scope["query_string"] = rest
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
        if len(raw_path) + len(rest) + 1 > self.max_url:
            await error_response(414, "uri_too_long", "Request URI too long")(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        limit = self.max_body
        for name, value in headers:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await error_response(400, "bad_request", "invalid Content-Length header")(
                        scope, receive, send
                    )
                    return
                if length > limit:
                    await self._too_large(scope, receive, send)
                    return
        if self.local:
            scope.setdefault("state", {})["principal"] = Principal.local()
        elif scope["path"] not in PUBLIC_PATHS and not scope["path"].startswith(PUBLIC_PREFIXES):
            raw = presented_key(headers) or query_key
            client = (scope.get("client") or ("unknown", 0))[0]
            if raw:
                wait = self.backoff.retry_after(client)
                if wait > 0:
                    detail = f"too many invalid API keys from this address; retry in {retry_after(wait)} s"
                    response = error_response(
                        429, "too_many_requests", detail, {"Retry-After": retry_after(wait)}
                    )
                    await response(scope, receive, send)
                    return
            principal = self.verify(raw) if raw else None
            if principal is not None and query_key is not None and raw == query_key:
                # Kept in memory for this request only: the reconciliation manifest
                # hands it on to the services OpenRefine calls next.
                scope.setdefault("state", {})["query_key"] = query_key
            if principal is None:
                if raw:
                    self.backoff.failed(client)
                detail = (
                    "invalid or revoked API key"
                    if raw
                    else "missing API key (send 'Authorization: ApiKey <key>', or ?api_key=)"
                )
                await error_response(401, "unauthorized", detail)(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            for route in self.direct:
                param = route.param(scope)
                if param is not None:
                    await serve_direct(route, param, scope, limited_receive, tracking_send)
                    break
            else:
                await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, "payload_too_large", f"request body larger than {self.max_body} bytes"
        )
        await response(scope, receive, send)


def principal_of(scope: MutableMapping[str, Any]) -> Principal | None:
    state = scope.get("state") or {}
    value = state.get("principal")
    return value if isinstance(value, Principal) else None
