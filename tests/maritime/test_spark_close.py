"""Closing the Spark engine stops what it started, and only that."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.spark


def test_closing_the_engine_stops_its_jvm_and_threads() -> None:
    """A closed engine leaves the process as it found it (the forking list
    import and index build refuse to fork while other threads run)."""
    pytest.importorskip("pyspark")
    from pyspark import SparkContext

    from dprkwatch.maritime.engines.spark import SparkEngine

    assert SparkContext._active_spark_context is None, (
        "no other test may leave a Spark session running"
    )
    before = {t.ident for t in threading.enumerate()}
    engine = SparkEngine(master="local[1]", shuffle_partitions=1)
    assert engine.session.range(3).count() == 3
    engine.close()
    left = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert left == []
    again = SparkEngine(master="local[1]", shuffle_partitions=1)
    try:
        assert again.session.range(2).count() == 2, "a fresh gateway starts after a shutdown"
    finally:
        again.close()


def test_an_engine_does_not_stop_a_session_it_did_not_start() -> None:
    pytest.importorskip("pyspark")
    from dprkwatch.maritime.engines.spark import SparkEngine

    owner = SparkEngine(master="local[1]", shuffle_partitions=1)
    try:
        assert owner.session.range(1).count() == 1
        guest = SparkEngine(master="local[1]", shuffle_partitions=1)
        assert guest.session is owner.session, "Spark hands out the running session"
        guest.close()
        assert owner.session.range(2).count() == 2, "the owner's session survives the guest's close"
    finally:
        owner.close()
