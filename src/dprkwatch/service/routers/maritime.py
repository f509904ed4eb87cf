"""Maritime evasion events over HTTP: the latest detection run, for the workbench map.

``dprkwatch maritime detect`` keeps its latest run in the data directory
(``<home>/maritime/events/``, see :class:`dprkwatch.maritime.PositionStore`);
this route serves those events with how they were made, and the North
Korean ports the detectors flag calls at. It reads and never runs a
detection: detection over a real AIS store takes minutes and belongs to the
command line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dprkwatch.maritime.events import to_csv_frame
from dprkwatch.maritime.ports import bundled_dprk_ports
from dprkwatch.maritime.schema import EVENT_TYPES
from dprkwatch.maritime.store import PositionStore
from dprkwatch.service.deps import ScreenRole, State
from dprkwatch.service.models import errors

router = APIRouter(prefix="/maritime", tags=["Maritime"])

EventType = Literal["encounter", "loitering", "dark_gap", "port_call", "spoofing", "identity_change"]
assert set(EventType.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]


class EventRow(BaseModel):
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
    run: dict[str, Any] | None = Field(description="How the events were made (engine, rules, ports, counts); null before any run")
    counts: dict[str, int] = Field(description="Events of the run by type (before filters)")
    total: int = Field(description="Events matching the filters (before `limit`)")
    events: list[EventRow]
    ports: list[PortModel] = Field(description="The bundled list of DPRK ports")
    notes: list[str]


@router.get("/events", response_model=MaritimeEventsResponse, summary="Events of the latest maritime detection run", responses=errors(401, 403))
def events(
    state: State,
    _caller: ScreenRole,
    event_type: Annotated[list[EventType] | None, Query(alias="type", description="Only these event types")] = None,
    mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 5000,
) -> MaritimeEventsResponse:
    ports = [PortModel(**r) for r in bundled_dprk_ports().iter_rows(named=True)]
    saved = PositionStore(state.settings.home / "maritime").load_events()
    if saved is None:
        note = "No maritime detection run in this data directory yet (dprkwatch maritime ingest FILE; dprkwatch maritime detect)."
        return MaritimeEventsResponse(run=None, counts={}, total=0, events=[], ports=ports, notes=[note])
    frame, run = saved[0], saved[-1]  # (events, ..., run info)
    counts = {str(k): int(v) for k, v in frame.group_by("event_type").len().iter_rows()}
    if event_type:
        frame = frame.filter(pl.col("event_type").is_in(list(event_type)))
    if mmsi is not None:
        frame = frame.filter((pl.col("mmsi") == mmsi) | (pl.col("other_mmsi") == mmsi))
    rows = to_csv_frame(frame.head(limit)).to_dicts()
    notes = [] if frame.height <= limit else [f"showing the first {limit} of {frame.height} events"]
    return MaritimeEventsResponse(
        run=run, counts=dict(sorted(counts.items())), total=frame.height,
        events=[EventRow(**r) for r in rows], ports=ports, notes=notes,
    )
