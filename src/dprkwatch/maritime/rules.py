"""The detector rules: every threshold in one frozen dataclass, shared by all engines.

Defaults follow Global Fishing Watch (GFW) where GFW has published a rule;
the ``origin`` of each field says where the number comes from, and the docs
table in ``docs/maritime.md`` is generated from the same metadata so the two
cannot drift. Engines read nothing but a :class:`Rules` instance, which is
why the embedded and Spark engines report the same events for the same input.

Change a rule from the command line with ``--set name=value`` or from a YAML
or JSON file with ``--rules FILE``; both go through :meth:`Rules.with_overrides`,
which rejects unknown names and impossible values with a :class:`RuleError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dprkwatch.maritime.exceptions import RuleError
from dprkwatch.maritime.geo import KM_PER_NM
from dprkwatch.sources import reading

GFW_SEGMENT = "GFW track segmenter (gpsdio-segment): max speed 30 kn, max gap 24 h"
GFW_ENCOUNTER = (
    "GFW encounters (Miller et al. 2018): < 500 m, >= 2 h, < 2 kn, >= 10 km from anchorage"
)
GFW_ENCOUNTER_MERGE = "GFW pipe-encounters: raw encounters of one pair merged when < 4 h apart"
GFW_LOITER = "GFW loitering (carrier vessels): < 2 kn for >= 4 h, > 20 nm from shore"
GFW_GAP = "GFW AIS-disabling events: gaps >= 12 h, > 50 nm from shore at both ends"
GFW_PORT = "GFW port visits (pipe-anchorages): enter at 3 km, exit at 4 km"
GFW_PORT_STAY = (
    "GFW port-visit minimum as cited for this project (not found in GFW's pipe-anchorages "
    "code: unverified)"
)
OURS = "dprkwatch choice (no published GFW number)"


def _rule(default: float | int, unit: str, origin: str, help: str) -> Any:
    return field(default=default, metadata={"unit": unit, "origin": origin, "help": help})


@dataclass(frozen=True)
class Rules:
    """Detector parameters. Units are in the field names' metadata (see ``describe``)."""

    # --- track segmentation -------------------------------------------------
    max_speed_knots: float = _rule(
        30.0, "kn", GFW_SEGMENT, "implied speed above which a track is split (and a jump counted)"
    )
    max_gap_hours: float = _rule(24.0, "h", GFW_SEGMENT, "silence after which a track is split")
    position_noise_km: float = _rule(
        0.1, "km", OURS, "position error allowed before an implied speed counts as a jump"
    )
    # --- speed -------------------------------------------------------------
    slow_knots: float = _rule(
        2.0, "kn", GFW_ENCOUNTER, "below this speed over ground a vessel counts as slow"
    )
    # --- encounters ----------------------------------------------------------
    encounter_max_km: float = _rule(
        0.5, "km", GFW_ENCOUNTER, "largest distance between two vessels in an encounter"
    )
    encounter_min_hours: float = _rule(2.0, "h", GFW_ENCOUNTER, "shortest encounter run kept")
    encounter_port_km: float = _rule(
        10.0, "km", GFW_ENCOUNTER, "positions this close to a port never form encounters"
    )
    encounter_merge_hours: float = _rule(
        4.0, "h", GFW_ENCOUNTER_MERGE, "runs of one pair closer in time than this are merged"
    )
    encounter_bucket_minutes: int = _rule(
        10,
        "min",
        "GFW resamples tracks to 10-minute steps for encounters",
        "time bucket of the grid self-join",
    )
    encounter_max_gap_minutes: float = _rule(
        30.0, "min", OURS, "a run of close buckets survives holes up to this long"
    )
    # --- loitering -----------------------------------------------------------
    loiter_min_hours: float = _rule(4.0, "h", GFW_LOITER, "shortest loitering run kept")
    loiter_port_nm: float = _rule(
        20.0, "nm", GFW_LOITER, "positions this close to a port never loiter (GFW: from shore)"
    )
    # --- dark gaps -----------------------------------------------------------
    gap_min_hours: float = _rule(12.0, "h", GFW_GAP, "shortest silence reported as a dark gap")
    gap_port_nm: float = _rule(
        50.0, "nm", GFW_GAP, "both ends of a dark gap must be farther than this from any port"
    )
    # --- port calls ----------------------------------------------------------
    port_entry_km: float = _rule(
        3.0, "km", GFW_PORT, "a call starts at the first position this close to a port"
    )
    port_exit_km: float = _rule(
        4.0, "km", GFW_PORT, "a call lasts while positions stay this close to the same port"
    )
    port_min_hours: float = _rule(
        2.0, "h", GFW_PORT_STAY, "shortest port call kept (first position within entry to last)"
    )
    # --- spoofing ------------------------------------------------------------
    spoofing_min_jumps: int = _rule(
        5,
        "jumps/day",
        OURS,
        "impossible jumps of one MMSI in one UTC day that make a spoofing event",
    )
    # --- shared identities -----------------------------------------------------
    shared_min_hours: float = _rule(
        1.0,
        "h",
        OURS,
        "two transmitters of one IMO or MMSI must overlap this long to count as a shared identity",
    )
    shared_min_positions: int = _rule(
        5,
        "positions",
        OURS,
        "consistent positions a second transmitter of one MMSI needs (one bad fix is not one)",
    )
    # --- transfer chains -------------------------------------------------------
    chain_max_days: float = _rule(
        10.0,
        "d",
        OURS,
        "longest wait between encounters that pass cargo on (A meets B, then B meets C)",
    )

    # --- derived values, in the units the engines compute with ---------------
    @property
    def max_speed_kmh(self) -> float:
        return self.max_speed_knots * KM_PER_NM

    @property
    def max_gap_s(self) -> float:
        return self.max_gap_hours * 3600.0

    @property
    def loiter_port_km(self) -> float:
        return self.loiter_port_nm * KM_PER_NM

    @property
    def gap_port_km(self) -> float:
        return self.gap_port_nm * KM_PER_NM

    @property
    def bucket_s(self) -> int:
        return int(self.encounter_bucket_minutes) * 60

    @property
    def encounter_max_gap_buckets(self) -> int:
        """Largest step between two close buckets that keeps a run together."""
        return max(1, int(self.encounter_max_gap_minutes // self.encounter_bucket_minutes))

    @property
    def port_min_us(self) -> int:
        return round(self.port_min_hours * 3600 * 1_000_000)

    @property
    def shared_min_us(self) -> int:
        return round(self.shared_min_hours * 3600 * 1_000_000)

    @property
    def chain_max_us(self) -> int:
        return round(self.chain_max_days * 86400 * 1_000_000)

    @property
    def port_query_km(self) -> float:
        """Radius within which per-position port distances are needed exactly."""
        return max(self.loiter_port_km, self.encounter_port_km, self.port_exit_km)

    # --- construction --------------------------------------------------------
    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RuleError(f"expected a number, got {value!r}", where=f.name)
            if value != value or value in (float("inf"), float("-inf")):
                raise RuleError("must be finite", where=f.name)
            minimum = 0.0 if f.name in _MAY_BE_ZERO else None
            if minimum is None and value <= 0:
                raise RuleError(f"must be positive, got {value}", where=f.name)
            if minimum is not None and value < minimum:
                raise RuleError(f"must not be negative, got {value}", where=f.name)
        if self.port_entry_km > self.port_exit_km:
            raise RuleError(
                f"port_entry_km ({self.port_entry_km}) exceeds port_exit_km ({self.port_exit_km})",
                where="port_entry_km",
            )
        if 1440 % int(self.encounter_bucket_minutes) or self.encounter_bucket_minutes != int(
            self.encounter_bucket_minutes
        ):
            raise RuleError(
                "must be a whole number of minutes that divides a day (e.g. 5, 10, 15)",
                where="encounter_bucket_minutes",
            )
        for name in _INTEGER_RULES:
            if getattr(self, name) != int(getattr(self, name)):
                raise RuleError("must be a whole number", where=name)

    def with_overrides(self, values: Mapping[str, Any], *, source: str | None = None) -> Rules:
        """A copy with some rules changed; unknown names and bad values raise ``RuleError``."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in known:
                close = (
                    ", ".join(
                        sorted(n for n in known if n.split("_")[0] == str(name).split("_")[0])
                    )
                    or "see `dprkwatch maritime rules`"
                )
                raise RuleError(
                    f"unknown rule (known here: {close})", source=source, where=str(name)
                )
            changes[name] = _coerce(name, raw, known[name].default, source)
        try:
            return replace(self, **changes)
        except RuleError as exc:
            if source and not exc.source:
                raise RuleError(exc.problem, source=source, where=exc.where) from None
            raise

    def with_assignments(self, assignments: Iterable[str]) -> Rules:
        """Apply ``name=value`` strings, as given to ``--set``."""
        values: dict[str, str] = {}
        for item in assignments:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise RuleError(f"expected name=value, got {item!r}", where="--set")
            values[name.strip()] = value.strip()
        return self.with_overrides(values, source="--set" if values else None)

    @classmethod
    def from_file(cls, path: Path) -> Rules:
        """Rules from a YAML or JSON mapping of ``name: value``; the rest keep their defaults."""
        with reading(path, RuleError):
            text = path.read_text(encoding="utf-8")
        # Imported here: only a rules file needs YAML, and every command would pay for it.
        import yaml

        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise RuleError(
                f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}".splitlines()[
                    0
                ],
                source=str(path),
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise RuleError("expected a mapping of rule names to values", source=str(path))
        return cls().with_overrides(data, source=str(path))

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per rule: name, default, unit, origin, meaning (for docs and ``maritime rules``)."""
        return [
            {
                "name": f.name,
                "default": f.default,
                "unit": f.metadata["unit"],
                "meaning": f.metadata["help"],
                "origin": f.metadata["origin"],
            }
            for f in fields(cls)
        ]


_MAY_BE_ZERO = frozenset(
    {
        "position_noise_km",
        "encounter_port_km",
        "loiter_port_nm",
        "gap_port_nm",
        "port_min_hours",
        "shared_min_hours",
    }
)
_INTEGER_RULES = frozenset(
    {"encounter_bucket_minutes", "spoofing_min_jumps", "shared_min_positions"}
)


def _coerce(name: str, raw: Any, default: Any, source: str | None) -> float | int:
    if isinstance(raw, bool):
        raise RuleError(f"expected a number, got {raw!r}", source=source, where=name)
    if isinstance(raw, int | float):
        value: float | int = raw
    else:
        text = str(raw).strip()
        try:
            value = int(text) if name in _INTEGER_RULES else float(text)
        except ValueError:
            kind = "a whole number" if name in _INTEGER_RULES else "a number"
            raise RuleError(f"expected {kind}, got {text!r}", source=source, where=name) from None
    if name in _INTEGER_RULES:
        if float(value) != int(value):
            raise RuleError(f"expected a whole number, got {value!r}", source=source, where=name)
        return int(value)
    return float(value) if isinstance(default, float) else value
