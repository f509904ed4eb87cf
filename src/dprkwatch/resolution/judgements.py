"""Human decisions about pairs of listings: same, different, unsure.

Like nomenklatura's resolver, a decision is an *edge* between two entity ids
with a judgement, the user and a time, and the newest edge for a pair is the
one in force. Unlike it, we keep no machine edges here: machine links are
recomputed on every run from the lists, while this log only ever holds what
people decided, so a re-run can never overwrite a decision.

The log is an append-only JSON-lines file. Changing one's mind appends a new
line for the same pair (the old one stays, for the audit); nothing is ever
deleted. Each write rewrites the whole file atomically, so a crash leaves
the previous log. A decision is refused when it would contradict the others:
if A=B and B=C are recorded, A≠C cannot be (and the error names the three
ids), nor can A=C be recorded against a recorded A≠C.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from dprkwatch import durable
from dprkwatch.resolution.exceptions import (
    ContradictoryJudgement,
    JudgementError,
    ResolutionError,
)

SAME = "same"
DIFFERENT = "different"
UNSURE = "unsure"
DECISIONS = (SAME, DIFFERENT, UNSURE)


@dataclass(frozen=True)
class Judgement:
    """One recorded decision about a pair of entity ids (stored with ``a < b``)."""

    a: str
    b: str
    decision: str
    user: str
    at: str
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.a, self.b)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


class JudgementLog:
    """The judgements of one data directory (``resolution/judgements.jsonl``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.history: list[Judgement] = self._read()

    def _read(self) -> list[Judgement]:
        if not self.path.exists():
            return []
        out = []
        for number, line in enumerate(self.path.read_bytes().splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
                out.append(Judgement(**data))
            except (orjson.JSONDecodeError, TypeError) as exc:
                raise ResolutionError(
                    f"{self.path.name}:line {number}: unreadable judgement ({exc})"
                ) from None
        return out

    def current(self) -> dict[tuple[str, str], Judgement]:
        """The decision in force for each judged pair (the newest one)."""
        out: dict[tuple[str, str], Judgement] = {}
        for j in self.history:
            out[j.key] = j
        return out

    def of(self, decision: str) -> list[Judgement]:
        return [j for j in self.current().values() if j.decision == decision]

    def record(
        self,
        x: str,
        y: str,
        decision: str,
        *,
        user: str,
        note: str = "",
        known: Iterable[str] | None = None,
    ) -> Judgement:
        """Check and append a decision; ``known`` ids (when given) must include both."""
        x, y = x.strip(), y.strip()
        if decision not in DECISIONS:
            raise JudgementError(
                f"unknown decision {decision!r} (use {', '.join(DECISIONS)})", where="decision"
            )
        if not x or not y or x == y:
            raise JudgementError(f"a judgement needs two different ids, got {x!r} and {y!r}")
        if known is not None:
            ids = set(known)
            for value in (x, y):
                if value not in ids:
                    raise JudgementError(f"no listing with id {value!r} in the current lists")
        a, b = pair(x, y)
        judgement = Judgement(
            a, b, decision, user, datetime.now(UTC).isoformat(timespec="seconds"), note
        )
        proposed = self.current()
        proposed[judgement.key] = judgement
        check_consistent(proposed)
        self.history.append(judgement)
        durable.write_bytes(
            self.path, b"".join(orjson.dumps(j.to_dict()) + b"\n" for j in self.history)
        )
        return judgement


def check_consistent(current: Mapping[tuple[str, str], Judgement]) -> None:
    """Refuse a set of decisions in which a "different" pair is joined by "same" decisions."""
    same: dict[str, list[str]] = defaultdict(list)
    for j in current.values():
        if j.decision == SAME:
            same[j.a].append(j.b)
            same[j.b].append(j.a)
    for j in current.values():
        if j.decision != DIFFERENT:
            continue
        path = _path(same, j.a, j.b)
        if path is not None:
            middle = path[1] if len(path) > 2 else path[0]
            chain = " = ".join(path)
            raise ContradictoryJudgement(
                f"contradictory judgements: {j.a} ≠ {j.b}, but {chain} "
                f"(ids {j.a}, {middle}, {j.b}); mark one of them unsure first",
                (j.a, middle, j.b),
            )


def _path(graph: Mapping[str, list[str]], start: str, goal: str) -> list[str] | None:
    """The shortest chain of "same" decisions from ``start`` to ``goal``, if any."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for other in graph.get(node, ()):
                if other in previous:
                    continue
                previous[other] = node
                if other == goal:
                    chain = [goal]
                    step: str | None = node
                    while step is not None:
                        chain.append(step)
                        step = previous[step]
                    return chain[::-1]
                nxt.append(other)
        frontier = nxt
    return None
