"""Ingest: files in, a new store version out, with a quality report for every row.

Memory stays bounded by one batch while reading and by one day while
writing: batches are normalised and split into per-day staging files, then
each touched day is merged with what the store already holds, sorted by
``(mmsi, ts)``, de-duplicated and written once.

Rows arrive in file order. A row whose time is earlier than an earlier row of
the same MMSI *in the same file* is *out of order*: by default it is counted
and skipped, as a feed consumer would; with ``keep_out_of_order`` it is
counted and sorted into place (the store is ordered by time anyway). Files
are independent, so several files may be ingested in any order. A second report of one MMSI at the same instant,
within the input or against the store, is a *duplicate*: the first one seen
(the stored one, then the earliest in the input) wins.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.exceptions import AisInputError
from dprkwatch.maritime.ingest.nmea import read_nmea
from dprkwatch.maritime.ingest.normalise import normalise
from dprkwatch.maritime.ingest.quality import Quality
from dprkwatch.maritime.ingest.tabular import read_csv, read_parquet
from dprkwatch.maritime.store import (
    IDENTITY_SCHEMA,
    PositionStore,
    intervals_from_reports,
    merge_intervals,
    write_parquet_durable,
)
from dprkwatch.sources import read_head

FORMATS = ("csv", "parquet", "nmea")
Reader = Callable[[Path, Quality], Iterator[pl.DataFrame]]
_READERS: dict[str, Reader] = {"csv": read_csv, "parquet": read_parquet, "nmea": read_nmea}
_SNIFF_BYTES = 4096


def detect_format(path: Path) -> str:
    """Guess csv / parquet / nmea from the file's first bytes (the suffix is only a hint)."""
    head = read_head(path, _SNIFF_BYTES, AisInputError)
    if head.startswith(b"PAR1"):
        return "parquet"
    if not head.strip():
        raise AisInputError("empty file", source=str(path))
    if b"VDM," in head or b"VDO," in head:
        return "nmea"
    if path.suffix.lower() in (".nmea", ".nm4", ".ais"):
        return "nmea"
    return "csv"


@dataclass
class IngestReport:
    """What one ingest did: files, quality, days touched, new version."""

    files: list[str]
    quality: Quality
    days: list[str] = field(default_factory=list)
    version: str | None = None
    identity_rows: int = 0
    keep_out_of_order: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "version": self.version,
            "days": self.days,
            "identity_rows": self.identity_rows,
            "keep_out_of_order": self.keep_out_of_order,
            "quality": self.quality.to_dict(),
        }


Progress = Callable[[str, int], None]
"""Called with (stage, amount): ``("rows", n)`` while reading, ``("day", 1)`` while writing."""


def ingest(
    store: PositionStore,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    keep_out_of_order: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Read ``paths`` into ``store`` as one new version."""
    if not paths:
        raise AisInputError("no input files given")
    if fmt is not None and fmt not in FORMATS:
        raise AisInputError(
            f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", where="--format"
        )
    formats = [fmt or detect_format(p) for p in paths]
    quality = Quality()
    report = IngestReport(
        files=[str(p) for p in paths], quality=quality, keep_out_of_order=keep_out_of_order
    )
    with store.lock():
        store.clean_workdirs()
        staging = store.new_workdir("staging")
        build = store.new_workdir("build")
        try:
            staged = _stage(paths, formats, staging, quality, keep_out_of_order, progress)
            changed, rows = _merge_days(
                store, staged, build, [str(p) for p in paths], quality, progress
            )
            identity = _merge_identity(store, staging)
            record = {
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "files": report.files,
                "quality": quality.to_dict(),
            }
            report.version = store.commit(build, changed, rows, identity, record)
            report.days = sorted(d.isoformat() for d in changed)
            report.identity_rows = identity.height
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(build, ignore_errors=True)
    return report


@dataclass
class _Staged:
    days: dict[date, list[Path]] = field(default_factory=dict)
    static_parts: list[Path] = field(default_factory=list)


def _stage(
    paths: Sequence[Path],
    formats: Sequence[str],
    staging: Path,
    quality: Quality,
    keep_out_of_order: bool,
    progress: Progress | None,
) -> _Staged:
    staged = _Staged()
    seq = 0
    part = 0
    for src_idx, (path, fmt) in enumerate(zip(paths, formats, strict=True)):
        reader = _READERS[fmt]
        last_ts = pl.DataFrame(schema={"mmsi": pl.Int32, "_max_ts": schema.TS_TYPE})  # per file
        for batch in reader(path, quality):
            norm = normalise(batch, str(path), quality, count_rows=fmt != "nmea")
            pos = norm.positions
            if pos.height:
                pos = pos.with_columns(
                    pl.int_range(seq, seq + pos.height, dtype=pl.Int64).alias("_seq"),
                    pl.lit(src_idx, pl.Int32).alias("_src"),
                )
                seq += pos.height
                pos, last_ts = _order_check(pos, last_ts, str(path), quality, keep_out_of_order)
                pos = pos.with_columns(pl.col("ts").dt.date().alias("_day"))
                for (day,), chunk in pos.partition_by(
                    "_day", as_dict=True, include_key=False
                ).items():
                    assert isinstance(day, date)
                    target = staging / day.isoformat()
                    target.mkdir(exist_ok=True)
                    out = target / f"{part:06d}.parquet"
                    chunk.write_parquet(out, compression="lz4")
                    staged.days.setdefault(day, []).append(out)
                    part += 1
            if norm.static.height:
                out = staging / f"static-{part:06d}.parquet"
                intervals_from_reports(norm.static).write_parquet(out)
                staged.static_parts.append(out)
                part += 1
            if progress is not None:
                progress("rows", batch.height)
    return staged


def _order_check(
    pos: pl.DataFrame, last_ts: pl.DataFrame, source: str, quality: Quality, keep: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Flag rows earlier than an earlier row of the same MMSI (in arrival order)."""
    checked = pos.join(last_ts, on="mmsi", how="left", maintain_order="left").with_columns(
        pl.max_horizontal(pl.col("ts").cum_max().shift(1).over("mmsi"), pl.col("_max_ts")).alias(
            "_prev_max"
        )
    )
    late = checked.filter(pl.col("ts") < pl.col("_prev_max"))
    if late.height:
        where = [f"{source}:{line}" for line in late["_line"].head(5).to_list()]
        if keep:
            quality.note("out_of_order_sorted", late.height, where)
        else:
            quality.skip("out_of_order", late.height, where)
            checked = checked.filter(~(pl.col("ts") < pl.col("_prev_max")).fill_null(False))
    new_max = checked.group_by("mmsi").agg(pl.col("ts").max().alias("_max_ts"))
    last_ts = pl.concat([last_ts, new_max]).group_by("mmsi").agg(pl.col("_max_ts").max())
    return checked.drop("_max_ts", "_prev_max"), last_ts


def _merge_days(
    store: PositionStore,
    staged: _Staged,
    build: Path,
    files: list[str],
    quality: Quality,
    progress: Progress | None,
) -> tuple[dict[date, Path], dict[date, int]]:
    existing = {d.day: d for d in store.days()}
    out_dir = build / "positions"
    out_dir.mkdir()
    changed: dict[date, Path] = {}
    rows: dict[date, int] = {}
    for day in sorted(staged.days):
        new = pl.concat([pl.read_parquet(p) for p in staged.days[day]])
        parts = [new]
        if day in existing:
            old = store.read_day(existing[day]).with_columns(
                pl.lit(-1, pl.Int64).alias("_seq"),
                pl.lit(-1, pl.Int32).alias("_src"),
                pl.lit(0, pl.Int64).alias("_line"),
            )
            parts.insert(0, old.select(new.columns))
        merged = pl.concat(parts).sort(["mmsi", "ts", "_seq"])
        dup = (pl.col("mmsi") == pl.col("mmsi").shift(1)) & (pl.col("ts") == pl.col("ts").shift(1))
        merged = merged.with_columns(dup.fill_null(False).alias("_dup"))
        dups = merged.filter(pl.col("_dup"))
        if dups.height:
            where = [
                f"{files[s]}:{line}" for s, line in dups.select("_src", "_line").head(5).iter_rows()
            ]
            quality.skip("duplicate", dups.height, where)
        kept = merged.filter(~pl.col("_dup"))
        quality.positions_kept += int((kept["_seq"] >= 0).sum())
        final = schema.conform(kept, schema.POSITIONS)
        path = out_dir / f"{day.isoformat()}.parquet"
        write_parquet_durable(final, path)
        changed[day] = path
        rows[day] = final.height
        if progress is not None:
            progress("day", 1)
    return changed, rows


def _merge_identity(store: PositionStore, staging: Path) -> pl.DataFrame:
    parts = [store.identity()] + [
        pl.read_parquet(p) for p in sorted(staging.glob("static-*.parquet"))
    ]
    parts = [schema.conform(p, IDENTITY_SCHEMA) for p in parts if p.height]
    if not parts:
        return schema.empty(IDENTITY_SCHEMA)
    return merge_intervals(pl.concat(parts))
