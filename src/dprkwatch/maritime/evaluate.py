"""Scoring detected events against the planted truth: recall and precision per type.

A detection matches a truth event of the same type about the same vessels
(the unordered pair for encounters, shared identities and transfer chains,
the last also agreeing on the DPRK flag; the port for port calls; the field
for identity changes) when their times agree:

* intervals (encounter, loitering, dark gap, port call, shared identity,
  transfer chain): time overlap over union (IoU) of at least :data:`MIN_IOU`;
* spoofing: the same UTC day;
* identity changes: the detected change time (the first report of the new
  value) within :data:`IDENTITY_SLACK` after the planted change.

Matching is one-to-one, best overlap first, so a detector that splits one
event in two scores one hit and one false positive. Truth rows marked
``optional`` (port calls cut to minutes by the start or end of the data) are
left out of both counts: a detection matching one is neither a hit nor a
false positive, and missing one costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl

MIN_IOU = 0.5
IDENTITY_SLACK = timedelta(hours=3)


@dataclass(frozen=True)
class Score:
    event_type: str
    truth: int
    detected: int
    matched: int

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.detected if self.detected else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "truth": self.truth,
            "detected": self.detected,
            "matched": self.matched,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
        }


def _key(frame: pl.DataFrame) -> pl.DataFrame:
    et = pl.col("event_type")
    lo = pl.min_horizontal("mmsi", "other_mmsi").cast(pl.Int64)
    hi = pl.max_horizontal("mmsi", "other_mmsi").cast(pl.Int64)
    key = (
        pl.when(et.is_in(["encounter", "identity_shared"]))
        .then(pl.format("{}-{}", lo, hi))
        .when(et == "transfer_chain")
        .then(pl.format("{}-{}|{}", lo, hi, pl.col("dprk_port").fill_null(False)))
        .when(et == "port_call")
        .then(pl.format("{}@{}", pl.col("mmsi"), pl.col("port")))
        .when(et == "identity_change")
        .then(pl.format("{}:{}", pl.col("mmsi"), pl.col("field")))
        .otherwise(pl.col("mmsi").cast(pl.String))
    )
    return frame.with_columns(key.alias("_key"))


def _field_of(detail: pl.Expr) -> pl.Expr:
    return (
        pl.when(detail.str.starts_with("IMO "))
        .then(pl.lit("mmsi"))
        .otherwise(detail.str.extract(r"^(\w+):", 1))
    )


def score(events: pl.DataFrame, truth: pl.DataFrame) -> list[Score]:
    """Per-type scores of ``events`` (published columns) against ``truth`` (generator output)."""
    det = _key(
        events.with_columns(_field_of(pl.col("detail")).alias("field")).with_row_index("_d")
    ).select("_d", "event_type", "_key", pl.col("start").alias("ds"), pl.col("end").alias("de"))
    if "optional" not in truth.columns:
        truth = truth.with_columns(pl.lit(False).alias("optional"))
    tru = _key(truth.with_row_index("_t")).select(
        "_t",
        "event_type",
        "_key",
        pl.col("start").alias("ts"),
        pl.col("end").alias("te"),
        pl.col("optional").fill_null(False),
    )
    cand = det.join(tru, on=["event_type", "_key"], how="inner")
    overlap = (
        pl.min_horizontal("de", "te") - pl.max_horizontal("ds", "ts")
    ).dt.total_microseconds()
    union = (pl.max_horizontal("de", "te") - pl.min_horizontal("ds", "ts")).dt.total_microseconds()
    iou = (
        pl.when(union > 0)
        .then(overlap.cast(pl.Float64) / union)
        .otherwise(pl.when(overlap >= 0).then(1.0).otherwise(0.0))
    )
    slack = int(IDENTITY_SLACK.total_seconds() * 1_000_000)
    identity_ok = (pl.col("de") - pl.col("te")).dt.total_microseconds().is_between(0, slack)
    quality = (
        pl.when(pl.col("event_type") == "spoofing")
        .then((pl.col("ds").dt.date() == pl.col("ts").dt.date()).cast(pl.Float64))
        .when(pl.col("event_type") == "identity_change")
        .then(identity_ok.cast(pl.Float64))
        .otherwise(iou)
    )
    need = (
        pl.when(pl.col("event_type").is_in(["spoofing", "identity_change"]))
        .then(1.0)
        .otherwise(MIN_IOU)
    )
    cand = (
        cand.with_columns(quality.alias("q")).filter(pl.col("q") >= need).sort("q", descending=True)
    )
    used_d: set[int] = set()
    used_t: set[int] = set()
    matched: dict[str, int] = {}
    excused: dict[str, int] = {}
    for d, t, et, optional in cand.select("_d", "_t", "event_type", "optional").iter_rows():
        if d in used_d or t in used_t:
            continue
        used_d.add(d)
        used_t.add(t)
        bucket = excused if optional else matched
        bucket[et] = bucket.get(et, 0) + 1
    types = sorted(set(events["event_type"].to_list()) | set(truth["event_type"].to_list()))
    n_det = dict(events.group_by("event_type").len().iter_rows())
    n_tru = dict(truth.filter(~pl.col("optional")).group_by("event_type").len().iter_rows())
    return [
        Score(
            t,
            int(n_tru.get(t, 0)),
            int(n_det.get(t, 0)) - excused.get(t, 0),
            matched.get(t, 0),
        )
        for t in types
    ]
