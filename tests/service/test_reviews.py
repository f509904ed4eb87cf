"""Reviews: a false positive stays suppressed for that subject until the listed entity changes."""

from __future__ import annotations

from typing import Any

import httpx

from dprkwatch.service import audit
from tests.service.factory import OFAC_V2, LiveService


def _screen(svc: LiveService, client: httpx.Client, **props: Any) -> dict[str, Any]:
    r = svc.match(client, "ofac", **props)
    assert r.status_code == 200, r.text
    response: dict[str, Any] = r.json()["responses"]["q"]
    return response


def _ids(response: dict[str, Any]) -> list[str]:
    return [x["id"] for x in response["results"]]


def test_false_positive_is_suppressed_until_the_entity_changes(service: LiveService) -> None:
    screener = service.client(service.key("screen"))
    reviewer = service.client(service.key("review", name="analyst-7"))
    first = _screen(service, screener, name="Ryang Chol Min", nationality="kp")
    assert "ofac-5001" in _ids(first)

    r = reviewer.post(
        "/reviews",
        json={
            "screening_id": first["screening"]["id"],
            "entity_id": "ofac-5001",
            "verdict": "false_positive",
            "reason": "Customer born 1990 in Seoul; listed person born 1971.",
        },
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["subject"] == first["screening"]["subject"] and review["actor"].startswith("key:")

    # The same subject, written differently, no longer gets the hit - but the answer says why.
    again = _screen(service, screener, name="RYANG   chol min", nationality="KP")
    assert again["screening"]["subject"] == first["screening"]["subject"]
    assert "ofac-5001" not in _ids(again)
    assert [(s["id"], s["review_id"]) for s in again["screening"]["suppressed"]] == [
        ("ofac-5001", review["id"])
    ]
    record = service.admin.get(f"/screenings/{again['screening']['id']}").json()["record"]
    assert [s["id"] for s in record["suppressed"]] == ["ofac-5001"]

    # Another subject (a birth date added) is not covered by the review.
    other = _screen(service, screener, name="Ryang Chol Min", nationality="kp", birthDate="1971")
    assert "ofac-5001" in _ids(other)

    # The list entry changes (a new alias in the March list): the hit comes back.
    imported = service.admin.post(
        "/lists/import", json={"paths": [str(OFAC_V2)], "rescreen": False}
    )
    assert imported.status_code == 200, imported.text
    after = _screen(service, screener, name="Ryang Chol Min", nationality="kp")
    assert "ofac-5001" in _ids(after) and after["screening"]["suppressed"] == []

    kinds = [r.kind for r in audit.iter_records(service.state.db)]
    assert kinds.count("review") == 1 and kinds.count("screening") == 4


def test_a_later_true_match_lifts_the_suppression(service: LiveService) -> None:
    reviewer = service.client(service.key("review", "screen"))
    first = _screen(service, reviewer, name="Ryang Chol Min")
    for verdict in ("false_positive", "true_match"):
        body = {
            "screening_id": first["screening"]["id"],
            "entity_id": "ofac-5001",
            "verdict": verdict,
            "reason": "checked",
        }
        assert reviewer.post("/reviews", json=body).status_code == 201
    assert "ofac-5001" in _ids(_screen(service, reviewer, name="Ryang Chol Min"))
    listed = reviewer.get("/reviews", params={"subject": first["screening"]["subject"]}).json()[
        "reviews"
    ]
    assert [r["verdict"] for r in listed] == ["true_match", "false_positive"]


def test_review_errors(service: LiveService) -> None:
    reviewer = service.client(service.key("review", "screen"))
    first = _screen(service, reviewer, name="Ryang Chol Min")
    base = {
        "screening_id": first["screening"]["id"],
        "entity_id": "ofac-5001",
        "verdict": "false_positive",
        "reason": "x",
    }

    def post(**changes: Any) -> httpx.Response:
        return reviewer.post("/reviews", json={**base, **changes})

    r = post(entity_id="un-KPi.901")
    assert r.status_code == 400 and "is not a result of screening" in r.json()["detail"]
    r = post(screening_id="0" * 32)
    assert r.status_code == 404 and "no screening" in r.json()["detail"]
    r = post(reason="   ")
    assert r.status_code == 400 and r.json()["detail"] == "reason: a review needs a reason"
    assert post(verdict="maybe").status_code == 422
    assert post(reason="").status_code == 422
    screen_only = service.client(service.key("screen"))
    assert screen_only.post("/reviews", json=base).status_code == 403
    assert reviewer.get("/reviews").json()["reviews"] == []
