"""Screening over HTTP: yente's shapes, datasets and filters, and the audit record behind every answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from dprkwatch.matching.provenance import software
from dprkwatch.service import audit
from dprkwatch.service.datasets import source_name
from dprkwatch.service.reviews import get_screening
from dprkwatch.service.storage import Database
from tests.service.factory import OFAC_V2, SERVICE_FIXTURES, LiveService

YENTE = SERVICE_FIXTURES / "yente"


def _load(name: str) -> Any:
    return json.loads((YENTE / name).read_text())


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_shape(ours: Any, theirs: Any, path: str = "$") -> None:
    """Every key yente sends is in ours, with a value of the same JSON type (null matches anything)."""
    if theirs is None or ours is None:
        return
    assert _json_type(ours) == _json_type(theirs), (
        f"{path}: {_json_type(ours)} where yente has {_json_type(theirs)}"
    )
    if isinstance(theirs, dict):
        open_keys = path.endswith(("properties", "features", "explanations", "responses"))
        for key, value in theirs.items():
            if open_keys:  # keys are data here (property names, query keys): compare one value
                if ours:
                    assert_shape(next(iter(ours.values())), value, f"{path}.*")
                continue
            assert key in ours, f"{path}: missing {key!r}"
            assert_shape(ours[key], value, f"{path}.{key}")
    elif isinstance(theirs, list) and theirs and ours:
        assert_shape(ours[0], theirs[0], f"{path}[0]")


def test_match_speaks_yentes_wire_format(sqlite_service: LiveService) -> None:
    r = sqlite_service.admin.post("/match/default", json=_load("match_request.json"))
    assert r.status_code == 200, r.text
    ours = r.json()
    assert set(ours["responses"]) == {"entity1", "entity2"}
    first = ours["responses"]["entity1"]["results"][0]
    assert first["id"] == "ofac-5001" and first["match"] is True
    assert first["explanations"] and all("score" in v for v in first["explanations"].values())
    assert r.headers["x-batch-size"] == "2"
    assert_shape(ours, _load("match_response.json"))


def test_search_and_catalog_speak_yentes_wire_format(sqlite_service: LiveService) -> None:
    search = sqlite_service.admin.get("/search/default", params={"q": "Ryang Chol Min"}).json()
    assert search["results"][0]["id"] == "ofac-5001"
    assert_shape(search, _load("search_response.json"))
    catalog = sqlite_service.admin.get("/catalog").json()
    assert_shape(catalog, _load("catalog_response.json"))
    by_name = {d["name"]: d for d in catalog["datasets"]}
    # OpenSanctions' names for the lists, the publisher collections, and theirs.
    assert set(by_name) == {
        "us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "eu_fsf", "gb_hmt_sanctions",
        "gb_fcdo_sanctions", "us_trade_csl", "au_dfat_sanctions", "ca_dfatd_sema_sanctions",
        "ch_seco_sanctions", "ofac", "un", "eu", "uk", "dprk", "sanctions", "default",
    }  # fmt: skip
    assert by_name["default"]["children"] == ["un_sc_sanctions", "us_ofac_sdn"]
    assert by_name["us_ofac_sdn"]["type"] == "source" and by_name["us_ofac_sdn"]["load"]
    assert by_name["eu_fsf"]["load"] is False
    assert by_name["dprk"]["entity_count"] == 3 + 2  # DPRK entries of the OFAC and UN fixtures
    assert by_name["eu"]["load"] is False and "eu" not in catalog["current"]
    assert (
        by_name["un"]["version"]
        == sqlite_service.admin.get("/lists").json()["index_versions"]["un"]
    )


def test_entities_returns_the_listed_entity(sqlite_service: LiveService) -> None:
    data = sqlite_service.admin.get("/entities/un-KPi.901").json()
    assert data["schema"] == "Person" and data["datasets"] == ["un_sc_sanctions"]
    assert "백성철" in data["properties"]["alias"]


def _ids(svc: LiveService, dataset: str, **props: Any) -> list[str]:
    r = svc.match(svc.admin, dataset, **props)
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["responses"]["q"]["results"]]


def test_datasets_narrow_what_is_screened(sqlite_service: LiveService) -> None:
    svc = sqlite_service
    assert _ids(svc, "ofac", name="Ryang Chol Min")[:1] == ["ofac-5001"]
    assert "ofac-5001" not in _ids(svc, "un", name="Ryang Chol Min")
    assert _ids(svc, "un", name="Paek Song Chol")[:1] == ["un-KPi.901"]
    assert _ids(svc, "un", name="백성철")[:1] == ["un-KPi.901"]
    # SDGT and Al-Qaida entries are on the lists but not under a DPRK programme.
    assert "ofac-5004" in _ids(svc, "default", name="John Example Smith")
    assert "ofac-5004" not in _ids(svc, "dprk", name="John Example Smith")
    assert "un-QDi.901" not in _ids(svc, "dprk", name="Hamid Example")
    # No EU list is loaded: the EU dataset answers, with nothing in it.
    assert _ids(svc, "eu", name="Ryang Chol Min") == []


def test_limit_threshold_and_yente_filters(sqlite_service: LiveService) -> None:
    c = sqlite_service.admin
    body = {"queries": {"q": {"schema": "Thing", "properties": {"name": ["Example"]}}}}

    def results(**params: Any) -> list[dict[str, Any]]:
        r = c.post("/match/default", json=body, params=params)
        assert r.status_code == 200, r.text
        return list(r.json()["responses"]["q"]["results"])

    everything = results(limit=10, threshold=0.0)
    assert {x["id"] for x in everything} >= {
        "ofac-5003",
        "un-QDi.901",
    }  # EXAMPLE STAR, HAMID EXAMPLE
    assert all(x["match"] for x in everything)
    assert len(results(limit=1, threshold=0.0)) == 1
    assert not any(x["match"] for x in results(limit=10, threshold=1.0) if x["score"] < 1.0)
    first = everything[0]["id"]
    assert first not in [
        x["id"] for x in results(limit=10, threshold=0.0, exclude_entity_ids=[first])
    ]
    assert "ofac-5003" not in {
        x["id"] for x in results(limit=10, threshold=0.0, exclude_schema=["Vessel"])
    }
    assert {
        d for x in results(limit=10, threshold=0.0, include_dataset=["un"]) for d in x["datasets"]
    } == {"un_sc_sanctions"}
    assert {
        d for x in results(limit=10, threshold=0.0, exclude_dataset=["un"]) for d in x["datasets"]
    } == {"us_ofac_sdn"}


def test_every_screening_is_recorded_before_it_is_answered(service: LiveService) -> None:
    key = service.key("screen", name="payments-bot")
    r = service.match(service.client(key), "dprk", name="Ryang Chol Min", birthDate="1971")
    assert r.status_code == 200
    answer = r.json()
    info = answer["responses"]["q"]["screening"]
    # A separate connection sees the committed record the moment the answer is here.
    other = Database(service.state.settings.resolved_database_url)
    try:
        stored = get_screening(other, info["id"])
        assert stored.audit_seq == info["audit_seq"]
        record = stored.record
        assert record["query"]["properties"] == {"name": ["Ryang Chol Min"], "birthDate": ["1971"]}
        answered = answer["responses"]["q"]["results"]
        assert answered and [x["id"] for x in record["results"]] == [x["id"] for x in answered]
        # The record and the answer are built from one serialised hit: they agree field by field.
        for kept, sent in zip(record["results"], answered, strict=True):
            for field in ("schema", "caption", "score", "match", "features"):
                assert kept[field] == sent[field], field
            # The record names lists; the answer names the datasets they are published as.
            assert [source_name(d) for d in kept["datasets"]] == sent["datasets"]
            assert kept["explanation"] == sent["explanation"]
            assert {k: v["score"] for k, v in sent["explanations"].items()} == kept["features"]
        assert record["versions"] == answer["versions"] == service.state.index.current().versions
        assert record["algorithm"] == answer["algorithm"] == "dprkwatch-match-v2"
        # The record also names the fit that made the probabilities, and the code.
        assert record["software"] == software("dprkwatch-match-v2")
        assert set(record["software"]) == {"dprkwatch", "matching_code", "calibration"}
        assert record["caller"] == {"key_id": key.split("_")[1], "name": "payments-bot"}
        assert stored.actor == f"key:{key.split('_')[1]}"
        assert audit.verify_chain(other).ok
    finally:
        other.close()


def test_no_answer_when_the_record_cannot_be_written(sqlite_settings: Any) -> None:
    from tests.service.factory import OFAC_V1, import_lists, live_service

    import_lists(sqlite_settings.home, OFAC_V1)
    with live_service(sqlite_settings) as svc:
        db = svc.state.db
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TRIGGER full_disk BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
        r = svc.match(svc.admin, name="Ryang Chol Min")
        assert r.status_code == 503
        refused = {
            "detail": "the screening could not be recorded in the audit log, so no result is given",
            "error": "unavailable",
        }
        assert r.json() == refused
        # A reconciliation query is a screening too, refused the same way.
        queries = '{"q0": {"query": "Ryang Chol Min", "type": "Person"}}'
        r = svc.admin.post("/reconcile/default", data={"queries": queries})
        assert r.status_code == 503
        assert r.json() == refused
        # A search is recorded before it is answered: no record, no results.
        r = svc.admin.get("/search/default", params={"q": "Ryang Chol Min"})
        assert r.status_code == 503
        assert r.json() == {
            "detail": "the search could not be recorded in the audit log, so no result is given",
            "error": "unavailable",
        }
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER full_disk"))
            assert conn.execute(text("SELECT count(*) FROM screenings")).scalar_one() == 0
        assert not list(audit.iter_records(db, kinds=["search"]))
        assert svc.match(svc.admin, name="Ryang Chol Min").status_code == 200
        found = svc.admin.get("/search/default", params={"q": "Ryang Chol Min", "limit": 2})
        assert found.status_code == 200
        shown = [e["id"] for e in found.json()["results"]]
        assert shown
        # The search's record names what was asked and exactly what was shown.
        records = [r.data() for r in audit.iter_records(db, kinds=["search"])]
        assert len(records) == 1
        assert records[0]["q"] == "Ryang Chol Min"
        assert records[0]["results"] == shown and records[0]["limit"] == 2


def test_lists_endpoints_and_import(service: LiveService) -> None:
    c = service.admin
    before = c.get("/lists").json()
    assert {x["list"] for x in before["lists"]} == {"ofac", "un"}
    bad = c.post("/lists/import", json={"paths": [str(SERVICE_FIXTURES / "missing.csv")]})
    refused = "is not a readable file in the import folders"
    assert bad.status_code == 400 and refused in bad.json()["detail"]
    too_long = c.post("/lists/import", json={"paths": ["\u0301" * 200]})
    assert too_long.status_code == 400 and refused in too_long.json()["detail"]
    assert c.get("/lists").json() == before
    screener = service.client(service.key("screen"))
    assert screener.post("/lists/import", json={"paths": [str(OFAC_V2)]}).status_code == 403
    r = c.post("/lists/import", json={"paths": [str(OFAC_V2)]})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["imported"][0]["published"] == "2026-03-10"
    assert service.wait_for_run(data["rescreen_run"])["status"] == "done"
    # The new version is what the next screening uses.
    assert "ofac-5005" in _ids(service, "ofac", name="Jong Kyong Hui")
    diff = c.get(
        "/lists/diff", params={"old": f"ofac@{before['index_versions']['ofac']}", "new": "ofac"}
    ).json()
    assert [x["id"] for x in diff["added"]] == ["ofac-5005"]
    assert [x["id"] for x in diff["removed"]] == ["ofac-5002"]
    assert [x["id"] for x in diff["changed"]] == ["ofac-5001"]
    missing = c.get("/lists/diff", params={"old": "ofac@1999", "new": "ofac"})
    assert missing.status_code == 404


@pytest.mark.parametrize("path", ["/algorithms"])
def test_algorithms_names_the_one_in_use(sqlite_service: LiveService, path: str) -> None:
    # The first call waits for nomenklatura to load (seconds; more on a busy machine).
    data = sqlite_service.admin.get(path, timeout=300).json()
    assert data["default"] == "best" and data["best"] == "dprkwatch-match-v2"  # as yente names them


def test_catalog_carries_an_etag_and_manifest_is_its_yente_name(
    sqlite_service: LiveService,
) -> None:
    c = sqlite_service.admin
    first = c.get("/catalog")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    same = c.get("/catalog", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    stale = c.get("/catalog", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.headers["etag"] == etag
    assert c.get("/catalog", headers={"If-None-Match": "*"}).status_code == 304
    manifest = c.get("/manifest")
    assert manifest.status_code == 200 and manifest.json()["datasets"] == first.json()["datasets"]
