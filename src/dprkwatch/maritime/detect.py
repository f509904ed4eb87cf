"""One detection run: store + ports + rules + engine in, published events out.

This is the library call behind ``dprkwatch maritime detect``; it picks
the engine, runs it, finalises the events in shared code and (optionally)
keeps the run in the store for ``maritime vessel`` and the web map.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from dprkwatch.maritime.chains import transfer_chains
from dprkwatch.maritime.engines import Detection, Engine, Progress, get_engine
from dprkwatch.maritime.events import finalise
from dprkwatch.maritime.exceptions import StoreEmpty
from dprkwatch.maritime.identity import identity_events
from dprkwatch.maritime.ports import Ports
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
