"""The per-position columns of one day of tracks: compiled when built, numpy otherwise.

For each position of a day sorted by ``(mmsi, t)`` the detectors need its
previous position (the row above, or the last position of the track carried
from an earlier day), the step to it, jumps, segment starts, the nearest
port and the loitering and port-run flags (:data:`COLUMNS`). Whole-array
numpy (:func:`numpy_flags`) takes some thirty passes over a day, each writing
a fresh temporary, and was the largest step of ``detect --input``.
``tracks.c`` computes the same columns in one loop (built by ``make native``,
see :mod:`dprkwatch.maritime.native`).

:func:`track_flags` uses the compiled kernel when it is built and
``DPRKWATCH_COMPILED`` does not turn compiled code off, and numpy otherwise.
The two perform the same floating-point operations in the same order, so
they agree to the last bits of the maths libraries' sin/cos/asin;
``tests/maritime/test_tracks.py`` holds them to each other.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from dprkwatch.maritime import native
from dprkwatch.maritime.geo import EARTH_RADIUS_KM, KM_PER_DEG, haversine_km
from dprkwatch.maritime.pool import ArrayPool
from dprkwatch.maritime.ports import NearPorts, PortLookup
from dprkwatch.maritime.rules import Rules

US = 1_000_000
SOURCE = Path(__file__).with_name("tracks.c")

COLUMNS: dict[str, type[np.generic]] = {
    "p_t": np.int64,
    "p_lat": np.float64,
    "p_lon": np.float64,
    "has_prev": np.bool_,
    "slow": np.bool_,
    "d_port": np.float64,
    "dt_s": np.float64,
    "jump": np.bool_,
    "newseg": np.bool_,
    "loiter_q": np.bool_,
    "port_id": np.int32,
    "port_q": np.bool_,
    "loiter_cont": np.bool_,
    "port_cont": np.bool_,
    "port_exit": np.bool_,
}
"""What :func:`track_flags` returns, in this order (see ``TrackDay`` in the engine)."""

_SLACK = 1.0 - 1e-9
"""Rounding room between the jump bound below and the exact distance (each a few ulps off)."""


@dataclass(frozen=True)
class PortIndex:
    """The two port lookups the flags need (built once per run by the engine)."""

    near: PortLookup
    """Nearest port within ``rules.port_query_km``."""
    in_port: NearPorts
    """Which cells may be within ``rules.port_exit_km`` of a port."""


@dataclass(frozen=True)
class Carried:
    """One entry per track of the day (its first row, in order): the track's last earlier position.

    ``known`` is false for a track first seen today; its other fields are
    then ignored (time 0, coordinates NaN, no loitering, port -1).
    """

    known: np.ndarray
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    loiter: np.ndarray
    port: np.ndarray


@dataclass(frozen=True)
class Day:
    """A day's positions in ``(mmsi, t)`` order (``t`` in epoch microseconds; ``sog`` the store's
    float32, NaN if unknown, compared with the rules in double precision)."""

    mmsi: np.ndarray
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    sog: np.ndarray
    first: np.ndarray
    """True on the first row of each track."""
    carried: Carried


def in_order(mmsi: np.ndarray, t: np.ndarray) -> bool:
    """Whether every row is strictly after the one above in ``(mmsi, t)`` order."""
    if len(mmsi) < 2:
        return True
    d_m = np.diff(mmsi)
    return bool(np.all((d_m > 0) | ((d_m == 0) & (np.diff(t) > 0))))


class Outputs:
    """The kernel's output arrays, handed from one day to the next of a run.

    A day's columns (about 50 bytes a position) are written into the arrays
    of an earlier day once nothing holds those any more (see
    :mod:`dprkwatch.maritime.pool`), instead of into fresh memory that the
    kernel must zero page by page every day. One per run.
    """

    def __init__(self) -> None:
        self._pool = ArrayPool()

    def take(self, n: int) -> dict[str, np.ndarray]:
        """Arrays of ``n`` elements for every column of :data:`COLUMNS` (contents undefined)."""
        return {name: self._pool.take(name, n, dtype) for name, dtype in COLUMNS.items()}


def track_flags(
    day: Day, rules: Rules, ports: PortIndex, outputs: Outputs | None = None
) -> dict[str, np.ndarray] | None:
    """The :data:`COLUMNS` of ``day``, or None when its rows are not in ``(mmsi, t)`` order.

    ``outputs``: the run's pool the compiled kernel writes into (fresh arrays without one).
    """
    kernel = _kernel()
    if kernel is not None:
        return kernel(day, rules, ports, outputs or Outputs())
    if not in_order(day.mmsi, day.t):
        return None
    return numpy_flags(day, rules, ports)


# --------------------------------------------------------------------------
# numpy: the reference and the fallback
# --------------------------------------------------------------------------


def numpy_flags(day: Day, rules: Rules, ports: PortIndex) -> dict[str, np.ndarray]:
    """The :data:`COLUMNS` of ``day`` (assumed in order) as whole-array numpy passes.

    Each temporary costs fresh memory (page faults) as well as a pass, so
    the flags are built in place where they can be.
    """
    r = rules
    mmsi, t, lat, lon = day.mmsi, day.t, day.lat, day.lon
    c = day.carried
    heads = np.flatnonzero(day.first)
    n = len(mmsi)

    def previous(values: np.ndarray, carried: np.ndarray) -> np.ndarray:
        # The row before in the track; a track's first row takes the carried position.
        out = np.empty_like(values)
        out[1:] = values[:-1]
        out[heads] = carried
        return out

    has_prev = np.ones(n, dtype=bool)
    has_prev[heads] = c.known
    slow = day.sog.astype(np.float64, copy=False) < r.slow_knots  # as C: in double
    d_port, near_port = _port_distances(ports, lat, lon, slow)
    p_t = previous(t, c.t)
    p_lat = previous(lat, c.lat)
    p_lon = previous(lon, c.lon)
    dt_s = (t - p_t).astype(np.float64)
    dt_s /= US
    # jump: dist > max_speed * dt / 3600 + noise, where there is a previous position
    limit = dt_s * r.max_speed_kmh
    limit /= 3600.0
    limit += r.position_noise_km
    jump = jumps(p_lat, p_lon, lat, lon, limit, has_prev)
    del limit
    newseg = dt_s > r.max_gap_s
    newseg |= jump
    newseg |= ~has_prev
    loiter_q = d_port > r.loiter_port_km
    loiter_q &= slow
    port_q = d_port <= r.port_exit_km
    port_id = np.where(port_q, near_port, np.int32(-1)).astype(np.int32, copy=False)
    del near_port
    # The flags of the previous position: this day's row above, or the carried ones.
    p_loiter = previous(loiter_q, c.loiter)
    p_port = previous(port_id, c.port)
    same_seg = ~newseg
    loiter_cont = p_loiter
    loiter_cont &= loiter_q
    loiter_cont &= same_seg
    port_cont = p_port == port_id
    port_cont &= port_q
    port_cont &= same_seg
    # The previous position ended a port run and this one, in the same segment,
    # is elsewhere: the vessel was seen leaving.
    port_exit = p_port >= 0
    port_exit &= same_seg
    port_exit &= ~port_cont
    return {
        "p_t": p_t,
        "p_lat": p_lat,
        "p_lon": p_lon,
        "has_prev": has_prev,
        "slow": slow,
        "d_port": d_port,
        "dt_s": dt_s,
        "jump": jump,
        "newseg": newseg,
        "loiter_q": loiter_q,
        "port_id": port_id,
        "port_q": port_q,
        "loiter_cont": loiter_cont,
        "port_cont": port_cont,
        "port_exit": port_exit,
    }


def _port_distances(
    ports: PortIndex, lat: np.ndarray, lon: np.ndarray, slow: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(d_port, near_port)`` as the detectors need them.

    Slow positions need the distance to the nearest port within
    ``port_query_km`` (loitering and encounters test it); moving ones only
    whether they are within ``port_exit_km`` of one (port calls). Moving
    positions far from every port, most of those at sea, are skipped: their
    distance stays infinite, which no rule can tell from a distance beyond
    ``port_exit_km``.
    """
    dist = np.full(len(lat), np.inf)
    port = np.full(len(lat), -1, dtype=np.int32)
    rows = np.flatnonzero(slow | ports.in_port(lat, lon))
    d, p = ports.near.nearest(lat[rows], lon[rows])
    dist[rows] = d
    port[rows] = p
    return dist, port


def jumps(
    p_lat: np.ndarray,
    p_lon: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    limit: np.ndarray,
    has_prev: np.ndarray,
) -> np.ndarray:
    """``haversine(previous, this) > limit`` where there is a previous position.

    The exact distance costs five transcendental functions a row, and almost
    every step is far shorter than its limit. A great circle is never longer
    than the way along the meridian and then along the end point's parallel,
    ``R (|dlat| + cos(lat) |dlon|)``, so ``R (|dlat| + |dlon|)`` (radians,
    ``dlon`` the short way round) bounds it too. Only the rows whose bound
    reaches the limit get the exact distance: the flags are those of the
    exact distance everywhere, at a few cheap passes for the rest.
    """
    bound = np.subtract(lat, p_lat)
    np.abs(bound, out=bound)
    dlon = np.subtract(lon, p_lon)
    np.abs(dlon, out=dlon)
    np.minimum(dlon, 360.0 - dlon, out=dlon)
    bound += dlon
    del dlon
    bound *= KM_PER_DEG
    # No previous position: NaN, which compares false.
    check = np.greater_equal(bound, limit * _SLACK, out=np.empty(len(lat), dtype=bool))
    check &= has_prev
    del bound
    rows = np.flatnonzero(check)
    jump = np.zeros(len(lat), dtype=bool)
    if len(rows):
        dist = haversine_km(p_lat[rows], p_lon[rows], lat[rows], lon[rows])
        jump[rows] = dist > limit[rows]
    return jump


# --------------------------------------------------------------------------
# The compiled kernel (tracks.c)
# --------------------------------------------------------------------------


_P = ctypes.c_void_p
_F = ctypes.c_double
_I = ctypes.c_int64


_RULES = (
    "slow_knots",
    "max_speed_kmh",
    "position_noise_km",
    "max_gap_s",
    "loiter_port_km",
    "port_exit_km",
)
"""The rules the kernel reads, in the order of ``Params`` in tracks.c."""


class _Params(ctypes.Structure):
    _fields_ = [
        *((name, _F) for name in _RULES),
        *((name, _F) for name in ("km_per_deg", "slack", "two_r", "near_deg")),
        *((name, _I) for name in ("near_ncx", "near_cy0")),
        ("dense", _P),
        ("n_dense", _I),
        ("cand", _P),
        ("width", _I),
        *((name, _P) for name in ("plat", "plon", "pcos")),
        ("near_radius_km", _F),
        ("mask_deg", _F),
        *((name, _I) for name in ("mask_ncx", "mask_ncy")),
        ("mask", _P),
    ]


_DAY_ARRAYS = ("mmsi", "t", "lat", "lon", "sog", "first")
_CARRIED = ("known", "t", "lat", "lon", "loiter", "port")


class _Day(ctypes.Structure):
    _fields_ = [
        ("n", _I),
        *((name, _P) for name in _DAY_ARRAYS),
        *(("c_" + name, _P) for name in _CARRIED),
    ]


class _Out(ctypes.Structure):
    _fields_ = [(name, _P) for name in COLUMNS]


_DAY_TYPES: dict[str, type[np.generic]] = {
    "mmsi": np.int32,
    "t": np.int64,
    "lat": np.float64,
    "lon": np.float64,
    "sog": np.float32,
    "first": np.bool_,
}
_CARRIED_TYPES: dict[str, type[np.generic]] = {
    "known": np.bool_,
    "t": np.int64,
    "lat": np.float64,
    "lon": np.float64,
    "loiter": np.bool_,
    "port": np.int32,
}


class Kernel:
    """The compiled ``dprkwatch_track_flags``, with the arguments it needs laid out for C."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.fn = lib.dprkwatch_track_flags
        self.fn.restype = ctypes.c_int64
        self.fn.argtypes = [
            ctypes.POINTER(_Params),
            ctypes.POINTER(_Day),
            ctypes.POINTER(_Out),
            ctypes.c_int,
        ]

    def __call__(
        self, day: Day, rules: Rules, ports: PortIndex, outputs: Outputs
    ) -> dict[str, np.ndarray] | None:
        """The :data:`COLUMNS` of ``day``, or None if its rows are out of order."""
        keep: list[np.ndarray] = []  # every array C reads, alive until it returns

        def addr(a: np.ndarray, dtype: type[np.generic]) -> int:
            return native.address(a, dtype, keep)

        near, mask = ports.near, ports.in_port
        params = _Params(
            **{name: getattr(rules, name) for name in _RULES},
            km_per_deg=KM_PER_DEG,
            slack=_SLACK,
            two_r=2.0 * EARTH_RADIUS_KM,
            near_deg=near.grid.deg,
            near_ncx=near.grid.ncx,
            near_cy0=near.cy0,
            dense=addr(near.dense, np.int32),
            n_dense=len(near.dense),
            cand=addr(near.cand, np.int64),
            width=near.cand.shape[1],
            plat=addr(near.plat, np.float64),
            plon=addr(near.plon, np.float64),
            pcos=addr(near.pcos, np.float64),
            near_radius_km=near.radius_km,
            mask_deg=mask.DEG,
            mask_ncx=mask.ncx,
            mask_ncy=mask.ncy,
            mask=addr(mask.mask, np.bool_),
        )
        n = len(day.mmsi)
        days = {name: addr(getattr(day, name), _DAY_TYPES[name]) for name in _DAY_ARRAYS}
        carried = {
            name: addr(getattr(day.carried, name), _CARRIED_TYPES[name]) for name in _CARRIED
        }
        out = outputs.take(n)
        pieces = _pieces(np.asarray(day.first, dtype=bool), n)
        if len(pieces) > 1 and day.mmsi[pieces[1][0]] < day.mmsi[pieces[1][0] - 1]:
            return None  # out of order where the pieces meet (each piece checks its own rows)

        def run(piece: tuple[int, int, int], results: list[int]) -> None:
            # Pointers into the middle of the arrays: row ``a`` on, track head ``k`` on.
            a, b, k = piece
            c_day = _Day(
                n=b - a,
                **{c: days[c] + a * np.dtype(_DAY_TYPES[c]).itemsize for c in _DAY_ARRAYS},
                **{
                    "c_" + c: carried[c] + k * np.dtype(_CARRIED_TYPES[c]).itemsize
                    for c in _CARRIED
                },
            )
            c_out = _Out(**{c: v.ctypes.data + a * v.itemsize for c, v in out.items()})
            results.append(
                self.fn(ctypes.byref(params), ctypes.byref(c_day), ctypes.byref(c_out), 1)
            )

        results: list[int] = []
        helpers = [threading.Thread(target=run, args=(p, results)) for p in pieces[1:]]
        for h in helpers:
            h.start()
        run(pieces[0], results)
        for h in helpers:
            h.join()
        return None if any(results) or len(results) != len(pieces) else out


PARALLEL_MIN_ROWS = 200_000
"""Days at least this long are cut in two at a track boundary and run on two threads
(ctypes releases the GIL): the kernel is on the engine's critical path, and the
other core is often waiting for the next day to be read."""


def _pieces(first: np.ndarray, n: int) -> list[tuple[int, int, int]]:
    """``(first row, end row, first track head)`` of the pieces a day is run in.

    One piece for short days; else two, the second starting at the first
    track head at or after the middle (each piece then starts a track, and
    the pieces are independent).
    """
    if n < PARALLEL_MIN_ROWS or (os.cpu_count() or 1) < 2:
        return [(0, n, 0)]
    mid = n // 2
    after = first[mid:]
    off = int(np.argmax(after))
    if not after[off]:
        return [(0, n, 0)]
    split = mid + off
    return [(0, split, 0), (split, n, int(np.count_nonzero(first[:split])))]


@cache
def _kernel() -> Kernel | None:
    """The compiled kernel, or None (see :func:`dprkwatch.maritime.native.load`)."""
    lib = native.load(SOURCE)
    try:
        return None if lib is None else Kernel(lib)
    except AttributeError:  # a library without the function
        return None
