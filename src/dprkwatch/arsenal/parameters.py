"""The model's parameter file: every number with its range, unit, source and confidence.

The file is YAML (the default ships as package data, ``data/parameters.yaml``).
Each uncertain quantity is a *range*::

    capacity_factor:
      value: 0.65          # the central value (the mode of the triangular draw)
      low: 0.5
      high: 0.8
      unit: fraction
      source: [isis2006]   # keys into the file's ``sources`` table
      confidence: low      # high | medium | low | unverified
      note: why this range

Every range has a dotted id built from where it sits (``reactor.initial.capacity_factor``,
``enrichment.kangson.presence``, ``tests.2013.pu_kg``). Errors, overrides, the
documentation table and the explanation of outlying estimates all use that id.

Validation is strict and names the parameter: a low above its high, a
negative rate, a fraction above one, overlapping operating periods, an unknown
field or an unknown source key all stop the load with one line.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dprkwatch.arsenal.exceptions import ParameterError, UnknownParameter
from dprkwatch.arsenal.packaged import load_yaml
from dprkwatch.arsenal.timeline import event_key

Confidence = Literal["high", "medium", "low", "unverified"]
Distribution = Literal["triangular", "uniform", "bernoulli"]
Material = Literal["pu", "heu", "either", "both"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_BOUNDED_UNITS = frozenset({"fraction", "probability"})
DEFAULT_FILE = "parameters.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """One entry of the bibliography; parameters point at it by key."""

    publication: str
    date: str = Field(description="publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    url: str | None = None
    via: str | None = Field(default=None, description="the secondary report the figure was read in")
    note: str | None = None


class Range(_Strict):
    """An uncertain quantity: central value, low and high, unit, source, confidence."""

    value: float
    low: float | None = None
    high: float | None = None
    unit: str
    source: tuple[str, ...] = ()
    confidence: Confidence
    distribution: Distribution = "triangular"
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_bounds(cls, data: Any) -> Any:
        # A range given as a bare value is fixed; a probability spans 0..1 for sensitivity.
        if isinstance(data, dict):
            data = dict(data)
            if data.get("distribution") == "bernoulli":
                data.setdefault("low", 0.0)
                data.setdefault("high", 1.0)
            else:
                data.setdefault("low", data.get("value"))
                data.setdefault("high", data.get("value"))
            if isinstance(data.get("source"), str):
                data["source"] = [data["source"]]
        return data

    @model_validator(mode="after")
    def _check(self) -> Range:
        lo, hi = self.lo, self.hi
        for name, x in (("value", self.value), ("low", lo), ("high", hi)):
            if x != x or x in (float("inf"), float("-inf")):
                raise ValueError(f"{name} must be a finite number")
            if x < 0:
                raise ValueError(f"{name} ({_fmt(x)}) must not be negative")
        if lo > hi:
            raise ValueError(f"low ({_fmt(lo)}) is above high ({_fmt(hi)})")
        if not lo <= self.value <= hi:
            raise ValueError(
                f"value ({_fmt(self.value)}) is outside low..high ({_fmt(lo)}..{_fmt(hi)})"
            )
        if (self.unit in _BOUNDED_UNITS or self.distribution == "bernoulli") and hi > 1:
            raise ValueError(f"a {self.unit} cannot exceed 1 (high is {_fmt(hi)})")
        if self.distribution == "bernoulli" and self.unit != "probability":
            raise ValueError("a bernoulli range must have unit 'probability'")
        return self

    @property
    def lo(self) -> float:
        return self.value if self.low is None else self.low

    @property
    def hi(self) -> float:
        return self.value if self.high is None else self.high

    @property
    def fixed(self) -> bool:
        """True when every draw takes the same value."""
        if self.distribution == "bernoulli":
            return self.value in (0.0, 1.0)
        return self.lo == self.hi


class Horizon(_Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) is not before end ({self.end})")
        return self


class Period(_Strict):
    """A stretch of time with its own rate; ``end: null`` runs to the horizon."""

    id: str
    start: date
    end: date | None = None
    note: str | None = None
    source: tuple[str, ...] = ()
    confidence: Confidence = "medium"

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return _check_id(v)

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end is not None and self.start >= self.end:
            raise ValueError(
                f"period {self.id}: start ({self.start}) is not before end ({self.end})"
            )
        return self


class ReactorPeriod(Period):
    capacity_factor: Range


class Campaign(_Strict):
    """A reprocessing campaign: fuel discharged on ``discharge``, plutonium separated
    linearly between ``start`` and ``end``."""

    id: str
    discharge: date
    start: date
    end: date
    recovered_share: Range | None = None
    note: str | None = None
    source: tuple[str, ...] = ()
    confidence: Confidence = "medium"

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return _check_id(v)

    @model_validator(mode="after")
    def _order(self) -> Campaign:
        if self.start > self.end:
            raise ValueError(f"campaign {self.id}: start ({self.start}) is after end ({self.end})")
        if self.discharge > self.end:
            raise ValueError(
                f"campaign {self.id}: discharge ({self.discharge}) is after its end ({self.end})"
            )
        return self


class Reactor(_Strict):
    pu_kg_per_year: Range
    periods: tuple[ReactorPeriod, ...]


class Reprocessing(_Strict):
    campaigns: tuple[Campaign, ...]
    tail_lag_years: Range

    @model_validator(mode="after")
    def _order(self) -> Reprocessing:
        for prev, cur in itertools.pairwise(self.campaigns):
            if cur.discharge <= prev.discharge:
                raise ValueError(
                    f"campaign {cur.id}: discharge ({cur.discharge}) is not after the previous "
                    f"campaign's ({prev.id}, {prev.discharge})"
                )
        return self


class Elwr(_Strict):
    enabled: bool = False
    start: date
    end: date | None = Field(
        default=None, description="last day of operation (none: runs to the horizon)"
    )
    pu_kg_per_year: Range
    capacity_factor: Range
    lag_years: Range
    note: str | None = None
    source: tuple[str, ...] = ()
    confidence: Confidence = "unverified"

    @model_validator(mode="after")
    def _order(self) -> Elwr:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"elwr: end ({self.end}) is not after start ({self.start})")
        return self


class SitePeriod(Period):
    centrifuges: Range


class Site(_Strict):
    id: str
    name: str
    presence: Range
    periods: tuple[SitePeriod, ...]

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return _check_id(v)


class Enrichment(_Strict):
    swu_per_machine_year: Range
    swu_per_kg_heu: Range
    heu_share: Range
    sites: tuple[Site, ...]

    @model_validator(mode="after")
    def _positive(self) -> Enrichment:
        if self.swu_per_kg_heu.lo <= 0:
            raise ValueError("swu_per_kg_heu: must be above zero (it divides)")
        return self


class Conversion(_Strict):
    pu_kg_per_weapon: Range
    heu_kg_per_weapon: Range
    utilisation: Range

    @model_validator(mode="after")
    def _positive(self) -> Conversion:
        for name in ("pu_kg_per_weapon", "heu_kg_per_weapon"):
            if getattr(self, name).lo <= 0:
                raise ValueError(f"{name}: must be above zero (it divides)")
        return self


class NuclearTest(_Strict):
    """One nuclear test and the fissile material it is assumed to have consumed."""

    id: str
    date: date
    material: Material
    pu_kg: Range | None = None
    heu_kg: Range | None = None
    pu_probability: Range | None = None
    yield_kt: float | None = None
    source: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return _check_id(v)

    @model_validator(mode="after")
    def _complete(self) -> NuclearTest:
        needs_pu = self.material in ("pu", "either", "both")
        needs_heu = self.material in ("heu", "either", "both")
        if needs_pu and self.pu_kg is None:
            raise ValueError(f"test {self.id}: material {self.material!r} needs pu_kg")
        if needs_heu and self.heu_kg is None:
            raise ValueError(f"test {self.id}: material {self.material!r} needs heu_kg")
        if (self.material == "either") != (self.pu_probability is not None):
            raise ValueError(
                f"test {self.id}: pu_probability is required for, and only for, material 'either'"
            )
        return self


class Event(_Strict):
    date: date
    label: str
    source: tuple[str, ...] = ()


class Variant(_Strict):
    """A named set of overrides (``--variant``): a case a reader would otherwise spell out."""

    title: str
    note: str | None = None
    source: tuple[str, ...] = ()
    set: dict[str, str | float | bool]


class ParameterFile(_Strict):
    """The whole validated file. Build with :func:`load_parameters`."""

    schema_: str = Field(alias="schema")
    title: str
    horizon: Horizon
    sources: dict[str, Source]
    reactor: Reactor
    reprocessing: Reprocessing
    elwr: Elwr
    enrichment: Enrichment
    conversion: Conversion
    tests: tuple[NuclearTest, ...]
    events: dict[str, Event] = Field(default_factory=dict)
    variants: dict[str, Variant] = Field(default_factory=dict)

    @field_validator("schema_")
    @classmethod
    def _schema(cls, v: str) -> str:
        if v != "dprkwatch.arsenal/1":
            raise ValueError(f"unsupported schema {v!r} (expected 'dprkwatch.arsenal/1')")
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> ParameterFile:
        for pid, rng in iter_ranges(self):
            for key in rng.source:
                if key not in self.sources:
                    raise ValueError(f"{pid}: unknown source {key!r}")
        _no_overlap("reactor", self.reactor.periods, self.horizon)
        for site in self.enrichment.sites:
            _no_overlap(f"enrichment.{site.id}", site.periods, self.horizon)
        dates: list[tuple[str, date]] = [(f"tests.{t.id}.date", t.date) for t in self.tests]
        dates += [(f"reprocessing.{c.id}.end", c.end) for c in self.reprocessing.campaigns]
        dates.append(("elwr.start", self.elwr.start))
        for where, d in dates:
            if not self.horizon.start <= d <= self.horizon.end:
                raise ValueError(
                    f"{where}: {d} is outside the horizon {self.horizon.start}..{self.horizon.end}"
                )
        seen: set[str] = set()
        for pid, _ in iter_ranges(self):
            if pid in seen:
                raise ValueError(f"{pid}: duplicate id (two periods, sites or tests share an id)")
            seen.add(pid)
        for name, variant in self.variants.items():
            for key in variant.source:
                if key not in self.sources:
                    raise ValueError(f"variants.{name}: unknown source {key!r}")
            for pid in variant.set:
                if pid != "elwr.enabled" and pid not in seen:
                    raise ValueError(f"variants.{name}: unknown parameter {pid!r}")
        return self

    def ranges(self) -> dict[str, Range]:
        """Every range by dotted id, in file order."""
        return dict(iter_ranges(self))

    def event_dates(self) -> dict[str, date]:
        return {event_key(k): e.date for k, e in self.events.items()}


def _check_id(v: Any) -> str:
    text = str(v)
    if not _ID.match(text):
        raise ValueError(f"id {text!r} must be lower-case letters, digits and '_'")
    return text


def _fmt(x: float) -> str:
    return f"{x:g}"


def _no_overlap(where: str, periods: tuple[Period, ...], horizon: Horizon) -> None:
    ordered = sorted(periods, key=lambda p: p.start)
    for p in ordered:
        if p.start < horizon.start or p.start > horizon.end:
            raise ValueError(f"{where}.{p.id}: start {p.start} is outside the horizon")
    for prev, cur in itertools.pairwise(ordered):
        if prev.end is None or cur.start < prev.end:
            raise ValueError(f"{where}.{cur.id}: overlaps period {prev.id}")


def iter_ranges(pf: ParameterFile) -> Iterator[tuple[str, Range]]:
    """Yield ``(dotted id, range)`` for every range in the file."""
    for pid, _path, rng in _walk(pf):
        yield pid, rng


def _walk(pf: ParameterFile) -> Iterator[tuple[str, tuple[str | int, ...], Range]]:
    """Every range with its dotted id and its path in the raw YAML mapping."""
    yield "reactor.pu_kg_per_year", ("reactor", "pu_kg_per_year"), pf.reactor.pu_kg_per_year
    for i, rp in enumerate(pf.reactor.periods):
        yield (
            f"reactor.{rp.id}.capacity_factor",
            ("reactor", "periods", i, "capacity_factor"),
            rp.capacity_factor,
        )
    for i, c in enumerate(pf.reprocessing.campaigns):
        if c.recovered_share is not None:
            yield (
                f"reprocessing.{c.id}.recovered_share",
                ("reprocessing", "campaigns", i, "recovered_share"),
                c.recovered_share,
            )
    yield (
        "reprocessing.tail_lag_years",
        ("reprocessing", "tail_lag_years"),
        pf.reprocessing.tail_lag_years,
    )
    for name in ("pu_kg_per_year", "capacity_factor", "lag_years"):
        yield f"elwr.{name}", ("elwr", name), getattr(pf.elwr, name)
    for name in ("swu_per_machine_year", "swu_per_kg_heu", "heu_share"):
        yield f"enrichment.{name}", ("enrichment", name), getattr(pf.enrichment, name)
    for si, site in enumerate(pf.enrichment.sites):
        yield (
            f"enrichment.{site.id}.presence",
            ("enrichment", "sites", si, "presence"),
            site.presence,
        )
        for pi, sp in enumerate(site.periods):
            yield (
                f"enrichment.{site.id}.{sp.id}.centrifuges",
                ("enrichment", "sites", si, "periods", pi, "centrifuges"),
                sp.centrifuges,
            )
    for name in ("pu_kg_per_weapon", "heu_kg_per_weapon", "utilisation"):
        yield f"conversion.{name}", ("conversion", name), getattr(pf.conversion, name)
    for ti, t in enumerate(pf.tests):
        for name in ("pu_kg", "heu_kg", "pu_probability"):
            rng = getattr(t, name)
            if rng is not None:
                yield f"tests.{t.id}.{name}", ("tests", ti, name), rng


@dataclass(frozen=True)
class Parameters:
    """A validated parameter file plus the raw mapping it came from (for overrides)."""

    file: ParameterFile
    raw: Mapping[str, Any]
    origin: str

    def ranges(self) -> dict[str, Range]:
        return self.file.ranges()

    def range(self, pid: str) -> Range:
        found = self.ranges().get(pid)
        if found is None:
            raise UnknownParameter(_unknown(pid, self.ranges()))
        return found

    def sampled_ranges(self) -> dict[str, Range]:
        """The ranges the Monte Carlo draws: those of a site that is never present are pinned.

        A site with presence 0 changes nothing, but drawing its centrifuges would
        shift the random stream of every later parameter; pinned, an optional site
        (the four-sites variant's) leaves the default model's draws exactly as they were.
        """
        out = self.ranges()
        for site in self.file.enrichment.sites:
            if site.presence.distribution == "bernoulli" and site.presence.value == 0:
                for sp in site.periods:
                    pid = f"enrichment.{site.id}.{sp.id}.centrifuges"
                    r = out[pid]
                    out[pid] = r.model_copy(update={"low": r.value, "high": r.value})
        return out

    def variant(self, name: str) -> dict[str, str | float | bool]:
        """The overrides a named variant stands for."""
        found = self.file.variants.get(name.strip().lower())
        if found is None:
            known = ", ".join(sorted(self.file.variants)) or "none"
            raise ParameterError(f"unknown variant {name!r}; known: {known}", where="--variant")
        return dict(found.set)

    def with_overrides(self, overrides: Mapping[str, str | float | bool]) -> Parameters:
        """A new parameter set with some ranges replaced (the original is untouched).

        A value may be a number (fixes the parameter), ``"LOW..HIGH"`` or
        ``"LOW..VALUE..HIGH"``. ``elwr.enabled`` takes ``true``/``false``.
        """
        if not overrides:
            return self
        raw = copy.deepcopy(dict(self.raw))
        paths = {pid: path for pid, path, _ in _walk(self.file)}
        current = self.ranges()
        for pid, spec in overrides.items():
            if pid == "elwr.enabled":
                raw["elwr"]["enabled"] = _parse_bool(pid, spec)
                continue
            if pid not in paths:
                raise UnknownParameter(_unknown(pid, current))
            node = _get(raw, paths[pid])
            node.update(_parse_override(pid, spec, current[pid]))
        return _validate(raw, f"{self.origin} (with overrides)")


def combined_overrides(
    path: Path | str | None, variants: Iterable[str] = (), settings: Iterable[str] = ()
) -> dict[str, str | float | bool]:
    """What ``--variant`` and ``--set`` ask for together: variants in order, then ``--set``."""
    out: dict[str, str | float | bool] = {}
    names = list(variants)
    if names:
        loaded = load_parameters(path)
        for name in names:
            out.update(loaded.variant(name))
    out.update(parse_settings(settings))
    return out


def parse_settings(items: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings (the CLI's repeatable ``--set``) as an overrides mapping."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ParameterError(f"expected NAME=VALUE, got {item!r}", where="--set")
        out[name.strip()] = value.strip()
    return out


def _unknown(pid: str, known: Mapping[str, Range]) -> str:
    close = difflib.get_close_matches(pid, [*known, "elwr.enabled"], n=3, cutoff=0.6)
    hint = (
        f"; did you mean {', '.join(close)}?"
        if close
        else "; `dprkwatch arsenal parameters` lists them"
    )
    return f"unknown parameter {pid!r}{hint}"


def _get(raw: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
    node = raw
    for step in path:
        node = node[step]
    if not isinstance(node, dict):
        raise TypeError(f"range at {path} is not a mapping")
    return node


def _parse_bool(pid: str, spec: str | float | bool) -> bool:
    text = str(spec).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ParameterError(f"expected true or false, got {spec!r}", where=pid)


def _number(pid: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ParameterError(f"expected a number, got {text!r}", where=pid) from None


def _parse_override(pid: str, spec: str | float | bool, old: Range) -> dict[str, float]:
    if isinstance(spec, bool):
        raise ParameterError(f"expected a number or LOW..HIGH, got {spec!r}", where=pid)
    if isinstance(spec, int | float):
        return {"value": float(spec), "low": float(spec), "high": float(spec)}
    parts = [p.strip() for p in spec.split("..")]
    nums = [_number(pid, p) for p in parts]
    if len(nums) == 1:
        return {"value": nums[0], "low": nums[0], "high": nums[0]}
    if len(nums) == 2:
        lo, hi = nums
        if lo > hi:
            raise ParameterError(f"low ({_fmt(lo)}) is above high ({_fmt(hi)})", where=pid)
        value = old.value if lo <= old.value <= hi else (lo + hi) / 2
        if old.distribution == "bernoulli":
            raise ParameterError("a probability takes one number, not a range", where=pid)
        return {"value": value, "low": lo, "high": hi}
    if len(nums) == 3:
        return {"low": nums[0], "value": nums[1], "high": nums[2]}
    raise ParameterError(f"expected VALUE, LOW..HIGH or LOW..VALUE..HIGH, got {spec!r}", where=pid)


def _loc_name(raw: Any, loc: tuple[str | int, ...]) -> str:
    """Turn a pydantic error location into the dotted id a user recognises.

    List positions become the item's ``id`` (``reactor.periods.2`` ->
    ``reactor.initial``); the ``periods``/``campaigns``/``sites`` level is
    dropped so the name matches the parameter ids.
    """
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            item = node[step]
            label = item.get("id") if isinstance(item, dict) else None
            if parts and parts[-1] in ("periods", "campaigns", "sites"):
                parts.pop()
            parts.append(str(label) if label is not None else str(step))
            node = item
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _validate(raw: Mapping[str, Any], origin: str) -> Parameters:
    try:
        pf = ParameterFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        where = _loc_name(raw, loc)
        named = re.match(r"^([a-z0-9_.]+): (.+)$", msg)
        if not where and named:
            # File-wide checks name the parameter at the start of their message.
            where, msg = named.group(1), named.group(2)
        if err["type"] == "extra_forbidden":
            where, _, field = where.rpartition(".")
            msg = f"unknown field {field!r}"
        elif err["type"] == "missing":
            where, _, field = where.rpartition(".")
            msg = f"missing field {field!r}"
        more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
        raise ParameterError(msg + more, source=origin, where=where or None) from None
    return Parameters(file=pf, raw=raw, origin=origin)


def load_parameters(path: Path | str | None = None) -> Parameters:
    """Read and validate a parameter file; ``None`` reads the one shipped with the package."""
    raw, origin = load_yaml(path, DEFAULT_FILE, ParameterError)
    if not isinstance(raw, dict):
        raise ParameterError("expected a mapping at the top level", source=origin)
    return _validate(raw, origin)
