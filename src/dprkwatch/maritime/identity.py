"""Identity events from the identity intervals: sequential changes and shared identities.

The store keeps static data as *intervals* (for each MMSI and field, one row
per run of the same value, with the first and last time it was reported).
Two different stories hide in them, and they must not be confused:

* **identity_change**: a vessel takes a new name, flag, call sign or IMO, or
  one IMO moves from one MMSI to another. The old value stops before the new
  one starts. For each MMSI and field, a value reported for the first time
  after a different value; for each IMO, an MMSI reported for the first time
  after a different MMSI, when the two do not share the IMO (below).
* **identity_shared**: one IMO number broadcast by two MMSIs over the same
  time, for at least ``shared_min_hours`` (one hull borrowing another's
  identity, or two hulls sailing under one). Reported once per IMO and pair
  of MMSIs, from the start to the end of their overlap.

The event spans are built so that ``start <= end`` always holds: a change
runs from the earlier to the later of (last report of the old value, first
report of the new one), which also covers late data that makes the two
overlap by less than the sharing threshold.

This works on intervals, which are few (they grow with identity changes,
not with positions), so both engines call this one implementation.
"""

from __future__ import annotations

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.engines.base import RAW_EVENTS, empty_raw
from dprkwatch.maritime.engines.exprs import same_as_previous
from dprkwatch.maritime.rules import Rules


def identity_events(intervals: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Raw ``identity_change`` and ``identity_shared`` events (:data:`RAW_EVENTS` columns)."""
    if intervals.height == 0:
        return empty_raw()
    iv = intervals.select(
        "mmsi",
        "field",
        "value",
        pl.col("first_ts").dt.epoch("us").alias("f"),
        pl.col("last_ts").dt.epoch("us").alias("l"),
    )
    shared = _shared_imos(iv, rules)
    return pl.concat(
        [
            schema.conform(_field_changes(iv), RAW_EVENTS),
            schema.conform(_mmsi_changes(iv, shared), RAW_EVENTS),
            schema.conform(shared, RAW_EVENTS),
        ]
    )


def _span(a: str, b: str) -> tuple[pl.Expr, pl.Expr]:
    return (
        pl.min_horizontal(a, b).alias("start_us"),
        pl.max_horizontal(a, b).alias("end_us"),
    )


def _field_changes(iv: pl.DataFrame) -> pl.DataFrame:
    by_field = iv.sort(["mmsi", "field", "f", "l", "value"]).with_columns(
        pl.col("value").shift(1).alias("old_value"),
        pl.col("l").shift(1).alias("prev_l"),
        same_as_previous("mmsi", "field").alias("same"),
        pl.struct("mmsi", "field", "value").is_first_distinct().alias("new"),
    )
    return by_field.filter(
        pl.col("same") & (pl.col("value") != pl.col("old_value")) & pl.col("new")
    ).select(
        pl.lit("identity_change").alias("event_type"),
        "mmsi",
        *_span("prev_l", "f"),
        "field",
        "old_value",
        pl.col("value").alias("new_value"),
    )


def _shared_imos(iv: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    imo = iv.filter(pl.col("field") == "imo").select("mmsi", "value", "f", "l")
    pairs = (
        imo.join(imo, on="value", suffix="_b")
        .filter(pl.col("mmsi") < pl.col("mmsi_b"))
        .select(
            "value",
            "mmsi",
            "mmsi_b",
            pl.max_horizontal("f", "f_b").alias("o_start"),
            pl.min_horizontal("l", "l_b").alias("o_end"),
        )
        .filter((pl.col("o_end") - pl.col("o_start")) >= max(rules.shared_min_us, 1))
    )
    return (
        pairs.group_by("value", "mmsi", "mmsi_b")
        .agg(
            pl.col("o_start").min().alias("start_us"),
            pl.col("o_end").max().alias("end_us"),
            pl.len().cast(pl.Int64).alias("points"),
        )
        .select(
            pl.lit("identity_shared").alias("event_type"),
            "mmsi",
            pl.col("mmsi_b").alias("other_mmsi"),
            "start_us",
            "end_us",
            "points",
            pl.lit("imo").alias("field"),
            pl.col("value").alias("imo"),
        )
    )


def _mmsi_changes(iv: pl.DataFrame, shared: pl.DataFrame) -> pl.DataFrame:
    """For each IMO, an MMSI that appears for the first time after another one stopped."""
    imo = (
        iv.filter(pl.col("field") == "imo")
        .sort(["value", "f", "l", "mmsi"])
        .with_columns(
            pl.col("mmsi").shift(1).alias("other_mmsi"),
            pl.col("l").shift(1).alias("prev_l"),
            same_as_previous("value").alias("same"),
            pl.struct("value", "mmsi").is_first_distinct().alias("new"),
        )
        .filter(pl.col("same") & (pl.col("mmsi") != pl.col("other_mmsi")) & pl.col("new"))
        .with_columns(
            pl.min_horizontal("mmsi", "other_mmsi").alias("_lo"),
            pl.max_horizontal("mmsi", "other_mmsi").alias("_hi"),
        )
    )
    clones = shared.select(
        pl.col("imo").alias("value"),
        pl.col("mmsi").alias("_lo"),
        pl.col("other_mmsi").alias("_hi"),
    )
    return imo.join(clones, on=["value", "_lo", "_hi"], how="anti").select(
        pl.lit("identity_change").alias("event_type"),
        "mmsi",
        "other_mmsi",
        *_span("prev_l", "f"),
        pl.lit("mmsi").alias("field"),
        pl.col("other_mmsi").cast(pl.String).alias("old_value"),
        pl.col("mmsi").cast(pl.String).alias("new_value"),
        pl.col("value").alias("imo"),
    )
