"""Staleness: publication age, unknown dates and retired sources, in the library and `lists status`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.lists.freshness import assess, assess_active, source_key, too_old
from dprkwatch.settings import Settings, load
from tests.conftest import FIXTURES
from tests.factory import run_cli

UN = FIXTURES / "lists" / "un_sample.xml"  # published 2026-02-27
OFSI = FIXTURES / "lists" / "uk_conlist_sample.csv"  # OFSI, published 2026-08-20
UKSL = FIXTURES / "lists" / "uk_sanctions_list_sample.xml"  # published 2026-08-22
OFAC = FIXTURES / "lists" / "ofac_sdn_set"  # no date in the files or the folder name


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    store = SnapshotStore(tmp_path / "home")
    import_paths(store, [UN, OFSI, OFAC], workers=1)
    return store


def test_verdicts(store: SnapshotStore) -> None:
    verdicts = assess_active(store.active(), today=date(2026, 8, 25), max_age_days=7)
    un, uk, ofac = verdicts["un"], verdicts["uk"], verdicts["ofac"]
    assert (un.source, un.publisher, un.age_days) == ("un", "United Nations Security Council", 179)
    assert un.warnings == ("published 2026-02-27, 179 days ago (older than 7 days)",)
    # Five days old, but from a retired source: stale all the same.
    assert uk.age_days == 5 and uk.retired == "2026-01-28"
    assert uk.warnings == (
        "source retired: OFSI Consolidated List retired on 2026-01-28; replaced by the UK "
        "Sanctions List",
    )
    assert ofac.warnings == ("publication date unknown",)
    assert all(v.stale for v in verdicts.values())


def test_fresh_list_has_no_warning(store: SnapshotStore) -> None:
    import_paths(store, [UKSL], workers=1)
    verdict = assess(store.active()["uk"].manifest, today=date(2026, 8, 29), max_age_days=7)
    assert (verdict.source, verdict.age_days, verdict.warnings) == ("uksl", 7, ())
    late = assess(store.active()["uk"].manifest, today=date(2026, 8, 30), max_age_days=7)
    assert late.warnings == ("published 2026-08-22, 8 days ago (older than 7 days)",)


def test_readiness_limit(store: SnapshotStore) -> None:
    import_paths(store, [UKSL], workers=1)
    active = {k: v for k, v in store.active().items() if k in ("uk", "un")}
    verdicts = assess_active(active, today=date(2026, 8, 25), max_age_days=7)
    assert too_old(verdicts, 200) == []
    assert too_old(verdicts, 100) == ["un: published 179 days ago (limit 100)"]


def test_older_manifests_get_their_source_from_the_format(store: SnapshotStore) -> None:
    manifest = store.active()["un"].manifest
    old = type(manifest).from_dict({**manifest.to_dict(), "source": None})
    assert source_key(old) == "un"


def test_settings() -> None:
    assert load({}).list_age_days == 7 and load({}).max_list_age_days is None
    settings = load({"DPRKWATCH_LIST_AGE_DAYS": "3", "DPRKWATCH_MAX_LIST_AGE_DAYS": "30"})
    assert (settings.list_age_days, settings.max_list_age_days) == (3, 30)


def test_status_command_says_what_is_stale(
    store: SnapshotStore, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(store.home)
    result = run_cli(capsys, "--data-dir", home, "lists", "status", "--json")
    documents = orjson.loads(result.out)
    assert documents["uk"]["freshness"]["retired"] == "2026-01-28"
    assert documents["uk"]["freshness"]["stale"] is True
    assert documents["un"]["counts"]["dprk"] == 2
    assert documents["ofac"]["freshness"]["warnings"] == ["publication date unknown"]
    table = run_cli(capsys, "--data-dir", home, "lists", "status", "--max-age-days", "100000")
    assert "3 of 3 active lists are stale" not in table.err
    assert "2 of 3 active lists are stale" in table.err  # OFSI retired, OFAC undated
    assert table.code == 0


def test_formats_command_marks_retired_sources(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "lists", "formats", "--json")
    rows = {r["format"]: r for r in orjson.loads(result.out)}
    assert rows["ofsi-xlsx"]["source"] == "OFSI Consolidated List (retired 2026-01-28)"
    assert rows["uksl-xml"]["source"] == "UK Sanctions List"
