"""The workbench in Debian's Chromium against a live service (marked ``browser``).

Each test drives one page the way a user would and checks what it shows
against the service's own answers; the ``session`` fixture fails any test
whose page asked for anything outside 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.service.factory import LiveService
from tests.web.conftest import Session
from tests.web.factory import positions_csv

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def key(web_service: LiveService) -> str:
    return web_service.key("screen", "review", name="browser tests")


@pytest.fixture
def page(session: Session, key: str) -> Iterator[Any]:
    """A tab signed in with the one-click link ``dprkwatch run`` prints."""
    session.page.goto(f"{session.base_url}/#key={key}")
    session.page.wait_for_selector("nav[aria-label=Pages]")
    yield session.page


def go(page: Any, base_url: str, route: str) -> None:
    page.goto(f"{base_url}/#/{route}")


def test_link_signs_in_and_removes_the_key_from_the_address(page: Any, key: str) -> None:
    assert key not in page.url
    assert page.url.endswith("#/screen")
    assert page.evaluate("sessionStorage.getItem('dprkwatch.key')") == key


def test_a_one_time_link_signs_in_once(session: Session, web_service: LiveService) -> None:
    """The link ``dprkwatch run`` prints to a terminal: spent for a screen-only session key."""
    from dprkwatch.service import logins

    link = logins.issue(web_service.state.db, created_by="browser test")
    page = session.page
    page.goto(f"{session.base_url}/#login={link.token}")
    page.wait_for_selector("nav[aria-label=Pages]")
    assert link.token not in page.url and page.url.endswith("#/screen")
    session_key = page.evaluate("sessionStorage.getItem('dprkwatch.key')")
    assert session_key.startswith("dpk_")
    assert web_service.client(session_key).get("/keys").status_code == 403  # screen only
    page.evaluate("sessionStorage.clear()")
    page.goto("about:blank")
    page.goto(f"{session.base_url}/#login={link.token}")  # spent: back to the key form
    page.get_by_label("API key", exact=True).wait_for()
    assert "not valid" in page.get_by_role("alert").inner_text()


def test_key_form_rejects_an_unknown_key_and_accepts_a_good_one(session: Session, key: str) -> None:
    page = session.page
    page.goto(session.base_url + "/")
    page.get_by_label("API key", exact=True).fill("dpk_000000000000_" + "x" * 43)
    page.get_by_role("button", name="Sign in").click()
    assert "unknown or revoked" in page.get_by_role("alert").inner_text()
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("nav[aria-label=Pages]")
    assert page.get_by_role("heading", name="Screen").is_visible()


def test_screening_shows_the_entity_with_its_explanation_and_records_a_review(
    page: Any, session: Session, web_service: LiveService
) -> None:
    page.get_by_label("Name", exact=True).fill("Paek Song Chol")
    page.get_by_label("Birth date", exact=True).fill("1963-05-10")
    page.get_by_role("button", name="Screen", exact=True).click()
    hit = page.locator("article.hit[data-entity='un-KPi.901']")
    hit.wait_for()
    assert hit.locator("h3").inner_text() == "PAEK SONG CHOL"
    assert hit.locator(".badge.match").inner_text() == "match"
    why = hit.locator("ul.explanation li").all_inner_texts()
    assert any("Korean name" in line and "PAEK SONG CHOL" in line for line in why)
    assert any("birth date 1963-05-10 agrees" in line for line in why)

    hit.get_by_label("Review reason").fill("different person: passport seen")
    hit.get_by_role("button", name="False positive").click()
    done = hit.get_by_role("status")
    done.wait_for()
    assert "false positive" in done.inner_text()

    reviews = web_service.admin.get("/reviews", params={"entity_id": "un-KPi.901"}).json()[
        "reviews"
    ]
    assert [(r["verdict"], r["reason"]) for r in reviews] == [
        ("false_positive", "different person: passport seen")
    ]

    # Screening the same subject again hides the reviewed hit and says so.
    page.get_by_role("button", name="Screen", exact=True).click()
    page.get_by_text("hidden by an earlier").wait_for()
    assert page.locator("article.hit[data-entity='un-KPi.901']").count() == 0


def test_screening_form_defaults_to_any_type(page: Any) -> None:
    """A company name typed without choosing a type finds the company (as on the CLI)."""
    kind = page.locator("select[name=schema]")
    assert kind.input_value() == "Thing"
    assert kind.locator("option:checked").inner_text() == "any type"
    page.get_by_label("Name", exact=True).fill("Koryo Example Trading Corporation")
    page.get_by_role("button", name="Screen", exact=True).click()
    hit = page.locator("article.hit").first
    hit.wait_for()
    assert hit.locator("h3").inner_text() == "KORYO EXAMPLE TRADING CORPORATION"
    assert hit.locator(".badge.match").inner_text() == "match"


def test_review_without_a_reason_is_refused_in_the_page(page: Any) -> None:
    page.get_by_label("Name", exact=True).fill("Ryang Chol Min")
    page.get_by_role("button", name="Screen", exact=True).click()
    hit = page.locator("article.hit").first
    hit.wait_for()
    hit.get_by_role("button", name="True match").click()
    assert "Give a reason" in hit.get_by_role("alert").inner_text()


def test_lists_page_shows_active_versions_and_a_diff(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "lists")
    active = web_service.admin.get("/lists").json()["lists"]
    table = page.locator("section[aria-labelledby=active-title] table")
    table.wait_for()
    rows = table.locator("tbody tr").all_inner_texts()
    assert len(rows) == len(active) == 2
    assert any(r.startswith("ofac") and "2026-03-10" in r for r in rows)
    # The fixture lists are months old: every page says so, with the service's own reasons.
    banner = page.get_by_role("status", name="Out-of-date sanctions data")
    stale = web_service.admin.get("/lists").json()["stale"]
    assert stale and all(reason in banner.inner_text() for reason in stale)
    assert any(r.startswith("un") and "days ago" in r for r in rows)

    page.get_by_label("List").select_option("ofac")
    page.get_by_role("button", name="Compare").click()
    summary = page.locator(".diff .summary")
    summary.wait_for()
    assert "ofac: 1 added, 1 removed, 1 changed" in summary.inner_text()
    assert (
        "JONG, KYONG HUI" in page.locator("table:has(caption:text('Added'))").inner_text().upper()
    )
    assert (
        "TAEDONG EXAMPLE SHIPPING"
        in page.locator("table:has(caption:text('Removed'))").inner_text().upper()
    )
    changed = page.locator("table:has(caption:text('Changed'))").inner_text()
    assert "RYANG" in changed.upper() and "alias" in changed


def test_ledger_timeline_filters_by_kind_and_cites_sources(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "ledger/timeline")
    rows = page.locator("table.timeline tbody tr")
    rows.first.wait_for()
    api_total = web_service.admin.get("/ledger/timeline").json()["total"]
    assert f"{api_total} event(s)" in page.locator("p.meta").first.inner_text()
    assert page.locator("figure.chart svg g.event > *").count() == rows.count()

    page.get_by_label("test", exact=True).check()
    page.get_by_label("From").fill("2016")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.timeline tbody tr')]"
        ".every(r => ['nuclear-test','missile-launch'].includes(r.dataset.kind))"
    )
    kinds = set(
        page.locator("table.timeline tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.kind)"
        )
    )
    assert kinds == {"nuclear-test", "missile-launch"}  # the CNS fixture's launches are there too
    first = page.locator("table.timeline tbody tr").first
    first.locator("summary").click()
    assert first.locator("ul.sources a[href^='http']").count() >= 1


def test_ledger_pressure_chart_draws_designations_events_and_launches(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "ledger/pressure")
    chart = page.locator("figure.chart .pressure-chart")
    chart.wait_for()
    data = web_service.admin.get("/ledger/pressure").json()
    bars = sum(1 for r in data["rows"] for n in r["designations"].values() if n)
    assert bars > 0
    assert chart.locator("g.designations > *").count() == bars
    assert chart.locator("g.marker > *").count() == len(data["markers"]) > 0
    launches = sum(1 for r in data["rows"] if r["launches"])
    assert chart.locator("g.launches > *").count() == launches > 0
    titles = chart.locator("g.marker title").all_text_contents()
    assert any("nuclear-test" in t for t in titles)


def test_ledger_compliance_cells_open_to_sourced_evidence(page: Any, session: Session) -> None:
    go(page, session.base_url, "ledger/compliance")
    row = page.locator("table.matrix tbody tr:has(th:text('UNSCR 1718'))")
    row.wait_for()
    cell = row.locator("td.status-broken").first
    cell.locator("summary").click()
    assert cell.locator("ul.breaches li").count() >= 1
    assert cell.locator("ul.sources a[href^='http']").count() >= 1


def test_ledger_claims_show_every_verdict(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "ledger/claims")
    claims = web_service.admin.get("/ledger/claims").json()["claims"]
    page.locator("article.claim").first.wait_for()
    shown = page.locator("article.claim").evaluate_all("els => els.map(e => e.dataset.claim)")
    assert shown == [c["id"] for c in claims]
    badges = page.locator("article.claim .badge").all_inner_texts()
    assert badges == [c["verdict"] for c in claims]


def test_arsenal_band_with_estimates_and_an_increment(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "arsenal")
    chart = page.locator("section[aria-labelledby=band-title] figure.chart svg")
    chart.wait_for()
    data = web_service.admin.get("/arsenal").json()
    shown = [
        c
        for c in data["comparisons"]
        if c["kind"] in ("stock", "assembled") and c["unit"] == "weapons" and not c["projection"]
    ]
    assert chart.locator("g.band-90 path").count() == 1
    assert chart.locator("g.band-median path").count() == 1
    assert chart.locator("g.estimate > *").count() == len(shown) > 0
    flagged = [c for c in shown if c["flagged"]]
    red = chart.locator("g.estimate > *").evaluate_all(
        "els => els.filter(e => e.getAttribute('fill') === '#c0392b').length"
    )
    assert red == len(flagged) > 0
    assert page.locator("table.estimates tbody tr.flagged").count() == sum(
        c["flagged"] for c in data["comparisons"]
    )

    page.get_by_role("checkbox", name="include projections").check()
    projections = [
        c
        for c in data["comparisons"]
        if c["kind"] in ("stock", "assembled") and c["unit"] == "weapons"
    ]
    page.wait_for_function(
        f"() => document.querySelectorAll('g.estimate > *').length === {len(projections)}"
    )

    expected = web_service.admin.get(
        "/arsenal/increment", params={"start": "singapore", "end": "hanoi"}
    ).json()
    page.get_by_role("button", name="Compute").click()
    result = page.locator(".increment-result")
    result.wait_for()
    text = result.inner_text()
    assert "2018-06-12 → 2019-02-28 (261 days)" in text
    assert f"{expected['low']:.1f}–{expected['high']:.1f}" in text

    page.get_by_label("To", exact=True).fill("someday")
    page.get_by_role("button", name="Compute").click()
    assert (
        "cannot read 'someday'"
        in page.locator("section[aria-labelledby=increment-title] [role=alert]").inner_text()
    )


def test_roadmap_side_by_side_trajectory_and_assessments(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "roadmap")
    chart = page.locator("section[aria-labelledby=trajectory-title] figure.chart svg")
    chart.wait_for(timeout=120_000)  # the page's evaluation runs once per service process
    data = web_service.admin.get("/roadmap").json()
    ev = data["evaluation"]
    rows = page.locator("table.proposals tbody tr")
    assert rows.count() == len(ev["proposals"]) >= 7
    hanoi = next(p for p in ev["proposals"] if p["id"] == "hanoi-dprk-offer")
    prevented = hanoi["results"]["prevented"]
    cell = page.locator("tr[data-proposal=hanoi-dprk-offer] td.prevented").inner_text()
    assert cell.startswith(f"{prevented['median']:.1f} (")
    assert page.locator("tr[data-proposal=hanoi-dprk-offer]").get_attribute("class") == "selected"
    for mark in ("baseline-band", "baseline-median", "deal-band", "deal-median", "first-stop"):
        assert chart.locator(f"g.{mark} > *").count() >= 1, mark
    covered = page.locator("ul.covered li").all_inner_texts()
    assert len(covered) == len(hanoi["covered"])
    assert any("Yongbyon uranium enrichment plant" in line for line in covered)

    page.get_by_label("Proposal").select_option("freeze-for-freeze-2017")
    page.get_by_role("heading", name="With and without: Freeze for freeze").wait_for()
    assert (
        page.locator("section[aria-labelledby=trajectory-title]")
        .get_by_text("No fissile-production capacity.")
        .is_visible()
    )

    table = page.locator("table.shares tbody tr")
    assert table.count() == len(data["shares"]["assessments"])
    albright = page.locator("tr[data-assessment=albright-2019]")
    assert albright.get_attribute("class") == "flagged"
    assert "enrichment.kangson" in albright.inner_text()
    assert page.locator("table.definitions thead th").count() == len(data["definitions"]) + 1


def test_maritime_map_shows_events_and_dprk_ports(
    page: Any, session: Session, web_service: LiveService
) -> None:
    go(page, session.base_url, "maritime")
    svg = page.locator("figure.chart svg:has(g.maritime-event)")
    svg.wait_for()
    data = web_service.admin.get("/maritime/events").json()
    assert svg.locator("g.maritime-event > *").count() == len(data["events"]) == 4
    assert svg.locator("g.port > *").count() == len(data["ports"]) > 0
    assert "NAMPO" in (svg.locator("g.port-label").text_content() or "")
    assert page.locator("table tbody tr").count() == 4

    page.get_by_label("port call").check()
    page.wait_for_function("() => document.querySelectorAll('table tbody tr').length === 1")
    row = page.locator("table tbody tr")
    assert row.get_attribute("data-type") == "port_call"
    assert "NAMPO (DPRK)" in row.inner_text()
    assert svg.locator("g.maritime-event > *").count() == 1


def test_pages_send_the_key_and_a_revoked_key_returns_to_sign_in(
    session: Session, web_service: LiveService
) -> None:
    doomed = web_service.key("screen", name="to revoke")
    page = session.page
    page.goto(f"{session.base_url}/#key={doomed}")
    page.wait_for_selector("nav[aria-label=Pages]")
    key_id = doomed.split("_")[1]
    assert web_service.admin.delete(f"/keys/{key_id}").status_code == 200
    go(page, session.base_url, "lists")
    page.get_by_label("API key", exact=True).wait_for()
    assert "no longer accepts" in page.get_by_role("alert").inner_text()


def test_alerts_page_lists_the_alerts_of_a_rescreen(
    page: Any, session: Session, web_service: LiveService
) -> None:
    from tests.service.factory import SERVICE_FIXTURES

    book = web_service.admin.post(
        "/books/from-path",
        json={"name": "customers", "path": str(SERVICE_FIXTURES / "book_customers.csv")},
    ).json()
    web_service.wait_for_run(book["rescreen_run"])
    alerts = web_service.admin.get("/alerts").json()["alerts"]
    assert alerts, "the fixture book has listed customers"
    go(page, session.base_url, "alerts")
    page.locator("table tbody tr").first.wait_for()
    rows = page.locator("table tbody tr").all_inner_texts()
    assert len(rows) == len(alerts)
    assert {a["subject_id"] for a in alerts} == {r.split("\t")[2] for r in rows}
    page.get_by_label("Kind").select_option("removed")
    page.get_by_text("No alerts").wait_for()


def test_maritime_upload_shows_detected_events_without_saving(
    page: Any, session: Session, web_service: LiveService, tmp_path: Any
) -> None:
    upload = tmp_path / "pair.csv"
    upload.write_bytes(positions_csv())
    go(page, session.base_url, "maritime")
    page.locator("svg g.maritime-event").wait_for()
    page.get_by_text("Detect in a small AIS file").click()
    page.get_by_label("Positions file").set_input_files(str(upload))
    page.get_by_role("button", name="Detect", exact=True).click()
    page.get_by_text("Showing events detected in").wait_for()
    page.wait_for_function("() => document.querySelectorAll('table tbody tr').length === 1")
    assert page.locator("table tbody tr").get_attribute("data-type") == "encounter"
    assert page.locator("svg g.maritime-event > *").count() == 1
    page.get_by_role("button", name="Back to the stored run").click()
    page.wait_for_function("() => document.querySelectorAll('table tbody tr').length === 4")
    assert web_service.admin.get("/maritime/events").json()["total"] == 4
