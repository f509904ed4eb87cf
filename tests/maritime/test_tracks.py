"""The track kernel: the compiled pass and the numpy passes give the same columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from dprkwatch.maritime import Rules, load_ports, native
from dprkwatch.maritime.engines import tracks
from dprkwatch.maritime.engines.embedded import CARRY_SCHEMA, Context, Segmenter
from tests.maritime.factory import HARBOUR, NAMPO, PORTS_CSV


def _day(seed: int, n: int = 60_000, tracks_n: int = 400) -> tracks.Day:
    """Tracks that sit in ports, cross the open sea, jump, fall silent and cross ±180°."""
    rng = np.random.default_rng(seed)
    mmsi = np.sort(rng.choice(np.arange(1, 10 * tracks_n), tracks_n, replace=False)).astype(
        np.int32
    )
    per = rng.multinomial(n - tracks_n, np.full(tracks_n, 1 / tracks_n)) + 1
    m = np.repeat(mmsi, per)
    first = np.ones(n, dtype=bool)
    first[1:] = m[1:] != m[:-1]
    step = rng.choice([10, 120, 600, 7_200, 90_000], n, p=[0.05, 0.6, 0.2, 0.1, 0.05])
    t = 1_767_600_000_000_000 + np.cumsum(step * 1_000_000).astype(np.int64)
    centre = np.array([HARBOUR, NAMPO, (33.0, 123.0), (10.0, 179.99), (-60.0, -179.99)])
    which = np.repeat(rng.integers(0, len(centre), tracks_n), per)
    spread = np.repeat(rng.choice([0.001, 0.02, 0.3], tracks_n), per)
    lat = centre[which, 0] + np.cumsum(rng.normal(0.0, 1.0, n)) * spread / 30.0
    lat = np.clip(lat, -89.9, 89.9)
    lon = (centre[which, 1] + np.cumsum(rng.normal(0.0, 1.0, n)) * spread / 30.0 + 180.0) % 360.0
    lon -= 180.0
    glitch = rng.random(n) < 0.01  # bad fixes far away: jumps out and back
    lat[glitch] += rng.choice([-3.0, 3.0], int(glitch.sum()))
    sog = rng.choice([0.2, 1.5, 12.0], n).astype(np.float32)  # as stored
    sog[rng.random(n) < 0.05] = np.nan  # speed not available
    heads = int(first.sum())
    known = rng.random(heads) < 0.7
    carried = tracks.Carried(
        known=known,
        t=np.where(known, t[first] - rng.integers(1, 10**10, heads), 0),
        lat=np.where(known, lat[first] + rng.normal(0.0, 0.01, heads), np.nan),
        lon=np.where(known, lon[first], np.nan),
        loiter=known & (rng.random(heads) < 0.5),
        port=np.where(known & (rng.random(heads) < 0.5), 0, -1).astype(np.int32),
    )
    return tracks.Day(mmsi=m, t=t, lat=lat, lon=lon, sog=sog, first=first, carried=carried)


def _index(rules: Rules) -> tracks.PortIndex:
    return Context.build(load_ports(PORTS_CSV), rules).port_index


needs_kernel = pytest.mark.skipif(
    tracks._kernel() is None, reason="the C kernel is not built (make native)"
)


@needs_kernel
@pytest.mark.parametrize(
    "rules", [Rules(), Rules(slow_knots=2.0, port_exit_km=6.0, max_speed_knots=16.0)]
)
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("two_threads", [False, True])
def test_compiled_kernel_gives_the_numpy_columns(
    rules: Rules, seed: int, two_threads: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracks, "PARALLEL_MIN_ROWS", 1_000 if two_threads else 10**9)
    day = _day(seed)
    assert len(tracks._pieces(day.first, len(day.mmsi))) == (2 if two_threads else 1)
    index = _index(rules)
    kernel = tracks._kernel()
    assert kernel is not None
    got = kernel(day, rules, index, tracks.Outputs())
    want = tracks.numpy_flags(day, rules, index)
    assert got is not None
    # The data exercise every flag, so agreement is not agreement on all-false columns.
    for col in ("jump", "newseg", "slow", "loiter_q", "port_q", "port_cont", "port_exit"):
        assert want[col].any() and not want[col].all(), col
    assert want["loiter_cont"].any() and (want["port_id"] >= 0).any()
    for name, dtype in tracks.COLUMNS.items():
        assert got[name].dtype == dtype, name
        if name == "d_port":  # sin/cos/asin may differ in the last bits between libraries
            np.testing.assert_allclose(got[name], want[name], rtol=1e-12)
        else:
            np.testing.assert_array_equal(got[name], want[name], err_msg=name)


@needs_kernel
def test_a_day_is_written_into_arrays_no_frame_holds_any_more() -> None:
    rules = Rules()
    index = _index(rules)
    outputs = tracks.Outputs()
    first = tracks.track_flags(_day(1, n=3_000, tracks_n=30), rules, index, outputs)
    assert first is not None
    held = pl.Series("p_lat", first["p_lat"])  # Polars keeps this array (no copy)
    assert np.shares_memory(held.to_numpy(), first["p_lat"])
    kept = held.to_numpy().copy()
    address = {name: a.ctypes.data for name, a in first.items()}
    del first
    day = _day(2, n=2_900, tracks_n=30)
    second = tracks.track_flags(day, rules, index, outputs)
    assert second is not None
    assert second["dt_s"].ctypes.data == address["dt_s"]  # nothing held it: reused
    assert second["p_lat"].ctypes.data != address["p_lat"]  # the Series still holds it
    assert np.array_equal(held.to_numpy(), kept, equal_nan=True)
    fresh = tracks.track_flags(day, rules, index)
    assert fresh is not None
    for name in tracks.COLUMNS:
        np.testing.assert_array_equal(second[name], fresh[name], err_msg=name)


@pytest.mark.parametrize("compiled", [True, False])
def test_rows_out_of_order_are_refused_not_computed(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if compiled and tracks._kernel() is None:
        pytest.skip("the C kernel is not built (make native)")
    if not compiled:
        monkeypatch.setattr(tracks, "_kernel", lambda: None)
    day = _day(3, n=2_000, tracks_n=20)
    rules = Rules()
    index = _index(rules)
    assert tracks.track_flags(day, rules, index) is not None
    t = day.t.copy()
    t[[500, 501]] = t[[501, 500]]  # two rows of one track swapped
    swapped = tracks.Day(**{**day.__dict__, "t": t})
    assert tracks.track_flags(swapped, rules, index) is None
    t[501] = t[500]  # one MMSI twice at one instant
    assert tracks.track_flags(tracks.Day(**{**day.__dict__, "t": t}), rules, index) is None
    # Where the two threads' pieces meet, the MMSI goes down.
    monkeypatch.setattr(tracks, "PARALLEL_MIN_ROWS", 1_000)
    split = tracks._pieces(day.first, len(day.mmsi))[1][0]
    mmsi = day.mmsi.copy()
    mmsi[split - 1] = mmsi[split] + 1
    assert tracks.track_flags(tracks.Day(**{**day.__dict__, "mmsi": mmsi}), rules, index) is None


def test_a_build_is_named_after_its_source(tmp_path: Path) -> None:
    source = tmp_path / "tracks.c"
    source.write_text("int x;\n")
    before = native.library_path(source)
    source.write_text("int y;\n")
    after = native.library_path(source)
    assert before != after and before.parent == tmp_path
    assert before.name.startswith("tracks-")


def test_compiled_code_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DPRKWATCH_COMPILED", "0")
    tracks._kernel.cache_clear()
    native.load.cache_clear()
    try:
        assert tracks._kernel() is None
        assert native.load(tracks.SOURCE) is None
    finally:
        monkeypatch.undo()
        tracks._kernel.cache_clear()
        native.load.cache_clear()


@pytest.mark.parametrize("compiled", [True, False])
def test_a_day_read_in_pieces_is_prepared_as_one_piece_per_column(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every column of a prepared day is one chunk, whatever pieces the day came in.

    A day arrives as a chunk per row group read; the detectors' queries on a frame with
    chunked and whole columns each copied the chunked ones first. The values, and missing
    speeds as missing (not NaN), are those of the day handed in.
    """
    if compiled and tracks._kernel() is None:
        pytest.skip("the C kernel is not built (make native)")
    if not compiled:
        monkeypatch.setattr(tracks, "_kernel", lambda: None)
    day = _day(3, n=6_000, tracks_n=60)
    whole = pl.DataFrame(
        {
            "mmsi": day.mmsi,
            "ts": pl.Series(day.t).cast(pl.Datetime("us", "UTC")),
            "lat": day.lat,
            "lon": day.lon,
            "sog": pl.Series(day.sog).fill_nan(None),  # speed not available: null, as stored
        }
    )
    pieces = pl.concat([whole[i : i + 1_000] for i in range(0, whole.height, 1_000)], rechunk=False)
    assert pieces["lat"].n_chunks() == 6
    segmenter = Segmenter(Context.build(load_ports(PORTS_CSV), Rules()))
    frame = segmenter.prepare(pieces, pl.DataFrame(schema=CARRY_SCHEMA)).frame
    assert all(frame[c].n_chunks() == 1 for c in frame.columns)
    assert frame.select("mmsi", "t", "lat", "lon", "sog").equals(
        whole.select("mmsi", pl.col("ts").dt.epoch("us").alias("t"), "lat", "lon", "sog")
    )
    assert frame["sog"].null_count() == whole["sog"].null_count() > 0
