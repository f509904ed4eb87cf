"""The Spark engine reports exactly the events of the embedded engine on the same input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from dprkwatch.maritime import EVENT_TYPES, PositionStore, Rules, ingest, load_ports, run_detection
from dprkwatch.maritime.synthetic import SynthConfig, generate
from tests.maritime.factory import PORTS_CSV, SEA, T0, offset, stay, store_of

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    pytest.importorskip("pyspark")
    from dprkwatch.maritime.engines.spark import SparkEngine

    engine = SparkEngine(master="local[2]", shuffle_partitions=4)
    yield engine
    engine.close()


def _both(
    store: PositionStore, ports_path: Path, spark: object, rules: Rules
) -> tuple[pl.DataFrame, pl.DataFrame]:
    from dprkwatch.maritime.engines.spark import SparkEngine

    assert isinstance(spark, SparkEngine)
    ports = load_ports(ports_path)
    embedded = run_detection(store, ports, rules).events
    remote = run_detection(store, ports, rules, engine=spark).events
    return embedded, remote


def test_identical_events_on_synthetic_data(spark: object, tmp_path: Path) -> None:
    syn = generate(
        SynthConfig(
            vessels=30,
            days=2,
            seed=21,
            encounters=4,
            loiterers=4,
            dark_gaps=4,
            spoofers=2,
            identity_changes=2,
            mmsi_changes=1,
            dprk_callers=2,
            decoys=2,
        )
    )
    syn.write(tmp_path / "data")
    store = PositionStore(tmp_path / "store")
    ingest(store, [tmp_path / "data" / "positions.parquet"])
    embedded, remote = _both(store, tmp_path / "data" / "ports.csv", spark, Rules())
    assert set(embedded["event_type"].to_list()) == set(EVENT_TYPES)
    assert embedded.height > 50
    # the parts the rules added lately are in the comparison too
    assert set(embedded["confidence"].drop_nulls().to_list()) >= {3, 4}
    assert embedded.filter(pl.col("lon").abs() > 179.99).height >= 2  # at 180 degrees
    assert remote.equals(embedded), (
        embedded.join(remote, on=embedded.columns, how="anti", nulls_equal=True),
        remote.join(embedded, on=embedded.columns, how="anti", nulls_equal=True),
    )


def test_identical_across_midnight_with_other_rules(spark: object, tmp_path: Path) -> None:
    start = T0 + timedelta(hours=21)
    rows = stay(412000001, start, 7.0, SEA) + stay(
        412000002, start + timedelta(hours=1), 5.0, offset(SEA, east_km=0.3)
    )
    store = store_of(tmp_path, rows)
    rules = Rules(encounter_min_hours=1.0, loiter_min_hours=3.0, encounter_bucket_minutes=15)
    embedded, remote = _both(store, PORTS_CSV, spark, rules)
    assert embedded.filter(pl.col("event_type") == "encounter").height == 1
    assert remote.equals(embedded)
