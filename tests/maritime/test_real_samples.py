"""The real samples in ../shared/data/ais: the Solent CSV, the pyais NMEA log, the World Port Index."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dprkwatch.maritime import PositionStore, Rules, ingest, load_ports, run_detection

pytestmark = pytest.mark.shared_data

SOLENT = Path("ais") / "SolentAIS_20160112_130211.csv"
NMEA = Path("ais") / "nmea" / "pyais_nmea_data_sample.txt"
WPI = Path("ais") / "ports" / "WPI_ports.csv"


@pytest.fixture(scope="module")
def solent(tmp_path_factory: pytest.TempPathFactory) -> tuple[PositionStore, Path]:
    from tests.conftest import SHARED_DATA

    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    store = PositionStore(tmp_path_factory.mktemp("solent") / "m")
    ingest(store, [SHARED_DATA / SOLENT])
    return store, SHARED_DATA


def test_solent_ingest_counts(solent: tuple[PositionStore, Path]) -> None:
    store, _ = solent
    manifest = store.manifest()
    ingest_q = manifest["ingests"][-1]["quality"]
    assert ingest_q["rows_read"] == 18_623
    assert ingest_q["positions_kept"] + sum(ingest_q["skipped"].values()) == 18_623
    day = store.read_day(store.days()[0])
    assert day["mmsi"].n_unique() == 91
    assert day.filter(pl.col("sog") < 2).height > 9_000  # moored and anchored vessels


def test_solent_harbour_pairs_are_not_encounters(solent: tuple[PositionStore, Path]) -> None:
    store, shared = solent
    ports = load_ports(shared / WPI)
    # Rules shortened so an 84-minute file can show pairs at all; the port filter stays on.
    short = Rules(encounter_min_hours=1.0, loiter_min_hours=1.0, port_min_hours=0.25)
    with_filter = run_detection(store, ports, short).events
    without = run_detection(
        store, ports, Rules(encounter_min_hours=1.0, encounter_port_km=0.0)
    ).events
    n_with = with_filter.filter(pl.col("event_type") == "encounter").height
    n_without = without.filter(pl.col("event_type") == "encounter").height
    assert n_without > 50 and n_with < n_without / 5
    calls = with_filter.filter(pl.col("event_type") == "port_call")
    assert {"PORTSMOUTH HARBOUR", "COWES HARBOUR"} <= set(calls["port"].to_list())
    assert set(calls["port_country"].to_list()) == {"GBR"} and not calls["dprk_port"].any()
    # 84 minutes of data: no call is seen both entering and leaving at the full rules' length
    assert (
        run_detection(store, ports, Rules())
        .events.filter(pl.col("event_type") == "port_call")
        .is_empty()
    )
    assert set(calls["confidence"].to_list()) <= {2, 3, 4}


def test_solent_corrupt_longitude_is_two_jumps_not_spoofing(
    solent: tuple[PositionStore, Path],
) -> None:
    store, shared = solent
    ports = load_ports(shared / WPI)
    default = run_detection(store, ports, Rules()).events
    assert default.filter(pl.col("event_type") == "spoofing").height == 0
    loose = run_detection(store, ports, Rules(spoofing_min_jumps=2)).events
    spoof = loose.filter(pl.col("event_type") == "spoofing")
    assert spoof.height >= 1 and 2 in spoof["points"].to_list()


def test_nmea_sample(shared_data: Path, tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "m")
    q = ingest(store, [shared_data / NMEA]).quality
    # 898 lines: 100 empty payloads, 20 lone first fragments, the rest decodes.
    assert q.skipped["malformed_nmea"] == 100 and q.skipped["nmea_incomplete"] == 20
    assert q.rows_read == 898 - 20 + 20  # fragments count once each; all are lone here
    assert q.rows_read == q.positions_kept + q.total_skipped + q.non_position_rows
    assert q.skipped["nmea_no_timestamp"] > 0  # positions before the first base-station clock
    assert store.identity().filter(pl.col("field") == "name")["value"].to_list() == ["SY-LUNDE"]


def test_wpi_has_the_ten_dprk_ports(shared_data: Path) -> None:
    ports = load_ports(shared_data / WPI, include_dprk=False)
    assert len(ports) == 3669 and ports.dprk_count == 10
    merged = load_ports(shared_data / WPI)
    assert merged.dprk_count >= 10 and len(merged) - len(ports) == merged.dprk_count - 10
