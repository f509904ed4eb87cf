"""The screening service: a yente-compatible HTTP API with storage, keys, audit and delta screening.

Two layers, one beside the other:

* the case library in this package, free of FastAPI: ``screening`` (screen a
  query, apply reviews, build the audit record), ``audit``, ``reviews``,
  ``books``, ``rescreen``, ``keys``, ``committer``, ``index``, ``analyses``
  and ``storage``. The command line calls it directly.
* :mod:`dprkwatch.service.api`, the HTTP face: app factory, routers,
  dependencies, middleware and the error table. It only parses requests,
  calls the library and renders answers.

Public API::

    from dprkwatch.service import create_app, serve
    app = create_app(settings)      # FastAPI app (for tests, or any ASGI server)
    serve(settings)                 # uvicorn on settings.host:settings.port

Both are imported on first use, so that the command line (which imports
``service.audit`` and ``service.keys``) does not load the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dprkwatch.service.api.app import create_app
    from dprkwatch.service.api.server import serve

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from dprkwatch.service.api.app import create_app

        return create_app
    if name == "serve":
        from dprkwatch.service.api.server import serve

        return serve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
