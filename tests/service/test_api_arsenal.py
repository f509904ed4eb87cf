"""The arsenal routes answer what the library answers, and reject bad dates with 400."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dprkwatch.arsenal import load_model
from tests.service.factory import LiveService
from tests.web.factory import workbench_service


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    with workbench_service(tmp_path_factory.mktemp("arsenal-api")) as s:
        yield s


def test_payload_is_the_models(svc: LiveService) -> None:
    body = svc.admin.get("/arsenal").json()
    expected = load_model().to_dict()
    assert body["band"] == expected["band"]
    assert [c["id"] for c in body["comparisons"]] == [c["id"] for c in expected["comparisons"]]
    assert any(c["flagged"] and c["explanation"] for c in body["comparisons"])
    assert body["events"]["singapore"] == "2018-06-12"
    assert svc.anon.get("/arsenal").status_code == 401


def test_increment_between_events(svc: LiveService) -> None:
    body = (
        svc.client(svc.key("screen"))
        .get("/arsenal/increment", params={"start": "singapore", "end": "hanoi"})
        .json()
    )
    iv = load_model().increment("singapore", "hanoi")
    assert (body["start"], body["end"], body["days"]) == ("2018-06-12", "2019-02-28", 261)
    assert body["low"] == pytest.approx(iv.low) and body["high"] == pytest.approx(iv.high)
    assert body["low"] < body["median"] < body["high"]


@pytest.mark.parametrize(
    ("start", "end", "detail"),
    [
        ("someday", "hanoi", "start: cannot read 'someday'"),
        ("2019", "2018", "end: end (2018-12-31) is before start (2019-12-31)"),
        ("1900", "2019", "start: 1900-12-31 is outside the model's horizon"),
    ],
)
def test_bad_dates_are_400_naming_the_field(
    svc: LiveService, start: str, end: str, detail: str
) -> None:
    r = svc.admin.get("/arsenal/increment", params={"start": start, "end": end})
    assert r.status_code == 400
    assert r.json()["detail"].startswith(detail)
