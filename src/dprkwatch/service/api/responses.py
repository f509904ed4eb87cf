"""JSON responses serialised with orjson, for routes that build plain dicts.

Routes with a response model let FastAPI and pydantic serialise; the hot
screening routes build dicts and send them through :func:`json_response`,
which skips a validation pass the data does not need (the OpenAPI schema
still documents the shape through ``responses=``).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def _default(obj: Any) -> Any:
    if isinstance(obj, set | frozenset | tuple):
        return sorted(obj) if isinstance(obj, set | frozenset) else list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
    return Response(body, status_code=status, media_type="application/json", headers=headers)
