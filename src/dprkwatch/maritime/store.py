"""The columnar position store: Parquet by UTC day, versioned, switched atomically.

Layout under ``<data dir>/maritime/``::

    current.json                       {"version": "<id>"}; replaced in one os.replace
    versions/<id>/manifest.json        days, row counts, static rows, ingest history
    versions/<id>/positions/<day>.parquet   one UTC day, sorted by (mmsi, ts)
    versions/<id>/identity.parquet     static data as validity intervals
    events/events.parquet, run.json    the latest detection run
    .lock                              held while writing

An ingest builds a complete new version in a temporary directory (days it
did not touch are hard-linked, not copied), fsyncs it, renames it into
``versions/`` and only then replaces ``current.json``. A run that fails or
is killed before that last step leaves the previous version in force and
nothing half-written visible. Older versions are removed after the switch.

Sorting each day by ``(mmsi, ts)`` on the way in is what lets the embedded
engine find every track's previous position with a shift instead of a sort.

Static data is kept as **intervals** (``identity.parquet``): for each MMSI
and field (``imo``, ``name``, ``callsign``, ``flag``), one row per run of the
same value with the first and last time it was reported and how often.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import orjson
import polars as pl

from dprkwatch import durable
from dprkwatch.durable import fsync_dir, fsync_file
from dprkwatch.maritime import schema
from dprkwatch.maritime.exceptions import AisInputError, StoreEmpty

CURRENT = "current.json"
MANIFEST = "manifest.json"
IDENTITY = "identity.parquet"
COMPRESSION: Final = "lz4"

IDENTITY_SCHEMA: dict[str, pl.DataType] = {
    "mmsi": pl.Int32(),
    "field": pl.String(),
    "value": pl.String(),
    "first_ts": schema.TS_TYPE,
    "last_ts": schema.TS_TYPE,
    "reports": pl.Int64(),
}


def write_parquet_durable(frame: pl.DataFrame, path: Path) -> None:
    """Write and fsync a Parquet file (callers rename it into place)."""
    frame.write_parquet(path, compression=COMPRESSION, statistics=True)
    fsync_file(path)


def intervals_from_reports(reports: pl.DataFrame) -> pl.DataFrame:
    """Static reports (wide, one row per report) to identity intervals.

    Each field on its own: reports in (mmsi, time, value) order, a new
    interval wherever the MMSI or the value changes. The reports are put in
    (mmsi, time) order once, on two integer keys; only when two reports of
    one MMSI share an instant does a field need its values in the sort too.
    An interval is a run of adjacent rows, so its first and last times are
    those of its first and last row: the runs are cut at their boundaries
    (:func:`_runs`), with no grouping by run.
    """
    parts = []
    # Reports read from a time-ordered file are in time order: a stable sort by MMSI alone
    # then gives the (mmsi, time) order, at about a third of the cost of the two-key sort.
    by = "mmsi" if reports["ts"].is_sorted() else ["mmsi", "ts"]
    ordered = reports.sort(by, maintain_order=True)
    ties = bool(
        ordered.select(
            ((pl.col("mmsi") == pl.col("mmsi").shift(1)) & (pl.col("ts") == pl.col("ts").shift(1)))
            .fill_null(False)
            .any()
        ).item()
    )
    for f in schema.STATIC_FIELDS:
        if f not in reports.columns:
            continue
        rows = ordered.select("mmsi", "ts", pl.col(f).alias("value")).filter(
            pl.col("value").is_not_null()
        )
        if ties:
            rows = rows.sort(["mmsi", "ts", "value"])
        if rows.height == 0:
            continue
        brk = rows.select(
            ~(
                (pl.col("mmsi") == pl.col("mmsi").shift(1))
                & (pl.col("value") == pl.col("value").shift(1))
            ).fill_null(False)
        ).to_series()
        parts.append(_runs(rows, brk, f))
    if not parts:
        return schema.empty(IDENTITY_SCHEMA)
    return merge_intervals(schema.conform(pl.concat(parts), IDENTITY_SCHEMA))


def _runs(rows: pl.DataFrame, brk: pl.Series, f: str) -> pl.DataFrame:
    """One interval per run of ``rows`` (mmsi, ts, value in time order; ``brk`` starts a run)."""
    starts = np.flatnonzero(brk.to_numpy())
    bounds = np.append(starts, rows.height)
    first = rows[starts]
    return pl.DataFrame(
        {
            "mmsi": first["mmsi"],
            "field": pl.Series([f]).extend_constant(f, len(starts) - 1),
            "value": first["value"],
            "first_ts": first["ts"],
            "last_ts": rows["ts"].gather(bounds[1:] - 1),
            "reports": pl.Series(np.diff(bounds), dtype=pl.Int64),
        }
    )


def merge_intervals(intervals: pl.DataFrame) -> pl.DataFrame:
    """Merge consecutive intervals of one (mmsi, field) that carry the same value."""
    if intervals.height == 0:
        return schema.empty(IDENTITY_SCHEMA)
    ordered = intervals.sort(["mmsi", "field", "first_ts", "last_ts", "value"])
    same_key = (pl.col("mmsi") == pl.col("mmsi").shift(1)) & (
        pl.col("field") == pl.col("field").shift(1)
    )
    brk = ~(same_key & (pl.col("value") == pl.col("value").shift(1))).fill_null(False)
    merged = (
        ordered.with_columns(brk.cum_sum().alias("_run"))
        .group_by("_run", maintain_order=True)
        .agg(
            pl.col("mmsi").first(),
            pl.col("field").first(),
            pl.col("value").first(),
            pl.col("first_ts").min(),
            pl.col("last_ts").max(),
            pl.col("reports").sum(),
        )
        .drop("_run")
    )
    return schema.conform(merged, IDENTITY_SCHEMA)


@dataclass(frozen=True)
class DayFile:
    day: date
    path: Path
    rows: int


class PositionStore:
    """Versioned, day-partitioned AIS positions plus identity intervals and the last events."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading ------------------------------------------------------------

    def current_version(self) -> str | None:
        path = self.root / CURRENT
        if not path.exists():
            return None
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            raise AisInputError("corrupt store pointer", source=str(path)) from None
        version = data.get("version") if isinstance(data, dict) else None
        return str(version) if version else None

    def version_dir(self) -> Path:
        version = self.current_version()
        if version is None:
            raise StoreEmpty(
                f"no positions ingested yet in {self.root} (run `dprkwatch maritime ingest FILE`)"
            )
        return self.root / "versions" / version

    def manifest(self) -> dict[str, Any]:
        version = self.current_version()
        if version is None:
            return {"version": None, "days": {}, "identity_rows": 0, "ingests": []}
        data: dict[str, Any] = orjson.loads(
            (self.root / "versions" / version / MANIFEST).read_bytes()
        )
        return data

    def is_empty(self) -> bool:
        return self.current_version() is None

    def days(self) -> list[DayFile]:
        """Day partitions in time order."""
        if self.is_empty():
            return []
        base = self.version_dir()
        out = [
            DayFile(date.fromisoformat(day), base / info["file"], int(info["rows"]))
            for day, info in self.manifest()["days"].items()
        ]
        return sorted(out, key=lambda d: d.day)

    def read_day(self, day: DayFile, columns: list[str] | None = None) -> pl.DataFrame:
        return pl.read_parquet(day.path, columns=columns)

    def identity(self) -> pl.DataFrame:
        if self.is_empty():
            return schema.empty(IDENTITY_SCHEMA)
        path = self.version_dir() / IDENTITY
        return pl.read_parquet(path) if path.exists() else schema.empty(IDENTITY_SCHEMA)

    def row_count(self) -> int:
        return sum(d.rows for d in self.days())

    # -- writing ------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Held while writing; bounded wait naming the holder, never inherited by forked workers."""
        with durable.locked(
            self.root / ".lock",
            timeout=durable.LOCK_TIMEOUT,
            what=f"the position store {self.root}",
        ):
            yield

    def new_workdir(self, prefix: str) -> Path:
        path = self.root / f".{prefix}-{uuid.uuid4().hex}"
        path.mkdir(parents=True)
        return path

    def clean_workdirs(self) -> None:
        """Remove leftovers of runs that were killed (call with the lock held)."""
        if not self.root.exists():
            return
        for pattern in (".staging-*", ".build-*"):
            for leftover in self.root.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)
        versions = self.root / "versions"
        if versions.exists():
            current = self.current_version()
            for old in versions.iterdir():
                if old.name != current:
                    shutil.rmtree(old, ignore_errors=True)

    def commit(
        self,
        build: Path,
        changed_days: dict[date, Path],
        day_rows: dict[date, int],
        identity: pl.DataFrame,
        ingest_record: dict[str, Any],
    ) -> str:
        """Turn ``build`` into the current version.

        ``changed_days`` maps each touched day to its new, fsynced file inside
        ``build/positions``; untouched days are hard-linked from the current
        version. Call with the lock held.
        """
        old = self.manifest()
        positions_dir = build / "positions"
        positions_dir.mkdir(exist_ok=True)
        days: dict[str, dict[str, Any]] = {}
        if old.get("version"):
            old_base = self.root / "versions" / old["version"]
            for day_s, info in old["days"].items():
                d = date.fromisoformat(day_s)
                if d in changed_days:
                    continue
                target = positions_dir / Path(info["file"]).name
                try:
                    os.link(old_base / info["file"], target)
                except OSError:
                    shutil.copy2(old_base / info["file"], target)
                days[day_s] = info
        for d, path in changed_days.items():
            days[d.isoformat()] = {"file": f"positions/{path.name}", "rows": day_rows[d]}
        write_parquet_durable(identity, build / IDENTITY)
        manifest = {
            "format": 1,
            "days": dict(sorted(days.items())),
            "rows": sum(int(v["rows"]) for v in days.values()),
            "identity_rows": identity.height,
            "ingests": [*old.get("ingests", []), ingest_record][-200:],
        }
        version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        manifest["version"] = version
        (build / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        with (build / MANIFEST).open("rb") as fh:
            os.fsync(fh.fileno())
        fsync_dir(positions_dir)
        fsync_dir(build)
        versions = self.root / "versions"
        versions.mkdir(exist_ok=True)
        os.rename(build, versions / version)
        fsync_dir(versions)
        durable.write_bytes(self.root / CURRENT, orjson.dumps({"version": version}))
        for other in versions.iterdir():
            if other.name != version:
                shutil.rmtree(other, ignore_errors=True)
        return version

    # -- events of the latest detection run ----------------------------------

    @property
    def events_dir(self) -> Path:
        return self.root / "events"

    def save_events(
        self, events: pl.DataFrame, identity: pl.DataFrame, run: dict[str, Any]
    ) -> None:
        """Keep the latest detection run (events, identities, how they were made) for ``maritime vessel``."""
        self.events_dir.mkdir(parents=True, exist_ok=True)
        for frame, name in ((identity, "identity.parquet"), (events, "events.parquet")):
            tmp = self.events_dir / f".{name}-{uuid.uuid4().hex}"
            try:
                write_parquet_durable(frame, tmp)
                os.replace(tmp, self.events_dir / name)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        durable.write_bytes(
            self.events_dir / "run.json", orjson.dumps(run, option=orjson.OPT_INDENT_2)
        )

    def load_events(self) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]] | None:
        """The latest run's (events, identity intervals, run info), or None before any run."""
        path = self.events_dir / "events.parquet"
        if not path.exists():
            return None
        run: dict[str, Any] = {}
        if (self.events_dir / "run.json").exists():
            run = orjson.loads((self.events_dir / "run.json").read_bytes())
        ident_path = self.events_dir / "identity.parquet"
        identity = (
            pl.read_parquet(ident_path) if ident_path.exists() else schema.empty(IDENTITY_SCHEMA)
        )
        return pl.read_parquet(path), identity, run
