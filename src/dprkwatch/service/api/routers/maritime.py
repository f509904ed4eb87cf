"""Maritime evasion events over HTTP: the latest detection run, for the workbench map.

``dprkwatch maritime detect`` keeps its latest run in the data directory
(``<home>/maritime/events/``, see :class:`dprkwatch.maritime.PositionStore`);
``GET /maritime/events`` serves those events with how they were made, and
the North Korean ports the detectors flag calls at.

``POST /maritime/detect`` runs the detectors (embedded engine, default
rules, the bundled DPRK ports) over one small uploaded positions file - as
large as the service's request limit - in a temporary store, and returns
the events without saving anything: a quick look at a file, not a
replacement for ``maritime ingest`` and ``maritime detect`` on a real store.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field

from dprkwatch.exceptions import InputError
from dprkwatch.maritime import detect_files, load_ports
from dprkwatch.maritime.events import to_csv_frame
from dprkwatch.maritime.ports import bundled_dprk_ports
from dprkwatch.maritime.schema import EVENT_TYPES
from dprkwatch.maritime.store import PositionStore
from dprkwatch.service import rowcount
from dprkwatch.service.api.deps import ScreenRole, State
from dprkwatch.service.api.models import errors

router = APIRouter(prefix="/maritime", tags=["Maritime"])

EventType = Literal[
    "encounter",
    "loitering",
    "dark_gap",
    "port_call",
    "spoofing",
    "identity_change",
    "identity_shared",
    "transfer_chain",
]
assert set(EventType.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]


class EventRow(BaseModel):
    event_id: str | None
    event_type: str
    mmsi: int | None
    other_mmsi: int | None
    start: str | None = Field(description="UTC, ISO 8601")
    end: str | None
    lat: float | None
    lon: float | None
    port: str | None
    port_country: str | None
    dprk_port: bool | None
    confidence: int | None = Field(description="Port calls: GFW confidence 2, 3 or 4")
    duration_hours: float | None
    distance_km: float | None
    points: int | None
    detail: str | None


class PortModel(BaseModel):
    port: str
    country: str
    lat: float
    lon: float


class MaritimeEventsResponse(BaseModel):
    run: dict[str, Any] | None = Field(
        description="How the events were made (engine, rules, ports, counts); null before any run"
    )
    counts: dict[str, int] = Field(description="Events of the run by type (before filters)")
    total: int = Field(description="Events matching the filters (before `limit`)")
    events: list[EventRow]
    ports: list[PortModel] = Field(description="The bundled list of DPRK ports")
    notes: list[str]


@router.get(
    "/events",
    response_model=MaritimeEventsResponse,
    summary="Events of the latest maritime detection run",
    responses=errors(401, 403),
)
def events(
    state: State,
    _caller: ScreenRole,
    event_type: Annotated[
        list[EventType] | None, Query(alias="type", description="Only these event types")
    ] = None,
    mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 5000,
) -> MaritimeEventsResponse:
    ports = _ports()
    saved = PositionStore(state.settings.data.maritime).load_events()
    if saved is None:
        note = (
            "No maritime detection run in this data directory yet (dprkwatch "
            "maritime ingest FILE; dprkwatch maritime detect)."
        )
        return MaritimeEventsResponse(
            run=None, counts={}, total=0, events=[], ports=ports, notes=[note]
        )
    frame, run = saved[0], saved[-1]  # (events, ..., run info)
    counts = {str(k): int(v) for k, v in frame.group_by("event_type").len().iter_rows()}
    if event_type:
        frame = frame.filter(pl.col("event_type").is_in(list(event_type)))
    if mmsi is not None:
        frame = frame.filter((pl.col("mmsi") == mmsi) | (pl.col("other_mmsi") == mmsi))
    rows = to_csv_frame(frame.head(limit)).to_dicts()
    notes = [] if frame.height <= limit else [f"showing the first {limit} of {frame.height} events"]
    return MaritimeEventsResponse(
        run=run,
        counts=dict(sorted(counts.items())),
        total=frame.height,
        events=[EventRow(**r) for r in rows],
        ports=ports,
        notes=notes,
    )


class DetectResponse(BaseModel):
    file: str
    quality: dict[str, Any] = Field(
        description="Rows read, kept and rejected (by reason) while reading the file"
    )
    run: dict[str, Any] = Field(
        description="How the events were made (engine, rules, ports, counts)"
    )
    counts: dict[str, int]
    events: list[EventRow]
    ports: list[PortModel]


def _renamed(value: Any, old: str, new: str) -> Any:
    """``value`` with the temporary file's path replaced by the upload's name."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, old, new) for v in value]
    return value


def _ports() -> list[PortModel]:
    return [PortModel(**r) for r in bundled_dprk_ports().iter_rows(named=True)]


@router.post(
    "/detect",
    response_model=DetectResponse,
    summary="Detect events in one small uploaded AIS positions file (nothing is saved)",
    responses=errors(400, 401, 403, 413),
)
def detect(
    state: State,
    _caller: ScreenRole,
    file: Annotated[
        UploadFile,
        File(description="Positions as CSV, Parquet or NMEA (mmsi, timestamp, lat, lon, sog...)"),
    ],
) -> DetectResponse:
    name = Path(file.filename or "upload").name or "upload"
    data = file.file.read()
    if not data:
        raise InputError("the file is empty", source=name)
    # A small Parquet file can decode to millions of rows: count them from its metadata first.
    rowcount.check(
        data, name, max_rows=state.settings.max_rows, max_bytes=state.settings.max_file_bytes
    )
    with tempfile.TemporaryDirectory(prefix="dprkwatch-detect-") as tmp:
        # The upload's own name is only shown; on disk it gets a safe one.
        path = Path(tmp) / ("positions" + re.sub(r"[^A-Za-z0-9.]", "", Path(name).suffix)[:10])
        path.write_bytes(data)
        try:
            run, report = detect_files([path], load_ports(None), workdir=Path(tmp))
        except InputError as exc:  # name the upload, not the temporary file
            raise InputError(
                exc.problem.replace(str(path), name).replace(path.name, name),
                source=name,
                where=exc.where,
            ) from None
        quality = _renamed(report.quality.to_dict(), str(path), name)
    counts = run.counts()
    return DetectResponse(
        file=name,
        quality=quality,
        run=run.info(),
        counts=counts,
        events=[EventRow(**r) for r in to_csv_frame(run.events).to_dicts()],
        ports=_ports(),
    )
