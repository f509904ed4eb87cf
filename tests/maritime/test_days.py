"""Sorting a day: the C counting sort and the numpy sort give the same rows and duplicates."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from dprkwatch.maritime import native
from dprkwatch.maritime.ingest import days
from dprkwatch.maritime.pool import ArrayPool

COLUMNS = ["mmsi", "ts", "lat", "lon", "sog"]
needs_kernel = pytest.mark.skipif(
    native.load(days._GROUP_C) is None, reason="the C kernel is not built (make native)"
)


def _arrivals(seed: int, n: int = 50_000, vessels: int = 3_000) -> pl.DataFrame:
    """Reports in time order from many MMSIs (more than the kernel's first table holds)."""
    rng = np.random.default_rng(seed)
    fleet = rng.choice(np.arange(1, 1_000_000_000, 997), vessels, replace=False)
    t = np.sort(rng.integers(0, 86_400_000_000, n)) + 1_767_600_000_000_000
    return pl.DataFrame(
        {
            "mmsi": pl.Series(rng.choice(fleet, n), dtype=pl.Int32),
            "ts": pl.Series(t).cast(pl.Datetime("us", "UTC")),
            "lat": rng.uniform(-90.0, 90.0, n),
            "lon": rng.uniform(-180.0, 180.0, n),
            "sog": pl.Series(rng.uniform(0.0, 20.0, n), dtype=pl.Float32),
            "_line": np.arange(1, n + 1),
        }
    )


@needs_kernel
def test_counting_sort_equals_the_stable_sort() -> None:
    whole = _arrivals(1)
    # A day comes in the pieces it was read in: columns of several chunks.
    frame = pl.concat(
        [whole.slice(0, 7_000), whole.slice(7_000, 30_000), whole.slice(37_000)], rechunk=False
    )
    assert frame["lat"].n_chunks() == 3
    got = days.group_by_mmsi(frame, COLUMNS)
    assert got is not None
    grouped, places = got
    order, _ = days.mmsi_order(frame["mmsi"].to_numpy())
    assert np.array_equal(np.argsort(places), order)
    want = frame.select(COLUMNS)[order]
    assert grouped.equals(want) and grouped.schema == want.schema


@pytest.mark.parametrize("compiled", [True, False])
def test_duplicates_are_found_by_both_sorts(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if compiled and native.load(days._GROUP_C) is None:
        pytest.skip("the C kernel is not built (make native)")
    if not compiled:
        monkeypatch.setattr(days, "group_by_mmsi", lambda frame, columns, pool=None: None)
    frame = _arrivals(2, n=5_000, vessels=50)
    # Rows 100, 150 and 170 reported twice in a row: the second report is the duplicate.
    rows = [i for r in range(frame.height) for i in ([r, r] if r in (100, 150, 170) else [r])]
    lines = frame["_line"].to_numpy()[rows]
    lines[np.flatnonzero(np.diff(rows) == 0) + 1] = [9001, 9002, 9003]
    both = frame[rows].with_columns(pl.Series("_line", lines))
    kept, dups = days.sort_day(both, COLUMNS, presorted_time=True)
    assert sorted(both["_line"].gather(dups).to_list()) == [9001, 9002, 9003]
    assert kept.equals(frame.select(COLUMNS).sort(["mmsi", "ts"], maintain_order=True))


@needs_kernel
def test_columns_with_nulls_take_the_numpy_sort() -> None:
    frame = _arrivals(3, n=1_000).with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0).then(None).otherwise(pl.col("sog")).alias("sog")
    )
    assert days.group_by_mmsi(frame, COLUMNS) is None
    kept, _ = days.sort_day(frame, COLUMNS, presorted_time=True)
    assert kept.equals(frame.select(COLUMNS).sort(["mmsi", "ts"], maintain_order=True))


@needs_kernel
def test_a_day_is_sorted_into_the_arrays_of_a_day_no_frame_holds_any_more() -> None:
    pool = ArrayPool()
    first, _ = days.sort_day(_arrivals(4, n=3_000), COLUMNS, presorted_time=True, pool=pool)
    held = first["lat"]  # a frame still using the first day's latitudes
    kept = held.to_numpy().copy()
    address = {c: first[c].to_physical().to_numpy().ctypes.data for c in COLUMNS}
    del first
    day = _arrivals(5, n=2_900)
    second, _ = days.sort_day(day, COLUMNS, presorted_time=True, pool=pool)
    ts = second["ts"].to_physical().to_numpy()
    assert ts.ctypes.data == address["ts"]  # nothing held it: reused
    assert second["lat"].to_numpy().ctypes.data != address["lat"]  # the Series holds it
    assert np.array_equal(held.to_numpy(), kept)
    assert second.equals(day.select(COLUMNS).sort(["mmsi", "ts"], maintain_order=True))
