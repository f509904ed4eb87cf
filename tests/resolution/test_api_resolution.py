"""Resolution over HTTP: /match folds a target's listings; the review queue and decisions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dprkwatch.resolution import run
from dprkwatch.settings import Settings
from tests.resolution.factory import write_lists
from tests.service.factory import LiveService, live_service

KEY = "resolution-api-admin-key-of-32-characters"
FOUR = {"eu-112358", "ofac-21735", "uk-DPR0268", "un-KPi.052"}


def _settings(tmp_path: Path, *, resolved: bool) -> Settings:
    """The four small lists in a data directory under ``tmp_path``, resolved or not."""
    home = tmp_path / "home"
    write_lists(home)
    if resolved:
        run(home, workers=1)
    return Settings(
        home=home,
        database_url=f"sqlite:///{tmp_path / 'service.sqlite3'}",
        admin_key=KEY,
        key_ttl=0,
    )


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LiveService]:
    with live_service(_settings(tmp_path, resolved=True)) as svc:
        yield svc


def _results(svc: LiveService, query: str = "") -> list[dict[str, Any]]:
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["RI SU YONG"]}}}}
    r = svc.admin.post(f"/match/default{query}", json=body)
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["responses"]["q"]["results"]
    return results


def test_match_folds_the_listings_of_one_target(service: LiveService) -> None:
    folded = [h for h in _results(service) if h["id"] in FOUR]
    assert len(folded) == 1
    hit = folded[0]
    assert {hit["id"], *(r for r in hit["referents"] if r in FOUR)} == FOUR
    assert hit["target_id"].startswith("dw-") and hit["target_id"] in hit["referents"]
    assert len(hit["datasets"]) == 4 and hit["matched"][0] == hit["id"]
    assert hit["explanation"][0].startswith(f"matched listing {hit['id']} of target dw-")
    per_listing = [h for h in _results(service, "?per_listing=true") if h["id"] in FOUR]
    assert {h["id"] for h in per_listing} == FOUR
    r = service.admin.post("/match/default?per_listing=maybe", json={"queries": {}})
    assert r.status_code in (400, 422) and "per_listing" in r.text


def test_review_queue_and_decisions(service: LiveService) -> None:
    r = service.admin.get("/resolution/review", params={"limit": 1})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 2 and len(page["items"]) == 1
    item = page["items"][0]
    assert {"a", "b", "score", "reason", "records"} <= set(item)
    r = service.admin.post(
        "/resolution/decisions", json={"a": item["a"], "b": item["b"], "decision": "different"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["decision"] == "different" and r.json()["user"]
    assert service.admin.get("/resolution/review").json()["total"] == 1
    r = service.admin.post(
        "/resolution/decisions", json={"a": "nobody", "b": item["b"], "decision": "same"}
    )
    assert r.status_code == 400 and "nobody" in r.text
    r = service.admin.post(
        "/resolution/decisions", json={"a": item["a"], "b": item["b"], "decision": "maybe"}
    )
    assert r.status_code in (400, 422)
    assert service.anon.get("/resolution/review").status_code == 401


def test_contradictions_are_refused_naming_the_three_ids(service: LiveService) -> None:
    def decide(a: str, b: str, decision: str) -> Any:
        return service.admin.post(
            "/resolution/decisions", json={"a": a, "b": b, "decision": decision}
        )

    assert decide("un-KPi.052", "eu-112358", "same").status_code == 200
    assert decide("eu-112358", "uk-DPR0268", "same").status_code == 200
    r = decide("un-KPi.052", "uk-DPR0268", "different")
    assert r.status_code == 400
    for rid in ("un-KPi.052", "eu-112358", "uk-DPR0268"):
        assert rid in r.text


def test_decisions_are_audited_and_listed_newest_first(service: LiveService) -> None:
    first = service.admin.post(
        "/resolution/decisions",
        json={"a": "eu-105411", "b": "un-KPi.013", "decision": "unsure", "note": "dates differ"},
    ).json()
    second = service.admin.post(
        "/resolution/decisions",
        json={"a": "un-KPi.013", "b": "eu-105411", "decision": "different"},
    ).json()
    assert second["audit_seq"] > first["audit_seq"]
    log = service.admin.get("/resolution/decisions").json()
    assert log["total"] == 2
    assert [d["decision"] for d in log["items"]] == ["different", "unsure"]  # both kept
    assert log["items"][1]["note"] == "dates differ"
    export = service.admin.get(
        "/audit/export", params={"format": "json", "kind": "resolution.decision"}
    ).json()
    assert [rec["seq"] for rec in export] == [first["audit_seq"], second["audit_seq"]]
    assert all("eu-105411" in json.dumps(rec["payload"]) for rec in export)
    assert service.anon.get("/resolution/decisions").status_code == 401


def test_coverage_is_the_record_the_cli_prints(service: LiveService) -> None:
    r = service.admin.get("/resolution/coverage")
    assert r.status_code == 200, r.text
    rep = r.json()
    captions = {row["caption"] for row in rep["rows"]}
    assert "RI SU YONG" in captions and "SMITH, John" not in captions  # DPRK targets only
    ri = next(f for f in rep["un_follow_up"] if f["caption"] == "RI SU YONG")
    assert ri["eu"]["lag_days"] == 7 and ri["uk"]["lag_days"] == 0  # 2017-06-02 -> 06-09
    assert ri["ofac"]["lag_bound"] is True  # OFAC's files carry no dates
    assert rep["un_lag"]["eu"]["missing"] == 2
    everything = service.admin.get("/resolution/coverage", params={"all": "true"}).json()
    assert everything["targets"] == rep["targets"] + 1  # John Smith (SDGT) joins


def test_coverage_without_a_resolution_says_what_to_run(tmp_path: Path) -> None:
    with live_service(_settings(tmp_path, resolved=False)) as svc:
        r = svc.admin.get("/resolution/coverage")
    assert r.status_code == 404 and "resolve run" in r.text


def test_a_batch_of_queries_folds_each_query_by_target(service: LiveService) -> None:
    def person(name: str) -> dict[str, Any]:
        return {"schema": "Person", "properties": {"name": [name]}}

    # More queries than the quick lane takes: the batch goes through the bulk lane.
    queries = {f"other{i}": person(f"NOBODY NUMBER {i}") for i in range(24)}
    queries.update(ri=person("RI SU YONG"), choe=person("CHOE CHUN SIK"))
    r = service.admin.post("/match/default", json={"queries": queries})
    assert r.status_code == 200, r.text
    responses = r.json()["responses"]
    assert set(responses) == set(queries)
    ri = [h for h in responses["ri"]["results"] if h["id"] in FOUR]
    assert len(ri) == 1 and {ri[0]["id"], *ri[0]["referents"]} >= FOUR
    # CHOE's UN and OFAC listings are one target; the EU's namesake (born 1963) is not.
    choe = responses["choe"]["results"]
    targets = [h.get("target_id") for h in choe if h["id"] in ("un-KPi.013", "ofac-19498")]
    assert len(targets) == 1
    per_listing = service.admin.post("/match/default?per_listing=true", json={"queries": queries})
    ids = {h["id"] for h in per_listing.json()["responses"]["ri"]["results"]}
    assert ids >= FOUR
