"""Maritime evasion detection: AIS in, evasion events and vessel risk out.

Public API::

    from dprkwatch.maritime import PositionStore, ingest, load_ports, Rules, run_detection

    store = PositionStore(settings.data.maritime)
    report = ingest(store, [Path("positions.csv")])        # quality counts in report.quality
    run = run_detection(store, load_ports(Path("WPI_ports.csv")), Rules(), engine="polars")
    run.events                                                # one row per event (schema.EVENTS)
    run, report = detect_files([Path("positions.parquet")], ports, workdir=Path("work"))

Modules: ``ingest`` (readers, row checks, the store writer), ``store``
(day-partitioned Parquet, versioned), ``ports`` (port lists, nearest-port
grid), ``rules`` (every threshold), ``engines`` (Polars and Spark backends),
``events`` (finalising and writing), ``detect`` (one run), ``designations``
and ``risk`` (vessel risk against the lists), ``synthetic`` and
``evaluate`` (planted truth and scoring); ``identity``, ``clones`` and
``chains`` (events derived from intervals, transmitters and encounters);
``evidence`` (track excerpts as GeoJSON, KML and a PNG map).
"""

from dprkwatch.maritime.detect import DetectionRun, detect_files, run_detection
from dprkwatch.maritime.events import finalise, read_events, to_geojson, write_events
from dprkwatch.maritime.exceptions import (
    AisInputError,
    EngineError,
    PortsError,
    RuleError,
    StoreEmpty,
)
from dprkwatch.maritime.ingest import IngestReport, Quality, ingest
from dprkwatch.maritime.ports import Ports, load_ports
from dprkwatch.maritime.rules import Rules
from dprkwatch.maritime.schema import EVENT_TYPES, EVENTS
from dprkwatch.maritime.store import PositionStore

__all__ = [
    "EVENTS",
    "EVENT_TYPES",
    "AisInputError",
    "DetectionRun",
    "EngineError",
    "IngestReport",
    "Ports",
    "PortsError",
    "PositionStore",
    "Quality",
    "RuleError",
    "Rules",
    "StoreEmpty",
    "detect_files",
    "finalise",
    "ingest",
    "load_ports",
    "read_events",
    "run_detection",
    "to_geojson",
    "write_events",
]
