"""Reading AIS files: files in, complete days and identity intervals out; and the store ingest.

:class:`PositionReader` is the one way files are read, by ``maritime
ingest`` (into the store, :func:`ingest`) and by ``maritime detect --input``
(straight into the engine, without a store):

1. every file's layout is recognised first (:mod:`.layouts`); files of
   different layouts in one run stop it before any work;
2. each file is read in batches (:mod:`.tabular`, :mod:`.nmea`) and every
   batch is checked with column expressions (:mod:`.normalise`): every row
   is kept or counted under a reason in the :class:`Quality` report;
3. checked positions become complete UTC days sorted by ``(mmsi, ts)``
   (:mod:`.days`), streamed when the files' own statistics show which days
   are complete, staged on disk otherwise, so memory holds about one day;
4. static reports (name, IMO, call sign, flag) become identity intervals.

The ingest builds a new store version from those days, merging each with
what the store already holds for it (a stored report wins over a new one),
and switches to it atomically; a failure at any point leaves the store as
it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.exceptions import AisInputError
from dprkwatch.maritime.ingest.days import DayAssembler, PendingDay, SortedDay
from dprkwatch.maritime.ingest.layouts import FORMATS, Detected, Layout, Source, detect_all
from dprkwatch.maritime.ingest.normalise import normalise, static_reports
from dprkwatch.maritime.ingest.quality import Quality
from dprkwatch.maritime.ingest.tabular import (
    OPTIONAL,
    Batch,
    read_csv,
    read_parquet,
    time_ranges,
)
from dprkwatch.maritime.readahead import ahead
from dprkwatch.maritime.store import (
    IDENTITY_SCHEMA,
    PositionStore,
    intervals_from_reports,
    merge_intervals,
    write_parquet_durable,
)

__all__ = ["FORMATS", "IngestReport", "PositionReader", "detect_format", "ingest"]

Progress = Callable[[str, int], None]
"""Called with (stage, amount): ``("rows", n)`` while reading, ``("day", 1)`` per finished day."""


def detect_format(path: Path) -> str:
    """The layout name recognised for ``path`` (see :mod:`.layouts`)."""
    return detect_all([path])[0].layout.name


@dataclass
class IngestReport:
    """What one read did: files, layout, quality, days touched, new version."""

    files: list[str]
    quality: Quality
    layout: str = ""
    days: list[str] = field(default_factory=list)
    version: str | None = None
    identity_rows: int = 0
    keep_out_of_order: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "layout": self.layout,
            "version": self.version,
            "days": self.days,
            "identity_rows": self.identity_rows,
            "keep_out_of_order": self.keep_out_of_order,
            "quality": self.quality.to_dict(),
        }


def _ordered(plans: list[list[tuple[int, int, int]]]) -> bool:
    """Whether row groups follow each other in time across all files (each starts where the last ended)."""
    last: int | None = None
    for plan in plans:
        for _rows, lo, hi in plan:
            if last is not None and lo < last:
                return False
            last = hi
    return True


class _Identities:
    """Static reports into identity intervals, batch by batch, in the order read.

    With :meth:`start_thread` (``detect --input``) each batch is worked on by
    a thread of its own, so that the reading thread, which every day waits
    for, only reads and checks positions. Each batch counts into a quality
    report of its own, merged into the reader's in batch order by
    :meth:`settle`; the report is therefore the same with or without the thread.
    """

    def __init__(self, quality: Quality) -> None:
        self.quality = quality
        self.intervals: list[pl.DataFrame] = []
        self._pending: list[
            Future[tuple[pl.DataFrame, Quality]] | tuple[pl.DataFrame, Quality]
        ] = []
        self._pool: ThreadPoolExecutor | None = None

    def start_thread(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dprkwatch-identity")

    def stop_thread(self) -> None:
        """No more batches. Those added still run (each is small), so that :meth:`settle`
        gives everything read so far even when the reading was abandoned."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def add(self, rows: pl.DataFrame, source: str) -> None:
        if rows.height == 0:
            return
        if self._pool is None:
            self._pending.append(_intervals(rows, source))
        else:
            self._pending.append(self._pool.submit(_intervals, rows, source))

    def settle(self) -> None:
        """Wait for the batches added so far; keep their intervals, merge their counts."""
        for part in self._pending:
            intervals, quality = part.result() if isinstance(part, Future) else part
            self.intervals.append(intervals)
            self.quality.merge(quality)
        self._pending.clear()


def _intervals(rows: pl.DataFrame, source: str) -> tuple[pl.DataFrame, Quality]:
    quality = Quality()
    reports = static_reports(rows, quality, source)
    if reports.height == 0:
        return schema.empty(IDENTITY_SCHEMA), quality
    return intervals_from_reports(reports), quality


class PositionReader:
    """Files of one layout read into complete days (:meth:`days`) and identity intervals.

    Construction recognises every file's layout and raises before any work
    when they differ or one is unusable. ``staging`` is a private folder for
    days that cannot be streamed; ``existing(day)`` gives rows already
    stored for a day, which win over new ones (ingest only); ``columns`` are
    the position columns the days keep (all of them for the store).
    """

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        staging: Path,
        fmt: str | None = None,
        keep_out_of_order: bool = False,
        existing: Callable[[date], pl.DataFrame | None] | None = None,
        progress: Progress | None = None,
        columns: Sequence[str] = tuple(schema.POSITIONS),
    ) -> None:
        if not paths:
            raise AisInputError("no input files given")
        self.paths = list(paths)
        self.detected: list[Detected] = detect_all(self.paths, fmt)
        self.layout: Layout = self.detected[0].layout
        self.sources: list[Source] = [s for d in self.detected for s in d.sources]
        self.quality = Quality()
        self.keep_out_of_order = keep_out_of_order
        self.staging = staging
        self.existing = existing
        self.progress = progress
        self.columns = list(columns)
        # Optional columns no day keeps (the course, for the detectors) are not read at all.
        self.unread = OPTIONAL - set(self.columns)
        plans = [time_ranges(s, self.layout) for s in self.sources]
        self.plans: list[list[tuple[int, int, int]]] | None = (
            [p for p in plans if p is not None] if all(p is not None for p in plans) else None
        )
        self.streaming = self.plans is not None and _ordered(self.plans)
        self._identity = _Identities(self.quality)
        self._merged: pl.DataFrame | None = None
        self.days_read: list[date] = []
        self._assembler = DayAssembler(
            self.quality,
            [s.name for s in self.sources],
            self.staging,
            streaming=self.streaming,
            keep_out_of_order=self.keep_out_of_order,
            existing=self.existing,
            columns=self.columns,
        )

    def report(self) -> IngestReport:
        self._identity.settle()
        return IngestReport(
            files=[str(p) for p in self.paths],
            quality=self.quality,
            layout=self.layout.name,
            days=[d.isoformat() for d in self.days_read],
            keep_out_of_order=self.keep_out_of_order,
        )

    def _batches(self, source: Source) -> Iterator[Batch]:
        if self.layout.container == "nmea":
            # pyais is imported only when an NMEA file is read (it is slow to import).
            from dprkwatch.maritime.ingest.nmea import read_nmea

            for frame in read_nmea(source, self.quality):
                yield Batch(frame, -1)
        elif self.layout.container == "parquet":
            yield from read_parquet(source, self.layout, self.quality, self.unread)
        else:
            yield from read_csv(source, self.layout, self.quality, self.unread)

    def _floor(self, index: int, rows_done: int) -> int | None:
        """No later row is earlier than this: the minimum time of the next unread row group."""
        if self.plans is None:
            return None
        seen = 0
        for rows, lo, _hi in self.plans[index]:
            if seen + rows > rows_done:
                return lo
            seen += rows
        for plan in self.plans[index + 1 :]:
            if plan:
                return plan[0][1]
        return None

    def days(self, *, sort_ahead: bool = False) -> Iterator[SortedDay]:
        """Complete days in time order, each sorted by (mmsi, ts).

        ``sort_ahead``: read and check in one background thread and sort in
        another, so that with the consumer three steps overlap, and make
        the identity intervals in a third (the ``detect --input`` path; each
        thread holds at most one day ahead). Once the last day is handed on,
        the identity intervals are merged here, so that in that path the
        merge runs on the sorting thread while the consumer detects the last
        days, not after them.
        """
        pending = self._pending_days()
        if sort_ahead:
            self._identity.start_thread()
            pending = ahead(pending)
        try:
            for day in map(self._assembler.sort, pending):
                self.days_read.append(day.day)
                yield day
                if self.progress is not None:
                    self.progress("day", 1)
            self._merged = self._merge()
        finally:
            pending.close()  # the reading thread is stopped before its helper
            self._identity.stop_thread()

    def _pending_days(self) -> Generator[PendingDay]:
        """Complete days in time order, not sorted yet (reading, checking, cutting into days)."""
        count_rows = self.layout.container != "nmea"
        for index, source in enumerate(self.sources):
            for batch in self._batches(source):
                norm = normalise(
                    batch.frame,
                    source.name,
                    self.quality,
                    count_rows=count_rows,
                    ts_format=self.layout.ts_format,
                )
                self._identity.add(norm.static_rows, source.name)
                floor = self._floor(index, batch.rows_done) if self.streaming else None
                yield from self._assembler.add(norm.positions, index, floor)
                if self.progress is not None:
                    self.progress("rows", batch.frame.height)
        yield from self._assembler.finish()

    @property
    def identity(self) -> pl.DataFrame:
        """Identity intervals of everything read so far."""
        return self._merged if self._merged is not None else self._merge()

    def _merge(self) -> pl.DataFrame:
        self._identity.settle()
        parts = [schema.conform(p, IDENTITY_SCHEMA) for p in self._identity.intervals if p.height]
        if not parts:
            return schema.empty(IDENTITY_SCHEMA)
        return merge_intervals(pl.concat(parts))


def ingest(
    store: PositionStore,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    keep_out_of_order: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Read ``paths`` into ``store`` as one new version."""
    with store.lock():
        store.clean_workdirs()
        staging = store.new_workdir("staging")
        build = store.new_workdir("build")
        try:
            stored = {d.day: d for d in store.days()}

            def existing(day: date) -> pl.DataFrame | None:
                return store.read_day(stored[day]) if day in stored else None

            reader = PositionReader(
                paths,
                staging=staging,
                fmt=fmt,
                keep_out_of_order=keep_out_of_order,
                existing=existing,
                progress=progress,
            )
            out_dir = build / "positions"
            out_dir.mkdir()
            changed: dict[date, Path] = {}
            rows: dict[date, int] = {}
            for day in reader.days():
                path = out_dir / f"{day.day.isoformat()}.parquet"
                write_parquet_durable(day.positions, path)
                changed[day.day] = path
                rows[day.day] = day.positions.height
            report = reader.report()
            identity = _merge_identity(store.identity(), reader.identity)
            record = {
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "files": report.files,
                "layout": report.layout,
                "quality": report.quality.to_dict(),
            }
            report.version = store.commit(build, changed, rows, identity, record)
            report.days = sorted(d.isoformat() for d in changed)
            report.identity_rows = identity.height
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(build, ignore_errors=True)
    return report


def _merge_identity(stored: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    parts = [schema.conform(p, IDENTITY_SCHEMA) for p in (stored, new) if p.height]
    if not parts:
        return schema.empty(IDENTITY_SCHEMA)
    return merge_intervals(pl.concat(parts))
