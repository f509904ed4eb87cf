"""Serving the workbench: the page with its CSP, hashed assets, traversal, a missing bundle."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from dprkwatch.service.api import errors
from dprkwatch.service.api.routers.workbench import Workbench, build_router
from tests.service.factory import LiveService


def app_for(root: Path) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    app.include_router(build_router(Workbench(root)))
    return app


@contextmanager
def serve(app: FastAPI) -> Iterator[httpx.Client]:
    """``app`` on a free loopback port, with a client for it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}") as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>bench</title>", encoding="utf-8")
    (root / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for you", encoding="utf-8")
    return root


@pytest.fixture
def client(bundle: Path) -> Iterator[httpx.Client]:
    with serve(app_for(bundle)) as c:
        yield c


def test_page_carries_a_same_origin_policy(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<title>bench</title>" in r.text
    csp = dict(
        part.strip().split(" ", 1) for part in r.headers["content-security-policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert r.headers["cache-control"] == "no-cache"


def test_assets_are_cached_for_good(client: httpx.Client) -> None:
    r = client.get("/assets/index-abc123.js")
    assert r.status_code == 200 and r.text == "console.log(1)"
    assert "immutable" in r.headers["cache-control"]
    assert r.headers["content-type"].startswith(("text/javascript", "application/javascript"))


@pytest.mark.parametrize(
    "path",
    [
        "/assets/nope.js",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2F..%2Fsecret.txt",
        "/assets/",
    ],
)
def test_no_file_outside_assets_is_served(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert "not for you" not in r.text


def test_missing_bundle_serves_the_api_reference_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dprkwatch.service.api.routers.workbench"):
        app = app_for(tmp_path / "nothing")
    assert "web workbench not built" in caplog.text
    with serve(app) as c:
        r = c.get("/")
    assert r.status_code == 200
    assert "make web" in r.text and "/openapi.json" in r.text
    # Offline like the workbench: nothing is loaded from elsewhere.
    assert "<script" not in r.text and "http" not in r.text.split("<body>", 1)[0]


def test_the_service_serves_the_page_without_a_key(sqlite_service: LiveService) -> None:
    page = sqlite_service.anon.get("/")
    assert page.status_code == 200  # the workbench, or the API reference when it is not built
    assert ("<code>/match/{dataset}</code>" in page.text) == (not Workbench().built)
    assert sqlite_service.anon.get("/assets/missing.js").status_code == 404
    assert sqlite_service.anon.get("/ledger/timeline").status_code == 401
    assert "/assets/{name}" not in sqlite_service.anon.get("/openapi.json").json()["paths"]
