"""Reading a ``POST /match`` request without FastAPI's per-parameter machinery.

``/match`` is the route that must answer hundreds of times a second, and
FastAPI's generic handling of ten list-valued query parameters and a body
model cost about a third of the CPU of a whole screening. This module parses
them directly - orjson for the body, one pydantic validation, a loop over
the query string - with the same rules and the same one-line errors, and
supplies the OpenAPI description (:data:`OPENAPI`) so the published schema
stays exact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from dprkwatch.exceptions import InputError
from dprkwatch.service.api.models import EntityMatchQuery
from dprkwatch.service.exceptions import InvalidRequest

MAX_LIMIT = 500
DEFAULT_LIMIT = 5
# yente's default: a result scoring at least this is a match, and nothing at
# or below it is returned unless ``cutoff`` is set lower.
DEFAULT_THRESHOLD = 0.70
TS_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$")
_LIST_PARAMS = {
    "include_dataset": 20,
    "exclude_dataset": 20,
    "exclude_schema": 20,
    "exclude_entity_ids": 50,
    "topics": 20,
}


@dataclass(frozen=True)
class MatchParams:
    limit: int = DEFAULT_LIMIT
    threshold: float = DEFAULT_THRESHOLD
    cutoff: float | None = None
    algorithm: str | None = None
    changed_since: str | None = None
    include_dataset: tuple[str, ...] = ()
    exclude_dataset: tuple[str, ...] = ()
    exclude_schema: tuple[str, ...] = ()
    exclude_entity_ids: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    # One result per listing rather than per resolved target (see yente_shapes.by_target).
    per_listing: bool = False


def _number(raw: str, name: str, cast: Callable[[str], float], low: float, high: float) -> float:
    try:
        value = cast(raw)
    except ValueError:
        kind = "an integer" if cast is int else "a number"
        raise InvalidRequest(
            f"query.{name}: expected {kind}, got {raw[:40]!r}",
            loc=("query", name),
            kind="int_parsing" if cast is int else "float_parsing",
        ) from None
    if math.isnan(value) or not low <= value <= high:
        raise InvalidRequest(
            f"query.{name}: must be between {low:g} and {high:g}, got {raw[:40]}",
            loc=("query", name),
            kind="less_than_equal" if value > high else "greater_than_equal",
        )
    return value


def parse_params(query: QueryParams) -> MatchParams:
    """The query-string options of ``/match``; unknown parameters are ignored, as yente does."""
    values: dict[str, Any] = {}
    if "limit" in query:
        values["limit"] = int(_number(query["limit"], "limit", int, 1, MAX_LIMIT))
    if "threshold" in query:
        values["threshold"] = _number(query["threshold"], "threshold", float, 0.0, 1.0)
    if "cutoff" in query:
        values["cutoff"] = _number(query["cutoff"], "cutoff", float, 0.0, 1.0)
    if "changed_since" in query:
        since = query["changed_since"]
        if not TS_PATTERN.match(since):
            raise InvalidRequest(
                "query.changed_since: expected YYYY-MM-DD[THH[:MM[:SS]]]",
                loc=("query", "changed_since"),
                kind="string_pattern_mismatch",
            )
        values["changed_since"] = since
    if "algorithm" in query:
        algorithm = query["algorithm"]
        if len(algorithm) > 60:
            raise InvalidRequest(
                "query.algorithm: at most 60 characters",
                loc=("query", "algorithm"),
                kind="string_too_long",
            )
        values["algorithm"] = algorithm
    if "per_listing" in query:
        flag = query["per_listing"].lower()
        if flag not in ("true", "false", "1", "0"):
            raise InvalidRequest(
                "query.per_listing: expected true or false",
                loc=("query", "per_listing"),
                kind="bool_parsing",
            )
        values["per_listing"] = flag in ("true", "1")
    for name, most in _LIST_PARAMS.items():
        items = query.getlist(name)
        if len(items) > most:
            raise InvalidRequest(
                f"query.{name}: at most {most} values, got {len(items)}",
                loc=("query", name),
                kind="too_long",
            )
        if items:
            values[name] = tuple(items)
    return MatchParams(**values)


def parse_body(raw: bytes) -> EntityMatchQuery:
    """The JSON body, validated against :class:`EntityMatchQuery`."""
    if not raw.strip():
        raise InvalidRequest(
            "body: a JSON object with 'queries' is required", loc=("body",), kind="missing"
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"invalid JSON in request body: {exc}") from None
    try:
        return EntityMatchQuery.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "body"
        more = (
            f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
            if len(errors) > 1
            else ""
        )
        raise InvalidRequest(
            f"{loc}: {first.get('msg', 'invalid')}{more}",
            errors=[
                {"loc": ["body", *e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
                for e in errors
            ],
        ) from None


def _list_param(name: str, most: int, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": most},
        "style": "form",
        "explode": True,
    }


OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Results per query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
        },
        {
            "name": "threshold",
            "in": "query",
            "required": False,
            "description": "Score at which a result is a match (yente's default, 0.70)",
            "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": DEFAULT_THRESHOLD},
        },
        {
            "name": "cutoff",
            "in": "query",
            "required": False,
            "deprecated": True,
            "description": "Results scoring at or below this are not returned "
            "(default and at most: the threshold)",
            "schema": {"type": "number", "minimum": 0, "maximum": 1},
        },
        {
            "name": "algorithm",
            "in": "query",
            "required": False,
            "description": "'best' (dprkwatch's matcher) or one of nomenklatura's: "
            "logic-v2, logic-v1, name-based, name-qualified, ofac (see /algorithms)",
            "schema": {"type": "string", "maxLength": 60},
        },
        {
            "name": "changed_since",
            "in": "query",
            "required": False,
            "description": "Only entities changed after this time",
            "schema": {"type": "string", "pattern": TS_PATTERN.pattern},
        },
        {
            "name": "per_listing",
            "in": "query",
            "required": False,
            "description": "One result per listing; by default the listings of one resolved "
            "target (see `dprkwatch resolve`) are one result with their referents and datasets",
            "schema": {"type": "boolean", "default": False},
        },
        _list_param("include_dataset", 20, "Only these datasets or lists"),
        _list_param("exclude_dataset", 20, "Not these datasets or lists"),
        _list_param("exclude_schema", 20, "Drop results of these schemata"),
        _list_param("exclude_entity_ids", 50, "Drop these entity ids"),
        _list_param("topics", 20, "Only results with one of these topics"),
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/EntityMatchQuery"}}
        },
    },
    "security": [{"ApiKey": []}],
}
