"""The edge of the API: one error shape, keys and roles, size limits, bad input, a missing database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from dprkwatch.service.api import match_request
from dprkwatch.service.api.direct import DirectRoute
from dprkwatch.service.api.errors import HANDLERS, status_for
from dprkwatch.service.exceptions import (
    DatabaseUnavailable,
    Forbidden,
    UnknownDataset,
)
from dprkwatch.settings import Settings
from tests.service.factory import LiveService, live_service

PERSON = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ryang Chol Min"]}}}}


def assert_error(r: httpx.Response, status: int, code: str, detail_part: str) -> None:
    """The pinned error shape: ``detail`` (one line) and ``error``; a 422 lists its
    problems in ``detail`` as yente does and keeps the line in ``message``."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["error"] == code
    if status == 422:
        assert set(body) == {"detail", "error", "message"}
        assert body["detail"] and all(
            {"loc", "msg", "type"} == set(problem) for problem in body["detail"]
        )
        line = body["message"]
    else:
        assert set(body) == {"detail", "error"}
        line = body["detail"]
    assert detail_part in line
    assert "\n" not in line


def test_the_error_table_maps_the_most_specific_class() -> None:
    assert status_for(UnknownDataset("x")) == (404, "unknown_dataset")
    assert status_for(DatabaseUnavailable("x")) == (503, "unavailable")
    assert status_for(Forbidden("x")) == (403, "forbidden")
    assert status_for(KeyError("x")) == (500, "internal_error")
    assert all(400 <= status < 600 for status, _code in HANDLERS.values())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/match/default"),
        ("GET", "/search/default?q=x"),
        ("GET", "/entities/ofac-5001"),
        ("GET", "/catalog"),
        ("GET", "/lists"),
        ("GET", "/alerts"),
        ("GET", "/audit/export"),
        ("GET", "/no/such/path"),
    ],
)
def test_everything_but_health_and_docs_needs_a_key(
    sqlite_service: LiveService, method: str, path: str
) -> None:
    r = sqlite_service.anon.request(method, path, json=PERSON if method == "POST" else None)
    assert_error(r, 401, "unauthorized", "missing API key")
    assert r.headers["www-authenticate"].startswith("ApiKey")


def test_health_and_docs_are_public(sqlite_service: LiveService) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs", "/redoc"):
        assert sqlite_service.anon.get(path).status_code == 200, path
    assert sqlite_service.anon.get("/healthz").json() == {"status": "ok"}


def test_unknown_and_revoked_keys_are_rejected(sqlite_service: LiveService) -> None:
    bogus = sqlite_service.client("dpk_000000000000_" + "A" * 43)
    assert_error(bogus.get("/catalog"), 401, "unauthorized", "invalid or revoked")
    key = sqlite_service.key("screen")
    client = sqlite_service.client(key)
    assert client.get("/catalog").status_code == 200
    key_id = key.split("_")[1]
    assert sqlite_service.admin.delete(f"/keys/{key_id}").json()["active"] is False
    assert_error(client.get("/catalog"), 401, "unauthorized", "invalid or revoked")


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("screen", "POST", "/match/default", True),
        ("screen", "GET", "/reviews", False),
        ("screen", "GET", "/keys", False),
        ("review", "GET", "/reviews", True),
        ("review", "POST", "/match/default", False),
        ("review", "GET", "/audit/verify", False),
        ("admin", "GET", "/audit/verify", True),
        ("admin", "POST", "/match/default", True),
    ],
)
def test_roles(
    sqlite_service: LiveService, role: str, method: str, path: str, allowed: bool
) -> None:
    client = sqlite_service.client(sqlite_service.key(role))
    r = client.request(method, path, json=PERSON if method == "POST" else None)
    if allowed:
        assert r.status_code == 200, r.text
    else:
        assert_error(r, 403, "forbidden", "this API key lacks the")


def test_other_ways_of_sending_the_key(sqlite_service: LiveService) -> None:
    key = sqlite_service.key("screen")
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        assert sqlite_service.anon.get("/catalog", headers=headers).status_code == 200


def test_bad_match_requests_get_clear_4xx(sqlite_service: LiveService) -> None:
    c = sqlite_service.admin
    assert_error(
        c.post("/match/default", content=b'{"queries": {', headers={"content-type": "application/json"}),
        400, "bad_request", "invalid JSON",
    )  # fmt: skip
    assert_error(
        c.post("/match/nowhere", json=PERSON), 404, "unknown_dataset", "unknown dataset 'nowhere'"
    )
    bad_schema = {"queries": {"a": {"schema": "Spaceship", "properties": {"name": ["X"]}}}}
    assert_error(
        c.post("/match/default", json=bad_schema),
        400,
        "bad_request",
        "queries.a.schema: unknown schema 'Spaceship'",
    )
    # As in yente, what a query cannot use is left out (and named), never fatal.
    bad_prop = {
        "queries": {
            "a": {"schema": "Person", "properties": {"shoeSize": ["44"]}},
            "b": PERSON["queries"]["q"],
        }
    }
    r = c.post("/match/default", json=bad_prop)
    assert r.status_code == 200, r.text
    unused = r.json()["responses"]["a"]["unused"]
    assert {
        "property": "shoeSize",
        "value": None,
        "reason": "Person has no property 'shoeSize'",
    } in unused
    assert r.json()["responses"]["b"]["results"][0]["id"] == "ofac-5001"
    assert_error(
        c.post("/match/default", json={"queries": {}}), 400, "bad_request", "No queries provided"
    )
    assert_error(c.post("/match/default", json={"nope": 1}), 422, "invalid_request", "queries")
    too_many = {"queries": {str(i): PERSON["queries"]["q"] for i in range(101)}}
    assert_error(c.post("/match/default", json=too_many), 400, "bad_request", "Too many queries")
    weights = {**PERSON, "weights": {"name_literal_match": 0.5}}
    noted = c.post("/match/default", json=weights).json()["warnings"]
    assert noted and "ignores them" in noted[0]
    config = {**PERSON, "config": {"nm_number_mismatch": 0.4}}
    assert_error(
        c.post("/match/default", json=config), 400, "bad_request", "Invalid configuration parameter"
    )
    assert_error(c.post("/match/default?limit=0", json=PERSON), 422, "invalid_request", "limit")
    assert_error(
        c.post("/match/default?algorithm=logic-v9", json=PERSON),
        400,
        "bad_request",
        "Invalid algorithm",
    )
    # As in yente, an unknown dataset in a filter filters (here: keeps nothing).
    mars = c.post("/match/default?include_dataset=mars", json=PERSON)
    assert mars.status_code == 200 and mars.json()["responses"]["q"]["results"] == []
    assert_error(c.get("/entities/no-such-entity"), 404, "not_found", "no entity with id")
    assert_error(c.get("/screenings/abc"), 404, "not_found", "no screening")
    assert_error(c.delete("/match/default"), 405, "method_not_allowed", "allowed: POST")
    # Found by the fuzzer: an offset past 64 bits reached the database and raised.
    assert_error(c.get("/alerts?offset=" + "9" * 40), 422, "invalid_request", "offset")


def test_oversized_bodies_are_refused(sqlite_settings: Settings) -> None:
    with live_service(replace(sqlite_settings, max_body_bytes=2000)) as svc:
        small = svc.admin.post("/match/default", json=PERSON)
        assert small.status_code == 200
        big = {"queries": {"q": {"schema": "Person", "properties": {"name": ["x" * 3000]}}}}
        assert_error(
            svc.admin.post("/match/default", json=big),
            413,
            "payload_too_large",
            "larger than 2000 bytes",
        )

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            yield b'{"queries": {"q": {"schema": "Person", "properties": {"name": ["'
            for _ in range(10):
                yield b"y" * 500
            yield b'"]}}}}'

        streamed = svc.admin.post(
            "/match/default", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_error(streamed, 413, "payload_too_large", "larger than 2000 bytes")
        # The service is fine afterwards.
        assert svc.admin.post("/match/default", json=PERSON).status_code == 200


def test_unreachable_database_gives_503_on_readiness_and_screening(settings: Settings) -> None:
    broken = replace(
        settings,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        admin_key="adm" * 11,
        key_ttl=0,
    )
    with live_service(broken, wait_ready=False, migrate_db=False) as svc:
        assert svc.anon.get("/healthz").status_code == 200
        assert_error(svc.anon.get("/readyz"), 503, "unavailable", "database unavailable")
        # The bootstrap admin key needs no database; the screening itself cannot be recorded.
        r = svc.admin.post("/match/default", json=PERSON)
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "unavailable"


def test_405_names_every_allowed_method(sqlite_service: LiveService) -> None:
    c = sqlite_service.admin
    # /books is served by two routes (GET lists, POST registers); both are allowed.
    r = c.put("/books")
    assert_error(r, 405, "method_not_allowed", "method PUT not allowed here")
    assert r.headers["Allow"] == "GET, POST"
    r = c.patch("/keys/abc")
    assert r.status_code == 405 and r.headers["Allow"] == "DELETE"


def test_a_direct_route_takes_only_its_own_requests() -> None:
    async def endpoint(_param: str, _request: object) -> object:
        raise AssertionError("not called")

    route = DirectRoute("POST", "/match/", endpoint)  # type: ignore[arg-type]

    def param(method: str, path: str, root: str = "") -> str | None:
        return route.param({"method": method, "path": path, "root_path": root})

    assert param("POST", "/match/default") == "default"
    assert param("POST", "/api/match/un", root="/api") == "un"
    assert param("GET", "/match/default") is None
    assert param("POST", "/match/") is None
    assert param("POST", "/match/default/") is None
    assert param("POST", "/match/default/extra") is None
    assert param("POST", "/matches/default") is None


def test_match_past_the_router_answers_as_the_router_did(
    sqlite_service: LiveService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``POST /match/{dataset}`` is answered by the gatekeeper itself (service.api.direct):
    domain errors keep the table's shape, a bug is the generic JSON 500, and the requests
    it does not take (other methods, a trailing slash) still reach FastAPI's router."""
    c = sqlite_service.admin
    assert_error(c.post("/match/nope", json=PERSON), 404, "unknown_dataset", "nope")
    r = c.get("/match/default")
    assert_error(r, 405, "method_not_allowed", "method GET not allowed here")
    assert r.headers["Allow"] == "POST"
    assert c.post("/match/default/", json=PERSON).status_code == 307  # the router's redirect

    def broken(_query: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(match_request, "parse_params", broken)
    r = c.post("/match/default", json=PERSON)
    assert_error(r, 500, "internal_error", "internal server error")
    assert "a bug" not in r.text
    monkeypatch.undo()
    assert c.post("/match/default", json=PERSON).status_code == 200
