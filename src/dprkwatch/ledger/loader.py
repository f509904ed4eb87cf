"""Load and validate the curated ledger files.

A ledger directory holds one YAML file per record type (:data:`FILES`); each
file is a list of records. Loading checks every row against its model, then
checks the references between files: every ``sources`` entry must be in the
bibliography, every obligation key in ``obligations.yaml``, every ``refs``
entry an existing record id (or ``agreement/commitment``), and ids must be
unique across files. Each problem names the file, the line and what is
wrong; loading fails on the first file set with any problem, so nothing
downstream ever sees a half-valid ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from dprkwatch.ledger.citations import DATASET_SOURCES, Citation
from dprkwatch.ledger.exceptions import LedgerValidationError
from dprkwatch.ledger.located import Located, Path_, load_yaml_file
from dprkwatch.ledger.model import (
    Administration,
    Agreement,
    Claim,
    Commitment,
    DiplomacyEvent,
    Exercise,
    Humanitarian,
    Moratorium,
    NuclearTest,
    Obligation,
    ObligationRef,
    Observation,
    Record,
    Resolution,
    SanctionsAction,
    Source,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

# File name -> record type. The order is the order of the docs.
FILES: dict[str, type[Record]] = {
    "sources.yaml": Source,
    "resolutions.yaml": Resolution,
    "obligations.yaml": Obligation,
    "agreements.yaml": Agreement,
    "diplomacy.yaml": DiplomacyEvent,
    "exercises.yaml": Exercise,
    "humanitarian.yaml": Humanitarian,
    "nuclear_tests.yaml": NuclearTest,
    "moratoria.yaml": Moratorium,
    "sanctions_actions.yaml": SanctionsAction,
    "observations.yaml": Observation,
    "administrations.yaml": Administration,
    "claims.yaml": Claim,
}


@dataclass(frozen=True)
class Problem:
    """One validation problem: file, line, message."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:line {self.line}: {self.message}"


@dataclass
class Ledger:
    """Every curated record, by type, with an index by id."""

    sources: list[Source] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    diplomacy: list[DiplomacyEvent] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    humanitarian: list[Humanitarian] = field(default_factory=list)
    nuclear_tests: list[NuclearTest] = field(default_factory=list)
    moratoria: list[Moratorium] = field(default_factory=list)
    sanctions_actions: list[SanctionsAction] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    def source(self, source_id: str) -> Source:
        return self._sources[source_id]

    def cite(self, source_ids: Iterable[str]) -> tuple[Citation, ...]:
        """The resolved citations of bibliography ids, in the order given."""
        return tuple(Citation.of(self._sources[s]) for s in source_ids)

    def cite_dataset(self, dataset: str, entry_date: str) -> tuple[Citation, ...]:
        """The citation of one entry of an imported dataset (none for an unknown dataset)."""
        source_id = DATASET_SOURCES.get(dataset)
        if source_id is None or source_id not in self._sources:
            return ()
        return (Citation.of(self._sources[source_id], entry_date=entry_date),)

    def obligation(self, key: str) -> Obligation:
        return self._obligations[key]

    def record(self, record_id: str) -> Any:
        """Any record by id (``agreement/commitment`` for a commitment)."""
        return self._ids[record_id]

    def has(self, record_id: str) -> bool:
        return record_id in self._ids

    def commitments(self) -> Iterator[tuple[Agreement, Commitment]]:
        for agreement in self.agreements:
            for commitment in agreement.commitments:
                yield agreement, commitment

    def administrations_during(self, start: date, end: date) -> list[Administration]:
        """US administrations in office at any time from ``start`` to ``end``."""
        return [
            a
            for a in self.administrations
            if a.start.start() <= end and (a.end is None or a.end.start() > start)
        ]

    def _index(self) -> None:
        self._sources = {s.id: s for s in self.sources}
        self._obligations = {o.key: o for o in self.obligations}
        self._ids: dict[str, Any] = {}
        for name in FILES:
            attr = name.removesuffix(".yaml")
            if attr in ("sources", "obligations"):
                continue
            for rec in getattr(self, attr):
                self._ids[rec.id] = rec
        for agreement, commitment in self.commitments():
            self._ids[f"{agreement.id}/{commitment.id}"] = commitment


def _message(err: Mapping[str, Any]) -> str:
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    name = ".".join(loc)
    kind = err["type"]
    if kind == "missing":
        if loc and loc[-1] == "sources":
            return "no source: every row needs `sources` (ids from sources.yaml)"
        return f"`{name}` is required"
    if kind == "extra_forbidden":
        return f"unknown field `{name}`"
    if kind == "too_short" and loc and loc[-1] == "sources":
        return "no source: `sources` is empty"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"`{name}`: {msg}" if name else msg


def _walk_refs(obj: Any, path: Path_) -> Iterator[tuple[str, Path_, str]]:
    """(kind, path, value) for every reference inside a record: sources, refs, keys."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            sub = (*path, name)
            if name == "sources" and isinstance(value, list):
                for i, s in enumerate(value):
                    yield "source", (*sub, i), s
            elif name in ("refs", "trigger_refs") and isinstance(value, list):
                for i, r in enumerate(value):
                    yield "ref", (*sub, i), r
            elif name == "key" and isinstance(obj, ObligationRef):
                yield "obligation", sub, value
            else:
                yield from _walk_refs(value, sub)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk_refs(item, (*path, i))


@dataclass
class _Where:
    """Where each validated record came from, to put line numbers on later checks."""

    files: dict[str, str] = field(default_factory=dict)
    rows: dict[int, tuple[str, int, Located]] = field(default_factory=dict)

    def line(self, rec: Any, path: Path_) -> int:
        hit = self.rows.get(id(rec))
        if hit is None:
            return 1
        _name, index, located = hit
        return located.line_of((index, *path))

    def file(self, name: str) -> str:
        return self.files.get(name, name)


def _load_file(
    name: str, path: Path, model: type[Record], problems: list[Problem], where: _Where
) -> list[Any]:
    try:
        located = load_yaml_file(path)
    except LedgerValidationError as exc:
        line = int(exc.where.split()[-1]) if exc.where and exc.where.startswith("line ") else 1
        problems.append(Problem(path.name, line, exc.problem))
        return []
    if not isinstance(located.data, list):
        problems.append(Problem(path.name, 1, "expected a list of records at the top level"))
        return []
    rows: list[Any] = []
    for i, raw in enumerate(located.data):
        if not isinstance(raw, dict):
            problems.append(Problem(path.name, located.line_of((i,)), "a record must be a mapping"))
            continue
        try:
            rec = model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                line = located.line_of((i, *err["loc"]))
                problems.append(Problem(path.name, line, _message(err)))
            continue
        rows.append(rec)
        where.rows[id(rec)] = (name, i, located)
    return rows


def check_ledger(
    root: Path | None = None, *, replace: Mapping[str, Path] | None = None
) -> tuple[Ledger, list[Problem]]:
    """Load every file, returning the ledger and all problems found (possibly none).

    ``replace`` maps a file name of :data:`FILES` to another path to use instead,
    so one edited file can be checked against the rest of the ledger.
    """
    root = DATA_DIR if root is None else root
    replace = dict(replace or {})
    for name in replace:
        if name not in FILES:
            raise LedgerValidationError(
                f"not a ledger file name (expected one of: {', '.join(FILES)})", source=name
            )
    problems: list[Problem] = []
    ledger = Ledger()
    where = _Where()
    for name, model in FILES.items():
        path = replace.get(name, root / name)
        where.files[name] = path.name
        if not path.is_file():
            problems.append(Problem(name, 1, "file not found in the ledger directory"))
            continue
        setattr(ledger, name.removesuffix(".yaml"), _load_file(name, path, model, problems, where))
    _check_references(ledger, where, problems)
    _check_reasons(ledger, where, problems)
    ledger._index()
    order = {where.file(n): i for i, n in enumerate(FILES)}
    problems.sort(key=lambda p: (order.get(p.file, 99), p.file, p.line))
    return ledger, problems


def _check_references(ledger: Ledger, where: _Where, problems: list[Problem]) -> None:
    source_ids = {s.id for s in ledger.sources}
    for rec in _later_duplicates(ledger.sources, "id"):
        problems.append(
            Problem(
                where.file("sources.yaml"),
                where.line(rec, ("id",)),
                f"source id {rec.id!r} is defined twice",
            )
        )
    obligation_keys = {o.key for o in ledger.obligations}
    for rec in _later_duplicates(ledger.obligations, "key"):
        problems.append(
            Problem(
                where.file("obligations.yaml"),
                where.line(rec, ("key",)),
                f"obligation key {rec.key!r} is defined twice",
            )
        )

    ids: dict[str, str] = {}
    for name in FILES:
        attr = name.removesuffix(".yaml")
        if attr in ("sources", "obligations"):
            continue
        for rec in getattr(ledger, attr):
            if rec.id in ids:
                problems.append(
                    Problem(
                        where.file(name),
                        where.line(rec, ("id",)),
                        f"id {rec.id!r} is already used in {ids[rec.id]}",
                    )
                )
            else:
                ids[rec.id] = where.file(name)
    known = set(ids)
    for agreement in ledger.agreements:
        known.update(f"{agreement.id}/{c.id}" for c in agreement.commitments)

    for name in FILES:
        for rec in getattr(ledger, name.removesuffix(".yaml")):
            for kind, path, value in _walk_refs(rec, ()):
                if kind == "source" and value not in source_ids:
                    msg = f"unknown source {value!r} (not in sources.yaml)"
                elif kind == "ref" and value not in known:
                    msg = f"unknown reference {value!r} (no record has this id)"
                elif kind == "obligation" and value not in obligation_keys:
                    msg = f"unknown obligation {value!r} (not in obligations.yaml)"
                else:
                    continue
                problems.append(Problem(where.file(name), where.line(rec, path), msg))
            if isinstance(rec, Claim) and rec.source not in source_ids:
                problems.append(
                    Problem(
                        where.file(name),
                        where.line(rec, ("source",)),
                        f"unknown source {rec.source!r} (not in sources.yaml)",
                    )
                )


def _check_reasons(ledger: Ledger, where: _Where, problems: list[Problem]) -> None:
    from dprkwatch.ledger.unverified import unverified_rows

    for u in unverified_rows(ledger):
        if not u.reason:
            problems.append(
                Problem(
                    where.file(u.file),
                    where.line(u.record, u.path),
                    "an unverified row needs a `note` saying why it cannot be verified",
                )
            )


def _later_duplicates(records: list[Any], key: str) -> list[Any]:
    seen: set[str] = set()
    dups: list[Any] = []
    for rec in records:
        value = getattr(rec, key)
        if value in seen:
            dups.append(rec)
        seen.add(value)
    return dups


def load_ledger(root: Path | None = None, *, replace: Mapping[str, Path] | None = None) -> Ledger:
    """The validated ledger; raises :class:`LedgerValidationError` naming the first problem."""
    if root is None and not replace:
        return _default_ledger()
    return _load(root, replace)


def _load(root: Path | None, replace: Mapping[str, Path] | None) -> Ledger:
    ledger, problems = check_ledger(root, replace=replace)
    if problems:
        first = problems[0]
        raise LedgerValidationError(
            first.message, source=first.file, where=f"line {first.line}", more=len(problems) - 1
        )
    return ledger


@lru_cache(maxsize=1)
def _default_ledger() -> Ledger:
    return _load(None, None)
