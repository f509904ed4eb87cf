"""One detection run: positions + ports + rules + engine in, published events out.

Two use cases, each one library call that the command line and the HTTP
service both use:

* :func:`run_detection`: the store's positions (``maritime detect``);
* :func:`detect_files`: position files read straight into the engine,
  without a store (``maritime detect --input``, ``POST /maritime/detect``).

Both pick the engine, run it, derive what all engines share (identity
events, transfer chains), finalise the events in shared code and optionally
keep the run in a store for ``maritime vessel`` and the web map.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from dprkwatch.maritime.chains import transfer_chains
from dprkwatch.maritime.engines import Detection, Engine, Progress, get_engine
from dprkwatch.maritime.events import finalise
from dprkwatch.maritime.exceptions import AisInputError, StoreEmpty
from dprkwatch.maritime.identity import identity_events
from dprkwatch.maritime.ingest import IngestReport, PositionReader, ingest
from dprkwatch.maritime.ingest.pipeline import Progress as ReadProgress
from dprkwatch.maritime.ports import Ports
from dprkwatch.maritime.readahead import ahead
from dprkwatch.maritime.rules import Rules
from dprkwatch.maritime.store import PositionStore


@dataclass
class DetectionRun:
    events: pl.DataFrame
    detection: Detection
    rules: Rules
    ports: Ports
    seconds: float

    def counts(self) -> dict[str, int]:
        return {
            str(k): int(v)
            for k, v in self.events.group_by("event_type").len().sort("event_type").iter_rows()
        }

    def info(self) -> dict[str, Any]:
        """How the events were made (kept beside them in the store)."""
        return {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": self.detection.engine,
            "positions": self.detection.positions,
            "days": self.detection.days,
            "seconds": round(self.seconds, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.detection.seconds.items()},
            "rules": self.rules.to_dict(),
            "ports": {
                "sources": list(self.ports.sources),
                "count": len(self.ports),
                "dprk": self.ports.dprk_count,
            },
            "events": self.counts(),
        }


def derive(raw: pl.DataFrame, identity: pl.DataFrame, ports: Ports, rules: Rules) -> pl.DataFrame:
    """An engine's raw events plus what every engine shares: identity events and transfer chains.

    Identity events come from the identity intervals and chains from the
    encounters and port calls, not from positions, so one implementation
    serves every engine.
    """
    with_identity = pl.concat([raw, identity_events(identity, rules)])
    return pl.concat([with_identity, transfer_chains(with_identity, ports, rules)])


def run_detection(
    store: PositionStore,
    ports: Ports,
    rules: Rules | None = None,
    *,
    engine: str | Engine = "polars",
    engine_options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    save_to: PositionStore | None = None,
) -> DetectionRun:
    """Run every detector over ``store`` with one engine and finalise the events.

    ``engine`` is a name (the engine is started and closed here) or an engine
    the caller started and keeps (a Spark session reused across runs).
    ``save_to`` keeps the run (events, identities, run info) in that store's
    ``events/`` folder, usually the store itself.
    """
    rules = rules or Rules()
    if store.is_empty():
        raise StoreEmpty(
            f"no positions ingested yet in {store.root} (run `dprkwatch maritime ingest FILE`)"
        )
    backend = get_engine(engine, **(engine_options or {})) if isinstance(engine, str) else engine
    t0 = time.perf_counter()
    try:
        detection = backend.detect(store, ports, rules, progress)
    finally:
        close = getattr(backend, "close", None)
        if isinstance(engine, str) and callable(close):
            close()
    identity = store.identity()
    return _finish(detection, identity, ports, rules, t0, save_to)


def _finish(
    detection: Detection,
    identity: pl.DataFrame,
    ports: Ports,
    rules: Rules,
    t0: float,
    save_to: PositionStore | None,
) -> DetectionRun:
    t1 = time.perf_counter()
    events = finalise(derive(detection.raw_events, identity, ports, rules), ports)
    detection.seconds["events"] = time.perf_counter() - t1
    run = DetectionRun(
        events=events,
        detection=detection,
        rules=rules,
        ports=ports,
        seconds=time.perf_counter() - t0,
    )
    if save_to is not None:
        save_to.save_events(events, identity, run.info())
    return run


STALE_INPUT_S = 86_400.0
"""Work folders of ``detect_files`` runs killed more than a day ago are removed."""


def _remove_stale(workdir: Path) -> None:
    if not workdir.exists():
        return
    now = time.time()
    for old in workdir.glob(".input-*"):
        try:
            if now - old.stat().st_mtime > STALE_INPUT_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def _require_positions(report: IngestReport) -> None:
    q = report.quality
    if q.positions_kept:
        return
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(q.skipped.items())) or "no rows"
    raise AisInputError(
        f"no usable positions ({skipped})", source=", ".join(Path(f).name for f in report.files)
    )


def detect_files(
    paths: Sequence[Path],
    ports: Ports,
    rules: Rules | None = None,
    *,
    workdir: Path,
    fmt: str | None = None,
    engine: str | Engine = "polars",
    engine_options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    read_progress: ReadProgress | None = None,
    save_to: PositionStore | None = None,
) -> tuple[DetectionRun, IngestReport]:
    """Detect events in position files without keeping the positions.

    The embedded engine takes each day as soon as the files have given all
    of it (:class:`~dprkwatch.maritime.ingest.PositionReader`), so reading,
    checking and detecting overlap and nothing is written but staging files
    for input that is not in time order. Other engines read a temporary
    store. ``workdir`` holds the run's private work folder, removed at the
    end; folders left by killed runs are removed after a day. The returned
    run's ``seconds`` cover everything from the first byte read.
    """
    rules = rules or Rules()
    _remove_stale(workdir)
    work = workdir / f".input-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    try:
        if engine == "polars":
            from dprkwatch.maritime.engines.embedded import DAY_COLUMNS, PolarsEngine

            t0 = time.perf_counter()
            reader = PositionReader(
                paths, staging=work, fmt=fmt, progress=read_progress, columns=DAY_COLUMNS
            )
            days = (day.positions for day in ahead(reader.days(sort_ahead=True)))
            detection = PolarsEngine().detect_days(days, ports, rules, progress)
            report = reader.report()
            _require_positions(report)
            return _finish(detection, reader.identity, ports, rules, t0, save_to), report
        store = PositionStore(work / "store")
        report = ingest(store, paths, fmt=fmt, progress=read_progress)
        _require_positions(report)
        run = run_detection(
            store,
            ports,
            rules,
            engine=engine,
            engine_options=engine_options,
            progress=progress,
            save_to=save_to,
        )
        return run, report
    finally:
        shutil.rmtree(work, ignore_errors=True)
