"""The maritime route serves the stored run, filtered; before any run it says how to make one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.factory import LiveService, live_service
from tests.web.factory import RUN_INFO, positions_csv, workbench_service, workbench_settings


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    with workbench_service(tmp_path_factory.mktemp("maritime-api")) as s:
        yield s


def test_events_of_the_stored_run(svc: LiveService) -> None:
    body = svc.client(svc.key("screen")).get("/maritime/events").json()
    assert body["run"] == RUN_INFO
    assert body["counts"] == {"dark_gap": 1, "encounter": 1, "loitering": 1, "port_call": 1}
    assert body["total"] == len(body["events"]) == 4
    call = next(e for e in body["events"] if e["event_type"] == "port_call")
    assert (call["port"], call["dprk_port"], call["start"]) == (
        "NAMPO",
        True,
        "2026-01-06T02:00:00Z",
    )
    assert any(p["port"] == "NAMPO" and p["country"] == "PRK" for p in body["ports"])
    assert svc.anon.get("/maritime/events").status_code == 401


@pytest.mark.parametrize(
    ("params", "types"),
    [
        ({"type": "port_call"}, ["port_call"]),
        ({"type": ["encounter", "loitering"]}, ["encounter", "loitering"]),
        ({"mmsi": 445000002}, ["encounter", "port_call"]),  # either side of an encounter
        ({"mmsi": 412000001, "type": "dark_gap"}, ["dark_gap"]),
    ],
)
def test_filters(svc: LiveService, params: dict[str, object], types: list[str]) -> None:
    body = svc.admin.get("/maritime/events", params=params).json()
    assert sorted(e["event_type"] for e in body["events"]) == types
    assert body["total"] == len(types)
    assert sum(body["counts"].values()) == 4, "counts describe the whole run"


def test_limit_says_how_many_were_left_out(svc: LiveService) -> None:
    body = svc.admin.get("/maritime/events", params={"limit": 1}).json()
    assert len(body["events"]) == 1 and body["total"] == 4
    assert body["notes"] == ["showing the first 1 of 4 events"]


def test_unknown_type_is_rejected(svc: LiveService) -> None:
    r = svc.admin.get("/maritime/events", params={"type": "piracy"})
    assert r.status_code == 422 and r.json()["message"].startswith("query.type")


def test_before_any_run(tmp_path: Path) -> None:
    with live_service(workbench_settings(tmp_path)) as empty:
        body = empty.admin.get("/maritime/events").json()
    assert body["run"] is None and body["events"] == [] and body["total"] == 0
    assert "maritime detect" in body["notes"][0]
    assert body["ports"], "the DPRK ports are shown even without events"


def test_detect_on_an_upload_finds_the_encounter_and_saves_nothing(svc: LiveService) -> None:
    client = svc.client(svc.key("screen"))
    r = client.post("/maritime/detect", files={"file": ("pair.csv", positions_csv(), "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["file"] == "pair.csv"
    assert body["counts"] == {"encounter": 1}
    (event,) = body["events"]
    assert {event["mmsi"], event["other_mmsi"]} == {412000001, 445000002}
    assert event["start"] == "2026-01-05T10:00:00Z" and event["end"] == "2026-01-05T13:00:00Z"
    assert "dprkwatch-detect" not in r.text, "no server paths in the answer"
    assert body["ports"]
    stored = svc.admin.get("/maritime/events").json()
    assert stored["run"] == RUN_INFO and stored["total"] == 4, "the stored run is untouched"


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        (
            "cols.csv",
            b"a,b\n1,2\n",
            "cols.csv:header: unknown layout: no mmsi, timestamp, lat, lon column",
        ),
        (
            "bad.csv",
            b"mmsi,timestamp,lat,lon\n1,not a time,99,999\n",
            "bad.csv: no usable positions",
        ),
    ],
)
def test_detect_rejects_unusable_files_with_400(
    svc: LiveService, name: str, content: bytes, detail: str
) -> None:
    r = svc.admin.post("/maritime/detect", files={"file": (name, content, "text/csv")})
    assert r.status_code == 400, r.text
    assert detail in r.json()["detail"]


def test_detect_is_bounded_by_the_request_limit(svc: LiveService) -> None:
    big = positions_csv() * (svc.state.settings.max_body_bytes // len(positions_csv()) + 1)
    r = svc.admin.post("/maritime/detect", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413
