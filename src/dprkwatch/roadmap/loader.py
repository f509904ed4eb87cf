"""Load and validate the roadmap files, and any proposal file a user brings.

Each file in ``roadmap/data/`` (:data:`FILES`) is a YAML list of one record
type. Rows are checked against their model, then against each other and
against the layers below:

* every ``sources`` entry is in the roadmap's or the ledger's bibliography;
* every asset, activity and definition a row names exists;
* every resolution a proposal relieves is an adopted resolution in the ledger,
  adopted before the phase that relieves it;
* every asset's ``model`` component exists in the arsenal's parameter file;
* a proposal's phases can happen in the order written: none starts before the
  proposal was made or before the phase it follows, none ends before it
  starts, and none freezes, disables, dismantles or removes an asset that an
  earlier phase already dismantled or removed.

Every problem names the file, the line and what is wrong, in one line
(``proposals.yaml:line 88: phase dismantle: unknown asset 'yongbyn-uep'``).
Loading stops at the first file set with any problem, so the evaluator never
sees a half-valid roadmap.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from dprkwatch.arsenal import Parameters, load_parameters
from dprkwatch.ledger import Ledger, LedgerValidationError, load_ledger
from dprkwatch.ledger.loader import Problem  # one problem shape for both curated layers
from dprkwatch.ledger.located import Located, load_yaml_file
from dprkwatch.ledger.model import Resolution, Source
from dprkwatch.roadmap.exceptions import RoadmapValidationError, UnknownRoadmapItem
from dprkwatch.roadmap.model import (
    FINAL,
    STOPPING,
    Action,
    Activity,
    Assessment,
    Asset,
    Definition,
    Phase,
    PressureFigure,
    Proposal,
)

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parent / "data"

FILES: dict[str, type[BaseModel]] = {
    "sources.yaml": Source,
    "assets.yaml": Asset,
    "activities.yaml": Activity,
    "definitions.yaml": Definition,
    "proposals.yaml": Proposal,
    "assessments.yaml": Assessment,
    "pressure.yaml": PressureFigure,
}
#: Components every parameter file has; enrichment sites are checked by name.
FIXED_COMPONENTS = frozenset({"reactor", "reprocessing", "elwr", "stockpile"})


@dataclass
class Roadmap:
    """Every validated roadmap record, with the ledger it was checked against."""

    ledger: Ledger
    sources: list[Source] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    pressure: list[PressureFigure] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # proposal id -> file it came from

    def asset(self, asset_id: str) -> Asset:
        return _pick({a.id: a for a in self.assets}, asset_id, "asset")

    def activity(self, activity_id: str) -> Activity:
        return _pick({a.id: a for a in self.activities}, activity_id, "activity")

    def definition(self, definition_id: str) -> Definition:
        return _pick({d.id: d for d in self.definitions}, definition_id, "definition")

    def proposal(self, proposal_id: str) -> Proposal:
        return _pick({p.id: p for p in self.proposals}, proposal_id, "proposal")

    def resolution(self, resolution_id: str) -> Resolution:
        found = self.ledger.record(resolution_id)
        if not isinstance(found, Resolution):  # pragma: no cover - validated at load
            raise UnknownRoadmapItem(f"{resolution_id!r} is not a resolution")
        return found

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        return self.ledger.source(source_id)

    def members(self, definition: Definition) -> tuple[list[Asset], list[Activity]]:
        """The assets and activities a definition covers, in inventory order."""
        named = set(definition.assets)
        assets = [
            a
            for a in self.assets
            if a.id in named or (a.owner == "DPRK" and set(a.roles) & set(definition.roles))
        ]
        wanted = set(definition.activities)
        return assets, [a for a in self.activities if a.id in wanted]


def _pick(index: Mapping[str, T], key: str, what: str) -> T:
    found = index.get(key)
    if found is None:
        close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(index)}"
        raise UnknownRoadmapItem(f"unknown {what} {key!r}{hint}")
    return found


# -- reading ------------------------------------------------------------------------


@dataclass
class _Rows:
    """Validated rows of one file, with where each came from."""

    name: str
    located: Located | None = None
    rows: list[tuple[int, Any]] = field(default_factory=list)  # (index in file, record)

    def line(self, index: int, path: Sequence[str | int] = ()) -> int:
        return self.located.line_of((index, *path)) if self.located else 1


def _message(err: Mapping[str, Any]) -> str:
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    name = ".".join(loc)
    if err["type"] == "missing":
        return f"`{name}` is required"
    if err["type"] == "extra_forbidden":
        return f"unknown field `{name}`"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"`{name}`: {msg}" if name else msg


def _read(path: Path, label: str, model: type[BaseModel], problems: list[Problem]) -> _Rows:
    out = _Rows(label)
    try:
        out.located = load_yaml_file(path)
    except LedgerValidationError as exc:  # the shared YAML reader's own error
        line = int(exc.where.split()[-1]) if exc.where and exc.where.startswith("line ") else 1
        problems.append(Problem(label, line, exc.problem))
        return out
    data = out.located.data
    if not isinstance(data, list):
        problems.append(Problem(label, 1, "expected a list of records at the top level"))
        return out
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            problems.append(Problem(label, out.line(i), "a record must be a mapping"))
            continue
        try:
            out.rows.append((i, model.model_validate(raw)))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(label, out.line(i, err["loc"]), _message(err)))
    return out


# -- checks -------------------------------------------------------------------------


def _duplicates(rows: _Rows, key: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, rec in rows.rows:
        value = getattr(rec, key)
        if value in seen:
            problems.append(
                Problem(rows.name, rows.line(i, (key,)), f"{key} {value!r} appears twice")
            )
        seen.add(value)


def _check_sources(files: Iterable[_Rows], known: set[str], problems: list[Problem]) -> None:
    for rows in files:
        for i, rec in rows.rows:
            for path, value in _source_refs(rec, ()):
                if value not in known:
                    problems.append(
                        Problem(
                            rows.name,
                            rows.line(i, path),
                            f"unknown source {value!r} (not in the roadmap's or the ledger's sources)",
                        )
                    )


def _source_refs(
    obj: Any, path: tuple[str | int, ...]
) -> Iterable[tuple[tuple[str | int, ...], str]]:
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if name == "sources" and isinstance(value, list):
                for j, s in enumerate(value):
                    yield (*path, name, j), s
            else:
                yield from _source_refs(value, (*path, name))
    elif isinstance(obj, list):
        for j, item in enumerate(obj):
            yield from _source_refs(item, (*path, j))


def _check_assets(rows: _Rows, sites: set[str], problems: list[Problem]) -> None:
    for i, asset in rows.rows:
        comp = asset.model
        if comp is None or comp in FIXED_COMPONENTS:
            continue
        site = comp.split(".", 1)[1]
        if site not in sites:
            problems.append(
                Problem(
                    rows.name,
                    rows.line(i, ("model",)),
                    f"asset {asset.id}: the arsenal parameters have no enrichment site {site!r} "
                    f"(sites: {', '.join(sorted(sites))})",
                )
            )


def _check_definitions(
    rows: _Rows, assets: set[str], activities: set[str], problems: list[Problem]
) -> None:
    for i, d in rows.rows:
        for j, a in enumerate(d.assets):
            if a not in assets:
                problems.append(
                    Problem(
                        rows.name,
                        rows.line(i, ("assets", j)),
                        f"definition {d.id}: {_unknown('asset', a, assets)}",
                    )
                )
        for j, a in enumerate(d.activities):
            if a not in activities:
                problems.append(
                    Problem(
                        rows.name,
                        rows.line(i, ("activities", j)),
                        f"definition {d.id}: {_unknown('activity', a, activities)}",
                    )
                )


def _unknown(what: str, value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.7)
    return f"unknown {what} {value!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


@dataclass(frozen=True)
class _Context:
    assets: set[str]
    activities: set[str]
    ledger: Ledger
    horizon: tuple[date, date]


def _check_proposal(
    rows: _Rows, i: int, p: Proposal, ctx: _Context, problems: list[Problem]
) -> None:
    def add(path: Sequence[str | int], msg: str) -> None:
        problems.append(Problem(rows.name, rows.line(i, tuple(path)), msg))

    for j, ref in enumerate(p.ledger):
        if not ctx.ledger.has(ref):
            add(("ledger", j), f"proposal {p.id}: unknown ledger record {ref!r}")
    seen: dict[str, int] = {}
    gone: dict[str, tuple[str, Action]] = {}  # asset -> (phase that removed it, how)
    previous: Phase | None = None
    for k, ph in enumerate(p.phases):
        where = ("phases", k)
        tag = f"phase {ph.id}"
        if ph.id in seen:
            add((*where, "id"), f"{tag}: id appears twice in proposal {p.id}")
        seen[ph.id] = k
        lo, hi = ctx.horizon
        if not lo <= ph.start <= hi:
            add(
                (*where, "start"),
                f"{tag}: start {ph.start} is outside the model's horizon {lo}..{hi}",
            )
        if ph.start < p.date:
            add(
                (*where, "start"),
                f"{tag}: starts {ph.start}, before the proposal itself ({p.date})",
            )
        if ph.end is not None and ph.end < ph.start:
            add((*where, "end"), f"{tag}: ends {ph.end}, before it starts ({ph.start})")
        if previous is not None and ph.start < previous.start:
            add(
                (*where, "start"),
                f"{tag}: starts {ph.start}, before phase {previous.id} that it follows ({previous.start})",
            )
        for action in Action:
            for j, asset in enumerate(getattr(ph, action.value)):
                path = (*where, action.value, j)
                if asset not in ctx.assets:
                    add(path, f"{tag}: {_unknown('asset', asset, ctx.assets)}")
                    continue
                if action in STOPPING and asset in gone:
                    earlier, how = gone[asset]
                    add(
                        path,
                        f"{tag}: cannot {action.value} {asset}: phase {earlier} already "
                        f"{'removed' if how is Action.REMOVE else 'dismantled'} it",
                    )
        for j, activity in enumerate(ph.halt):
            if activity not in ctx.activities:
                add((*where, "halt", j), f"{tag}: {_unknown('activity', activity, ctx.activities)}")
        for j, c in enumerate(ph.corresponding):
            for m, activity in enumerate(c.halts):
                if activity not in ctx.activities:
                    add(
                        (*where, "corresponding", j, "halts", m),
                        f"{tag}: {_unknown('activity', activity, ctx.activities)}",
                    )
        for j, r in enumerate(ph.relief):
            at = (*where, "relief", j, "resolution")
            rec = ctx.ledger.record(r.resolution) if ctx.ledger.has(r.resolution) else None
            if not isinstance(rec, Resolution):
                add(at, f"{tag}: unknown resolution {r.resolution!r} (not in the ledger)")
            elif rec.outcome != "adopted":
                add(at, f"{tag}: {r.resolution} was vetoed; there is nothing to relieve")
            elif rec.date.start() > ph.start:
                add(
                    at,
                    f"{tag}: relieves {r.resolution}, adopted {rec.date}, after the phase starts",
                )
        for action in FINAL:
            for asset in getattr(ph, action.value):
                gone.setdefault(asset, (ph.id, action))
        previous = ph


def _check_proposals(rows: _Rows, ctx: _Context, problems: list[Problem]) -> None:
    for i, p in rows.rows:
        _check_proposal(rows, i, p, ctx, problems)


def _check_pressure(pressure: _Rows, ledger: Ledger, problems: list[Problem]) -> None:
    for i, f in pressure.rows:
        if not isinstance(
            ledger.record(f.resolution) if ledger.has(f.resolution) else None, Resolution
        ):
            problems.append(
                Problem(
                    pressure.name,
                    pressure.line(i, ("resolution",)),
                    f"unknown resolution {f.resolution!r} (not in the ledger)",
                )
            )


# -- entry points ---------------------------------------------------------------------


def check_roadmap(
    root: Path | None = None,
    *,
    proposal_files: Sequence[Path] = (),
    ledger: Ledger | None = None,
    params: Parameters | None = None,
) -> tuple[Roadmap, list[Problem]]:
    """Load every file (plus extra proposal files) and return all problems found."""
    root = DATA_DIR if root is None else root
    ledger = load_ledger() if ledger is None else ledger
    params = load_parameters() if params is None else params
    problems: list[Problem] = []
    read: dict[str, _Rows] = {}
    for name, model in FILES.items():
        path = root / name
        if not path.is_file():
            problems.append(Problem(name, 1, "file not found in the roadmap directory"))
            read[name] = _Rows(name)
            continue
        read[name] = _read(path, name, model, problems)
    extra: list[_Rows] = []
    for path in proposal_files:
        p = Path(path)
        if not p.is_file():
            problems.append(Problem(str(p), 1, "file not found"))
            continue
        extra.append(_read(p, str(p), Proposal, problems))

    ledger_sources = {s.id for s in ledger.sources}
    for i, s in read["sources.yaml"].rows:
        if s.id in ledger_sources:
            problems.append(
                Problem(
                    "sources.yaml",
                    read["sources.yaml"].line(i, ("id",)),
                    f"source id {s.id!r} is also a ledger source; pick another",
                )
            )
    known_sources = ledger_sources | {s.id for _, s in read["sources.yaml"].rows}
    for name in (
        "sources.yaml",
        "assets.yaml",
        "activities.yaml",
        "definitions.yaml",
        "assessments.yaml",
    ):
        _duplicates(read[name], "id", problems)
    _duplicates(read["pressure.yaml"], "resolution", problems)
    _check_sources([*read.values(), *extra], known_sources, problems)

    sites = {s.id for s in params.file.enrichment.sites}
    _check_assets(read["assets.yaml"], sites, problems)
    asset_ids = {a.id for _, a in read["assets.yaml"].rows}
    activity_ids = {a.id for _, a in read["activities.yaml"].rows}
    _check_definitions(read["definitions.yaml"], asset_ids, activity_ids, problems)
    h = params.file.horizon
    ctx = _Context(asset_ids, activity_ids, ledger, (h.start, h.end))
    origin: dict[str, str] = {}
    for rows in (read["proposals.yaml"], *extra):
        _check_proposals(rows, ctx, problems)
        for i, p in rows.rows:
            if p.id in origin:
                problems.append(
                    Problem(
                        rows.name,
                        rows.line(i, ("id",)),
                        f"proposal id {p.id!r} is already used in {origin[p.id]}",
                    )
                )
            origin.setdefault(p.id, rows.name)
    _check_pressure(read["pressure.yaml"], ledger, problems)

    def rows_of(name: str) -> list[Any]:
        return [rec for _, rec in read[name].rows]

    roadmap = Roadmap(
        ledger=ledger,
        sources=rows_of("sources.yaml"),
        assets=rows_of("assets.yaml"),
        activities=rows_of("activities.yaml"),
        definitions=rows_of("definitions.yaml"),
        proposals=[rec for rows in (read["proposals.yaml"], *extra) for _, rec in rows.rows],
        assessments=rows_of("assessments.yaml"),
        pressure=rows_of("pressure.yaml"),
        origin=origin,
    )
    order = {name: k for k, name in enumerate(FILES)}
    problems.sort(key=lambda pr: (order.get(pr.file, 99), pr.file, pr.line))
    return roadmap, problems


def load_roadmap(
    root: Path | None = None,
    *,
    proposal_files: Sequence[Path] = (),
    ledger: Ledger | None = None,
    params: Parameters | None = None,
) -> Roadmap:
    """The validated roadmap; raises :class:`RoadmapValidationError` naming the first problem."""
    if root is None and not proposal_files and ledger is None and params is None:
        return _default()
    return _load(root, proposal_files, ledger, params)


def _load(
    root: Path | None,
    proposal_files: Sequence[Path],
    ledger: Ledger | None,
    params: Parameters | None,
) -> Roadmap:
    roadmap, problems = check_roadmap(
        root, proposal_files=proposal_files, ledger=ledger, params=params
    )
    if problems:
        first = problems[0]
        raise RoadmapValidationError(
            first.message, source=first.file, where=f"line {first.line}", more=len(problems) - 1
        )
    return roadmap


@lru_cache(maxsize=1)
def _default() -> Roadmap:
    return _load(None, (), None, None)
