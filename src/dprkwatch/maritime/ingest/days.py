"""From checked positions in file order to complete UTC days sorted by ``(mmsi, ts)``.

Both ``maritime ingest`` (which writes the days to the store) and
``maritime detect --input`` (which hands them straight to the engine) get
their days from :class:`DayAssembler`, so the two read files identically.

**When is a day complete?** Rows of a day may come from anywhere in a file,
so a day can only be handed on once no later row can belong to it:

* *Streaming*: a Parquet file's row groups carry the minimum and maximum
  time of their rows. When those ranges follow each other (a time-ordered
  feed, the usual case), every later row is at least as late as the current
  row group's minimum, and every day before it is complete. Such days are
  sorted in memory and handed on at once, so memory holds about one day.
* *Staged*: otherwise (CSV and NMEA carry no statistics; a Parquet file out
  of time order), rows are written to one staging file per day, and the days
  are read back, sorted and handed on after the last file. Memory holds one
  read batch while reading and one day while sorting.

**Order and duplicates.** A row earlier than an earlier row of the same MMSI
in the same file is *out of order*: counted and skipped, or with
``keep_out_of_order`` counted and sorted into place. A batch that is itself
in time order and starts no earlier than everything before it in its file
has no such rows; only other batches pay for the per-MMSI check. Within a
day, the first report of an MMSI at an instant wins (file order, files in
the order given); the others are counted as duplicates.

**Sorting a day.** A day whose rows arrived in time order only needs a
*stable* sort by MMSI: one sort of 64-bit integers that pack each row's MMSI
and its row number (:func:`mmsi_order`), instead of a comparison sort on two
keys; the MMSI column comes out of the sort itself.
"""

from __future__ import annotations

import ctypes
import itertools
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from dprkwatch.maritime import native, schema
from dprkwatch.maritime.ingest.quality import Quality
from dprkwatch.maritime.pool import ArrayPool

US_PER_DAY = 86_400_000_000
MAX_EXAMPLES = 5
LINE = "_line"
"""The column that travels with each row until its day is sorted: its line in its file.
Which file a row came from is known from the piece of the day it arrived in (:class:`PendingDay`)."""


def day_of(us: int) -> date:
    return datetime.fromtimestamp(us // US_PER_DAY * 86_400, tz=UTC).date()


def _day_start_us(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1_000_000


def _split_days(pos: pl.DataFrame) -> Iterator[tuple[date, pl.DataFrame]]:
    """The rows of each UTC day; a time-ordered batch is cut into slices, not hashed."""
    t = pos["ts"].dt.epoch("us")
    first, last = int(t.min()) // US_PER_DAY, int(t.max()) // US_PER_DAY  # type: ignore[arg-type]
    if first == last:
        yield day_of(first * US_PER_DAY), pos
        return
    if t.is_sorted():
        bounds = [0]
        for d in range(first + 1, last + 1):
            bounds.append(int(t.search_sorted(d * US_PER_DAY, side="left")))
        bounds.append(pos.height)
        for d, (a, b) in zip(range(first, last + 1), itertools.pairwise(bounds), strict=True):
            if b > a:
                yield day_of(d * US_PER_DAY), pos.slice(a, b - a)
        return
    index = (pl.col("ts").dt.epoch("us") // US_PER_DAY).alias("_d")
    for (d,), chunk in (
        pos.with_columns(index)
        .partition_by("_d", as_dict=True, include_key=False, maintain_order=True)
        .items()
    ):
        yield day_of(int(str(d)) * US_PER_DAY), chunk


def mmsi_order(mmsi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, sorted MMSIs): the stable permutation that groups rows by MMSI, and the MMSIs in it.

    Each row's MMSI (below 2**30) and its row number (below 2**32) are packed
    into one 64-bit key. The keys are distinct, so numpy's vectorised sort of
    plain integers gives exactly the stable order; the low half of each
    sorted key is the row, the high half the MMSI, which therefore needs no
    gather of its own.
    """
    if len(mmsi) >= 1 << 32:  # pragma: no cover - far beyond one day in memory
        raise ValueError("a day of more than 2**32 rows")
    key = mmsi.astype(np.int64)
    key <<= 32
    key |= np.arange(len(mmsi), dtype=np.int64)
    key.sort()
    sorted_mmsi = (key >> 32).astype(np.int32)
    key &= 0xFFFFFFFF
    return key, sorted_mmsi


def _take(values: pl.Series, order: np.ndarray) -> pl.Series:
    """``values`` in ``order``: numpy's take for numeric columns without nulls.

    numpy's take writes one new array that Polars then wraps without a copy;
    it is cheaper than a Polars gather on a day of rows. Columns with nulls
    (or of other types) keep Polars' gather, which carries the null mask.
    """
    if values.null_count() or not (values.dtype.is_numeric() or values.dtype.is_temporal()):
        return values.gather(order)
    physical = values.to_physical().to_numpy()
    return pl.Series(values.name, np.take(physical, order)).cast(values.dtype)


@dataclass
class PendingDay:
    """A complete day not sorted yet: its rows in arrival order, in pieces.

    Sorting (:meth:`DayAssembler.sort`) is a step of its own so that it can
    run in a thread of its own while the next day is read.
    """

    day: date
    parts: list[pl.DataFrame]
    sources: list[int]
    """The file each part came from (an index into the run's sources; -1 for stored rows)."""
    presorted_time: bool


@dataclass
class SortedDay:
    """One complete day: positions sorted by (mmsi, ts), first report of each instant kept."""

    day: date
    positions: pl.DataFrame
    """:data:`schema.POSITIONS` columns."""


def sort_day(
    frame: pl.DataFrame,
    columns: Sequence[str],
    *,
    presorted_time: bool,
    pool: ArrayPool | None = None,
) -> tuple[pl.DataFrame, np.ndarray]:
    """(kept, duplicates): ``frame``'s ``columns`` sorted by (mmsi, ts), arrival order kept among
    equal keys, and the rows of ``frame`` dropped as duplicates (in the sorted order).

    ``presorted_time``: the rows arrived in time order, so a stable sort by
    MMSI is enough: the C counting sort (:func:`group_by_mmsi`) where it is
    built, else :func:`mmsi_order` and a gather of each column. Otherwise a
    stable two-key sort is used. A duplicate is a row with the MMSI and time
    of the row before it. Only the kept columns are moved; where a duplicate
    came from is looked up for the few there are. ``pool``: the run's arrays
    the C sort writes into (fresh ones without it).
    """
    grouped = group_by_mmsi(frame, columns, pool) if presorted_time else None
    if grouped is not None:
        ordered, places = grouped
        order = None
    else:
        if presorted_time:
            order, sorted_mmsi = mmsi_order(frame["mmsi"].to_numpy())
            taken = {"mmsi": pl.Series("mmsi", sorted_mmsi, dtype=frame.schema["mmsi"])}
        else:
            order = (
                frame.select(pl.arg_sort_by(["mmsi", "ts"], maintain_order=True))
                .to_series()
                .to_numpy()
            )
            taken = {}
        ordered = pl.DataFrame(
            [taken[c] if c in taken else _take(frame[c], order) for c in columns]
        )
    m = ordered["mmsi"].to_numpy()
    t = ordered["ts"].to_physical().to_numpy()
    dup = np.zeros(len(m), dtype=bool)
    np.equal(m[1:], m[:-1], out=dup[1:])
    dup[1:] &= t[1:] == t[:-1]
    if not dup.any():
        return ordered, np.empty(0, dtype=np.int64)
    if order is None:
        order = np.empty(len(places), dtype=np.int64)
        order[places] = np.arange(len(places), dtype=np.int64)
    return ordered.filter(pl.Series(~dup)), order[dup]


_GROUP_C = Path(__file__).with_name("group.c")


def group_by_mmsi(
    frame: pl.DataFrame, columns: Sequence[str], pool: ArrayPool | None = None
) -> tuple[pl.DataFrame, np.ndarray] | None:
    """(``columns`` stably grouped by MMSI, each row's place) by the C kernel ``group.c``.

    The same rows in the same order as :func:`mmsi_order` and a gather, at
    about a third of the CPU (see the kernel's comment). None when the kernel
    is not built, or a column has nulls or is not a plain number or time
    (then the numpy path, which handles them, is used). The columns and the
    places are written into arrays of ``pool`` (see :mod:`dprkwatch.maritime.pool`):
    a day's sorted columns are about 35 bytes a row of memory that is
    otherwise fresh, and zeroed by the kernel, every day.
    """
    pool = pool or ArrayPool()
    lib = native.load(_GROUP_C)
    series = [frame[c] for c in columns]
    if (
        lib is None
        or frame.schema["mmsi"] != pl.Int32
        or any(
            s.null_count() or not (s.dtype.is_numeric() or s.dtype.is_temporal()) for s in series
        )
    ):
        return None
    keep: list[np.ndarray] = []
    n = frame.height
    if n == 0:
        return None
    places = pool.take("_places", n, np.int64)
    mmsi = native.address(frame["mmsi"].to_numpy(), np.int32, keep)
    lib.dprkwatch_mmsi_places.restype = _I
    lib.dprkwatch_scatter.restype = None
    if lib.dprkwatch_mmsi_places(_I(n), _P(mmsi), _P(places.ctypes.data)) < 0:
        return None
    out = []
    for s in series:
        # Chunk by chunk: a day is the batches it came in, and a whole-column to_numpy
        # would first copy them into one array.
        moved: np.ndarray | None = None
        done = 0
        for chunk in s.to_physical().get_chunks():
            array = chunk.to_numpy()  # no copy: one chunk, no nulls
            values = native.address(array, array.dtype.type, keep)
            if moved is None:
                moved = pool.take(s.name, n, array.dtype.type)
            lib.dprkwatch_scatter(
                _I(len(chunk)),
                _P(places.ctypes.data + done * places.itemsize),
                _I(moved.itemsize),
                _P(values),
                _P(moved.ctypes.data),
            )
            done += len(chunk)
        assert moved is not None and done == n
        out.append(pl.Series(s.name, moved).cast(s.dtype))
    return pl.DataFrame(out), places


_I = ctypes.c_int64
_P = ctypes.c_void_p


@dataclass
class _FileOrder:
    """What one file has shown so far, for the out-of-order check."""

    max_ts: int | None = None
    per_mmsi: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"mmsi": pl.Int32, "_max_ts": pl.Int64})
    )


class DayAssembler:
    """Collects checked positions batch by batch and hands out complete days in time order.

    Feed :meth:`add` with each batch of one file after the other, then call
    :meth:`finish`. Both return :class:`PendingDay` values as days complete;
    :meth:`sort` turns each into a :class:`SortedDay`.
    """

    def __init__(
        self,
        quality: Quality,
        sources: Sequence[str],
        staging: Path,
        *,
        streaming: bool,
        keep_out_of_order: bool = False,
        existing: Callable[[date], pl.DataFrame | None] | None = None,
        columns: Sequence[str] = tuple(schema.POSITIONS),
    ) -> None:
        """``existing(day)`` gives rows already stored for a day (they win over new ones);
        ``columns`` are the position columns kept (the engine needs no course)."""
        self.existing = existing
        self.columns = [*columns, LINE]
        self.quality = quality
        self.sources = list(sources)
        self.staging = staging
        self.streaming = streaming
        self.keep = keep_out_of_order
        self._order: dict[int, _FileOrder] = {}
        self._buffers: dict[date, list[tuple[int, pl.DataFrame]]] = {}
        self._time_sorted: dict[date, bool] = {}
        self._last_ts: dict[date, int] = {}
        self._staged: dict[date, list[tuple[int, Path]]] = {}
        self._parts = 0
        self._done: set[date] = set()
        self._pool = ArrayPool()

    # -- the out-of-order check ----------------------------------------------

    def _check_order(self, pos: pl.DataFrame, src: int) -> pl.DataFrame:
        """Skip (or note) rows earlier than an earlier row of their MMSI in their file.

        Streaming, a batch is whole row groups that follow the earlier ones in
        time, so only rows within the batch can be out of order. Staged, the
        latest time of every MMSI seen so far in the file is kept.
        """
        state = self._order.setdefault(src, _FileOrder())
        t = pos["ts"].dt.epoch("us")
        first, last = int(t[0]), int(t.max())  # type: ignore[arg-type]
        in_order = t.is_sorted() and (state.max_ts is None or first >= state.max_ts)
        if not in_order:
            pos = self._late_rows(pos, state, src)
        if not self.streaming and pos.height:
            batch_max = (
                pos.select("mmsi", pl.col("ts").dt.epoch("us").alias("_max_ts"))
                .group_by("mmsi")
                .agg(pl.col("_max_ts").max())
            )
            state.per_mmsi = (
                pl.concat([state.per_mmsi, batch_max]).group_by("mmsi").agg(pl.col("_max_ts").max())
            )
        state.max_ts = last if state.max_ts is None else max(state.max_ts, last)
        return pos

    def _late_rows(self, pos: pl.DataFrame, state: _FileOrder, src: int) -> pl.DataFrame:
        """Rows earlier than an earlier row of their MMSI in this file: skipped or noted."""
        t = pl.col("ts").dt.epoch("us")
        checked = pos.join(state.per_mmsi, on="mmsi", how="left", maintain_order="left")
        prev_max = pl.max_horizontal(t.cum_max().shift(1).over("mmsi"), pl.col("_max_ts"))
        late = (t < prev_max).fill_null(False)
        flags = checked.select(late.alias("late")).to_series()
        n_late = int(flags.sum())
        if n_late:
            lines = pos.filter(flags)["_line"].head(MAX_EXAMPLES).to_list()
            where = [f"{self.sources[src]}:{line}" for line in lines]
            if self.keep:
                self.quality.note("out_of_order_sorted", n_late, where)
            else:
                self.quality.skip("out_of_order", n_late, where)
                pos = pos.filter(~flags)
        return pos

    # -- collecting days -------------------------------------------------------

    def add(self, pos: pl.DataFrame, src: int, floor_us: int | None = None) -> Iterator[PendingDay]:
        """One batch of one file (``_line`` attached), in file order.

        ``floor_us``: no later row of any file is earlier than this (known in
        streaming mode from the row groups' statistics); days before it are
        complete and are handed out, to be sorted with :meth:`sort`.
        """
        if pos.height == 0:
            if self.streaming and floor_us is not None:
                yield from self._flush_before(floor_us)
            return
        pos = self._check_order(pos, src)
        if pos.height:
            # The columns as they are, in the file's pieces (row groups): a select would
            # first copy each into one piece, and the sort moves every row anyway.
            pos = pl.DataFrame([pos.get_column(c) for c in self.columns])
            for day, chunk in _split_days(pos):
                if self.streaming:
                    self._keep(day, src, chunk)
                else:
                    self._stage(day, src, chunk)
        if self.streaming and floor_us is not None:
            yield from self._flush_before(floor_us)

    def _note_order(self, day: date, chunk: pl.DataFrame) -> None:
        """Whether the day's rows keep arriving in time order (then a stable MMSI sort will do)."""
        t = chunk["ts"].dt.epoch("us")
        first, last = int(t[0]), int(t.max())  # type: ignore[arg-type]
        after = day not in self._last_ts or first >= self._last_ts[day]
        self._time_sorted[day] = self._time_sorted.get(day, True) and after and t.is_sorted()
        self._last_ts[day] = max(self._last_ts.get(day, last), last)

    def _keep(self, day: date, src: int, chunk: pl.DataFrame) -> None:
        if day in self._done:
            raise RuntimeError(f"rows for {day} arrived after the day was handed on")
        self._note_order(day, chunk)
        self._buffers.setdefault(day, []).append((src, chunk))

    def _stage(self, day: date, src: int, chunk: pl.DataFrame) -> None:
        self._note_order(day, chunk)
        folder = self.staging / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{self._parts:06d}.parquet"
        self._parts += 1
        chunk.write_parquet(out, compression="lz4")
        self._staged.setdefault(day, []).append((src, out))

    def _flush_before(self, floor_us: int) -> Iterator[PendingDay]:
        for day in sorted(d for d in self._buffers if _day_start_us(d) + US_PER_DAY <= floor_us):
            yield self._pending(day, self._buffers.pop(day))

    def _pending(self, day: date, parts: list[tuple[int, pl.DataFrame]]) -> PendingDay:
        presorted = self._time_sorted.pop(day, False)
        self._last_ts.pop(day, None)
        self._done.add(day)
        return PendingDay(day, [f for _, f in parts], [s for s, _ in parts], presorted)

    def sort(self, pending: PendingDay) -> SortedDay:
        """A complete day sorted by (mmsi, ts), merged with the stored rows, duplicates counted.

        Safe to run in another thread than :meth:`add`: it touches only the
        day handed to it and its own counters in the quality report.
        """
        day, parts, presorted = pending.day, pending.parts, pending.presorted_time
        sources = pending.sources
        old = self.existing(day) if self.existing is not None else None
        if old is not None and old.height:
            # Stored rows come first, so a stored report wins over a new one.
            parts = [old.select(*schema.POSITIONS, pl.lit(0, pl.Int64).alias(LINE)), *parts]
            sources = [-1, *sources]
            presorted = False
        # Not rechunked: only the columns kept are copied, by the sort itself.
        frame = pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]
        columns = self.columns[:-1]
        kept, dups = sort_day(frame, columns, presorted_time=presorted, pool=self._pool)
        if len(dups):
            self.quality.skip("duplicate", len(dups), self._where(frame, parts, sources, dups))
        stored = 0 if old is None else old.height  # a stored row is never a duplicate
        self.quality.positions_kept += kept.height - stored
        return SortedDay(day, kept)

    def _where(
        self, frame: pl.DataFrame, parts: list[pl.DataFrame], sources: list[int], rows: np.ndarray
    ) -> list[str]:
        """``file:line`` of the first :data:`MAX_EXAMPLES` of ``rows`` of a day's ``frame``."""
        rows = rows[:MAX_EXAMPLES]
        ends = np.cumsum([p.height for p in parts])
        part = np.searchsorted(ends, rows, side="right")
        lines = frame[LINE].gather(rows).to_list()
        names = [self.sources[s] if s >= 0 else "store" for s in sources]
        return [f"{names[i]}:{line}" for i, line in zip(part.tolist(), lines, strict=True)]

    def finish(self) -> Iterator[PendingDay]:
        """Every remaining day, in time order."""
        for day in sorted(set(self._buffers) | set(self._staged)):
            if day in self._buffers:
                yield self._pending(day, self._buffers.pop(day))
            else:
                staged = self._staged.pop(day)
                yield self._pending(day, [(src, pl.read_parquet(p)) for src, p in staged])
                shutil.rmtree(staged[0][1].parent, ignore_errors=True)
