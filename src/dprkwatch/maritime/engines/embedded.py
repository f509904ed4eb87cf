"""The embedded engine: Polars, one UTC day in memory at a time.

Each stored day is already sorted by ``(mmsi, ts)``, so a track's previous
position is one ``shift`` away and every run ("gaps and islands") is a
cumulative sum; nothing is sorted again and no Python loop touches a row.
What must cross midnight is carried explicitly:

* ``carry``: the last position of every MMSI seen so far, with its loitering
  and port flags, so the first position of a day knows its predecessor;
* run summaries (loitering, port calls) marked ``cont`` when their first
  position continues a run of an earlier day; they are chained after the
  last day and only then judged against the duration rules;
* close encounter buckets, which are small and are turned into runs at the end.

Memory therefore holds one day of positions plus summaries that grow with
the number of events, not of positions.

Detectors are small classes sharing two verbs: ``detect(day)`` returns a
new frame of partial results for one day and ``finish(parts)`` turns the
parts of all days into raw events. None of them modifies its input.
Shared MMSIs keep their tracks between days instead (see :class:`SharedMmsi`).
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np
import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.clones import CANDIDATES, SharedTracks
from dprkwatch.maritime.engines import tracks
from dprkwatch.maritime.engines.base import (
    RAW_EVENTS,
    Detection,
    Progress,
    empty_raw,
    encounter_cell_deg,
)
from dprkwatch.maritime.engines.exprs import (
    haversine,
    lon360,
    mean_lon,
    port_confidence,
    same_as_previous,
    wrap_lon,
)
from dprkwatch.maritime.geo import KM_PER_NM, haversine_km
from dprkwatch.maritime.ports import NearPorts, PortLookup, Ports
from dprkwatch.maritime.rules import Rules
from dprkwatch.maritime.store import PositionStore

US = 1_000_000

DAY_COLUMNS = ("mmsi", "ts", "lat", "lon", "sog")
"""What the engine reads of each day."""

CARRY_SCHEMA: dict[str, pl.DataType] = {
    "mmsi": pl.Int32(),
    "c_t": pl.Int64(),
    "c_lat": pl.Float64(),
    "c_lon": pl.Float64(),
    "c_loiter": pl.Boolean(),
    "c_port": pl.Int32(),
}


# --------------------------------------------------------------------------
# Nearest ports
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    rules: Rules
    ports: Ports
    near: PortLookup
    """Radius ``rules.port_query_km``: loitering, encounters, port calls."""
    far: PortLookup
    """Radius ``rules.gap_port_km``: both ends of dark gaps."""
    in_port: NearPorts
    """Which moving positions may be within ``rules.port_exit_km`` of a port."""

    @classmethod
    def build(cls, ports: Ports, rules: Rules) -> Context:
        return cls(
            rules=rules,
            ports=ports,
            near=PortLookup(ports, rules.port_query_km),
            far=PortLookup(ports, rules.gap_port_km),
            in_port=NearPorts(ports, rules.port_exit_km),
        )

    @property
    def port_index(self) -> tracks.PortIndex:
        return tracks.PortIndex(near=self.near, in_port=self.in_port)


# --------------------------------------------------------------------------
# One day of tracks, with predecessors and flags
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackDay:
    """One day's positions with everything the detectors read.

    Columns: mmsi, t (epoch us), lat, lon, sog, first (the first row of a
    track), and the columns of :data:`tracks.COLUMNS`: p_t/p_lat/p_lon
    (previous position, possibly from an earlier day; meaningless where
    ``has_prev`` is false, the first position of a track), dt_s, jump,
    newseg, slow, d_port (km; inf beyond ``port_query_km``, and for moving
    positions possibly beyond ``port_exit_km``: see
    :func:`tracks.numpy_flags`), port_id (-1 unless within ``port_exit_km``),
    loiter_q/port_q and their continuation flags, port_exit (the previous
    position ended a port run that this one left).
    """

    frame: pl.DataFrame


class Segmenter:
    """Prepares a :class:`TrackDay`: predecessors, jumps, segments, port distances."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.index = ctx.port_index
        self.outputs = tracks.Outputs()

    def prepare(self, day: pl.DataFrame, carry: pl.DataFrame) -> TrackDay:
        """Every per-position column, from :func:`tracks.track_flags` (one compiled pass).

        A day that is not in ``(mmsi, t)`` order (a store written by hand)
        is sorted first; the usual day costs no check beyond the kernel's.
        """
        df = day.select(
            pl.col("mmsi"),
            pl.col("ts").dt.epoch("us").alias("t"),
            pl.col("lat"),
            pl.col("lon"),
            pl.col("sog"),
        )
        flags = None
        for attempt in range(2):
            if attempt:
                df = df.sort(["mmsi", "t"])
            first, arrays = self._arrays(df, carry)
            flags = tracks.track_flags(arrays, self.ctx.rules, self.index, self.outputs)
            if flags is not None:
                break
        if flags is None:  # two rows of one MMSI at one instant: sorted, as good as it gets
            flags = tracks.numpy_flags(arrays, self.ctx.rules, self.index)
        # One chunk per column. A day arrives in pieces (a chunk per row group read), the
        # flags in one piece each; on such a frame every query of the detectors first
        # copied the chunked columns into one piece (about 10 ms a query on three million
        # rows). The kernel's inputs are those columns already made contiguous.
        frame = pl.DataFrame(
            [
                *(pl.Series(c, getattr(arrays, c)) for c in ("mmsi", "t", "lat", "lon")),
                df.get_column("sog").rechunk(),  # nulls kept (the kernel's copy has NaN)
                pl.Series("first", first),
                *(pl.Series(name, values) for name, values in flags.items()),
            ]
        )
        return TrackDay(frame=frame)

    @staticmethod
    def _arrays(df: pl.DataFrame, carry: pl.DataFrame) -> tuple[np.ndarray, tracks.Day]:
        mmsi = df["mmsi"].to_numpy()
        n = len(mmsi)
        first = np.ones(n, dtype=bool)
        np.not_equal(mmsi[1:], mmsi[:-1], out=first[1:])
        carried = (
            pl.DataFrame({"mmsi": mmsi[first]})
            .join(carry, on="mmsi", how="left", maintain_order="left")
            .select(
                pl.col("c_t").is_not_null().alias("known"),
                pl.col("c_t").fill_null(0),
                pl.col("c_lat").fill_null(np.nan),
                pl.col("c_lon").fill_null(np.nan),
                pl.col("c_loiter").fill_null(False),
                pl.col("c_port").fill_null(-1),
            )
        )
        day = tracks.Day(
            mmsi=mmsi,
            t=df["t"].to_numpy(),
            lat=df["lat"].to_numpy(),
            lon=df["lon"].to_numpy(),
            sog=df["sog"].to_numpy(),  # float32, as stored: the kernel reads it so
            first=first,
            carried=tracks.Carried(
                *(
                    carried[c].to_numpy()
                    for c in ("known", "c_t", "c_lat", "c_lon", "c_loiter", "c_port")
                )
            ),
        )
        return first, day

    @staticmethod
    def carry(day: TrackDay, carry: pl.DataFrame) -> pl.DataFrame:
        """The last position of every MMSI, updated with this day."""
        df = day.frame
        last = df.filter((pl.col("mmsi") != pl.col("mmsi").shift(-1)).fill_null(True)).select(
            "mmsi",
            pl.col("t").alias("c_t"),
            pl.col("lat").alias("c_lat"),
            pl.col("lon").alias("c_lon"),
            pl.col("loiter_q").alias("c_loiter"),
            pl.col("port_id").alias("c_port"),
        )
        kept = carry.join(last.select("mmsi"), on="mmsi", how="anti")
        return pl.concat([kept, last]).select(list(CARRY_SCHEMA))


def _load_libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None


_LIBC = _load_libc()


def _trim_heap() -> None:
    """Hand freed memory back to the OS after a day.

    numpy's large temporaries come from glibc's heap; without this, freed
    arenas stay resident and the process grows by about one day's worth of
    temporaries per day processed, which defeats processing by day.
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


# --------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------


class Detector(Protocol):
    name: ClassVar[str]

    def detect(self, day: TrackDay) -> pl.DataFrame: ...

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame: ...


def _concat(parts: Sequence[pl.DataFrame]) -> pl.DataFrame | None:
    nonempty = [p for p in parts if p.height]
    return pl.concat(nonempty) if nonempty else None


def _with_distance(steps: pl.DataFrame) -> pl.DataFrame:
    """``steps`` with ``dist_km``, the exact length of each step (few rows: jumps, gaps)."""
    dist = haversine_km(
        steps["p_lat"].to_numpy(),
        steps["p_lon"].to_numpy(),
        steps["lat"].to_numpy(),
        steps["lon"].to_numpy(),
    )
    return steps.with_columns(pl.Series("dist_km", dist, dtype=pl.Float64))


class Spoofing:
    """MMSI-days with many impossible jumps (shared or spoofed identities)."""

    name: ClassVar[str] = "spoofing"

    def __init__(self, ctx: Context) -> None:
        self.rules = ctx.rules

    def detect(self, day: TrackDay) -> pl.DataFrame:
        speed_kn = pl.col("dist_km") / (pl.col("dt_s") / 3600.0) / KM_PER_NM
        jumps = _with_distance(
            day.frame.lazy()
            .filter(pl.col("jump"))
            .select("mmsi", "t", "lat", "lon", "p_lat", "p_lon", "dt_s")
            .collect()
        )
        return (
            jumps.lazy()
            .group_by("mmsi", maintain_order=True)
            .agg(
                pl.len().alias("points"),
                pl.col("t").min().alias("start_us"),
                pl.col("t").max().alias("end_us"),
                pl.col("lat").first(),
                pl.col("lon").first(),
                pl.col("dist_km").max().alias("distance_km"),
                speed_kn.max().alias("max_speed_kn"),
            )
            .filter(pl.col("points") >= self.rules.spoofing_min_jumps)
            .with_columns(pl.lit("spoofing").alias("event_type"))
            .collect()
        )

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        got = _concat(parts)
        return empty_raw() if got is None else schema.conform(got, RAW_EVENTS)


class SharedMmsi:
    """Positions of MMSI-days with spoofing-level jumps, split into transmitters.

    The one detector with state between days: its tracks (:class:`SharedTracks`)
    take each day's candidates as the day is done and are split after the last
    day (by a C kernel where it is built, see :mod:`dprkwatch.maritime.clones`).
    """

    name: ClassVar[str] = "identity_shared"

    def __init__(self, ctx: Context) -> None:
        self.rules = ctx.rules
        self.tracks = SharedTracks(ctx.rules)

    def detect(self, day: TrackDay) -> pl.DataFrame:
        """Adds the day's candidates to the tracks; the part returned is empty.

        The day is in MMSI order, so each suspect's positions are one stretch of
        rows, found by binary search (a hash join over the whole day cost more
        than everything else this detector does).
        """
        frame = day.frame
        ids, jumps = np.unique(frame["mmsi"].filter(frame["jump"]).to_numpy(), return_counts=True)
        suspects = ids[jumps >= self.rules.spoofing_min_jumps]
        mmsi = frame["mmsi"].to_numpy()
        starts = np.searchsorted(mmsi, suspects, side="left")
        ends = np.searchsorted(mmsi, suspects, side="right")
        rows = np.concatenate(
            [np.arange(a, b, dtype=np.int64) for a, b in zip(starts, ends, strict=True)]
            or [np.empty(0, dtype=np.int64)]
        )
        candidates = frame.select(list(CANDIDATES))[rows]
        self.tracks.add(candidates)
        return candidates.clear()

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        return self.tracks.events()


class DarkGaps:
    """Long silences far from port at both ends."""

    name: ClassVar[str] = "dark_gap"

    def __init__(self, ctx: Context) -> None:
        self.rules = ctx.rules
        self.far = ctx.far

    def detect(self, day: TrackDay) -> pl.DataFrame:
        r = self.rules
        gaps = (
            day.frame.lazy()
            .filter(
                pl.col("has_prev") & (pl.col("dt_s") >= r.gap_min_hours * 3600.0) & ~pl.col("jump")
            )
            .select("mmsi", "p_t", "t", "p_lat", "p_lon", "lat", "lon")
            .collect()
        )
        if gaps.height == 0:
            return gaps
        gaps = _with_distance(gaps)
        d_start, _ = self.far.nearest(gaps["p_lat"].to_numpy(), gaps["p_lon"].to_numpy())
        d_end, _ = self.far.nearest(gaps["lat"].to_numpy(), gaps["lon"].to_numpy())
        keep = (d_start > r.gap_port_km) & (d_end > r.gap_port_km)
        return gaps.filter(pl.Series(keep)).select(
            pl.lit("dark_gap").alias("event_type"),
            "mmsi",
            pl.col("p_t").alias("start_us"),
            pl.col("t").alias("end_us"),
            pl.col("p_lat").alias("lat"),
            pl.col("p_lon").alias("lon"),
            pl.col("dist_km").alias("distance_km"),
            pl.lit(2, pl.Int64).alias("points"),
            pl.col("lat").alias("end_lat"),
            pl.col("lon").alias("end_lon"),
        )

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        got = _concat(parts)
        return empty_raw() if got is None else schema.conform(got, RAW_EVENTS)


_NO_TIME = np.iinfo(np.int64).max


class _Runs:
    """Maximal runs of rows where ``flag`` holds, reduced with numpy instead of a hash group-by.

    Rows are sorted by (mmsi, t) and a run's rows are contiguous, so after
    keeping the flagged rows a run starts wherever the row does not continue
    the one before it (or a new MMSI begins); every aggregate is then one
    ``reduceat`` over the run starts.
    """

    def __init__(self, frame: pl.DataFrame, flag: str, cont: str, columns: Sequence[str]) -> None:
        self.rows = frame.select(list(dict.fromkeys([*columns, cont, "first"]))).filter(frame[flag])
        begins = (~self.rows[cont] | self.rows["first"]).to_numpy()
        self.starts: np.ndarray = np.flatnonzero(begins)
        self.ends: np.ndarray = np.append(self.starts[1:], self.rows.height) - 1
        self.empty = self.rows.height == 0

    def values(self, col: str) -> np.ndarray:
        return self.rows[col].to_numpy()

    def first(self, col: str) -> np.ndarray:
        return np.take(self.values(col), self.starts)

    def last(self, col: str) -> np.ndarray:
        return np.take(self.values(col), self.ends)

    def count(self) -> np.ndarray:
        counts: np.ndarray = self.ends - self.starts + 1
        return counts

    def sum(self, col: str) -> np.ndarray:
        return np.add.reduceat(self.values(col).astype(np.float64), self.starts)

    def min(self, col: str) -> np.ndarray:
        return np.minimum.reduceat(self.values(col), self.starts)

    def any(self, col: str) -> np.ndarray:
        return np.logical_or.reduceat(self.values(col), self.starts)


_LOITER_EMPTY = pl.DataFrame(
    schema={
        "mmsi": pl.Int32,
        "cont": pl.Boolean,
        "t_first": pl.Int64,
        "t_last": pl.Int64,
        "n": pl.Int64,
        "sum_lat": pl.Float64,
        "sum_lon": pl.Float64,
        "sum_lon360": pl.Float64,
        "min_lon": pl.Float64,
        "max_lon": pl.Float64,
        "sum_sog": pl.Float64,
        "min_d": pl.Float64,
    }
)
_PORT_EMPTY = pl.DataFrame(
    schema={
        "mmsi": pl.Int32,
        "port_id": pl.Int32,
        "cont": pl.Boolean,
        "t_first": pl.Int64,
        "t_last": pl.Int64,
        "t_entry": pl.Int64,
        "n": pl.Int64,
        "stopped": pl.Boolean,
        "min_d": pl.Float64,
        "entered": pl.Boolean,
        "exit_mark": pl.Boolean,
    }
)


class Loitering:
    """Slow runs far from port, stitched across days, kept when long enough."""

    name: ClassVar[str] = "loitering"

    def __init__(self, ctx: Context) -> None:
        self.rules = ctx.rules

    def detect(self, day: TrackDay) -> pl.DataFrame:
        runs = _Runs(
            day.frame, "loiter_q", "loiter_cont", ["mmsi", "t", "lat", "lon", "sog", "d_port"]
        )
        if runs.empty:
            return _LOITER_EMPTY
        lon = runs.values("lon")
        return pl.DataFrame(
            {
                "mmsi": runs.first("mmsi"),
                "cont": runs.first("loiter_cont"),
                "t_first": runs.first("t"),
                "t_last": runs.last("t"),
                "n": runs.count(),
                "sum_lat": runs.sum("lat"),
                "sum_lon": runs.sum("lon"),
                "sum_lon360": np.add.reduceat(lon - 360.0 * np.floor(lon / 360.0), runs.starts),
                "min_lon": runs.min("lon"),
                "max_lon": np.maximum.reduceat(lon, runs.starts),
                "sum_sog": runs.sum("sog"),
                "min_d": runs.min("d_port"),
            },
            schema=_LOITER_EMPTY.schema,
        )

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        runs = _concat(parts)
        if runs is None:
            return empty_raw()
        chained = (
            runs.sort(["mmsi", "t_first"])
            .with_columns((~pl.col("cont")).cum_sum().alias("_chain"))
            .group_by("_chain", maintain_order=True)
            .agg(
                pl.col("mmsi").first(),
                pl.col("t_first").min(),
                pl.col("t_last").max(),
                pl.col("n").sum(),
                pl.col("sum_lat").sum(),
                pl.col("sum_lon").sum(),
                pl.col("sum_lon360").sum(),
                pl.col("min_lon").min(),
                pl.col("max_lon").max(),
                pl.col("sum_sog").sum(),
                pl.col("min_d").min(),
            )
        )
        min_us = round(self.rules.loiter_min_hours * 3600 * US)
        events = chained.filter((pl.col("t_last") - pl.col("t_first")) >= min_us).select(
            pl.lit("loitering").alias("event_type"),
            "mmsi",
            pl.col("t_first").alias("start_us"),
            pl.col("t_last").alias("end_us"),
            (pl.col("sum_lat") / pl.col("n")).alias("lat"),
            mean_lon().alias("lon"),
            pl.when(pl.col("min_d").is_infinite())
            .then(None)
            .otherwise(pl.col("min_d"))
            .alias("distance_km"),
            pl.col("n").alias("points"),
            (pl.col("sum_sog") / pl.col("n")).alias("mean_sog"),
        )
        return schema.conform(events, RAW_EVENTS)


class PortCalls:
    """Runs near one port with a stop in them (GFW-style enter/exit hysteresis)."""

    name: ClassVar[str] = "port_call"

    def __init__(self, ctx: Context) -> None:
        self.rules = ctx.rules

    def detect(self, day: TrackDay) -> pl.DataFrame:
        exits = (
            day.frame.lazy()
            .filter(pl.col("port_exit"))
            .select(
                "mmsi",
                pl.lit(-1, pl.Int32).alias("port_id"),
                pl.lit(True).alias("cont"),
                pl.col("p_t").alias("t_first"),
                pl.col("p_t").alias("t_last"),
                pl.lit(None, pl.Int64).alias("t_entry"),
                pl.lit(0, pl.Int64).alias("n"),
                pl.lit(False).alias("stopped"),
                pl.lit(None, pl.Float64).alias("min_d"),
                pl.lit(False).alias("entered"),
                pl.lit(True).alias("exit_mark"),
            )
            .collect()
        )
        runs = _Runs(
            day.frame, "port_q", "port_cont", ["mmsi", "port_id", "t", "d_port", "slow", "newseg"]
        )
        if runs.empty:
            return exits
        d = runs.values("d_port")
        t = runs.values("t")
        entry = np.where(d <= self.rules.port_entry_km, t, _NO_TIME)
        t_entry = np.minimum.reduceat(entry, runs.starts)
        found = pl.DataFrame(
            {
                "mmsi": runs.first("mmsi"),
                "port_id": runs.first("port_id"),
                "cont": runs.first("port_cont"),
                "t_first": runs.first("t"),
                "t_last": runs.last("t"),
                "t_entry": pl.Series(t_entry).set(pl.Series(t_entry == _NO_TIME), None),
                "n": runs.count(),
                "stopped": runs.any("slow"),
                "min_d": runs.min("d_port"),
                # a run that does not start a segment was entered from outside
                "entered": ~runs.first("newseg"),
                "exit_mark": np.zeros(len(runs.starts), dtype=bool),
            },
            schema=_PORT_EMPTY.schema,
        )
        return pl.concat([found, exits])

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        got = _concat(parts)
        if got is None:
            return empty_raw()
        exits = got.filter(pl.col("exit_mark")).select(
            "mmsi", "t_last", pl.lit(True).alias("exited")
        )
        chained = (
            got.filter(~pl.col("exit_mark"))
            .sort(["mmsi", "t_first"])
            .with_columns((~pl.col("cont")).cum_sum().alias("_chain"))
            .group_by("_chain", maintain_order=True)
            .agg(
                pl.col("mmsi").first(),
                pl.col("port_id").first(),
                pl.col("t_first").min(),
                pl.col("t_last").max(),
                pl.col("t_entry").min(),
                pl.col("n").sum(),
                pl.col("stopped").any(),
                pl.col("min_d").min(),
                pl.col("entered").first(),
            )
            .join(exits.unique(), on=["mmsi", "t_last"], how="left")
        )
        events = chained.filter(
            pl.col("stopped")
            & pl.col("t_entry").is_not_null()
            & ((pl.col("t_last") - pl.col("t_entry")) >= self.rules.port_min_us)
        ).select(
            pl.lit("port_call").alias("event_type"),
            "mmsi",
            pl.col("t_entry").alias("start_us"),
            pl.col("t_last").alias("end_us"),
            pl.col("port_id").alias("port_idx"),
            pl.col("min_d").alias("distance_km"),
            pl.col("n").alias("points"),
            port_confidence(pl.col("entered"), pl.col("exited").fill_null(False)),
        )
        return schema.conform(events, RAW_EVENTS)


class Encounters:
    """Pairs close together while slow, found with a time-bucketed grid self-join."""

    name: ClassVar[str] = "encounter"

    def __init__(self, ctx: Context) -> None:
        self.rules = ctx.rules
        self.cell = encounter_cell_deg(ctx.rules)

    def _band_width(self, band: pl.Expr) -> pl.Expr:
        lo = (band.cast(pl.Float64) * self.cell - 90.0).abs()
        hi = ((band.cast(pl.Float64) + 1.0) * self.cell - 90.0).abs()
        edge = pl.max_horizontal(lo, hi).clip(upper_bound=89.9)
        return self.cell / edge.radians().cos()

    def _band_cells(self, band: pl.Expr) -> pl.Expr:
        """Cells around the globe in a band; the last one absorbs the remainder, so cells wrap."""
        return (360.0 / self._band_width(band)).floor().cast(pl.Int32).clip(lower_bound=1)

    def detect(self, day: TrackDay) -> pl.DataFrame:
        r = self.rules
        bucket_us = r.bucket_s * US
        cand = (
            day.frame.lazy()
            .filter(pl.col("slow") & (pl.col("d_port") > r.encounter_port_km))
            .select("mmsi", "t", "lat", "lon", (pl.col("t") // bucket_us).alias("bucket"))
            .collect()
        )
        reps = cand.filter(~same_as_previous("mmsi", "bucket"))
        if reps.height < 2:
            return _CLOSE_EMPTY
        # The grid of each band the probes look into (this row's and the ones above and
        # below), computed once as columns: nine eager filters and selects, each with these
        # expressions, cost several times the join itself on a few thousand rows a day.
        band = ((pl.col("lat") + 90.0) / self.cell).floor().cast(pl.Int32)
        grid = reps.lazy().with_columns(band.alias("band"))
        grid = grid.with_columns(
            *(
                expr
                for dy in (-1, 0, 1)
                for expr in (
                    self._band_cells(pl.col("band") + dy).alias(f"cells{dy}"),
                    ((pl.col("lon") + 180.0) / self._band_width(pl.col("band") + dy))
                    .floor()
                    .cast(pl.Int32)
                    .alias(f"base{dy}"),
                )
            )
        )
        home = grid.select(
            pl.col("mmsi").alias("b_mmsi"),
            pl.col("t").alias("b_t"),
            pl.col("lat").alias("b_lat"),
            pl.col("lon").alias("b_lon"),
            "bucket",
            "band",
            (pl.col("base0") % pl.col("cells0")).alias("cx"),
        )
        probes = []
        for dy in (-1, 0, 1):
            cells = pl.col(f"cells{dy}")
            base = pl.col(f"base{dy}")
            for dx in (-1, 0, 1):
                # Near the poles a band may hold fewer than three cells; probe each once.
                distinct = pl.lit(dx == 0) | (cells >= 3) | ((cells == 2) & (dx == 1))
                probes.append(
                    grid.filter(distinct).select(
                        pl.col("mmsi").alias("a_mmsi"),
                        pl.col("t").alias("a_t"),
                        pl.col("lat").alias("a_lat"),
                        pl.col("lon").alias("a_lon"),
                        "bucket",
                        (pl.col("band") + dy).cast(pl.Int32).alias("band"),
                        ((base + dx + cells) % cells).alias("cx"),
                    )
                )
        pairs = (
            pl.concat(probes)
            .join(home, on=["bucket", "band", "cx"], how="inner")
            .filter(pl.col("a_mmsi") < pl.col("b_mmsi"))
            .with_columns(
                haversine(pl.col("a_lat"), pl.col("a_lon"), pl.col("b_lat"), pl.col("b_lon")).alias(
                    "d"
                )
            )
            .filter(pl.col("d") <= r.encounter_max_km)
        )
        return pairs.select(
            pl.col("a_mmsi").alias("a"),
            pl.col("b_mmsi").alias("b"),
            "bucket",
            pl.min_horizontal("a_t", "b_t").alias("t_lo"),
            pl.max_horizontal("a_t", "b_t").alias("t_hi"),
            ((pl.col("a_lat") + pl.col("b_lat")) / 2.0).alias("mid_lat"),
            wrap_lon(pl.col("a_lon") + wrap_lon(pl.col("b_lon") - pl.col("a_lon")) / 2.0).alias(
                "mid_lon"
            ),
            "d",
        ).collect()

    def finish(self, parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
        close = _concat(parts)
        if close is None:
            return empty_raw()
        r = self.rules
        step = pl.col("bucket") - pl.col("bucket").shift(1)
        raw = (
            close.sort(["a", "b", "bucket"])
            .with_columns(
                (~(same_as_previous("a", "b") & (step <= r.encounter_max_gap_buckets)))
                .cum_sum()
                .alias("_run")
            )
            .group_by("_run", maintain_order=True)
            .agg(
                pl.col("a").first(),
                pl.col("b").first(),
                pl.col("t_lo").min().alias("start"),
                pl.col("t_hi").max().alias("end"),
                pl.len().alias("n"),
                pl.col("mid_lat").sum().alias("sum_lat"),
                pl.col("mid_lon").sum().alias("sum_lon"),
                lon360(pl.col("mid_lon")).sum().alias("sum_lon360"),
                pl.col("mid_lon").min().alias("min_lon"),
                pl.col("mid_lon").max().alias("max_lon"),
                pl.col("d").sum().alias("sum_d"),
            )
        )
        min_us = round(r.encounter_min_hours * 3600 * US)
        merge_us = round(r.encounter_merge_hours * 3600 * US)
        kept = raw.filter((pl.col("end") - pl.col("start")) >= min_us).sort(["a", "b", "start"])
        merged = (
            kept.with_columns(
                (
                    ~(
                        same_as_previous("a", "b")
                        & ((pl.col("start") - pl.col("end").shift(1)) < merge_us)
                    )
                )
                .cum_sum()
                .alias("_m")
            )
            .group_by("_m", maintain_order=True)
            .agg(
                pl.col("a").first(),
                pl.col("b").first(),
                pl.col("start").min(),
                pl.col("end").max(),
                pl.col("n").sum(),
                pl.col("sum_lat").sum(),
                pl.col("sum_lon").sum(),
                pl.col("sum_lon360").sum(),
                pl.col("min_lon").min(),
                pl.col("max_lon").max(),
                pl.col("sum_d").sum(),
            )
        )
        events = merged.select(
            pl.lit("encounter").alias("event_type"),
            pl.col("a").alias("mmsi"),
            pl.col("b").alias("other_mmsi"),
            pl.col("start").alias("start_us"),
            pl.col("end").alias("end_us"),
            (pl.col("sum_lat") / pl.col("n")).alias("lat"),
            mean_lon().alias("lon"),
            (pl.col("sum_d") / pl.col("n")).alias("distance_km"),
            pl.col("n").alias("points"),
        )
        return schema.conform(events, RAW_EVENTS)


_CLOSE_EMPTY = pl.DataFrame(
    schema={
        "a": pl.Int32,
        "b": pl.Int32,
        "bucket": pl.Int64,
        "t_lo": pl.Int64,
        "t_hi": pl.Int64,
        "mid_lat": pl.Float64,
        "mid_lon": pl.Float64,
        "d": pl.Float64,
    }
)


# --------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------


def all_detectors(ctx: Context) -> list[Detector]:
    """The six detectors, in the order their events are put together."""
    return [
        Spoofing(ctx),
        SharedMmsi(ctx),
        DarkGaps(ctx),
        Loitering(ctx),
        PortCalls(ctx),
        Encounters(ctx),
    ]


class PolarsEngine:
    """Embedded default engine (Polars, one day partition in memory at a time)."""

    name: ClassVar[str] = "polars"

    def detect(
        self, store: PositionStore, ports: Ports, rules: Rules, progress: Progress | None = None
    ) -> Detection:
        days = store.days()
        frames = (store.read_day(d, columns=list(DAY_COLUMNS)) for d in days)
        return self.detect_days(frames, ports, rules, progress, total=len(days))

    def detect_days(
        self,
        frames: Iterable[pl.DataFrame],
        ports: Ports,
        rules: Rules,
        progress: Progress | None = None,
        *,
        total: int = 0,
    ) -> Detection:
        """Detect over UTC days in time order, each sorted by ``(mmsi, ts)`` (:data:`DAY_COLUMNS`).

        ``frames`` may be lazy: ``detect --input`` hands over days as it reads
        them, so reading and detecting never hold more than one day.
        """
        timings = {"read": 0.0, "prepare": 0.0, "detect": 0.0, "finish": 0.0}
        ctx = Context.build(ports, rules)
        segmenter = Segmenter(ctx)
        detectors = all_detectors(ctx)
        parts: dict[str, list[pl.DataFrame]] = {d.name: [] for d in detectors}
        carry = pl.DataFrame(schema=CARRY_SCHEMA)
        positions = 0
        days = 0
        t0 = time.perf_counter()
        for frame in frames:
            positions += frame.height
            days += 1
            t1 = time.perf_counter()
            track = segmenter.prepare(frame, carry)
            carry = segmenter.carry(track, carry)
            t2 = time.perf_counter()
            for det in detectors:
                parts[det.name].append(det.detect(track))
            t3 = time.perf_counter()
            del frame, track
            _trim_heap()
            timings["read"] += t1 - t0
            timings["prepare"] += t2 - t1
            timings["detect"] += t3 - t2
            if progress is not None:
                progress("days", days, max(total, days))
            t0 = time.perf_counter()
        t4 = time.perf_counter()
        results = [det.finish(parts[det.name]) for det in detectors]
        raw = pl.concat([schema.conform(r, RAW_EVENTS) for r in results])
        timings["finish"] = time.perf_counter() - t4
        return Detection(
            raw_events=raw, engine=self.name, positions=positions, days=days, seconds=timings
        )
