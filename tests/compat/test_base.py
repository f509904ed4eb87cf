"""yente's ``tests/test_base.py`` and ``tests/test_app.py``, checked against dprkwatch."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import httpx

from dprkwatch.settings import Settings
from tests.compat.conftest import ADMIN_KEY, Compat, mirrors
from tests.conftest import FIXTURES
from tests.lists.publishers import replay_server
from tests.service.factory import import_lists, live_service


@mirrors("test_base.py::test_healthz", "test_base.py::test_readyz")
def test_health_probes(compat: Compat) -> None:
    anon = httpx.get(f"{compat.base_url}/healthz")
    assert anon.status_code == 200 and anon.json()["status"] == "ok"
    ready = httpx.get(f"{compat.base_url}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


@mirrors("test_base.py::test_manifest")
def test_manifest_lists_the_datasets(compat: Compat) -> None:
    data = compat.client.get("/manifest").json()
    names = [d["name"] for d in data["datasets"]]
    assert compat.p.dataset in names and compat.p.dataset in data["current"]


@mirrors("test_base.py::test_algorithms")
def test_algorithms_with_docs_and_settings(compat: Compat) -> None:
    data = compat.client.get("/algorithms").json()
    names = [a["name"] for a in data["algorithms"]]
    assert len(names) > 3
    assert {"logic-v2", "logic-v1", "name-based", "name-qualified", "ofac"} <= set(names)
    assert data["default"] == "best" and data["best"] == names[0]
    logic_v2 = next(a for a in data["algorithms"] if a["name"] == "logic-v2")
    assert logic_v2["docs"]["config"]["nm_number_mismatch"] is not None
    assert logic_v2["docs"]["features"] and logic_v2["description"]


@mirrors("test_base.py::test_catalog")
def test_catalog_marks_what_is_loaded(compat: Compat) -> None:
    data = compat.client.get("/catalog").json()
    datasets = {d["name"]: d for d in data["datasets"]}
    loaded = datasets[compat.p.dataset]
    assert compat.p.dataset in data["current"]
    assert loaded["load"] is True and loaded["index_current"] is True
    assert loaded["index_version"] == loaded["version"]
    assert datasets["us_ofac_sdn"]["load"] is False  # known, not imported here
    assert "us_ofac_sdn" not in data["current"]


@mirrors("test_base.py::test_catalog_etag")
def test_catalog_etag(compat: Compat) -> None:
    first = compat.client.get("/catalog")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    same = compat.client.get("/catalog", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    stale = compat.client.get("/catalog", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.headers["etag"] == etag
    assert compat.client.get("/catalog", headers={"If-None-Match": "*"}).status_code == 304


@mirrors(
    "test_base.py::test_updatez_get",
    "test_base.py::test_updatez_no_token",
    "test_base.py::test_updatez_no_token_configured",
    "test_base.py::test_updatez_with_token",
)
def test_updatez_is_admin_only_and_updates_the_lists(tmp_path: Path) -> None:
    with replay_server() as server:
        cfg = Settings(
            home=tmp_path / "home",
            database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            admin_key=ADMIN_KEY,
            key_ttl=0,
            update_mirror=server.base,
        )
        with live_service(cfg, wait_ready=False) as svc:
            assert svc.admin.get("/updatez").status_code == 405
            assert svc.anon.post("/updatez?sync=true").status_code == 401
            screen_only = svc.client(svc.key("screen"))
            assert screen_only.post("/updatez?sync=true").status_code == 403
            done = svc.admin.post("/updatez", params={"sync": "true"}, timeout=300)
            assert done.status_code == 200, done.text
            assert done.json()["status"] == "ok"
            assert {"ofac", "un", "eu", "uk"} <= set(done.json()["active"])
            lists = svc.admin.get("/lists").json()
            assert "un" in json.dumps(lists)
            catalog = svc.admin.get("/catalog").json()
            assert "un_sc_sanctions" in catalog["current"]


@mirrors("test_app.py::test_match_without_content_type_header")
def test_match_without_content_type(compat: Compat) -> None:
    body = json.dumps(
        {"queries": {"q1": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}}}
    )
    r = httpx.post(
        f"{compat.base_url}/match/{compat.p.dataset}",
        content=body,
        headers={"Authorization": f"ApiKey {ADMIN_KEY}"},
    )
    assert r.status_code == 200, r.text


@mirrors(
    "test_app.py::test_max_url_length_rejects_oversized_query",
    "test_app.py::test_max_url_length_allows_normal_query",
)
def test_url_length(compat: Compat) -> None:
    long = compat.client.get(f"/search/{compat.p.dataset}", params={"q": "a" * 60_100})
    assert long.status_code == 414 and long.json()["detail"] == "Request URI too long"
    assert compat.client.get(f"/search/{compat.p.dataset}", params={"q": "acme"}).status_code == 200


@mirrors("test_app.py::test_redoc_has_sri")
def test_root_serves_api_documentation_without_a_cdn(compat: Compat) -> None:
    r = httpx.get(f"{compat.base_url}/", timeout=300)
    assert r.status_code == 200
    # Either the workbench or, when it is not built, the API reference: both offline,
    # so there is no external script to pin with Subresource Integrity.
    assert '<script src="http' not in r.text and "cdn" not in r.text.lower()


@mirrors("test_base.py::test_algorithms_hidden")
def test_hidden_algorithms_are_not_listed_but_still_work(tmp_path: Path) -> None:
    cfg = Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
    )
    import_lists(cfg.home, FIXTURES / "compat" / "sokol" / "entities.ftm.json")
    with live_service(replace(cfg, hidden_algorithms=("logic-v1",))) as svc:
        names = [a["name"] for a in svc.admin.get("/algorithms", timeout=300).json()["algorithms"]]
        assert "logic-v1" not in names and "logic-v2" in names
        body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Igor Sokolov"]}}}}
        r = svc.admin.post("/match/sokol", json=body, params={"algorithm": "logic-v1"}, timeout=300)
        assert r.status_code == 200, r.text
