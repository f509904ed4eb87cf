"""Transfer chains: encounters that pass cargo onward (A meets B, then B meets C).

UN Panel of Experts reports describe coal and refined petroleum moving in
relays: a ship loads at a North Korean port, meets a second ship at sea, and
the second ship meets a third or delivers to port. One encounter on its own
says little; a chain of them, with a DPRK port call at one end, is the
pattern.

Two encounters are **linked** when they share a vessel and the later one
starts at most ``chain_max_days`` after the earlier one ends. A chain is a
connected group of linked encounters involving at least three vessels; a
pair that meets twice is not a chain. For each chain:

* vessels are listed in the order they joined (first encounter first; of the
  two vessels of one encounter, the one that leaves the chain first is listed
  first, so A -> B -> C reads as cargo flowing from A to C);
* ``mmsi`` is the first vessel, ``other_mmsi`` the last; the times span the
  first encounter's start to the last encounter's end; ``points`` counts the
  encounters;
* it is **flagged** (``dprk_port``) when a vessel of the chain made a call
  at a DPRK port within ``chain_max_days`` of the chain (before its start or
  after its end, or during it); the call nearest in time names the port.

Chains are derived from the engines' encounter and port-call events, in this
one place for every engine.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from dprkwatch.maritime import schema
from dprkwatch.maritime.engines.base import RAW_EVENTS, empty_raw
from dprkwatch.maritime.ports import Ports
from dprkwatch.maritime.rules import Rules


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def transfer_chains(raw: pl.DataFrame, ports: Ports, rules: Rules) -> pl.DataFrame:
    """Raw ``transfer_chain`` events from raw encounter and port-call events."""
    enc = (
        raw.filter(pl.col("event_type") == "encounter")
        .select("mmsi", "other_mmsi", "start_us", "end_us", "lat", "lon")
        .sort(["start_us", "end_us", "mmsi", "other_mmsi"])
        .with_row_index("i")
    )
    if enc.height < 2:
        return empty_raw()
    ends = pl.concat(
        [
            enc.select("i", pl.col("mmsi").alias("v"), "start_us", "end_us"),
            enc.select("i", pl.col("other_mmsi").alias("v"), "start_us", "end_us"),
        ]
    )
    links = (
        ends.join(ends, on="v", suffix="_b")
        .filter(
            (pl.col("i") < pl.col("i_b"))
            & (pl.col("start_us_b") - pl.col("end_us") <= rules.chain_max_us)
        )
        .select("i", "i_b")
        .unique()
        .sort(["i", "i_b"])
    )
    if links.height == 0:
        return empty_raw()
    parent = list(range(enc.height))
    for a, b in links.iter_rows():
        ra, rb = _find(parent, int(a)), _find(parent, int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    enc = enc.with_columns(
        pl.Series("chain", [_find(parent, i) for i in range(enc.height)], dtype=pl.Int64)
    )
    calls = _dprk_calls(raw, ports)
    out: list[dict[str, Any]] = []
    for (_,), group in enc.group_by("chain", maintain_order=True):
        if group.height < 2:
            continue
        vessels = _order(group)
        if len(vessels) < 3:
            continue
        start, end = int(group["start_us"].min()), int(group["end_us"].max())  # type: ignore[arg-type]
        first = group.row(0, named=True)
        row: dict[str, Any] = {
            "event_type": "transfer_chain",
            "mmsi": vessels[0],
            "other_mmsi": vessels[-1],
            "start_us": start,
            "end_us": end,
            "lat": first["lat"],
            "lon": first["lon"],
            "points": group.height,
            "field": "chain",
            "new_value": " -> ".join(str(v) for v in vessels),
        }
        call = _nearest_call(calls, vessels, start, end, rules.chain_max_us)
        if call is not None:
            row["port_idx"], row["old_value"] = call
        out.append(row)
    if not out:
        return empty_raw()
    return schema.conform(pl.DataFrame(out, infer_schema_length=None), RAW_EVENTS)


def _order(group: pl.DataFrame) -> list[int]:
    """Vessels by first encounter; within one encounter, the one that leaves first comes first."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for a, b, s, e in group.select("mmsi", "other_mmsi", "start_us", "end_us").iter_rows():
        for v in (int(a), int(b)):
            first.setdefault(v, int(s))
            last[v] = max(last.get(v, int(e)), int(e))
    return sorted(first, key=lambda v: (first[v], last[v], v))


def _dprk_calls(raw: pl.DataFrame, ports: Ports) -> pl.DataFrame:
    dprk = ports.frame.filter(pl.col("dprk")).select(pl.col("port_idx"))
    return (
        raw.filter(pl.col("event_type") == "port_call")
        .join(dprk, on="port_idx", how="semi")
        .select("mmsi", "start_us", "end_us", "port_idx")
    )


def _nearest_call(
    calls: pl.DataFrame, vessels: list[int], start: int, end: int, window: int
) -> tuple[int, str] | None:
    near = calls.filter(
        pl.col("mmsi").is_in(vessels)
        & (pl.col("end_us") >= start - window)
        & (pl.col("start_us") <= end + window)
    )
    if near.height == 0:
        return None
    gap = pl.max_horizontal(
        pl.lit(0, pl.Int64), pl.col("start_us") - end, start - pl.col("end_us")
    ).alias("gap")
    best = near.with_columns(gap).sort(["gap", "start_us", "mmsi", "port_idx"]).row(0, named=True)
    return int(best["port_idx"]), str(best["mmsi"])
