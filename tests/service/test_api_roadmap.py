"""The roadmap routes answer what the library answers; unknown ids are 404, bad years 422."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from dprkwatch.arsenal import load_model
from dprkwatch.roadmap import evaluate, load_roadmap
from dprkwatch.roadmap.report import workbench
from tests.service.factory import LiveService
from tests.web.factory import workbench_service


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    with workbench_service(tmp_path_factory.mktemp("roadmap-api")) as s:
        yield s


def _json(data: object) -> object:
    return orjson.loads(orjson.dumps(data))


def test_page_payload_is_the_librarys(svc: LiveService) -> None:
    body = svc.client(svc.key("screen")).get("/roadmap").json()
    assert body == _json(workbench(load_model(), load_roadmap()))
    ev = body["evaluation"]
    assert ev["draws"] == 200_000 and ev["by"] == "2026-12-31"
    assert set(ev["trajectories"]) == {"baseline", *(p["id"] for p in ev["proposals"])}
    assert {a["id"] for a in body["shares"]["assessments"]} >= {"albright-2019", "hecker-2019"}
    assert svc.anon.get("/roadmap").status_code == 401


def test_evaluate_another_year_and_subset(svc: LiveService) -> None:
    r = svc.admin.get("/roadmap/evaluate", params={"by": 2030, "proposal": ["hanoi-dprk-offer"]})
    assert r.status_code == 200
    rm = load_roadmap()
    want = evaluate(load_model(), rm, [rm.proposal("hanoi-dprk-offer")], by=2030).to_dict(rm)
    assert r.json() == _json(want)


def test_unknown_proposal_and_bad_year(svc: LiveService) -> None:
    r = svc.admin.get("/roadmap/evaluate", params={"proposal": "hanoi"})
    assert r.status_code == 404
    assert r.json()["detail"].startswith("unknown proposal 'hanoi'")
    r = svc.admin.get("/roadmap/evaluate", params={"by": 1800})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
