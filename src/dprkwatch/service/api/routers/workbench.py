"""The web workbench: its page at ``/`` and its static files under ``/assets/``.

The front end is built from ``web/`` at the repository root (``make web``)
into the package folder ``dprkwatch/web/static/``; this router only serves
those files. Page and files are public (they hold code, no data); every API
call the page makes carries the caller's key.

The page is sent with a Content-Security-Policy that allows nothing but
this origin: scripts, styles, images, fonts and ``fetch`` all come from the
service itself, so the browser refuses any request elsewhere even if a
dependency tried one. That is how the workbench stays offline.

When the bundle has not been built, ``/`` serves the API reference instead
(as yente does at ``/``), with a note saying how to build the workbench;
the API itself is unaffected.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, HTMLResponse, Response

from dprkwatch.service.api import apidocs
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.web.bundle import Bundle

log = logging.getLogger(__name__)

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Chart and map libraries set element styles from script.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Vite names built files by content hash, so they can be cached for good.
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}

MISSING = (
    "<p><strong>The web workbench is not built</strong> (looked for <code>{index}</code>). "
    "Build it with <code>make web</code> (Node.js 20 and npm; it runs "
    "<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>) and restart the "
    "service. The API below works without it.</p>"
)


class Workbench(Bundle):
    """Serves one bundle directory (the packaged one, or another in tests)."""

    def page(self, openapi: dict[str, Any]) -> Response:
        if not self.built:
            html = apidocs.render(openapi, note=MISSING.format(index=escape(str(self.index))))
            return HTMLResponse(html, headers={**PAGE_HEADERS, "Cache-Control": "no-cache"})
        return FileResponse(self.index, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    def asset_response(self, name: str) -> Response:
        path = self.asset(name)
        if path is None:
            raise RecordNotFound(f"no such file: /assets/{name}")
        return FileResponse(path, headers=ASSET_HEADERS)


def build_router(workbench: Workbench) -> APIRouter:
    """Routes for ``workbench``; logs a warning at start-up when its bundle is missing."""
    router = APIRouter(include_in_schema=False)
    if not workbench.built:
        log.warning(
            "web workbench not built (no %s): run `make web`; the API is unaffected",
            workbench.index,
        )

    @router.get("/")
    def page(request: Request) -> Response:
        return workbench.page(request.app.openapi())

    @router.get("/assets/{name:path}")
    def asset(name: str) -> Response:
        return workbench.asset_response(name)

    return router
