"""The array pool hands an array out again only once nothing else holds it."""

from __future__ import annotations

import gc

import numpy as np
import polars as pl

from dprkwatch.maritime.pool import ArrayPool


def test_an_array_no_one_holds_is_handed_out_again() -> None:
    pool = ArrayPool()
    a = pool.take("lat", 1_000, np.float64)
    where = a.ctypes.data
    del a
    b = pool.take("lat", 990, np.float64)
    assert b.ctypes.data == where and len(b) == 990 and b.dtype == np.float64
    assert pool.held("lat") == 1


def test_an_array_a_series_still_uses_is_not_handed_out() -> None:
    pool = ArrayPool()
    a = pool.take("lat", 1_000, np.float64)
    a[:] = np.arange(1_000)
    series = pl.Series("lat", a)  # Polars wraps the array without a copy
    del a
    gc.collect()
    b = pool.take("lat", 1_000, np.float64)
    b[:] = -1.0
    assert series.to_list() == list(map(float, range(1_000)))
    assert pool.held("lat") == 2
    del series
    c = pool.take("lat", 1_000, np.float64)
    assert pool.held("lat") == 2 and not np.shares_memory(b, c)


def test_names_dtypes_and_sizes_are_kept_apart() -> None:
    pool = ArrayPool()
    first = pool.take("lat", 100, np.float64).ctypes.data
    assert pool.take("lon", 100, np.float64).ctypes.data != first  # another column
    assert pool.take("lat", 100, np.float32).dtype == np.float32  # another type: a new array
    assert pool.take("lat", 10_000, np.float64).ctypes.data != first  # too short
    assert pool.held("lat") == 3
