"""The service over the real UN list, when ``../shared/data`` is present (skips otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore
from dprkwatch.settings import Settings
from tests.service.factory import import_lists, live_service

pytestmark = pytest.mark.shared_data


def test_dprk_entries_of_the_real_un_list_are_found(
    shared_data: Path, sqlite_settings: Settings
) -> None:
    import_lists(sqlite_settings.home, shared_data / "un" / "un_consolidated_2026-02-27.xml")
    snapshot = SnapshotStore(sqlite_settings.home).active()["un"]
    people = [
        e for e in snapshot.iter_dicts()
        if e["schema"] == "Person" and "DPRK" in e["properties"].get("programId", []) and e["properties"].get("name")
    ]  # fmt: skip
    assert len(people) == 80  # 80 KPi records (SOURCES.md)
    with live_service(sqlite_settings) as svc:
        for entity in people[::10]:
            name = entity["properties"]["name"][0]
            exact = svc.match(svc.admin, "dprk", name=name.lower())
            assert exact.status_code == 200, exact.text
            assert exact.json()["responses"]["q"]["results"][0]["id"] == entity["id"], name
            # Western order (surname last) is the same name: a match.
            words = name.split()
            western = " ".join(words[1:] + words[:1])
            found = svc.match(svc.admin, "dprk", name=western).json()["responses"]["q"]["results"]
            assert [x["id"] for x in found if x["match"]][:1] == [entity["id"]], (western, found)
            # A full reversal also swaps the given syllables (Jong Hyok ->
            # Hyok Jong), which the matcher reads as another given name: it
            # stays a candidate, below yente's default cutoff.
            reversed_ = " ".join(reversed(words))
            body = {"queries": {"q": {"schema": "Person", "properties": {"name": [reversed_]}}}}
            low = svc.admin.post("/match/dprk", params={"cutoff": 0}, json=body).json()
            assert entity["id"] in [x["id"] for x in low["responses"]["q"]["results"]], reversed_
        catalog = {d["name"]: d for d in svc.admin.get("/catalog").json()["datasets"]}
        assert catalog["dprk"]["entity_count"] == 155
