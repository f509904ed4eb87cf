"""The gate every request passes: body size limit, then API key.

Written as plain ASGI (not Starlette's ``BaseHTTPMiddleware``) because it
runs on every request of a service meant to answer hundreds per second.
Requests without a valid key get 401 before routing, so an unauthenticated
caller learns nothing, not even which paths exist - except the health
probes, the API documentation and the web workbench's page and static
files, which stay public.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dprkwatch.service.api.errors import error_response
from dprkwatch.service.keys import Principal

PUBLIC_PATHS = frozenset(
    {"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/"}
)
# The web workbench's page and static files: code, no data; the page asks for a key.
PUBLIC_PREFIXES = ("/assets/",)


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


class Gatekeeper:
    """Enforce ``max_body`` bytes and authenticate with ``verify`` (key -> principal or None)."""

    def __init__(
        self, app: ASGIApp, *, verify: Callable[[str], Principal | None], max_body: int
    ) -> None:
        self.app = app
        self.verify = verify
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
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
        if scope["path"] not in PUBLIC_PATHS and not scope["path"].startswith(PUBLIC_PREFIXES):
            raw = presented_key(headers)
            principal = self.verify(raw) if raw else None
            if principal is None:
                detail = (
                    "invalid or revoked API key"
                    if raw
                    else "missing API key (send 'Authorization: ApiKey <key>')"
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
