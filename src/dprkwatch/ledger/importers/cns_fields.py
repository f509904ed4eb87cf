"""Field parsing shared by the two CNS missile-test importers (JSON and CSV)."""

from __future__ import annotations

import re
from typing import Any

CNS_CITATION = "CNS North Korea Missile Test Database, James Martin Center for Nonproliferation Studies for NTI"
CNS_SCOPE = "Counts only missiles able to carry 500 kg to 300 km or more (CNS inclusion rule)."
_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(km)?\s*$", re.IGNORECASE)
OUTCOMES = {"success", "failure", "unknown"}


def km(value: Any) -> float | None:
    """``2802``, ``"2802 km"`` or ``"3724.9 km"`` -> float; ``"unknown"``/empty -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    m = _NUMBER.match(str(value))
    return float(m.group(1)) if m else None


def outcome(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text if text in OUTCOMES else "unknown"


def launch_title(missile: str, missile_type: str) -> str:
    kind = f" ({missile_type})" if missile_type and missile_type.lower() != "unknown" else ""
    return f"{missile} launch{kind}"


def launch_detail(
    outcome_: str, apogee: float | None, distance: float | None, facility: str
) -> str:
    parts = [outcome_]
    if apogee is not None:
        parts.append(f"apogee {apogee:g} km")
    if distance is not None:
        parts.append(f"distance {distance:g} km")
    if facility:
        parts.append(f"from {facility}")
    return "; ".join(parts)
