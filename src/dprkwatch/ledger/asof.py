"""The ledger as an analyst could have read it on a given day: no hindsight.

A claim made on 2019-07-02 must be judged on what was known and citable on
2019-07-02. :func:`ledger_as_of` keeps, from every curated file, only

* rows whose date is on or before the day (a resolution adopted later, a
  breach that came later, a test pause that ended later are dropped or cut
  back: a moratorium renounced later is still standing, a commitment broken
  later is still ``pending`` or kept — see :meth:`Commitment.status_on`);
* citations published on or before the day. A row whose every source was
  published later is *withheld*: it may well be true, but nobody could have
  cited it then. The count of withheld rows is reported with each verdict.

:meth:`dprkwatch.ledger.inputs.Inputs.as_of` applies the same rule to the
imported data (launches and provocations by their entry date, list
snapshots by their publication date).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.loader import Ledger
from dprkwatch.ledger.model import Agreement, Commitment, Evidence, Obligation, Sourced

S = TypeVar("S", bound=Sourced)


@dataclass
class Withheld:
    """What the day's view left out because it was only citable later."""

    day: date
    rows: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.rows.append(what)

    def __len__(self) -> int:
        return len(self.rows)


def _published_by(ledger: Ledger, ids: Sequence[str], day: date) -> list[str]:
    return [s for s in ids if ledger.source(s).date.end() <= day]


def _trim(ledger: Ledger, rec: S, day: date) -> S | None:
    """The row with only its sources published by ``day``; ``None`` if none is."""
    kept = _published_by(ledger, rec.sources, day)
    if not kept:
        return None
    return rec if len(kept) == len(rec.sources) else rec.model_copy(update={"sources": kept})


def _dated(ledger: Ledger, rows: Sequence[S], day: date, attr: str, out: Withheld) -> list[S]:
    """Rows whose ``attr`` date is on or before ``day`` and that are citable by then."""
    kept: list[S] = []
    for rec in rows:
        when: PartialDate = getattr(rec, attr)
        if when.start() > day:
            continue
        trimmed = _trim(ledger, rec, day)
        if trimmed is None:
            out.add(f"{getattr(rec, 'id', attr)} ({when})")
        else:
            kept.append(trimmed)
    return kept


def _evidence(ledger: Ledger, items: Sequence[Evidence], day: date) -> list[Evidence]:
    out = []
    for ev in items:
        if ev.date is not None and ev.date.start() > day:
            continue
        trimmed = _trim(ledger, ev, day)
        if trimmed is not None:
            out.append(trimmed)
    return out


def _commitment(ledger: Ledger, c: Commitment, day: date) -> Commitment:
    history = [h for h in c.history if h.date.end() <= day]
    history = [t for t in (_trim(ledger, h, day) for h in history) if t is not None]
    return c.model_copy(
        update={
            "status": c.status_on(day),
            "evidence": _evidence(ledger, c.evidence, day),
            "history": history,
        }
    )


def _agreement(ledger: Ledger, a: Agreement, day: date) -> Agreement:
    update: dict[str, Any] = {
        "commitments": [_commitment(ledger, c, day) for c in a.commitments],
    }
    if a.ended is not None and a.ended.start() > day:
        update["ended"] = None
    return a.model_copy(update=update)


def _obligation(ledger: Ledger, ob: Obligation, day: date) -> Obligation:
    standing = ob.standing
    if standing is not None and (
        (standing.date is not None and standing.date.start() > day)
        or _trim(ledger, standing, day) is None
    ):
        standing = None
    elif standing is not None:
        standing = _trim(ledger, standing, day)
    return ob.model_copy(
        update={"breaches": _evidence(ledger, ob.breaches, day), "standing": standing}
    )


def ledger_as_of(ledger: Ledger, day: date) -> tuple[Ledger, Withheld]:
    """The curated ledger as citable on ``day``, and what was withheld for lack of a source then."""
    out = Withheld(day)
    view = Ledger(
        sources=list(ledger.sources),
        resolutions=_dated(ledger, ledger.resolutions, day, "date", out),
        obligations=[_obligation(ledger, o, day) for o in ledger.obligations],
        agreements=[
            _agreement(ledger, a, day) for a in _dated(ledger, ledger.agreements, day, "date", out)
        ],
        diplomacy=_dated(ledger, ledger.diplomacy, day, "date", out),
        exercises=_dated(ledger, ledger.exercises, day, "date", out),
        humanitarian=_dated(ledger, ledger.humanitarian, day, "date", out),
        nuclear_tests=_dated(ledger, ledger.nuclear_tests, day, "date", out),
        moratoria=[
            m
            if m.renounced is None or m.renounced.start() <= day
            else m.model_copy(update={"renounced": None})
            for m in _dated(ledger, ledger.moratoria, day, "announced", out)
        ],
        sanctions_actions=_dated(ledger, ledger.sanctions_actions, day, "date", out),
        observations=_dated(ledger, ledger.observations, day, "date", out),
        administrations=[a for a in ledger.administrations if a.start.start() <= day],
        claims=list(ledger.claims),
    )
    view.administrations = [
        a if a.end is None or a.end.start() <= day else a.model_copy(update={"end": None})
        for a in view.administrations
    ]
    view._index()
    return view, out
