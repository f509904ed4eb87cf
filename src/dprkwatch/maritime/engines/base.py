"""What every detection engine promises, and the rule semantics they all implement.

An engine takes the stored positions (day partitions), the identity
intervals, a port list and a :class:`~dprkwatch.maritime.rules.Rules`, and
returns *raw events* in :data:`RAW_EVENTS` columns. :func:`dprkwatch.maritime.events.finalise`
then names ports, writes the ``detail`` text, rounds and sorts, in shared
code, so two engines that agree on the raw numbers print identical files.

The rules, exactly (all engines; "track" = one MMSI in time order; the
*previous* position is the one before it in the track, across days):

* **Jump**: ``distance > max_speed * dt + position_noise``. A jump, a silence
  longer than ``max_gap_hours`` or the first position starts a new *segment*.
* **Spoofing**: at least ``spoofing_min_jumps`` jumps of one MMSI in one UTC
  day (the day of the position that jumped). One bad fix makes two jumps
  (there and back); a shared or spoofed MMSI makes many.
* **Dark gap**: previous position at least ``gap_min_hours`` earlier, not a
  jump, both ends farther than ``gap_port_nm`` from every port.
* **Loitering**: a maximal run of consecutive positions of one segment, each
  slower than ``slow_knots`` and farther than ``loiter_port_nm`` from every
  port, lasting at least ``loiter_min_hours`` (first to last position).
* **Port call**: a maximal run of consecutive positions of one segment, each
  within ``port_exit_km`` of the *same* nearest port, containing at least one
  slow position and one within ``port_entry_km``; it starts at the first
  position within ``port_entry_km`` and ends at the last position of the run.
* **Encounter**: candidate positions are slow and farther than
  ``encounter_port_km`` from every port; each vessel is represented in each
  ``encounter_bucket_minutes`` bucket by its first candidate position. Two
  vessels are *close* in a bucket when their representatives are within
  ``encounter_max_km``. Close buckets of a pair form a run while the step
  between them is at most ``encounter_max_gap_minutes``; runs shorter than
  ``encounter_min_hours`` are dropped; the remaining runs of a pair merge
  when less than ``encounter_merge_hours`` apart. Start is the earlier and
  end the later representative time in the first and last close bucket.
* **Identity change**: for each MMSI and field (name, IMO, call sign, flag),
  a value reported for the first time after a different value; for each
  IMO, an MMSI reported for the first time after a different MMSI.

The encounter self-join never compares every vessel with every other: the
representatives are keyed by (bucket, grid cell) with cells just larger than
``encounter_max_km``, and each is matched only against the 3x3 neighbouring
cells in the same bucket. Cell width in longitude is set per latitude band
from the band's poleward edge, so a cell is never narrower than the distance
threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.geo import KM_PER_DEG
from dprkwatch.maritime.ports import Ports
from dprkwatch.maritime.rules import Rules
from dprkwatch.maritime.store import PositionStore

RAW_EVENTS: dict[str, pl.DataType] = {
    "event_type": pl.String(),
    "mmsi": pl.Int32(),
    "other_mmsi": pl.Int32(),
    "start_us": pl.Int64(),
    "end_us": pl.Int64(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "port_idx": pl.Int32(),
    "distance_km": pl.Float64(),
    "points": pl.Int64(),
    "confidence": pl.Int8(),
    # per-type extras, turned into the detail text by events.finalise
    "end_lat": pl.Float64(),
    "end_lon": pl.Float64(),
    "mean_sog": pl.Float64(),
    "max_speed_kn": pl.Float64(),
    "field": pl.String(),
    "old_value": pl.String(),
    "new_value": pl.String(),
    "imo": pl.String(),
}

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``."""


@dataclass
class Detection:
    """An engine's answer: raw events plus counters for the run report."""

    raw_events: pl.DataFrame
    engine: str
    positions: int = 0
    days: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class Engine(Protocol):
    """One backend. Implementations live in ``engines/<name>.py``."""

    name: ClassVar[str]

    def detect(
        self, store: PositionStore, ports: Ports, rules: Rules, progress: Progress | None = None
    ) -> Detection: ...


def encounter_cell_deg(rules: Rules) -> float:
    """Latitude size of an encounter grid cell: just above the distance threshold."""
    return rules.encounter_max_km * 1.01 / KM_PER_DEG


def empty_raw() -> pl.DataFrame:
    return schema.empty(RAW_EVENTS)
