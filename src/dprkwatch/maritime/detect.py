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

from dprkwatch.maritime.engines import Detection, Progress, get_engine
from dprkwatch.maritime.events import finalise
from dprkwatch.maritime.exceptions import StoreEmpty
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


def run_detection(
    store: PositionStore,
    ports: Ports,
    rules: Rules | None = None,
    *,
    engine: str = "polars",
    engine_options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    save_to: PositionStore | None = None,
) -> DetectionRun:
    """Run every detector over ``store`` with one engine and finalise the events.

    ``save_to`` keeps the run (events, identities, run info) in that store's
    ``events/`` folder, usually the store itself; ``detect --input`` reads a
    temporary store and saves into the user's.
    """
    rules = rules or Rules()
    if store.is_empty():
        raise StoreEmpty(
            f"no positions ingested yet in {store.root} (run `dprkwatch maritime ingest FILE`)"
        )
    backend = get_engine(engine, **(engine_options or {}))
    t0 = time.perf_counter()
    try:
        detection = backend.detect(store, ports, rules, progress)
    finally:
        close = getattr(backend, "close", None)
        if callable(close):
            close()
    events = finalise(detection.raw_events, ports)
    run = DetectionRun(
        events=events,
        detection=detection,
        rules=rules,
        ports=ports,
        seconds=time.perf_counter() - t0,
    )
    if save_to is not None:
        save_to.save_events(events, store.identity(), run.info())
    return run
