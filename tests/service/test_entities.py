"""The entity store behind ``/entities``: links both ways, nesting, paging, referents, dates.

The data is a hand-written fixture shaped like yente's party-donations
fixture: a donor with two addresses and two payments to parties, a
second donor, and one party nobody paid twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from dprkwatch.lists.importing import import_paths
from dprkwatch.lists.snapshot import SnapshotStore
from dprkwatch.service.entities import EntityStore
from dprkwatch.service.seen import history
from dprkwatch.settings import Settings
from tests.conftest import FIXTURES
from tests.service.factory import import_lists, live_service

DONATIONS = FIXTURES / "compat" / "donations" / "entities.ftm.json"
ROOT = "donor-erika-beispiel"
ADMIN_KEY = "entity-store-admin-key-of-32-or-more-chars"


def _lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DONATIONS.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def store() -> EntityStore:
    entities = _lines()
    entities[1]["referents"] = ["old-donor-id"]
    entities[3]["properties"]["topics"] = ["sanction"]
    return EntityStore.from_entities(entities, "ftm_donations")


def _ids(values: list[Any]) -> list[str]:
    return [v["id"] if isinstance(v, dict) else v for v in values]


def test_a_document_keeps_ids_and_names_its_source(store: EntityStore) -> None:
    doc = store.document(ROOT)
    assert doc is not None
    assert doc["properties"]["addressEntity"] == ["addr-donor-2", "addr-donor-1"]
    assert doc["datasets"] == ["donations"] and doc["caption"] == "Frau Erika Beispiel"
    assert doc["first_seen"] == "2021-05-01T00:00:00" and doc["last_seen"] == "2024-01-01T00:00:00"
    assert store.document("no-such-id") is None


def test_nesting_inlines_both_directions_and_the_far_side_of_edges(store: EntityStore) -> None:
    props = (store.nested(ROOT) or {})["properties"]
    assert [a["schema"] for a in props["addressEntity"]] == ["Address", "Address"]
    payments = {p["id"]: p for p in props["paymentPayer"]}  # reverse of Payment.payer
    assert sorted(payments) == ["pay-1", "pay-2"]
    assert _ids(payments["pay-1"]["properties"]["beneficiary"]) == ["party-a", "fake-org"]
    assert isinstance(payments["pay-1"]["properties"]["beneficiary"][0], dict)
    assert payments["pay-1"]["properties"]["payer"] == [ROOT]  # the root is not nested again
    # A party found through a payment is not expanded further.
    party = payments["pay-1"]["properties"]["beneficiary"][0]
    assert "paymentBeneficiary" not in party["properties"]


def test_adjacent_pages_in_file_order(store: EntityStore) -> None:
    assert store.neighbours(ROOT, "paymentPayer") == ["pay-1", "pay-2"]
    page, total = store.adjacent(ROOT, "paymentPayer", limit=1, offset=1)
    assert total == 2 and _ids(page) == ["pay-2"]
    assert store.adjacent(ROOT, "paymentPayer", limit=0, offset=0) == ([], 2)
    assert store.neighbours("party-a", "paymentBeneficiary") == ["pay-1", "pay-2"]


def test_referents_redirect_and_target_comes_from_topics(store: EntityStore) -> None:
    assert store.canonical("old-donor-id") == ROOT
    assert store.canonical(ROOT) == ROOT and store.canonical("nope") is None
    assert store.cluster(ROOT) == {ROOT, "old-donor-id"}
    assert (store.document("party-a") or {})["target"] is True
    assert (store.document("party-b") or {})["target"] is False


def test_dates_follow_the_snapshot_history(tmp_path: Path) -> None:
    """first_seen: earliest version holding it; last_change: start of its unchanged run."""
    lines = _lines()
    for line in lines:
        for key in ("first_seen", "last_seen", "last_change"):
            line.pop(key)
    source = tmp_path / "src" / "donations" / "entities.ftm.json"
    source.parent.mkdir(parents=True)
    store = SnapshotStore(tmp_path / "home")

    def publish(entities: list[dict[str, Any]], day: date) -> None:
        source.write_text("\n".join(json.dumps(e) for e in entities) + "\n")
        import_paths(store, [source], published=day)

    publish(lines, date(2024, 1, 1))
    publish(lines, date(2024, 2, 1))
    lines[0]["properties"]["full"] = ["Anderswo 1, 10115 Berlin"]  # addr-donor-2 changes
    publish([e for e in lines if e["id"] != "pay-3"], date(2024, 3, 1))
    seen = history(store, store.active_versions())
    assert "pay-3" not in seen  # no longer listed
    party = seen["party-a"]
    assert (party.first_seen, party.last_seen, party.last_change) == (
        "2024-01-01T00:00:00",
        "2024-03-01T00:00:00",
        "2024-01-01T00:00:00",
    )
    assert seen["addr-donor-2"].last_change == "2024-03-01T00:00:00"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    root = tmp_path_factory.mktemp("entities")
    cfg = Settings(
        home=root / "home",
        database_url=f"sqlite:///{root / 'service.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
    )
    import_lists(cfg.home, DONATIONS)
    with live_service(cfg) as svc:
        headers = {"Authorization": f"ApiKey {ADMIN_KEY}"}
        with httpx.Client(base_url=svc.base_url, headers=headers, timeout=60) as c:
            yield c


def test_entities_route_nests_by_default(client: httpx.Client) -> None:
    nested = client.get(f"/entities/{ROOT}").json()["properties"]
    assert sorted(_ids(nested["paymentPayer"])) == ["pay-1", "pay-2"]
    flat = client.get(f"/entities/{ROOT}", params={"nested": "false"}).json()["properties"]
    assert "paymentPayer" not in flat and flat["addressEntity"] == ["addr-donor-2", "addr-donor-1"]
    assert client.get("/entities/no-such-id").status_code == 404


def test_adjacent_routes_page_each_property(client: httpx.Client) -> None:
    data = client.get(f"/entities/{ROOT}/adjacent", params={"limit": 1}).json()
    assert data["entity"]["id"] == ROOT
    payments = data["adjacent"]["paymentPayer"]
    assert payments["total"] == {"value": 2, "relation": "eq"} and len(payments["results"]) == 1
    one = client.get(f"/entities/{ROOT}/adjacent/addressEntity", params={"offset": 1}).json()
    assert _ids(one["results"]) == ["addr-donor-1"] and one["total"]["value"] == 2
    bad = client.get(f"/entities/{ROOT}/adjacent/banana")
    assert bad.status_code == 404
