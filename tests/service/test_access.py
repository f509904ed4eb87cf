"""Getting in: keys in the header or the query string, CORS, keyless local mode, gzip, limits.

A key given as ``?api_key=`` must never reach a log line, an error
message or the audit record; these tests read all three.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from dprkwatch.exceptions import ConfigError
from dprkwatch.service.api.access_log import RedactKeys, check_auth, is_loopback
from dprkwatch.service.api.middleware import redact_query_key, take_query_key
from dprkwatch.settings import Settings, load
from tests.service.conftest import ADMIN_KEY
from tests.service.factory import OFAC_V1, UN, LiveService, import_lists, live_service

QUERY = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ryang Chol Min"]}}}}


@pytest.fixture
def logged(sqlite_settings: Settings) -> Iterator[LiveService]:
    import_lists(sqlite_settings.home, OFAC_V1, UN)
    with live_service(sqlite_settings, access_log=True) as svc:
        yield svc


def test_a_key_in_the_query_string_works_and_is_never_logged_echoed_or_audited(
    logged: LiveService, caplog: pytest.LogCaptureFixture
) -> None:
    key = logged.key("screen", name="browser-app")
    secret = key.split("_", 2)[2]  # dpk_<id>_<secret>; the secret may itself hold "_"
    anon = logged.anon
    # Another test's uvicorn may have set the access logger not to propagate.
    access = logging.getLogger("uvicorn.access")
    access.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="uvicorn.access"):
        ok = anon.post(f"/match/default?api_key={key}&limit=3", json=QUERY)
        not_found = anon.post(f"/match/nope?api_key={key}", json=QUERY)
        invalid = anon.get(f"/search/default?api_key={key}&limit=banana")
        wrong = anon.post("/match/default?api_key=dpk_000000000000_wrong", json=QUERY)
    access.removeHandler(caplog.handler)
    assert ok.status_code == 200, ok.text
    assert ok.json()["limit"] == 3  # the other parameters survive the key's removal
    assert not_found.status_code == 404 and invalid.status_code == 422
    assert wrong.status_code == 401
    for r in (ok, not_found, invalid, wrong):
        assert secret not in r.text
    access_lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/match/default" in line and "limit=3" in line for line in access_lines)
    assert all(secret not in line for line in access_lines)
    server_side = [r.getMessage() for r in caplog.records if not r.name.startswith("http")]
    assert server_side and all(secret not in line for line in server_side)  # the client logs it
    export = logged.admin.get("/audit/export", params={"format": "jsonl"})
    assert export.status_code == 200
    assert '"name":"browser-app"' in export.text.replace(" ", "")  # the caller is audited...
    assert secret not in export.text  # ...but never the key


def test_the_header_still_wins_and_query_key_alone_is_enough(logged: LiveService) -> None:
    key = logged.key("screen")
    both = httpx.post(
        f"{logged.base_url}/match/default?api_key=nonsense",
        json=QUERY,
        headers={"Authorization": f"ApiKey {key}"},
    )
    assert both.status_code == 200
    assert logged.anon.get(f"/catalog?api_key={key}").status_code == 200
    assert logged.anon.get("/catalog?api_key=").status_code == 401


def test_redaction_helpers() -> None:
    assert take_query_key(b"limit=3&api_key=dpk_a_b&x=1") == ("dpk_a_b", b"limit=3&x=1")
    assert take_query_key(b"limit=3") == (None, b"limit=3")
    assert take_query_key(b"my_api_key=1") == (None, b"my_api_key=1")
    line = 'GET /match/x?api_key=SECRET&limit=3 HTTP/1.1" 200'
    assert redact_query_key(line) == 'GET /match/x?api_key=[redacted]&limit=3 HTTP/1.1" 200'
    assert redact_query_key("no_api_key=1") == "no_api_key=1"
    record = logging.LogRecord("x", logging.INFO, "f", 1, "%s", ("/a?api_key=SECRET",), None)
    RedactKeys().filter(record)
    assert "SECRET" not in record.getMessage()


def test_cors_origins_are_configurable(sqlite_settings: Settings) -> None:
    origin = "https://screening.example.org"
    cfg = replace(sqlite_settings, cors_origins=(origin,))
    with live_service(cfg) as svc:
        pre = svc.anon.options(
            "/match/default",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == origin
        denied = svc.anon.get("/catalog", headers={"Origin": origin})
        assert denied.status_code == 401  # no key; the browser can still read why
        assert denied.headers["access-control-allow-origin"] == origin
        other = svc.anon.get("/catalog", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
    with live_service(sqlite_settings) as svc:
        plain = svc.anon.get("/healthz", headers={"Origin": origin})
        assert "access-control-allow-origin" not in plain.headers


def test_settings_read_auth_and_origins() -> None:
    cfg = load({"DPRKWATCH_AUTH": "none", "DPRKWATCH_CORS_ORIGINS": "https://a.example/, *"})
    assert cfg.auth == "none" and cfg.cors_origins == ("https://a.example", "*")
    with pytest.raises(ConfigError, match="DPRKWATCH_AUTH: expected one of keys, none"):
        load({"DPRKWATCH_AUTH": "off"})


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])
def test_keyless_mode_is_refused_off_loopback(settings: Settings, host: str) -> None:
    with pytest.raises(ConfigError, match="needs a loopback bind"):
        check_auth(replace(settings, auth="none", host=host))
    assert not is_loopback(host)


def test_keyless_local_mode_audits_every_screening_as_local(tmp_path: Path) -> None:
    cfg = Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        auth="none",
        host="127.0.0.1",
        key_ttl=0,
    )
    import_lists(cfg.home, OFAC_V1, UN)
    with live_service(cfg) as svc:
        r = svc.anon.post("/match/default", json=QUERY)
        assert r.status_code == 200, r.text
        assert svc.anon.get("/keys").status_code == 200  # the single user holds every role
        export = svc.anon.get("/audit/export", params={"format": "json"}).json()
    screenings = [rec for rec in export if rec["kind"] == "screening"]
    assert screenings and {rec["actor"] for rec in screenings} == {"local"}


def test_responses_are_gzipped_for_clients_that_ask(logged: LiveService) -> None:
    # The first call builds the OpenAPI document: seconds on a busy machine.
    raw = httpx.get(
        f"{logged.base_url}/openapi.json", headers={"Accept-Encoding": "gzip"}, timeout=120
    )  # httpx decodes; read the header and the raw stream
    assert raw.headers.get("content-encoding") == "gzip"
    with httpx.stream(
        "GET", f"{logged.base_url}/openapi.json", headers={"Accept-Encoding": "gzip"}, timeout=120
    ) as s:
        body = b"".join(s.iter_raw())
    assert gzip.decompress(body).startswith(b"{")


def test_an_over_long_url_is_414(logged: LiveService) -> None:
    r = logged.admin.get("/search/default", params={"q": "a" * 61_000})
    assert r.status_code == 414
    assert r.json() == {"detail": "Request URI too long", "error": "uri_too_long"}
    assert logged.admin.get("/search/default", params={"q": "kim"}).status_code != 414


def test_bootstrap_key_in_query_string(logged: LiveService) -> None:
    assert logged.anon.get(f"/keys?api_key={ADMIN_KEY}").status_code == 200
