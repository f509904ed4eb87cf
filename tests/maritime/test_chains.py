"""Transfer chains: A meets B, B meets C within the rule's days; DPRK port calls flag them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dprkwatch.maritime import Rules
from tests.maritime.factory import NAMPO, SEA, T0, detect, end_of, of_type, offset, sail, stay


def _meet(a: int, b: int, start_h: float, at: tuple[float, float], hours: float = 3.0):
    start = T0 + timedelta(hours=start_h)
    return stay(a, start, hours, at) + stay(b, start, hours, offset(at, east_km=0.2), sog=0.5)


SPOT2 = offset(SEA, 150, 0)


def test_a_meets_b_then_b_meets_c(tmp_path: Path) -> None:
    rows = _meet(412000001, 412000002, 1, SEA) + _meet(412000003, 412000002, 30, SPOT2)
    events = detect(tmp_path, rows)
    assert of_type(events, "encounter").height == 2
    chain = of_type(events, "transfer_chain")
    assert chain.height == 1
    row = chain.row(0, named=True)
    assert (row["mmsi"], row["other_mmsi"]) == (412000001, 412000003)
    assert row["start"] == T0 + timedelta(hours=1) and row["end"] == T0 + timedelta(hours=33)
    assert row["detail"] == "412000001 -> 412000002 -> 412000003 (2 encounters)"
    assert row["dprk_port"] is False and row["port"] is None
    # beyond the rule's days the two encounters are unrelated
    tight = detect(tmp_path / "tight", rows, Rules(chain_max_days=1.0))
    assert of_type(tight, "transfer_chain").is_empty()


def test_a_pair_meeting_twice_is_not_a_chain(tmp_path: Path) -> None:
    rows = _meet(412000001, 412000002, 1, SEA) + _meet(412000001, 412000002, 30, SPOT2)
    events = detect(tmp_path, rows)
    assert of_type(events, "encounter").height == 2
    assert of_type(events, "transfer_chain").is_empty()


def test_a_dprk_port_call_flags_the_chain(tmp_path: Path) -> None:
    # A loads at Nampo, sails out and meets B; B meets C a day later.
    at_port = stay(412000001, T0, 6.0, offset(NAMPO, -0.5))
    out = sail(
        412000001, end_of(at_port) + timedelta(minutes=5), offset(NAMPO, -0.5), offset(NAMPO, -150)
    )
    meet_at = offset(NAMPO, -150)
    start_h = (end_of(out) - T0).total_seconds() / 3600 + 0.1
    rows = at_port + out + _meet(412000001, 412000002, start_h, meet_at)
    rows += _meet(412000003, 412000002, start_h + 24, offset(meet_at, -150))
    events = detect(tmp_path, rows)
    assert of_type(events, "port_call")["port"].to_list() == ["NAMPO"]
    row = of_type(events, "transfer_chain").row(0, named=True)
    assert row["dprk_port"] is True and row["port"] == "NAMPO" and row["port_country"] == "PRK"
    assert row["detail"].endswith("; DPRK port call at NAMPO by 412000001")
