"""The ledger routes: filters, dates, sources resolved, the cache following imports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from dprkwatch.ledger import KINDS, LedgerStore, expand, load_ledger
from tests.conftest import FIXTURES
from tests.service.factory import LiveService, live_service
from tests.web.factory import workbench_service, workbench_settings


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    with workbench_service(tmp_path_factory.mktemp("ledger-api")) as s:
        yield s


def test_routes_need_a_key_and_screen_is_enough(svc: LiveService) -> None:
    client = svc.client(svc.key("screen"))
    for path in (
        "/ledger/timeline",
        "/ledger/pressure",
        "/ledger/compliance",
        "/ledger/claims",
        "/ledger/sources",
    ):
        assert svc.anon.get(path).status_code == 401, path
        assert client.get(path).status_code == 200, path


def test_timeline_filters_by_category_and_dates(svc: LiveService) -> None:
    body = svc.admin.get(
        "/ledger/timeline", params={"kind": "test", "from": "2016", "to": "2019-06"}
    ).json()
    assert body["events"], "the ledger has tests in 2016-2019"
    assert {e["kind"] for e in body["events"]} <= {k for k, c in KINDS.items() if c == "test"}
    assert all("2016" <= e["date"][:7] <= "2019-06" for e in body["events"])
    assert body["total"] == len(body["events"])
    assert "cns" in {e["dataset"] for e in body["events"]}, (
        "imported CNS launches join the timeline"
    )
    assert body["kinds"] == KINDS
    assert all(e["sources"] for e in body["events"] if e["dataset"] == "ledger")


def test_timeline_limit_keeps_the_total(svc: LiveService) -> None:
    body = svc.admin.get("/ledger/timeline", params={"limit": 3}).json()
    assert len(body["events"]) == 3 and body["total"] > 3
    dates = [e["date"] for e in svc.admin.get("/ledger/timeline").json()["events"]]
    assert [e["date"] for e in body["events"]] == dates[:3]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"kind": "tests"}, "kind: unknown kind 'tests'"),
        ({"from": "2020-13"}, "from: impossible date: month 13 does not exist"),
        ({"from": "2020", "to": "2019"}, "from: 2020 is after to 2019"),
        ({"to": "19x"}, "to: "),
    ],
)
def test_timeline_bad_filters_are_400_naming_the_field(
    svc: LiveService, params: dict[str, str], detail: str
) -> None:
    r = svc.admin.get("/ledger/timeline", params=params)
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request"
    assert r.json()["detail"].startswith(detail)


def test_pressure_counts_listed_designations_and_marks_events(svc: LiveService) -> None:
    body = svc.admin.get("/ledger/pressure", params={"from": "2016", "to": "2019"}).json()
    quarters = [r["quarter"] for r in body["rows"]]
    assert quarters[0] == "2016-Q1" and quarters[-1] == "2019-Q4" and len(quarters) == 16
    q1 = body["rows"][0]
    assert q1["designations"]["un"] == 1, "the UN fixture lists one DPRK person on 2016-03-02"
    assert q1["nuclear_tests"] == 1
    assert {m["kind"] for m in body["markers"]} <= {
        "summit",
        "talks",
        "agreement",
        "nuclear-test",
        "resolution",
    }
    assert any(m["title"].startswith("Nuclear test 6") for m in body["markers"])
    assert all("2016" <= m["date"][:4] <= "2019" for m in body["markers"])
    assert any(r["launches"] for r in body["rows"]), "CNS launches are counted"
    assert body["baseline"]["ofac"]["count"] == 3


def test_pressure_without_imports_says_what_is_missing(tmp_path: Path) -> None:
    with live_service(workbench_settings(tmp_path)) as empty:
        body = empty.admin.get("/ledger/pressure").json()
    assert body["lists"] == []
    assert all(set(r["designations"]) == set() and r["launches"] is None for r in body["rows"])
    assert any("No sanctions lists imported" in n for n in body["notes"])
    assert body["rows"][-1]["quarter"].startswith(str(date.today().year))


def test_compliance_resolves_every_cited_source(svc: LiveService) -> None:
    body = svc.admin.get("/ledger/compliance").json()
    cited = {
        s
        for row in body["rows"]
        for c in row["cells"].values()
        for b in c["breaches"]
        for s in b["sources"]
    }
    cited |= {s for c in body["commitments"] for s in c["sources"]}
    # Bibliography ids resolve; launches from imported data cite their dataset in words.
    ids = {s.id for s in load_ledger().sources}
    assert cited & ids and set(body["sources"]) == cited & ids
    assert all(" " in c for c in cited - ids)
    assert all(s["url"].startswith("http") for s in body["sources"].values())
    unscr1718 = next(r for r in body["rows"] if r["label"] == "UNSCR 1718")
    assert unscr1718["cells"]["no-nuclear-test"]["status"] == "broken"
    assert set(unscr1718["cells"]) <= set(body["columns"])


def test_claims_cover_every_claim_as_of_a_given_day(svc: LiveService) -> None:
    body = svc.admin.get("/ledger/claims", params={"today": "2019-07-02"}).json()
    assert body["today"] == "2019-07-02"
    assert [c["id"] for c in body["claims"]] == [c.id for c in load_ledger().claims]
    assert all(c["verdict"] and c["value"] for c in body["claims"])
    for c in body["claims"]:
        for a in (c["at_time"], c["today_assessment"]):
            assert a["as_of"] <= "2019-07-02"
            for f in a["evidence"]:
                assert f["citations"] and all(
                    x["date"][:10] <= "2019-07-02" for x in f["citations"]
                )


def test_sources_are_the_bibliography(svc: LiveService) -> None:
    body = svc.admin.get("/ledger/sources").json()
    assert [s["id"] for s in body] == [s.id for s in load_ledger().sources]


def test_a_new_import_shows_without_a_restart(tmp_path: Path) -> None:
    with workbench_service(tmp_path) as fresh:
        before = fresh.admin.get("/ledger/timeline").json()
        assert "csis" not in before["datasets"]
        chosen, _ = expand([FIXTURES / "ledger" / "csis.csv"], None)
        for path, importer in chosen:
            LedgerStore(fresh.state.settings.home).save(importer.load(path))
        after = fresh.admin.get("/ledger/timeline").json()
    assert "csis" in after["datasets"]
    assert after["total"] > before["total"]


@pytest.mark.parametrize("cap", [20, 1])
def test_compliance_lists_the_first_breaches_per_cell_and_counts_all(
    svc: LiveService, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    from dprkwatch.ledger import gather, resolution_matrix
    from dprkwatch.service.api.routers import ledger as ledger_router

    monkeypatch.setattr(ledger_router, "MAX_BREACHES", cap)  # the service runs in this process
    body = svc.admin.get("/ledger/compliance").json()
    inputs = gather(svc.state.settings.home)
    full = {
        (c.resolution, c.obligation): c
        for c in resolution_matrix(inputs.ledger, inputs.events).cells()
    }
    truncated = 0
    for row in body["rows"]:
        for key, cell in row["cells"].items():
            expected = full[(row["resolution"], key)].breaches
            assert cell["breach_count"] == len(expected)
            assert [b["date"] for b in cell["breaches"]] == [b.date for b in expected[:cap]]
            truncated += len(expected) > cap
    assert truncated > 0 or cap == 20
