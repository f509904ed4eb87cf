"""The roadmap's record types, described once: assets, activities, definitions, proposals.

Each curated file in ``roadmap/data/`` holds a list of one of these records.
Facts carry the ledger's provenance fields (:class:`~dprkwatch.ledger.model.Sourced`:
``sources``, ``confidence``, ``note``), and the bibliography is shared: a row
may cite an entry of ``roadmap/data/sources.yaml`` or of the ledger's
``sources.yaml``.

The records say *what* each side promised or demanded, in the vocabulary the
evaluator understands: an asset is frozen, disabled, dismantled, removed,
declared or verified; an activity is halted; a resolution's measures are
relieved. Cross-file checks (unknown asset, unknown resolution, phases that
cannot follow one another) live in :mod:`dprkwatch.roadmap.loader`, which
also knows the file and line of every value.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from dprkwatch.ledger.model import Record, Slug, Sourced, Text

#: What an asset or activity does in a weapons programme.
Role = Literal[
    "fissile-production",
    "weaponization",
    "testing",
    "delivery",
    "other-wmd",
    "extended-deterrence",
]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]

#: An arsenal-model component a facility's output feeds: the 5 MWe ``reactor``,
#: ``reprocessing`` (all plutonium separation), the ``elwr``, one enrichment site
#: (``enrichment.<site id>``) or the ``stockpile`` of weapons and separated material.
Component = Annotated[
    str,
    StringConstraints(pattern=r"^(reactor|reprocessing|elwr|stockpile|enrichment\.[a-z0-9_]+)$"),
]


class Action(StrEnum):
    """What a phase does to an asset, from least to most final."""

    DECLARE = "declare"
    VERIFY = "verify"
    FREEZE = "freeze"
    DISABLE = "disable"
    DISMANTLE = "dismantle"
    REMOVE = "remove"


#: Actions that stop an asset's output from the phase's start.
STOPPING = (Action.FREEZE, Action.DISABLE, Action.DISMANTLE, Action.REMOVE)
#: Actions after which the asset no longer exists to act on.
FINAL = (Action.DISMANTLE, Action.REMOVE)


class Location(Record):
    """Where an asset is, as far as published; ``precision`` says how far."""

    lat: float = Field(ge=37.5, le=43.1, description="Latitude, degrees north.")
    lon: float = Field(ge=124.0, le=131.0, description="Longitude, degrees east.")
    precision: Literal["site", "complex", "area"] = Field(
        description="`site`: the facility itself; `complex`: the compound it sits in; `area`: the town or district."
    )


class Count(Record):
    """A number of items (launchers, bases) with its range and date."""

    low: int | None = Field(None, ge=0)
    high: int | None = Field(None, ge=0)
    as_of: str = Field(description="When the count applies (YYYY or YYYY-MM).")

    @model_validator(mode="after")
    def _check(self) -> Count:
        if self.low is None and self.high is None:
            raise ValueError("a count needs `low` or `high`")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("`low` is above `high`")
        return self


class Asset(Sourced):
    """A facility, force or stockpile that a definition or a proposal can name."""

    id: Slug
    name: Text
    owner: Literal["DPRK", "US"] = Field(
        "DPRK", description="Whose asset it is; the DPRK's own definition reaches US assets."
    )
    site: Slug | None = Field(
        None, description="The complex it belongs to (`yongbyon`), for shares by site."
    )
    roles: list[Role] = Field(min_length=1, description="Its part in the programme.")
    model: Component | None = Field(
        None, description="The arsenal-model component its output feeds, if any."
    )
    location: Location | None = Field(None, description="Coordinates where published.")
    count: Count | None = Field(None, description="How many, for forces (launchers, bases).")
    status: Text = Field(description="What is known of its state, in our words.")


class Activity(Sourced):
    """Something done rather than held: tests, launches, exports, exercises."""

    id: Slug
    name: Text
    owner: Literal["DPRK", "US", "US-ROK"] = "DPRK"
    roles: list[Role] = Field(min_length=1)


class Definition(Sourced):
    """One party's meaning of "denuclearization": a set of assets and activities."""

    id: Slug
    name: Text
    holder: Text = Field(description="Who uses this definition.")
    summary: Text = Field(description="What it demands, in our words.")
    kind: Literal["denuclearization", "freeze"] = Field(
        description="Whether it ends the programme or only stops it growing."
    )
    roles: list[Role] = Field(
        default_factory=list,
        description="Every DPRK asset with one of these roles belongs to the definition.",
    )
    assets: list[Slug] = Field(
        default_factory=list, description="Assets named in addition to those the roles select."
    )
    activities: list[Slug] = Field(default_factory=list, description="Activities it ends.")

    @model_validator(mode="after")
    def _check(self) -> Definition:
        if not (self.roles or self.assets or self.activities):
            raise ValueError("a definition needs `roles`, `assets` or `activities`")
        return self


class Verification(Record):
    """A verification measure of a phase."""

    kind: Literal[
        "iaea-monitoring",
        "iaea-inspections",
        "declaration",
        "us-experts",
        "inspections",
        "none",
    ]
    detail: str | None = None


class Relief(Record):
    """Sanctions relief under a UN resolution (a ledger record id)."""

    resolution: Slug = Field(description="Ledger id, e.g. `unscr-2397`.")
    scope: Literal["all", "economic"] = Field(
        description="`all` its measures, or only `economic` ones (no designations, committee or inspections)."
    )


class Corresponding(Record):
    """A corresponding measure other than UN sanctions relief."""

    kind: Literal[
        "energy-aid",
        "food-aid",
        "light-water-reactors",
        "liaison-office",
        "normalisation",
        "peace-declaration",
        "security-assurance",
        "exercise-suspension",
        "terrorism-list",
        "us-sanctions",
        "other",
    ]
    detail: Text
    halts: list[Slug] = Field(
        default_factory=list, description="Activities the other side stops (e.g. exercises)."
    )


class Phase(Sourced):
    """One step of a proposal: what stops, what is declared and checked, what is given."""

    id: Slug
    name: Text
    start: dt.date = Field(description="When the covered assets stop (or are declared).")
    end: dt.date | None = Field(None, description="When the phase is due to be complete.")
    dates_assumed: bool = Field(
        False,
        description="The dates are our assumption, not the text's (a proposal never implemented).",
    )
    declare: list[Slug] = Field(default_factory=list)
    verify: list[Slug] = Field(default_factory=list)
    freeze: list[Slug] = Field(default_factory=list)
    disable: list[Slug] = Field(default_factory=list)
    dismantle: list[Slug] = Field(default_factory=list)
    remove: list[Slug] = Field(
        default_factory=list, description="Shipped out of the country (weapons, material)."
    )
    halt: list[Slug] = Field(default_factory=list, description="DPRK activities halted.")
    verification: list[Verification] = Field(default_factory=list)
    relief: list[Relief] = Field(default_factory=list)
    corresponding: list[Corresponding] = Field(default_factory=list)

    def actions(self) -> list[tuple[Action, str]]:
        """Every (action, asset) of the phase, in a fixed order."""
        return [(a, asset) for a in Action for asset in getattr(self, a.value)]


class Proposal(Sourced):
    """A deal on the table: agreed, offered, demanded or only reported."""

    id: Slug
    name: Text
    date: dt.date = Field(description="When it was agreed, offered or reported.")
    proposed_by: Text
    status: Literal[
        "implemented-then-collapsed", "agreed-never-implemented", "rejected", "reported", "proposed"
    ]
    summary: Text
    ledger: list[Slug] = Field(
        default_factory=list, description="Ledger agreements it corresponds to, if any."
    )
    phases: list[Phase] = Field(min_length=1)


class Assessment(Sourced):
    """A published expert assessment of Yongbyon's share of fissile-material production."""

    id: Slug
    who: Text = Field(description="Author or body.")
    published: dt.date
    quantity: Literal["all-fissile", "heu"] = Field(
        description="Share of all fissile output, or of HEU output only."
    )
    low: float | None = Field(None, ge=0, le=1, description="Lower end of the share, if stated.")
    high: float | None = Field(None, ge=0, le=1, description="Upper end of the share, if stated.")
    statement: Text = Field(description="What the source says, in our words.")
    derivation: Text = Field(description="How the range above follows from the statement.")

    @model_validator(mode="after")
    def _check(self) -> Assessment:
        if self.low is None and self.high is None:
            raise ValueError("an assessment needs `low` or `high`")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("`low` is above `high`")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        return (0.0 if self.low is None else self.low, 1.0 if self.high is None else self.high)


class PressureFigure(Sourced):
    """What a resolution's economic measures were said to cost the DPRK when adopted."""

    resolution: Slug
    revenue_musd: float | None = Field(
        None, ge=0, description="Export revenue blocked per year, million USD, as published."
    )
    imports: str | None = Field(None, description="Imports cut (oil), in our words.")
    basis: Text = Field(description="What the figure measures and against which baseline.")
