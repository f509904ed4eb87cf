"""The resolution pages in Debian's Chromium: the review queue and the coverage record.

A service of its own over the four small lists of the resolution tests (one
man on four lists, two namesakes the resolver leaves to a person), resolved
once; each test checks what the page shows against the service's answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from dprkwatch.resolution import run
from dprkwatch.settings import Settings
from tests.resolution.factory import write_lists
from tests.service.factory import LiveService, live_service
from tests.web.conftest import Session
from tests.web.factory import ADMIN_KEY

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """Overrides the shared workbench service: these pages need a resolution."""
    root = tmp_path_factory.mktemp("resolution-workbench")
    home = root / "home"
    write_lists(home)
    run(home, workers=1)
    settings = replace(
        Settings(home=home),
        database_url=f"sqlite:///{root / 'service.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
    )
    with live_service(settings) as svc:
        yield svc


def _open(session: Session, key: str, route: str) -> Any:
    page = session.page
    page.goto(f"{session.base_url}/#key={key}")
    page.wait_for_selector("nav[aria-label=Pages]")
    page.goto(f"{session.base_url}/#/{route}")
    return page


def test_review_queue_shows_both_listings_with_evidence_and_records_a_decision(
    session: Session, web_service: LiveService
) -> None:
    key = web_service.key("screen", "review", name="resolution reviewer")
    page = _open(session, key, "resolution/review")
    queue = web_service.admin.get("/resolution/review").json()
    assert queue["total"] == 2
    summary = page.locator("section[aria-labelledby=queue-title] .summary")
    summary.wait_for()
    assert "2 pair(s) waiting" in summary.inner_text()
    first = queue["items"][0]
    card = page.locator("article.pair").first
    text = card.inner_text()
    assert first["a"] in text and first["b"] in text
    assert "1963-12-23" in text and "1954-10-12" in text  # the birth dates side by side
    assert "birth year 1963 differs" in card.locator("ul.evidence").inner_text()

    card.get_by_label("Note (optional, kept with the decision)").fill("born nine years apart")
    card.get_by_role("button", name="Different targets").click()
    done = page.locator("section[aria-labelledby=queue-title] .review-done")
    done.wait_for()
    recorded = done.inner_text()
    assert f"{first['a']} ≠ {first['b']} (different)" in recorded
    page.get_by_text("1 pair(s) waiting").wait_for()

    log = web_service.admin.get("/resolution/decisions").json()["items"]
    assert [(d["a"], d["b"], d["decision"], d["note"]) for d in log] == [
        (first["a"], first["b"], "different", "born nine years apart")
    ]
    decisions = page.locator("table[aria-label='Decisions, newest first'] tbody tr")
    decisions.first.wait_for()
    assert decisions.count() == 1 and "born nine years apart" in decisions.first.inner_text()
    export = web_service.admin.get(
        "/audit/export", params={"format": "json", "kind": "resolution.decision"}
    ).json()
    assert len(export) == 1 and export[0]["actor"] == log[0]["user"]
    assert f"by {log[0]['user']}" in recorded and f"(audit #{export[0]['seq']})" in recorded


def test_review_without_the_review_role_is_refused_in_the_page(
    session: Session, web_service: LiveService
) -> None:
    key = web_service.key("screen", name="reader only")
    page = _open(session, key, "resolution/review")
    card = page.locator("article.pair").first
    card.wait_for()
    before = web_service.admin.get("/resolution/decisions").json()["total"]
    card.get_by_role("button", name="Same target").click()
    assert "needs the review role" in card.get_by_role("alert").inner_text()
    assert web_service.admin.get("/resolution/decisions").json()["total"] == before


def test_coverage_page_shows_the_lags_the_plot_and_every_target(
    session: Session, web_service: LiveService
) -> None:
    key = web_service.key("screen", name="coverage reader")
    page = _open(session, key, "resolution/coverage")
    rep = web_service.admin.get("/resolution/coverage").json()
    lags = page.locator("table[aria-label='Lags after the UN'] tbody tr")
    lags.first.wait_for()
    rows = {r.split("\t")[0]: r.split("\t")[1:] for r in lags.all_inner_texts()}
    assert set(rows) == {"eu", "uk", "ofac"}
    for pub, cells in rows.items():
        d = rep["un_lag"][pub]
        assert cells[0] == str(d["un_designations"]) and cells[-1] == str(d["missing"])
    assert rows["eu"][4] == "7"  # median days: RI Su Yong, UN 2017-06-02, EU 2017-06-09
    # The plot: one step curve per list with dated lags (EU and UK; OFAC is undated).
    page.locator("figure.chart .lag-curve").first.wait_for()
    assert page.locator("figure.chart .lag-curve path").count() == 2
    assert page.locator("figure.chart").inner_text().count("share of 3 UN designations") == 1

    targets = page.locator("table[aria-label=Targets] tbody tr")
    assert targets.count() == rep["targets"] == len(rep["rows"])
    page.get_by_label("Filter by name or id").fill("ri su")
    targets.nth(1).wait_for(state="detached")
    assert targets.count() == 1
    ri = targets.first.inner_text()
    assert "2017-06-02 (day)" in ri and "2017-06-09 (day)" in ri and "on_or_before" in ri
    assert "nationality" in ri and "remarks" in ri  # why he counts as a DPRK target

    page.get_by_label("Every resolved target (not only DPRK ones)").check()
    summary = page.locator("section[aria-labelledby=lag-title] .summary")
    summary.get_by_text(f"{rep['targets'] + 1} targets;").wait_for()  # John Smith (SDGT) joins
