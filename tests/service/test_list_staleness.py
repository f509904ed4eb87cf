"""Stale lists are loud in the service: /lists, /catalog, /readyz and the audit export."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from dprkwatch.settings import Settings
from tests.conftest import FIXTURES
from tests.service.conftest import ADMIN_KEY
from tests.service.factory import UN, LiveService, import_lists, live_service

OFSI = FIXTURES / "lists" / "uk_conlist_sample.csv"


def _settings(settings: Settings, **changes: object) -> Settings:
    url = f"sqlite:///{settings.home.parent / 'service.sqlite3'}"
    base = replace(settings, database_url=url, admin_key=ADMIN_KEY, key_ttl=0)
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def stale_service(settings: Settings) -> Iterator[LiveService]:
    """UN (published 2026-02-27, long ago) and OFSI's retired list."""
    import_lists(settings.home, UN, OFSI)
    with live_service(_settings(settings)) as svc:
        yield svc


def test_lists_and_catalog_say_which_lists_are_stale(stale_service: LiveService) -> None:
    body = stale_service.admin.get("/lists").json()
    by_list = {row["list"]: row for row in body["lists"]}
    assert by_list["uk"]["source"] == "ofsi" and by_list["uk"]["retired"] == "2026-01-28"
    assert by_list["uk"]["stale"][0].startswith("source retired: OFSI Consolidated List")
    assert by_list["un"]["age_days"] > 7 and by_list["un"]["stale"]
    assert any(w.startswith("uk: source retired") for w in body["stale"])

    catalog = stale_service.admin.get("/catalog").json()
    assert set(catalog["outdated"]) >= {"uk", "un", "default"}
    uk = next(d for d in catalog["datasets"] if d["name"] == "uk")
    assert uk["title"] == "UK Sanctions List"
    assert uk["freshness"]["uk"]["retired"] == "2026-01-28"
    assert uk["warnings"][0].startswith("uk: source retired")


def test_readyz_fails_on_stale_lists_only_when_told_to(
    stale_service: LiveService, settings: Settings
) -> None:
    assert stale_service.anon.get("/readyz").status_code == 200
    with live_service(_settings(settings, max_list_age_days=100000), wait_ready=False) as strict:
        deadline = time.monotonic() + 120
        response = strict.anon.get("/readyz")
        while response.json().get("error") == "unavailable" and time.monotonic() < deadline:
            time.sleep(0.1)  # the index is still loading; then the lists are judged
            response = strict.anon.get("/readyz")
    assert response.status_code == 503
    error = response.json()
    assert error["error"] == "stale_lists"
    assert "uk: source retired on 2026-01-28" in error["detail"]
    assert "un:" not in error["detail"]  # within 100,000 days: only the retired source fails


def test_audit_export_shows_staleness_at_screening_time(stale_service: LiveService) -> None:
    r = stale_service.match(stale_service.admin, "default", name="RYANG Song Chol")
    assert r.status_code == 200, r.text
    export = stale_service.admin.get("/audit/export", params={"format": "csv"})
    rows = [row for row in csv.DictReader(io.StringIO(export.text)) if row["kind"] == "screening"]
    assert rows, export.text
    assert (
        "uk: source retired: OFSI Consolidated List retired on 2026-01-28"
        in rows[-1]["stale_lists"]
    )
    assert "un: published 2026-02-27" in rows[-1]["stale_lists"]
    payload = json.loads(rows[-1]["payload"])
    assert payload["list_staleness"]["un"]["published"] == "2026-02-27"
    assert payload["list_staleness"]["uk"]["source"] == "ofsi"
