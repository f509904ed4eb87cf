"""Resolution over HTTP: /match folds a target's listings; the review queue and decisions."""

from __future__ import annotations

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


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LiveService]:
    home = tmp_path / "home"
    write_lists(home)
    run(home, workers=1)
    cfg = Settings(
        home=home,
        database_url=f"sqlite:///{tmp_path / 'service.sqlite3'}",
        admin_key=KEY,
        key_ttl=0,
    )
    with live_service(cfg) as svc:
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
