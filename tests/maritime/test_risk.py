"""Vessel risk: designations by IMO, MMSI and name; behaviour; caps and reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import polars as pl
import pytest

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.maritime import schema
from dprkwatch.maritime.designations import (
    Designations,
    ExactNames,
    NameHit,
    ScreenerNames,
    imo_valid,
    name_matcher,
    normalise_imo,
    normalise_name,
)
from dprkwatch.maritime.risk import RiskScorer, level_of
from dprkwatch.maritime.store import IDENTITY_SCHEMA
from dprkwatch.settings import Settings
from tests.maritime.factory import FIXTURES, T0


@pytest.fixture
def designations(settings: Settings) -> tuple[SnapshotStore, Designations]:
    store = SnapshotStore(settings.home)
    import_paths(store, [FIXTURES / "designated.ftm.json"])
    return store, Designations.from_store(store)


def _identity(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return schema.conform(
        pl.DataFrame(
            [
                {
                    "mmsi": m,
                    "field": f,
                    "value": v,
                    "first_ts": T0,
                    "last_ts": T0 + timedelta(hours=1),
                    "reports": 3,
                }
                for m, f, v in rows
            ]
        ),
        IDENTITY_SCHEMA,
    )


def _events(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {"start": T0, "end": T0 + timedelta(hours=3), "detail": ""}
    return schema.conform(pl.DataFrame([{**base, **r} for r in rows]), schema.EVENTS)


def test_identifier_helpers() -> None:
    assert normalise_imo("IMO 9074729") == "9074729" and normalise_imo("no number") is None
    assert imo_valid("9074729") and not imo_valid("9074728") and not imo_valid("123")
    assert normalise_name("M/V Kum-Un San") == "KUM UN SAN"


def test_designations_are_vessels_only(designations: tuple[SnapshotStore, Designations]) -> None:
    _, d = designations
    assert len(d) == 2
    v = d.by_imo("9074729")[0]
    assert v.entity_id == "test-vessel-1" and v.dprk and v.mmsis == (445112000,)
    assert d.by_mmsi(445112000) == [v] and d.by_name("sky angel") == [v]
    assert d.by_name("YU JONG NO 2")[0].entity_id == "test-vessel-2"


def test_scores_add_up_with_caps_and_reasons(
    designations: tuple[SnapshotStore, Designations],
) -> None:
    _, d = designations
    identity = _identity(
        [
            (412000001, "imo", "9074729"),
            (412000001, "name", "KUM UN SAN"),  # designated by IMO and name
            (412000002, "name", "OCEAN STAR"),
            (412000002, "imo", "1234568"),  # bad check digit
            (445112000, "name", "SOMETHING ELSE"),  # designated by MMSI only
        ]
    )
    events = _events(
        [
            {"event_type": "encounter", "mmsi": 412000001, "other_mmsi": 412000002},
            {"event_type": "port_call", "mmsi": 412000002, "port": "NAMPO", "dprk_port": True},
            {"event_type": "port_call", "mmsi": 412000002, "port": "NAMPO", "dprk_port": True},
            {"event_type": "port_call", "mmsi": 412000002, "port": "NAMPO", "dprk_port": True},
            {"event_type": "dark_gap", "mmsi": 412000003, "detail": "reappeared"},
            {"event_type": "port_call", "mmsi": 412000003, "port": "BUSAN", "dprk_port": False},
        ]
    )
    scorer = RiskScorer(events, identity, d, ExactNames(d))
    a = scorer.assess(412000001)
    assert [r.code for r in a.reasons] == ["designated_imo", "designated_name"] and a.score == 95.0
    assert a.designated == ["test-vessel-1"] and a.level == "high"
    b = scorer.assess(412000002)
    codes = [r.code for r in b.reasons]
    assert (
        codes.count("dprk_port_call") == 3
        and "encounter_designated" in codes
        and "invalid_imo" in codes
    )
    assert b.score == 60 + 25 + 10  # DPRK calls capped at 60
    assert scorer.assess(445112000).score == 50.0
    c = scorer.assess(412000003)
    assert c.score == 5.0 and c.level == "low" and c.events == {"dark_gap": 1, "port_call": 1}
    ranked = scorer.rank()
    assert [r.mmsi for r in ranked] == [412000001, 412000002, 445112000, 412000003]
    assert scorer.rank(top=2)[1].mmsi == 412000002
    assert level_of(0) == "none" and level_of(30) == "medium"


def test_name_matching_goes_through_the_small_interface(
    designations: tuple[SnapshotStore, Designations],
) -> None:
    store, d = designations

    class Fuzzy:
        kind = "fake"

        def __init__(self) -> None:
            self.asked: list[Sequence[str]] = []

        def match(self, names: Sequence[str]) -> list[NameHit]:
            self.asked.append(names)
            return [NameHit("test-vessel-2", names[0], 0.8, "close spelling")]

    fake = Fuzzy()
    scorer = RiskScorer(_events([]), _identity([(412000005, "name", "YOU JONG 2")]), d, fake)
    got = scorer.assess(412000005)
    assert fake.asked == [["YOU JONG 2"]]
    assert got.score == 28.0 and "YU JONG 2" in got.reasons[0].text
    assert isinstance(name_matcher(store, d, fuzzy=False), ExactNames)
    assert name_matcher(store, Designations(), fuzzy=True).kind == "exact"


def test_fuzzy_names_go_through_the_screening_engine(
    designations: tuple[SnapshotStore, Designations],
) -> None:
    store, d = designations
    fuzzy = name_matcher(store, d, fuzzy=True)
    assert isinstance(fuzzy, ScreenerNames)
    hits = fuzzy.match(["YU JONG 2"])
    assert [h.entity_id for h in hits] == ["test-vessel-2"] and hits[0].score >= 0.7
    assert fuzzy.match(["   "]) == []
