"""One MMSI, two transmitters: following both tracks of a shared MMSI.

Spoofing counts impossible jumps of a single track (one MMSI in time order).
When two ships broadcast the same MMSI at once, their reports interleave and
the single track jumps back and forth at almost every report. Spoofing says
*that* something is wrong; this module says *what*: it splits the positions
of such an MMSI into consistent tracks, the way a multi-segment track
splitter does, and reports an ``identity_shared`` event when two tracks with
at least ``shared_min_positions`` positions each broadcast over the same time
for at least ``shared_min_hours``.

* The input is the positions of every (MMSI, UTC day) that had at least
  ``spoofing_min_jumps`` jumps. The embedded engine hands each day's to a
  :class:`SharedTracks` as soon as the day is done; Spark collects them and
  calls :func:`shared_mmsi_events`. Both split them once, after the last day.
* A position joins the open track it can reach without an impossible jump
  (the same ``max_speed * dt + position_noise`` rule as segmentation) with
  the smallest distance; when it can reach none, it starts a new track.
  Tracks silent for longer than ``max_gap_hours`` are closed.
* One bad fix becomes a track of one position and is no transmitter; two
  ships make two long tracks.

The loop runs over candidate positions only (a few per thousand in real
feeds); at most :data:`MAX_OPEN_TRACKS` tracks are kept open per MMSI so that
a default MMSI used by many devices stays bounded. It is written twice: in
Python (:class:`_Splitter`, the reference and the fallback) and in C
(``clones.c``, built by ``make native``). On 20 million positions the Python
loop took 0.16-0.20 CPU s of the engine's main thread, on its critical path
(and 0.7 s of its wall time at load 5, where every thread waits for a
core); the C kernel takes milliseconds, without the interpreter lock.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from dprkwatch.maritime import native, schema
from dprkwatch.maritime.engines.base import RAW_EVENTS, empty_raw
from dprkwatch.maritime.geo import EARTH_RADIUS_KM
from dprkwatch.maritime.rules import Rules

MAX_OPEN_TRACKS = 8
CANDIDATES: dict[str, pl.DataType] = {
    "mmsi": pl.Int32(),
    "t": pl.Int64(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
}
"""Columns engines hand over: the positions of MMSI-days with spoofing-level jumps."""


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    a = (
        math.sin(math.radians(lat2 - lat1) / 2.0) ** 2
        + math.cos(math.radians(lat1))
        * math.cos(math.radians(lat2))
        * math.sin(math.radians(lon2 - lon1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


@dataclass
class _Track:
    first_t: int
    last_t: int
    last_lat: float
    last_lon: float
    times: list[int]
    lats: list[float]
    lons: list[float]


class _Splitter:
    """One MMSI's positions split into consistent tracks, fed in time order, in pieces."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.max_gap_us = rules.max_gap_s * 1_000_000
        self.open: list[_Track] = []
        self.done: list[_Track] = []
        self.last_t: int | None = None
        """The time of the last position fed."""

    def feed(self, rows: Iterable[tuple[int, float, float]]) -> None:
        rules, open_, done = self.rules, self.open, self.done
        for t, lat, lon in rows:
            for tr in [tr for tr in open_ if t - tr.last_t > self.max_gap_us]:
                open_.remove(tr)
                done.append(tr)
            best: _Track | None = None
            best_d = math.inf
            for tr in open_:
                d = _km(tr.last_lat, tr.last_lon, lat, lon)
                reach = rules.max_speed_kmh * (t - tr.last_t) / 3.6e9 + rules.position_noise_km
                if d <= reach and d < best_d:
                    best, best_d = tr, d
            if best is None:
                if len(open_) >= MAX_OPEN_TRACKS:
                    stale = min(open_, key=lambda tr: tr.last_t)
                    open_.remove(stale)
                    done.append(stale)
                best = _Track(t, t, lat, lon, [], [], [])
                open_.append(best)
            best.last_t, best.last_lat, best.last_lon = t, lat, lon
            best.times.append(t)
            best.lats.append(lat)
            best.lons.append(lon)
            self.last_t = t

    def tracks(self) -> list[_Track]:
        return self.done + self.open


def _at(track: _Track, t: int) -> tuple[float, float]:
    """The track's reported position nearest in time to ``t``."""
    i = min(range(len(track.times)), key=lambda k: (abs(track.times[k] - t), k))
    return track.lats[i], track.lons[i]


def _in_order(candidates: pl.DataFrame) -> pl.DataFrame:
    """One row per (mmsi, t), in (mmsi, t) order; of two reports at one instant the first by
    (lat, lon) is kept, so the result does not depend on the order rows came in."""
    return (
        schema.conform(candidates, CANDIDATES)
        .sort(["mmsi", "t", "lat", "lon"])
        .unique(["mmsi", "t"], keep="first", maintain_order=True)
    )


class SharedTracks:
    """The tracks of every candidate MMSI, from candidate positions added as they arrive.

    :meth:`add` takes the candidates of one stretch of time (a UTC day), in
    time order: every position of an MMSI must be later than those of that
    MMSI added before (a ValueError otherwise), so that adding day by day
    follows each MMSI exactly as adding all its positions at once does.
    :meth:`events` splits everything added and reports the overlapping
    transmitters: with the C kernel ``clones.c`` (one call, without the
    interpreter lock) where it is built, else with :class:`_Splitter`.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._parts: list[pl.DataFrame] = []
        self._last_t: dict[int, int] = {}

    def add(self, candidates: pl.DataFrame) -> None:
        if candidates.height == 0:
            return
        rows = _in_order(candidates)
        ends = rows.group_by("mmsi", maintain_order=True).agg(
            pl.col("t").first().alias("first"), pl.col("t").last().alias("last")
        )
        for mmsi, first, _last in ends.iter_rows():
            before = self._last_t.get(mmsi)
            if before is not None and first <= before:
                raise ValueError(f"positions of mmsi {mmsi} added out of time order")
        self._last_t.update(zip(ends["mmsi"].to_list(), ends["last"].to_list(), strict=True))
        self._parts.append(rows)

    def events(self) -> pl.DataFrame:
        """Raw ``identity_shared`` events (field ``mmsi``), MMSI by MMSI."""
        if not self._parts:
            return empty_raw()
        rows = pl.concat(self._parts).sort("mmsi", maintain_order=True)
        out: list[dict[str, object]] = []
        for mmsi, tracks in split_tracks(rows, self.rules):
            long = [tr for tr in tracks if len(tr.times) >= self.rules.shared_min_positions]
            out.extend(_overlaps(mmsi, long, self.rules))
        if not out:
            return empty_raw()
        return schema.conform(pl.DataFrame(out, infer_schema_length=None), RAW_EVENTS)


def split_tracks(rows: pl.DataFrame, rules: Rules) -> Iterator[tuple[int, list[_Track]]]:
    """(mmsi, its tracks in :meth:`_Splitter.tracks` order) of rows in (mmsi, t) order.

    By the C kernel where it is built, which gives only the tracks that can
    make an event (at least ``shared_min_positions`` positions, two or more
    of them for the MMSI); else by :class:`_Splitter`, which gives them all.
    """
    lib = native.load(_SOURCE)
    if lib is not None and rows.height:
        found = _compiled(lib, rows, rules)
        if found is not None:
            yield from found
            return
    for (mmsi,), group in rows.group_by("mmsi", maintain_order=True):
        splitter = _Splitter(rules)
        splitter.feed(group.select("t", "lat", "lon").iter_rows())
        yield int(str(mmsi)), splitter.tracks()


_SOURCE = Path(__file__).with_suffix(".c")


def _compiled(
    lib: ctypes.CDLL, rows: pl.DataFrame, rules: Rules
) -> list[tuple[int, list[_Track]]] | None:
    keep: list[np.ndarray] = []
    n = rows.height
    mmsi = rows["mmsi"].to_numpy()
    t = rows["t"].to_numpy()
    lat = rows["lat"].to_numpy()
    lon = rows["lon"].to_numpy()
    track = np.empty(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    fn = lib.dprkwatch_split_tracks
    fn.restype = ctypes.c_int64
    count = fn(
        ctypes.c_int64(n),
        ctypes.c_void_p(native.address(mmsi, np.int32, keep)),
        ctypes.c_void_p(native.address(t, np.int64, keep)),
        ctypes.c_void_p(native.address(lat, np.float64, keep)),
        ctypes.c_void_p(native.address(lon, np.float64, keep)),
        ctypes.c_double(rules.max_gap_s * 1_000_000),
        ctypes.c_double(rules.max_speed_kmh),
        ctypes.c_double(rules.position_noise_km),
        ctypes.c_double(2.0 * EARTH_RADIUS_KM),
        ctypes.c_int64(MAX_OPEN_TRACKS),
        ctypes.c_void_p(track.ctypes.data),
        ctypes.c_void_p(rank.ctypes.data),
    )
    if count < 0:
        return None
    # Only tracks long enough, of MMSIs with two or more of them, can make an event.
    long = np.bincount(track, minlength=count) >= rules.shared_min_positions
    owner = np.empty(count, dtype=np.int64)
    owner[track] = mmsi
    owners, per_owner = np.unique(owner[long], return_counts=True)
    rows_kept = np.flatnonzero(long[track] & np.isin(mmsi, owners[per_owner >= 2]))
    tracks: dict[int, _Track] = {}
    for k, ti, la, lo in zip(
        track[rows_kept].tolist(),
        t[rows_kept].tolist(),
        lat[rows_kept].tolist(),
        lon[rows_kept].tolist(),
        strict=True,
    ):
        tr = tracks.get(k)
        if tr is None:
            tr = tracks[k] = _Track(ti, ti, la, lo, [], [], [])
        tr.last_t, tr.last_lat, tr.last_lon = ti, la, lo
        tr.times.append(ti)
        tr.lats.append(la)
        tr.lons.append(lo)
    by_mmsi: dict[int, list[tuple[int, _Track]]] = {}
    for k, tr in tracks.items():
        by_mmsi.setdefault(int(owner[k]), []).append((int(rank[k]), tr))
    return [(m, [tr for _, tr in sorted(by_mmsi[m], key=lambda p: p[0])]) for m in sorted(by_mmsi)]


def shared_mmsi_events(candidates: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Raw ``identity_shared`` events (field ``mmsi``) from candidate positions, all at once."""
    shared = SharedTracks(rules)
    shared.add(candidates)
    return shared.events()


def _overlaps(mmsi: int, tracks: list[_Track], rules: Rules) -> list[dict[str, object]]:
    """Overlapping transmitter pairs, merged into one event per continuous stretch."""
    windows: list[tuple[int, int, _Track, _Track]] = []
    tracks = sorted(tracks, key=lambda tr: (tr.first_t, tr.last_t))
    for i, a in enumerate(tracks):
        for b in tracks[i + 1 :]:
            lo, hi = max(a.first_t, b.first_t), min(a.last_t, b.last_t)
            if hi - lo >= max(rules.shared_min_us, 1):
                windows.append((lo, hi, a, b))
    windows.sort(key=lambda w: (w[0], w[1]))
    merged: list[tuple[int, int, _Track, _Track]] = []
    for lo, hi, a, b in windows:
        if merged and lo <= merged[-1][1]:
            first = merged[-1]
            merged[-1] = (first[0], max(first[1], hi), first[2], first[3])
        else:
            merged.append((lo, hi, a, b))
    events: list[dict[str, object]] = []
    for lo, hi, a, b in merged:
        lat, lon = _at(b, lo)
        other_lat, other_lon = _at(a, lo)
        events.append(
            {
                "event_type": "identity_shared",
                "mmsi": mmsi,
                "start_us": lo,
                "end_us": hi,
                "lat": lat,
                "lon": lon,
                "end_lat": other_lat,
                "end_lon": other_lon,
                "distance_km": _km(lat, lon, other_lat, other_lon),
                "points": sum(1 for tr in tracks if tr.first_t <= hi and tr.last_t >= lo),
                "field": "mmsi",
            }
        )
    return events
