"""Browser fixtures: Debian's Chromium driven by Playwright against a live service.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium``,
and the tests skip (saying why) when it or the built workbench is missing.
Every request a page makes is recorded; requests that leave 127.0.0.1 are
refused by a route handler and fail the test that caused them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from dprkwatch.web.bundle import Bundle
from tests.service.factory import LiveService
from tests.web.factory import workbench_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(scope="module")
def web_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    with workbench_service(tmp_path_factory.mktemp("workbench")) as svc:
        yield svc


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (make system installs it)")
    if not Bundle().built:
        pytest.skip(f"the web workbench is not built (no {Bundle().index}; run make web)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Session:
    """One browser tab on the workbench, and every URL it asked for."""

    page: Any
    base_url: str
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        out = []
        for url in self.requests:
            if url.startswith(LOCAL_SCHEMES):
                continue
            parts = urlsplit(url)
            if parts.scheme != "http" or parts.hostname != "127.0.0.1":
                out.append(url)
        return out


@pytest.fixture
def session(chromium: Any, web_service: LiveService) -> Iterator[Session]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(15_000)
    s = Session(page=page, base_url=web_service.base_url)

    def guard(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if url.startswith(LOCAL_SCHEMES) or (
            parts.scheme == "http" and parts.hostname == "127.0.0.1"
        ):
            route.continue_()
        else:
            s.refused.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("request", lambda request: s.requests.append(request.url))
    try:
        yield s
        assert s.requests, "the page made no requests at all"
        assert not s.external(), f"requests left 127.0.0.1: {s.external()}"
        assert not s.refused, f"requests to other hosts were attempted: {s.refused}"
    finally:
        context.close()
