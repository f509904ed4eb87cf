"""The generator plants what it says, and the detectors find it (and not the decoys)."""

from __future__ import annotations

import polars as pl
import pytest

from dprkwatch.maritime import PositionStore, Rules, ingest, load_ports, run_detection
from dprkwatch.maritime.evaluate import score
from dprkwatch.maritime.synthetic import SynthConfig, generate, imo_check_digit

CONFIG = SynthConfig(
    vessels=60,
    days=2,
    seed=11,
    encounters=6,
    loiterers=6,
    dark_gaps=6,
    spoofers=3,
    identity_changes=4,
    mmsi_changes=2,
    dprk_callers=3,
    decoys=4,
)


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    tmp = tmp_path_factory.mktemp("synth")
    syn = generate(CONFIG)
    syn.write(tmp / "data")
    store = PositionStore(tmp / "store")
    ingest(store, [tmp / "data" / "positions.parquet"])
    events = run_detection(store, load_ports(tmp / "data" / "ports.csv"), Rules()).events
    return events, syn.truth, syn.decoys


def test_generation_is_deterministic_per_seed() -> None:
    a = generate(SynthConfig(vessels=5, days=1, seed=3, decoys=1))
    b = generate(SynthConfig(vessels=5, days=1, seed=3, decoys=1))
    c = generate(SynthConfig(vessels=5, days=1, seed=4, decoys=1))
    assert a.positions.equals(b.positions) and a.truth.equals(b.truth)
    assert not a.positions.equals(c.positions)


def test_planted_truth_covers_every_event_type() -> None:
    syn = generate(CONFIG)
    kinds = set(syn.truth["event_type"].to_list())
    assert kinds == {
        "encounter",
        "loitering",
        "dark_gap",
        "port_call",
        "spoofing",
        "identity_change",
        "identity_shared",
        "transfer_chain",
    }
    chains = syn.truth.filter(pl.col("event_type") == "transfer_chain")
    assert chains.height == CONFIG.chains and chains["dprk_port"].sum() == (CONFIG.chains + 1) // 2
    shared = syn.truth.filter(pl.col("event_type") == "identity_shared")
    assert shared["field"].value_counts().sort("field").rows() == [
        ("imo", CONFIG.imo_clones),
        ("mmsi", CONFIG.spoofers),
    ]
    # encounters on both sides of 180 degrees
    lons = syn.positions.filter(pl.col("lon").abs() > 179.9)["lon"]
    assert (lons > 0).any() and (lons < 0).any()
    assert syn.truth.filter(pl.col("dprk_port").fill_null(False)).height >= CONFIG.dprk_callers
    assert set(syn.decoys["event_type"].to_list()) >= {
        "short_meeting",
        "moored_pair",
        "fast_crossing",
        "short_drift",
        "drift_near_port",
        "short_gap",
        "glitch",
        "name_variant",
        "brief_port_stop",
        "brief_handover",
    }
    imos = syn.positions["imo"].drop_nulls().unique().to_list()
    assert all(imo[6] == imo_check_digit(imo[:6]) for imo in imos)
    assert {d["schema"] for d in syn.designations} == {"Vessel"}


def test_recall_and_precision_meet_the_targets(
    run: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    events, truth, _ = run
    scores = {s.event_type: s for s in score(events, truth)}
    assert set(scores) == set(truth["event_type"].unique().to_list())
    for s in scores.values():
        assert s.recall >= 0.98, s.to_dict()
        assert s.precision >= 0.95, s.to_dict()


def test_decoys_are_not_reported(run: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> None:
    events, _, decoys = run

    def mmsis(kind: str) -> set[int]:
        d = decoys.filter(pl.col("event_type") == kind)
        return set(d["mmsi"].to_list()) | set(d["other_mmsi"].drop_nulls().to_list())

    def reported(event_type: str) -> set[int]:
        e = events.filter(pl.col("event_type") == event_type)
        return set(e["mmsi"].to_list()) | set(e["other_mmsi"].drop_nulls().to_list())

    assert not (mmsis("short_meeting") | mmsis("moored_pair") | mmsis("fast_crossing")) & reported(
        "encounter"
    )
    assert not (mmsis("short_drift") | mmsis("drift_near_port")) & reported("loitering")
    assert not (mmsis("short_gap") | mmsis("dark_in_port")) & reported("dark_gap")
    assert not mmsis("glitch") & reported("spoofing")
    assert not mmsis("glitch") & reported("identity_shared")
    assert not mmsis("name_variant") & reported("identity_change")
    assert not mmsis("brief_port_stop") & reported("port_call")
    assert not mmsis("brief_handover") & reported("identity_shared")
    assert mmsis("brief_handover") <= reported("identity_change")


def test_antimeridian_encounters_sit_at_180_degrees(
    run: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    events, _, _ = run
    far_east = events.filter(
        pl.col("event_type").is_in(["encounter", "loitering"]) & (pl.col("lon").abs() > 179.0)
    )
    assert (
        far_east.filter(pl.col("event_type") == "encounter").height
        == CONFIG.antimeridian_encounters
    )
    # a mean taken the long way round would land near 0 degrees
    assert (far_east["lon"].abs() > 179.99).all()


def test_no_event_ends_before_it_starts(
    run: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    events, _, _ = run
    assert events.height > 100
    assert events.filter(pl.col("end") < pl.col("start")).is_empty()
    assert events["event_id"].n_unique() == events.height
